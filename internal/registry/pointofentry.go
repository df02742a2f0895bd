package registry

import "strings"

// PointOfEntry is an airport, land port or seaport where returnees arrive.
// Codes are the country's alpha-2 code and the IATA airport code or a short
// port name ("BD-DAC", "BD-BENAPOLE").
type PointOfEntry struct {
	Code    string            `json:"code"`
	Country string            `json:"country"`
	Kind    string            `json:"kind"` // airport, land_port, seaport
	Names   map[string]string `json:"names"`
}

// Name returns the name in lang, falling back to English.
func (p *PointOfEntry) Name(lang string) string {
	if n := p.Names[lang]; n != "" {
		return n
	}
	return p.Names["en"]
}

// pointsOfEntry is the small built-in list: the international airports and
// the busiest land ports of Bangladesh, Pakistan and Iraq.
var pointsOfEntry = []PointOfEntry{
	{"BD-DAC", "BD", "airport", map[string]string{"en": "Dhaka Hazrat Shahjalal International Airport", "bn": "হযরত শাহজালাল আন্তর্জাতিক বিমানবন্দর, ঢাকা"}},
	{"BD-CGP", "BD", "airport", map[string]string{"en": "Chattogram Shah Amanat International Airport", "bn": "শাহ আমানত আন্তর্জাতিক বিমানবন্দর, চট্টগ্রাম"}},
	{"BD-ZYL", "BD", "airport", map[string]string{"en": "Sylhet Osmani International Airport", "bn": "ওসমানী আন্তর্জাতিক বিমানবন্দর, সিলেট"}},
	{"BD-CXB", "BD", "airport", map[string]string{"en": "Cox's Bazar Airport", "bn": "কক্সবাজার বিমানবন্দর"}},
	{"BD-BENAPOLE", "BD", "land_port", map[string]string{"en": "Benapole land port (Jashore)", "bn": "বেনাপোল স্থলবন্দর (যশোর)"}},
	{"BD-AKHAURA", "BD", "land_port", map[string]string{"en": "Akhaura land port (Brahmanbaria)", "bn": "আখাউড়া স্থলবন্দর (ব্রাহ্মণবাড়িয়া)"}},
	{"BD-BURIMARI", "BD", "land_port", map[string]string{"en": "Burimari land port (Lalmonirhat)", "bn": "বুড়িমারী স্থলবন্দর (লালমনিরহাট)"}},
	{"BD-TAMABIL", "BD", "land_port", map[string]string{"en": "Tamabil land port (Sylhet)", "bn": "তামাবিল স্থলবন্দর (সিলেট)"}},
	{"BD-HILI", "BD", "land_port", map[string]string{"en": "Hili land port (Dinajpur)", "bn": "হিলি স্থলবন্দর (দিনাজপুর)"}},
	{"BD-BANGLABANDHA", "BD", "land_port", map[string]string{"en": "Banglabandha land port (Panchagarh)", "bn": "বাংলাবান্ধা স্থলবন্দর (পঞ্চগড়)"}},
	{"BD-DARSHANA", "BD", "land_port", map[string]string{"en": "Darshana land port (Chuadanga)", "bn": "দর্শনা স্থলবন্দর (চুয়াডাঙ্গা)"}},
	{"BD-TEKNAF", "BD", "land_port", map[string]string{"en": "Teknaf land port (Cox's Bazar)", "bn": "টেকনাফ স্থলবন্দর (কক্সবাজার)"}},
	{"BD-CTG-PORT", "BD", "seaport", map[string]string{"en": "Chattogram seaport", "bn": "চট্টগ্রাম সমুদ্রবন্দর"}},
	{"PK-ISB", "PK", "airport", map[string]string{"en": "Islamabad International Airport", "ur": "اسلام آباد بین الاقوامی ہوائی اڈہ"}},
	{"PK-LHE", "PK", "airport", map[string]string{"en": "Lahore Allama Iqbal International Airport", "ur": "علامہ اقبال بین الاقوامی ہوائی اڈہ، لاہور"}},
	{"PK-KHI", "PK", "airport", map[string]string{"en": "Karachi Jinnah International Airport", "ur": "جناح بین الاقوامی ہوائی اڈہ، کراچی"}},
	{"PK-PEW", "PK", "airport", map[string]string{"en": "Peshawar Bacha Khan International Airport", "ur": "باچا خان بین الاقوامی ہوائی اڈہ، پشاور"}},
	{"PK-MUX", "PK", "airport", map[string]string{"en": "Multan International Airport", "ur": "ملتان بین الاقوامی ہوائی اڈہ"}},
	{"PK-SKT", "PK", "airport", map[string]string{"en": "Sialkot International Airport", "ur": "سیالکوٹ بین الاقوامی ہوائی اڈہ"}},
	{"PK-TORKHAM", "PK", "land_port", map[string]string{"en": "Torkham border crossing", "ur": "طورخم سرحد"}},
	{"PK-CHAMAN", "PK", "land_port", map[string]string{"en": "Chaman border crossing", "ur": "چمن سرحد"}},
	{"PK-TAFTAN", "PK", "land_port", map[string]string{"en": "Taftan border crossing", "ur": "تفتان سرحد"}},
	{"PK-WAGAH", "PK", "land_port", map[string]string{"en": "Wagah border crossing", "ur": "واہگہ سرحد"}},
	{"IQ-BGW", "IQ", "airport", map[string]string{"en": "Baghdad International Airport", "ar": "مطار بغداد الدولي"}},
	{"IQ-EBL", "IQ", "airport", map[string]string{"en": "Erbil International Airport", "ar": "مطار أربيل الدولي"}},
	{"IQ-BSR", "IQ", "airport", map[string]string{"en": "Basra International Airport", "ar": "مطار البصرة الدولي"}},
	{"IQ-ISU", "IQ", "airport", map[string]string{"en": "Sulaymaniyah International Airport", "ar": "مطار السليمانية الدولي"}},
	{"IQ-NJF", "IQ", "airport", map[string]string{"en": "Najaf International Airport", "ar": "مطار النجف الدولي"}},
	{"IQ-IBRAHIM-KHALIL", "IQ", "land_port", map[string]string{"en": "Ibrahim Khalil border crossing (Zakho)", "ar": "منفذ إبراهيم الخليل"}},
	{"IQ-TREBIL", "IQ", "land_port", map[string]string{"en": "Trebil border crossing", "ar": "منفذ طريبيل"}},
	{"IQ-SHALAMCHEH", "IQ", "land_port", map[string]string{"en": "Shalamcheh border crossing", "ar": "منفذ الشلامجة"}},
}

// PointsOfEntry returns the points of entry of country (ISO alpha-2), or all
// of them when country is "".
func PointsOfEntry(country string) []PointOfEntry {
	var out []PointOfEntry
	for _, p := range pointsOfEntry {
		if country == "" || p.Country == strings.ToUpper(country) {
			out = append(out, p)
		}
	}
	return out
}

// PointOfEntryByCode returns the point of entry with code (case-insensitive),
// or nil.
func PointOfEntryByCode(code string) *PointOfEntry {
	code = strings.ToUpper(strings.TrimSpace(code))
	for i := range pointsOfEntry {
		if pointsOfEntry[i].Code == code {
			return &pointsOfEntry[i]
		}
	}
	return nil
}

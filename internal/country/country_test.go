package country

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

func TestBuiltinPacks(t *testing.T) {
	for _, tc := range []struct{ code, alpha3, zone, lang, dial string }{
		{"BD", "BGD", "Asia/Dhaka", "en", "880"},
		{"IQ", "IRQ", "Asia/Baghdad", "ar", "964"},
		{"PK", "PAK", "Asia/Karachi", "ur", "92"},
	} {
		p, err := Get(strings.ToLower(tc.code))
		if err != nil {
			t.Fatal(err)
		}
		if p.Code != tc.code || p.CasePrefix != tc.alpha3 || p.TimeZone != tc.zone || p.Languages[0] != tc.lang || p.Phone.Dial != tc.dial {
			t.Errorf("%s: %+v", tc.code, p)
		}
		if len(p.PointsOfEntry) == 0 || len(p.AreaCSV()) == 0 || !strings.Contains(p.Sources(), "areas.csv") {
			t.Errorf("%s: ports, areas or sources missing", tc.code)
		}
	}
	if !Lookup("IQ").Offers("ckb") || Lookup("PK").Offers("bn") {
		t.Error("languages offered")
	}
	if got := strings.Join(Builtin().Codes(), ","); got != "BD,IQ,PK" {
		t.Errorf("codes %s", got)
	}
}

func TestUnknownCountry(t *testing.T) {
	_, err := Get("XX")
	var ue *UnknownError
	if !errors.As(err, &ue) || !strings.Contains(err.Error(), "BD, IQ, PK") {
		t.Fatalf("Get(XX) = %v, want an error listing BD, IQ, PK", err)
	}
	if Lookup("") != nil || Lookup("FR") != nil {
		t.Error("Lookup of a country without a pack")
	}
}

// packFS copies the embedded Iraq pack into a test folder named dir,
// with edit applied to its pack.json.
func packFS(t *testing.T, dir string, edit func(string) string) fstest.MapFS {
	t.Helper()
	m := fstest.MapFS{}
	for _, f := range []string{"pack.json", "areas.csv", "SOURCES.md"} {
		b, err := fs.ReadFile(embedded, "packs/iq/"+f)
		if err != nil {
			t.Fatal(err)
		}
		if f == "pack.json" {
			b = []byte(edit(string(b)))
		}
		m[dir+"/"+f] = &fstest.MapFile{Data: b}
	}
	return m
}

func TestAddingAFolderAddsACountry(t *testing.T) {
	m := packFS(t, "jo", func(s string) string {
		s = strings.Replace(s, `"code": "IQ"`, `"code": "JO"`, 1)
		s = strings.Replace(s, `"alpha3": "IRQ"`, `"alpha3": "JOR"`, 1)
		return strings.ReplaceAll(s, `"IQ-`, `"JO-`)
	})
	for k, v := range packFS(t, "iq", func(s string) string { return s }) {
		m[k] = v
	}
	s, err := Load(m)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := s.Get("jo"); err != nil || p.Alpha3 != "JOR" {
		t.Fatalf("Get(jo) = %v, %v", p, err)
	}
	if got := strings.Join(s.Codes(), ","); got != "IQ,JO" {
		t.Errorf("codes %s", got)
	}
}

func TestBrokenPackSaysWhere(t *testing.T) {
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"code", `"code": "IQ"`, `"code": "Iraq"`, "xx/pack.json: code:"},
		{"zone", `"Asia/Baghdad"`, `"Asia/Nowhere"`, "xx/pack.json: time_zone:"},
		{"dial", `"dial": "964"`, `"dial": "+964"`, "xx/pack.json: phone.dial:"},
		{"identifier type", `"type": "national_id"`, `"type": "ration_card"`, "xx/pack.json: identifiers[0].type:"},
		{"identifier format", `"lengths": [
        12
      ],`, `"lengths": [12], "format": "####-####",`, "xx/pack.json: identifiers[0].format:"},
		{"port", `"code": "IQ-BGW"`, `"code": "BGW"`, "xx/pack.json: points_of_entry[0].code:"},
		{"weekend", `"friday"`, `"Fri"`, "xx/pack.json: weekend[0]:"},
		{"holiday as a bare date", `"holidays": [`, `"holidays": ["2026-03-26", `, "xx/pack.json: json: cannot unmarshal"},
		{"holiday date", `"holidays": [`, `"holidays": [{"date": "2026-13-01", "names": {"en": "X"}}, `, "xx/pack.json: holidays[0].date:"},
		{"holiday on 30 February", `"holidays": [`, `"holidays": [{"date": "2026-02-30", "names": {"en": "X"}}, `, "xx/pack.json: holidays[0].date:"},
		{"holiday without a name", `"holidays": [`, `"holidays": [{"date": "2026-03-21", "names": {"ar": "نوروز"}}, `, "xx/pack.json: holidays[0].names.en:"},
		{"holiday twice", `"holidays": [`, `"holidays": [{"date": "2026-03-21", "names": {"en": "Nowruz"}}, {"date": "2026-03-21", "names": {"en": "Nowruz"}}, `, "xx/pack.json: holidays[1].date:"},
		{"return type code", `"code": "idp_camp_return"`, `"code": "IDP camp"`, "xx/pack.json: return_types[5].code:"},
		{"return type twice", `"code": "idp_camp_return"`, `"code": "voluntary"`, "xx/pack.json: return_types[5].code:"},
		{"return type name", `"en": "Return from a displacement camp"`, `"fr": "Retour"`, "xx/pack.json: return_types[5].names.en:"},
		{"service code", `"code": "iq_krg_social_protection"`, `"code": "KRG social protection"`, "xx/pack.json: services[21].code:"},
		{"service twice", `"code": "iq_krg_social_protection"`, `"code": "housing"`, "xx/pack.json: services[21].code:"},
		{"service parent", `"parent": "business_startup"`, `"parent": "business_start"`, "xx/pack.json: services[2].parent:"},
		{"service kind", `"kind": "training"`, `"kind": ""`, "xx/pack.json: services[0].kind:"},
		{"service name", `"en": "Social protection in the Kurdistan Region"`, `"fr": "Protection sociale"`, "xx/pack.json: services[21].names.en:"},
		{"service provider", `"en": "Kurdistan Regional Government, Ministry of Labour and Social Affairs"`, `"de": "Ministerium"`, "xx/pack.json: services[19].provider.en:"},
		{"consent text", `"consent_texts": {
    "referral": {
      "en":`, `"consent_texts": {
    "referral": {
      "fr":`, "xx/pack.json: consent_texts.referral.en:"},
		{"consent purpose", `"consent_texts": {
    "referral"`, `"consent_texts": {
    "Referral"`, "xx/pack.json: consent_texts.Referral:"},
		{"weekday unknown", `"saturday"`, `"sabbath"`, "xx/pack.json: weekend[1]:"},
		{"unknown field", `"alpha3"`, `"alpha_3"`, "xx/pack.json: json: unknown field"},
		{"syntax", `"code": "IQ",`, `"code": "IQ"`, "xx/pack.json:"},
		{"areas file", `"file": "areas.csv"`, `"file": "missing.csv"`, "xx/pack.json: areas.file:"},
		{"areas level", `"governorate",`, ``, "xx/areas.csv: line 2: level:"},
		{"unreviewed language", `"unreviewed": ["ar", "ckb"]`, `"unreviewed": ["ar", "ur"]`, "xx/pack.json: unreviewed[1]:"},
		{"unreviewed English", `"unreviewed": ["ar", "ckb"]`, `"unreviewed": ["en"]`, "xx/pack.json: unreviewed[0]:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := packFS(t, "xx", func(s string) string {
				if !strings.Contains(s, tc.old) {
					t.Fatalf("pack.json has no %q", tc.old)
				}
				return strings.Replace(s, tc.old, tc.new, 1)
			})
			_, err := Load(m)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("sources", func(t *testing.T) {
		m := packFS(t, "xx", func(s string) string { return s })
		delete(m, "xx/SOURCES.md")
		if _, err := Load(m); err == nil || !strings.Contains(err.Error(), "xx/SOURCES.md") {
			t.Fatalf("Load = %v", err)
		}
	})
	t.Run("area parent", func(t *testing.T) {
		m := packFS(t, "xx", func(s string) string { return s })
		m["xx/areas.csv"].Data = []byte("level,code,parent_code,name_en\ndistrict,IQD9999,IQG99,Nowhere\n")
		if _, err := Load(m); err == nil || !strings.Contains(err.Error(), "xx/areas.csv: code IQD9999: parent_code") {
			t.Fatalf("Load = %v", err)
		}
	})
	t.Run("name column of another language", func(t *testing.T) {
		m := packFS(t, "xx", func(s string) string { return s })
		m["xx/areas.csv"].Data = []byte("level,code,parent_code,name_en,name_ur\ngovernorate,IQG99,,Nowhere,کہیں نہیں\n")
		if _, err := Load(m); err == nil || !strings.Contains(err.Error(), `xx/areas.csv: header: name_ur: "ur" is not one of the pack's languages`) {
			t.Fatalf("Load = %v", err)
		}
	})
	for _, tc := range []struct{ name, csv, want string }{
		{"unreviewed name that is not there", "level,code,parent_code,name_en,name_ar,unreviewed\ngovernorate,IQG99,,Nowhere,,ar\n", `xx/areas.csv: line 2: unreviewed: "ar"`},
		{"unreviewed English", "level,code,parent_code,name_en,unreviewed\ngovernorate,IQG99,,Nowhere,en\n", `xx/areas.csv: line 2: unreviewed: "en"`},
		{"unreviewed language without a column", "level,code,parent_code,name_en,name_ar,unreviewed\ngovernorate,IQG98,,Somewhere,مكان,\ngovernorate,IQG99,,Nowhere,لا مكان,ar ckb\n", `xx/areas.csv: line 3: unreviewed: "ckb"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := packFS(t, "xx", func(s string) string { return s })
			m["xx/areas.csv"].Data = []byte(tc.csv)
			if _, err := Load(m); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("unreviewed names load", func(t *testing.T) {
		m := packFS(t, "xx", func(s string) string { return s })
		m["xx/areas.csv"].Data = []byte("level,code,parent_code,name_en,name_ar,name_ckb,unreviewed\ngovernorate,IQG99,,Nowhere,لا مكان,هیچ شوێن,ckb\n")
		ps, err := Load(m)
		if err != nil {
			t.Fatal(err)
		}
		got := ps.All()[0].AreaNames()
		if want := (AreaNameCount{Total: 1, Named: 1, Unreviewed: 1}); got["ckb"] != want {
			t.Errorf("ckb = %+v, want %+v", got["ckb"], want)
		}
		if want := (AreaNameCount{Total: 1, Named: 1}); got["ar"] != want {
			t.Errorf("ar = %+v, want %+v", got["ar"], want)
		}
	})
	t.Run("same code twice", func(t *testing.T) {
		m := packFS(t, "a", func(s string) string { return s })
		for k, v := range packFS(t, "b", func(s string) string { return s }) {
			m[k] = v
		}
		if _, err := Load(m); err == nil || !strings.Contains(err.Error(), "b/pack.json: code: IQ") {
			t.Fatalf("Load = %v", err)
		}
	})
	t.Run("empty", func(t *testing.T) {
		if _, err := Load(fstest.MapFS{}); err == nil {
			t.Fatal("no packs loaded without an error")
		}
	})
}

func TestPakistaniCNIC(t *testing.T) {
	id := Lookup("PK").Identifier("national_id")
	for _, tc := range []struct {
		raw     string
		written bool
		valid   bool // of the number with dashes removed
	}{
		{"35202-1234567-1", true, true},
		{"3520212345671", true, true},
		{" 35202-1234567-1 ", true, true},
		{"352021234567", true, false},     // 12 digits
		{"35202123456712", true, false},   // 14 digits
		{"3520-21234567-1", false, true},  // dash one place early
		{"35202-123456-71", false, true},  // last dash misplaced
		{"35202-12345671", false, true},   // one dash missing
		{"35202-1234567-A", true, false},  // a letter
		{"AB202-1234567-1", true, false},  // letters
		{"35202--234567-1", false, false}, // two dashes together
	} {
		n := strings.NewReplacer("-", "", " ", "").Replace(tc.raw)
		if got := id.Written(tc.raw); got != tc.written {
			t.Errorf("Written(%q) = %v", tc.raw, got)
		}
		if got := id.Valid(n); got != tc.valid {
			t.Errorf("Valid(%q) = %v", n, got)
		}
	}
	if got := id.Show("3520212345671"); got != "35202-1234567-1" {
		t.Errorf("Show = %q", got)
	}
	if got := id.Show("35202"); got != "35202" {
		t.Errorf("Show of a short number = %q", got)
	}
}

func TestIraqiNationalCard(t *testing.T) {
	id := Lookup("IQ").Identifier("national_id")
	for n, want := range map[string]bool{"199012345678": true, "19901234567": false, "1990123456789": false,
		"19901234567A": false, "": false} {
		if got := id.Valid(n); got != want {
			t.Errorf("Valid(%q) = %v", n, got)
		}
	}
	if !id.Written("1990-1234-5678") || id.Show("199012345678") != "199012345678" {
		t.Error("an Iraqi card has no written format: dashes are only removed")
	}
	if Lookup("IQ").Identifier("passport") != nil {
		t.Error("Iraq has no passport rule in its pack")
	}
	pass := Lookup("BD").Identifier("passport")
	for n, want := range map[string]bool{"A12345678": true, "AB1234567": true, "ABC123456": false, "123456789": false} {
		if got := pass.Valid(n); got != want {
			t.Errorf("BD passport Valid(%q) = %v", n, got)
		}
	}
}

func TestWorkingDays(t *testing.T) {
	thu := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC) // a Thursday
	if got := Lookup("BD").AddWorkingDays(thu, 1); got.Weekday() != time.Sunday {
		t.Errorf("BD: a working day after Thursday is %s, want Sunday", got.Weekday())
	}
	if got := Lookup("PK").AddWorkingDays(thu, 2); got.Weekday() != time.Monday {
		t.Errorf("PK: two working days after Thursday is %s, want Monday", got.Weekday())
	}
	if got := Lookup("IQ").AddWorkingDays(thu, 0); !got.Equal(thu) {
		t.Errorf("zero working days moved the day to %s", got)
	}
	p := *Lookup("IQ")
	p.holidays = map[string]bool{"2026-12-06": true}
	// Two holidays on one day are one day off.
	if _, err := checkHolidays([]Holiday{{Date: "2026-12-06", Names: map[string]string{"en": "A"}}, {Date: "2026-12-06", Names: map[string]string{"en": "B"}}}, "holidays",
		func(f, format string, args ...any) error { return errors.New(f) }); err != nil {
		t.Errorf("two holidays on one day refused: %v", err)
	}
	if got := p.AddWorkingDays(thu, 1); got.Format(time.DateOnly) != "2026-12-07" {
		t.Errorf("a holiday on Sunday: the next working day is %s, want 2026-12-07", got.Format(time.DateOnly))
	}
}

// The packs' holidays count: Bangladesh's Victory Day (16 December 2026, a
// Wednesday) and Pakistan's Quaid-e-Azam Day (25 December 2026, a Friday)
// are not working days, nor are Iraq's Army Day (6 January 2026, a
// Tuesday) and Eid al-Ghadir (expected Thursday 4 June 2026); 14 July is
// no longer an Iraqi holiday (Official Holidays Law No. 12 of 2024).
func TestPackHolidays(t *testing.T) {
	bd, pk, iq := Lookup("BD"), Lookup("PK"), Lookup("IQ")
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, time.UTC)
		if err != nil {
			t.Fatal(err)
		}
		return d.Add(10 * time.Hour)
	}
	for _, tc := range []struct {
		p       *Pack
		from    string
		n       int
		want    string
		working bool
	}{
		{bd, "2026-12-15", 1, "2026-12-17", true},  // Tue + 1 skips Victory Day (Wed)
		{bd, "2026-12-15", 3, "2026-12-21", true},  // Thu, then Fri–Sat weekend, Sun 20, Mon 21
		{pk, "2026-12-24", 1, "2026-12-28", true},  // Thu + 1 skips Quaid-e-Azam Day (Fri) and Sat–Sun
		{pk, "2026-03-19", 1, "2026-03-24", true},  // Eid al-Fitr 20–22 March (expected), Pakistan Day 23 March
		{iq, "2026-12-24", 1, "2026-12-27", true},  // Thu + 1: Fri–Sat weekend only
		{iq, "2026-01-05", 1, "2026-01-07", true},  // Mon + 1 skips Army Day (Tue)
		{iq, "2026-06-03", 1, "2026-06-07", true},  // Wed + 1 skips Eid al-Ghadir (Thu, expected) and Fri–Sat
		{iq, "2026-03-19", 1, "2026-03-23", true},  // Eid al-Fitr 20–22 March (expected), Nowruz on the Saturday
		{iq, "2026-07-13", 1, "2026-07-14", true},  // 14 July: a working day since the 2024 law
		{iq, "2027-05-13", 1, "2027-05-20", true},  // Thu + 1: Fri–Sat, Eid al-Adha 16–19 May 2027 (expected)
		{bd, "2027-03-25", 1, "2027-03-28", true},  // Independence Day Fri 26, Sat 27
		{bd, "2026-12-16", 0, "2026-12-16", false}, // zero days: the day itself, a holiday
	} {
		got := tc.p.AddWorkingDays(day(tc.from), tc.n)
		if got.Format(time.DateOnly) != tc.want || got.Hour() != 10 {
			t.Errorf("%s: %d working days after %s = %s, want %s 10:00", tc.p.Code, tc.n, tc.from, got.Format(time.DateTime), tc.want)
		}
		if tc.p.WorkingDay(got) != tc.working {
			t.Errorf("%s: WorkingDay(%s) = %v", tc.p.Code, tc.want, !tc.working)
		}
	}
	for _, p := range []*Pack{bd, pk, iq} {
		years := map[string]int{}
		expected := 0
		for _, h := range p.Holidays {
			years[h.Date[:4]]++
			if h.Expected {
				expected++
			}
		}
		if years["2026"] < 10 || years["2027"] < 10 || expected == 0 {
			t.Errorf("%s: holidays by year %v, %d expected (moon sighting)", p.Code, years, expected)
		}
		if !strings.Contains(p.Sources(), "date-holidays") || !strings.Contains(p.Sources(), "moon sighting") {
			t.Errorf("%s: SOURCES.md does not cite the holidays' source", p.Code)
		}
	}
	if !strings.Contains(iq.Sources(), "No. 12 of 2024") {
		t.Error("IQ: SOURCES.md does not cite the Official Holidays Law")
	}
	if h := bd.Holidays[0]; h.Name("bn") == h.Name("en") || h.Name("ckb") != h.Name("en") {
		t.Errorf("BD holiday names %v", h.Names)
	}
}

// An instance's changes move the working days: a removed pack holiday is
// worked (unless it falls on the weekend), an added day is not.
func TestCalendarChanges(t *testing.T) {
	iq := Lookup("IQ")
	cal := iq.Calendar([]HolidayChange{{Date: "2026-01-06", Removed: true}, {Date: "2026-01-08", Names: map[string]string{"en": "Extra"}},
		{Date: "2026-01-09", Removed: true}}) // a Friday: still the weekend
	mon := time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC)
	if got := iq.AddWorkingDays(mon, 2); got.Format(time.DateOnly) != "2026-01-08" {
		t.Errorf("the pack alone: %s", got)
	}
	for n, want := range map[int]string{1: "2026-01-06", 2: "2026-01-07", 3: "2026-01-11"} {
		if got := cal.AddWorkingDays(mon, n); got.Format(time.DateOnly) != want || got.Hour() != 10 {
			t.Errorf("%d working days after Monday 5 January: %s, want %s", n, got, want)
		}
	}
	bad := func(f, format string, args ...any) error { return errors.New(f) }
	for _, c := range []HolidayChange{{Date: "2026-02-30", Removed: true}, {Date: "", Removed: true}, {Date: "2026-01-08", Names: map[string]string{"ar": "x"}}} {
		if err := c.Check(bad); err == nil {
			t.Errorf("%+v accepted", c)
		}
	}
	if err := (HolidayChange{Date: "2026-01-08", Names: map[string]string{"en": "Extra"}}).Check(bad); err != nil {
		t.Error(err)
	}
}

// Iraq's governorates and Pakistan's provinces and territories carry their
// ISO 3166-2 codes (Debian iso-codes), each once, each of its country.
func TestAreasISO3166_2(t *testing.T) {
	for code, want := range map[string]int{"IQ": 18, "PK": 7} {
		p := Lookup(code)
		rows, err := csv.NewReader(bytes.NewReader(p.AreaCSV())).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		col := slices.Index(rows[0], "iso_3166_2")
		seen := map[string]bool{}
		for _, r := range rows[1:] {
			iso := r[col]
			top := r[slices.Index(rows[0], "parent_code")] == ""
			if top != (iso != "") || iso != "" && (!strings.HasPrefix(iso, code+"-") || seen[iso]) {
				t.Errorf("%s %s: ISO 3166-2 %q", code, r[1], iso)
			}
			seen[iso] = true
		}
		if len(seen) != want+1 { // and "" for the lower levels
			t.Errorf("%s: %d ISO 3166-2 codes, want %d", code, len(seen)-1, want)
		}
	}
}

// Bangladesh's tile map places each of its 64 districts once; a tiles file
// that names a code which is not a district, places one twice, puts two on
// one place or leaves the grid is refused with the file and line.
func TestTileMap(t *testing.T) {
	bd := Lookup("BD")
	tiles := bd.Tiles()
	districts := 0
	for _, line := range strings.Split(string(bd.AreaCSV()), "\n") {
		if code, ok := strings.CutPrefix(line, "district,"); ok {
			districts++
			if _, ok := tiles[strings.Split(code, ",")[0]]; !ok {
				t.Errorf("district %s has no tile", code)
			}
		}
	}
	if districts != 64 || len(tiles) != 64 {
		t.Errorf("%d districts, %d tiles", districts, len(tiles))
	}
	// Dhaka lies north of Barisal and west of Chittagong on the map too.
	if dhaka, barisal, ctg := tiles["BD3026"], tiles["BD1006"], tiles["BD2015"]; dhaka.Row >= barisal.Row || dhaka.Col >= ctg.Col {
		t.Errorf("Dhaka %v, Barisal %v, Chittagong %v", dhaka, barisal, ctg)
	}
	if Lookup("IQ").Tiles() != nil {
		t.Error("Iraq has tiles without a tiles file")
	}
	for _, tc := range []struct{ name, file, want string }{
		{"header", "code,x,y\nIQG01Q01,0,0\n", "xx/tiles.csv: line 1: the header"},
		{"not a district", "code,row,col\nIQG01,0,0\n", `xx/tiles.csv: line 2: code: "IQG01" is not a district`},
		{"twice", "code,row,col\nIQG01Q01,0,0\nIQG01Q01,0,1\n", "xx/tiles.csv: line 3: code: IQG01Q01 is placed twice"},
		{"same place", "code,row,col\nIQG01Q01,0,0\nIQG01Q02,0,0\n", "xx/tiles.csv: line 3: IQG01Q02 is on the place of IQG01Q01"},
		{"off the grid", "code,row,col\nIQG01Q01,-1,0\n", "xx/tiles.csv: line 2: row and col must be whole numbers"},
		{"not a number", "code,row,col\nIQG01Q01,north,0\n", "xx/tiles.csv: line 2: row and col must be whole numbers"},
		{"columns", "code,row,col\nIQG01Q01,0\n", "xx/tiles.csv: record on line 2: wrong number of fields"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := packFS(t, "xx", func(s string) string {
				return strings.Replace(s, `"file": "areas.csv"`, `"file": "areas.csv", "tiles": "tiles.csv"`, 1)
			})
			m["xx/tiles.csv"] = &fstest.MapFile{Data: []byte(tc.file)}
			if _, err := Load(m); err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, want %q", err, tc.want)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		m := packFS(t, "xx", func(s string) string {
			return strings.Replace(s, `"file": "areas.csv"`, `"file": "areas.csv", "tiles": "tiles.csv"`, 1)
		})
		if _, err := Load(m); err == nil || !strings.Contains(err.Error(), "xx/pack.json: areas.tiles:") {
			t.Fatalf("Load = %v", err)
		}
	})
}

// Every name a built-in pack carries is given in each of the pack's
// languages: the country, its holidays, points of entry, return types and
// national services with their providers (the general services are named
// by the message catalog) — so a Lahore case worker reads none of them in
// English.
func TestPackTextsInEveryLanguage(t *testing.T) {
	for _, p := range All() {
		need := func(what string, names map[string]string) {
			for _, l := range p.Languages {
				if names[l] == "" {
					t.Errorf("%s: %s has no name in %s", p.Code, what, l)
				}
			}
		}
		need("the country", p.Names)
		for _, h := range p.Holidays {
			need("holiday "+h.Date, h.Names)
		}
		for _, pt := range p.PointsOfEntry {
			need("point of entry "+pt.Code, pt.Names)
		}
		for _, r := range p.ReturnTypes {
			need("return type "+r.Code, r.Names)
		}
		if len(p.ReturnReasons) == 0 {
			t.Errorf("%s: no reasons for return in local use", p.Code)
		}
		for _, r := range p.ReturnReasons {
			need("reason for return "+r.Code, r.Names)
		}
		for _, s := range p.Services {
			if s.Names != nil {
				need("service "+s.Code, s.Names)
			}
			if s.Provider != nil {
				need("the provider of "+s.Code, s.Provider)
			}
		}
	}
}

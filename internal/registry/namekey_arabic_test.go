package registry

import "testing"

// Names in Arabic script (Arabic, Urdu, Sorani) and their Latin
// transliterations meet on one search key (issue 21).
func TestNameKeyArabicScript(t *testing.T) {
	same := []struct{ rule, a, b string }{
		{"alef variants", "أمين إسماعيل آدم", "امين اسماعيل ادم"},
		{"alef wasla", "ٱمين", "امين"},
		{"hamza on waw", "مؤمن", "مومن"},
		{"hamza on yeh", "هائل", "هايل"},
		{"standalone hamza dropped", "علاء", "علا"},
		{"alif maqsura", "مصطفى", "مصطفي"},
		{"ta marbuta", "فاطمة", "فاطمه"},
		{"Persian yeh", "زینب", "زينب"},
		{"Pashto yeh", "زېنب", "زۍنب"},
		{"keheh", "کریم", "كريم"},
		{"Urdu heh goal", "شاہد", "شاهد"},
		{"heh doachashmee", "ھادي", "هادي"},
		{"Sorani ae", "کاوە", "كاوه"},
		{"heh with yeh", "ۀلا", "هلا"},
		{"tatweel", "حـسـيـن", "حسين"},
		{"harakat", "حُسَيْن", "حسين"},
		{"superscript alef", "هٰذا", "هذا"},
		{"article in Arabic", "الحسين", "حسين"},
		{"article as its own word", "ال حسين", "حسين"},
		{"article in Latin, hyphen", "al-Hussein", "Hussein"},
		{"article in Latin, space", "El Hassan", "Hasan"},
		{"abd compound", "عبد الله", "عبدالله"},
		{"abd compound with article", "عبد الرحمن", "عبدالرحمن"},
		{"abd allah in Latin", "Abd Allah", "Abdullah"},
		{"abdallah", "Abdallah", "عبد الله"},
		{"Mohammed alone", "Mohammed", "محمد"},
		{"Muhammad alone", "Muhammad", "مُحَمَّد"},
		{"Mohammed", "Mohammed Hussein", "محمد حسين"},
		{"Muhammad", "Muhammad Husayn", "مُحَمَّد الحسين"},
		{"Ahmed", "Ahmad Ali", "أحمد علي"},
		{"Hassan", "Hassan", "حسن"},
		{"Fatima", "Fatimah", "فاطمة"},
		{"Fatema", "Fatema", "فاطمه"},
		{"Zainab", "Zeinab", "زينب"},
		{"Zaynab", "Zaynab", "زینب"},
		{"Omar", "Umar", "عمر"},
		{"Khalid", "Khaled", "خالد"},
		{"Mustafa", "Mostafa", "مصطفى"},
		{"Ibrahim", "Ebrahim", "إبراهيم"},
		{"Yusuf", "Youssef", "يوسف"},
		{"Yousef", "Yousef", "یوسف"},
		{"Karim", "Kareem", "كريم"},
		{"Aisha", "Ayesha", "عائشة"},
		{"Aysha", "Aysha", "عائشه"},
		{"Maryam", "Mariam", "مريم"},
		{"Jafar", "Jaafar", "جعفر"},
		{"Kawa", "Kawa", "کاوە"},
		{"Shwan", "Shwan", "شوان"},
		{"Rebwar", "Rebwar", "ڕێبوار"},
		{"Hêro", "Hêro", "هێرۆ"},
		{"Imran", "Imran", "عمران"},
		{"Bilal", "Bilal", "بلال"},
		{"Shahid", "Shahid", "شاہد"},
		{"Nasreen", "Nasreen", "نسرین"},
	}
	for _, tt := range same {
		if ka, kb := NameKey(tt.a), NameKey(tt.b); ka != kb || ka == "" {
			t.Errorf("%s: NameKey(%q) = %q, NameKey(%q) = %q; want equal", tt.rule, tt.a, ka, tt.b, kb)
		}
	}
	different := []struct{ rule, a, b string }{
		{"Ilyas is not the article plus yas", "الياس", "ياس"},
		{"Allah is not stripped", "الله", "له"},
		{"Hasan is not Hussein", "حسن", "حسين"},
		{"Omar is not Imran", "عمر", "عمران"},
		{"Abdul Karim stays two words", "Abdul Karim", "Abdulkarim"},
	}
	for _, tt := range different {
		if ka, kb := NameKey(tt.a), NameKey(tt.b); ka == kb {
			t.Errorf("%s: NameKey(%q) == NameKey(%q) == %q", tt.rule, tt.a, tt.b, ka)
		}
	}
	// The edges: an article alone, or Latin "Al" alone, is kept, not emptied.
	for _, s := range []string{"ال", "Al", "El"} {
		if NameKey(s) == "" {
			t.Errorf("NameKey(%q) is empty", s)
		}
	}
	// Bangla and plain Latin keys are unchanged by the Arabic rules.
	for in, want := range map[string]string{"আব্দুল করিম": "আব্দুল করিম", "Abdul Karim": "abdul karim", "Alam Mia": "alam mia"} {
		if got := NameKey(in); got != want {
			t.Errorf("NameKey(%q) = %q, want %q", in, got, want)
		}
	}
}

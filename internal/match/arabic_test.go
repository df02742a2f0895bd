package match

import "testing"

// Arabic, Urdu and Sorani spellings of a name, and its common Latin
// transliterations, share variant keys (issue 21).
func TestNormalizeNameArabicScript(t *testing.T) {
	same := []struct{ rule, a, b string }{
		{"alef variants", "أمين إسماعيل آدم", "امين اسماعيل ادم"},
		{"hamza on waw", "مؤمن", "مومن"},
		{"hamza on yeh", "هائل", "هايل"},
		{"standalone hamza", "علاء", "علا"},
		{"alif maqsura", "مصطفى", "مصطفي"},
		{"ta marbuta", "فاطمة", "فاطمه"},
		{"Persian and Pashto yeh", "زینب", "زۍنب"},
		{"keheh", "کریم", "كريم"},
		{"Urdu heh", "شاہد", "شاهد"},
		{"Sorani ae", "کاوە", "كاوه"},
		{"tatweel and harakat", "حُـسَـيْـن", "حسين"},
		{"article", "الحسين", "حسين"},
		{"article apart", "ال حسين", "حسين"},
		{"Latin el", "el Hassan", "Hassan"},
		{"abd compound", "عبد الله", "عبدالله"},
		{"abd allah in Latin", "Abd Allah", "Abdullah"},
		{"Abdallah", "Abdallah", "عبد الله"},
		{"Mohammed Hussein", "Mohammed Hussein", "محمد حسين"},
		{"Muhammad Husayn", "Muhammad Husayn", "محمد الحسين"},
		{"Ahmad Ali", "Ahmad Ali", "أحمد علي"},
		{"Hasan", "Hasan", "حسن"},
		{"Fatimah", "Fatimah", "فاطمة"},
		{"Zeinab", "Zeinab", "زينب"},
		{"Zaynab", "Zaynab", "Zainab"},
		{"Umar", "Umar", "عمر"},
		{"Khaled", "Khaled", "خالد"},
		{"Mostafa", "Mostafa", "مصطفى"},
		{"Ebrahim", "Ebrahim", "إبراهيم"},
		{"Youssef", "Youssef", "يوسف"},
		{"Kareem", "Kareem", "كريم"},
		{"Ayesha", "Ayesha", "عائشة"},
		{"Mariam", "Mariam", "مريم"},
		{"Jaafar", "Jaafar", "جعفر"},
		{"Kawa", "Kawa", "کاوە"},
		{"Shwan", "Shwan", "شوان"},
		{"Rebwar", "Rebwar", "ڕێبوار"},
		{"Hêro", "Hêro", "هێرۆ"},
		{"Imran", "Imran", "عمران"},
		{"Bilal", "Bilal", "بلال"},
		{"Shahid", "Shahid", "شاہد"},
		{"Nasrin", "Nasrin", "نسرین"},
	}
	for _, tt := range same {
		a, b := NormalizeName(tt.a, nil), NormalizeName(tt.b, nil)
		if a.SortedKey() != b.SortedKey() || a.SortedKey() == "" {
			t.Errorf("%s: keys of %q = %q, of %q = %q; want equal", tt.rule, tt.a, a.Keys, tt.b, b.Keys)
		}
	}
	different := []struct{ rule, a, b string }{
		{"Ilyas keeps its al", "الياس", "ياس"},
		{"Allah keeps its al", "الله", "له"},
		{"Hasan is not Hussein", "حسن", "حسين"},
		{"Omar is not Imran", "عمر", "عمران"},
		{"Abdul Karim stays two words", "Abdul Karim", "Abdulkarim"},
	}
	for _, tt := range different {
		a, b := NormalizeName(tt.a, nil), NormalizeName(tt.b, nil)
		if a.SortedKey() == b.SortedKey() {
			t.Errorf("%s: %q and %q share key %q", tt.rule, tt.a, tt.b, a.SortedKey())
		}
	}
	// Fold stays idempotent with the new letters.
	for _, s := range []string{"ڕێبوار", "هێرۆ", "کاوە", "علاء", "نسرین"} {
		if f := Fold(s); Fold(f) != f {
			t.Errorf("Fold(Fold(%q)) = %q, Fold = %q", s, Fold(f), f)
		}
	}
}

// A duplicate pair written once in Latin and once in Arabic script agrees on
// the name at the variant level: the same name in another spelling, as
// Mohammed/Muhammad does in Latin. The name fields are compared with their
// own kind (given with given, native with native): a Latin name is not
// compared with an Arabic-script native name, which needs model weights.
func TestCompareArabicScriptNames(t *testing.T) {
	p := newPreparer(nil)
	tests := []struct {
		name  string
		a, b  Record
		field Field
		want  Kind
	}{
		{"family Hussein/حسين", Record{GivenName: "Mohammed", FamilyName: "Hussein"}, Record{GivenName: "محمد", FamilyName: "حسين"}, FieldFamilyName, Variant},
		{"given Ahmad/أحمد", Record{GivenName: "Ahmad"}, Record{GivenName: "أحمد"}, FieldGivenName, Variant},
		{"given Abdullah/عبد الله", Record{GivenName: "Abdullah"}, Record{GivenName: "عبد الله"}, FieldGivenName, Exact},
		{"native with and without al", Record{FullNameNative: "محمد الحسين"}, Record{FullNameNative: "مُحَمَّد حسين"}, FieldNativeName, Exact},
		{"native Urdu and Arabic letters", Record{FullNameNative: "شاہد کریم"}, Record{FullNameNative: "شاهد كريم"}, FieldNativeName, Exact},
		{"native different names", Record{FullNameNative: "حسن علي"}, Record{FullNameNative: "جعفر عمر"}, FieldNativeName, Different},
		{"full name reordered across scripts", Record{GivenName: "Hussein", FamilyName: "Ali"}, Record{GivenName: "علي", FamilyName: "حسين"}, FieldFullName, Reordered},
		// Names the Latin table does not list meet by their skeleton.
		{"given Jabbar/جبار", Record{GivenName: "Jabbar"}, Record{GivenName: "جبار"}, FieldGivenName, Variant},
		{"family Nouri/نوری", Record{FamilyName: "Nouri"}, Record{FamilyName: "نوری"}, FieldFamilyName, Variant},
		{"given Karwan Tariq/كاروان طارق", Record{GivenName: "Karwan Tariq"}, Record{GivenName: "كاروان طارق"}, FieldGivenName, Variant},
		{"mixed table and skeleton", Record{GivenName: "Mohamed Salah"}, Record{GivenName: "محمد صلاح"}, FieldGivenName, Variant},
		{"full name reordered by skeleton", Record{GivenName: "Karwan", FamilyName: "Jabbar"}, Record{GivenName: "جبار", FamilyName: "كاروان"}, FieldFullName, Reordered},
		{"Alia is not علي", Record{GivenName: "Alia"}, Record{GivenName: "علي"}, FieldGivenName, Close},
		{"Ali is not Alia", Record{GivenName: "Ali"}, Record{GivenName: "Alia"}, FieldGivenName, Close},
		{"Hassan is not Hussein", Record{GivenName: "Hassan"}, Record{GivenName: "Hussein"}, FieldGivenName, Different},
		{"Hassan is not حسين", Record{GivenName: "Hassan"}, Record{GivenName: "حسين"}, FieldGivenName, Partial},
		{"Hussein is Husain", Record{GivenName: "Hussein"}, Record{GivenName: "Husain"}, FieldGivenName, Variant},
		{"Jamila is not جميل", Record{GivenName: "Jamila"}, Record{GivenName: "جميل"}, FieldGivenName, Different},
		{"Karwan is not كاروان طارق", Record{GivenName: "Karwan"}, Record{GivenName: "كاروان طارق"}, FieldGivenName, Different},
	}
	for _, tt := range tests {
		a, b := p.prepare(&tt.a), p.prepare(&tt.b)
		v := compare(&a, &b, nil)
		if got := levels[tt.field][v[tt.field]]; got != tt.want {
			t.Errorf("%s: %s level = %s, want %s", tt.name, tt.field, got, tt.want)
		}
	}
}

// The online check finds a person registered in Arabic script when the
// same person is registered again in Latin letters under names the
// variant table does not list (جبار كاروان / Jabbar Karwan), with no
// phone, document or full birth date to meet on: their blocking keys take
// the names' sound across scripts.
func TestIndexFindsAcrossScripts(t *testing.T) {
	x := NewIndex(IndexOptions{})
	for _, r := range []Record{
		{ID: "ar", GivenName: "جبار", FamilyName: "كاروان", FatherName: "نوري", Sex: "m", DOB: "1985", AdminArea: "IQG11Q02"},
		{ID: "other", GivenName: "Ahmed", FamilyName: "Saleh", FatherName: "Omar", Sex: "m", DOB: "1985", AdminArea: "IQG11Q02"},
	} {
		if err := x.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	got := x.Candidates(Record{ID: "new", GivenName: "Jabbar", FamilyName: "Karwan", FatherName: "Nouri", Sex: "m", DOB: "1985", AdminArea: "IQG11Q02"})
	if len(got) == 0 || got[0].ID != "ar" {
		t.Fatalf("candidates of Jabbar Karwan = %+v, want the Arabic-script record", got)
	}
	for _, c := range got {
		if c.ID == "other" {
			t.Errorf("Ahmed Saleh is a candidate: %+v", c)
		}
	}
}

package reference

import "testing"

func TestLoad(t *testing.T) {
	if err := Load(); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	for _, a := range get().areaList {
		counts[a.Country+"/"+a.Level]++
		if a.ParentCode != "" && Area(a.ParentCode) == nil {
			t.Errorf("%s: parent %s missing", a.Code, a.ParentCode)
		}
	}
	for k, want := range map[string]int{"BD/division": 8, "BD/district": 64, "PK/district": 160, "IQ/governorate": 18} {
		if counts[k] != want {
			t.Errorf("%s: %d areas, want %d", k, counts[k], want)
		}
	}
	if n := len(get().countryList); n != 249 {
		t.Errorf("%d countries, want 249", n)
	}
}

func TestLookups(t *testing.T) {
	if a := Area("bd3026"); a == nil || a.Name("en") != "Dhaka" || a.Name("bn") != "ঢাকা" {
		t.Errorf("Area(bd3026) = %+v", a)
	}
	// Every Iraqi area has its Sorani and its Arabic name (some of them
	// Homeward's own, marked unreviewed in the pack's file).
	if a := Area("IQG11Q02"); a == nil || a.Name("ckb") != "هەولێر" || a.Name("ar") != "أربيل" || a.Name("en") != "Erbil" {
		t.Errorf("Area(IQG11Q02) = %+v", a)
	}
	if a := Area("IQG06Q02"); a == nil || a.Name("ckb") != "چەمچەماڵ" || a.Name("ar") != "جمجمال" {
		t.Errorf("Area(IQG06Q02) = %+v", a)
	}
	for _, a := range get().areaList {
		if a.Country == "IQ" && (a.Names["ckb"] == "" || a.Names["ar"] == "") {
			t.Errorf("Iraqi area %s lacks a Sorani or an Arabic name: %v", a.Code, a.Names)
		}
	}
	// An area without a name in Sorani would show its Arabic one, then
	// the English one; in other languages, the English one.
	for _, tc := range []struct {
		names      map[string]string
		lang, want string
	}{
		{map[string]string{"en": "Al-Khalis", "ar": "الخالص"}, "ckb", "الخالص"},
		{map[string]string{"en": "Chamchamal"}, "ckb", "Chamchamal"},
		{map[string]string{"en": "Al-Khalis", "ar": "الخالص"}, "ur", "Al-Khalis"},
		{map[string]string{"en": "Lahore", "ur": "لاہور"}, "ur-u-nu-arabext", "لاہور"},
	} {
		if got := (&AdminArea{Names: tc.names}).Name(tc.lang); got != tc.want {
			t.Errorf("%v in %s = %q, want %q", tc.names, tc.lang, got, tc.want)
		}
	}
	// Countries are named in Sorani (CLDR).
	if c := CountryByCode("SA"); c == nil || c.Name("ckb") != "عەرەبستانی سەعوودی" || c.Name("ur") != "سعودی عرب" {
		t.Errorf("CountryByCode(SA) = %+v", c)
	}
	// Every Pakistani area has an Urdu name (Homeward's own, marked
	// unreviewed in the pack's file); English stays English.
	if a := Area("PK617"); a == nil || a.Name("ur") != "لاہور" || a.Name("en") != "Lahore" {
		t.Errorf("Area(PK617) = %+v", a)
	}
	for _, a := range get().areaList {
		if a.Country == "PK" && a.Names["ur"] == "" {
			t.Errorf("Pakistani area %s has no Urdu name", a.Code)
		}
	}
	if Area("BD9999") != nil {
		t.Error("unknown p-code found")
	}
	if !AreaIn("BD302602", "BD30") || AreaIn("BD302602", "BD40") {
		t.Error("AreaIn wrong")
	}
	if p := AreaPath("BD302602"); len(p) != 3 || p[0].Code != "BD30" {
		t.Errorf("AreaPath = %v", p)
	}
	if c := CountryByCode("sau"); c == nil || c.Alpha2 != "SA" || c.Name("bn") == "" || c.Name("ar") == "" {
		t.Errorf("CountryByCode(sau) = %+v", c)
	}
	if CountryByCode("XX") != nil {
		t.Error("XX found")
	}
	if o := OccupationByCode("7112"); o == nil || o.Level != "unit" {
		t.Errorf("ISCO 7112 = %+v", o)
	}
}

func TestSearch(t *testing.T) {
	if got := SearchAreas(AreaFilter{Query: "ঢাকা", Country: "BD", Level: "district"}); len(got) != 1 || got[0].Code != "BD3026" {
		t.Errorf("search Bangla name: %v", got)
	}
	if got := SearchAreas(AreaFilter{Query: "comilla", Limit: 5}); len(got) == 0 {
		t.Error("search English name found nothing")
	}
	if got := SearchAreas(AreaFilter{Parent: "BD30", Level: "district"}); len(got) != 13 {
		t.Errorf("Dhaka division has %d districts, want 13", len(got))
	}
	if got := SearchCountries("সৌদি", 0); len(got) != 1 || got[0].Alpha2 != "SA" {
		t.Errorf("country by Bangla name: %v", got)
	}
	if got := SearchOccupations("bricklayer", "", 0); len(got) == 0 {
		t.Error("no bricklayers")
	}
	if got := SearchAreas(AreaFilter{Query: "zzzz-no-such"}); len(got) != 0 {
		t.Errorf("nonsense matched %d", len(got))
	}
}

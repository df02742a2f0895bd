package registry

import "testing"

func TestNameKey(t *testing.T) {
	tests := []struct{ a, b string }{
		{"Md. Abdul Karim", "Abdul Karim"},
		{"MOHAMMAD ABDUL KARIM", "abdul karim"},
		{"Mohammed Hossain", "Muhammad Hussain"},
		{"Mst. Fatema Begum", "Fatima Begom"},
		{"Mosammat Nasreen Akhter", "nasrin akter"},
		{"Abdur Rahman", "Abdul Rehman"},
		{"José Núñez", "jose nunez"},
		{"Md.Abdul-Karim", "abdul karim"},
		{"মোঃ আব্দুল করিম", "আব্দুল করিম"},
		{"মো: আব্দুল করিম", "আব্দুল করিম"},
		{"مُحَمَّد عَلِي", "علي"},
		{"أحمد", "احمد"},
		{"عبدالکریم", "عبدالكريم"},
		{"Sk Rafique Chowdhuri", "Rafiq Chowdhury"},
	}
	for _, tt := range tests {
		if ka, kb := NameKey(tt.a), NameKey(tt.b); ka != kb || ka == "" {
			t.Errorf("NameKey(%q) = %q, NameKey(%q) = %q; want equal", tt.a, ka, tt.b, kb)
		}
	}
	different := []struct{ a, b string }{{"Abdul Karim", "Abdul Rahim"}, {"Rina Akter", "Rina"}, {"করিম", "রহিম"}}
	for _, tt := range different {
		if NameKey(tt.a) == NameKey(tt.b) {
			t.Errorf("NameKey(%q) == NameKey(%q)", tt.a, tt.b)
		}
	}
	if got := NameKey("Mohammad"); got != "muhammad" {
		t.Errorf("a name that is only Mohammad keeps it: %q", got)
	}
	if got := NameKey("  ...  "); got != "" {
		t.Errorf("punctuation only: %q", got)
	}
	if got := NameKey("Md. Abdul Karim"); got != "abdul karim" {
		t.Errorf("NameKey = %q", got)
	}
}

func TestNameKeys(t *testing.T) {
	p := Person{GivenName: "Md Abdul", FamilyName: "Karim", FullNameNative: "আব্দুল করিম", Aliases: []string{"Karim Mia", "karim miah"}}
	got := NameKeys(&p)
	want := []string{"abdul karim", "karim abdul", "karim mia", "আব্দুল করিম"}
	if len(got) != len(want) {
		t.Fatalf("NameKeys = %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("NameKeys = %q, want %q", got, want)
		}
	}
}

// Each spelling maps to one key, and a key is never itself a variant of
// another key, so NameKey is stable when applied twice.
func TestNameVariantsConsistent(t *testing.T) {
	for v, key := range variants {
		if k2, ok := variants[key]; ok && k2 != key {
			t.Errorf("%q → %q → %q", v, key, k2)
		}
	}
	for _, s := range []string{"Md. Abdul Karim", "Mosammat Nasreen Akhter", "শেখ রফিক", "Mohammad"} {
		if k := NameKey(s); NameKey(k) != k {
			t.Errorf("NameKey not idempotent on %q: %q → %q", s, k, NameKey(k))
		}
	}
}

package match

import (
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestFold(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"  Md. RAFIQUL   Islam ", "md rafiqul islam"},
		{"O'Brien-Smith", "obrien smith"},
		{"Ångström, José", "angstrom jose"},
		{"Abdur-Rahman", "abdur rahman"},
		{"১৯৮৫-০৩-১২", "1985 03 12"},
		{"محمّد", "محمد"}, // shadda dropped
		{"أحمد", "احمد"},  // alef with hamza unified
		{"علی", "علي"},    // Persian yeh → Arabic yeh
		{"রফিকুল\u200cইসলাম", "রফিকুলইসলাম"}, // ZWNJ dropped
		{"মোঃ রফিকুল", "মোঃ রফিকুল"},
	}
	for _, tt := range tests {
		if got := Fold(tt.in); got != tt.want {
			t.Errorf("Fold(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeName(t *testing.T) {
	tests := []struct {
		in       string
		tokens   []string
		keys     []string
		prefixes []string
	}{
		{"Md. Rafiqul Islam", []string{"rafiqul", "islam"}, []string{"rafiqul", "islam"}, []string{"md"}},
		{"Mohammad Rafikul Islam", []string{"rafikul", "islam"}, []string{"rafiqul", "islam"}, []string{"mohammad"}},
		{"Rafiqul Islam Mohammad", []string{"rafiqul", "islam"}, []string{"rafiqul", "islam"}, []string{"mohammad"}},
		{"MOST. Rahima Khatoon", []string{"rahima", "khatoon"}, []string{"rahima", "khatun"}, []string{"most"}},
		{"Dr. Syed Ahmad Hussain", []string{"ahmad", "hussain"}, []string{"ahmed", "hossain"}, []string{"dr", "syed"}},
		{"Alhaj Sk Abdul Rehman Chaudhry", []string{"abdul", "rehman", "chaudhry"}, []string{"abdur", "rahman", "chowdhury"}, []string{"alhaj", "sk"}},
		{"Mohammad", []string{"mohammad"}, []string{"mohammad"}, nil}, // alone, it is the name
		{"Dr.", nil, nil, []string{"dr"}},
		{"মোঃ রফিকুল ইসলাম", []string{"রফিকুল", "ইসলাম"}, []string{"রফিকুল", "ইসলাম"}, []string{"মোঃ"}},
	}
	for _, tt := range tests {
		n := NormalizeName(tt.in, nil)
		if !reflect.DeepEqual(n.Tokens, tt.tokens) || !reflect.DeepEqual(n.Keys, tt.keys) || !reflect.DeepEqual(n.Prefixes, tt.prefixes) {
			t.Errorf("NormalizeName(%q) = %q %q %q, want %q %q %q", tt.in, n.Tokens, n.Keys, n.Prefixes, tt.tokens, tt.keys, tt.prefixes)
		}
	}
}

func TestVariantKeys(t *testing.T) {
	groups := [][]string{
		{"Mohammad", "Muhammad", "Mohammed", "Mohamed", "Mohd"},
		{"Hossain", "Hussain", "Hosen", "Husain"},
		{"Rahman", "Rahaman", "Rehman"},
		{"Akter", "Akhter", "Aktar", "Akhtar"},
		{"Abdur", "Abdul"},
		{"Chowdhury", "Choudhury", "Chaudhry"},
		{"Islam", "Islaam"}, {"Begum", "Begom"}, {"Khatun", "Khatoon"}, {"Uddin", "Uddeen", "Udin"},
	}
	v := DefaultVariants()
	for _, g := range groups {
		want := v.Key(Fold(g[0]))
		for _, s := range g[1:] {
			if got := v.Key(Fold(s)); got != want {
				t.Errorf("Key(%q) = %q, want %q (as %q)", s, got, want, g[0])
			}
		}
	}
	if v.Key("rafiqul") == v.Key("rahim") {
		t.Error("different names share a key")
	}
}

func TestVariantsLoad(t *testing.T) {
	v := NewVariants()
	if v.Key("rofikul") == v.Key("rafiqul") {
		t.Fatal("test assumes rofikul is not shipped")
	}
	if err := v.Load(strings.NewReader("# extra\nRafiqul, Rofikul ROFIQUEL\n\nzzkey zzvar\n")); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"rofikul", "rofiquel", "rafikul"} {
		if v.Key(s) != v.Key("rafiqul") {
			t.Errorf("after Load, Key(%q) = %q, want the rafiqul group", s, v.Key(s))
		}
	}
	if v.Key("zzvar") != "zzkey" {
		t.Errorf("new group not loaded")
	}
	if DefaultVariants().Key("rofikul") == DefaultVariants().Key("rafiqul") {
		t.Error("Load on a copy changed the shipped table")
	}
	if err := v.Load(strings.NewReader("!!! ...\n")); err == nil {
		t.Error("a line without a name must be an error")
	}
}

func TestPhonetic(t *testing.T) {
	same := [][]string{
		{"hossain", "hussain", "hosen", "husain"},
		{"rahman", "rehman", "rahaman"},
		{"akter", "akhter", "aktar", "akhtar"},
		{"chowdhury", "choudhury", "chaudhry", "chowdhuri"},
		{"rafiqul", "rafikul"},
		{"zaman", "jaman"},
		{"khatun", "khatoon"},
		{"smith", "smyth"},
	}
	for _, g := range same {
		for _, s := range g[1:] {
			if Phonetic(s) != Phonetic(g[0]) {
				t.Errorf("Phonetic(%q) = %q, Phonetic(%q) = %q; want equal", s, Phonetic(s), g[0], Phonetic(g[0]))
			}
		}
	}
	differ := [][2]string{{"rahim", "rahima"}, {"karim", "kamal"}, {"islam", "alam"}}
	for _, d := range differ {
		if Phonetic(d[0]) == Phonetic(d[1]) {
			t.Errorf("Phonetic(%q) = Phonetic(%q) = %q; want different", d[0], d[1], Phonetic(d[0]))
		}
	}
	if got := Phonetic("রফিকুল"); got != "রফিকুল" {
		t.Errorf("non-Latin tokens must pass through, got %q", got)
	}
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"Md. Rafiqul Islam", "MOST. Rahima Khatoon", "মোঃ রফিকুল ইসলাম", "محمد علی", "O'Brien-Smith", "Ångström", "", "   ", "Dr.", "Mohammad", "\xff\xfe", "১৯৮৫", "a\u0301\u0302", "ﷺ", "Ǆ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		folded := Fold(s)
		if !utf8.ValidString(folded) {
			t.Fatalf("Fold(%q) = %q is not valid UTF-8", s, folded)
		}
		if again := Fold(folded); again != folded {
			t.Fatalf("Fold not idempotent: %q → %q → %q", s, folded, again)
		}
		if strings.Contains(folded, "  ") || strings.TrimSpace(folded) != folded {
			t.Fatalf("Fold(%q) = %q has stray spaces", s, folded)
		}
		n := NormalizeName(s, nil)
		if len(n.Keys) != len(n.Tokens) {
			t.Fatalf("NormalizeName(%q): %d keys for %d tokens", s, len(n.Keys), len(n.Tokens))
		}
		n2 := NormalizeName(n.Text(), nil)
		if n2.Text() != n.Text() {
			t.Fatalf("NormalizeName not idempotent: %q → %q → %q", s, n.Text(), n2.Text())
		}
		for _, tok := range n.Tokens {
			_ = Phonetic(tok)
		}
		_, _ = ParseDate(s)
		_ = JaroWinkler(s, folded)
	})
}

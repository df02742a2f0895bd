package i18n

import (
	"slices"
	"strings"
	"testing"

	"homeward"
)

// Every catalog is whole and sound: no language carries a key English
// lacks, a placeholder English does not have (or lacks one it has), or a
// plural form that is not its CLDR category; and every key English has is
// translated in every language users may choose — the test fails on any
// untranslated key, naming the language, the file and the key.
func TestCatalogsComplete(t *testing.T) {
	if len(Keys(Default)) == 0 {
		t.Fatal("English catalog is empty")
	}
	problems, err := Check()
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		if slices.Contains(Faults, p.Kind) || p.Kind == "missing" {
			t.Error(p)
		}
	}
}

// Check finds each kind of fault, and says where; and the review status
// makes machine-made and stale translations visible.
func TestCheckFindsFaults(t *testing.T) {
	en := map[string]string{"a.greet": "Hello {name}", "a.n.one": "{n} answer", "a.n.other": "{n} answers"}
	for _, c := range []struct {
		lang, key, value, kind string
	}{
		{"ar", "a.greet", "مرحبا {nme}", "placeholder"},
		{"ar", "a.greet", "مرحبا", "placeholder"},
		{"ar", "a.greet", "مرحبا {name} {extra}", "placeholder"},
		{"ar", "a.gret", "مرحبا {name}", "extra"},
		{"ur", "a.n.few", "{n}", "plural"},
		{"bn", "a.n.two", "{n}", "plural"},
		{"ar", "a.n.two", "{n} إجابتان", ""},
		{"ar", "a.n.many", "{n} إجابة", ""},
		{"ur", "a.n.one", "{n} جواب", ""},
	} {
		got := checkKey(en, c.lang, "f.json", c.key, c.value)
		switch {
		case c.kind == "" && len(got) != 0:
			t.Errorf("%s %s %q: %v", c.lang, c.key, c.value, got)
		case c.kind != "" && (len(got) != 1 || got[0].Kind != c.kind || got[0].File != "f.json" || got[0].Key != c.key):
			t.Errorf("%s %s %q: want %s, got %v", c.lang, c.key, c.value, c.kind, got)
		}
	}
	if s := (Problem{Lang: "ar", File: "core.json", Key: "k", Kind: "placeholder", Detail: "d"}).String(); s != `ar/core.json: placeholder "k": d` {
		t.Errorf("problem reads %q", s)
	}
	problems, err := Check()
	if err != nil {
		t.Fatal(err)
	}
	machine := map[string]int{}
	for _, p := range problems {
		if p.Kind == "machine" {
			machine[p.Lang]++
		}
		if p.Lang == "bn" && p.Kind == "machine" {
			t.Errorf("Bangla has no status file, yet: %v", p)
		}
	}
	for _, l := range []string{"ar", "ckb", "ur"} {
		if machine[l] == 0 {
			t.Errorf("%s: no machine-made translation is marked for review", l)
		}
	}
	if SourceHash("Hello") != "185f8db32271fe25" {
		t.Errorf("SourceHash changed: %s (every status file would go stale)", SourceHash("Hello"))
	}
}

// Arabic has six plural categories, Urdu and Sorani two, Bangla counts 0
// with 1 (CLDR).
func TestPluralForms(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    int
		want string
	}{
		{"ar", 0, "zero"}, {"ar", 1, "one"}, {"ar", 2, "two"}, {"ar", 3, "few"}, {"ar", 10, "few"}, {"ar", 11, "many"},
		{"ar", 99, "many"}, {"ar", 100, "other"}, {"ar", 102, "other"}, {"ar", 103, "few"}, {"ar", 111, "many"}, {"ar", 1000, "other"},
		{"ur", 0, "other"}, {"ur", 1, "one"}, {"ur", 2, "other"}, {"ckb", 1, "one"}, {"ckb", 5, "other"},
		{"bn", 0, "one"}, {"bn", 1, "one"}, {"bn", 2, "other"}, {"en", 0, "other"}, {"en", 1, "one"},
	} {
		if got := PluralForm(c.lang, c.n); got != c.want {
			t.Errorf("PluralForm(%s, %d) = %s, want %s", c.lang, c.n, got, c.want)
		}
		if !slices.Contains(PluralForms(c.lang), c.want) {
			t.Errorf("PluralForms(%s) lacks %s", c.lang, c.want)
		}
	}
	if got := N("ar", "ui_a.fill.errors", 2, nil); !strings.Contains(got, "٢") || !strings.Contains(got, "إجابتان") {
		t.Errorf("Arabic dual: %q", got)
	}
}

func TestT(t *testing.T) {
	tests := []struct {
		lang, key string
		args      map[string]any
		want      string
	}{
		{"en", "error.field.required", nil, "This field is required."},
		{"bn", "error.field.required", nil, "এই ঘরটি পূরণ করা আবশ্যক।"},
		{"xx", "error.field.required", nil, "This field is required."},
		{"en", "no.such.key", nil, "no.such.key"},
		{"en", "error.body.too_large", map[string]any{"limit": 1024}, "The request is larger than 1024 bytes."},
		{"bn", "error.body.too_large", map[string]any{"limit": 1024}, "অনুরোধটি ১০২৪ বাইটের চেয়ে বড়।"},
	}
	for _, tt := range tests {
		if got := T(tt.lang, tt.key, tt.args); got != tt.want {
			t.Errorf("T(%q, %q) = %q, want %q", tt.lang, tt.key, got, tt.want)
		}
	}
}

func TestMatchAndDir(t *testing.T) {
	tests := []struct{ header, want string }{
		{"", "en"},
		{"bn-BD,bn;q=0.9,en;q=0.8", "bn"},
		{"fr;q=0.9, en;q=0.5", "en"},
		{"de", "en"},
		{"en;q=0.2, bn;q=0.8", "bn"},
	}
	for _, tt := range tests {
		if got := Match(tt.header); got != tt.want {
			t.Errorf("Match(%q) = %q, want %q", tt.header, got, tt.want)
		}
	}
	if Dir("ar") != "rtl" || Dir("ur") != "rtl" || Dir("bn") != "ltr" {
		t.Error("Dir gives the wrong direction")
	}
}

func TestErrorTranslation(t *testing.T) {
	err := homeward.FieldErrorf("name", "error.field.required", "This field is required.")
	if got := Error("bn", err); got != "এই ঘরটি পূরণ করা আবশ্যক।" {
		t.Errorf("Error(bn) = %q", got)
	}
	// An unknown key falls back to the English safe message, never the key.
	err = homeward.FieldErrorf("name", "error.nope", "Specific English.")
	if got := Error("bn", err); got != "Specific English." {
		t.Errorf("fallback = %q", got)
	}
}

func TestNumber(t *testing.T) {
	for _, c := range []struct {
		lang string
		n    any
		want string
	}{
		{"en", 1234567, "1,234,567"},
		{"bn", 1234567, "১২,৩৪,৫৬৭"},
		{"bn", int64(50000), "৫০,০০০"},
		{"bn", 999, "৯৯৯"},
		{"ar", 1234567, "١٬٢٣٤٬٥٦٧"},
		{"ckb", 1234567, "١٬٢٣٤٬٥٦٧"},
		{"ur", 1234567, "۱,۲۳۴,۵۶۷"},
		{"en", 12345.5, "12,345.5"},
		{"bn", "v12", "v12"},
	} {
		if got := Number(c.lang, c.n); got != c.want {
			t.Errorf("Number(%s, %v) = %q, want %q", c.lang, c.n, got, c.want)
		}
	}
}

// TestLocalesMatchTheDomain keeps the languages users may choose
// (homeward.Locales, checked by storage) and the catalogs in step.
func TestLocalesMatchTheDomain(t *testing.T) {
	var tags []string
	for _, l := range Locales() {
		tags = append(tags, l.Tag)
	}
	if !slices.Equal(tags, homeward.Locales) {
		t.Errorf("catalog locales %v, domain locales %v", tags, homeward.Locales)
	}
}

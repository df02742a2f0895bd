package i18n

import (
	"slices"
	"strings"
	"testing"

	"homeward"
)

// Every key in English must be translated into every other supported locale,
// and no locale may carry keys English lacks (a typo would never show).
func TestCatalogsComplete(t *testing.T) {
	en := map[string]bool{}
	for _, k := range Keys(Default) {
		en[k] = true
	}
	if len(en) == 0 {
		t.Fatal("English catalog is empty")
	}
	for _, l := range Locales() {
		got := map[string]bool{}
		for _, k := range Keys(l.Tag) {
			got[k] = true
			if !en[k] {
				t.Errorf("%s: key %q is not in the English catalog", l.Tag, k)
			}
		}
		for k := range en {
			if !got[k] {
				t.Errorf("%s: missing translation for %q", l.Tag, k)
			}
		}
	}
}

// Placeholders used in English must appear in each translation.
func TestPlaceholdersKept(t *testing.T) {
	for _, l := range Locales() {
		for _, k := range Keys(Default) {
			en := T(Default, k, nil)
			tr := T(l.Tag, k, nil)
			for _, part := range strings.Split(en, "{")[1:] {
				name := strings.SplitN(part, "}", 2)[0]
				if !strings.Contains(tr, "{"+name+"}") {
					t.Errorf("%s %q: placeholder {%s} missing in %q", l.Tag, k, name, tr)
				}
			}
		}
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

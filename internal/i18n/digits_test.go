package i18n

import "testing"

// The reader's digit choice is part of the locale tag: T, Number and
// Digits follow it, and everything keyed by language still finds the
// language.
func TestWithDigits(t *testing.T) {
	for _, c := range []struct{ lang, digits, tag string }{
		{"bn", "", "bn"}, {"bn", "latn", "bn-u-nu-latn"}, {"ar", "latn", "ar-u-nu-latn"},
		{"ckb", "latn", "ckb-u-nu-latn"}, {"ur", "latn", "ur-u-nu-latn"},
		{"en", "latn", "en"},                     // nothing to choose
		{"bn-u-nu-latn", "", "bn"},               // the choice replaces an earlier one
		{"ar", "arab", "ar"},                     // unknown choices are the language's own
		{"bn-u-nu-latn", "latn", "bn-u-nu-latn"}, // not doubled
	} {
		if got := WithDigits(c.lang, c.digits); got != c.tag {
			t.Errorf("WithDigits(%q, %q) = %q, want %q", c.lang, c.digits, got, c.tag)
		}
	}
	for _, c := range []struct{ lang, number, digits, plural, dir string }{
		{"bn", "১২,৩৪,৫৬৭", "১২", "other", "ltr"},
		{"bn-u-nu-latn", "12,34,567", "12", "other", "ltr"},
		{"ar", "١٬٢٣٤٬٥٦٧", "١٢", "two", "rtl"},
		{"ar-u-nu-latn", "1,234,567", "12", "two", "rtl"},
		{"ur", "۱,۲۳۴,۵۶۷", "۱۲", "other", "rtl"},
		{"ur-u-nu-latn", "1,234,567", "12", "other", "rtl"},
		{"ckb-u-nu-latn", "1,234,567", "12", "other", "rtl"},
	} {
		if got := Number(c.lang, 1234567); got != c.number {
			t.Errorf("Number(%q) = %q, want %q", c.lang, got, c.number)
		}
		if got := Digits(c.lang, "12"); got != c.digits {
			t.Errorf("Digits(%q) = %q, want %q", c.lang, got, c.digits)
		}
		if got := PluralForm(c.lang, 2); got != c.plural {
			t.Errorf("PluralForm(%q, 2) = %q, want %q", c.lang, got, c.plural)
		}
		if got := Dir(c.lang); got != c.dir {
			t.Errorf("Dir(%q) = %q", c.lang, got)
		}
		if T(c.lang, "account.digits.saved", nil) != T(Base(c.lang), "account.digits.saved", nil) {
			t.Errorf("T(%q) does not use the %q catalog", c.lang, Base(c.lang))
		}
	}
	if got := T("bn-u-nu-latn", "account.digits.title", nil); got != "সংখ্যা ও তারিখের অঙ্ক" {
		t.Errorf("Bangla catalog under the Latin-digit tag: %q", got)
	}
	for tag, want := range map[string]bool{"bn-u-nu-latn": true, "ar-u-nu-latn": true, "bn": true, "bn-u-nu-arab": false, "xx-u-nu-latn": false, "-u-nu-latn": false} {
		if Supported(tag) != want {
			t.Errorf("Supported(%q) = %v", tag, !want)
		}
	}
}

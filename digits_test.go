package homeward

import "testing"

func TestASCIIDigits(t *testing.T) {
	for in, want := range map[string]string{
		"১৯৮৫-০৩-১২":     "1985-03-12",
		"١٩٨٥":           "1985",
		"۱۹۸۵":           "1985",
		"about ৩৫ years": "about 35 years",
		"01712-345678":   "01712-345678",
		"":               "",
		"রহিমা":          "রহিমা",
		"٣٤ سنة":         "34 سنة",
	} {
		if got := ASCIIDigits(in); got != want {
			t.Errorf("ASCIIDigits(%q) = %q, want %q", in, got, want)
		}
	}
}

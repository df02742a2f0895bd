package i18n

import "testing"

func TestPlural(t *testing.T) {
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 1, "1 answer needs attention."},
		{"en", 2, "2 answers need attention."},
		{"en", 0, "0 answers need attention."},
		{"bn", 1, "১টি উত্তরে মনোযোগ দরকার।"},
		{"bn", 3, "৩টি উত্তরে মনোযোগ দরকার।"},
	}
	for _, tc := range tests {
		if got := N(tc.lang, "ui_a.fill.errors", tc.n, nil); got != tc.want {
			t.Errorf("N(%s, %d) = %q, want %q", tc.lang, tc.n, got, tc.want)
		}
	}
}

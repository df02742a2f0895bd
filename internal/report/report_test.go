package report

import (
	"strings"
	"testing"

	"homeward/internal/indicator"
)

func TestMonths(t *testing.T) {
	for _, c := range []struct {
		from, to string
		n        int
		list     string
	}{
		{"2026-11", "2027-02", 4, "2026-11 2026-12 2027-01 2027-02"},
		{"2026-05", "2026-05", 1, "2026-05"},
		{"2026-05", "2026-04", 0, ""},
		{"May", "2026-04", 0, ""},
	} {
		if n := Months(indicator.Month(c.from), indicator.Month(c.to)); n != c.n && !(c.n == 0 && n <= 0) {
			t.Errorf("Months(%s, %s) = %d, want %d", c.from, c.to, n, c.n)
		}
		if l := strings.Join(monthsOf(indicator.Month(c.from), indicator.Month(c.to)), " "); l != c.list {
			t.Errorf("monthsOf(%s, %s) = %q, want %q", c.from, c.to, l, c.list)
		}
	}
	if n := len(monthsOf("2000-01", "2099-12")); n != MaxMonths {
		t.Errorf("a century lists %d months", n)
	}
}

func TestValueLabel(t *testing.T) {
	for _, c := range []struct{ lang, field, value, want string }{
		{"en", "sex", "female", "Female"},
		{"bn", "sex", "female", "নারী"},
		{"en", "age_group", "25-34", "25-34"},
		{"bn", "age_group", "25-34", "২৫-৩৪"},
		{"en", "district", "nowhere", "nowhere"},
		{"en", "sex", "", ""},
	} {
		if got := ValueLabel(c.lang, c.field, c.value); got != c.want {
			t.Errorf("ValueLabel(%s, %s, %q) = %q, want %q", c.lang, c.field, c.value, got, c.want)
		}
	}
}

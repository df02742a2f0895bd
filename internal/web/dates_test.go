package web

import "testing"

func TestParseDayFirst(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"15/01/2027", "2027-01-15", true},
		{"5/1/2027", "2027-01-05", true},
		{"১৫/০১/২০২৭", "2027-01-15", true},
		{"15-01-2027", "2027-01-15", true},
		{"15.01.2027", "2027-01-15", true},
		{"2027-01-15", "2027-01-15", true},
		{"01/2027", "2027-01", true},
		{"2027-01", "2027-01", true},
		{"1985", "1985", true},
		{"31/02/2027", "", false},
		{"01/15/2027", "", false}, // month first is not read
		{"soon", "", false},
		{"15/01/27", "", false},
		{"", "", false},
	}
	for _, tc := range tests {
		got, ok := parseDayFirst(tc.in)
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseDayFirst(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

func TestDateValue(t *testing.T) {
	tests := []struct{ lang, in, want string }{
		{"en", "2027-01-15", "15/01/2027"},
		{"bn", "2027-01-15", "১৫/০১/২০২৭"},
		{"en", "1985-03", "03/1985"},
		{"en", "1985", "1985"},
		{"en", "15/01/2027", "15/01/2027"},
		{"en", "soon", "soon"},
	}
	for _, tc := range tests {
		if got := dateValue(tc.lang, tc.in); got != tc.want {
			t.Errorf("dateValue(%q, %q) = %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
}

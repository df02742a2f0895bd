package registry

import (
	"strings"
	"testing"
)

func TestParsePhone(t *testing.T) {
	tests := []struct {
		in, country, want, key string
	}{
		// Bangladesh, every form people write.
		{"01712345678", "BD", "+8801712345678", ""},
		{"+880 1712-345678", "BD", "+8801712345678", ""},
		{"+8801712345678", "", "+8801712345678", ""},
		{"8801712345678", "BD", "+8801712345678", ""},
		{"008801712345678", "", "+8801712345678", ""},
		{"(+880) 1712 345 678", "PK", "+8801712345678", ""},
		{"1712345678", "BD", "+8801712345678", ""}, // leading 0 lost in a spreadsheet
		{"০১৭১২৩৪৫৬৭৮", "BD", "+8801712345678", ""},
		{"01912-345678", "BD", "+8801912345678", ""},
		{"02 9123456", "BD", "+88029123456", ""}, // Dhaka landline
		{"01212345678", "BD", "", "registry.phone.prefix"},
		{"+880 1212345678", "", "", "registry.phone.prefix"},
		{"0171234567", "BD", "", "registry.phone.length"},
		{"017123456789", "BD", "", "registry.phone.length"},
		// Pakistan.
		{"0300 1234567", "PK", "+923001234567", ""},
		{"+92 300 1234567", "", "+923001234567", ""},
		{"923001234567", "PK", "+923001234567", ""},
		{"042 35761234", "PK", "+924235761234", ""},
		{"0300 123456", "PK", "", "registry.phone.length"},
		// Iraq.
		{"0770 123 4567", "IQ", "+9647701234567", ""},
		{"+964 770 123 4567", "", "+9647701234567", ""},
		{"07101234567", "IQ", "", "registry.phone.prefix"},
		// Other countries: country code and length only.
		{"+966 50 123 4567", "", "+966501234567", ""},
		{"050 123 4567", "SA", "+966501234567", ""},
		{"+1 268 555 0100", "", "+12685550100", ""},
		{"+999 1234 5678", "", "", "registry.phone.country_code"},
		{"+966 1234", "", "", "registry.phone.length_intl"},
		{"+9665012345678901234", "", "", "registry.phone.length_intl"},
		// Malformed.
		{"", "BD", "", "registry.phone.empty"},
		{"   ", "BD", "", "registry.phone.empty"},
		{"0171234567x", "BD", "", "registry.phone.invalid_chars"},
		{"017-CALL-ME", "BD", "", "registry.phone.invalid_chars"},
		{"017+12345678", "BD", "", "registry.phone.invalid_chars"},
		{"---", "BD", "", "registry.phone.invalid_chars"},
		{"01712345678", "", "", "registry.phone.no_country"},
		{"01712345678", "ZZ", "", "registry.phone.no_country"},
	}
	for _, tt := range tests {
		got, err := ParsePhone(tt.in, tt.country)
		if got != tt.want || errKey(err) != tt.key {
			t.Errorf("ParsePhone(%q, %q) = %q, %q; want %q, %q", tt.in, tt.country, got, errKey(err), tt.want, tt.key)
		}
	}
}

func TestParsePhoneMessageNamesValue(t *testing.T) {
	_, err := ParsePhone("0171234567x", "BD")
	if err == nil || !strings.Contains(err.Error(), "0171234567x") {
		t.Errorf("message should quote the input: %v", err)
	}
}

// FuzzParsePhone checks that parsing never panics and that its output is
// E.164 and a fixed point.
func FuzzParsePhone(f *testing.F) {
	for _, s := range []string{"01712345678", "+880 1712-345678", "8801712345678", "0300 1234567", "0770 123 4567", "+966501234567", "", "+", "00"} {
		f.Add(s, "BD")
	}
	f.Fuzz(func(t *testing.T, s, country string) {
		e164, err := ParsePhone(s, country)
		if err != nil {
			return
		}
		if len(e164) < 9 || len(e164) > 16 || e164[0] != '+' || strings.Trim(e164[1:], "0123456789") != "" {
			t.Fatalf("ParsePhone(%q, %q) = %q, not E.164", s, country, e164)
		}
		if again, err := ParsePhone(e164, ""); err != nil || again != e164 {
			t.Fatalf("ParsePhone(%q) = %q, %v; not a fixed point", e164, again, err)
		}
	})
}

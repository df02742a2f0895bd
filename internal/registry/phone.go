package registry

import (
	"strings"

	"homeward"
	"homeward/internal/country"
	"homeward/internal/reference"
)

func phoneErr(key, format string, args map[string]any, fmtArgs ...any) *homeward.Error {
	e := homeward.FieldErrorf("", key, format, fmtArgs...)
	e.Args = args
	return e
}

// ParsePhone normalises a phone number to E.164 ("+8801712345678"). It accepts
// international forms ("+880 1712-345678", "00880…", "8801712345678") and, given
// the default country's ISO alpha-2 code, local forms ("01712345678", "0300
// 1234567", "0770 123 4567", and the national number without its 0 as
// spreadsheets store it). Numbers of the countries with a pack (internal/country)
// are checked against their numbering plans; other countries' numbers are checked for a
// known country code and a plausible length. Errors carry a specific key.
func ParsePhone(s, defaultCountry string) (string, error) {
	raw := strings.TrimSpace(s)
	if raw == "" {
		return "", phoneErr("registry.phone.empty", "The phone number is empty.", nil)
	}
	var b strings.Builder
	plus := false
	for _, r := range homeward.ASCIIDigits(raw) {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '+' && b.Len() == 0 && !plus:
			plus = true
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/' || r == '\u00a0':
		default:
			return "", phoneErr("registry.phone.invalid_chars", "“%s” is not a phone number: only digits, spaces, dashes and a leading + are allowed.", map[string]any{"value": raw}, raw)
		}
	}
	digits := b.String()
	if digits == "" {
		return "", phoneErr("registry.phone.invalid_chars", "“%s” is not a phone number: only digits, spaces, dashes and a leading + are allowed.", map[string]any{"value": raw}, raw)
	}
	def := strings.ToUpper(strings.TrimSpace(defaultCountry))
	intl := plus
	if !intl && strings.HasPrefix(digits, "00") {
		digits, intl = digits[2:], true
	}
	if !intl {
		if p := country.Lookup(def); p != nil && strings.HasPrefix(digits, p.Phone.Dial) && len(digits) > len(p.Phone.Dial)+7 {
			// "8801712345678": the country code without the plus, as spreadsheets keep it.
			intl = true
		}
	}
	if intl {
		return checkInternational(raw, digits)
	}
	if def == "" {
		return "", phoneErr("registry.phone.no_country", "“%s” is a local number; write it with the country code, such as +880.", map[string]any{"value": raw}, raw)
	}
	nsn := strings.TrimPrefix(digits, "0")
	if p := country.Lookup(def); p != nil {
		return checkPlan(raw, p, nsn)
	}
	c := reference.CountryByCode(def)
	if c == nil || c.Dial == "" {
		return "", phoneErr("registry.phone.no_country", "“%s” is a local number; write it with the country code, such as +880.", map[string]any{"value": raw}, raw)
	}
	dial, _, _ := strings.Cut(c.Dial, ",")
	return checkInternational(raw, strings.ReplaceAll(dial, "-", "")+nsn)
}

func checkPlan(raw string, p *country.Pack, nsn string) (string, error) {
	if p.Phone.Mobile.Matches(nsn) || p.Phone.Landline.Matches(nsn) {
		return "+" + p.Phone.Dial + nsn, nil
	}
	args := map[string]any{"value": raw, "country": p.Code}
	// A number of a mobile's length with a wrong operator prefix is the common typo; say so.
	m := p.Phone.Mobile
	if len(nsn) >= m.MinLength && len(nsn) <= m.MaxLength {
		for _, pre := range m.Prefixes {
			if nsn[0] == pre[0] {
				return "", phoneErr("registry.phone.prefix", "“%s” does not start with a valid mobile prefix for %s.", args, raw, p.Code)
			}
		}
	}
	return "", phoneErr("registry.phone.length", "“%s” has the wrong number of digits for a phone number in %s.", args, raw, p.Code)
}

func checkInternational(raw, digits string) (string, error) {
	for _, p := range country.All() {
		if strings.HasPrefix(digits, p.Phone.Dial) {
			return checkPlan(raw, p, strings.TrimPrefix(digits[len(p.Phone.Dial):], "0"))
		}
	}
	if len(digits) < 8 || len(digits) > 15 {
		return "", phoneErr("registry.phone.length_intl", "“%s” is not a valid international number: it must have 8 to 15 digits.", map[string]any{"value": raw}, raw)
	}
	if !knownDialPrefix(digits) {
		return "", phoneErr("registry.phone.country_code", "“%s” does not start with a known country code.", map[string]any{"value": raw}, raw)
	}
	return "+" + digits, nil
}

// knownDialPrefix reports whether digits starts with a country's dialling code.
func knownDialPrefix(digits string) bool {
	for n := 1; n <= 4 && n < len(digits); n++ {
		if dialSet()[digits[:n]] {
			return true
		}
	}
	return false
}

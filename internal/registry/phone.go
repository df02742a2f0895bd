package registry

import (
	"strings"

	"homeward"
	"homeward/internal/reference"
)

// phonePlan describes the national numbering of a country the registry knows
// in detail: its dialling code and the lengths and leading digits of its
// national significant numbers (the number without the trunk prefix 0).
type phonePlan struct {
	dial     string
	mobile   func(nsn string) bool
	landline func(nsn string) bool
}

var phonePlans = map[string]phonePlan{
	// Bangladesh: mobiles 01[3-9]XXXXXXXX; landlines 02… (Dhaka) and other area codes, 6–10 digits.
	"BD": {dial: "880",
		mobile:   func(n string) bool { return len(n) == 10 && n[0] == '1' && n[1] >= '3' && n[1] <= '9' },
		landline: func(n string) bool { return len(n) >= 6 && len(n) <= 10 && n[0] >= '2' && n[0] <= '9' }},
	// Pakistan: mobiles 03XX XXXXXXX; landlines area code + number, 9–10 digits.
	"PK": {dial: "92",
		mobile:   func(n string) bool { return len(n) == 10 && n[0] == '3' },
		landline: func(n string) bool { return len(n) >= 9 && len(n) <= 10 && n[0] >= '2' && n[0] <= '9' && n[0] != '3' }},
	// Iraq: mobiles 07[3-9]X XXX XXXX; landlines 1 (Baghdad) or 2–6 area codes, 8–9 digits.
	"IQ": {dial: "964",
		mobile:   func(n string) bool { return len(n) == 10 && n[0] == '7' && n[1] >= '3' && n[1] <= '9' },
		landline: func(n string) bool { return len(n) >= 8 && len(n) <= 9 && n[0] >= '1' && n[0] <= '6' }},
}

func phoneErr(key, format string, args map[string]any, fmtArgs ...any) *homeward.Error {
	e := homeward.FieldErrorf("", key, format, fmtArgs...)
	e.Args = args
	return e
}

// ParsePhone normalises a phone number to E.164 ("+8801712345678"). It accepts
// international forms ("+880 1712-345678", "00880…", "8801712345678") and, given
// the default country's ISO alpha-2 code, local forms ("01712345678", "0300
// 1234567", "0770 123 4567", and the national number without its 0 as
// spreadsheets store it). Numbers of Bangladesh, Pakistan and Iraq are checked
// against their numbering plans; other countries' numbers are checked for a
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
		if p, ok := phonePlans[def]; ok && strings.HasPrefix(digits, p.dial) && len(digits) > len(p.dial)+7 {
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
	if p, ok := phonePlans[def]; ok {
		return checkPlan(raw, def, p, nsn)
	}
	c := reference.CountryByCode(def)
	if c == nil || c.Dial == "" {
		return "", phoneErr("registry.phone.no_country", "“%s” is a local number; write it with the country code, such as +880.", map[string]any{"value": raw}, raw)
	}
	dial, _, _ := strings.Cut(c.Dial, ",")
	return checkInternational(raw, strings.ReplaceAll(dial, "-", "")+nsn)
}

func checkPlan(raw, country string, p phonePlan, nsn string) (string, error) {
	if p.mobile(nsn) || p.landline(nsn) {
		return "+" + p.dial + nsn, nil
	}
	args := map[string]any{"value": raw, "country": country}
	// A number of a mobile's length with a wrong operator prefix is the common typo; say so.
	if country == "BD" && len(nsn) == 10 && nsn[0] == '1' {
		return "", phoneErr("registry.phone.prefix", "“%s” does not start with a valid mobile prefix for %s.", args, raw, country)
	}
	if country == "IQ" && len(nsn) == 10 && nsn[0] == '7' {
		return "", phoneErr("registry.phone.prefix", "“%s” does not start with a valid mobile prefix for %s.", args, raw, country)
	}
	return "", phoneErr("registry.phone.length", "“%s” has the wrong number of digits for a phone number in %s.", args, raw, country)
}

func checkInternational(raw, digits string) (string, error) {
	for cc, p := range phonePlans {
		if strings.HasPrefix(digits, p.dial) {
			return checkPlan(raw, cc, p, strings.TrimPrefix(digits[len(p.dial):], "0"))
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

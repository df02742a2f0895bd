package homeward

import (
	"strings"
	"unicode"
)

// ASCIIDigits rewrites Bangla, Arabic-Indic and Extended Arabic-Indic
// (Persian and Urdu) digits as ASCII digits, so that "১৯৮৫", "١٩٨٥" and
// "۱۹۸۵" read as "1985"; everything else is kept. It is the one digit
// normaliser: dates, ages, phone numbers and answers typed in any script go
// through it.
func ASCIIDigits(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { return r > 127 && unicode.IsDigit(r) }) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r >= '০' && r <= '৯':
			return '0' + (r - '০')
		case r >= '٠' && r <= '٩':
			return '0' + (r - '٠')
		case r >= '۰' && r <= '۹':
			return '0' + (r - '۰')
		}
		return r
	}, s)
}

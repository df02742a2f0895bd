package web

import (
	"strconv"
	"strings"
	"time"

	"homeward"
	"homeward/internal/i18n"
)

// Dates on the pages are written and read day first, dd/mm/yyyy, in the
// reader's digits (Bangla digits in bn), whatever the browser's locale: the
// inputs are plain text, never type=date, whose format the browser picks.
// The services and the API keep ISO 8601 (yyyy-mm-dd); the conversion
// happens here, at the edge, and nowhere else.

// parseDayFirst reads a date typed on a page: dd/mm/yyyy (also with "-" or
// "." between the parts, and one-digit days and months), mm/yyyy, yyyy, or
// the ISO forms yyyy-mm-dd and yyyy-mm; any digits. It returns the date in
// ISO form ("2027-01-15", "2027-01", "2027") and whether s was a real date
// in one of those forms.
func parseDayFirst(s string) (string, bool) {
	s = strings.TrimSpace(homeward.ASCIIDigits(s))
	if s == "" {
		return "", false
	}
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '-' || r == '.' })
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || len(p) > 4 {
			return "", false
		}
		nums[i] = n
	}
	yearFirst := len(parts) > 1 && len(parts[0]) == 4
	var y, m, d int
	switch {
	case len(parts) == 1 && len(parts[0]) == 4:
		return parts[0], true
	case len(parts) == 2 && yearFirst && len(parts[1]) <= 2:
		y, m = nums[0], nums[1]
	case len(parts) == 2 && len(parts[1]) == 4 && len(parts[0]) <= 2:
		y, m = nums[1], nums[0]
	case len(parts) == 3 && yearFirst && len(parts[1]) <= 2 && len(parts[2]) <= 2:
		y, m, d = nums[0], nums[1], nums[2]
	case len(parts) == 3 && len(parts[2]) == 4 && len(parts[0]) <= 2 && len(parts[1]) <= 2:
		y, m, d = nums[2], nums[1], nums[0]
	default:
		return "", false
	}
	if m < 1 || m > 12 || y < 1000 {
		return "", false
	}
	if d == 0 {
		return strconv.Itoa(y) + "-" + two(m), true
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return "", false // 31/02/2027
	}
	return t.Format(time.DateOnly), true
}

func two(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// dateValue writes an ISO date ("2027-01-15", "2027-01", "2027") day first
// in lang's digits, for an input's value; anything else (what a person
// typed that is not a date) is returned as it is.
func dateValue(lang, iso string) string {
	var out string
	switch {
	case len(iso) == 10 && iso[4] == '-' && iso[7] == '-':
		out = iso[8:] + "/" + iso[5:7] + "/" + iso[:4]
	case len(iso) == 7 && iso[4] == '-':
		out = iso[5:] + "/" + iso[:4]
	default:
		return iso
	}
	if _, ok := parseDayFirst(out); !ok {
		return iso
	}
	return i18n.Digits(lang, out)
}

// isoDate converts a date typed on a page to ISO for a service; a text
// that is not a date adds a field error (the format is named in it) to v
// and is returned as typed.
func isoDate(v *homeward.Validation, field, typed string) string {
	typed = strings.TrimSpace(typed)
	if typed == "" {
		return ""
	}
	iso, ok := parseDayFirst(typed)
	if !ok {
		v.AddArgs(field, "ui_a.date.invalid", map[string]any{"value": typed}, "“%s” is not a date; write it as dd/mm/yyyy, for example 15/01/2027.", typed)
		return typed
	}
	return iso
}

// isoText shows an ISO date day first in lang's digits; any other text is
// shown in lang's digits as it is.
func isoText(lang, iso string) string {
	if out := dateValue(lang, iso); out != iso {
		return out
	}
	return i18n.Digits(lang, iso)
}

package match

import (
	"fmt"
	"strconv"
	"strings"
)

// Record is one registration as the matcher sees it: plain strings exactly as
// they were typed, so that the registry can feed its rows without conversion.
// Normalisation happens inside the matcher.
type Record struct {
	ID             string // the registry's internal id; reported back in results
	ExternalID     string // the id the record had in its source (an import file, another agency)
	GivenName      string
	FamilyName     string
	FullNameNative string   // the name in Bangla, Arabic or Urdu script
	Aliases        []string // other full names the person is known by
	Sex            string   // "m", "f", "male", "female", "x" …; empty when unknown
	DOB            string   // YYYY, YYYY-MM, YYYY-MM-DD, DD/MM/YYYY or YYYYMMDD
	FatherName     string
	MotherName     string
	Phones         []string
	NationalID     string
	Passport       string
	AdminArea      string // an administrative area code (p-code) or name
	Address        string // free text: house, road, village, union …
	Postcode       string
}

// Precision says how much of a date of birth is known.
type Precision uint8

// Date precisions, from none to a full day.
const (
	PrecNone Precision = iota
	PrecYear
	PrecMonth
	PrecDay
)

// Date is a date of birth with its precision. Month and Day are zero when
// not known.
type Date struct {
	Year  int16
	Month int8
	Day   int8
	Prec  Precision
}

// String formats d at its precision (YYYY, YYYY-MM or YYYY-MM-DD).
func (d Date) String() string {
	if d.Prec == PrecNone {
		return ""
	}
	b := make([]byte, 0, 10)
	b = append(b, byte('0'+d.Year/1000%10), byte('0'+d.Year/100%10), byte('0'+d.Year/10%10), byte('0'+d.Year%10))
	if d.Prec >= PrecMonth {
		b = append(b, '-', byte('0'+d.Month/10), byte('0'+d.Month%10))
	}
	if d.Prec == PrecDay {
		b = append(b, '-', byte('0'+d.Day/10), byte('0'+d.Day%10))
	}
	return string(b)
}

// ymd returns the date as the number YYYYMMDD.
func (d Date) ymd() int { return int(d.Year)*10000 + int(d.Month)*100 + int(d.Day) }

// IsPlaceholder reports whether d is 1 January, the date clerks write when
// only the year is known.
func (d Date) IsPlaceholder() bool { return d.Prec == PrecDay && d.Month == 1 && d.Day == 1 }

// ParseDate reads a date of birth in any accepted form: YYYY, YYYY-MM,
// YYYY-MM-DD, DD/MM/YYYY (also with - or . separators), YYYYMMDD. Native
// digits are accepted. An empty string gives the zero Date and no error.
func ParseDate(s string) (Date, error) { return parseDate(s, false) }

func parseDate(s string, lenient bool) (Date, error) {
	s = strings.TrimSpace(foldDigits(s))
	if s == "" {
		return Date{}, nil
	}
	bad := func() (Date, error) {
		return Date{}, fmt.Errorf("match: %q is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)", s)
	}
	atoi := func(p string) (int, bool) {
		if p == "" || len(p) > 4 {
			return 0, false
		}
		n, err := strconv.Atoi(p)
		return n, err == nil && n >= 0
	}
	var y, m, d int
	var prec Precision
	switch {
	case len(s) == 8 && isDigits(s):
		y, _ = atoi(s[:4])
		m, _ = atoi(s[4:6])
		d, _ = atoi(s[6:])
		prec = PrecDay
	case len(s) == 4 && isDigits(s):
		y, _ = atoi(s)
		prec = PrecYear
	default:
		parts := strings.FieldsFunc(s, func(r rune) bool { return r == '-' || r == '/' || r == '.' || r == ' ' })
		nums := make([]int, len(parts))
		for i, p := range parts {
			n, ok := atoi(p)
			if !ok {
				return bad()
			}
			nums[i] = n
		}
		switch {
		case len(parts) == 2 && len(parts[0]) == 4:
			y, m, prec = nums[0], nums[1], PrecMonth
		case len(parts) == 2 && len(parts[1]) == 4:
			y, m, prec = nums[1], nums[0], PrecMonth
		case len(parts) == 3 && len(parts[0]) == 4:
			y, m, d, prec = nums[0], nums[1], nums[2], PrecDay
		case len(parts) == 3 && len(parts[2]) == 4:
			y, m, d, prec = nums[2], nums[1], nums[0], PrecDay
		default:
			return bad()
		}
	}
	if y < 1800 || y > 2200 || (prec >= PrecMonth && (m < 1 || m > 12)) || (prec == PrecDay && (d < 1 || d > daysIn(y, m))) {
		if lenient && y >= 1000 && y <= 2200 {
			// What can be read of a mistyped date still tells: a month
			// of 81 leaves the year, a day of 31 April the month.
			switch {
			case prec >= PrecMonth && (m < 1 || m > 12):
				return Date{Year: int16(y), Prec: PrecYear}, nil
			case prec == PrecDay && (d < 1 || d > daysIn(y, m)):
				return Date{Year: int16(y), Month: int8(m), Prec: PrecMonth}, nil
			}
			return Date{Year: int16(y), Month: int8(m), Day: int8(d), Prec: prec}, nil
		}
		return bad()
	}
	return Date{Year: int16(y), Month: int8(m), Day: int8(d), Prec: prec}, nil
}

// readDate is ParseDate for comparison: a date that validation would
// refuse still counts for what can be read of it — a year before 1800 (a
// historical record), or the year and month of a date whose day or month
// is impossible. Unreadable text counts as missing.
func readDate(s string) Date {
	d, _ := parseDate(s, true)
	return d
}

func daysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

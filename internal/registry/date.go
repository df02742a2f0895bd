package registry

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"homeward"
)

// Precision says how much of a Date is known.
type Precision uint8

// The precisions of a Date, coarsest first. A zero Date has PrecisionNone.
const (
	PrecisionNone Precision = iota
	PrecisionYear
	PrecisionMonth
	PrecisionDay
)

// String returns "year", "month", "day" or "" for PrecisionNone.
func (p Precision) String() string {
	switch p {
	case PrecisionYear:
		return "year"
	case PrecisionMonth:
		return "month"
	case PrecisionDay:
		return "day"
	}
	return ""
}

// Date is a calendar date that may be known only to the year or the month, as
// dates of birth of returnees often are. It is written as "1985", "1985-03" or
// "1985-03-12" in JSON and text; the zero Date means unknown and is written as
// null (or omitted with omitzero). Month and Day are zero when not known.
type Date struct {
	Year      int
	Month     int
	Day       int
	Precision Precision
}

// DateOf returns the full-precision Date of t (its calendar date in t's location).
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{Year: y, Month: int(m), Day: d, Precision: PrecisionDay}
}

// DayDate returns the full-precision date y-m-d (not checked; see ParseDate).
func DayDate(y, m, d int) Date { return Date{Year: y, Month: m, Day: d, Precision: PrecisionDay} }

// YearDate returns a Date known only to the year.
func YearDate(y int) Date { return Date{Year: y, Precision: PrecisionYear} }

// MonthDate returns a Date known only to the year and month.
func MonthDate(y, m int) Date { return Date{Year: y, Month: m, Precision: PrecisionMonth} }

// IsZero reports whether the date is unknown.
func (d Date) IsZero() bool { return d.Precision == PrecisionNone }

// String formats d as "1985", "1985-03" or "1985-03-12", or "" when unknown.
func (d Date) String() string {
	switch d.Precision {
	case PrecisionYear:
		return fmt.Sprintf("%04d", d.Year)
	case PrecisionMonth:
		return fmt.Sprintf("%04d-%02d", d.Year, d.Month)
	case PrecisionDay:
		return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
	}
	return ""
}

// Earliest returns the first instant (UTC) the date may denote: 1 January for
// a year, the 1st for a month.
func (d Date) Earliest() time.Time {
	m, day := max(d.Month, 1), max(d.Day, 1)
	return time.Date(d.Year, time.Month(m), day, 0, 0, 0, 0, time.UTC)
}

// Latest returns the last day (at 00:00 UTC) the date may denote: 31 December
// for a year, the month's last day for a month.
func (d Date) Latest() time.Time {
	switch d.Precision {
	case PrecisionYear:
		return time.Date(d.Year, 12, 31, 0, 0, 0, 0, time.UTC)
	case PrecisionMonth:
		return time.Date(d.Year, time.Month(d.Month)+1, 0, 0, 0, 0, 0, time.UTC)
	}
	return d.Earliest()
}

// Before reports whether d certainly lies before e: every day d may denote is
// earlier than every day e may denote. Unknown dates are never before anything.
func (d Date) Before(e Date) bool {
	if d.IsZero() || e.IsZero() {
		return false
	}
	return d.Latest().Before(e.Earliest())
}

// AfterTime reports whether d certainly lies after the calendar day of t (in
// t's location: pass the current instant in the instance's time zone to ask
// "is it after today?"): the earliest day d may denote is later than t's
// date.
func (d Date) AfterTime(t time.Time) bool {
	if d.IsZero() {
		return false
	}
	y, m, day := t.Date()
	return d.Earliest().After(time.Date(y, m, day, 0, 0, 0, 0, time.UTC))
}

// AgeAt returns the age in whole years on t's calendar day (in t's
// location), using the middle of an imprecise
// date (1 July of a year, the 15th of a month), and false when d is unknown.
func (d Date) AgeAt(t time.Time) (int, bool) {
	if d.IsZero() {
		return 0, false
	}
	m, day := d.Month, d.Day
	switch d.Precision {
	case PrecisionYear:
		m, day = 7, 1
	case PrecisionMonth:
		day = 15
	}
	y, tm, td := t.Date()
	age := y - d.Year
	if int(tm) < m || int(tm) == m && td < day {
		age--
	}
	return age, true
}

// Valid reports whether the fields form a real calendar date for the precision.
func (d Date) Valid() bool {
	if d.Precision > PrecisionDay || d.Year < 1 || d.Year > 9999 {
		return d.IsZero() && d == Date{}
	}
	if d.Precision >= PrecisionMonth && (d.Month < 1 || d.Month > 12) || d.Precision < PrecisionMonth && d.Month != 0 {
		return false
	}
	if d.Precision == PrecisionDay {
		last := time.Date(d.Year, time.Month(d.Month)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		return d.Day >= 1 && d.Day <= last
	}
	return d.Day == 0
}

// errDate is the error for text that is not a date in any accepted form.
func errDate(s string) *homeward.Error {
	e := homeward.FieldErrorf("", "registry.date.invalid", "“%s” is not a date; write 1985, 1985-03 or 1985-03-12.", s)
	e.Args = map[string]any{"value": s}
	return e
}

// ParseDate parses the canonical forms "1985", "1985-03" and "1985-03-12" (and
// "" as the zero Date). It rejects impossible dates such as 1985-02-30.
// ParseDateLoose accepts the messier forms found in spreadsheets.
func ParseDate(s string) (Date, error) {
	s = strings.TrimSpace(s)
	d, ok := parseISO(s)
	if !ok {
		return Date{}, errDate(s)
	}
	return d, nil
}

// parseISO is ParseDate without building an error, for the loose parser's
// first attempt.
func parseISO(s string) (Date, bool) {
	if s == "" {
		return Date{}, true
	}
	var d Date
	var err error
	switch len(s) {
	case 4:
		d.Year, err = atoiDigits(s)
		d.Precision = PrecisionYear
	case 7:
		if s[4] != '-' {
			return Date{}, false
		}
		d.Year, err = atoiDigits(s[:4])
		if err == nil {
			d.Month, err = atoiDigits(s[5:])
		}
		d.Precision = PrecisionMonth
	case 10:
		if s[4] != '-' || s[7] != '-' {
			return Date{}, false
		}
		d.Year, err = atoiDigits(s[:4])
		if err == nil {
			d.Month, err = atoiDigits(s[5:7])
		}
		if err == nil {
			d.Day, err = atoiDigits(s[8:])
		}
		d.Precision = PrecisionDay
	default:
		return Date{}, false
	}
	if err != nil || !d.Valid() {
		return Date{}, false
	}
	return d, true
}

// atoiDigits parses ASCII digits only (strconv.Atoi also takes signs).
func atoiDigits(s string) (int, error) {
	if s == "" {
		return 0, strconv.ErrSyntax
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, strconv.ErrSyntax
		}
		n = n*10 + int(c-'0')
		if n > 1e9 {
			return 0, strconv.ErrRange
		}
	}
	return n, nil
}

// DateFromAge returns the year of birth of someone aged about age at now, with
// precision year ("age about 35" in 2026 is "1991").
func DateFromAge(age int, now time.Time) Date {
	return YearDate(now.Year() - age)
}

// MaxAge is the oldest age the registry accepts.
const MaxAge = 120

// ParseAge reads an approximate age written as "35", "about 35", "age about
// 35", "~35", "35 years", "35 yrs", "৩৫" or "৩৫ বছর" and returns it. It fails on
// anything else or on an age above MaxAge.
func ParseAge(s string) (int, bool) {
	s = strings.ToLower(strings.TrimSpace(homeward.ASCIIDigits(s)))
	for _, p := range []string{"age", "aged", "about", "approx.", "approx", "approximately", "around", "ca.", "c.", "~", ":", "প্রায়", "বয়স", "আনুমানিক"} {
		s = strings.TrimSpace(strings.TrimPrefix(s, p))
		s = strings.TrimSpace(strings.TrimPrefix(s, p)) // "age about" repeats after the first strip
	}
	for _, p := range []string{"years old", "years", "year", "yrs", "yr", "y", "বছর"} {
		if strings.HasSuffix(s, p) {
			s = strings.TrimSpace(strings.TrimSuffix(s, p))
			break
		}
	}
	n, err := atoiDigits(s)
	if err != nil || len(s) > 3 || n > MaxAge {
		return 0, false
	}
	return n, true
}

// MarshalText implements encoding.TextMarshaler.
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler with ParseDate.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	if err != nil {
		return err
	}
	*d = v
	return nil
}

// MarshalJSON writes the date as a string, or null when unknown.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + d.String() + `"`), nil
}

// UnmarshalJSON reads a date string or null.
func (d *Date) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*d = Date{}
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return errDate(string(b))
	}
	return d.UnmarshalText([]byte(s))
}

package country

import (
	"fmt"
	"time"
)

// Holiday is one day of a public holiday. Expected marks a day that
// depends on the sighting of the moon (Eid, Ashura, Mawlid): the pack
// gives the expected date, and the operator confirms it.
type Holiday struct {
	Date     string            `json:"date"` // YYYY-MM-DD
	Names    map[string]string `json:"names"`
	Expected bool              `json:"expected,omitempty"`
}

// Name returns the holiday's name in lang, falling back to English.
func (h Holiday) Name(lang string) string {
	if n := h.Names[lang]; n != "" {
		return n
	}
	return h.Names["en"]
}

// checkHolidays checks a list of holidays (field names the list in error
// messages) and returns the set of their dates. The same holiday twice on
// one day is refused; two holidays on one day are not.
func checkHolidays(list []Holiday, field string, bad func(field, format string, args ...any) error) (map[string]bool, error) {
	dates := make(map[string]bool, len(list))
	seen := map[[2]string]bool{}
	for i, h := range list {
		f := fmt.Sprintf("%s[%d]", field, i)
		d, err := time.Parse(time.DateOnly, h.Date)
		switch {
		case err != nil || d.Format(time.DateOnly) != h.Date:
			return nil, bad(f+".date", "%q is not a date such as 2026-03-26", h.Date)
		case h.Names["en"] == "":
			return nil, bad(f+".names.en", "the English name is required")
		case seen[[2]string{h.Date, h.Names["en"]}]:
			return nil, bad(f+".date", "%s %q is listed twice", h.Date, h.Names["en"])
		}
		seen[[2]string{h.Date, h.Names["en"]}] = true
		dates[h.Date] = true
	}
	return dates, nil
}

// WorkingDay reports whether day (a date in the country's calendar) is
// neither a weekend day nor a holiday.
func (p *Pack) WorkingDay(day time.Time) bool {
	return !p.weekend[day.Weekday()] && !p.holidays[day.Format(time.DateOnly)]
}

// IsHoliday reports whether date (YYYY-MM-DD) is one of the pack's
// holidays.
func (p *Pack) IsHoliday(date string) bool { return p.holidays[date] }

// AddWorkingDays returns the day n working days after day (n ≥ 0), read
// in day's time zone; the time of day is kept.
func (p *Pack) AddWorkingDays(day time.Time, n int) time.Time {
	return addWorkingDays(day, n, p.WorkingDay)
}

func addWorkingDays(day time.Time, n int, working func(time.Time) bool) time.Time {
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if working(day) {
			n--
		}
	}
	return day
}

// HolidayChange is an instance's change to its pack's holidays, made by
// an operator administrator: a day off added (with its names), or a day
// of the pack's list removed (a holiday moved by the moon sighting, or
// cancelled).
type HolidayChange struct {
	Date    string            `json:"date"` // YYYY-MM-DD
	Removed bool              `json:"removed"`
	Names   map[string]string `json:"names,omitempty"`
}

// Check checks the change: a real date, and for an added day its English
// name. bad reports a field.
func (c HolidayChange) Check(bad func(field, format string, args ...any) error) error {
	if d, err := time.Parse(time.DateOnly, c.Date); err != nil || d.Format(time.DateOnly) != c.Date {
		return bad("date", "%q is not a date such as 2026-03-26", c.Date)
	}
	if !c.Removed && c.Names["en"] == "" {
		return bad("names.en", "the English name is required")
	}
	return nil
}

// Calendar is a pack's working days with an instance's holiday changes.
type Calendar struct {
	pack           *Pack
	added, removed map[string]bool
}

// Calendar returns p's working days with changes applied.
func (p *Pack) Calendar(changes []HolidayChange) *Calendar {
	c := &Calendar{pack: p, added: map[string]bool{}, removed: map[string]bool{}}
	for _, ch := range changes {
		if ch.Removed {
			c.removed[ch.Date] = true
		} else {
			c.added[ch.Date] = true
		}
	}
	return c
}

// WorkingDay reports whether day is neither a weekend day nor a holiday
// after the changes.
func (c *Calendar) WorkingDay(day time.Time) bool {
	d := day.Format(time.DateOnly)
	switch {
	case c.added[d]:
		return false
	case c.removed[d]:
		return !c.pack.weekend[day.Weekday()]
	}
	return c.pack.WorkingDay(day)
}

// AddWorkingDays is Pack.AddWorkingDays after the changes.
func (c *Calendar) AddWorkingDays(day time.Time, n int) time.Time {
	return addWorkingDays(day, n, c.WorkingDay)
}

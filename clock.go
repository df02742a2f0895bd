package homeward

import (
	"fmt"
	"time"
	_ "time/tzdata" // time zones on machines without a zoneinfo database
)

// DefaultZone is the time zone of an instance that names none: Homeward's
// first country is Bangladesh.
const DefaultZone = "Asia/Dhaka"

// Clock is an instance's time: the current instant, and the time zone whose
// calendar says which day "today" is. Services take one instead of calling
// time.Now, so that every rule can be tested on any date; storage keeps
// instants in UTC whatever the zone.
type Clock struct {
	// Now returns the current instant; nil means the system clock.
	Now func() time.Time
	// Zone is the instance's time zone; nil means UTC.
	Zone *time.Location
}

// Time returns the current instant in UTC.
func (c Clock) Time() time.Time {
	if c.Now == nil {
		return time.Now().UTC()
	}
	return c.Now().UTC()
}

// Local returns the current instant in the instance's time zone: its
// calendar date is today.
func (c Clock) Local() time.Time { return c.Time().In(c.zone()) }

// Today returns today's date in the instance's time zone (YYYY-MM-DD).
func (c Clock) Today() string { return c.Local().Format(time.DateOnly) }

// For returns the clock as the actor sees it: in the time zone of the
// actor's organisation when it names one, the instance's otherwise. Every
// "today" a user meets (dates refused as future, prefilled dates, due dates,
// export file names) comes from the clock of the actor who asked.
func (c Clock) For(a *Actor) Clock {
	if a != nil && a.Zone != nil {
		c.Zone = a.Zone
	}
	return c
}

// Location returns the clock's time zone (UTC when none is set).
func (c Clock) Location() *time.Location { return c.zone() }

func (c Clock) zone() *time.Location {
	if c.Zone == nil {
		return time.UTC
	}
	return c.Zone
}

// LoadZone returns the named IANA time zone ("Asia/Dhaka"); an empty name is
// DefaultZone.
func LoadZone(name string) (*time.Location, error) {
	if name == "" {
		name = DefaultZone
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q: %w", name, err)
	}
	return loc, nil
}

// DateOf returns the calendar date (YYYY-MM-DD) of instant t in t's own
// location. Rules that need "today" are given the current instant in the
// instance's time zone (Clock.Local) and call DateOf on it.
func DateOf(t time.Time) string { return t.Format(time.DateOnly) }

// AddMonths returns the same day n months after t (before, when n is
// negative), or that month's last day when it is shorter: 31 January plus
// one month is 28 or 29 February, never 3 March as time.AddDate would have
// it. The clock time and location of t are kept. This is the one rule for
// "in N months" everywhere: follow-up surveys, business visits, placement
// checks and plan deadlines.
func AddMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
	if last := daysIn(first.Year(), first.Month()); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), t.Location())
}

// daysIn returns the number of days of month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

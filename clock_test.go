package homeward_test

import (
	"fmt"
	"testing"
	"time"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/scoring"
)

// sweepZones are the instance time zones the date sweep runs in: Dhaka
// (UTC+6) and Baghdad (UTC+3), both ahead of UTC, so that the first hours
// of each local day are still the day before in UTC.
var sweepZones = []string{"Asia/Dhaka", "Asia/Baghdad"}

// sweepDays returns every day of a non-leap year (2027) and a leap year
// (2028), at midnight UTC as dates are parsed.
func sweepDays() []time.Time {
	var out []time.Time
	for d := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC); d.Year() < 2029; d = d.AddDate(0, 0, 1) {
		out = append(out, d)
	}
	return out
}

// aroundMidnight returns instants, in loc, at the start and end of the local
// day ymd: 00:00, 00:30, 05:59 (still yesterday in UTC for Dhaka), 12:00
// and 23:59:59 — each converted to UTC and back, as the store gives them.
func aroundMidnight(ymd time.Time, loc *time.Location) []time.Time {
	y, m, d := ymd.Date()
	var out []time.Time
	for _, hm := range [][3]int{{0, 0, 0}, {0, 30, 0}, {5, 59, 0}, {12, 0, 0}, {23, 59, 59}} {
		out = append(out, time.Date(y, m, d, hm[0], hm[1], hm[2], 0, loc).UTC().In(loc))
	}
	return out
}

func date(t time.Time) string { return t.Format(time.DateOnly) }

func TestAddMonthsEveryDay(t *testing.T) {
	for _, d := range sweepDays() {
		for _, n := range []int{1, 3, 6, 12, -1} {
			got := homeward.AddMonths(d, n)
			wantMonth := time.Date(d.Year(), d.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
			if got.Year() != wantMonth.Year() || got.Month() != wantMonth.Month() {
				t.Fatalf("%s + %d months = %s: not in %s", date(d), n, date(got), wantMonth.Format("2006-01"))
			}
			last := wantMonth.AddDate(0, 1, -1).Day()
			if want := min(d.Day(), last); got.Day() != want {
				t.Fatalf("%s + %d months = %s, want day %d", date(d), n, date(got), want)
			}
		}
	}
	for _, c := range []struct {
		from string
		n    int
		want string
	}{
		{"2027-01-31", 1, "2027-02-28"},
		{"2028-01-31", 1, "2028-02-29"},
		{"2028-02-29", 12, "2029-02-28"},
		{"2027-08-31", 1, "2027-09-30"},
		{"2027-10-31", 4, "2028-02-29"},
		{"2027-03-31", -1, "2027-02-28"},
	} {
		from, _ := time.Parse(time.DateOnly, c.from)
		if got := date(homeward.AddMonths(from, c.n)); got != c.want {
			t.Errorf("%s + %d months = %s, want %s", c.from, c.n, got, c.want)
		}
	}
	// The clock time and location are kept.
	dhaka, _ := time.LoadLocation("Asia/Dhaka")
	at := time.Date(2027, 1, 31, 23, 30, 0, 0, dhaka)
	if got := homeward.AddMonths(at, 1); !got.Equal(time.Date(2027, 2, 28, 23, 30, 0, 0, dhaka)) {
		t.Errorf("AddMonths(%s, 1) = %s", at, got)
	}
}

// TestDateRulesEveryDay runs the rules that ask "which day is it?" on every
// day of 2027 and 2028, at the hours around midnight in Dhaka and Baghdad.
func TestDateRulesEveryDay(t *testing.T) {
	for _, zone := range sweepZones {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		for _, day := range sweepDays() {
			today := date(day)
			tomorrow := date(day.AddDate(0, 0, 1))
			yesterday := date(day.AddDate(0, 0, -1))
			for _, now := range aroundMidnight(day, loc) {
				where := fmt.Sprintf("%s at %s", zone, now.Format("2006-01-02 15:04:05"))
				checkNotInFuture(t, where, now, today, tomorrow)
				checkOverdue(t, where, now, today, yesterday)
			}
			checkFollowUps(t, zone, loc, day)
			checkAge(t, zone, loc, day)
		}
	}
}

// checkNotInFuture: a date today is accepted and tomorrow refused by every
// "not in the future" rule.
func checkNotInFuture(t *testing.T, where string, now time.Time, today, tomorrow string) {
	t.Helper()
	// Registration: the date of return.
	d, _ := registry.ParseDate(today)
	ep := registry.MigrationEpisode{DestinationCountry: "SA", Return: &registry.Return{Date: d, ReturnType: registry.ReturnVoluntary}}
	if err := ep.Validate(now); err != nil {
		t.Fatalf("%s: return today refused: %v", where, err)
	}
	ep.Return.Date, _ = registry.ParseDate(tomorrow)
	if err := ep.Validate(now); err == nil {
		t.Fatalf("%s: return tomorrow (%s) accepted", where, tomorrow)
	}
	// Assessments: the day answers were given, and the default day.
	if got, err := assessment.AnsweredOn(today, nil, now); err != nil || got != today {
		t.Fatalf("%s: answered today: %q %v", where, got, err)
	}
	if _, err := assessment.AnsweredOn(tomorrow, nil, now); err == nil {
		t.Fatalf("%s: answered tomorrow accepted", where)
	}
	if got, _ := assessment.AnsweredOn("", nil, now); got != today {
		t.Fatalf("%s: answers given without a date are dated %s, want %s", where, got, today)
	}
	// Counselling sessions.
	s := referral.SessionInput{Date: today, Type: referral.SessionIndividual}
	if err := s.Validate(now); err != nil {
		t.Fatalf("%s: session today refused: %v", where, err)
	}
	s.Date = tomorrow
	if err := s.Validate(now); err == nil {
		t.Fatalf("%s: session tomorrow accepted", where)
	}
}

// checkOverdue: a plan or referral due today is not overdue; due yesterday,
// it is.
func checkOverdue(t *testing.T, where string, now time.Time, today, yesterday string) {
	t.Helper()
	p := referral.Plan{Status: referral.PlanDraft, DueDate: today}
	if p.IsOverdue(now) {
		t.Fatalf("%s: plan due today is overdue", where)
	}
	p.DueDate = yesterday
	if !p.IsOverdue(now) {
		t.Fatalf("%s: plan due yesterday is not overdue", where)
	}
	r := referral.Referral{State: referral.StateAccepted, DueDate: today}
	if r.IsOverdue(now) {
		t.Fatalf("%s: referral due today is overdue", where)
	}
	r.DueDate = yesterday
	if !r.IsOverdue(now) {
		t.Fatalf("%s: referral due yesterday is not overdue", where)
	}
}

// checkFollowUps: surveys 3, 6 and 12 months after a return on day, the
// plan one month after it, placement checks after a job starting on day,
// and business visits after a grant paid in the first minutes of day (the
// day before in UTC) all fall on the same day of the month or the month's
// last day, and are due from the first minute of that day.
func checkFollowUps(t *testing.T, zone string, loc *time.Location, day time.Time) {
	t.Helper()
	for _, f := range scoring.DefaultSchedule.FollowUps(day, nil, day) {
		if want := date(homeward.AddMonths(day, f.Months)); date(f.Due) != want {
			t.Fatalf("return %s: %d-month survey due %s, want %s", date(day), f.Months, date(f.Due), want)
		}
		// Due from the first minute of its day in the zone, and not before
		// the last minute of the day before it opens.
		opens := f.Opens
		first := aroundMidnight(opens, loc)[0]
		if got := scoring.DefaultSchedule.FollowUps(day, nil, first)[indexOf(f.Months)]; got.Status != scoring.Due {
			t.Fatalf("%s: return %s: %d-month survey at %s is %s, want due", zone, date(day), f.Months, first, got.Status)
		}
		last := aroundMidnight(opens.AddDate(0, 0, -1), loc)[4]
		if got := scoring.DefaultSchedule.FollowUps(day, nil, last)[indexOf(f.Months)]; got.Status != scoring.Upcoming {
			t.Fatalf("%s: return %s: %d-month survey at %s is %s, want upcoming", zone, date(day), f.Months, last, got.Status)
		}
	}
	if got, want := referral.DueDate(date(day), time.Time{}), date(homeward.AddMonths(day, 1)); got != want {
		t.Fatalf("return %s: plan due %s, want %s", date(day), got, want)
	}
	pl := referral.Delivery{Kind: referral.KindPlacement, Placement: &referral.Placement{StartDate: date(day)}}
	for i, m := range referral.PlacementCheckMonths {
		got, ok := pl.NextFollowUp(loc)
		if want := date(homeward.AddMonths(day, m)); !ok || got != want {
			t.Fatalf("job started %s: check %d due %s, want %s", date(day), i+1, got, want)
		}
		pl.Placement.FollowUps = append(pl.Placement.FollowUps, referral.FollowUp{Date: got, StillEmployed: true})
	}
	y, m, d := day.Date()
	paid := time.Date(y, m, d, 0, 5, 0, 0, loc).UTC()
	g := referral.Delivery{Kind: referral.KindGrant, Grant: &referral.Grant{Status: referral.GrantDisbursed, Tranches: []referral.Tranche{{Amount: 1, DisbursedAt: &paid}}}}
	if got, want := first(g.NextFollowUp(loc)), date(homeward.AddMonths(day, referral.GrantVisitMonths)); got != want {
		t.Fatalf("%s: grant paid %s: first visit %s, want %s", zone, paid.In(loc), got, want)
	}
}

func first(s string, _ bool) string { return s }

func indexOf(months int) int {
	for i, m := range scoring.DefaultSchedule.Months {
		if m == months {
			return i
		}
	}
	return -1
}

// checkAge: someone born on day (in 1990) turns a year older on that day in
// the instance's zone, from its first minute — and someone born on 29
// February on 1 March in years without one.
func checkAge(t *testing.T, zone string, loc *time.Location, day time.Time) {
	t.Helper()
	dob := registry.DayDate(1992, int(day.Month()), day.Day())
	if !dob.Valid() { // 29 February 1992 is valid; every other day too
		t.Fatalf("born %s: not a date", dob)
	}
	years := day.Year() - 1992
	start := aroundMidnight(day, loc)
	if age, _ := dob.AgeAt(start[0]); age != years {
		t.Fatalf("%s: born %s, at %s aged %d, want %d", zone, dob, start[0], age, years)
	}
	before := aroundMidnight(day.AddDate(0, 0, -1), loc)[4]
	if age, _ := dob.AgeAt(before); age != years-1 {
		t.Fatalf("%s: born %s, at %s aged %d, want %d", zone, dob, before, age, years-1)
	}
	leap := registry.DayDate(1992, 2, 29)
	if day.Month() == 2 && day.Day() == 28 && day.Year() == 2027 {
		if age, _ := leap.AgeAt(aroundMidnight(day, loc)[4]); age != years-1 {
			t.Fatalf("born 29 February, on 28 February %d aged %d, want %d", day.Year(), age, years-1)
		}
	}
}

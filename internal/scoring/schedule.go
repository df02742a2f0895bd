package scoring

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"homeward"
)

// Schedule says when follow-up surveys fall due after a person's return.
type Schedule struct {
	// Months after the return date, strictly increasing (default 3, 6, 12).
	Months []int `json:"months"`
	// OpenDays is how many days before its due date a follow-up may be done
	// and shows as due.
	OpenDays int `json:"open_days"`
	// GraceDays is how many days after its due date a follow-up turns overdue.
	GraceDays int `json:"grace_days"`
}

// DefaultSchedule is the 3, 6 and 12 months, open two weeks before the
// due date and overdue a month after it.
var DefaultSchedule = Schedule{Months: []int{3, 6, 12}, OpenDays: 14, GraceDays: 30}

// Status of one follow-up.
type Status string

// Follow-up statuses. Due and overdue follow-ups are the case worker's tasks.
const (
	Upcoming Status = "upcoming" // not open yet
	Due      Status = "due"      // open, within the grace period
	Overdue  Status = "overdue"  // past the grace period, still the latest open one
	Done     Status = "done"     // a survey was completed for it
	Missed   Status = "missed"   // never done, and a later follow-up has opened
)

// FollowUp is one scheduled follow-up of one person.
type FollowUp struct {
	Months      int        `json:"months"`
	Due         time.Time  `json:"due"`
	Opens       time.Time  `json:"opens"`
	OverdueFrom time.Time  `json:"overdue_from"`
	Status      Status     `json:"status"`
	DoneAt      *time.Time `json:"done_at,omitempty"`
}

// IsTask reports whether the follow-up needs the case worker now.
func (f FollowUp) IsTask() bool { return f.Status == Due || f.Status == Overdue }

// ParseSchedule reads a month list such as "3,6,12" with the default open
// and grace periods.
func ParseSchedule(s string) (Schedule, error) {
	sch := DefaultSchedule
	sch.Months = nil
	for _, part := range strings.Split(s, ",") {
		m, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return Schedule{}, homeward.FieldErrorf("schedule", "assessment.schedule.invalid", "%q is not a list of months such as 3,6,12.", s)
		}
		sch.Months = append(sch.Months, m)
	}
	return sch, sch.Validate()
}

// Validate checks that months are positive and strictly increasing and that
// the periods are not negative.
func (s Schedule) Validate() error {
	if len(s.Months) == 0 {
		return homeward.FieldErrorf("schedule.months", "assessment.schedule.invalid", "The schedule needs at least one follow-up.")
	}
	for i, m := range s.Months {
		if m <= 0 || (i > 0 && m <= s.Months[i-1]) {
			return homeward.FieldErrorf(fmt.Sprintf("schedule.months[%d]", i), "assessment.schedule.invalid", "Follow-up months must be positive and increasing.")
		}
	}
	if s.OpenDays < 0 || s.GraceDays < 0 {
		return homeward.FieldErrorf("schedule", "assessment.schedule.invalid", "Open and grace days must not be negative.")
	}
	return nil
}

// FollowUps lists the follow-ups of a person who returned on returned, given
// the dates surveys were completed, as seen at now. Dates are compared by
// calendar day, each in its own location: pass now in the instance's time
// zone, and dates of return and completion as dates (midnight UTC). A completed survey counts for the latest follow-up
// that had opened by then and is not yet done (so a late 3-month survey
// done after the 6-month one opened counts as the 6-month one, and the
// 3-month one is missed); surveys before the first follow-up opened are the
// baseline and count for none.
func (s Schedule) FollowUps(returned time.Time, completed []time.Time, now time.Time) []FollowUp {
	returned, now = day(returned), day(now)
	out := make([]FollowUp, len(s.Months))
	for i, m := range s.Months {
		due := homeward.AddMonths(returned, m)
		out[i] = FollowUp{Months: m, Due: due, Opens: due.AddDate(0, 0, -s.OpenDays), OverdueFrom: due.AddDate(0, 0, s.GraceDays+1)}
	}
	done := append([]time.Time(nil), completed...)
	sort.Slice(done, func(i, j int) bool { return done[i].Before(done[j]) })
	for _, c := range done {
		c = day(c)
		for i := len(out) - 1; i >= 0; i-- {
			if out[i].DoneAt == nil && !c.Before(out[i].Opens) {
				at := c
				out[i].DoneAt = &at
				break
			}
		}
	}
	for i := range out {
		f := &out[i]
		switch {
		case f.DoneAt != nil:
			f.Status = Done
		case now.Before(f.Opens):
			f.Status = Upcoming
		case i+1 < len(out) && !now.Before(out[i+1].Opens):
			f.Status = Missed
		case now.Before(f.OverdueFrom):
			f.Status = Due
		default:
			f.Status = Overdue
		}
	}
	return out
}

// day returns t's calendar date in t's own location, as midnight UTC.
func day(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

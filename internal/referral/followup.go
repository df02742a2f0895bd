package referral

import (
	"slices"
	"time"

	"homeward"
)

// Follow-ups keep track of what happens after a service: the business a
// grant paid for is visited every three months for a year after the first
// payment, and a person placed in a job is asked whether they are still
// employed one, three and six months after starting — until a check finds
// they are not.

// GrantVisitMonths is the time between business visits of a paid grant.
const GrantVisitMonths = 3

// GrantVisitYears is how long after the first payment visits go on.
const GrantVisitYears = 1

// PlacementCheckMonths are the months after the start of a job when the
// placement is checked.
var PlacementCheckMonths = []int{1, 3, 6}

// DueFollowUp is a delivery whose next follow-up is due.
type DueFollowUp struct {
	Delivery
	Due string `json:"due"` // YYYY-MM-DD
}

// NextFollowUp returns the date (YYYY-MM-DD) of the delivery's next
// follow-up, and false when none is expected: an unpaid or refused grant,
// a grant visited for its year, a placement checked three times or found
// ended, and every other kind of record. Months are counted by
// homeward.AddMonths; a payment's day is its date in loc, the instance's
// time zone.
func (d *Delivery) NextFollowUp(loc *time.Location) (string, bool) {
	switch {
	case d.Kind == KindGrant && d.Grant != nil:
		return d.Grant.nextVisit(loc)
	case d.Kind == KindPlacement && d.Placement != nil:
		return d.Placement.nextCheck()
	}
	return "", false
}

// NextFollowUpIn is NextFollowUp for a delivery whose referral is in state
// s: none once the referral ended unfinished (see DeliveryStates).
func (d *Delivery) NextFollowUpIn(s State, loc *time.Location) (string, bool) {
	if !slices.Contains(DeliveryStates, s) {
		return "", false
	}
	return d.NextFollowUp(loc)
}

func (g *Grant) nextVisit(loc *time.Location) (string, bool) {
	if g.Status != GrantApproved && g.Status != GrantDisbursed {
		return "", false
	}
	var first time.Time
	for _, t := range g.Tranches {
		if t.DisbursedAt != nil && (first.IsZero() || t.DisbursedAt.Before(first)) {
			first = *t.DisbursedAt
		}
	}
	if first.IsZero() {
		return "", false
	}
	paid := localDay(first, loc)
	last := paid
	for _, v := range g.Visits {
		if d, err := time.Parse(time.DateOnly, v.Date); err == nil && d.After(last) {
			last = d
		}
	}
	due := homeward.AddMonths(last, GrantVisitMonths)
	if due.After(homeward.AddMonths(paid, 12*GrantVisitYears)) {
		return "", false
	}
	return due.Format(time.DateOnly), true
}

func (p *Placement) nextCheck() (string, bool) {
	n := len(p.FollowUps)
	if n >= len(PlacementCheckMonths) || n > 0 && !p.FollowUps[n-1].StillEmployed {
		return "", false
	}
	start, err := time.Parse(time.DateOnly, p.StartDate)
	if err != nil {
		return "", false
	}
	return homeward.AddMonths(start, PlacementCheckMonths[n]).Format(time.DateOnly), true
}

// localDay returns the calendar date of instant t in loc (UTC when nil), as
// midnight UTC so that it compares with dates parsed from YYYY-MM-DD.
func localDay(t time.Time, loc *time.Location) time.Time {
	if loc == nil {
		loc = time.UTC
	}
	y, m, d := t.In(loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

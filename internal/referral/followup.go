package referral

import (
	"slices"
	"time"
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
// ended, and every other kind of record.
func (d *Delivery) NextFollowUp() (string, bool) {
	switch {
	case d.Kind == KindGrant && d.Grant != nil:
		return d.Grant.nextVisit()
	case d.Kind == KindPlacement && d.Placement != nil:
		return d.Placement.nextCheck()
	}
	return "", false
}

// NextFollowUpIn is NextFollowUp for a delivery whose referral is in state
// s: none once the referral ended unfinished (see DeliveryStates).
func (d *Delivery) NextFollowUpIn(s State) (string, bool) {
	if !slices.Contains(DeliveryStates, s) {
		return "", false
	}
	return d.NextFollowUp()
}

func (g *Grant) nextVisit() (string, bool) {
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
	paid := first.UTC().Truncate(24 * time.Hour)
	last := paid
	for _, v := range g.Visits {
		if d, err := time.Parse(time.DateOnly, v.Date); err == nil && d.After(last) {
			last = d
		}
	}
	due := last.AddDate(0, GrantVisitMonths, 0)
	if due.After(paid.AddDate(GrantVisitYears, 0, 0)) {
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
	return start.AddDate(0, PlacementCheckMonths[n], 0).Format(time.DateOnly), true
}

package referral_test

import (
	"testing"
	"time"

	"homeward/internal/referral"
)

func TestNextFollowUp(t *testing.T) {
	paid := time.Date(2026, 1, 10, 15, 0, 0, 0, time.UTC)
	grant := func(status referral.GrantStatus, paidAt *time.Time, visits ...string) *referral.Delivery {
		g := &referral.Grant{Status: status, Tranches: []referral.Tranche{{Amount: 1, DisbursedAt: paidAt}, {Amount: 1}}}
		for _, v := range visits {
			g.Visits = append(g.Visits, referral.Visit{Date: v, Trading: true})
		}
		return &referral.Delivery{Kind: referral.KindGrant, Grant: g}
	}
	placement := func(start string, still ...bool) *referral.Delivery {
		p := &referral.Placement{StartDate: start}
		for _, s := range still {
			p.FollowUps = append(p.FollowUps, referral.FollowUp{Date: "2026-03-01", StillEmployed: s})
		}
		return &referral.Delivery{Kind: referral.KindPlacement, Placement: p}
	}
	for _, c := range []struct {
		name string
		d    *referral.Delivery
		want string // "" for none
	}{
		{"grant requested", grant(referral.GrantRequested, nil), ""},
		{"grant approved, unpaid", grant(referral.GrantApproved, nil), ""},
		{"grant rejected", grant(referral.GrantRejected, nil), ""},
		{"grant paid, not visited", grant(referral.GrantApproved, &paid), "2026-04-10"},
		{"grant visited", grant(referral.GrantDisbursed, &paid, "2026-04-20"), "2026-07-20"},
		{"grant visited in any order", grant(referral.GrantDisbursed, &paid, "2026-10-02", "2026-04-20"), "2027-01-02"},
		{"grant visited for its year", grant(referral.GrantDisbursed, &paid, "2026-04-10", "2026-07-10", "2026-10-10", "2027-01-10"), ""},
		{"placement started", placement("2026-02-15"), "2026-03-15"},
		{"placement checked once", placement("2026-02-15", true), "2026-05-15"},
		{"placement checked twice", placement("2026-02-15", true, true), "2026-08-15"},
		{"placement checked thrice", placement("2026-02-15", true, true, true), ""},
		{"placement ended", placement("2026-02-15", false), ""},
		{"training", &referral.Delivery{Kind: referral.KindTraining, Training: &referral.Training{}}, ""},
	} {
		got, ok := c.d.NextFollowUp(time.UTC)
		if got != c.want || ok != (c.want != "") {
			t.Errorf("%s: %q %v, want %q", c.name, got, ok, c.want)
		}
	}
}

func TestNextFollowUpIn(t *testing.T) {
	d := &referral.Delivery{Kind: referral.KindPlacement, Placement: &referral.Placement{StartDate: "2026-02-15"}}
	for _, s := range referral.States {
		want := ""
		switch s {
		case referral.StateAccepted, referral.StateInProgress, referral.StateCompleted:
			want = "2026-03-15"
		}
		if got, ok := d.NextFollowUpIn(s, time.UTC); got != want || ok != (want != "") {
			t.Errorf("referral %s: %q %v, want %q", s, got, ok, want)
		}
	}
}

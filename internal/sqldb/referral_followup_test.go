package sqldb_test

import (
	"testing"
	"time"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

func TestFollowUpsDue(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	rec := w.returnee(t, "7234567890", w.Provider.ID)
	w.offer(t, "business_grant_cash", 0)
	w.offer(t, "job_placement", 0)
	staff := w.as("provider", homeward.RoleProviderStaff)
	now := db.Now()
	date := func(months int) string { return now.AddDate(0, months, 0).Format(time.DateOnly) }

	// A grant paid today.
	g := w.move(t, staff, w.send(t, rec, "business_grant_cash"), referral.StateAccepted, "")
	d, err := db.AddDelivery(staff, g.ID, referral.DeliveryInput{Grant: &referral.Grant{Amount: registry.Money{Amount: 50000, Currency: "BDT"},
		Channel: referral.ChannelBKash, AccountRef: "01712345678", Purpose: "Grocery shop", Tranches: []referral.Tranche{{Amount: 30000}, {Amount: 20000}}}})
	if err != nil {
		t.Fatal(err)
	}
	if d, err = db.DecideGrant(userCtx(w.Sup2), d.ID, d.Version, true, ""); err != nil {
		t.Fatal(err)
	}
	if d, err = db.DisburseTranche(staff, d.ID, d.Version, 0, "TX-1"); err != nil {
		t.Fatal(err)
	}
	grantID := d.ID
	// A job that started two months ago.
	p := w.move(t, staff, w.send(t, rec, "job_placement"), referral.StateAccepted, "")
	placement := referral.Placement{Employer: "Meghna Garments", Position: "Sewing machine operator", ISCO: "8153",
		Wage: registry.Money{Amount: 12500, Currency: "BDT"}, WagePer: "month", StartDate: date(-2)}
	pd, err := db.AddDelivery(staff, p.ID, referral.DeliveryInput{Placement: &placement})
	if err != nil {
		t.Fatal(err)
	}

	due := func(org string, r homeward.Role) map[string]string {
		t.Helper()
		tk, err := db.Tasks(w.as(org, r))
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, f := range tk.FollowUpsDue {
			out[f.ID] = f.Due
		}
		return out
	}
	// Today only the placement's first check (a month after the start) is due.
	if got := due("provider", homeward.RoleProviderStaff); len(got) != 1 || got[pd.ID] != date(-1) {
		t.Errorf("follow-ups due today: %v", got)
	}
	// Three months and a day later the grant's first visit is due too.
	realNow := db.Now
	t.Cleanup(func() { db.Now = realNow })
	db.Now = func() time.Time { return now.AddDate(0, 3, 1) }
	if got := due("provider", homeward.RoleCaseWorker); len(got) != 2 || got[grantID] != date(3) || got[pd.ID] != date(-1) {
		t.Errorf("follow-ups due later: %v", got)
	}
	if got := due("ngo", homeward.RoleCaseWorker); len(got) != 0 {
		t.Errorf("the referring organisation is asked to follow up the provider's records: %v", got)
	}
	// Checked: the next check is three months after the start.
	placement.FollowUps = []referral.FollowUp{{Date: date(0), StillEmployed: true}}
	if pd, err = db.UpdateDelivery(staff, pd.ID, pd.Version, referral.DeliveryInput{Placement: &placement}); err != nil {
		t.Fatal(err)
	}
	if got := due("provider", homeward.RoleProviderStaff); got[pd.ID] != date(1) {
		t.Errorf("after the first check: %v", got)
	}
	// No longer employed: no more checks.
	placement.FollowUps = append(placement.FollowUps, referral.FollowUp{Date: date(1), StillEmployed: false})
	if _, err = db.UpdateDelivery(staff, pd.ID, pd.Version, referral.DeliveryInput{Placement: &placement}); err != nil {
		t.Fatal(err)
	}
	if got := due("provider", homeward.RoleProviderStaff); got[pd.ID] != "" || got[grantID] == "" {
		t.Errorf("after the job ended: %v", got)
	}
	// A grant whose referral ended unfinished is not followed up.
	w.move(t, staff, g, referral.StateNotCompleted, referral.NotCompletedMoved)
	if got := due("provider", homeward.RoleProviderStaff); len(got) != 0 {
		t.Errorf("after the grant's referral ended: %v", got)
	}
}

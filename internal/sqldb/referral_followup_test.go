package sqldb_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

func TestFollowUpsDue(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	rec := w.returnee(t, "7234567890", w.Provider.ID)
	w.offer(t, "business_grant_cash", 0)
	w.offer(t, "job_placement", 0)
	staff := w.as("provider", homeward.RoleProviderStaff)
	now := db.Now()
	date, after := monthsFrom(now)

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
		tk, err := db.Tasks(w.as(org, r), 0)
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
	if got := due("provider", homeward.RoleProviderStaff); len(got) != 1 || got[pd.ID] != after(date(-2), 1) {
		t.Errorf("follow-ups due today: %v", got)
	}
	// Three months and a day later the grant's first visit is due too.
	realNow := db.Now
	t.Cleanup(func() { db.Now = realNow })
	db.Now = func() time.Time { return homeward.AddMonths(now.In(homewardtest.Zone), 3).AddDate(0, 0, 1) }
	if got := due("provider", homeward.RoleCaseWorker); len(got) != 2 || got[grantID] != date(3) || got[pd.ID] != after(date(-2), 1) {
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
	if got := due("provider", homeward.RoleProviderStaff); got[pd.ID] != after(date(-2), 3) {
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

// storedFollowUps reads service_deliveries.next_follow_up by record ("" for
// NULL).
func storedFollowUps(t *testing.T, db *sqldb.DB) map[string]string {
	t.Helper()
	rows, err := sqldb.RawDB(t, db).Query(`SELECT id, next_follow_up FROM service_deliveries`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id string
		var due sql.NullString
		if err := rows.Scan(&id, &due); err != nil {
			t.Fatal(err)
		}
		out[id] = due.String
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestFollowUpStored checks the next follow-up each write stores with a
// delivery record, and that migration 0009 fills in the same for records
// written before it.
func TestFollowUpStored(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	ctx := context.Background()
	w.offer(t, "business_grant_cash", 0)
	w.offer(t, "job_placement", 0)
	w.offer(t, "skills_training", 0)
	staff := w.as("provider", homeward.RoleProviderStaff)
	date, after := monthsFrom(db.Now())
	people := make([]*registry.Record, 4)
	for i := range people {
		people[i] = w.returnee(t, fmt.Sprintf("824567890%d", i), w.Provider.ID)
	}
	accepted := func(rec *registry.Record, service string) *referral.Referral {
		t.Helper()
		return w.move(t, staff, w.send(t, rec, service), referral.StateAccepted, "")
	}
	placement := func(r *referral.Referral, start string, checks ...bool) *referral.Delivery {
		t.Helper()
		p := referral.Placement{Employer: "Meghna Garments", Position: "Sewing machine operator", Wage: registry.Money{Amount: 12500, Currency: "BDT"}, WagePer: "month", StartDate: start}
		d, err := db.AddDelivery(staff, r.ID, referral.DeliveryInput{Placement: &p})
		if err != nil {
			t.Fatal(err)
		}
		for i, still := range checks {
			p.FollowUps = append(p.FollowUps, referral.FollowUp{Date: date(-1 + i), StillEmployed: still})
		}
		if len(checks) > 0 {
			if d, err = db.UpdateDelivery(staff, d.ID, d.Version, referral.DeliveryInput{Placement: &p}); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}
	grant := func(r *referral.Referral, paid bool) *referral.Delivery {
		t.Helper()
		d, err := db.AddDelivery(staff, r.ID, referral.DeliveryInput{Grant: &referral.Grant{Amount: registry.Money{Amount: 50000, Currency: "BDT"},
			Channel: referral.ChannelCash, Purpose: "Grocery shop", Tranches: []referral.Tranche{{Amount: 50000}}}})
		if err != nil {
			t.Fatal(err)
		}
		if paid {
			if d, err = db.DecideGrant(userCtx(w.Sup2), d.ID, d.Version, true, ""); err != nil {
				t.Fatal(err)
			}
			if d, err = db.DisburseTranche(staff, d.ID, d.Version, 0, ""); err != nil {
				t.Fatal(err)
			}
		}
		return d
	}

	want := map[string]string{}
	d := placement(accepted(people[0], "job_placement"), date(-2))
	want[d.ID] = after(date(-2), 1) // the first check, a month after the start
	d = placement(accepted(people[1], "job_placement"), date(-2), true)
	want[d.ID] = after(date(-2), 3) // checked once: the next at three months
	d = placement(accepted(people[2], "job_placement"), date(-2), false)
	want[d.ID] = "" // no longer employed
	d = grant(accepted(people[0], "business_grant_cash"), true)
	want[d.ID] = date(3) // paid today: visited in three months
	d = grant(accepted(people[1], "business_grant_cash"), false)
	want[d.ID] = "" // not paid
	ended := accepted(people[2], "business_grant_cash")
	d = grant(ended, true)
	w.move(t, staff, ended, referral.StateNotCompleted, referral.NotCompletedMoved)
	want[d.ID] = "" // the referral ended unfinished
	training := accepted(people[3], "skills_training")
	if d, err := db.AddDelivery(staff, training.ID, referral.DeliveryInput{Training: &referral.Training{Course: "House wiring", Outcome: referral.TrainingEnrolled}}); err != nil {
		t.Fatal(err)
	} else {
		want[d.ID] = ""
	}

	if got := storedFollowUps(t, db); !maps.Equal(got, want) {
		t.Errorf("stored by the writes:\n got %v\nwant %v", got, want)
	}

	// The same records as migration 0009 found them: it fills them in.
	raw := sqldb.RawDB(t, db)
	undo := []string{`DROP INDEX service_deliveries_follow_up`, `ALTER TABLE service_deliveries DROP COLUMN next_follow_up`, `DELETE FROM schema_migrations WHERE version = 9`}
	for _, q := range undo {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if got := storedFollowUps(t, db); !maps.Equal(got, want) {
		t.Errorf("filled in by the migration:\n got %v\nwant %v", got, want)
	}
}

// TestFollowUpsDueAmongMany checks the follow-ups due of a provider with
// more records than a scan of them would read: the most overdue come first
// however many records there are, and a record drops out when its visit is
// recorded or its referral ends unfinished.
func TestFollowUpsDueAmongMany(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	ctx := context.Background()
	w.offer(t, "business_grant_cash", 0)
	w.offer(t, "job_placement", 0)
	staff := w.as("provider", homeward.RoleProviderStaff)
	now := db.Now()
	day := func(days int) string { return now.In(homewardtest.Zone).AddDate(0, 0, days).Format(time.DateOnly) }
	_, after := monthsFrom(now)
	rec := w.returnee(t, "8345678901", w.Provider.ID)

	// 2,100 completed job placements, each first checked ten days ago:
	// copies of one kept through the service (a service call each would
	// take minutes).
	r := w.move(t, staff, w.send(t, rec, "job_placement"), referral.StateAccepted, "")
	placement := referral.Placement{Employer: "Meghna Garments", Position: "Sewing machine operator", Wage: registry.Money{Amount: 12500, Currency: "BDT"},
		WagePer: "month", StartDate: now.In(homewardtest.Zone).AddDate(0, -1, -10).Format(time.DateOnly)}
	copiesDue := after(placement.StartDate, 1) // about ten days ago
	tmpl, err := db.AddDelivery(staff, r.ID, referral.DeliveryInput{Placement: &placement})
	if err != nil {
		t.Fatal(err)
	}
	r = w.move(t, staff, w.move(t, staff, r, referral.StateInProgress, ""), referral.StateCompleted, "")
	const copies = 2100
	raw := sqldb.RawDB(t, db)
	tx, err := raw.Begin()
	if err != nil {
		t.Fatal(err)
	}
	for range copies {
		rid, did := homeward.NewID(), homeward.NewID()
		if _, err := tx.Exec(sqldb.Rebind(db, `INSERT INTO referrals (id, from_org_id, to_org_id, to_user_id, case_id, person_id, plan_id, service_type, state, respond_by, due_date, referral, version, sent_at, updated_at)
			SELECT CAST(? AS TEXT), from_org_id, to_org_id, to_user_id, case_id, person_id, plan_id, service_type, state, respond_by, due_date, REPLACE(referral, id, CAST(? AS TEXT)), version, sent_at, updated_at
			FROM referrals WHERE id = ?`), rid, rid, r.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(sqldb.Rebind(db, `INSERT INTO service_deliveries (id, referral_id, org_id, kind, pending_approval, requested_by, delivery, next_follow_up, version, created_at, updated_at)
			SELECT CAST(? AS TEXT), CAST(? AS TEXT), org_id, kind, pending_approval, requested_by, REPLACE(REPLACE(delivery, id, CAST(? AS TEXT)), referral_id, CAST(? AS TEXT)), next_follow_up, version, created_at, updated_at
			FROM service_deliveries WHERE id = ?`), did, rid, did, rid, tmpl.ID); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	// Written after them: a placement whose first check is seventy days
	// overdue, and a grant paid four months ago, not yet visited.
	p := w.move(t, staff, w.send(t, rec, "job_placement"), referral.StateAccepted, "")
	placement.StartDate = now.In(homewardtest.Zone).AddDate(0, -1, -70).Format(time.DateOnly)
	oldest, err := db.AddDelivery(staff, p.ID, referral.DeliveryInput{Placement: &placement})
	if err != nil {
		t.Fatal(err)
	}
	oldestDue, _ := oldest.NextFollowUp(homewardtest.Zone)
	g := w.move(t, staff, w.send(t, rec, "business_grant_cash"), referral.StateAccepted, "")
	grant := referral.Grant{Amount: registry.Money{Amount: 50000, Currency: "BDT"}, Channel: referral.ChannelCash, Purpose: "Grocery shop", Tranches: []referral.Tranche{{Amount: 50000}}}
	gd, err := db.AddDelivery(staff, g.ID, referral.DeliveryInput{Grant: &grant})
	if err != nil {
		t.Fatal(err)
	}
	if gd, err = db.DecideGrant(userCtx(w.Sup2), gd.ID, gd.Version, true, ""); err != nil {
		t.Fatal(err)
	}
	realNow := db.Now
	db.Now = func() time.Time { return now.AddDate(0, -4, 0) }
	gd, err = db.DisburseTranche(staff, gd.ID, gd.Version, 0, "")
	db.Now = realNow
	if err != nil {
		t.Fatal(err)
	}
	grantDue, _ := gd.NextFollowUp(homewardtest.Zone)

	// due lists the follow-ups due and checks their count: all of them,
	// however few are listed.
	due := func(count int) []referral.DueFollowUp {
		t.Helper()
		tk, err := db.Tasks(staff, 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(tk.FollowUpsDue) != referral.MaxTasks || tk.Counts.FollowUpsDue != count {
			t.Errorf("%d follow-ups listed, %d counted; want %d of %d", len(tk.FollowUpsDue), tk.Counts.FollowUpsDue, referral.MaxTasks, count)
		}
		return tk.FollowUpsDue
	}
	has := func(list []referral.DueFollowUp, id string) bool {
		return slices.ContainsFunc(list, func(f referral.DueFollowUp) bool { return f.ID == id })
	}
	// first shows the first two listed (by id and date).
	first := func(list []referral.DueFollowUp) []string {
		var out []string
		for _, f := range list[:min(2, len(list))] {
			out = append(out, f.ID+" "+f.Due)
		}
		return out
	}
	got := due(copies + 3) // with the one copied, the placement and the grant
	if len(got) < 2 || got[0].ID != oldest.ID || got[0].Due != oldestDue || got[1].ID != gd.ID || got[1].Due != grantDue {
		t.Fatalf("the most overdue are not first among %d records: %d listed, first %v; want %s %s, %s %s", copies, len(got), first(got), oldest.ID, oldestDue, gd.ID, grantDue)
	}
	if got[2].Due != copiesDue {
		t.Errorf("then the copies, due %s: %s", copiesDue, got[2].Due)
	}

	// The business is visited today: the next visit is in three months.
	grant = *gd.Grant
	grant.Visits = []referral.Visit{{Date: day(0), Trading: true}}
	if _, err := db.UpdateDelivery(staff, gd.ID, gd.Version, referral.DeliveryInput{Grant: &grant}); err != nil {
		t.Fatal(err)
	}
	if got := due(copies + 2); has(got, gd.ID) || got[0].ID != oldest.ID {
		t.Errorf("after the visit the grant is still due: %v", first(got))
	}
	// The placement's referral ends unfinished: no more checks.
	w.move(t, staff, p, referral.StateNotCompleted, referral.NotCompletedDropped)
	if got := due(copies + 1); has(got, oldest.ID) || got[0].Due != copiesDue {
		t.Errorf("after the referral ended the placement is still due: %v", first(got))
	}

	// The migration fills in the same dates, batch after batch.
	before := storedFollowUps(t, db)
	for _, q := range []string{`DROP INDEX service_deliveries_follow_up`, `ALTER TABLE service_deliveries DROP COLUMN next_follow_up`, `DELETE FROM schema_migrations WHERE version = 9`} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if after := storedFollowUps(t, db); len(after) != copies+3 || !maps.Equal(after, before) {
		t.Errorf("filled in by the migration: %d records, same as written: %v", len(after), maps.Equal(after, before))
	}
}

// TestTaskCounts checks that each kind of task is counted in full however
// few are listed: the counts of a short list equal the lengths of the full
// lists, and its items are the full lists' first.
func TestTaskCounts(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	w.offer(t, "skills_training", 0)
	w.offer(t, "business_grant_cash", 0)
	w.offer(t, "job_placement", 0)
	cw := w.as("ngo", homeward.RoleCaseWorker)
	staff := w.as("provider", homeward.RoleProviderStaff)
	var recs []*registry.Record
	for i := range 3 {
		recs = append(recs, w.returnee(t, fmt.Sprintf("854567890%d", i), w.Provider.ID))
	}
	for i, rec := range recs {
		w.send(t, rec, "skills_training") // three to answer, overdue in a week
		if i == 2 {
			break
		}
		// Two plans awaiting approval, overdue in a month.
		p, err := db.CreatePlan(cw, rec.Case.ID, referral.PlanInput{Goals: []referral.Goal{{Text: "Open a tea stall"}},
			Services: []referral.PlannedService{{ServiceType: "business_grant_cash", Budget: &registry.Money{Amount: 50000, Currency: "BDT"}}}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.AgreePlan(cw, p.ID, p.Version, referral.Agreement{Method: registry.MethodDigital}); err != nil {
			t.Fatal(err)
		}
		// Two grants to approve and two placements to check.
		g := w.move(t, staff, w.send(t, rec, "business_grant_cash"), referral.StateAccepted, "")
		if _, err := db.AddDelivery(staff, g.ID, referral.DeliveryInput{Grant: &referral.Grant{Amount: registry.Money{Amount: 50000, Currency: "BDT"},
			Channel: referral.ChannelCash, Purpose: "Tea stall", Tranches: []referral.Tranche{{Amount: 50000}}}}); err != nil {
			t.Fatal(err)
		}
		pl := w.move(t, staff, w.send(t, rec, "job_placement"), referral.StateAccepted, "")
		if _, err := db.AddDelivery(staff, pl.ID, referral.DeliveryInput{Placement: &referral.Placement{Employer: "Meghna Garments", Position: "Helper",
			Wage: registry.Money{Amount: 12500, Currency: "BDT"}, WagePer: "month", StartDate: db.Now().AddDate(0, -2, -i).Format(time.DateOnly)}}); err != nil {
			t.Fatal(err)
		}
	}
	realNow := db.Now
	t.Cleanup(func() { db.Now = realNow })
	db.Now = func() time.Time { return realNow().AddDate(0, 2, 0) }

	type group struct {
		name  string
		ids   func(*referral.Tasks) []string
		count func(*referral.Tasks) int
	}
	ids := func(n int, id func(int) string) []string {
		out := []string{}
		for i := range n {
			out = append(out, id(i))
		}
		return out
	}
	groups := []group{
		{"awaiting response", func(t *referral.Tasks) []string {
			return ids(len(t.AwaitingResponse), func(i int) string { return t.AwaitingResponse[i].ID })
		}, func(t *referral.Tasks) int { return t.Counts.AwaitingResponse }},
		{"overdue referrals", func(t *referral.Tasks) []string {
			return ids(len(t.OverdueReferrals), func(i int) string { return t.OverdueReferrals[i].ID })
		}, func(t *referral.Tasks) int { return t.Counts.OverdueReferrals }},
		{"overdue plans", func(t *referral.Tasks) []string {
			return ids(len(t.OverduePlans), func(i int) string { return t.OverduePlans[i].ID })
		}, func(t *referral.Tasks) int { return t.Counts.OverduePlans }},
		{"plans to approve", func(t *referral.Tasks) []string {
			return ids(len(t.PlansToApprove), func(i int) string { return t.PlansToApprove[i].ID })
		}, func(t *referral.Tasks) int { return t.Counts.PlansToApprove }},
		{"grants to approve", func(t *referral.Tasks) []string {
			return ids(len(t.GrantsToApprove), func(i int) string { return t.GrantsToApprove[i].ID })
		}, func(t *referral.Tasks) int { return t.Counts.GrantsToApprove }},
		{"follow-ups due", func(t *referral.Tasks) []string {
			return ids(len(t.FollowUpsDue), func(i int) string { return t.FollowUpsDue[i].ID })
		}, func(t *referral.Tasks) int { return t.Counts.FollowUpsDue }},
	}
	most := map[string]int{}
	for _, who := range []struct {
		org  string
		role homeward.Role
	}{{"ngo", homeward.RoleCaseWorker}, {"ngo", homeward.RoleSupervisor}, {"provider", homeward.RoleProviderStaff}, {"provider", homeward.RoleSupervisor}} {
		ctx := w.as(who.org, who.role)
		full, err := db.Tasks(ctx, 0)
		if err != nil {
			t.Fatal(err)
		}
		short, err := db.Tasks(ctx, 1)
		if err != nil {
			t.Fatal(err)
		}
		for _, g := range groups {
			all, first := g.ids(full), g.ids(short)
			most[g.name] = max(most[g.name], len(all))
			if g.count(full) != len(all) || g.count(short) != len(all) || len(first) != min(1, len(all)) || len(all) > 0 && first[0] != all[0] {
				t.Errorf("%s/%s, %s: %d listed of %d (full list: %d, counted %d)", who.org, who.role, g.name, len(first), g.count(short), len(all), g.count(full))
			}
		}
	}
	for _, g := range groups {
		if most[g.name] < 2 {
			t.Errorf("%s: at most %d for anyone; the test needs more than one", g.name, most[g.name])
		}
	}
}

// TestFollowUpsDueAcrossMidnight checks the store's "due by today" in the
// instance's time zone (Asia/Dhaka, UTC+6) at the edge of a leap February:
// a grant paid five minutes into 31 January in Dhaka (30 January in UTC)
// and a job started that day are due on 29 February and 30 April (the
// month's end, not 2 March or 1 May), from the first minute of the day in
// Dhaka, not from 06:00 when UTC's day turns.
func TestFollowUpsDueAcrossMidnight(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	at := func(s string) func() time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, homewardtest.Zone)
		if err != nil {
			t.Fatal(err)
		}
		return func() time.Time { return tm.UTC() }
	}
	db.Now = at("2028-01-31 00:05")
	rec := w.returnee(t, "7234567891", w.Provider.ID)
	w.offer(t, "business_grant_cash", 0)
	w.offer(t, "job_placement", 0)
	staff := w.as("provider", homeward.RoleProviderStaff)
	g := w.move(t, staff, w.send(t, rec, "business_grant_cash"), referral.StateAccepted, "")
	d, err := db.AddDelivery(staff, g.ID, referral.DeliveryInput{Grant: &referral.Grant{Amount: registry.Money{Amount: 50000, Currency: "BDT"},
		Channel: referral.ChannelCash, Purpose: "Grocery shop", Tranches: []referral.Tranche{{Amount: 50000}}}})
	if err != nil {
		t.Fatal(err)
	}
	if d, err = db.DecideGrant(userCtx(w.Sup2), d.ID, d.Version, true, ""); err != nil {
		t.Fatal(err)
	}
	if d, err = db.DisburseTranche(staff, d.ID, d.Version, 0, "TX-1"); err != nil {
		t.Fatal(err)
	}
	p := w.move(t, staff, w.send(t, rec, "job_placement"), referral.StateAccepted, "")
	pd, err := db.AddDelivery(staff, p.ID, referral.DeliveryInput{Placement: &referral.Placement{Employer: "Meghna Garments", Position: "Helper",
		Wage: registry.Money{Amount: 12500, Currency: "BDT"}, WagePer: "month", StartDate: "2028-01-31"}})
	if err != nil {
		t.Fatal(err)
	}
	due := func(now string) map[string]string {
		t.Helper()
		db.Now = at(now)
		tk, err := db.Tasks(staff, 0)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		for _, f := range tk.FollowUpsDue {
			out[f.ID] = f.Due
		}
		if len(out) != tk.Counts.FollowUpsDue {
			t.Errorf("at %s: %d listed, %d counted", now, len(out), tk.Counts.FollowUpsDue)
		}
		return out
	}
	for _, c := range []struct {
		now  string
		want map[string]string
	}{
		{"2028-02-28 23:59", map[string]string{}},
		{"2028-02-29 00:00", map[string]string{pd.ID: "2028-02-29"}},
		{"2028-04-29 23:59", map[string]string{pd.ID: "2028-02-29"}},
		{"2028-04-30 00:01", map[string]string{pd.ID: "2028-02-29", d.ID: "2028-04-30"}},
	} {
		if got := due(c.now); !maps.Equal(got, c.want) {
			t.Errorf("due at %s in Dhaka: %v, want %v", c.now, got, c.want)
		}
	}
}

// monthsFrom returns, for the instant now, date(n): the day n months from
// today in the instance's time zone, and after(d, n): n months after the
// date d, both by the one month rule (homeward.AddMonths).
func monthsFrom(now time.Time) (date func(int) string, after func(string, int) string) {
	y, m, d := now.In(homewardtest.Zone).Date()
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	date = func(n int) string { return homeward.AddMonths(today, n).Format(time.DateOnly) }
	after = func(from string, n int) string {
		t, err := time.Parse(time.DateOnly, from)
		if err != nil {
			panic(err)
		}
		return homeward.AddMonths(t, n).Format(time.DateOnly)
	}
	return date, after
}

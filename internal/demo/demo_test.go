package demo_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/demo"
	"homeward/internal/indicator"
	"homeward/internal/programme"
	"homeward/internal/referral"
	"homeward/internal/rpl"
)

// TestSeed seeds the demo world once and checks that it shows real work:
// referrals in every state, plans in every status, grants at every step,
// and a non-empty task list for every demo user who has one.
func TestSeed(t *testing.T) {
	ctx := context.Background()
	db := homewardtest.Open(t)
	w, err := demo.Seed(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	// Anyone tries the demo with its one password: no demo user is asked
	// for a second factor or sent to set one up (the e2e tests sign in so).
	for email := range w.Users {
		token, s, err := db.Login(ctx, email, demo.Password)
		if err != nil || s.SecondFactor {
			t.Fatalf("demo sign-in %s: %v %+v", email, err, s)
		}
		if a, _, err := db.SessionActor(ctx, token); err != nil || a.MustEnrol {
			t.Errorf("demo user %s must set up a second factor: %v", email, err)
		}
	}
	as := func(email string) context.Context {
		t.Helper()
		u := w.Users[email]
		if u == nil {
			t.Fatalf("no demo user %s", email)
		}
		a := &homeward.Actor{UserID: u.ID, OrgID: u.OrgID, Name: u.Name, Email: u.Email, Roles: u.Roles, Locale: "en"}
		for _, o := range w.Orgs {
			a.Operator = a.Operator || o.ID == u.OrgID && o.Operator
		}
		return homeward.NewContextWithActor(ctx, a)
	}

	t.Run("arrivals announced from abroad", func(t *testing.T) {
		list, err := db.Arrivals(as("caseworker@shapla.demo"), "", "")
		if err != nil {
			t.Fatal(err)
		}
		states := map[string]int{}
		today := db.Now().In(homewardtest.Zone).Format("2006-01-02")
		meetToday := 0
		for _, a := range list {
			states[a.State]++
			if a.State == "expected" && a.TravelDate == today && a.Announcement.Urgent {
				meetToday++
			}
		}
		if states["accepted"] < 2 || states["declined"] != 1 || states["expected"] < 1 || meetToday != 1 {
			t.Errorf("arrivals by state %v, %d to meet today", states, meetToday)
		}
	})

	t.Run("every referral state", func(t *testing.T) {
		sent, received := map[referral.State]int{}, map[referral.State]int{}
		for _, sup := range []string{"supervisor@shapla.demo", "supervisor@smwf.demo", "supervisor@prottyasha.demo", "supervisor@wewb.demo", "supervisor@notunshuru.demo"} {
			st, err := db.ReferralStats(as(sup))
			if err != nil {
				t.Fatal(err)
			}
			for s, n := range st.Sent.ByState {
				sent[s] += n
			}
			for s, n := range st.Received.ByState {
				received[s] += n
			}
		}
		for _, s := range referral.States {
			if sent[s] == 0 {
				t.Errorf("no demo referral is %s (sent: %v)", s, sent)
			}
		}
		if received[referral.StateSent] == 0 || received[referral.StateCompleted] == 0 || received[referral.StateNotCompleted] == 0 {
			t.Errorf("the enterprise fund's received referrals: %v", received)
		}
	})

	t.Run("plans", func(t *testing.T) {
		plans, err := db.FindPlans(as("caseworker@shapla.demo"), referral.PlanFilter{})
		if err != nil {
			t.Fatal(err)
		}
		status := map[referral.PlanStatus]int{}
		overdue, bangla := 0, 0
		for _, p := range plans {
			status[p.Status]++
			if p.Overdue {
				overdue++
			}
			if slices.ContainsFunc(p.Goals, func(g referral.Goal) bool { return g.Text != "" && g.Text[0] >= 0xe0 }) {
				bangla++
			}
		}
		if status[referral.PlanDraft] == 0 || status[referral.PlanActive] == 0 || status[referral.PlanAwaitingApproval] == 0 || overdue == 0 || bangla == 0 {
			t.Errorf("Shapla's plans: %v, %d overdue, %d with Bangla goals", status, overdue, bangla)
		}
	})

	t.Run("grants", func(t *testing.T) {
		list, _, err := db.FindReferrals(as("officer@notunshuru.demo"), referral.ReferralFilter{Box: referral.Inbox, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		status := map[referral.GrantStatus]int{}
		channels := map[referral.Channel]int{}
		visits, paid := 0, 0
		for _, r := range list {
			ds, err := db.FindDeliveries(as("officer@notunshuru.demo"), r.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if d.Grant == nil {
					continue
				}
				status[d.Grant.Status]++
				channels[d.Grant.Channel]++
				visits += len(d.Grant.Visits)
				for _, tr := range d.Grant.Tranches {
					if tr.DisbursedAt != nil {
						paid++
					}
				}
				if d.Grant.ApprovedBy != "" && d.Grant.ApprovedBy == d.Grant.RequestedBy {
					t.Error("a grant approved by its requester")
				}
			}
		}
		for _, s := range referral.GrantStatuses {
			if status[s] == 0 {
				t.Errorf("no grant is %s: %v", s, status)
			}
		}
		if channels[referral.ChannelBKash] == 0 || channels[referral.ChannelNagad] == 0 || channels[referral.ChannelBank] == 0 || visits == 0 || paid == 0 {
			t.Errorf("grants: channels %v, %d visits, %d tranches paid", channels, visits, paid)
		}
	})

	// TTC Dhaka's webhook has a delivery log to show, but its example
	// address is never tried: the webhook is stopped and nothing is due.
	t.Run("webhook", func(t *testing.T) {
		admin := as("admin@ttc-dhaka.demo")
		hooks, err := db.FindWebhooks(admin)
		if err != nil || len(hooks) != 1 {
			t.Fatalf("TTC Dhaka's webhooks: %v %+v", err, hooks)
		}
		h := hooks[0]
		if u, err := url.Parse(h.URL); err != nil || !strings.HasSuffix(u.Hostname(), ".example") || h.Active {
			t.Errorf("webhook %s active=%v: want a stopped webhook at an example address", h.URL, h.Active)
		}
		log, err := db.WebhookDeliveries(admin, h.ID)
		if err != nil || len(log) < 5 {
			t.Fatalf("delivery log: %v, %d deliveries", err, len(log))
		}
		for _, d := range log {
			if d.Status != "failed" || d.NextAt != nil || d.Attempts != 0 || d.LastError == "" {
				t.Errorf("delivery %s: %s, %d attempts, next %v, error %q", d.Event.Type, d.Status, d.Attempts, d.NextAt, d.LastError)
			}
		}
		sent := 0
		if _, err := db.DeliverWebhooks(homewardtest.SystemCtx(), func(context.Context, referral.Message) (int, error) { sent++; return 0, errors.New("unreachable") }); err != nil || sent != 0 {
			t.Errorf("a delivery round tried %d deliveries (%v)", sent, err)
		}
	})

	// Everyone who works with referrals or plans finds work waiting, except
	// the ministry's supervisor: the ministry keeps no cases.
	t.Run("tasks", func(t *testing.T) {
		for _, o := range demo.Orgs {
			for _, u := range o.Users {
				// Assessors' work is skills recognition.
				if strings.HasPrefix(u.Email, "assessor@") {
					if work, err := db.RPLWork(as(u.Email)); err != nil || len(work.ToAssess) == 0 {
						t.Errorf("%s has no application to assess (%v)", u.Email, err)
					}
					continue
				}
				if o.Key == "ministry" || !slices.ContainsFunc(u.Roles, func(r homeward.Role) bool {
					return r == homeward.RoleCaseWorker || r == homeward.RoleSupervisor || r == homeward.RoleProviderStaff
				}) {
					continue
				}
				tk, err := db.Tasks(as(u.Email), 0)
				if err != nil {
					t.Fatal(err)
				}
				n := len(tk.AwaitingResponse) + len(tk.OverdueReferrals) + len(tk.OverduePlans) + len(tk.PlansToApprove) + len(tk.GrantsToApprove) + len(tk.FollowUpsDue)
				if n == 0 {
					t.Errorf("%s has no tasks", u.Email)
				}
			}
		}
		checks := []struct {
			email string
			ok    func(*referral.Tasks) bool
		}{
			{"supervisor@shapla.demo", func(t *referral.Tasks) bool { return len(t.PlansToApprove) > 0 && len(t.OverduePlans) > 0 }},
			{"caseworker@shapla.demo", func(t *referral.Tasks) bool { return len(t.OverduePlans) > 0 && len(t.OverdueReferrals) > 0 }},
			{"staff@ttc-dhaka.demo", func(t *referral.Tasks) bool { return len(t.AwaitingResponse) > 0 && len(t.OverdueReferrals) > 0 }},
			{"counsellor@monjotno.demo", func(t *referral.Tasks) bool { return len(t.AwaitingResponse) > 0 }},
			{"supervisor@notunshuru.demo", func(t *referral.Tasks) bool { return len(t.GrantsToApprove) > 0 && len(t.AwaitingResponse) > 0 }},
			{"officer@notunshuru.demo", func(t *referral.Tasks) bool {
				return len(t.GrantsToApprove) == 0 && len(t.AwaitingResponse) > 0 && len(t.FollowUpsDue) > 0
			}},
			{"hr@meghna.demo", func(t *referral.Tasks) bool { return len(t.FollowUpsDue) > 0 }},
		}
		for _, c := range checks {
			tk, err := db.Tasks(as(c.email), 0)
			if err != nil {
				t.Fatal(err)
			}
			if !c.ok(tk) {
				t.Errorf("%s's tasks: %d to answer, %d overdue referrals, %d overdue plans, %d plans and %d grants to approve, %d follow-ups", c.email,
					len(tk.AwaitingResponse), len(tk.OverdueReferrals), len(tk.OverduePlans), len(tk.PlansToApprove), len(tk.GrantsToApprove), len(tk.FollowUpsDue))
			}
		}
	})
	// Certified returnees of two organisations; one certificate revoked,
	// and each verifies (or not) as it should.
	t.Run("certificates", func(t *testing.T) {
		for _, c := range []struct {
			email           string
			active, revoked int
		}{{"supervisor@shapla.demo", 3, 0}, {"supervisor@smwf.demo", 2, 1}} {
			list, err := db.Credentials(as(c.email), "")
			if err != nil {
				t.Fatal(err)
			}
			active, revoked := 0, 0
			for _, cr := range list {
				v := rpl.Verify(t.Context(), db, cr.Document, db.Now())
				switch {
				case cr.Status() == "revoked" && !v.Valid && v.Status == "revoked":
					revoked++
				case cr.Status() == "active" && v.Valid:
					active++
				default:
					t.Errorf("%s: certificate %s %s verifies as %+v", c.email, cr.ID, cr.Status(), v)
				}
			}
			if active != c.active || revoked != c.revoked {
				t.Errorf("%s: %d active, %d revoked; want %d, %d", c.email, active, revoked, c.active, c.revoked)
			}
		}
	})
	// RAISE at three NGOs, Shokti at Shapla: the ministry's analyst sees
	// RAISE's cases of all three added up, and some cases in both.
	t.Run("programmes", func(t *testing.T) {
		all, err := db.Programmes(as("me@ministry.demo"), programme.Filter{Counts: true})
		if err != nil {
			t.Fatal(err)
		}
		raise := 0
		for _, p := range all {
			if p.Code == "RAISE" && p.Enrolled > 0 {
				raise++
			}
		}
		if raise != 3 {
			t.Errorf("RAISE with cases at %d organisations: %+v", raise, all)
		}
		if _, err := db.RebuildIndicators(homewardtest.SystemCtx(), indicator.Standard()); err != nil {
			t.Fatal(err)
		}
		def, _ := indicator.Find("registrations")
		now := indicator.Month(db.Now().Format("2006-01"))
		s, err := db.IndicatorSeries(as("me@ministry.demo"), def, indicator.Query{From: "2000-01", To: now, By: []string{"programme"}})
		if err != nil {
			t.Fatal(err)
		}
		shown := map[string]bool{}
		for _, r := range s.Rows {
			shown[r.By["programme"]] = shown[r.By["programme"]] || !r.Suppressed
		}
		if !shown["RAISE"] || !shown[""] {
			t.Errorf("registrations by programme: %+v", s.Rows)
		}
	})
}

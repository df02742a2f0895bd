package sqldb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	homecountry "homeward/internal/country"
	"homeward/internal/password"
	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// refWorld is the test world with a third organisation, a training and
// counselling centre, with one user per role (and a second supervisor).
type refWorld struct {
	*homewardtest.World
	Provider *homeward.Organisation
	PUsers   map[homeward.Role]*homeward.User
	Sup2     *homeward.User
}

func newRefWorld(t *testing.T) *refWorld {
	t.Helper()
	w := &refWorld{World: homewardtest.NewWorld(t), PUsers: map[homeward.Role]*homeward.User{}}
	sys := homewardtest.SystemCtx()
	w.Provider = &homeward.Organisation{Name: "Dhaka Skills and Care Centre", Type: homeward.OrgServiceProvider, Country: "BD", Areas: []string{"BD3026"}}
	if err := w.DB.CreateOrganisation(sys, w.Provider); err != nil {
		t.Fatal(err)
	}
	hash := password.Hash(homewardtest.Password)
	for _, r := range homeward.Roles {
		u := &homeward.User{OrgID: w.Provider.ID, Email: string(r) + "@provider.test", Name: "provider " + string(r), Roles: []homeward.Role{r}}
		if err := w.DB.CreateUserWithHash(sys, u, hash); err != nil {
			t.Fatal(err)
		}
		w.PUsers[r] = u
	}
	w.Sup2 = &homeward.User{OrgID: w.Provider.ID, Email: "supervisor2@provider.test", Name: "second supervisor", Roles: []homeward.Role{homeward.RoleSupervisor}}
	if err := w.DB.CreateUserWithHash(sys, w.Sup2, hash); err != nil {
		t.Fatal(err)
	}
	return w
}

// as returns a context acting as org's user of role ("ngo", "operator",
// "provider").
func (w *refWorld) as(org string, r homeward.Role) context.Context {
	if org != "provider" {
		return w.Ctx(org, r)
	}
	return userCtx(w.PUsers[r])
}

func userCtx(u *homeward.User) context.Context {
	return homeward.NewContextWithActor(context.Background(), &homeward.Actor{UserID: u.ID, OrgID: u.OrgID, Name: u.Name, Roles: u.Roles, Locale: "en"})
}

// returnee registers a person with the NGO, with consent for referral to
// the organisations named (by id).
func (w *refWorld) returnee(t *testing.T, nid string, consentTo ...string) *registry.Record {
	t.Helper()
	consents := `{"purpose":"registration_case_management","method":"signed_form"}`
	for _, org := range consentTo {
		consents += fmt.Sprintf(`,{"purpose":"referral","method":"signed_form","recipient":{"org_id":%q}}`, org)
	}
	js := fmt.Sprintf(`{"person":{"given_name":"Rahima","family_name":"Khatun","sex":"female","date_of_birth":"1992",
		"phones":["01712-345678"],"documents":[{"type":"national_id","number":%q,"issuing_country":"BD"}],
		"address":{"admin_area":"BD302602","text":"House 7"}},
		"episodes":[{"destination_country":"SA","sector":"domestic_work","departure_date":"2019-02","return":{"date":%q,"return_type":"deported","point_of_entry":"BD-DAC"}}],
		"consents":[%s]}`, nid, homewardtest.Today(w.DB, -10), consents)
	var reg registry.Registration
	if err := json.Unmarshal([]byte(js), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), &reg)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return rec
}

func (w *refWorld) offer(t *testing.T, service string, places int, mod ...func(*referral.Offer)) *referral.Offer {
	t.Helper()
	o := &referral.Offer{ServiceType: service, Areas: []string{"BD30"}, Active: true, Capacity: referral.Capacity{Places: places},
		Contact: referral.Contact{Name: "Front desk", Phone: "+8802 5555"}, Hours: []referral.Hours{{Days: []string{"sa", "su", "mo", "tu", "we", "th"}, Opens: "09:00", Closes: "17:00"}}}
	for _, m := range mod {
		m(o)
	}
	if err := w.DB.CreateOffer(w.as("provider", homeward.RoleAdministrator), o); err != nil {
		t.Fatalf("offer %s: %v", service, err)
	}
	return o
}

func (w *refWorld) send(t *testing.T, rec *registry.Record, service string) *referral.Referral {
	t.Helper()
	r, err := w.DB.SendReferral(w.as("ngo", homeward.RoleCaseWorker), &referral.Draft{CaseID: rec.Case.ID, ToOrgID: w.Provider.ID, ServiceType: service})
	if err != nil {
		t.Fatalf("send %s: %v", service, err)
	}
	return r
}

func (w *refWorld) move(t *testing.T, ctx context.Context, r *referral.Referral, to referral.State, reason referral.Reason) *referral.Referral {
	t.Helper()
	got, err := w.DB.MoveReferral(ctx, r.ID, r.Version, referral.Transition{To: to, Reason: reason})
	if err != nil {
		t.Fatalf("%s → %s: %v", r.State, to, err)
	}
	return got
}

func timelineKinds(t *testing.T, w *refWorld, caseID string) []string {
	t.Helper()
	evs, err := w.DB.Timeline(w.Ctx("ngo", homeward.RoleCaseWorker), caseID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range evs {
		out = append(out, string(e.Kind))
	}
	return out
}

func TestReferralLoop(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	cw := w.as("ngo", homeward.RoleCaseWorker)
	staff := w.as("provider", homeward.RoleProviderStaff)
	rec := w.returnee(t, "1234567890", w.Provider.ID)
	noConsent := w.returnee(t, "2234567890")
	w.offer(t, "skills_training", 10)

	// A plan with a training, agreed.
	plan, err := db.CreatePlan(cw, rec.Case.ID, referral.PlanInput{Goals: []referral.Goal{{Text: "আমি ইলেকট্রিশিয়ান হতে চাই", Dimension: "economic"}},
		Services: []referral.PlannedService{{ServiceType: "skills_training", ProviderOrgID: w.Provider.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if plan.Status != referral.PlanDraft || plan.DueDate == "" || plan.Services[0].ID == "" {
		t.Fatalf("plan: %+v", plan)
	}
	if _, err := db.CreatePlan(cw, rec.Case.ID, referral.PlanInput{Goals: []referral.Goal{{Text: "x"}}}); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("second plan: %v", err)
	}
	if plan, err = db.AgreePlan(cw, plan.ID, plan.Version, referral.Agreement{Method: registry.MethodSignedForm}); err != nil || plan.Status != referral.PlanActive {
		t.Fatalf("agree: %v", err)
	}

	refused := []struct {
		name string
		d    referral.Draft
		code string
		key  string
	}{
		{"no consent", referral.Draft{CaseID: noConsent.Case.ID, ToOrgID: w.Provider.ID, ServiceType: "skills_training"}, homeward.ECONFLICT, "referral.send.no_consent"},
		{"not offered", referral.Draft{CaseID: rec.Case.ID, ToOrgID: w.Provider.ID, ServiceType: "housing"}, homeward.ECONFLICT, "referral.send.not_offered"},
		{"unknown service", referral.Draft{CaseID: rec.Case.ID, ToOrgID: w.Provider.ID, ServiceType: "magic"}, homeward.EINVALID, ""},
		{"unknown organisation", referral.Draft{CaseID: rec.Case.ID, ToOrgID: homeward.NewID(), ServiceType: "skills_training"}, homeward.EINVALID, "referral.org_unknown"},
		{"user of another organisation", referral.Draft{CaseID: rec.Case.ID, ToOrgID: w.Provider.ID, ToUserID: w.Users["ngo"][homeward.RoleSupervisor].ID, ServiceType: "skills_training"}, homeward.EINVALID, "referral.send.user_unknown"},
	}
	for _, tt := range refused {
		_, err := db.SendReferral(cw, &tt.d)
		if homewardtest.Code(err) != tt.code {
			t.Errorf("%s: %v", tt.name, err)
		} else if e, ok := err.(*homeward.Error); tt.key != "" && (!ok || e.Key != tt.key) {
			t.Errorf("%s: key %v", tt.name, err)
		}
	}
	// Another organisation's case does not exist for the operator.
	if _, err := db.SendReferral(w.as("operator", homeward.RoleCaseWorker), &referral.Draft{CaseID: rec.Case.ID, ToOrgID: w.Provider.ID, ServiceType: "skills_training"}); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("operator sends NGO case: %v", err)
	}

	r, err := db.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: w.Provider.ID, ToUserID: w.PUsers[homeward.RoleProviderStaff].ID,
		ServiceType: "skills_training", PlanID: plan.ID, PlannedServiceID: plan.Services[0].ID, Note: "Wants electrical work"})
	if err != nil {
		t.Fatal(err)
	}
	// The default deadline is 7 working days of Bangladesh, counted from
	// the local day (the exact dates are in TestReferralDeadlineWorkingDays).
	bd := homecountry.Lookup("BD")
	if r.State != referral.StateSent || !r.RespondBy.Equal(bd.AddWorkingDays(r.SentAt.In(homewardtest.Zone), 7)) || r.RespondBy.Sub(r.SentAt) < 7*24*time.Hour || r.CaseID != rec.Case.ID {
		t.Errorf("sent: %+v", r)
	}
	if _, err := db.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: w.Provider.ID, ServiceType: "skills_training"}); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("second open referral: %v", err)
	}
	if p, _ := db.FindPlan(cw, plan.ID); p.Services[0].Status != referral.ServiceReferred || p.Services[0].ReferralID != r.ID {
		t.Errorf("plan not marked referred: %+v", p.Services[0])
	}

	// The receiver sees the shared fields and nothing of the case.
	got, err := db.FindReferral(staff, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(got)
	for _, never := range []string{rec.Case.ID, rec.Person.ID, plan.ID, "1234567890", "House 7", "deported"} {
		if strings.Contains(string(b), never) {
			t.Errorf("receiver sees %q: %s", never, b)
		}
	}
	if got.Shared.GivenName != "Rahima" || got.Shared.Phone == "" || got.Shared.District != "BD3026" || got.Shared.CaseNumber == "" {
		t.Errorf("shared: %+v", got.Shared)
	}
	// … and cannot open the case itself.
	if _, err := db.FindRecord(staff, rec.Person.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("receiver reads the case: %v", err)
	}
	if _, err := db.FindReferral(w.as("operator", homeward.RoleSupervisor), r.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("third organisation: %v", err)
	}
	inbox, _, err := db.FindReferrals(staff, referral.ReferralFilter{Box: referral.Inbox})
	if err != nil || len(inbox) != 1 || inbox[0].CaseID != "" {
		t.Fatalf("inbox: %v %+v", err, inbox)
	}

	// Stale and wrong-side moves change nothing.
	if _, err := db.MoveReferral(staff, r.ID, r.Version+1, referral.Transition{To: referral.StateAccepted}); homewardtest.Code(err) != homeward.EPRECONDITION {
		t.Errorf("stale: %v", err)
	}
	if _, err := db.MoveReferral(cw, r.ID, r.Version, referral.Transition{To: referral.StateAccepted}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("sender accepts: %v", err)
	}
	if _, err := db.MoveReferral(staff, r.ID, r.Version, referral.Transition{To: referral.StateRevoked}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("receiver revokes: %v", err)
	}
	if _, err := db.MoveReferral(staff, r.ID, r.Version, referral.Transition{To: referral.StateCompleted}); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("sent → completed: %v", err)
	}
	r = w.move(t, staff, got, referral.StateAccepted, "")

	// Delivery: enrol, attend, complete.
	d, err := db.AddDelivery(staff, r.ID, referral.DeliveryInput{Training: &referral.Training{Course: "House wiring", Trade: "Electrician", ISCO: "7411",
		StartDate: "2026-04-01", EndDate: "2026-06-30", Hours: 360, EnrolledOn: "2026-03-20", Outcome: referral.TrainingEnrolled}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddDelivery(cw, r.ID, referral.DeliveryInput{Training: &referral.Training{Course: "x", Outcome: referral.TrainingEnrolled}}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("sender records delivery: %v", err)
	}
	r = w.move(t, staff, r, referral.StateInProgress, "")
	d.Training.Outcome, d.Training.CertificateRef = referral.TrainingCompleted, "BTEB-2026-0042"
	// 6 of 360 hours is not a completed course.
	d.Training.Attendance = []referral.Attendance{{Date: "2026-04-01", Hours: 6}}
	if _, err = db.UpdateDelivery(staff, d.ID, d.Version, referral.DeliveryInput{Training: d.Training}); homewardtest.Code(err) != homeward.EINVALID {
		t.Fatalf("completed after 6 of 360 hours: %v", err)
	}
	for day := 2; len(d.Training.Attendance) < 48; day++ {
		d.Training.Attendance = append(d.Training.Attendance, referral.Attendance{Date: fmt.Sprintf("2026-05-%02d", day%28+1), Hours: 6})
	}
	if _, err = db.UpdateDelivery(staff, d.ID, d.Version, referral.DeliveryInput{Training: d.Training}); err != nil {
		t.Fatal(err)
	}
	// Recording the completion completed the referral: asked once.
	if r, err = db.FindReferral(staff, r.ID); err != nil || r.State != referral.StateCompleted || r.ClosedAt == nil {
		t.Fatalf("referral after the completion was recorded: %v %+v", err, r)
	}
	if r.ClosedAt == nil {
		t.Error("completed without closed_at")
	}

	// The loop is closed for the case worker.
	mine, err := db.FindReferral(cw, r.ID)
	if err != nil || mine.State != referral.StateCompleted || len(mine.History) != 4 {
		t.Fatalf("sender view: %v %+v", err, mine)
	}
	ds, err := db.FindDeliveries(cw, r.ID)
	if err != nil || len(ds) != 1 || ds[0].Training.CertificateRef != "BTEB-2026-0042" {
		t.Fatalf("sender sees delivery: %v %+v", err, ds)
	}
	p, _ := db.FindPlan(cw, plan.ID)
	if p.Services[0].Status != referral.ServiceDelivered || p.Services[0].DeliveredAt == nil {
		t.Errorf("plan service: %+v", p.Services[0])
	}
	kinds := strings.Join(timelineKinds(t, w, rec.Case.ID), " ")
	for _, k := range []string{"plan_created", "plan_agreed", "referral_sent", "referral_accepted", "delivery_recorded", "referral_in_progress", "delivery_updated", "referral_completed", "plan_service_delivered"} {
		if !strings.Contains(kinds, k) {
			t.Errorf("timeline lacks %s: %s", k, kinds)
		}
	}
	// Every transition is in the audit log of the organisation that acted.
	for org, actions := range map[string][]string{w.NGO.ID: {"referral.sent"}, w.Provider.ID: {"referral.accepted", "referral.in_progress", "referral.completed"}} {
		evs, _, err := db.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{OrgID: &org, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		var seen []string
		for _, e := range evs {
			seen = append(seen, e.Action)
		}
		for _, a := range actions {
			if !strings.Contains(strings.Join(seen, " "), a) {
				t.Errorf("audit of %s lacks %s: %v", org, a, seen)
			}
		}
	}
	// A new referral for the same service may follow a closed one.
	if _, err := db.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: w.Provider.ID, ServiceType: "skills_training"}); err != nil {
		t.Errorf("after completion: %v", err)
	}

	stats, err := db.ReferralStats(w.as("ngo", homeward.RoleSupervisor))
	if err != nil || stats.Sent.Total != 2 || stats.Sent.ByState[referral.StateCompleted] != 1 || len(stats.ByOrg) != 1 || stats.ByOrg[0].OrgName != w.Provider.Name {
		t.Errorf("stats: %v %+v", err, stats)
	}
	pstats, _ := db.ReferralStats(w.as("provider", homeward.RoleSupervisor))
	if pstats.Received.Total != 2 || pstats.Sent.Total != 0 {
		t.Errorf("provider stats: %+v", pstats)
	}
	if _, err := db.ReferralStats(cw); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker stats: %v", err)
	}
}

func TestReferralCapacityEligibilityExpiry(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	cw := w.as("ngo", homeward.RoleCaseWorker)
	a := w.returnee(t, "3234567890", w.Provider.ID)
	b := w.returnee(t, "4234567890", w.Provider.ID)
	min40 := 40
	w.offer(t, "skills_training", 1)
	w.offer(t, "job_placement", 0, func(o *referral.Offer) { o.Eligibility.MinAge = &min40 })
	w.offer(t, "business_startup", 0)

	if _, err := db.SendReferral(cw, &referral.Draft{CaseID: a.Case.ID, ToOrgID: w.Provider.ID, ServiceType: "job_placement"}); homewardtest.Code(err) != homeward.ECONFLICT || !strings.Contains(err.Error(), "eligibility") {
		t.Errorf("ineligible: %v", err)
	}
	// An offer of a parent type covers its children.
	if _, err := db.SendReferral(cw, &referral.Draft{CaseID: a.Case.ID, ToOrgID: w.Provider.ID, ServiceType: "business_grant_cash"}); err != nil {
		t.Errorf("child of offered type: %v", err)
	}
	first := w.send(t, a, "skills_training")
	if _, err := db.SendReferral(cw, &referral.Draft{CaseID: b.Case.ID, ToOrgID: w.Provider.ID, ServiceType: "skills_training"}); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("beyond capacity: %v", err)
	}
	offers, err := db.FindOffers(cw, referral.OfferFilter{ServiceType: "skills_training", Area: "BD302602"})
	if err != nil || len(offers) != 1 || offers[0].PlacesLeft == nil || *offers[0].PlacesLeft != 0 {
		t.Fatalf("directory: %v %+v", err, offers)
	}
	if o, _ := db.FindOffers(cw, referral.OfferFilter{Area: "BD6091"}); len(o) != 0 {
		t.Errorf("Sylhet finds Dhaka offers: %+v", o)
	}
	// Revoking frees the place.
	w.move(t, cw, first, referral.StateRevoked, "")
	second := w.send(t, b, "skills_training")

	// Expiry: after its deadline the unanswered referral expires, by the system.
	real := db.Now
	t.Cleanup(func() { db.Now = real })
	db.Now = func() time.Time { return second.RespondBy.Add(time.Minute) }
	staff := w.as("provider", homeward.RoleProviderStaff)
	if _, err := db.MoveReferral(staff, second.ID, second.Version, referral.Transition{To: referral.StateAccepted}); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("accept after deadline: %v", err)
	}
	overdue, _, err := db.FindReferrals(w.as("ngo", homeward.RoleSupervisor), referral.ReferralFilter{Overdue: true})
	if err != nil {
		t.Fatal(err)
	}
	_ = overdue // expired by the list's sweep, or listed as overdue
	if _, err := db.ExpireReferrals(cw); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a user expires: %v", err)
	}
	if _, err := db.ExpireReferrals(homewardtest.SystemCtx()); err != nil {
		t.Fatal(err)
	}
	got, _ := db.FindReferral(cw, second.ID)
	if got.State != referral.StateExpired || got.History[len(got.History)-1].By != "system" {
		t.Errorf("not expired: %+v", got)
	}
	if !strings.Contains(strings.Join(timelineKinds(t, w, b.Case.ID), " "), "referral_expired") {
		t.Error("expiry not on the timeline")
	}
}

// Every role of each of three organisations against every referral
// action, on a referral from the NGO to the provider.
func TestReferralEveryRoleEveryAction(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	rec := w.returnee(t, "5234567890", w.Provider.ID)
	w.offer(t, "skills_training", 0)
	w.offer(t, "psychosocial_counselling", 0)

	// want[action][org] = roles allowed; others get the code noted.
	type exp struct {
		roles []homeward.Role
		other string // code for other roles of this org
	}
	cwSup := []homeward.Role{homeward.RoleCaseWorker, homeward.RoleSupervisor}
	cwSupStaff := []homeward.Role{homeward.RoleCaseWorker, homeward.RoleSupervisor, homeward.RoleProviderStaff}
	// A third organisation: roles that may read referrals are told the
	// referral does not exist; the others are refused before any lookup.
	nf := exp{nil, homeward.ENOTFOUND}
	actions := []struct {
		name string
		want map[string]exp
		do   func(ctx context.Context, r *referral.Referral) error
	}{
		{"read", map[string]exp{"ngo": {cwSupStaff, homeward.EFORBIDDEN}, "provider": {cwSupStaff, homeward.EFORBIDDEN}, "operator": nf},
			func(ctx context.Context, r *referral.Referral) error {
				_, err := db.FindReferral(ctx, r.ID)
				return err
			}},
		{"accept", map[string]exp{"ngo": {nil, homeward.EFORBIDDEN}, "provider": {cwSupStaff, homeward.EFORBIDDEN}, "operator": nf},
			func(ctx context.Context, r *referral.Referral) error {
				_, err := db.MoveReferral(ctx, r.ID, r.Version, referral.Transition{To: referral.StateAccepted})
				return err
			}},
		{"decline", map[string]exp{"ngo": {nil, homeward.EFORBIDDEN}, "provider": {cwSupStaff, homeward.EFORBIDDEN}, "operator": nf},
			func(ctx context.Context, r *referral.Referral) error {
				_, err := db.MoveReferral(ctx, r.ID, r.Version, referral.Transition{To: referral.StateDeclined, Reason: referral.DeclineNoCapacity})
				return err
			}},
		{"revoke", map[string]exp{"ngo": {cwSup, homeward.EFORBIDDEN}, "provider": {nil, homeward.EFORBIDDEN}, "operator": nf},
			func(ctx context.Context, r *referral.Referral) error {
				_, err := db.MoveReferral(ctx, r.ID, r.Version, referral.Transition{To: referral.StateRevoked})
				return err
			}},
		{"deliveries", map[string]exp{"ngo": {cwSupStaff, homeward.EFORBIDDEN}, "provider": {cwSupStaff, homeward.EFORBIDDEN}, "operator": nf},
			func(ctx context.Context, r *referral.Referral) error {
				_, err := db.FindDeliveries(ctx, r.ID)
				return err
			}},
	}
	orgs := []string{"ngo", "provider", "operator"}
	for _, act := range actions {
		for _, org := range orgs {
			for _, role := range homeward.Roles {
				r := w.send(t, rec, "skills_training")
				err := act.do(w.as(org, role), r)
				e := act.want[org]
				want := e.other
				if want == homeward.ENOTFOUND && !homeward.Can(&homeward.Actor{OrgID: "x", Roles: []homeward.Role{role}}, homeward.ActReferralRead, homeward.Resource{OrgID: "x"}) {
					want = homeward.EFORBIDDEN
				}
				for _, x := range e.roles {
					if x == role {
						want = ""
					}
				}
				if got := homewardtest.Code(err); got != want {
					t.Errorf("%s as %s of %s: %q (%v), want %q", act.name, role, org, got, err, want)
				}
				// Close it so that the next referral may be sent.
				cur, _ := db.FindReferral(w.as("ngo", homeward.RoleCaseWorker), r.ID)
				if cur.State.Open() {
					if _, err := db.MoveReferral(w.as("ngo", homeward.RoleCaseWorker), cur.ID, cur.Version, referral.Transition{To: referral.StateRevoked}); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
	}

	// Delivery actions on an accepted counselling referral.
	r, err := db.SendReferral(w.as("ngo", homeward.RoleCaseWorker), &referral.Draft{CaseID: rec.Case.ID, ToOrgID: w.Provider.ID, ServiceType: "psychosocial_counselling"})
	if err != nil {
		t.Fatal(err)
	}
	r = w.move(t, w.as("provider", homeward.RoleProviderStaff), r, referral.StateAccepted, "")
	d, err := db.AddDelivery(w.as("provider", homeward.RoleProviderStaff), r.ID, referral.DeliveryInput{Counselling: &referral.Counselling{}})
	if err != nil {
		t.Fatal(err)
	}
	counsellor := w.as("provider", homeward.RoleProviderStaff)
	if d, err = db.AddSession(counsellor, d.ID, d.Version, referral.SessionInput{Date: homewardtest.Today(db, 0), Type: referral.SessionIndividual, Minutes: 50,
		Notes: "Reports nightmares about detention; agreed breathing exercises."}); err != nil {
		t.Fatal(err)
	}
	for _, org := range orgs {
		for _, role := range homeward.Roles {
			ctx := w.as(org, role)
			want := homeward.EFORBIDDEN
			switch {
			case org == "provider" && role == homeward.RoleProviderStaff:
				want = ""
			case org == "operator":
				want = homeward.ENOTFOUND
			}
			notes, err := db.SessionNotes(ctx, d.ID)
			if got := homewardtest.Code(err); got != want {
				t.Errorf("notes as %s of %s: %q, want %q", role, org, got, want)
			}
			if want == "" && (len(notes) != 1 || !strings.Contains(notes[0].Text, "nightmares")) {
				t.Errorf("notes: %+v", notes)
			}
			// Sessions (without notes) are visible to both sides' readers.
			got, err := db.FindDelivery(ctx, d.ID)
			if err == nil && (len(got.Counselling.Sessions) != 1 || !got.Counselling.Sessions[0].HasNotes) {
				t.Errorf("sessions: %+v", got.Counselling)
			}
			if b, _ := json.Marshal(got); strings.Contains(string(b), "nightmares") {
				t.Errorf("notes leak through the delivery record to %s of %s", role, org)
			}
		}
	}
	if _, err := db.AddSession(w.as("provider", homeward.RoleSupervisor), d.ID, d.Version, referral.SessionInput{Date: homewardtest.Today(db, 0), Type: referral.SessionGroup}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("non-counsellor adds a session: %v", err)
	}
	// Reading notes is audited.
	org := w.Provider.ID
	evs, _, _ := db.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{OrgID: &org, Limit: 500})
	found := false
	for _, e := range evs {
		found = found || e.Action == "counselling.notes.read"
	}
	if !found {
		t.Error("reading notes is not audited")
	}
}

func TestGrantFourEyesStored(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	rec := w.returnee(t, "6234567890", w.Provider.ID)
	w.offer(t, "business_grant_cash", 0)
	r := w.send(t, rec, "business_grant_cash")
	sup := w.as("provider", homeward.RoleSupervisor)
	r = w.move(t, sup, r, referral.StateAccepted, "")
	// The supervisor requests; the same supervisor may not approve.
	d, err := db.AddDelivery(sup, r.ID, referral.DeliveryInput{Grant: &referral.Grant{Amount: registry.Money{Amount: 50000, Currency: "BDT"},
		Channel: referral.ChannelNagad, AccountRef: "01812345678", Purpose: "Grocery shop", Tranches: []referral.Tranche{{Amount: 30000}, {Amount: 20000}}}})
	if err != nil {
		t.Fatal(err)
	}
	if d.Grant.RequestedBy != w.PUsers[homeward.RoleSupervisor].ID || d.Grant.Status != referral.GrantRequested {
		t.Fatalf("grant: %+v", d.Grant)
	}
	tasks, err := db.Tasks(sup, 0)
	if err != nil || len(tasks.GrantsToApprove) != 0 {
		t.Errorf("requester is asked to approve: %v %+v", err, tasks)
	}
	sup2 := userCtx(w.Sup2)
	tasks, _ = db.Tasks(sup2, 0)
	if len(tasks.GrantsToApprove) != 1 {
		t.Errorf("second supervisor's tasks: %+v", tasks)
	}
	if _, err := db.DecideGrant(sup, d.ID, d.Version, true, ""); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("approved by its requester: %v", err)
	}
	if _, err := db.DecideGrant(w.as("provider", homeward.RoleCaseWorker), d.ID, d.Version, true, ""); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("approved by a case worker: %v", err)
	}
	if _, err := db.DecideGrant(w.as("ngo", homeward.RoleSupervisor), d.ID, d.Version, true, ""); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("approved by the referring organisation: %v", err)
	}
	if _, err := db.DisburseTranche(sup, d.ID, d.Version, 0, "TX1"); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("paid before approval: %v", err)
	}
	if d, err = db.DecideGrant(sup2, d.ID, d.Version, true, "Plan is sound"); err != nil || d.Grant.Status != referral.GrantApproved {
		t.Fatalf("approve: %v", err)
	}
	if _, err := db.DecideGrant(sup2, d.ID, d.Version-1, true, ""); homewardtest.Code(err) != homeward.EPRECONDITION {
		t.Errorf("stale: %v", err)
	}
	staff := w.as("provider", homeward.RoleProviderStaff)
	for i, ref := range []string{"NGD-1", "NGD-2"} {
		if d, err = db.DisburseTranche(staff, d.ID, d.Version, i, ref); err != nil {
			t.Fatal(err)
		}
	}
	if d.Grant.Status != referral.GrantDisbursed {
		t.Errorf("status %s", d.Grant.Status)
	}
	if tasks, _ = db.Tasks(sup2, 0); len(tasks.GrantsToApprove) != 0 {
		t.Error("approved grant still awaiting")
	}
}

func TestPlanApprovalAndOverdue(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	cw := w.as("ngo", homeward.RoleCaseWorker)
	sup := w.as("ngo", homeward.RoleSupervisor)
	rec := w.returnee(t, "7234567890")
	p, err := db.CreatePlan(cw, rec.Case.ID, referral.PlanInput{Goals: []referral.Goal{{Text: "Open a tea stall"}},
		Services: []referral.PlannedService{{ServiceType: "business_grant_cash", Budget: &registry.Money{Amount: 50000, Currency: "BDT"}, TargetDate: "2026-06-01"}}})
	if err != nil {
		t.Fatal(err)
	}
	if p, err = db.AgreePlan(cw, p.ID, p.Version, referral.Agreement{Method: registry.MethodDigital}); err != nil || p.Status != referral.PlanAwaitingApproval {
		t.Fatalf("agree: %v %s", err, p.Status)
	}
	if _, err := db.ApprovePlan(cw, p.ID, p.Version, ""); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker approves: %v", err)
	}
	if _, err := db.ApprovePlan(w.as("operator", homeward.RoleSupervisor), p.ID, p.Version, ""); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("operator approves: %v", err)
	}
	tasks, err := db.Tasks(sup, 0)
	if err != nil || len(tasks.PlansToApprove) != 1 {
		t.Fatalf("tasks: %v %+v", err, tasks)
	}
	if p, err = db.ApprovePlan(sup, p.ID, p.Version, "ok"); err != nil || p.Status != referral.PlanActive {
		t.Fatalf("approve: %v", err)
	}
	// Overdue: a draft plan past its due date.
	rec2 := w.returnee(t, "8234567890")
	p2, err := db.CreatePlan(cw, rec2.Case.ID, referral.PlanInput{Goals: []referral.Goal{{Text: "Find work"}}})
	if err != nil {
		t.Fatal(err)
	}
	real := db.Now
	t.Cleanup(func() { db.Now = real })
	db.Now = func() time.Time { return real().AddDate(0, 2, 0) }
	overdue, err := db.FindPlans(cw, referral.PlanFilter{Overdue: true})
	if err != nil || len(overdue) != 1 || overdue[0].ID != p2.ID || !overdue[0].Overdue {
		t.Errorf("overdue plans: %v %+v", err, overdue)
	}
	if _, err := db.UpdatePlan(cw, p2.ID, p2.Version+3, referral.PlanInput{Goals: []referral.Goal{{Text: "x"}}}); homewardtest.Code(err) != homeward.EPRECONDITION {
		t.Errorf("stale plan update: %v", err)
	}
}

func TestWebhookDeliveryLog(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	admin := w.as("provider", homeward.RoleAdministrator)
	h := &referral.Webhook{URL: "https://partner.example/hooks"}
	if err := db.CreateWebhook(admin, h); err != nil || !strings.HasPrefix(h.Secret, "whsec_") {
		t.Fatalf("create: %v", err)
	}
	if err := db.CreateWebhook(admin, &referral.Webhook{URL: "http://partner.example/"}); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("plain http: %v", err)
	}
	if err := db.CreateWebhook(w.as("provider", homeward.RoleCaseWorker), &referral.Webhook{URL: "https://x.example"}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker: %v", err)
	}
	rec := w.returnee(t, "9234567890", w.Provider.ID)
	w.offer(t, "skills_training", 0)
	w.send(t, rec, "skills_training")
	var bodies []string
	fail := true
	send := func(_ context.Context, m referral.Message) (int, error) {
		if !referral.Verify([]byte(h.Secret), m.Signature, m.Body, db.Now(), time.Minute) || m.URL != h.URL {
			t.Errorf("bad signature or url: %s %s", m.URL, m.Signature)
		}
		bodies = append(bodies, string(m.Body))
		if fail {
			return 503, nil
		}
		return 204, nil
	}
	sys := homewardtest.SystemCtx()
	if n, err := db.DeliverWebhooks(sys, send); err != nil || n != 0 || len(bodies) != 1 {
		t.Fatalf("first attempt: %d %v %d", n, err, len(bodies))
	}
	if n, _ := db.DeliverWebhooks(sys, send); n != 0 || len(bodies) != 1 {
		t.Error("retried before the back-off")
	}
	real := db.Now
	t.Cleanup(func() { db.Now = real })
	db.Now = func() time.Time { return real().Add(2 * time.Minute) }
	fail = false
	if n, err := db.DeliverWebhooks(sys, send); err != nil || n != 1 {
		t.Fatalf("retry: %d %v", n, err)
	}
	if strings.Contains(bodies[0], "Rahima") || !strings.Contains(bodies[0], `"type":"referral.sent"`) {
		t.Errorf("body: %s", bodies[0])
	}
	log, err := db.WebhookDeliveries(admin, h.ID)
	if err != nil || len(log) != 1 || log[0].Status != "delivered" || log[0].Attempts != 2 {
		t.Fatalf("log: %v %+v", err, log)
	}
	if l := log[0].Log; len(l) != 2 || l[0].Attempt != 1 || l[0].StatusCode != 503 || l[1].Attempt != 2 || l[1].StatusCode != 204 || !l[1].At.After(l[0].At) {
		t.Errorf("attempts: %+v", l)
	}
	if _, err := db.WebhookDeliveries(w.as("ngo", homeward.RoleAdministrator), h.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("other organisation reads log: %v", err)
	}
	if _, err := db.DeliverWebhooks(admin, send); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Error("a user delivers")
	}
	hooks, _ := db.FindWebhooks(admin)
	if len(hooks) != 1 || hooks[0].Secret != "" {
		t.Errorf("list shows secret: %+v", hooks)
	}
}

func TestServiceCatalogueAndDirectory(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	types, err := db.ServiceTypes(w.as("provider", homeward.RoleProviderStaff))
	if err != nil || len(types) != len(referral.Standard()) {
		t.Fatalf("types: %v %d", err, len(types))
	}
	tailoring := &referral.ServiceType{Code: "tailoring", Parent: "skills_training", Kind: referral.KindTraining, Shared: []referral.Field{referral.FieldName, referral.FieldPhone}, Active: true,
		Names: map[string]string{"en": "Tailoring", "bn": "দর্জির কাজ"}}
	if err := db.PutServiceType(w.as("ngo", homeward.RoleAdministrator), tailoring); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("NGO admin changes the catalogue: %v", err)
	}
	if err := db.PutServiceType(w.as("operator", homeward.RoleAdministrator), tailoring); err != nil {
		t.Fatal(err)
	}
	bad := *tailoring
	bad.Parent = "nope"
	if err := db.PutServiceType(w.as("operator", homeward.RoleAdministrator), &bad); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("unknown parent: %v", err)
	}
	o := w.offer(t, "tailoring", 12)
	if err := db.CreateOffer(w.as("provider", homeward.RoleAdministrator), &referral.Offer{ServiceType: "tailoring", Areas: []string{"BD30"}}); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("duplicate offer: %v", err)
	}
	if err := db.CreateOffer(w.as("ngo", homeward.RoleAdministrator), &referral.Offer{OrgID: w.Provider.ID, ServiceType: "housing", Areas: []string{"BD30"}}); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("NGO admin adds to the provider's entries: %v", err)
	}
	if err := db.CreateOffer(w.as("operator", homeward.RoleAdministrator), &referral.Offer{OrgID: w.Provider.ID, ServiceType: "housing", Areas: []string{"BD30"}, Active: true}); err != nil {
		t.Errorf("operator admin: %v", err)
	}
	upd := *o
	upd.Description = "Three-month course"
	if err := db.UpdateOffer(w.as("ngo", homeward.RoleAdministrator), o.ID, o.Version, &upd); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("NGO admin edits: %v", err)
	}
	if err := db.UpdateOffer(w.as("provider", homeward.RoleAdministrator), o.ID, o.Version, &upd); err != nil || upd.Version != 2 {
		t.Fatalf("update: %v", err)
	}
	if err := db.UpdateOffer(w.as("provider", homeward.RoleAdministrator), o.ID, 1, &upd); homewardtest.Code(err) != homeward.EPRECONDITION {
		t.Errorf("stale: %v", err)
	}
	found, err := db.FindOffers(w.as("ngo", homeward.RoleCaseWorker), referral.OfferFilter{ServiceType: "skills_training", Area: "BD3026"})
	if err != nil || len(found) != 1 || found[0].ServiceType != "tailoring" || found[0].OrgName != w.Provider.Name || *found[0].PlacesLeft != 12 {
		t.Fatalf("search: %v %+v", err, found)
	}
	h, err := db.ExportHSDS(w.as("ngo", homeward.RoleCaseWorker), func(code string) string { return "code " + code })
	if err != nil || len(h.Organizations) != 1 || len(h.Organizations[0].Services) != 2 {
		t.Fatalf("HSDS: %v %+v", err, h)
	}
	if h.Organizations[0].Services[1].Name != "Tailoring" && h.Organizations[0].Services[0].Name != "Tailoring" {
		t.Errorf("HSDS names: %+v", h.Organizations[0].Services)
	}
}

// Two requests for the last place: exactly one referral is sent, the
// other is refused as full, even when they run at the same time.
func TestReferralCapacityRace(t *testing.T) {
	w := newRefWorld(t)
	w.offer(t, "skills_training", 2)
	w.send(t, w.returnee(t, "9734567890", w.Provider.ID), "skills_training")
	// Five: with the held connection and the watching one, within the
	// smallest PostgreSQL pool (8).
	var recs []string
	for i := range 5 {
		recs = append(recs, w.returnee(t, fmt.Sprintf("973456790%d", i), w.Provider.ID).Case.ID)
	}
	// On PostgreSQL the sends are held at the provider directory until
	// all of them wait there, then let go together, so that they check
	// the places at about the same moment.
	release := func() {}
	if homewardtest.Backend() == "postgres" {
		raw := sqldb.RawDB(t, w.DB)
		hold, err := raw.Begin()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := hold.Exec(`LOCK TABLE provider_offers IN ACCESS EXCLUSIVE MODE`); err != nil {
			t.Fatal(err)
		}
		release = func() {
			for waiting := 0; waiting < len(recs); {
				time.Sleep(5 * time.Millisecond)
				if err := raw.QueryRow(`SELECT COUNT(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation WHERE c.relname = 'provider_offers' AND NOT l.granted`).Scan(&waiting); err != nil {
					t.Fatal(err)
				}
			}
			if err := hold.Commit(); err != nil {
				t.Fatal(err)
			}
		}
	}
	errs := make(chan error, len(recs))
	var wg sync.WaitGroup
	for _, caseID := range recs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := w.DB.SendReferral(w.as("ngo", homeward.RoleCaseWorker), &referral.Draft{CaseID: caseID, ToOrgID: w.Provider.ID, ServiceType: "skills_training"})
			errs <- err
		}()
	}
	release()
	wg.Wait()
	close(errs)
	won := 0
	for err := range errs {
		var he *homeward.Error
		switch {
		case err == nil:
			won++
		case errors.As(err, &he) && he.Key == "referral.send.full":
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d sends won the last place", won)
	}
	o, err := w.DB.FindOffers(w.as("ngo", homeward.RoleCaseWorker), referral.OfferFilter{ServiceType: "skills_training"})
	if err != nil || len(o) != 1 || o[0].PlacesUsed != 2 || *o[0].PlacesLeft != 0 {
		t.Errorf("offer: %v %+v", err, o)
	}
	// A list of names only does not count the places.
	o, err = w.DB.FindOffers(w.as("ngo", homeward.RoleCaseWorker), referral.OfferFilter{ServiceType: "skills_training", NoPlaces: true})
	if err != nil || len(o) != 1 || o[0].OrgName == "" || o[0].PlacesUsed != 0 || o[0].PlacesLeft != nil {
		t.Errorf("offer without places: %v %+v", err, o)
	}
}

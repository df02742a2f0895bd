package web_test

import (
	"context"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/password"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

var deliveryIDRe = regexp.MustCompile(`^/deliveries/([0-9a-f-]{36})$`)

// deliveryWorld is the referral world with two supervisors at the provider,
// grant and counselling offers, and three accepted referrals of the
// returnee: training, a cash grant, counselling and a job placement (by
// service type).
func deliveryWorld(t *testing.T, w *homewardtest.World) (provider *homeward.Organisation, staff *homeward.User, sups []*homeward.User, refs map[string]string) {
	t.Helper()
	provider, staff, pid := referralWorld(t, w)
	sys := homewardtest.SystemCtx()
	hash := password.Hash(homewardtest.Password)
	for _, e := range []string{"sup1@provider.test", "sup2@provider.test"} {
		u := &homeward.User{OrgID: provider.ID, Email: e, Name: "Supervisor " + e[:4], Roles: []homeward.Role{homeward.RoleSupervisor}}
		if err := w.DB.CreateUserWithHash(sys, u, hash); err != nil {
			t.Fatal(err)
		}
		sups = append(sups, u)
	}
	for _, st := range []string{"business_grant_cash", "psychosocial_counselling", "job_placement"} {
		if err := w.DB.CreateOffer(sys, &referral.Offer{OrgID: provider.ID, ServiceType: st, Areas: []string{"BD30"}, Active: true}); err != nil {
			t.Fatal(err)
		}
	}
	cw := w.Ctx("ngo", homeward.RoleCaseWorker)
	rec, err := w.DB.FindRecord(cw, pid)
	if err != nil {
		t.Fatal(err)
	}
	staffCtx := homeward.NewContextWithActor(context.Background(), &homeward.Actor{UserID: staff.ID, OrgID: provider.ID, Name: staff.Name, Roles: staff.Roles, Locale: "en"})
	refs = map[string]string{}
	for _, st := range []string{"skills_training", "business_grant_cash", "psychosocial_counselling", "job_placement"} {
		r, err := w.DB.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: provider.ID, ServiceType: st})
		if err != nil {
			t.Fatalf("send %s: %v", st, err)
		}
		if r, err = w.DB.MoveReferral(staffCtx, r.ID, r.Version, referral.Transition{To: referral.StateAccepted}); err != nil {
			t.Fatal(err)
		}
		refs[st] = r.ID
	}
	return provider, staff, sups, refs
}

func TestDeliveryPages(t *testing.T) {
	b, w := newBrowser(t)
	_, staff, sups, refs := deliveryWorld(t, w)
	prov := b.fresh()
	prov.login(staff.Email)
	sender := b.as(w, "ngo", homeward.RoleCaseWorker)
	deliveries := func(refID string) int {
		t.Helper()
		ds, err := w.DB.FindDeliveries(homewardtest.SystemCtx(), refID)
		if err != nil {
			t.Fatal(err)
		}
		return len(ds)
	}

	// ---- training: enrol, bad input, completion; the sender sees it ----
	trainRef := refs["skills_training"]
	_, page := prov.get("/referrals/" + trainRef)
	if !strings.Contains(page, `id="ref-delivery"`) {
		t.Fatal("accepted referral lacks the service record link")
	}
	// Organisations' names are isolated: a Latin name ending in "(Lahore)"
	// must not mix with the date beside it on a right-to-left page.
	for _, want := range []string{`<dd id="ref-from"><bdi>`, `<dd id="ref-to"><bdi>`, ` — <bdi>`} {
		if !strings.Contains(page, want) {
			t.Errorf("referral page lacks %s", want)
		}
	}
	status, page := prov.get("/referrals/" + trainRef + "/delivery")
	if status != 200 || !strings.Contains(page, `id="training-form"`) {
		t.Fatalf("training form: %d\n%s", status, page)
	}
	token := csrf(t, page)
	enrol := url.Values{"csrf_token": {token}, "course": {"Tailoring level 1"}, "trade": {"Tailor"}, "start_date": {"2026-01-10"}, "hours": {"120"},
		"enrolled_on": {"2026-01-05"}, "outcome": {"enrolled"}}
	bad := []struct {
		name, field, value string
		status             int
		want               string
	}{
		{"no course", "course", "", 400, "This field is required."},
		{"bad hours", "hours", "many", 400, "Write a whole number."},
		{"end before start", "end_date", "2025-01-01", 400, "The end is before the start."},
		{"certificate before completion", "certificate_ref", "C-1", 400, "Only a completed training has a certificate."},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range enrol {
				f[k] = v
			}
			f.Set(tc.field, tc.value)
			status, page := prov.post("/referrals/"+trainRef+"/delivery", f)
			if status != tc.status || !strings.Contains(page, tc.want) {
				t.Errorf("status %d\n%.3000s", status, page)
			}
			if !strings.Contains(page, `value="Tailor"`) {
				t.Error("typed values lost")
			}
			if n := deliveries(trainRef); n != 0 {
				t.Errorf("%d records written", n)
			}
		})
	}
	if status, _ := prov.post("/referrals/"+trainRef+"/delivery", url.Values{"course": {"x"}, "outcome": {"enrolled"}}); status != 403 {
		t.Errorf("no CSRF: %d", status)
	}
	status, page, at := prov.postAt("/referrals/"+trainRef+"/delivery", enrol, nil)
	m := deliveryIDRe.FindStringSubmatch(at)
	if status != 200 || m == nil || !strings.Contains(page, "Record saved.") || !strings.Contains(page, `id="training-outcome">Enrolled<`) {
		t.Fatalf("enrol: %d %s\n%s", status, at, page)
	}
	trainID := m[1]
	// The sender cannot write the provider's record.
	_, own := sender.get("/deliveries/" + trainID)
	if status, _ := sender.post("/deliveries/"+trainID, url.Values{"csrf_token": {csrf(t, own)}, "version": {"1"}, "course": {"x"}, "outcome": {"completed"}}); status != 403 && status != 404 {
		t.Errorf("sender writes the record: %d", status)
	}
	if d, err := w.DB.FindDelivery(homewardtest.SystemCtx(), trainID); err != nil || d.Version != 1 || d.Training.Course != "Tailoring level 1" {
		t.Errorf("the sender's attempt changed the record: %+v %v", d, err)
	}
	done := url.Values{"csrf_token": {token}, "version": {"1"}, "course": {"Tailoring level 1"}, "trade": {"Tailor"}, "start_date": {"2026-01-10"}, "hours": {"120"},
		"enrolled_on": {"2026-01-05"}, "outcome": {"completed"}, "certificate_ref": {"BTEB-2026-0042"}, "day_date": {"2026-01-10"}, "day_hours": {"6"}}
	// 6 of 120 planned hours is not a completed training.
	if status, page := prov.post("/deliveries/"+trainID, done); status != 400 || !strings.Contains(page, "Only 6 of the 120 planned hours were attended") {
		t.Fatalf("completed after 6 of 120 hours: %d\n%.3000s", status, page)
	}
	done.Set("hours", "6")
	status, page, _ = prov.postAt("/deliveries/"+trainID, done, nil)
	if status != 200 || !strings.Contains(page, `id="training-outcome">Completed<`) || !strings.Contains(page, "BTEB-2026-0042") || !strings.Contains(page, "6 hours") {
		t.Fatalf("complete: %d\n%s", status, page)
	}
	status, page = sender.get("/referrals/" + trainRef + "/delivery")
	if status != 200 || !strings.Contains(page, `id="training-outcome">Completed<`) || strings.Contains(page, `id="training-form"`) {
		t.Errorf("sender's view of the record: %d\n%s", status, page)
	}
	// Bangla: the record's labels and enumerations.
	sender.get("/lang?to=bn&back=/")
	if _, page := sender.get("/deliveries/" + trainID); !strings.Contains(page, "সম্পন্ন করেছেন") || !strings.Contains(page, "সেবার রেকর্ড") || !strings.Contains(page, "৬ ঘণ্টা") {
		t.Errorf("Bangla service record:\n%s", page)
	}
	sender.get("/lang?to=en&back=/")
	// Another organisation does not know the record.
	other := b.as(w, "operator", homeward.RoleCaseWorker)
	if status, _ := other.get("/deliveries/" + trainID); status != 404 {
		t.Errorf("other organisation: %d", status)
	}

	// ---- grant: requested by one supervisor, refused to approve it herself ----
	grantRef := refs["business_grant_cash"]
	sup1, sup2 := b.fresh(), b.fresh()
	sup1.login(sups[0].Email)
	sup2.login(sups[1].Email)
	_, page = sup1.get("/referrals/" + grantRef + "/delivery")
	s1token := csrf(t, page)
	grant := url.Values{"csrf_token": {s1token}, "amount": {"30000"}, "currency": {"BDT"}, "channel": {"cash"}, "purpose": {"Tailoring shop"},
		"tranche_amount": {"20000", "5000", ""}, "tranche_date": {"", "", ""}}
	if status, page := sup1.post("/referrals/"+grantRef+"/delivery", grant); status != 400 || !strings.Contains(page, "The tranches add up to 25000, not the grant&#39;s 30000.") {
		t.Errorf("tranches not adding up: %d\n%.3000s", status, page)
	}
	grant["tranche_amount"] = []string{"20000", "10000", ""}
	status, page, at = sup1.postAt("/referrals/"+grantRef+"/delivery", grant, nil)
	m = deliveryIDRe.FindStringSubmatch(at)
	if status != 200 || m == nil || !strings.Contains(page, `id="delivery-status">Requested<`) {
		t.Fatalf("request grant: %d %s\n%s", status, at, page)
	}
	grantID := m[1]
	status, page = sup1.post("/deliveries/"+grantID+"/decision", url.Values{"csrf_token": {s1token}, "version": {"1"}, "decision": {"approve"}})
	if status != 403 || !strings.Contains(page, "A grant must be approved by someone other than the person who requested it.") {
		t.Errorf("self-approval: %d\n%.3000s", status, page)
	}
	sup1.get("/lang?to=bn&back=/")
	if status, page := sup1.post("/deliveries/"+grantID+"/decision", url.Values{"csrf_token": {s1token}, "version": {"1"}, "decision": {"approve"}}); status != 403 || !strings.Contains(page, "অনুদান যিনি চেয়েছেন তিনি ছাড়া অন্য কাউকে তা অনুমোদন করতে হবে।") {
		t.Errorf("Bangla self-approval: %d", status)
	}
	// Amounts in Bangla: Bangla digits, grouped in lakhs and thousands.
	// The requester is not offered the decision (four eyes).
	if _, page := sup1.get("/deliveries/" + grantID); !strings.Contains(page, `id="grant-amount">৩০,০০০ BDT<`) || strings.Contains(page, `id="grant-decision"`) {
		t.Errorf("the requester's grant page (Bangla amount, no decision):\n%.4000s", page)
	}
	// Staff may not decide; the other supervisor sees it among her tasks and approves.
	if _, page := prov.get("/deliveries/" + grantID); strings.Contains(page, `id="grant-decision"`) {
		t.Error("provider staff are offered the grant decision")
	}
	if _, panel := sup1.get("/tasks/panel"); strings.Contains(panel, grantID) {
		t.Error("the requester is asked to approve her own grant")
	}
	if _, panel := sup2.get("/tasks/panel"); !strings.Contains(panel, `href="/deliveries/`+grantID+`"`) {
		t.Errorf("the second supervisor's tasks lack the grant:\n%s", panel)
	}
	_, page = sup2.get("/deliveries/" + grantID)
	s2token := csrf(t, page)
	status, page, _ = sup2.postAt("/deliveries/"+grantID+"/decision", url.Values{"csrf_token": {s2token}, "version": {"1"}, "decision": {"approve"}, "note": {"Business plan sound."}}, nil)
	if status != 200 || !strings.Contains(page, `id="delivery-status">Approved<`) || !strings.Contains(page, `id="grant-pay"`) {
		t.Fatalf("approve: %d\n%s", status, page)
	}
	// Payments, then a follow-up visit.
	for i, tr := range []string{"0", "1"} {
		status, page, _ = prov.postAt("/deliveries/"+grantID+"/disburse", url.Values{"csrf_token": {token}, "version": {[]string{"2", "3"}[i]}, "tranche": {tr}, "reference": {"R" + tr}}, nil)
		if status != 200 {
			t.Fatalf("pay tranche %s: %d\n%s", tr, status, page)
		}
	}
	if !strings.Contains(page, `id="delivery-status">Disbursed<`) {
		t.Errorf("grant after payments:\n%s", page)
	}
	status, page, _ = prov.postAt("/deliveries/"+grantID, url.Values{"csrf_token": {token}, "version": {"4"}, "visit_date": {"2026-02-01"}, "visit_trading": {"true"}, "visit_income": {"8000"}}, nil)
	if status != 200 || !strings.Contains(page, `id="grant-visits"`) || !strings.Contains(page, "8000") {
		t.Errorf("visit: %d\n%s", status, page)
	}

	// ---- counselling: notes for the provider's counsellors only ----
	cRef := refs["psychosocial_counselling"]
	status, page, at = prov.postAt("/referrals/"+cRef+"/delivery", url.Values{"csrf_token": {token}}, nil)
	if m = deliveryIDRe.FindStringSubmatch(at); status != 200 || m == nil {
		t.Fatalf("start counselling: %d %s\n%s", status, at, page)
	}
	cID := m[1]
	const secret = "Nightmares about the detention centre"
	if status, page := prov.post("/deliveries/"+cID+"/sessions", url.Values{"csrf_token": {token}, "version": {"1"}, "date": {"2099-01-01"}, "type": {"individual"}, "notes": {secret}}); status != 400 || !strings.Contains(page, "This date is in the future.") || !strings.Contains(page, secret) {
		t.Errorf("future session: %d", status)
	}
	status, page, _ = prov.postAt("/deliveries/"+cID+"/sessions", url.Values{"csrf_token": {token}, "version": {"1"}, "date": {"2026-01-12"}, "type": {"individual"}, "minutes": {"50"}, "notes": {secret}}, nil)
	if status != 200 || !strings.Contains(page, `id="session-notes"`) || !strings.Contains(page, secret) {
		t.Fatalf("session: %d\n%s", status, page)
	}
	provAdmin := b.fresh()
	provAdmin.login("admin@provider.test")
	ngoAdmin := b.as(w, "ngo", homeward.RoleAdministrator)
	ngoSup := b.as(w, "ngo", homeward.RoleSupervisor)
	for name, v := range map[string]*browser{"referring case worker": sender, "referring supervisor": ngoSup, "provider admin": provAdmin, "NGO admin": ngoAdmin, "provider supervisor": sup2} {
		status, page := v.get("/deliveries/" + cID)
		if strings.Contains(page, secret) || strings.Contains(page, `id="session-notes"`) {
			t.Errorf("%s sees the session notes (%d)", name, status)
		}
		if name == "referring case worker" && (status != 200 || !strings.Contains(page, `id="sessions"`) || !strings.Contains(page, `id="notes-hidden"`)) {
			t.Errorf("%s should see the sessions without notes: %d", name, status)
		}
	}

	// ---- job placement, then a follow-up ----
	jobRef := refs["job_placement"]
	job := url.Values{"csrf_token": {token}, "employer": {"Meghna Garments"}, "position": {"Sewing operator"}, "isco": {"7533"}, "wage": {"14000"},
		"currency": {"BDT"}, "wage_per": {"month"}, "start_date": {"2026-02-01"}}
	bad2 := url.Values{}
	for k, v := range job {
		bad2[k] = v
	}
	bad2.Set("wage", "")
	if status, page := prov.post("/referrals/"+jobRef+"/delivery", bad2); status != 400 || !strings.Contains(page, "Give an amount above zero.") || deliveries(jobRef) != 0 {
		t.Errorf("placement without wage: %d", status)
	}
	status, page, at = prov.postAt("/referrals/"+jobRef+"/delivery", job, nil)
	if m = deliveryIDRe.FindStringSubmatch(at); status != 200 || m == nil || !strings.Contains(page, "Sewing operator") {
		t.Fatalf("placement: %d %s\n%s", status, at, page)
	}
	job.Set("version", "1")
	job.Set("fu_date", "2026-03-01")
	job.Set("fu_employed", "true")
	if status, page, _ := prov.postAt("/deliveries/"+m[1], job, nil); status != 200 || !strings.Contains(page, `id="placement-follow-ups"`) {
		t.Errorf("follow-up: %d\n%s", status, page)
	}
}

// Every write route of a service record refuses an unrelated organisation
// (404: it does not know the record) and the referring organisation
// (which only reads), and changes nothing.
func TestDeliveryWritesRefuseOutsiders(t *testing.T) {
	b, w := newBrowser(t)
	_, staff, _, refs := deliveryWorld(t, w)
	staffCtx := homeward.NewContextWithActor(context.Background(), &homeward.Actor{UserID: staff.ID, OrgID: staff.OrgID, Name: staff.Name, Roles: staff.Roles, Locale: "en"})
	train, err := w.DB.AddDelivery(staffCtx, refs["skills_training"], referral.DeliveryInput{Training: &referral.Training{Course: "Tailoring", StartDate: "2026-01-10",
		EnrolledOn: "2026-01-05", Outcome: referral.TrainingEnrolled}})
	if err != nil {
		t.Fatal(err)
	}
	grant, err := w.DB.AddDelivery(staffCtx, refs["business_grant_cash"], referral.DeliveryInput{Grant: &referral.Grant{Amount: registry.Money{Amount: 30000, Currency: "BDT"},
		Channel: referral.Channel("cash"), Purpose: "Tailoring shop", Tranches: []referral.Tranche{{Amount: 30000}}}})
	if err != nil {
		t.Fatal(err)
	}
	couns, err := w.DB.AddDelivery(staffCtx, refs["psychosocial_counselling"], referral.DeliveryInput{Counselling: &referral.Counselling{}})
	if err != nil {
		t.Fatal(err)
	}
	routes := []struct {
		path string
		id   string
		form url.Values
	}{
		{"/referrals/" + refs["job_placement"] + "/delivery", "", url.Values{"employer": {"X"}, "position": {"Y"}, "start_date": {"2026-02-01"}}},
		{"/deliveries/" + train.ID, train.ID, url.Values{"version": {"1"}, "course": {"Hijacked"}, "outcome": {"completed"}}},
		{"/deliveries/" + grant.ID + "/decision", grant.ID, url.Values{"version": {"1"}, "decision": {"approve"}}},
		{"/deliveries/" + grant.ID + "/disburse", grant.ID, url.Values{"version": {"1"}, "tranche": {"0"}, "reference": {"R"}}},
		{"/deliveries/" + couns.ID + "/sessions", couns.ID, url.Values{"version": {"1"}, "date": {"2026-01-12"}, "type": {"individual"}, "notes": {"planted"}}},
	}
	outsiders := map[string]struct {
		b    *browser
		want []int
	}{
		"unrelated organisation": {b.as(w, "operator", homeward.RoleSupervisor), []int{404}},
		"referring case worker":  {b.as(w, "ngo", homeward.RoleCaseWorker), []int{403, 404}},
		"referring supervisor":   {b.as(w, "ngo", homeward.RoleSupervisor), []int{403, 404}},
	}
	for name, o := range outsiders {
		_, home := o.b.get("/home")
		token := csrf(t, home)
		for _, rt := range routes {
			f := url.Values{"csrf_token": {token}}
			for k, v := range rt.form {
				f[k] = v
			}
			status, _ := o.b.post(rt.path, f)
			if !slices.Contains(o.want, status) {
				t.Errorf("%s POST %s: %d, want one of %v", name, rt.path, status, o.want)
			}
		}
	}
	sys := homewardtest.SystemCtx()
	for _, d := range []*referral.Delivery{train, grant, couns} {
		got, err := w.DB.FindDelivery(sys, d.ID)
		if err != nil || got.Version != 1 {
			t.Errorf("delivery %s changed by an outsider: %+v %v", d.Kind, got, err)
		}
	}
	if ds, _ := w.DB.FindDeliveries(sys, refs["job_placement"]); len(ds) != 0 {
		t.Errorf("an outsider started a job placement record")
	}
}

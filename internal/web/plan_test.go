package web_test

import (
	"context"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/referral"
	"homeward/internal/web"
)

var planIDRe = regexp.MustCompile(`^/plans/([0-9a-f-]{36})`)

func TestPlanPages(t *testing.T) {
	b, w := newBrowser(t)
	rec := register(t, w, "Rahima", "Begum", "", "01712345678") // returned 2025-11-03: the plan is overdue
	pid := rec.Person.ID
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	plans := func() []referral.Plan {
		t.Helper()
		ps, err := w.DB.FindPlans(w.Ctx("ngo", homeward.RoleCaseWorker), referral.PlanFilter{CaseID: rec.Case.ID})
		if err != nil {
			t.Fatal(err)
		}
		return ps
	}

	// The person page links to the plan; the plan page offers to start one.
	if _, page := cw.get("/people/" + pid); !strings.Contains(page, `id="person-plan"`) || !strings.Contains(page, `id="nav-plans"`) {
		t.Fatal("person page lacks the plan link or the nav link")
	}
	status, page := cw.get("/people/" + pid + "/plan")
	if status != 200 || !strings.Contains(page, `id="plan-form"`) || !strings.Contains(page, `action="/people/`+pid+`/plan"`) {
		t.Fatalf("new plan form: %d\n%s", status, page)
	}
	token := csrf(t, page)
	goal := url.Values{"goal_text": {"I want to open a tailoring shop.", ""}, "goal_dimension": {"economic", ""},
		"svc_id": {""}, "svc_type": {"skills_training"}, "svc_provider": {""}, "svc_budget": {"12000"}, "svc_currency": {"BDT"}, "svc_target": {"2026-01-15"}, "svc_note": {"Tailoring"}}
	with := func(v url.Values, kv ...string) url.Values {
		out := url.Values{}
		for k, x := range v {
			out[k] = x
		}
		for i := 0; i+1 < len(kv); i += 2 {
			out[kv[i]] = []string{kv[i+1]}
		}
		return out
	}

	tests := []struct {
		name   string
		form   url.Values
		status int
		want   string
	}{
		{"no CSRF", goal, 403, ""},
		{"no goal", with(goal, "csrf_token", token, "goal_text", "", "goal_dimension", ""), 400, "Write at least one goal in the returnee&#39;s own words."},
		{"bad budget", with(goal, "csrf_token", token, "svc_budget", "lots"), 400, "Give an amount above zero."},
		{"bad date", with(goal, "csrf_token", token, "svc_target", "soon"), 400, "write it as dd/mm/yyyy"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, page := cw.post("/people/"+pid+"/plan", tc.form)
			if status != tc.status || !strings.Contains(page, tc.want) {
				t.Errorf("status %d, want %d with %q\n%.2000s", status, tc.status, tc.want, page)
			}
			if n := len(plans()); n != 0 {
				t.Errorf("%d plans written", n)
			}
		})
	}
	// What was typed is shown again.
	if _, page := cw.post("/people/"+pid+"/plan", with(goal, "csrf_token", token, "svc_target", "soon")); !strings.Contains(page, `value="I want to open a tailoring shop."`) {
		t.Error("the goal typed is lost")
	}

	status, page, at := cw.postAt("/people/"+pid+"/plan", with(goal, "csrf_token", token), nil)
	m := planIDRe.FindStringSubmatch(at)
	if status != 200 || m == nil || !strings.Contains(page, "Plan saved.") || !strings.Contains(page, `id="plan-status">Draft<`) {
		t.Fatalf("create: %d %s\n%s", status, at, page)
	}
	planID := m[1]
	if !strings.Contains(page, "I want to open a tailoring shop.") || !strings.Contains(page, "12000 BDT") || !strings.Contains(page, `id="plan-overdue"`) {
		t.Errorf("plan page lacks the goal, the budget or the overdue mark")
	}
	if _, again := cw.getHeaders("/people/"+pid+"/plan", nil); !strings.Contains(again, `id="plan-status"`) {
		t.Error("the person's plan link does not lead to the plan")
	}
	svc := plans()[0].Services[0]

	// Add a grant line, keeping the training line.
	edit := url.Values{"csrf_token": {token}, "version": {"1"}, "goal_text": {"I want to open a tailoring shop."}, "goal_dimension": {"economic"},
		"svc_id": {svc.ID, ""}, "svc_type": {"skills_training", "business_grant_cash"}, "svc_provider": {"", ""}, "svc_budget": {"12000", "50000"},
		"svc_currency": {"BDT", "BDT"}, "svc_target": {"2026-01-15", ""}, "svc_note": {"Tailoring", "Sewing machine"}}
	status, page, _ = cw.postAt("/plans/"+planID, edit, nil)
	if status != 200 || !strings.Contains(page, "Sewing machine") || !strings.Contains(page, "50000 BDT") {
		t.Fatalf("edit: %d\n%s", status, page)
	}
	if ps := plans(); len(ps[0].Services) != 2 || ps[0].Services[0].ID != svc.ID {
		t.Errorf("services after edit: %+v", ps[0].Services)
	}
	// A stale version is refused.
	if status, _ := cw.post("/plans/"+planID, edit); status != 412 && status != 409 {
		t.Errorf("stale edit: %d", status)
	}

	// The returnee's agreement: verbal needs a witness.
	if status, page := cw.post("/plans/"+planID+"/agree", url.Values{"csrf_token": {token}, "version": {"2"}, "method": {"verbal_with_witness"}}); status != 400 || !strings.Contains(page, "Verbal agreement needs the name of the witness.") {
		t.Errorf("agree without witness: %d", status)
	}
	status, page, _ = cw.postAt("/plans/"+planID+"/agree", url.Values{"csrf_token": {token}, "version": {"2"}, "method": {"signed_form"}}, nil)
	if status != 200 || !strings.Contains(page, `id="plan-status">Awaiting approval<`) || strings.Contains(page, `id="plan-approve"`) {
		t.Fatalf("agree: %d\n%s", status, page)
	}
	// A case worker may not approve.
	if status, _ := cw.post("/plans/"+planID+"/approve", url.Values{"csrf_token": {token}, "version": {"3"}}); status != 403 {
		t.Errorf("case worker approves: %d", status)
	}

	// The supervisor finds it among the overdue plans and those to approve.
	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	for _, view := range []string{"overdue", "awaiting"} {
		if _, list := sup.get("/plans?view=" + view); !strings.Contains(list, `id="plan-`+planID+`"`) || !strings.Contains(list, "Rahima Begum") {
			t.Errorf("supervisor's %s list lacks the plan", view)
		}
	}
	if _, panel := sup.get("/tasks/panel"); !strings.Contains(panel, `id="tasks-plans_to_approve"`) || !strings.Contains(panel, `id="tasks-overdue_plans"`) {
		t.Errorf("supervisor's tasks:\n%s", panel)
	}
	_, page = sup.get("/plans/" + planID)
	stoken := csrf(t, page)
	status, page, _ = sup.postAt("/plans/"+planID+"/approve", url.Values{"csrf_token": {stoken}, "version": {"3"}, "note": {"Budget checked."}}, nil)
	if status != 200 || !strings.Contains(page, `id="plan-status">Active<`) || !strings.Contains(page, `id="plan-approved"`) {
		t.Fatalf("approve: %d\n%s", status, page)
	}
	if _, list := sup.get("/plans?view=overdue"); strings.Contains(list, planID) {
		t.Error("an active plan is still listed as overdue")
	}

	// Another organisation does not know the plan; provider staff have no plans.
	other := b.as(w, "operator", homeward.RoleSupervisor)
	if status, _ := other.get("/plans/" + planID); status != 404 {
		t.Errorf("other organisation's view: %d", status)
	}
	if _, list := other.get("/plans?view=all"); strings.Contains(list, planID) {
		t.Error("other organisation lists the plan")
	}
	if status, _ := other.get("/people/" + pid + "/plan"); status != 404 {
		t.Errorf("other organisation's person plan: %d", status)
	}
	_, opage := other.get("/plans")
	if status, _ := other.post("/plans/"+planID, with(edit, "csrf_token", csrf(t, opage), "version", "4")); status != 404 {
		t.Errorf("other organisation's edit: %d", status)
	}
	ot := csrf(t, opage)
	for _, path := range []string{"/plans/" + planID + "/agree", "/plans/" + planID + "/approve", "/people/" + pid + "/plan"} {
		form := url.Values{"csrf_token": {ot}, "version": {"4"}, "method": {"signed_form"}, "goal_text": {"Planted goal"}}
		if status, _ := other.post(path, form); status != 404 {
			t.Errorf("other organisation POST %s: %d", path, status)
		}
	}
	if ps := plans(); len(ps) != 1 || ps[0].Version != 4 {
		t.Errorf("plans after the other organisation's attempts: %+v", ps)
	}
	if status, _ := b.as(w, "ngo", homeward.RoleMEAnalyst).get("/plans"); status != 403 {
		t.Errorf("M&E analyst's plan list: %d", status)
	}

	// Bangla.
	sup.get("/lang?to=bn&back=/plans")
	if _, page := sup.get("/plans/" + planID); !strings.Contains(page, "পুনঃএকীকরণ পরিকল্পনা") || !strings.Contains(page, "চালু") || !strings.Contains(page, "১২০০০ BDT") {
		t.Errorf("Bangla plan page:\n%s", page)
	}
}

func TestPlanRefer(t *testing.T) {
	b, w := newBrowser(t)
	provider, _, _ := referralWorld(t, w)
	rec := register(t, w, "Shirin", "Akter", "", "01812345678")
	ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
	pl, err := w.DB.CreatePlan(ctx, rec.Case.ID, referral.PlanInput{Goals: []referral.Goal{{Text: "Work as a tailor."}},
		Services: []referral.PlannedService{{ServiceType: "skills_training", ProviderOrgID: provider.ID, Note: "Tailoring course"}}})
	if err != nil {
		t.Fatal(err)
	}
	sid := pl.Services[0].ID
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	// A draft plan is not in force: its services cannot be referred, even
	// by posting the form the page does not show.
	_, page := cw.get("/plans/" + pl.ID)
	if strings.Contains(page, `id="refer-svc-`+sid+`"`) {
		t.Error("draft plan shows a refer button")
	}
	if status, page := cw.post("/plans/"+pl.ID+"/services/"+sid+"/refer", url.Values{"csrf_token": {csrf(t, page)}}); status != 409 || !strings.Contains(page, "only once the plan is agreed") {
		t.Errorf("refer from a draft plan: %d", status)
	}
	if list, _, err := w.DB.FindReferrals(ctx, referral.ReferralFilter{Box: referral.Outbox, CaseID: rec.Case.ID}); err != nil || len(list) != 0 {
		t.Errorf("a draft plan's service was referred: %d referrals (%v)", len(list), err)
	}
	if pl, err = w.DB.AgreePlan(ctx, pl.ID, pl.Version, referral.Agreement{Method: "signed_form"}); err != nil {
		t.Fatal(err)
	}
	_, page = cw.get("/plans/" + pl.ID)
	if !strings.Contains(page, `id="refer-svc-`+sid+`"`) || !strings.Contains(page, "Dhaka Skills and Care Centre") {
		t.Fatalf("active plan lacks the refer button:\n%s", page)
	}
	token := csrf(t, page)
	if status, _ := cw.post("/plans/"+pl.ID+"/services/"+sid+"/refer", url.Values{}); status != 403 {
		t.Errorf("refer without CSRF: %d", status)
	}
	status, page, at := cw.postAt("/plans/"+pl.ID+"/services/"+sid+"/refer", url.Values{"csrf_token": {token}}, nil)
	if status != 200 || !strings.HasPrefix(at, "/referrals/") || !strings.Contains(page, "Referral sent.") || !strings.Contains(page, "Tailoring course") {
		t.Fatalf("refer: %d %s\n%s", status, at, page)
	}
	_, page = cw.get("/plans/" + pl.ID)
	if !strings.Contains(page, `href="`+at+`"`) || !strings.Contains(page, ">Referred<") || strings.Contains(page, `id="refer-svc-`+sid+`"`) {
		t.Errorf("plan after the referral:\n%s", page)
	}
	// Again: refused with the service's reason, nothing sent.
	if status, page := cw.post("/plans/"+pl.ID+"/services/"+sid+"/refer", url.Values{"csrf_token": {token}}); status != 409 || !strings.Contains(page, "An open referral for this service to this organisation exists already.") {
		t.Errorf("second referral: %d", status)
	}
	if list, _, _ := w.DB.FindReferrals(ctx, referral.ReferralFilter{Box: referral.Outbox, CaseID: rec.Case.ID}); len(list) != 1 {
		t.Errorf("%d referrals sent", len(list))
	}
	// Another organisation cannot refer from the plan.
	other := b.as(w, "operator", homeward.RoleCaseWorker)
	_, opage := other.get("/plans")
	if status, _ := other.post("/plans/"+pl.ID+"/services/"+sid+"/refer", url.Values{"csrf_token": {csrf(t, opage)}}); status != 404 {
		t.Errorf("other organisation refers: %d", status)
	}
}

// countingReferral is the referral service with its directory searches
// counted; with closed set, every plan it finds reads as closed.
type countingReferral struct {
	referral.Service
	closed bool
	offers int
}

func (c *countingReferral) FindOffers(ctx context.Context, f referral.OfferFilter) ([]referral.Offer, error) {
	c.offers++
	return c.Service.FindOffers(ctx, f)
}

func (c *countingReferral) FindPlan(ctx context.Context, id string) (*referral.Plan, error) {
	p, err := c.Service.FindPlan(ctx, id)
	if err == nil && c.closed {
		p.Status = referral.PlanClosed
	}
	return p, err
}

// The directory's offers (which count their places left) are searched only
// for the edit form's provider choices; a plan page without the form still
// names the providers of its lines.
func TestPlanPageSearchesOffersOnlyForTheForm(t *testing.T) {
	w := homewardtest.NewWorld(t)
	provider, _, _ := referralWorld(t, w)
	rec := register(t, w, "Shirin", "Akter", "", "01812345678")
	pl, err := w.DB.CreatePlan(w.Ctx("ngo", homeward.RoleCaseWorker), rec.Case.ID, referral.PlanInput{Goals: []referral.Goal{{Text: "Work as a tailor."}},
		Services: []referral.PlannedService{{ServiceType: "skills_training", ProviderOrgID: provider.ID, Note: "Tailoring course"}}})
	if err != nil {
		t.Fatal(err)
	}
	readOnly := w.Actor("ngo", homeward.RoleCaseWorker)
	readOnly.Scopes = []homeward.Scope{homeward.ScopeRead}
	tests := []struct {
		name   string
		actor  *homeward.Actor
		closed bool
		form   bool
	}{
		{"case worker", w.Actor("ngo", homeward.RoleCaseWorker), false, true},
		{"read-only credentials", readOnly, false, false},
		{"closed plan", w.Actor("ngo", homeward.RoleSupervisor), true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			svc := &countingReferral{Service: w.DB, closed: tc.closed}
			ui, err := web.New(web.Services{Orgs: w.DB, Users: w.DB, Auth: w.DB, Audit: w.DB, Registry: w.DB, Assessment: w.DB, Referral: svc, Clock: w.DB.Clock()})
			if err != nil {
				t.Fatal(err)
			}
			req := httptest.NewRequest("GET", "/plans/"+pl.ID, nil)
			req = req.WithContext(homeward.NewContextWithActor(req.Context(), tc.actor))
			res := httptest.NewRecorder()
			ui.ServeHTTP(res, req)
			page := res.Body.String()
			if res.Code != 200 || !strings.Contains(page, "<td>Dhaka Skills and Care Centre</td>") {
				t.Fatalf("status %d, or the provider is not named next to its line\n%s", res.Code, page)
			}
			if form := strings.Contains(page, `id="plan-form"`); form != tc.form {
				t.Errorf("edit form shown: %v, want %v", form, tc.form)
			}
			if searched := svc.offers > 0; searched != tc.form {
				t.Errorf("offers searched %d times; the form is shown: %v", svc.offers, tc.form)
			}
			if tc.form && !strings.Contains(page, `<option value="`+provider.ID+`" selected>Dhaka Skills and Care Centre</option>`) {
				t.Error("the form lacks the provider's choice")
			}
		})
	}
}

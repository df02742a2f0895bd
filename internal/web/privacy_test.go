package web_test

import (
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/password"
)

// Erasure through the browser: a case worker records the request on the
// person's privacy page; the supervisor who records one cannot approve it,
// another does; then no page, search (name, phone, case number) or export
// finds the person, and the audit log verifies. A legal hold placed by
// case number refuses approval until it is lifted. The pages speak Bangla.
func TestErasurePages(t *testing.T) {
	b, w := newBrowser(t)
	rec := register(t, w, "Rahima", "Begum", "রহিমা বেগম", "01712345678")
	pid, number := rec.Person.ID, rec.Case.Number
	sup2 := &homeward.User{OrgID: w.NGO.ID, Email: "supervisor2@ngo.test", Name: "Second Supervisor", Roles: []homeward.Role{homeward.RoleSupervisor}}
	if err := w.DB.CreateUserWithHash(homewardtest.SystemCtx(), sup2, password.Hash(homewardtest.Password)); err != nil {
		t.Fatal(err)
	}
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	second := &browser{t: t, base: b.base, c: newJarClient()}
	second.login(sup2.Email)

	if _, page := cw.get("/people/" + pid); !strings.Contains(page, `id="privacy-link"`) {
		t.Fatal("no link to the person's erasure page")
	}
	_, page := cw.get("/people/" + pid + "/privacy")
	if !strings.Contains(page, `id="erasure-form"`) || strings.Contains(page, `id="hold-form"`) {
		t.Fatalf("case worker's privacy page:\n%.2000s", page)
	}
	tok := csrf(t, page)
	if status, page := cw.post("/people/"+pid+"/erasure", url.Values{"csrf_token": {tok}, "reason": {"asked"}}); status != 400 || !strings.Contains(page, "Give the reason") {
		t.Errorf("request without a reason: %d", status)
	}
	// Another organisation neither sees nor asks.
	other := b.as(w, "operator", homeward.RoleSupervisor)
	_, op := other.get("/privacy")
	if status, _ := other.post("/people/"+pid+"/erasure", url.Values{"csrf_token": {csrf(t, op)}, "reason": {"The returnee asked by letter."}}); status != 404 {
		t.Errorf("another organisation asks for erasure: %d", status)
	}
	_, sp := sup.get("/privacy")
	if status, page := sup.post("/people/"+pid+"/erasure", url.Values{"csrf_token": {csrf(t, sp)}, "reason": {"The returnee asked by letter on 1 December."}}); status != 200 || !strings.Contains(page, "Another supervisor must approve it") {
		t.Fatalf("request: %d", status)
	}
	reqs, err := w.DB.ErasureRequests(w.Ctx("ngo", homeward.RoleSupervisor), pid, 5)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests: %v %v", reqs, err)
	}
	id := reqs[0].ID
	// The requester cannot approve: the page says why.
	_, sp = sup.get("/privacy")
	if strings.Contains(sp, "/erasure/"+id+"/approve") {
		t.Error("the requester is offered the approval")
	}
	if status, page := sup.post("/erasure/"+id+"/approve", url.Values{"csrf_token": {csrf(t, sp)}}); status != 403 || !strings.Contains(page, "another supervisor must decide") {
		t.Errorf("approved by its requester: %d", status)
	}
	if status, _ := cw.post("/erasure/"+id+"/approve", url.Values{"csrf_token": {tok}}); status != 403 {
		t.Errorf("approved by a case worker: %d", status)
	}
	// A hold by case number (administrator) blocks it.
	admin := b.as(w, "ngo", homeward.RoleAdministrator)
	_, ap := admin.get("/privacy")
	if status, page := admin.post("/legal-holds", url.Values{"csrf_token": {csrf(t, ap)}, "person": {"BGD-2026-999999"}, "reason": {"Court order 12/2026."}}); status != 400 || !strings.Contains(page, "No person of your organisation") {
		t.Errorf("hold on an unknown case number: %d", status)
	}
	if status, _ := admin.post("/legal-holds", url.Values{"csrf_token": {csrf(t, ap)}, "person": {number}, "reason": {"Court order 12/2026."}}); status != 200 {
		t.Fatalf("hold: %d", status)
	}
	for _, q := range []string{"rahima", "01712345678", number, url.QueryEscape("রহিমা")} {
		if _, page := cw.get("/people?q=" + q); !strings.Contains(page, pid) {
			t.Fatalf("search %q does not find the person before erasure: the checks below could not fail", q)
		}
	}
	if _, page := sup.get("/people/export?format=csv"); !strings.Contains(page, number) {
		t.Fatal("the export lacks the person before erasure")
	}
	if _, page := second.get("/tasks"); !strings.Contains(page, "Erasure requests to decide") || !strings.Contains(page, "/privacy#er-"+id) {
		t.Error("the other supervisor is not asked to decide")
	}
	if _, page := sup.get("/tasks"); strings.Contains(page, "/privacy#er-"+id) {
		t.Error("the requester is asked to decide their own request")
	}
	_, p2 := second.get("/privacy")
	if status, page := second.post("/erasure/"+id+"/approve", url.Values{"csrf_token": {csrf(t, p2)}}); status != 409 || !strings.Contains(page, "legal hold") {
		t.Errorf("approved under a hold: %d", status)
	}
	holds, _ := w.DB.LegalHolds(w.Ctx("ngo", homeward.RoleSupervisor), pid, 5)
	if len(holds) != 1 {
		t.Fatalf("holds: %v", holds)
	}
	if status, _ := second.post("/legal-holds/"+holds[0].ID+"/lift", url.Values{"csrf_token": {csrf(t, p2)}, "reason": {"The court released the file."}}); status != 200 {
		t.Fatalf("lift: %d", status)
	}
	if status, page := second.post("/erasure/"+id+"/approve", url.Values{"csrf_token": {csrf(t, p2)}}); status != 200 || !strings.Contains(page, "The person is erased") {
		t.Fatalf("approve: %d", status)
	}
	// Nothing finds her now (where everything did before).
	if status, _ := cw.get("/people/" + pid); status != 404 {
		t.Errorf("the erased record: %d", status)
	}
	for _, q := range []string{"rahima", "01712345678", number, url.QueryEscape("রহিমা")} {
		if _, page := cw.get("/people?q=" + q); strings.Contains(page, pid) {
			t.Errorf("search %q finds the erased person", q)
		}
	}
	if _, page := cw.get("/people"); strings.Contains(page, pid) || strings.Contains(page, number) {
		t.Error("the list shows the erased person")
	}
	if status, page := sup.get("/people/export?format=csv"); status != 200 || strings.Contains(page, "Rahima") || strings.Contains(page, number) {
		t.Errorf("the export holds the erased person: %d %.300s", status, page)
	}
	if _, page := sup.get("/privacy"); !strings.Contains(page, "Erased person") || strings.Contains(page, "Rahima") {
		t.Error("the request list names the erased person")
	}
	if rep, err := w.DB.VerifyAudit(homewardtest.SystemCtx()); err != nil || !rep.OK() {
		t.Fatalf("audit verify: %+v %v", rep, err)
	}
	// Bangla.
	sup.get("/lang?to=bn&back=/privacy")
	if _, page := sup.get("/privacy"); !strings.Contains(page, "মুছে ফেলার অনুরোধসমূহ") || strings.Contains(page, "Erasure requests") {
		t.Error("the privacy page is not in Bangla")
	}
}

// Retention page: administrators only; bad periods are refused with
// nothing saved; the dry run shows what is due and changes nothing.
func TestRetentionPage(t *testing.T) {
	b, w := newBrowser(t)
	register(t, w, "Rahima", "Begum", "", "01712345678")
	if status, _ := b.as(w, "ngo", homeward.RoleSupervisor).get("/retention"); status != 403 {
		t.Errorf("a supervisor on the retention page: %d", status)
	}
	admin := b.as(w, "ngo", homeward.RoleAdministrator)
	status, page := admin.get("/retention")
	if status != 200 || !strings.Contains(page, `id="retention-form"`) || !strings.Contains(page, "Nothing is due") {
		t.Fatalf("retention page: %d\n%.2000s", status, page)
	}
	tok := csrf(t, page)
	if status, page := admin.post("/retention/rules", url.Values{"csrf_token": {tok}, "years_closed_case": {"5"}, "years_evidence_file": {"500"}}); status != 400 || !strings.Contains(page, "Give a period of 1 to 100 years") {
		t.Errorf("500 years: %d", status)
	}
	if rules, _ := w.DB.RetentionRules(w.Ctx("ngo", homeward.RoleAdministrator)); len(rules) != 0 {
		t.Errorf("a refused form saved %v", rules)
	}
	if status, page := admin.post("/retention/rules", url.Values{"csrf_token": {tok}, "years_closed_case": {"5"}, "years_declined_referral": {"٢"}}); status != 200 || !strings.Contains(page, "The retention periods are saved") || !strings.Contains(page, `value="5"`) {
		t.Errorf("save: %d", status)
	}
	admin.get("/lang?to=bn&back=/retention")
	if _, page := admin.get("/retention"); !strings.Contains(page, "সংরক্ষণের মেয়াদ") || strings.Contains(page, "Retention periods") {
		t.Error("the retention page is not in Bangla")
	}
}

package web_test

import (
	"math/rand/v2"
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/assessment"
	"homeward/internal/demo"
)

// Opening a person's record, a protection screening, and a search that
// returns people are audit events in the organisation's chain; the
// supervisor sees who opened the record, the case worker does not; the
// chain still verifies.
func TestAuditedReads(t *testing.T) {
	b, w := newBrowser(t)
	rec := register(t, w, "Rahima", "Begum", "", "01712345678")
	pid := rec.Person.ID
	org := rec.Person.OrgID
	cwUser := w.Users["ngo"][homeward.RoleCaseWorker]
	events := func(action string) []*homeward.AuditEvent {
		t.Helper()
		evs, _, err := w.DB.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{OrgID: &org, Action: &action, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	if status, page := cw.get("/people/" + pid); status != 200 || strings.Contains(page, `id="readers"`) {
		t.Fatalf("case worker's person page: %d (a case worker does not see who opened it)", status)
	}
	reads := events("person.read")
	if len(reads) != 1 || reads[0].ActorID != cwUser.ID || reads[0].RecordID != pid || !strings.Contains(reads[0].Detail, `"via":"page"`) {
		t.Fatalf("person.read events: %+v", reads)
	}

	// A search that returns her records who searched and whom it found,
	// not the words typed; one that finds nobody records nothing.
	if _, page := cw.get("/people?" + url.Values{"q": {"Rahima"}}.Encode()); !strings.Contains(page, pid) {
		t.Fatal("search does not find her")
	}
	cw.get("/people?" + url.Values{"q": {"Zubaida"}}.Encode())
	searches := events("person.search")
	if len(searches) != 1 || !strings.Contains(searches[0].Detail, pid) || strings.Contains(searches[0].Detail, "Rahima") {
		t.Fatalf("person.search events: %+v", searches)
	}

	// A protection screening is an audited read; a survey without flags is not.
	cwCtx := w.Ctx("ngo", homeward.RoleCaseWorker)
	r := rand.New(rand.NewPCG(3, 4))
	sub, err := w.DB.CreateSubmission(cwCtx, pid, assessment.Input{FormID: "protection_screening", Status: assessment.StatusCompleted,
		Answers: demo.ScreeningAnswers(r, 0.9), AnsweredOn: w.DB.Now().Format("2006-01-02")})
	if err != nil {
		t.Fatal(err)
	}
	if status, _ := cw.get("/assessments/" + sub.ID); status != 200 {
		t.Fatalf("screening page: %d", status)
	}
	if got := events("assessment.read"); len(got) != 1 || got[0].RecordID != sub.ID {
		t.Errorf("assessment.read events: %+v", got)
	}

	// The supervisor sees who opened the record (herself included, now).
	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	_, page := sup.get("/people/" + pid)
	readers := between(page, `id="readers"`, "</section>")
	if !strings.Contains(readers, cwUser.Name) || !strings.Contains(readers, "on the person page") {
		t.Errorf("who opened the record:\n%s", readers)
	}
	// Another organisation's supervisor cannot list them.
	if rs, err := w.DB.Readers(w.Ctx("operator", homeward.RoleSupervisor), "person", pid, 10); err != nil || len(rs) != 0 {
		t.Errorf("another organisation sees %d readers (%v)", len(rs), err)
	}
	if _, err := w.DB.Readers(cwCtx, "person", pid, 10); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a case worker lists readers: %v", err)
	}
	rep, err := w.DB.VerifyAudit(w.Ctx("ngo", homeward.RoleAuditor))
	if err != nil || !rep.OK() {
		t.Errorf("audit chain after reads: %+v %v", rep, err)
	}
}

package web_test

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
)

// Emergency access: a case worker of another organisation finds a record
// by its case number, with a reason, and reads it for four hours (not
// edits it); the access is marked on the record, both organisations'
// supervisors see it to review, only the holder's supervisor reviews it,
// and it ends.
func TestBreakGlass(t *testing.T) {
	b, w := newBrowser(t)
	rec := register(t, w, "Rahima", "Begum", "", "01712345678") // held by "ngo"
	pid := rec.Person.ID
	other := b.as(w, "operator", homeward.RoleCaseWorker) // another organisation
	_, page := other.get("/emergency")
	if !strings.Contains(page, `id="bg-form"`) {
		t.Fatalf("emergency page:\n%.1500s", page)
	}
	token := csrf(t, page)
	open := func(id, reason string) (int, string) {
		return other.post("/emergency", url.Values{"csrf_token": {token}, "identifier": {id}, "reason": {reason}})
	}
	for _, tc := range []struct {
		name, id, reason, want string
		status                 int
	}{
		{"no reason", rec.Case.Number, "", "Say why you need this record now", 400},
		{"short reason", rec.Case.Number, "urgent", "Say why you need this record now", 400},
		{"no identifier", "", "Found at the airport at night, unwell", "Give the case number", 400},
		{"unknown", "BGD-2026-999999", "Found at the airport at night, unwell", "No record of another organisation", 422},
	} {
		status, page := open(tc.id, tc.reason)
		if status != tc.status || !strings.Contains(page, tc.want) {
			t.Errorf("%s: %d, want %d with %q", tc.name, status, tc.status, tc.want)
		}
	}
	if list, n, err := w.DB.BreakGlassList(w.Ctx("operator", homeward.RoleSupervisor), "", false, 10); err != nil || n != 0 || len(list) != 0 {
		t.Fatalf("refusals granted something: %d %v", n, err)
	}
	// The case worker's own organisation is not "another" one.
	mine := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, mp := mine.get("/emergency")
	if status, _ := mine.post("/emergency", url.Values{"csrf_token": {csrf(t, mp)}, "identifier": {rec.Case.Number}, "reason": {"Found at the airport at night"}}); status != 422 {
		t.Errorf("own organisation's record by emergency access: %d", status)
	}

	status, page := open("01712345678", "Found at the airport at night, unwell, no documents")
	if status != 200 || !strings.Contains(page, `id="bg-record-title"`) || !strings.Contains(page, "Rahima") || strings.Contains(page, "/edit") {
		t.Fatalf("emergency record: %d\n%.2000s", status, page)
	}
	// Still no normal access: the person page and edits stay closed.
	if status, _ := other.get("/people/" + pid); status != 404 && status != 403 {
		t.Errorf("the person page through emergency access: %d", status)
	}
	grants, _, err := w.DB.BreakGlassList(w.Ctx("ngo", homeward.RoleSupervisor), pid, true, 10)
	if err != nil || len(grants) != 1 {
		t.Fatalf("unreviewed accesses for the holder: %d %v", len(grants), err)
	}
	g := grants[0]
	// Marked on the record; a task for both organisations' supervisors.
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	if _, page := cw.get("/people/" + pid); !strings.Contains(page, `id="emergency-marks"`) || !strings.Contains(page, "Found at the airport") {
		t.Error("the access is not marked on the record")
	}
	holderSup := b.as(w, "ngo", homeward.RoleSupervisor)
	otherSup := b.as(w, "operator", homeward.RoleSupervisor)
	for name, s := range map[string]*browser{"holder": holderSup, "requester": otherSup} {
		if _, page := s.get("/tasks"); !strings.Contains(page, "Emergency accesses to review") {
			t.Errorf("the %s's supervisor is not told", name)
		}
	}
	// Only the holder's supervisor reviews.
	_, op := otherSup.get("/emergency")
	if status, _ := otherSup.post("/emergency/"+g.ID+"/review", url.Values{"csrf_token": {csrf(t, op)}, "note": {"fine"}}); status != 404 && status != 403 {
		t.Errorf("the requester's supervisor reviews: %d", status)
	}
	_, hp := holderSup.get("/emergency")
	if status, _ := holderSup.post("/emergency/"+g.ID+"/review", url.Values{"csrf_token": {csrf(t, hp)}, "note": {""}}); status != 400 {
		t.Errorf("a review without a note: %d", status)
	}
	if status, page := holderSup.post("/emergency/"+g.ID+"/review", url.Values{"csrf_token": {csrf(t, hp)}, "note": {"Called the airport desk: justified."}}); status != 200 || !strings.Contains(page, "The review is recorded") {
		t.Errorf("review: %d", status)
	}
	// Each opening is in the holder's audit chain.
	org := rec.Person.OrgID
	action := "person.read"
	evs, _, err := w.DB.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{OrgID: &org, Action: &action, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range evs {
		found = found || strings.Contains(e.Detail, "break_glass")
	}
	if !found {
		t.Error("the emergency opening is not in the holder's audit chain")
	}
	// Four hours later it has ended (the case worker's session has
	// timed out too: they sign in again).
	now := w.DB.Now
	w.DB.Now = func() time.Time { return now().Add(4*time.Hour + time.Minute) }
	t.Cleanup(func() { w.DB.Now = now })
	other = b.as(w, "operator", homeward.RoleCaseWorker)
	if status, page := other.get("/emergency/" + g.ID); status != 403 || !strings.Contains(page, "has ended") {
		t.Errorf("after four hours: %d", status)
	}
	// Nobody else can open someone's access.
	if _, _, err := w.DB.BreakGlassRecord(w.Ctx("operator", homeward.RoleSupervisor), g.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another user opens the access: %v", err)
	}
}

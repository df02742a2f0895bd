package web_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"

	"homeward"
)

// A case's status follows its plan (the record says so); closing it is a
// supervisor's decision: the case worker is offered no close button and
// a forged one is refused.
func TestOnlySupervisorsCloseCases(t *testing.T) {
	b, w := newBrowser(t)
	rec := dupRegister(t, w, "Md. Rafiqul", "1985", "01712-345678", "1234567890")
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page := cw.get("/people/" + rec.Person.ID)
	if strings.Contains(page, `id="case-close"`) || !strings.Contains(page, `id="case-follows-plan"`) {
		t.Error("case worker: close offered, or no word on how the status moves")
	}
	form := url.Values{"csrf_token": {csrf(t, page)}, "version": {strconv.Itoa(rec.Case.Version)}, "status": {"closed"}, "closure_reason": {"opted_out"}}
	if status, page := cw.post("/people/"+rec.Person.ID+"/case/status", form); status != 403 || !strings.Contains(page, "Only a supervisor closes a case.") {
		t.Errorf("case worker closes: %d", status)
	}
	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	_, page = sup.get("/people/" + rec.Person.ID)
	if !strings.Contains(page, `id="case-close"`) {
		t.Fatal("supervisor is not offered to close the case")
	}
	form.Set("csrf_token", csrf(t, page))
	if status, page := sup.post("/people/"+rec.Person.ID+"/case/status", form); status != 200 || !strings.Contains(page, `class="tag status-closed"`) {
		t.Errorf("supervisor closes: %d\n%s", status, section(page, `id="case-status"`))
	}
}

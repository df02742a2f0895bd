package web_test

import (
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/registry"
)

// A returnee asks for a copy of their data: the case worker records the
// request (due in 30 days, a task), the supervisor produces the copy —
// in the returnee's language, with who received their data and who read
// their record — and marks it answered, which is refused before a copy
// was made.
func TestSubjectAccessRequest(t *testing.T) {
	b, w := newBrowser(t)
	_, _, pid := referralWorld(t, w)
	cwCtx := w.Ctx("ngo", homeward.RoleCaseWorker)
	rec, err := w.DB.FindRecord(cwCtx, pid)
	if err != nil {
		t.Fatal(err)
	}
	person := rec.Person
	person.Languages = []string{"bn"}
	if _, err := w.DB.UpdatePerson(cwCtx, pid, rec.Version, registry.PersonUpdate{Person: &person}); err != nil {
		t.Fatal(err)
	}
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page := cw.get("/people/" + pid)
	if !strings.Contains(page, `id="subject-form"`) || strings.Contains(page, `id="subject-copy"`) {
		t.Fatal("the case worker records requests but does not produce the copy")
	}
	token := csrf(t, page)
	// Refusals: a day in the future, an unknown channel.
	for _, bad := range []url.Values{{"received_on": {"2999-01-01"}}, {"channel": {"pigeon"}}, {"received_on": {"yesterday"}}} {
		bad.Set("csrf_token", token)
		if status, _ := cw.post("/people/"+pid+"/subject-requests", bad); status != 400 {
			t.Errorf("%v: %d", bad, status)
		}
	}
	status, page := cw.post("/people/"+pid+"/subject-requests", url.Values{"csrf_token": {token}, "channel": {"in_person"}, "note": {"Asked at the desk"}})
	if status != 200 || !strings.Contains(page, "The request is recorded") {
		t.Fatalf("record: %d", status)
	}
	reqs, err := w.DB.SubjectRequests(cwCtx, pid)
	if err != nil || len(reqs) != 1 || reqs[0].Status != registry.SubjectOpen {
		t.Fatalf("requests: %+v %v", reqs, err)
	}
	today := w.DB.Now().In(homewardtest.Zone).Format("2006-01-02")
	if reqs[0].ReceivedOn != today || reqs[0].DueOn <= today {
		t.Errorf("received %s due %s (today %s)", reqs[0].ReceivedOn, reqs[0].DueOn, today)
	}
	if _, page := cw.get("/tasks"); !strings.Contains(page, "Requests for a copy of their data") {
		t.Error("the request is not a task")
	}
	// Another organisation sees nothing of it.
	if _, err := w.DB.SubjectRequests(w.Ctx("operator", homeward.RoleCaseWorker), pid); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation's list: %v", err)
	}

	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	_, supPage := sup.get("/people/" + pid)
	if !strings.Contains(supPage, `id="subject-copy"`) || !strings.Contains(supPage, "subject-fulfil") {
		t.Fatal("the supervisor is not offered the copy and the answer")
	}
	if status, _ := sup.post("/subject-requests/"+reqs[0].ID+"/fulfil", url.Values{"csrf_token": {csrf(t, supPage)}}); status != 409 {
		t.Errorf("answered before a copy was made: %d", status)
	}
	if status, _ := cw.get("/people/" + pid + "/subject-access"); status != 403 {
		t.Errorf("a case worker produces the copy: %d", status)
	}
	status, doc := sup.get("/people/" + pid + "/subject-access")
	if status != 200 || !strings.Contains(doc, `lang="bn"`) || !strings.Contains(doc, "আমাদের কাছে থাকা আপনার তথ্য") || !strings.Contains(doc, "Rahima") {
		t.Fatalf("the copy: %d\n%.2000s", status, doc)
	}
	// Who read the record: the case worker opened it above.
	if readers := between(doc, `id="subject-readers"`, "</ul>"); !strings.Contains(readers, w.Users["ngo"][homeward.RoleCaseWorker].Name) {
		t.Errorf("readers in the copy: %q", readers)
	}
	status, js := sup.get("/people/" + pid + "/subject-access?format=json")
	var got map[string]any
	if status != 200 || json.Unmarshal([]byte(js), &got) != nil {
		t.Fatalf("JSON copy: %d", status)
	}
	for _, k := range []string{"record", "shared_with", "assessments", "read_by", "requests"} {
		if _, ok := got[k]; !ok {
			t.Errorf("JSON copy lacks %s", k)
		}
	}
	_, page = sup.get("/people/" + pid)
	if status, page := sup.post("/subject-requests/"+reqs[0].ID+"/fulfil", url.Values{"csrf_token": {csrf(t, page)}}); status != 200 || !strings.Contains(page, "marked answered") {
		t.Errorf("fulfil: %d", status)
	}
	if status, _ := sup.post("/subject-requests/"+reqs[0].ID+"/fulfil", url.Values{"csrf_token": {csrf(t, page)}}); status != 409 {
		t.Errorf("answered twice: %d", status)
	}
	org := rec.Person.OrgID
	action := "subject.access_export"
	evs, _, err := w.DB.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{OrgID: &org, Action: &action, Limit: 10})
	if err != nil || len(evs) != 2 {
		t.Errorf("copies audited: %d %v", len(evs), err)
	}
}

package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"homeward/homewardtest"
)

// A subject access request and its copy through the API: recorded by the
// case worker, produced by a supervisor (not the case worker, not another
// organisation), answered only after a copy, and the copy lists who read
// the record.
func TestSubjectAccessAPI(t *testing.T) {
	e := newEnv(t)
	reg := e.do(call{method: "POST", path: "/api/v1/registrations", as: "ngo/case_worker", body: registration("Rahima", "Begum", "রহিমা বেগম", "01712345678", "1234567890", "BD302602")})
	if reg.status != 201 {
		t.Fatalf("register: %d %s", reg.status, reg.body)
	}
	var rec struct{ Person struct{ ID string } }
	_ = json.Unmarshal(reg.body, &rec)
	pid := rec.Person.ID
	today := homewardtest.Today(e.w.DB, 0)

	for _, c := range []struct {
		name, as, body string
		want           int
	}{
		{"future date", "ngo/case_worker", `{"received_on":"` + homewardtest.Today(e.w.DB, 3) + `"}`, 400},
		{"unknown channel", "ngo/case_worker", `{"received_on":"` + today + `","channel":"pigeon"}`, 400},
		{"another organisation", "operator/case_worker", `{"received_on":"` + today + `"}`, 404},
		{"administrator", "ngo/administrator", `{"received_on":"` + today + `"}`, 403},
	} {
		if a := e.do(call{method: "POST", path: "/api/v1/people/" + pid + "/subject-requests", as: c.as, body: c.body}); a.status != c.want {
			t.Errorf("%s: %d, want %d: %s", c.name, a.status, c.want, a.body)
		}
	}
	a := e.do(call{method: "POST", path: "/api/v1/people/" + pid + "/subject-requests", as: "ngo/case_worker", body: `{"received_on":"` + today + `","channel":"in_person"}`})
	if a.status != 201 {
		t.Fatalf("record: %d %s", a.status, a.body)
	}
	q := a.json(t)
	qid, _ := q["id"].(string)
	if q["status"] != "open" || q["due_on"] != homewardtest.Today(e.w.DB, 30) {
		t.Errorf("request: %v", q)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/subject-requests", as: "ngo/supervisor"}); a.status != 200 || a.json(t)["total"] != float64(1) {
		t.Errorf("open requests: %d %s", a.status, a.body)
	}
	// Not answered before a copy is made.
	if a := e.do(call{method: "POST", path: "/api/v1/subject-requests/" + qid + "/fulfil", as: "ngo/supervisor"}); a.status != 409 {
		t.Errorf("fulfilled without a copy: %d %s", a.status, a.body)
	}
	// The case worker opens the record; the copy says so.
	if a := e.do(call{method: "GET", path: "/api/v1/people/" + pid, as: "ngo/case_worker"}); a.status != 200 {
		t.Fatalf("read: %d", a.status)
	}
	for _, who := range []string{"ngo/case_worker", "operator/supervisor"} {
		if a := e.do(call{method: "GET", path: "/api/v1/people/" + pid + "/subject-access", as: who}); a.status != 403 && a.status != 404 {
			t.Errorf("copy by %s: %d", who, a.status)
		}
	}
	a = e.do(call{method: "GET", path: "/api/v1/people/" + pid + "/subject-access?lang=bn", as: "ngo/supervisor"})
	if a.status != 200 {
		t.Fatalf("copy: %d %s", a.status, a.body)
	}
	var doc struct {
		Language string
		Record   struct {
			Person struct {
				GivenName string `json:"given_name"`
			}
		}
		ReadBy   []struct{ Who string } `json:"read_by"`
		Requests []struct{ ID string }
	}
	if err := json.Unmarshal(a.body, &doc); err != nil {
		t.Fatal(err)
	}
	cwName := e.w.Users["ngo"]["case_worker"].Name
	readers := ""
	for _, r := range doc.ReadBy {
		readers += r.Who + ";"
	}
	if doc.Language != "bn" || doc.Record.Person.GivenName != "Rahima" || len(doc.Requests) != 1 || !strings.Contains(readers, cwName) {
		t.Errorf("copy: lang %q, name %q, %d requests, readers %q (want %q)", doc.Language, doc.Record.Person.GivenName, len(doc.Requests), readers, cwName)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/subject-requests/" + qid + "/fulfil", as: "ngo/supervisor"}); a.status != 200 || a.json(t)["status"] != "fulfilled" {
		t.Errorf("fulfil: %d %s", a.status, a.body)
	}
}

// A consent receipt through the API: the ISO/IEC TS 27560 elements in the
// language asked for; refused to another organisation and for a consent
// the person does not have.
func TestConsentReceiptAPI(t *testing.T) {
	e := newEnv(t)
	rec := registerRahima(t, e)
	if len(rec.Consents) == 0 {
		t.Fatalf("no consents: %+v", rec)
	}
	path := "/api/v1/people/" + rec.Person.ID + "/consents/" + rec.Consents[0].ID + "/receipt"
	a := e.do(call{method: "GET", path: path + "?lang=bn", as: "ngo/case_worker"})
	if a.status != 200 {
		t.Fatalf("receipt: %d %s", a.status, a.body)
	}
	var got struct {
		RecordID       string `json:"recordId"`
		PIIPrincipalID string `json:"piiPrincipalId"`
		ConsentStatus  string `json:"consentStatus"`
		Language       string
		Purposes       []struct{ PurposeID, Purpose string }
		Event          []struct{ EventType, EventBy string }
	}
	if err := json.Unmarshal(a.body, &got); err != nil {
		t.Fatal(err)
	}
	if got.RecordID != rec.Consents[0].ID || got.PIIPrincipalID != rec.Case.Number || got.ConsentStatus != "given" || got.Language != "bn" ||
		len(got.Purposes) != 1 || got.Purposes[0].PurposeID != rec.Consents[0].Purpose || got.Purposes[0].Purpose == rec.Consents[0].Purpose ||
		len(got.Event) != 1 || got.Event[0].EventBy != e.w.Users["ngo"]["case_worker"].Name {
		t.Errorf("receipt: %+v", got)
	}
	if a := e.do(call{method: "GET", path: path, as: "operator/case_worker"}); a.status != 404 {
		t.Errorf("another organisation: %d", a.status)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/people/" + rec.Person.ID + "/consents/nope/receipt", as: "ngo/case_worker"}); a.status != 404 {
		t.Errorf("unknown consent: %d", a.status)
	}
}

// Emergency access through the API: refused without a reason or for an
// unknown record, granted to another organisation's case worker, read,
// listed to the holder's supervisor, reviewed only by them.
func TestBreakGlassAPI(t *testing.T) {
	e := newEnv(t)
	rec := registerRahima(t, e)
	open := func(as, body string) answer {
		return e.do(call{method: "POST", path: "/api/v1/emergency-access", as: as, body: body})
	}
	for _, c := range []struct {
		name, as, body string
		want           int
	}{
		{"no reason", "operator/case_worker", `{"identifier":"` + rec.Case.Number + `"}`, 400},
		{"unknown record", "operator/case_worker", `{"identifier":"BGD-2026-999999","reason":"Found at the airport at night"}`, 404},
		{"own organisation", "ngo/case_worker", `{"identifier":"` + rec.Case.Number + `","reason":"Found at the airport at night"}`, 404},
		{"administrator", "operator/administrator", `{"identifier":"` + rec.Case.Number + `","reason":"Found at the airport at night"}`, 403},
		{"not JSON", "operator/case_worker", `{"identifier":`, 400},
	} {
		if a := open(c.as, c.body); a.status != c.want {
			t.Errorf("%s: %d, want %d: %s", c.name, a.status, c.want, a.body)
		}
	}
	a := open("operator/case_worker", `{"identifier":"`+rec.Case.Number+`","reason":"Found at the airport at night, unwell"}`)
	if a.status != 201 {
		t.Fatalf("open: %d %s", a.status, a.body)
	}
	gid, _ := a.json(t)["id"].(string)
	if a := e.do(call{method: "GET", path: "/api/v1/emergency-access/" + gid, as: "operator/case_worker"}); a.status != 200 || !strings.Contains(string(a.body), `"given_name":"Rahima"`) {
		t.Errorf("read through the access: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/emergency-access/" + gid, as: "operator/supervisor"}); a.status != 404 {
		t.Errorf("someone else reads through the access: %d", a.status)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/emergency-access?unreviewed=true&person_id=" + rec.Person.ID, as: "ngo/supervisor"}); a.status != 200 || a.json(t)["total"] != float64(1) {
		t.Errorf("holder's supervisor's list: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/emergency-access/" + gid + "/review", as: "operator/supervisor", body: `{"note":"fine"}`}); a.status != 404 && a.status != 403 {
		t.Errorf("the requester's supervisor reviews: %d", a.status)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/emergency-access/" + gid + "/review", as: "ngo/supervisor", body: `{"note":""}`}); a.status != 400 {
		t.Errorf("review without a note: %d", a.status)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/emergency-access/" + gid + "/review", as: "ngo/supervisor", body: `{"note":"Called the airport desk: justified."}`}); a.status != 204 {
		t.Errorf("review: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/emergency-access/" + gid + "/review", as: "ngo/supervisor", body: `{"note":"again"}`}); a.status != 409 {
		t.Errorf("reviewed twice: %d", a.status)
	}
}

// rahima is a returnee registered by the NGO's case worker.
type rahima struct {
	Person   struct{ ID string }
	Case     struct{ Number string }
	Consents []struct{ ID, Purpose string }
}

func registerRahima(t *testing.T, e *env) rahima {
	t.Helper()
	reg := e.do(call{method: "POST", path: "/api/v1/registrations", as: "ngo/case_worker", body: registration("Rahima", "Begum", "", "01712345678", "1234567890", "BD302602")})
	if reg.status != 201 {
		t.Fatalf("register: %d %s", reg.status, reg.body)
	}
	var rec rahima
	if err := json.Unmarshal(reg.body, &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}

package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/password"
)

// Erasure over the API: recorded with a reason, refused to its requester
// (403) and under a legal hold (409), approved by a second supervisor;
// then the person's record and searches (name, phone, document, case
// number) find nothing, and the audit log verifies. Retention: the dry
// run is for administrators and lists a held person as held.
func TestErasureAPI(t *testing.T) {
	e := newEnv(t)
	u := &homeward.User{OrgID: e.w.NGO.ID, Email: "supervisor2@ngo.test", Name: "Second Supervisor", Roles: []homeward.Role{homeward.RoleSupervisor}}
	if err := e.w.DB.CreateUserWithHash(homewardtest.SystemCtx(), u, password.Hash(homewardtest.Password)); err != nil {
		t.Fatal(err)
	}
	tok := &homeward.APIToken{Name: "test", Scopes: homeward.Scopes}
	if err := e.w.DB.CreateToken(homewardtest.SystemCtx(), u.ID, tok); err != nil {
		t.Fatal(err)
	}
	e.tokens["ngo/supervisor2"] = tok.Secret
	reg := e.do(call{method: "POST", path: "/api/v1/registrations", as: "ngo/case_worker", body: registration("Md. Rafiqul", "Islam", "মোঃ রফিকুল ইসলাম", "01712-345678", "1234567890", "BD302602")})
	if reg.status != 201 {
		t.Fatalf("register: %d %s", reg.status, reg.body)
	}
	var rec struct {
		Person struct{ ID string }
		Case   struct{ Number string }
	}
	_ = json.Unmarshal(reg.body, &rec)
	pid := rec.Person.ID
	queries := []string{"rafiqul", "01712345678", "1234567890", rec.Case.Number}
	found := func(q string) bool {
		t.Helper()
		a := e.do(call{method: "GET", path: "/api/v1/people?q=" + q, as: "ngo/case_worker"})
		if a.status != 200 {
			t.Fatalf("search %q: %d %s", q, a.status, a.body)
		}
		return strings.Contains(string(a.body), pid)
	}
	for _, q := range queries {
		if !found(q) {
			t.Fatalf("search %q does not find the person before erasure", q)
		}
	}

	var reqID string
	for _, tc := range []struct {
		name   string
		c      call
		status int
		want   string
	}{
		{"no reason", call{method: "POST", path: "/api/v1/people/" + pid + "/erasure-requests", as: "ngo/case_worker", body: `{"reason":""}`}, 400, "Give the reason"},
		{"no reason, Bangla", call{method: "POST", path: "/api/v1/people/" + pid + "/erasure-requests", as: "ngo/case_worker", body: `{"reason":"x"}`, header: map[string]string{"Accept-Language": "bn"}}, 400, "কারণ লিখুন"},
		{"another organisation", call{method: "POST", path: "/api/v1/people/" + pid + "/erasure-requests", as: "operator/supervisor", body: `{"reason":"The returnee asked by letter."}`}, 404, ""},
		{"wrong role", call{method: "POST", path: "/api/v1/people/" + pid + "/erasure-requests", as: "ngo/me_analyst", body: `{"reason":"The returnee asked by letter."}`}, 403, ""},
		{"recorded", call{method: "POST", path: "/api/v1/people/" + pid + "/erasure-requests", as: "ngo/supervisor", body: `{"reason":"The returnee asked by letter."}`}, 201, `"status":"requested"`},
	} {
		a := e.do(tc.c)
		if a.status != tc.status || !strings.Contains(string(a.body), tc.want) {
			t.Errorf("%s: %d %s", tc.name, a.status, a.body)
		}
		if a.status == 201 {
			reqID, _ = a.json(t)["id"].(string)
		}
	}
	hold := e.do(call{method: "POST", path: "/api/v1/legal-holds", as: "ngo/administrator", body: `{"person":"` + rec.Case.Number + `","reason":"Court order 12/2026."}`})
	if hold.status != 201 {
		t.Fatalf("hold: %d %s", hold.status, hold.body)
	}
	holdID, _ := hold.json(t)["id"].(string)
	report := e.do(call{method: "GET", path: "/api/v1/retention/report", as: "ngo/administrator"})
	if report.status != 200 || !strings.Contains(string(report.body), `"dry_run":true`) {
		t.Errorf("report: %d %s", report.status, report.body)
	}
	for _, tc := range []struct {
		name   string
		c      call
		status int
		want   string
	}{
		{"by its requester", call{method: "POST", path: "/api/v1/erasure-requests/" + reqID + "/approve", as: "ngo/supervisor"}, 403, "another supervisor must decide"},
		{"by a case worker", call{method: "POST", path: "/api/v1/erasure-requests/" + reqID + "/approve", as: "ngo/case_worker"}, 403, ""},
		{"by another organisation", call{method: "POST", path: "/api/v1/erasure-requests/" + reqID + "/approve", as: "operator/supervisor"}, 404, ""},
		{"under a hold", call{method: "POST", path: "/api/v1/erasure-requests/" + reqID + "/approve", as: "ngo/supervisor2"}, 409, "legal hold"},
		{"retention report by a supervisor", call{method: "GET", path: "/api/v1/retention/report", as: "ngo/supervisor"}, 403, ""},
		{"bad rule", call{method: "PUT", path: "/api/v1/retention/rules", as: "ngo/administrator", body: `{"kind":"closed_case","years":101}`}, 400, "1 to 100 years"},
		{"rule", call{method: "PUT", path: "/api/v1/retention/rules", as: "ngo/administrator", body: `{"kind":"closed_case","years":5}`}, 200, `"years":5`},
		{"lift", call{method: "POST", path: "/api/v1/legal-holds/" + holdID + "/lift", as: "ngo/supervisor", body: `{"reason":"The court released the file."}`}, 200, `"lift_reason"`},
		{"approve", call{method: "POST", path: "/api/v1/erasure-requests/" + reqID + "/approve", as: "ngo/supervisor2"}, 200, `"status":"erased"`},
		{"approve again", call{method: "POST", path: "/api/v1/erasure-requests/" + reqID + "/approve", as: "ngo/supervisor2"}, 409, ""},
		{"the record", call{method: "GET", path: "/api/v1/people/" + pid, as: "ngo/case_worker"}, 404, ""},
	} {
		a := e.do(tc.c)
		if a.status != tc.status || !strings.Contains(string(a.body), tc.want) {
			t.Errorf("%s: %d %s", tc.name, a.status, a.body)
		}
	}
	for _, q := range queries {
		if found(q) {
			t.Errorf("search %q finds the erased person", q)
		}
	}
	if rep, err := e.w.DB.VerifyAudit(homewardtest.SystemCtx()); err != nil || !rep.OK() {
		t.Fatalf("audit verify: %+v %v", rep, err)
	}
}

package api_test

import (
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/internal/rpl"
)

// The certificates API: the issuing organisation lists and reads its
// certificates (exactly as issued, as application/vc+ld+json when asked);
// anyone verifies one without signing in; bad bodies are refused.
func TestCredentialsAPI(t *testing.T) {
	e := newEnv(t)
	w := e.w
	cw, sup := "ngo/case_worker", "ngo/supervisor"
	a := e.do(call{method: "POST", path: "/api/v1/registrations", as: cw, body: registration("Md. Rafiqul", "Islam", "মোঃ রফিকুল ইসলাম", "01712-345678", "1234567890", "BD302602")})
	if a.status != 201 {
		t.Fatalf("register: %d %s", a.status, a.body)
	}
	caseID := a.json(t)["case"].(map[string]any)["id"].(string)
	std := w.DB.RPLCatalogue().Standard("HW-WELD-2")
	assessor := w.Users["ngo"][homeward.RoleProviderStaff]
	if err := w.DB.RegisterAssessor(w.Ctx("ngo", homeward.RoleAdministrator), assessor.ID, std.Code, "Chattogram TTC"); err != nil {
		t.Fatal(err)
	}
	as, err := w.DB.ApplyRPL(w.Ctx("ngo", homeward.RoleCaseWorker), caseID, std.Code, nil)
	if err != nil {
		t.Fatal(err)
	}
	var results []rpl.UnitResult
	for _, u := range std.Units {
		results = append(results, rpl.UnitResult{Unit: u.Code, Result: rpl.Competent})
	}
	if as, err = w.DB.RecordRPL(w.Ctx("ngo", homeward.RoleProviderStaff), as.ID, as.Version, results); err != nil {
		t.Fatal(err)
	}
	if as, err = w.DB.SignOffRPL(w.Ctx("ngo", homeward.RoleSupervisor), as.ID, as.Version); err != nil {
		t.Fatal(err)
	}
	c, err := w.DB.IssueCredential(w.Ctx("ngo", homeward.RoleSupervisor), as.ID)
	if err != nil {
		t.Fatal(err)
	}

	list := e.do(call{method: "GET", path: "/api/v1/credentials?status=active", as: sup})
	if list.status != 200 || !strings.Contains(string(list.body), c.ID) || !strings.Contains(string(list.body), `"status":"active"`) {
		t.Errorf("list: %d %s", list.status, list.body)
	}
	if l := e.do(call{method: "GET", path: "/api/v1/credentials?status=revoked", as: sup}); l.status != 200 || strings.Contains(string(l.body), c.ID) {
		t.Errorf("revoked list: %d %s", l.status, l.body)
	}
	if l := e.do(call{method: "GET", path: "/api/v1/credentials?status=maybe", as: sup}); l.status != 400 {
		t.Errorf("odd status: %d", l.status)
	}
	if l := e.do(call{method: "GET", path: "/api/v1/credentials", as: "operator/supervisor"}); l.status != 200 || strings.Contains(string(l.body), c.ID) {
		t.Errorf("another organisation's list: %d %s", l.status, l.body)
	}
	if l := e.do(call{method: "GET", path: "/api/v1/credentials"}); l.status != 401 {
		t.Errorf("no token: %d", l.status)
	}
	one := e.do(call{method: "GET", path: "/api/v1/credentials/" + url.PathEscape(c.ID), as: sup, header: map[string]string{"Accept": "application/vc+ld+json"}})
	if one.status != 200 || string(one.body) != string(c.Document) || one.header.Get("Content-Type") != "application/vc+ld+json" {
		t.Errorf("get: %d %s %s", one.status, one.header.Get("Content-Type"), one.body)
	}
	if o := e.do(call{method: "GET", path: "/api/v1/credentials/" + url.PathEscape(c.ID), as: "operator/supervisor"}); o.status != 404 {
		t.Errorf("another organisation reads it: %d", o.status)
	}

	// Anyone verifies, without a token.
	v := e.do(call{method: "POST", path: "/api/v1/credentials/verify", body: string(c.Document)})
	if j := v.json(t); v.status != 200 || j["valid"] != true || j["status"] != "active" || j["holder"] != "Md. Rafiqul Islam" {
		t.Errorf("verify: %d %s", v.status, v.body)
	}
	bad := e.do(call{method: "POST", path: "/api/v1/credentials/verify", body: strings.Replace(string(c.Document), "Rafiqul", "Rafiq", 1), header: map[string]string{"Accept-Language": "bn"}})
	if j := bad.json(t); bad.status != 200 || j["valid"] != false || j["reason_key"] != "credential.verify.invalid" || !strings.Contains(j["reason"].(string), "সনদ") {
		t.Errorf("tampered: %d %s", bad.status, bad.body)
	}
	if big := e.do(call{method: "POST", path: "/api/v1/credentials/verify", body: `{"x":"` + strings.Repeat("a", 300<<10) + `"}`}); big.status != 413 {
		t.Errorf("huge body: %d", big.status)
	}
	if nj := e.do(call{method: "POST", path: "/api/v1/credentials/verify", body: "{", header: map[string]string{"Content-Type": "text/plain"}}); nj.status != 400 {
		t.Errorf("not JSON: %d", nj.status)
	}
	if empty := e.do(call{method: "POST", path: "/api/v1/credentials/verify", body: "not json"}); empty.status != 200 || empty.json(t)["valid"] != false {
		t.Errorf("garbage: %d %s", empty.status, empty.body)
	}
}

package api_test

import (
	"strings"
	"testing"

	"homeward"
)

// An organisation's sign-in rules through the API: its own administrators
// read and replace them on the version read; others are refused, and
// refused changes change nothing.
func TestSignInPolicyAPI(t *testing.T) {
	e := newEnv(t)
	path := "/api/v1/organisations/" + e.w.NGO.ID + "/signin-policy"
	got := e.do(call{method: "GET", path: path, as: "ngo/administrator"})
	etag := got.header.Get("ETag")
	if got.status != 200 || etag != `"v2"` { // the fixture's change of the defaults
		t.Fatalf("get: %d %q %s", got.status, etag, got.body)
	}
	for _, as := range []string{"ngo/supervisor", "ngo/case_worker"} {
		if a := e.do(call{method: "GET", path: path, as: as}); a.status != 403 {
			t.Errorf("%s reads the rules: %d", as, a.status)
		}
	}
	body := `{"second_factor_roles":["administrator","supervisor"],"idle_minutes":20,"absolute_minutes":480}`
	for _, c := range []struct {
		name, as, body, ifMatch string
		status                  int
	}{
		{"another organisation's administrator", "operator/administrator", body, etag, 404},
		{"a supervisor", "ngo/supervisor", body, etag, 403},
		{"no If-Match", "ngo/administrator", body, "", 412},
		{"stale", "ngo/administrator", body, `"v1"`, 412},
		{"idle too short", "ngo/administrator", `{"second_factor_roles":[],"idle_minutes":1,"absolute_minutes":480}`, etag, 400},
		{"unknown role", "ngo/administrator", `{"second_factor_roles":["king"],"idle_minutes":20,"absolute_minutes":480}`, etag, 400},
		{"not JSON", "ngo/administrator", `{"idle_minutes":`, etag, 400},
		{"huge", "ngo/administrator", `{"second_factor_roles":["` + strings.Repeat("a", 10000) + `"]}`, etag, 413},
	} {
		h := map[string]string{}
		if c.ifMatch != "" {
			h["If-Match"] = c.ifMatch
		}
		if a := e.do(call{method: "PUT", path: path, as: c.as, body: c.body, header: h}); a.status != c.status {
			t.Errorf("%s: %d, want %d: %s", c.name, a.status, c.status, a.body)
		}
	}
	p, err := e.w.DB.SignInPolicy(e.w.Ctx("ngo", homeward.RoleAdministrator), e.w.NGO.ID)
	if err != nil || p.Version != 2 || len(p.SecondFactorRoles) != 0 {
		t.Fatalf("refused changes changed the rules: %+v %v", p, err)
	}
	put := e.do(call{method: "PUT", path: path, as: "ngo/administrator", body: body, header: map[string]string{"If-Match": etag}})
	if put.status != 200 || put.header.Get("ETag") != `"v3"` {
		t.Fatalf("put: %d %s %s", put.status, put.header.Get("ETag"), put.body)
	}
	m := e.do(call{method: "GET", path: path, as: "ngo/administrator"}).json(t)
	if m["idle_minutes"].(float64) != 20 || len(m["second_factor_roles"].([]any)) != 2 {
		t.Errorf("after the change: %v", m)
	}
}

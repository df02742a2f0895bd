package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
)

// The paths by which an organisation's administrator could read counselling
// notes (issue 12, finding 3), tried over the API.
func TestAdministratorsCannotBecomeCounsellors(t *testing.T) {
	e := newEnv(t)
	staff := e.w.Users["ngo"][homeward.RoleProviderStaff]
	admin := e.w.Users["ngo"][homeward.RoleAdministrator]
	cw := e.w.Users["ngo"][homeward.RoleCaseWorker]
	// A second NGO administrator, with a token of their own.
	b := &homeward.User{OrgID: e.w.NGO.ID, Email: "second.admin@ngo.test", Name: "Second Admin", Roles: []homeward.Role{homeward.RoleAdministrator}}
	if err := e.w.DB.CreateUser(e.w.Ctx("ngo", homeward.RoleAdministrator), b, homewardtest.Password); err != nil {
		t.Fatal(err)
	}
	// A lone administrator's second administrator waits for the operator.
	grants := e.do(call{method: "GET", path: "/api/v1/role-grants", as: "operator/administrator"})
	var pending struct{ Items []homeward.RoleGrant }
	if err := json.Unmarshal(grants.body, &pending); err != nil || len(pending.Items) != 1 || pending.Items[0].UserID != b.ID || pending.Items[0].Role != homeward.RoleAdministrator {
		t.Fatalf("operator's pending grants: %s", grants.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/role-grants/" + pending.Items[0].ID + "/approve", as: "ngo/administrator"}); a.status != 403 {
		t.Fatalf("the lone administrator approves their own request: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/role-grants/" + pending.Items[0].ID + "/approve", as: "operator/administrator"}); a.status != 200 {
		t.Fatalf("operator approves the second administrator: %d %s", a.status, a.body)
	}
	tok := &homeward.APIToken{Name: "test", Scopes: homeward.Scopes}
	if err := e.w.DB.CreateToken(homewardtest.SystemCtx(), b.ID, tok); err != nil {
		t.Fatal(err)
	}
	e.tokens["ngo/admin2"] = tok.Secret

	steps := []struct {
		name   string
		call   call
		status int
		code   string
		has    string
	}{
		{"admin mints a counsellor's token", call{method: "POST", path: "/api/v1/users/" + staff.ID + "/tokens", as: "ngo/administrator", body: `{"name":"x","scopes":["read"]}`}, 403, "forbidden", ""},
		{"admin lists a counsellor's tokens", call{method: "GET", path: "/api/v1/users/" + staff.ID + "/tokens", as: "ngo/administrator"}, 403, "forbidden", ""},
		{"operator mints another org's token", call{method: "POST", path: "/api/v1/users/" + staff.ID + "/tokens", as: "operator/administrator", body: `{"name":"x","scopes":["read"]}`}, 404, "not_found", ""},
		{"supervisor revokes a counsellor's tokens", call{method: "DELETE", path: "/api/v1/users/" + staff.ID + "/tokens", as: "ngo/supervisor"}, 403, "forbidden", ""},
		{"counsellor mints own token", call{method: "POST", path: "/api/v1/users/" + staff.ID + "/tokens", as: "ngo/provider_staff", body: `{"name":"x","scopes":["read"]}`}, 201, "", "hw_"},
		{"admin grants self provider staff", call{method: "PATCH", path: "/api/v1/users/" + admin.ID, as: "ngo/administrator", body: `{"roles":["administrator","provider_staff"]}`, header: map[string]string{"If-Match": `"v1"`}}, 403, "forbidden", ""},
		{"operator plants a counsellor", call{method: "POST", path: "/api/v1/users", as: "operator/administrator", body: `{"org_id":"` + e.w.NGO.ID + `","email":"planted@ngo.test","name":"P","roles":["provider_staff"],"password":"long enough password"}`}, 403, "forbidden", ""},
		{"operator plants a second admin", call{method: "POST", path: "/api/v1/users", as: "operator/administrator", body: `{"org_id":"` + e.w.NGO.ID + `","email":"planted@ngo.test","name":"P","roles":["administrator"],"password":"long enough password"}`}, 403, "forbidden", ""},
		{"operator gives an NGO user roles", call{method: "PATCH", path: "/api/v1/users/" + cw.ID, as: "operator/administrator", body: `{"roles":["provider_staff"]}`, header: map[string]string{"If-Match": `"v1"`}}, 404, "not_found", ""},
		{"supervisor gives a colleague roles", call{method: "PATCH", path: "/api/v1/users/" + cw.ID, as: "ngo/supervisor", body: `{"roles":["provider_staff"]}`, header: map[string]string{"If-Match": `"v1"`}}, 403, "forbidden", ""},
		{"supervisor sets a colleague's digits", call{method: "PATCH", path: "/api/v1/users/" + cw.ID, as: "ngo/supervisor", body: `{"digits":"latn"}`, header: map[string]string{"If-Match": `"v1"`}}, 403, "forbidden", ""},
		{"operator sets an NGO user's digits", call{method: "PATCH", path: "/api/v1/users/" + cw.ID, as: "operator/administrator", body: `{"digits":"latn"}`, header: map[string]string{"If-Match": `"v1"`}}, 404, "not_found", ""},
		{"digits that are no choice", call{method: "PATCH", path: "/api/v1/users/" + cw.ID, as: "ngo/administrator", body: `{"digits":"arab"}`, header: map[string]string{"If-Match": `"v1"`}}, 400, "invalid", ""},
		{"operator resets a counsellor's password", call{method: "POST", path: "/api/v1/users/" + staff.ID + "/password", as: "operator/administrator", body: `{"new_password":"a password I now know"}`}, 404, "not_found", ""},
		{"admin asks provider staff for a colleague", call{method: "PATCH", path: "/api/v1/users/" + cw.ID, as: "ngo/administrator", body: `{"roles":["case_worker","provider_staff"]}`, header: map[string]string{"If-Match": `"v1"`}}, 200, "", `"roles":["case_worker"],"pending_roles":["provider_staff"]`},
		{"supervisor lists grants", call{method: "GET", path: "/api/v1/role-grants", as: "ngo/supervisor"}, 403, "forbidden", ""},
		{"admin revokes a counsellor's tokens unseen", call{method: "DELETE", path: "/api/v1/users/" + staff.ID + "/tokens", as: "ngo/administrator"}, 200, "", `{"revoked":2}`},
		{"operator lists grants of its own org", call{method: "GET", path: "/api/v1/role-grants", as: "operator/administrator"}, 200, "", `"items":[]`},
	}
	for _, s := range steps {
		a := e.do(s.call)
		if a.status != s.status {
			t.Fatalf("%s: status %d, want %d\n%s", s.name, a.status, s.status, a.body)
		}
		if s.code != "" && a.json(t)["code"] != s.code {
			t.Errorf("%s: %s", s.name, a.body)
		}
		if s.has != "" && !strings.Contains(string(a.body), s.has) {
			t.Errorf("%s: answer lacks %s: %s", s.name, s.has, a.body)
		}
	}
	list := e.do(call{method: "GET", path: "/api/v1/role-grants", as: "ngo/admin2"})
	var page struct{ Items []homeward.RoleGrant }
	if err := json.Unmarshal(list.body, &page); err != nil || len(page.Items) != 1 {
		t.Fatalf("grants: %s", list.body)
	}
	id := page.Items[0].ID
	if a := e.do(call{method: "POST", path: "/api/v1/role-grants/" + id + "/approve", as: "ngo/administrator"}); a.status != 403 {
		t.Errorf("requester approves: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/role-grants/" + id + "/approve", as: "operator/administrator"}); a.status != 404 {
		t.Errorf("operator approves: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/role-grants/" + id + "/approve", as: "ngo/admin2"}); a.status != 200 || !strings.Contains(string(a.body), `"state":"approved"`) {
		t.Fatalf("second administrator approves: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/role-grants/" + id + "/reject", as: "ngo/admin2"}); a.status != 409 {
		t.Errorf("deciding twice: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/users/" + cw.ID, as: "ngo/administrator"}); !strings.Contains(string(a.body), `"roles":["case_worker","provider_staff"]`) {
		t.Errorf("after approval: %s", a.body)
	}
}

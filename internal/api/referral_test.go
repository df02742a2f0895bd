package api_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/password"
)

// refEnv adds a service provider with one user per role (tokens
// "provider/<role>") and an NGO returnee who consented to be referred to it.
func refEnv(t *testing.T) (*env, string, string) {
	t.Helper()
	e := newEnv(t)
	sys := homewardtest.SystemCtx()
	p := &homeward.Organisation{Name: "Dhaka Skills Centre", Type: homeward.OrgServiceProvider, Country: "BD", Areas: []string{"BD3026"}}
	if err := e.w.DB.CreateOrganisation(sys, p); err != nil {
		t.Fatal(err)
	}
	hash := password.Hash(homewardtest.Password)
	for _, r := range homeward.Roles {
		u := &homeward.User{OrgID: p.ID, Email: string(r) + "@dsc.test", Name: "dsc " + string(r), Roles: []homeward.Role{r}}
		if err := e.w.DB.CreateUserWithHash(sys, u, hash); err != nil {
			t.Fatal(err)
		}
		tok := &homeward.APIToken{Name: "test", Scopes: homeward.Scopes}
		if err := e.w.DB.CreateToken(sys, u.ID, tok); err != nil {
			t.Fatal(err)
		}
		e.tokens["provider/"+string(r)] = tok.Secret
	}
	body := fmt.Sprintf(`{"person":{"given_name":"Rahima","family_name":"Khatun","sex":"female","date_of_birth":"1992","phones":["01712-345678"],
		"documents":[{"type":"national_id","number":"1234567890","issuing_country":"BD"}],"address":{"admin_area":"BD302602"}},
		"episodes":[{"destination_country":"SA","departure_date":"2019-02","return":{"date":%q,"return_type":"deported","point_of_entry":"BD-DAC"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"},{"purpose":"referral","method":"signed_form","recipient":{"org_id":%q}}]}`,
		e.w.DB.Now().AddDate(0, 0, -5).Format(time.DateOnly), p.ID)
	a := e.do(call{method: "POST", path: "/api/v1/registrations", as: "ngo/case_worker", body: body})
	if a.status != 201 {
		t.Fatalf("register: %d %s", a.status, a.body)
	}
	caseID := a.json(t)["case"].(map[string]any)["id"].(string)
	return e, p.ID, caseID
}

func TestReferralAPI(t *testing.T) {
	e, provider, caseID := refEnv(t)
	send := fmt.Sprintf(`{"case_id":%q,"to_org_id":%q,"service_type":"skills_training","note":"Interested in electrical work"}`, caseID, provider)
	steps := []struct {
		name     string
		call     call
		status   int
		code     string
		contains string
		lacks    string
	}{
		{"not offered yet", call{method: "POST", path: "/api/v1/referrals", as: "ngo/case_worker", body: send}, 409, "conflict", "does not offer", ""},
		{"NGO admin cannot add the provider's entry", call{method: "POST", path: "/api/v1/providers", as: "ngo/administrator",
			body: fmt.Sprintf(`{"org_id":%q,"service_type":"skills_training","areas":["BD30"],"active":true}`, provider)}, 404, "not_found", "", ""},
		{"provider admin adds an entry", call{method: "POST", path: "/api/v1/providers", as: "provider/administrator",
			body: `{"service_type":"skills_training","areas":["BD30"],"active":true,"capacity":{"places":5},"eligibility":{"text":"Returnees 18 to 50"},
			"contact":{"phone":"+8802 5555"},"hours":[{"days":["sa","su"],"opens":"09:00","closes":"17:00"}]}`}, 201, "", `"capacity":{"places":5`, ""},
		{"bad entry", call{method: "POST", path: "/api/v1/providers", as: "provider/administrator", body: `{"service_type":"magic","areas":[]}`}, 400, "invalid", `"field":"service_type"`, ""},
		{"directory search", call{method: "GET", path: "/api/v1/providers?service_type=skills_training&area=BD302602", as: "ngo/case_worker"}, 200, "", "Dhaka Skills Centre", ""},
		{"bad area", call{method: "GET", path: "/api/v1/providers?area=XX", as: "ngo/case_worker"}, 400, "invalid", "", ""},
		{"operator adds a type", call{method: "PUT", path: "/api/v1/service-types/tailoring", as: "operator/administrator",
			body: `{"parent":"skills_training","kind":"training","shared_fields":["name"],"active":true,"names":{"en":"Tailoring course"}}`}, 200, "", `"names":{"en":"Tailoring course"}`, ""},
		{"provider offers it", call{method: "POST", path: "/api/v1/providers", as: "provider/administrator", body: `{"service_type":"tailoring","areas":["BD30"],"active":true}`}, 201, "", "", ""},
		{"HSDS", call{method: "GET", path: "/api/v1/exports/hsds", as: "ngo/me_analyst"}, 200, "", `"Tailoring course"`, "referral.service.tailoring"},
		{"catalogue", call{method: "GET", path: "/api/v1/service-types", as: "provider/provider_staff"}, 200, "", `"psychosocial_counselling"`, ""},
		{"catalogue is the operator's", call{method: "PUT", path: "/api/v1/service-types/tailoring", as: "ngo/administrator", body: `{"kind":"training","shared_fields":["name"],"active":true}`}, 403, "forbidden", "", ""},
		{"holidays", call{method: "GET", path: "/api/v1/holidays", as: "ngo/case_worker"}, 200, "", `"country":"BD"`, `"changes":null`},
		{"holidays are the operator's", call{method: "PUT", path: "/api/v1/holidays/2026-12-16", as: "ngo/administrator", body: `{"removed":true}`}, 403, "forbidden", "", ""},
		{"holiday with a bad date", call{method: "PUT", path: "/api/v1/holidays/16-12-2026", as: "operator/administrator", body: `{"removed":true}`}, 400, "invalid", `"field":"date"`, ""},
		{"holiday not in the pack", call{method: "PUT", path: "/api/v1/holidays/2026-12-17", as: "operator/administrator", body: `{"removed":true}`}, 400, "invalid", `"field":"date"`, ""},
		{"holiday added without a name", call{method: "PUT", path: "/api/v1/holidays/2026-12-17", as: "operator/administrator", body: `{"names":{"bn":"ছুটি"}}`}, 400, "invalid", `"field":"names.en"`, ""},
		{"holiday removed", call{method: "PUT", path: "/api/v1/holidays/2026-12-16", as: "operator/administrator", body: `{"removed":true}`}, 200, "", `"removed":true`, ""},
		{"holiday change listed", call{method: "GET", path: "/api/v1/holidays", as: "provider/provider_staff"}, 200, "", `"changes":[{"date":"2026-12-16","removed":true}]`, ""},
		{"holiday change undone", call{method: "DELETE", path: "/api/v1/holidays/2026-12-16", as: "operator/administrator"}, 204, "", "", ""},
		{"no change to undo", call{method: "DELETE", path: "/api/v1/holidays/2026-12-16", as: "operator/administrator"}, 404, "not_found", "", ""},
		{"unknown field in draft", call{method: "POST", path: "/api/v1/referrals", as: "ngo/case_worker", body: `{"case_id":"x","colour":"red"}`}, 400, "invalid", `"field":"colour"`, ""},
		{"provider staff cannot send", call{method: "POST", path: "/api/v1/referrals", as: "provider/provider_staff", body: send}, 403, "forbidden", "", ""},
		{"send", call{method: "POST", path: "/api/v1/referrals", as: "ngo/case_worker", body: send}, 201, "", `"state":"sent"`, ""},
		{"second open referral", call{method: "POST", path: "/api/v1/referrals", as: "ngo/case_worker", body: send}, 409, "conflict", "open referral", ""},
		{"Bangla refusal", call{method: "POST", path: "/api/v1/referrals", as: "ngo/case_worker", body: send, header: map[string]string{"Accept-Language": "bn"}}, 409, "conflict", "চলমান রেফারেল", ""},
		{"inbox shows shared fields only", call{method: "GET", path: "/api/v1/referrals?box=inbox", as: "provider/provider_staff"}, 200, "", `"given_name":"Rahima"`, "1234567890"},
		{"inbox hides the case", call{method: "GET", path: "/api/v1/referrals?box=inbox", as: "provider/provider_staff"}, 200, "", `"phone"`, caseID},
		{"outbox", call{method: "GET", path: "/api/v1/referrals?box=outbox", as: "ngo/supervisor"}, 200, "", caseID, ""},
		{"bad box", call{method: "GET", path: "/api/v1/referrals?box=spam", as: "ngo/supervisor"}, 400, "invalid", `"field":"box"`, ""},
		{"tasks", call{method: "GET", path: "/api/v1/tasks", as: "provider/provider_staff"}, 200, "", `"awaiting_response":[{`, ""},
		{"tasks list follow-ups due", call{method: "GET", path: "/api/v1/tasks", as: "provider/provider_staff"}, 200, "", `"follow_ups_due":[]`, ""},
		{"tasks are counted", call{method: "GET", path: "/api/v1/tasks?limit=1", as: "provider/provider_staff"}, 200, "", `"counts":{"awaiting_response":1,`, ""},
		{"tasks listed up to a maximum", call{method: "GET", path: "/api/v1/tasks?limit=101", as: "provider/provider_staff"}, 400, "invalid", `"field":"limit"`, ""},
		{"stats for supervisors", call{method: "GET", path: "/api/v1/referrals/stats", as: "ngo/supervisor"}, 200, "", `"by_provider":[{`, ""},
		{"no stats for case workers", call{method: "GET", path: "/api/v1/referrals/stats", as: "ngo/case_worker"}, 403, "forbidden", "", ""},
	}
	var refID string
	for _, s := range steps {
		a := e.do(s.call)
		if a.status != s.status {
			t.Fatalf("%s: status %d, want %d\n%s", s.name, a.status, s.status, a.body)
		}
		if s.code != "" && a.json(t)["code"] != s.code {
			t.Errorf("%s: %s", s.name, a.body)
		}
		if s.contains != "" && !strings.Contains(string(a.body), s.contains) {
			t.Errorf("%s: lacks %s: %s", s.name, s.contains, a.body)
		}
		if s.lacks != "" && strings.Contains(string(a.body), s.lacks) {
			t.Errorf("%s: reveals %s: %s", s.name, s.lacks, a.body)
		}
		if s.name == "send" {
			refID = a.json(t)["id"].(string)
			if a.header.Get("ETag") != `"v1"` || a.header.Get("Location") != "/api/v1/referrals/"+refID {
				t.Errorf("send headers: %v", a.header)
			}
		}
	}
	move := func(as, etag, body string) answer {
		return e.do(call{method: "POST", path: "/api/v1/referrals/" + refID + "/transitions", as: as, body: body, header: map[string]string{"If-Match": etag}})
	}
	if a := move("provider/provider_staff", `"v1"`, `{"to":"completed"}`); a.status != 409 {
		t.Errorf("sent → completed: %d %s", a.status, a.body)
	}
	if a := move("ngo/case_worker", `"v1"`, `{"to":"accepted"}`); a.status != 403 {
		t.Errorf("sender accepts: %d %s", a.status, a.body)
	}
	if a := move("operator/case_worker", `"v1"`, `{"to":"accepted"}`); a.status != 404 {
		t.Errorf("third organisation: %d", a.status)
	}
	if a := move("provider/provider_staff", `"v1"`, `{"to":"declined"}`); a.status != 400 || !strings.Contains(string(a.body), `"field":"reason"`) {
		t.Errorf("decline without reason: %d %s", a.status, a.body)
	}
	if a := move("provider/provider_staff", "", `{"to":"accepted"}`); a.status != 412 {
		t.Errorf("no If-Match: %d", a.status)
	}
	if a := move("provider/provider_staff", `"v7"`, `{"to":"accepted"}`); a.status != 412 {
		t.Errorf("stale: %d", a.status)
	}
	a := move("provider/provider_staff", `"v1"`, `{"to":"accepted"}`)
	if a.status != 200 || a.header.Get("ETag") != `"v2"` {
		t.Fatalf("accept: %d %s", a.status, a.body)
	}
	d := e.do(call{method: "POST", path: "/api/v1/referrals/" + refID + "/deliveries", as: "provider/provider_staff",
		body: `{"training":{"course":"House wiring","isco":"7411","start_date":"2026-04-01","end_date":"2026-06-30","hours":360,"outcome":"enrolled"}}`})
	if d.status != 201 {
		t.Fatalf("delivery: %d %s", d.status, d.body)
	}
	did := d.json(t)["id"].(string)
	if a := e.do(call{method: "PATCH", path: "/api/v1/deliveries/" + did, as: "provider/provider_staff", header: map[string]string{"If-Match": `"v1"`},
		body: `{"training":{"course":"House wiring","isco":"7411","hours":360,"outcome":"completed","certificate_ref":"BTEB-1"}}`}); a.status != 400 || !strings.Contains(string(a.body), "training.outcome") {
		t.Fatalf("completion without attendance: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "PATCH", path: "/api/v1/deliveries/" + did, as: "provider/provider_staff", header: map[string]string{"If-Match": `"v1"`},
		body: `{"training":{"course":"House wiring","isco":"7411","hours":12,"attendance":[{"date":"2026-04-01","hours":6},{"date":"2026-04-02","hours":6}],"outcome":"completed","certificate_ref":"BTEB-1"}}`}); a.status != 200 {
		t.Fatalf("completion: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/deliveries/" + did + "/notes", as: "ngo/case_worker"}); a.status != 403 {
		t.Errorf("notes of a training to the referrer: %d", a.status)
	}
	// Recording the completion completed the referral (through in progress).
	if a := e.do(call{method: "GET", path: "/api/v1/referrals/" + refID, as: "provider/provider_staff"}); a.status != 200 || a.json(t)["state"] != "completed" || a.header.Get("ETag") != `"v4"` {
		t.Fatalf("referral after the completion was recorded: %d %s", a.status, a.body)
	}
	got := e.do(call{method: "GET", path: "/api/v1/referrals/" + refID + "/deliveries", as: "ngo/case_worker"})
	if got.status != 200 || !strings.Contains(string(got.body), "BTEB-1") {
		t.Errorf("loop closed for the sender: %d %s", got.status, got.body)
	}
	tl := e.do(call{method: "GET", path: "/api/v1/cases/" + caseID + "/timeline", as: "ngo/case_worker", header: map[string]string{"Accept-Language": "bn"}})
	var page struct {
		Items []struct{ Kind string } `json:"items"`
	}
	_ = json.Unmarshal(tl.body, &page)
	var kinds []string
	for _, it := range page.Items {
		kinds = append(kinds, it.Kind)
	}
	if !strings.Contains(strings.Join(kinds, " "), "referral_completed") {
		t.Errorf("timeline: %v", kinds)
	}
}

func TestPlanAPI(t *testing.T) {
	e, _, caseID := refEnv(t)
	a := e.do(call{method: "POST", path: "/api/v1/cases/" + caseID + "/plans", as: "ngo/case_worker",
		body: `{"goals":[{"text":"আমি একটা মুদি দোকান দিতে চাই","dimension":"economic"}],"services":[{"service_type":"business_grant_cash","budget":{"amount":50000,"currency":"BDT"}}]}`})
	if a.status != 201 {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	id := a.json(t)["id"].(string)
	path := "/api/v1/plans/" + id
	if a := e.do(call{method: "POST", path: path + "/agree", as: "ngo/case_worker", body: `{"method":"verbal_with_witness"}`, header: map[string]string{"If-Match": `"v1"`}}); a.status != 400 {
		t.Errorf("verbal without witness: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "POST", path: path + "/agree", as: "ngo/case_worker", body: `{"method":"signed_form"}`, header: map[string]string{"If-Match": `"v1"`}}); a.status != 200 || !strings.Contains(string(a.body), "awaiting_approval") {
		t.Fatalf("agree: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "POST", path: path + "/approve", as: "ngo/case_worker", header: map[string]string{"If-Match": `"v2"`}}); a.status != 403 {
		t.Errorf("case worker approves: %d", a.status)
	}
	if a := e.do(call{method: "POST", path: path + "/approve", as: "operator/supervisor", header: map[string]string{"If-Match": `"v2"`}}); a.status != 404 {
		t.Errorf("other organisation approves: %d", a.status)
	}
	if a := e.do(call{method: "POST", path: path + "/approve", as: "ngo/supervisor", header: map[string]string{"If-Match": `"v2"`}}); a.status != 200 || !strings.Contains(string(a.body), `"status":"active"`) {
		t.Errorf("approve: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/plans?case_id=" + caseID, as: "ngo/case_worker"}); a.status != 200 || !strings.Contains(string(a.body), id) {
		t.Errorf("list: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/plans?status=lost", as: "ngo/case_worker"}); a.status != 400 {
		t.Errorf("bad status: %d", a.status)
	}
}

func TestWebhookAPI(t *testing.T) {
	e, _, _ := refEnv(t)
	a := e.do(call{method: "POST", path: "/api/v1/webhooks", as: "provider/administrator", body: `{"url":"https://partner.example/hook"}`})
	if a.status != 201 || !strings.Contains(string(a.body), `"secret":"whsec_`) {
		t.Fatalf("create: %d %s", a.status, a.body)
	}
	id := a.json(t)["id"].(string)
	if l := e.do(call{method: "GET", path: "/api/v1/webhooks", as: "provider/administrator"}); l.status != 200 || strings.Contains(string(l.body), "whsec_") {
		t.Errorf("list: %d %s", l.status, l.body)
	}
	if l := e.do(call{method: "GET", path: "/api/v1/webhooks/" + id + "/deliveries", as: "ngo/administrator"}); l.status != 404 {
		t.Errorf("other organisation's log: %d", l.status)
	}
	if d := e.do(call{method: "DELETE", path: "/api/v1/webhooks/" + id, as: "provider/administrator"}); d.status != 204 {
		t.Errorf("delete: %d", d.status)
	}
}

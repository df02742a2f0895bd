package api_test

import (
	"encoding/json"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// The plan's suggestions through the API: nothing ranked without the
// returnee's agreement; then only services offered near them, by the
// needs-based rules (no model is active), with reasons in the language
// asked for; refused to another organisation and to roles that do not see
// suggestions.
func TestPlanSuggestionsAPI(t *testing.T) {
	e, provider, caseID := refEnv(t)
	sys := homewardtest.SystemCtx()
	for _, o := range []referral.Offer{
		{OrgID: provider, ServiceType: "skills_training", Areas: []string{"BD30"}, Active: true},
		{OrgID: provider, ServiceType: "psychosocial_counselling", Areas: []string{"BD30"}, Active: true},
		{OrgID: provider, ServiceType: "job_placement", Areas: []string{"BD60"}, Active: true}, // far away
	} {
		if err := e.w.DB.CreateOffer(sys, &o); err != nil {
			t.Fatal(err)
		}
	}
	a := e.do(call{method: "POST", path: "/api/v1/cases/" + caseID + "/plans", as: "ngo/case_worker", body: `{"goals":[{"text":"Earn again","dimension":"economic"}]}`})
	if a.status != 201 {
		t.Fatalf("plan: %d %s", a.status, a.body)
	}
	plan := a.json(t)
	path := "/api/v1/plans/" + plan["id"].(string) + "/suggestions"
	type answer struct {
		Consent     bool
		ByRules     bool `json:"ranked_by_rules"`
		Suggestions []struct {
			Service, Name, Provider string
			Rank                    int
			Reasons                 []struct{ Feature, Text string }
		}
		Unavailable []struct{ Code string }
	}
	get := func(as, q string) (int, answer) {
		a := e.do(call{method: "GET", path: path + q, as: as})
		var out answer
		if a.status == 200 {
			if err := json.Unmarshal(a.body, &out); err != nil {
				t.Fatal(err)
			}
		}
		return a.status, out
	}
	if status, got := get("ngo/case_worker", ""); status != 200 || got.Consent || len(got.Suggestions) != 0 {
		t.Fatalf("without consent: %d %+v", status, got)
	}
	cw := e.w.Ctx("ngo", homeward.RoleCaseWorker)
	if err := e.w.DB.RecordConsent(cw, plan["person_id"].(string), &registry.Consent{Purpose: registry.PurposeSuggestions, Method: registry.MethodSignedForm}); err != nil {
		t.Fatal(err)
	}
	status, got := get("ngo/case_worker", "?lang=bn")
	if status != 200 || !got.Consent || !got.ByRules || len(got.Suggestions) != 2 {
		t.Fatalf("with consent: %d %+v", status, got)
	}
	seen, reasons := map[string]bool{}, 0
	for i, s := range got.Suggestions {
		seen[s.Service] = true
		if s.Rank != i+1 || s.Provider != "Dhaka Skills Centre" || s.Name == s.Service {
			t.Errorf("suggestion %d: %+v", i, s)
		}
		for _, r := range s.Reasons {
			reasons++
			if r.Text == "" || !isBangla(r.Text) {
				t.Errorf("reason %q not in Bangla", r.Text)
			}
		}
	}
	if reasons == 0 {
		t.Error("no reason was given in words: the language check above checked nothing")
	}
	if !seen["skills_training"] || !seen["psychosocial_counselling"] || seen["job_placement"] {
		t.Errorf("suggested %v", seen)
	}
	unavailable := map[string]bool{}
	for _, u := range got.Unavailable {
		unavailable[u.Code] = true
	}
	if !unavailable["job_placement"] {
		t.Errorf("unavailable %+v", got.Unavailable)
	}
	for _, as := range []string{"operator/case_worker", "ngo/administrator", "provider/provider_staff"} {
		if status, _ := get(as, ""); status != 403 && status != 404 {
			t.Errorf("%s: %d", as, status)
		}
	}
}

func isBangla(s string) bool {
	for _, r := range s {
		if r >= 0x0980 && r <= 0x09FF {
			return true
		}
	}
	return false
}

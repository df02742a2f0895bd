package api_test

import (
	"encoding/json"
	"strings"
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
	type ranking struct {
		Consent     bool
		ByRules     bool `json:"ranked_by_rules"`
		Suggestions []struct {
			Service, Name, Provider string
			Rank                    int
			Reasons                 []struct{ Feature, Text string }
		}
		Unavailable []struct{ Code string }
	}
	get := func(as, q string) (int, ranking) {
		a := e.do(call{method: "GET", path: path + q, as: as})
		var out ranking
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
	choose := func(as, version, body string) answer {
		return e.do(call{method: "POST", path: "/api/v1/plans/" + plan["id"].(string) + "/choices", as: as, body: body, header: map[string]string{"If-Match": version}})
	}
	if a := choose("ngo/case_worker", `"v1"`, `{"service":"skills_training"}`); a.status != 403 || !strings.Contains(string(a.body), "has not agreed to automated suggestions") {
		t.Errorf("a choice without consent: %d %s", a.status, a.body)
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
		if a := choose(as, `"v1"`, `{"service":"skills_training"}`); a.status != 403 && a.status != 404 {
			t.Errorf("%s chose: %d %s", as, a.status, a.body)
		}
	}

	// The choice through the API: checked like the page's, the service
	// added to the plan at its version, the ranking and "followed" kept.
	first, second := got.Suggestions[0].Service, got.Suggestions[1].Service
	for name, c := range map[string]struct {
		version, body string
		status        int
		want          string
	}{
		"no version":          {"", `{"service":"` + first + `"}`, 412, "If-Match"},
		"stale version":       {`"v9"`, `{"service":"` + first + `"}`, 412, ""},
		"not suggested":       {`"v1"`, `{"service":"job_placement"}`, 400, "Choose a suggested service, or none of them."},
		"unknown service":     {`"v1"`, `{"service":"magic"}`, 400, "Choose a suggested service, or none of them."},
		"no service":          {`"v1"`, `{"reason":"x"}`, 400, "Choose a suggested service, or none of them."},
		"reason too long":     {`"v1"`, `{"service":"none","reason":"` + strings.Repeat("x", 2001) + `"}`, 400, "A reason is at most 2000 characters."},
		"malformed":           {`"v1"`, `{"service":`, 400, ""},
		"unknown field, typo": {`"v1"`, `{"servce":"none"}`, 400, ""},
	} {
		if a := choose("ngo/case_worker", c.version, c.body); a.status != c.status || !strings.Contains(string(a.body), c.want) {
			t.Errorf("%s: %d %.300s", name, a.status, a.body)
		}
	}
	a = choose("ngo/case_worker", `"v1"`, `{"service":"`+second+`","reason":"  She asked for it first  "}`)
	var kept struct {
		Chosen, Reason, ModelVersion string
		Followed                     bool
		Suggested                    []struct{ Service string }
	}
	if a.status != 201 || json.Unmarshal(a.body, &kept) != nil || kept.Chosen != second || kept.Followed || kept.Reason != "She asked for it first" || len(kept.Suggested) != 2 || kept.Suggested[0].Service != first {
		t.Fatalf("a choice of the second suggestion: %d %s", a.status, a.body)
	}
	pa := e.do(call{method: "GET", path: "/api/v1/plans/" + plan["id"].(string), as: "ngo/case_worker"})
	if pa.status != 200 || pa.header.Get("ETag") != `"v2"` || !strings.Contains(string(pa.body), `"provider_org_id":"`+provider+`"`) {
		t.Fatalf("the plan after the choice: %d %s %s", pa.status, pa.header.Get("ETag"), pa.body)
	}
	if a := choose("ngo/case_worker", `"v2"`, `{"service":"`+first+`"}`); a.status != 201 || !strings.Contains(string(a.body), `"followed":true`) {
		t.Errorf("a choice of the first suggestion: %d %s", a.status, a.body)
	}
	if a := choose("ngo/case_worker", `"v3"`, `{"service":"none","reason":"Works with her uncle"}`); a.status != 201 || !strings.Contains(string(a.body), `"followed":false`) || !strings.Contains(string(a.body), `"chosen":""`) {
		t.Errorf("none of them: %d %s", a.status, a.body)
	}
	cs, err := e.w.DB.Choices(cw, plan["case_id"].(string))
	if err != nil || len(cs) != 3 {
		t.Errorf("choices kept: %d %v", len(cs), err)
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

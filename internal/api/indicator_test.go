package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/indicator"
	"homeward/internal/programme"
	"homeward/internal/registry"
)

func TestIndicatorsAPI(t *testing.T) {
	e := newEnv(t)
	if _, err := e.w.DB.RebuildIndicators(homewardtest.SystemCtx(), indicator.Standard()); err != nil {
		t.Fatal(err)
	}
	list := e.do(call{method: "GET", path: "/api/v1/indicators", as: "ngo/me_analyst"})
	if list.status != 200 || !strings.Contains(string(list.body), `"code":"plan_within_30_days"`) || !strings.Contains(string(list.body), `"computed_at":"`) {
		t.Fatalf("list: %d %s", list.status, list.body)
	}
	ok := e.do(call{method: "GET", path: "/api/v1/indicators/registrations?from=2026-01&to=2026-03&by=sex,district", as: "ngo/me_analyst"})
	var s indicator.Series
	if ok.status != 200 || json.Unmarshal(ok.body, &s) != nil || s.Code != "registrations" || s.From != "2026-01" || strings.Join(s.By, ",") != "district,sex" || s.ComputedAt == nil || s.Rows == nil {
		t.Errorf("series: %d %s", ok.status, ok.body)
	}
	csv := e.do(call{method: "GET", path: "/api/v1/indicators/registrations?from=2026-01&to=2026-03&by=district&format=csv", as: "ngo/me_analyst"})
	if lines := strings.Split(string(csv.body), "\n"); csv.status != 200 || len(lines) < 2 ||
		lines[1] != "#indicator+code,#indicator+name,#meta+unit,#date+period,#adm2+code,#indicator+num+numerator,#indicator+num+denominator,#indicator+num+value,#meta+suppressed,#date+reported" {
		t.Errorf("csv: %d %s", csv.status, csv.body)
	}
	for path, want := range map[string]int{
		"/api/v1/indicators/registrations?format=xml":                       400,
		"/api/v1/indicators/registrations?district=BD9999":                  400,
		"/api/v1/indicators/registrations?district=BD3026&by=sex,age_group": 400, // a district and two breakdowns
		"/api/v1/indicators/registrations?district=BD3026&by=sex":           200,
		"/api/v1/indicators/registrations?from=2026-05&to=2026-04":          400, // ends before it starts
		"/api/v1/indicators/registrations?from=May":                         400,
		"/api/v1/indicators/registrations?by=religion":                      400,
		"/api/v1/indicators/registrations?by=sex,district,age_group":        400,
		"/api/v1/indicators/nothing":                                        404,
	} {
		if a := e.do(call{method: "GET", path: path, as: "ngo/me_analyst"}); a.status != want {
			t.Errorf("%s: %d, want %d: %s", path, a.status, want, a.body)
		}
	}
	// A case worker has no indicators; an NGO cannot read the operator's.
	if a := e.do(call{method: "GET", path: "/api/v1/indicators/registrations", as: "ngo/case_worker"}); a.status != 403 {
		t.Errorf("case worker: %d", a.status)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/indicators/registrations?org=" + e.w.Operator.ID, as: "ngo/me_analyst"}); a.status != 404 {
		t.Errorf("another organisation's figures: %d", a.status)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/indicators/registrations?org=" + e.w.NGO.ID, as: "operator/me_analyst"}); a.status != 200 {
		t.Errorf("the operator's analyst on the NGO: %d %s", a.status, a.body)
	}
}

// Programmes over the API: listed, a case enrolled (twice is a conflict),
// and the indicators filtered by programme and by upazila.
func TestProgrammesAPI(t *testing.T) {
	e := newEnv(t)
	admin := homeward.NewContextWithActor(t.Context(), e.w.Actor("ngo", homeward.RoleAdministrator))
	p, err := e.w.DB.CreateProgramme(admin, &programme.Programme{Code: "RAISE", NameEn: "RAISE"})
	if err != nil {
		t.Fatal(err)
	}
	list := e.do(call{method: "GET", path: "/api/v1/programmes", as: "ngo/case_worker"})
	if list.status != 200 || !strings.Contains(string(list.body), `"code":"RAISE"`) {
		t.Fatalf("list: %d %s", list.status, list.body)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/programmes", as: "ngo/auditor"}); a.status != 403 {
		t.Errorf("auditor lists programmes: %d", a.status)
	}
	rec, err := e.w.DB.Register(e.w.Ctx("ngo", homeward.RoleCaseWorker), &registry.Registration{
		Person:   registry.Person{GivenName: "Rahima", Sex: registry.SexFemale, Address: registry.Address{AdminArea: "BD302602"}},
		Episodes: []registry.MigrationEpisode{{DestinationCountry: "SA", Return: &registry.Return{Date: registry.DayDate(2025, 11, 3), ReturnType: registry.ReturnDeported}}},
		Consents: []registry.Consent{{Purpose: registry.PurposeRegistration, Method: registry.MethodSignedForm}}})
	if err != nil {
		t.Fatal(err)
	}
	body := `{"programme_id":"` + p.ID + `"}`
	if a := e.do(call{method: "POST", path: "/api/v1/cases/" + rec.Case.ID + "/programmes", as: "ngo/case_worker", body: body}); a.status != 201 || !strings.Contains(string(a.body), `"code":"RAISE"`) {
		t.Errorf("enrol: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/cases/" + rec.Case.ID + "/programmes", as: "ngo/case_worker", body: body}); a.status != 409 {
		t.Errorf("enrolled twice: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/cases/" + rec.Case.ID + "/programmes", as: "ngo/case_worker"}); a.status != 200 || !strings.Contains(string(a.body), p.ID) {
		t.Errorf("enrolments: %d %s", a.status, a.body)
	}
	if _, err := e.w.DB.RebuildIndicators(homewardtest.SystemCtx(), indicator.Standard()); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]int{
		"/api/v1/indicators/registrations?by=programme,upazila":                   200,
		"/api/v1/indicators/registrations?programme=RAISE&area=BD302602":          200,
		"/api/v1/indicators/registrations?programme=RAISE&area=BD3026&by=sex":     400, // three fields
		"/api/v1/indicators/registrations?area=BD9999":                            400,
		"/api/v1/indicators/registrations?area=BD302602&district=BD1004":          400, // not of the district
		"/api/v1/indicators/registrations?area=BD302602&district=BD3026":          200, // an upazila narrows further
		"/api/v1/indicators/registrations?area=BD3026&district=BD1004":            400,
		"/api/v1/indicators/registrations?programme=RAISE&by=upazila&area=BD3026": 400,
	} {
		if a := e.do(call{method: "GET", path: path, as: "ngo/me_analyst"}); a.status != want {
			t.Errorf("%s: %d, want %d: %s", path, a.status, want, a.body)
		}
	}
	a := e.do(call{method: "GET", path: "/api/v1/indicators/registrations?programme=RAISE&area=BD302602", as: "ngo/me_analyst"})
	var s indicator.Series
	if json.Unmarshal(a.body, &s) != nil || s.Programme != "RAISE" || s.Upazila != "BD302602" || len(s.Rows) != 1 || !s.Rows[0].Suppressed {
		t.Errorf("RAISE in the upazila: one person, suppressed: %s", a.body)
	}
}

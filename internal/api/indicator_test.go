package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"homeward/homewardtest"
	"homeward/internal/indicator"
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

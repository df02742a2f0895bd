package api_test

import (
	"bytes"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"homeward/internal/demo"
	"homeward/internal/scoring"
)

// xlsform builds an XLSForm workbook in memory.
func xlsform(t *testing.T, sheets map[string][][]string) []byte {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	for name, rows := range sheets {
		if _, err := wb.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			for j, v := range r {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if err := wb.SetCellStr(name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	_ = wb.DeleteSheet("Sheet1")
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func pilotForm(t *testing.T, relevant string) []byte {
	return xlsform(t, map[string][][]string{
		"survey": {
			{"type", "name", "label::English (en)", "label::Bangla (bn)", "required", "relevant", "calculation", "severity"},
			{"select_one yn", "works", "Working?", "কাজ করেন?", "yes", "", "", ""},
			{"integer", "hours", "Hours a week", "সপ্তাহে ঘণ্টা", "yes", relevant, "", ""},
			{"calculate", "flag_overwork", "Overwork", "অতিরিক্ত কাজ", "", "", "${hours} > 60", "medium"},
		},
		"choices":  {{"list_name", "name", "label::English (en)", "label::Bangla (bn)"}, {"yn", "yes", "Yes", "হ্যাঁ"}, {"yn", "no", "No", "না"}},
		"settings": {{"form_title", "form_id", "version"}, {"Pilot", "pilot", "1"}},
	})
}

// upload sends a raw body with a content type.
func (e *env) upload(method, path, as, contentType string, body []byte, header map[string]string) answer {
	e.t.Helper()
	req, _ := http.NewRequest(method, e.srv.URL+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.Header.Set("Authorization", "Bearer "+e.tokens[as])
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return answer{res.StatusCode, res.Header, b}
}

const xlsxType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

func TestAssessmentFormsAndSchemesAPI(t *testing.T) {
	e := newEnv(t)
	me, admin := "operator/me_analyst", "operator/administrator"

	tests := []struct {
		name          string
		a             answer
		status        int
		field, substr string
	}{
		{name: "forms for everyone", a: e.do(call{method: "GET", path: "/api/v1/forms", as: "ngo/provider_staff"}), status: 200, substr: `"form_id":"rss"`},
		{name: "one form", a: e.do(call{method: "GET", path: "/api/v1/forms/protection_screening", as: "ngo/case_worker"}), status: 200, substr: "flag_trafficking"},
		{name: "junk form id", a: e.do(call{method: "GET", path: "/api/v1/forms/%20x", as: "ngo/case_worker"}), status: 404},
		{name: "not a workbook", a: e.upload("POST", "/api/v1/forms", me, xlsxType, []byte("hello"), nil), status: 400, substr: "readable"},
		{name: "broken expression names the cell", a: e.upload("POST", "/api/v1/forms", me, xlsxType, pilotForm(t, "${works} = "), nil), status: 400, field: "survey!F3"},
		{name: "NGO M&E may not upload", a: e.upload("POST", "/api/v1/forms", "ngo/me_analyst", xlsxType, pilotForm(t, ""), nil), status: 403},
		{name: "operator M&E uploads", a: e.upload("POST", "/api/v1/forms", me, xlsxType, pilotForm(t, "${works} = 'yes'"), nil), status: 201, substr: `"form_id":"pilot"`},
		{name: "schemes", a: e.do(call{method: "GET", path: "/api/v1/schemes", as: "ngo/case_worker"}), status: 200, substr: `"status":"active"`},
		{name: "scheme with a negative weight", a: e.upload("POST", "/api/v1/schemes", me, "application/json",
			[]byte(strings.Replace(string(scoring.DefaultJSON()), `"weight": 1`, `"weight": -1`, 1)), nil), status: 400, field: "dimensions[0].weight"},
		{name: "scheme typo", a: e.upload("POST", "/api/v1/schemes", me, "application/json",
			[]byte(strings.Replace(string(scoring.DefaultJSON()), `"min_coverage"`, `"min_coverag"`, 1)), nil), status: 400, field: "min_coverag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.a.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", tt.a.status, tt.status, tt.a.body)
			}
			if tt.field != "" && !strings.Contains(string(tt.a.body), `"field":"`+tt.field+`"`) {
				t.Errorf("problem does not name %s: %s", tt.field, tt.a.body)
			}
			if tt.substr != "" && !strings.Contains(string(tt.a.body), tt.substr) {
				t.Errorf("answer lacks %q: %s", tt.substr, tt.a.body)
			}
		})
	}

	// A new scheme version waits for an operator administrator.
	s := scoring.Default()
	s.Version = "2026.2"
	s.Dimensions[2].Weight = 2
	if a := e.upload("POST", "/api/v1/schemes", me, "application/json", s.MarshalIndent(), nil); a.status != 201 || !strings.Contains(string(a.body), `"status":"review"`) {
		t.Fatalf("upload scheme: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/schemes/rss/versions/2026.2/activate", as: me}); a.status != 403 {
		t.Errorf("M&E activates: %d", a.status)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/schemes/rss/versions/2026.2/activate", as: admin}); a.status != 200 || !strings.Contains(string(a.body), `"status":"active"`) {
		t.Errorf("admin activates: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/schemes/rss/versions/2026.1", as: "ngo/case_worker"}); !strings.Contains(string(a.body), `"status":"retired"`) {
		t.Errorf("old version: %s", a.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/schemes/rss/calibrate", as: me, body: `{"version":"x"}`}); a.status != 400 {
		t.Errorf("calibrating without data: %d %s", a.status, a.body)
	}
}

func TestAssessmentFillingAPI(t *testing.T) {
	e := newEnv(t)
	cw := "ngo/case_worker"
	returned := e.w.DB.Now().AddDate(0, 0, -95)
	reg := strings.Replace(registration("Md. Rafiqul", "Islam", "", "01712-345678", "1234567890", "BD302602"), "2026-10-01", returned.Format(time.DateOnly), 1)
	a := e.do(call{method: "POST", path: "/api/v1/registrations", as: cw, body: reg})
	if a.status != 201 {
		t.Fatalf("register: %d %s", a.status, a.body)
	}
	var rec struct{ Person struct{ ID string } }
	_ = json.Unmarshal(a.body, &rec)
	people := "/api/v1/people/" + rec.Person.ID + "/assessments"

	if a := e.do(call{method: "GET", path: "/api/v1/follow-ups", as: cw}); !strings.Contains(string(a.body), `"kind":"baseline"`) {
		t.Errorf("baseline task: %s", a.body)
	}
	a = e.do(call{method: "POST", path: people, as: cw, body: `{"form_id":"rss","answers":{"food_security":"never"}}`})
	if a.status != 201 || a.header.Get("ETag") != `"v1"` {
		t.Fatalf("draft: %d %s", a.status, a.body)
	}
	var sub struct{ ID string }
	_ = json.Unmarshal(a.body, &sub)
	path := "/api/v1/assessments/" + sub.ID

	answers := demo.SurveyAnswers(rand.New(rand.NewPCG(7, 7)), demo.Levels{Economic: 0.4, Social: 0.5, Psychosocial: 0.6}, returned.AddDate(0, 0, 3).Format(time.DateOnly), "baseline")
	full, _ := json.Marshal(map[string]any{"status": "completed", "answers": answers})

	tests := []struct {
		name   string
		call   call
		status int
		substr string
	}{
		{"other organisation", call{method: "GET", path: path, as: "operator/case_worker"}, 404, ""},
		{"other organisation's person", call{method: "POST", path: people, as: "operator/supervisor", body: `{"form_id":"rss"}`}, 404, ""},
		{"provider staff", call{method: "GET", path: people, as: "ngo/provider_staff"}, 403, ""},
		{"unknown form", call{method: "POST", path: people, as: cw, body: `{"form_id":"nope"}`}, 400, `"field":"form_id"`},
		{"unknown field", call{method: "POST", path: people, as: cw, body: `{"form_id":"rss","answer":{}}`}, 400, `"field":"answer"`},
		{"needs If-Match", call{method: "PATCH", path: path, as: cw, body: `{"answers":{}}`}, 412, ""},
		{"stale", call{method: "PATCH", path: path, as: cw, body: `{"answers":{}}`, header: map[string]string{"If-Match": `"v7"`}}, 412, ""},
		{"incomplete, in Bangla", call{method: "PATCH", path: path, as: cw, body: `{"status":"completed","answers":{"food_security":"never"}}`,
			header: map[string]string{"If-Match": `"v1"`, "Accept-Language": "bn"}}, 400, "এই প্রশ্নের উত্তর দেওয়া আবশ্যক।"},
		{"wrong type", call{method: "PATCH", path: path, as: cw, body: `{"status":"completed","answers":{"debt_months":"lots"}}`,
			header: map[string]string{"If-Match": `"v1"`}}, 400, `"field":"debt_months"`},
		{"read-only token cannot write", call{method: "PATCH", path: path, as: "ngo/auditor", body: `{}`, header: map[string]string{"If-Match": `"v1"`}}, 403, ""},
		{"complete", call{method: "PATCH", path: path, as: cw, body: string(full), header: map[string]string{"If-Match": `"v1"`}}, 200, `"scheme_version":"2026.1"`},
		{"completed is final", call{method: "PATCH", path: path, as: cw, body: `{"answers":{}}`, header: map[string]string{"If-Match": `"v2"`}}, 409, ""},
		{"overview", call{method: "GET", path: people, as: "ngo/supervisor"}, 200, `"follow_ups":[{"months":3`},
		{"follow-up due", call{method: "GET", path: "/api/v1/follow-ups", as: cw}, 200, `"kind":"followup"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.do(tt.call)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", a.status, tt.status, a.body)
			}
			if tt.status >= 400 && a.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type %q", a.header.Get("Content-Type"))
			}
			if tt.substr != "" && !strings.Contains(string(a.body), tt.substr) {
				t.Errorf("answer lacks %q: %s", tt.substr, a.body)
			}
		})
	}
}

package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"homeward/homewardtest"
	"homeward/internal/dedupe"
	"homeward/internal/server"
)

// dupRegistration is a registration of the same man written three ways.
func dupRegistration(given, dob, phone, nid, ext string) string {
	return fmt.Sprintf(`{"person":{"external_id":%q,"given_name":%q,"family_name":"Islam","sex":"male","date_of_birth":%q,
		"father_name":"Abdul Hamid","phones":[%q],"documents":[{"type":"national_id","number":%q,"issuing_country":"BD"}],
		"address":{"admin_area":"BD302602","text":"Char Kalia village"}},
		"episodes":[{"destination_country":"SA","departure_date":"2019-02","return":{"date":"2026-01-10","return_type":"deported","point_of_entry":"BD-DAC"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`, ext, given, dob, phone, nid)
}

func TestDuplicateWorkflowAPI(t *testing.T) {
	e := newEnv(t)
	cw, sup := "ngo/case_worker", "ngo/supervisor"
	first := e.do(call{method: "POST", path: "/api/v1/registrations", as: cw, body: dupRegistration("Md. Rafiqul", "1985", "01712-345678", "1234567890", "AIR-1")})
	if first.status != 201 {
		t.Fatalf("register: %d %s", first.status, first.body)
	}
	var rec struct {
		Person struct{ ID string }
		Case   struct{ ID, Number string }
	}
	_ = json.Unmarshal(first.body, &rec)

	// Before saving the second record, the check finds the first, explained
	// in the request's language; other organisations see nothing.
	second := dupRegistration("Mohammad Rafikul", "1985-03-12", "01812-345678", "1234567890123", "NGO-7")
	chk := e.do(call{method: "POST", path: "/api/v1/registrations/check", as: cw, body: second})
	if chk.status != 200 || !strings.Contains(string(chk.body), rec.Person.ID) || !strings.Contains(string(chk.body), rec.Case.Number) ||
		!strings.Contains(string(chk.body), `"sentences":["Score`) {
		t.Fatalf("check: %d %s", chk.status, chk.body)
	}
	bn := e.do(call{method: "POST", path: "/api/v1/registrations/check", as: cw, body: second, header: map[string]string{"Accept-Language": "bn"}})
	if !strings.Contains(string(bn.body), "পিতার নাম") {
		t.Errorf("Bangla explanation: %s", bn.body)
	}
	tests := []struct {
		name, as, body string
		status         int
		contains       string
	}{
		{"other organisation", "operator/case_worker", second, 200, `"items":[]`},
		{"provider staff", "ngo/provider_staff", second, 403, ""},
		{"garbage name", cw, `{"person":{"given_name":"@@@","sex":"male"}}`, 200, `"items":[]`},
		{"unknown field", cw, `{"person":{"nick":"x"}}`, 400, `"field":"nick"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.do(call{method: "POST", path: "/api/v1/registrations/check", as: tt.as, body: tt.body})
			if a.status != tt.status || !strings.Contains(string(a.body), tt.contains) {
				t.Errorf("%d %s", a.status, a.body)
			}
		})
	}
	if a := e.do(call{method: "POST", path: "/api/v1/registrations", as: cw, body: second}); a.status != 201 {
		t.Fatalf("second registration: %d %s", a.status, a.body)
	}

	// The scan fills the queue; supervisors only.
	if a := e.do(call{method: "POST", path: "/api/v1/duplicates/scan", as: cw}); a.status != 403 {
		t.Errorf("case worker scans: %d", a.status)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/duplicates/scan", as: sup}); a.status != 200 || !strings.Contains(string(a.body), `"raised":1`) {
		t.Fatalf("scan: %d %s", a.status, a.body)
	}
	list := e.do(call{method: "GET", path: "/api/v1/duplicates", as: sup})
	var page struct {
		Items []struct {
			ID      string
			PersonA string `json:"person_a"`
			PersonB string `json:"person_b"`
		}
	}
	if err := json.Unmarshal(list.body, &page); err != nil || len(page.Items) != 1 {
		t.Fatalf("queue: %s", list.body)
	}
	pair := "/api/v1/duplicates/" + page.Items[0].ID
	for _, c := range []struct {
		call   call
		status int
	}{
		{call{method: "GET", path: "/api/v1/duplicates", as: cw}, 403},
		{call{method: "GET", path: "/api/v1/duplicates?status=lost", as: sup}, 400},
		{call{method: "GET", path: pair, as: "operator/supervisor"}, 404},
		{call{method: "POST", path: pair + "/decision", as: sup, body: `{"status":"confirmed_same"}`}, 412},
		{call{method: "POST", path: pair + "/decision", as: sup, body: `{"status":"confirmed_same"}`, header: map[string]string{"If-Match": `"v9"`}}, 412},
		{call{method: "POST", path: pair + "/decision", as: "operator/supervisor", body: `{"status":"confirmed_same"}`, header: map[string]string{"If-Match": `"v1"`}}, 404},
		{call{method: "POST", path: pair + "/decision", as: sup, body: `{"status":"merged"}`, header: map[string]string{"If-Match": `"v1"`}}, 400},
		{call{method: "POST", path: pair + "/merge", as: cw, body: `{"keep":"` + rec.Person.ID + `"}`, header: map[string]string{"If-Match": `"v1"`}}, 403},
	} {
		if a := e.do(c.call); a.status != c.status {
			t.Errorf("%s %s as %s: %d, want %d: %s", c.call.method, c.call.path, c.call.as, a.status, c.status, a.body)
		}
	}
	got := e.do(call{method: "GET", path: pair, as: sup})
	if got.status != 200 || got.header.Get("ETag") != `"v1"` || !strings.Contains(string(got.body), `"person_b":{"person"`) {
		t.Fatalf("pair: %d %s", got.status, got.body)
	}
	m := e.do(call{method: "POST", path: pair + "/merge", as: sup, body: `{"keep":"` + rec.Person.ID + `","fields":{"date_of_birth":"absorbed"}}`, header: map[string]string{"If-Match": `"v1"`}})
	if m.status != 201 {
		t.Fatalf("merge: %d %s", m.status, m.body)
	}
	merge := m.json(t)
	// The absorbed person's phone now finds the kept person.
	if s := e.do(call{method: "GET", path: "/api/v1/people?q=01812345678", as: cw}); !strings.Contains(string(s.body), rec.Person.ID) {
		t.Errorf("search by the absorbed phone: %s", s.body)
	}
	un := e.do(call{method: "POST", path: "/api/v1/merges/" + merge["id"].(string) + "/unmerge", as: sup})
	if un.status != 200 || !strings.Contains(string(un.body), `"undone_at"`) {
		t.Fatalf("unmerge: %d %s", un.status, un.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/merges/" + merge["id"].(string) + "/unmerge", as: sup}); a.status != 409 {
		t.Errorf("second unmerge: %d", a.status)
	}
	if s := e.do(call{method: "GET", path: "/api/v1/people?q=01812345678", as: cw}); strings.Contains(string(s.body), rec.Person.ID) {
		t.Errorf("search after unmerge still finds the kept person: %s", s.body)
	}
	tl := e.do(call{method: "GET", path: "/api/v1/cases/" + rec.Case.ID + "/timeline", as: cw})
	for _, kind := range []string{"merged", "unmerged"} {
		if !strings.Contains(string(tl.body), `"kind":"`+kind+`"`) {
			t.Errorf("timeline lacks %s: %s", kind, tl.body)
		}
	}
	// Rejecting remembers: a second scan raises nothing.
	cur := e.do(call{method: "GET", path: pair, as: sup})
	if a := e.do(call{method: "POST", path: pair + "/decision", as: sup, body: `{"status":"rejected_different","note":"Brothers."}`, header: map[string]string{"If-Match": cur.header.Get("ETag")}}); a.status != 200 {
		t.Fatalf("reject: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/duplicates/scan", as: sup}); !strings.Contains(string(a.body), `"raised":0`) {
		t.Errorf("scan after rejection: %s", a.body)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/duplicates", as: sup}); !strings.Contains(string(a.body), `"items":[]`) {
		t.Errorf("queue after rejection: %s", a.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/audit/verify", as: "ngo/auditor"}); !strings.Contains(string(a.body), `"problems":[]`) {
		t.Errorf("audit: %s", a.body)
	}
}

// The active model is reported with its fingerprint, which every raised
// pair's explanation carries; only reviewers may read it.
func TestDuplicateModelAPI(t *testing.T) {
	e := newEnv(t)
	cw, sup := "ngo/case_worker", "ngo/supervisor"
	for i, r := range []string{dupRegistration("Md. Rafiqul", "1985", "01712-345678", "1234567890", "A-1"),
		dupRegistration("Mohammad Rafikul", "1985-03-12", "01812-345678", "1234567890123", "A-2")} {
		if res := e.do(call{method: "POST", path: "/api/v1/registrations", as: cw, body: r}); res.status != 201 {
			t.Fatalf("register %d: %d %s", i, res.status, res.body)
		}
	}
	if res := e.do(call{method: "POST", path: "/api/v1/duplicates/scan", as: sup}); res.status != 200 {
		t.Fatalf("scan: %d %s", res.status, res.body)
	}
	res := e.do(call{method: "GET", path: "/api/v1/duplicates/model", as: sup})
	var rep struct {
		Fingerprint string
		Levels      []struct {
			Field, Level string
			Weight       float64
		}
		Calibration struct {
			MatchThreshold float64 `json:"match_threshold"`
			Open, Queued   int
		}
	}
	if res.status != 200 || json.Unmarshal(res.body, &rep) != nil || len(rep.Fingerprint) != 12 || len(rep.Levels) < 40 ||
		rep.Calibration.MatchThreshold != 0.9 || rep.Calibration.Open != 1 || rep.Calibration.Queued != 1 {
		t.Fatalf("model: %d %s", res.status, res.body)
	}
	for _, l := range rep.Levels {
		if l.Field == "national_id" && l.Level == "different" && l.Weight > -5 {
			t.Errorf("national ID disagreement weighs %g, want at most -5", l.Weight)
		}
	}
	list := e.do(call{method: "GET", path: "/api/v1/duplicates", as: sup})
	if !strings.Contains(string(list.body), `"model":"`+rep.Fingerprint+`"`) {
		t.Errorf("the raised pair does not carry the model fingerprint %s: %s", rep.Fingerprint, list.body)
	}
	for _, as := range []string{cw, "ngo/provider_staff"} {
		if res := e.do(call{method: "GET", path: "/api/v1/duplicates/model", as: as}); res.status != 403 {
			t.Errorf("%s: %d, want 403", as, res.status)
		}
	}
}

// While the organisation's index loads, the check answers 503 with
// Retry-After and a translated problem saying how far the load is, at
// once; the candidates once it is loaded.
func TestDuplicateCheckWhileTheIndexLoadsAPI(t *testing.T) {
	release := make(chan struct{})
	var dd *dedupe.Service
	var held homewardtest.HeldLoads
	e := newEnvWith(t, func(w *homewardtest.World, o *server.Options) {
		held = homewardtest.NewHeldLoads(w.DB)
		held.Release = release
		dd = dedupe.New(held, dedupe.Options{Now: w.DB.Now, CheckWait: 10 * time.Millisecond})
		o.Dedupe = dd
	})
	t.Cleanup(func() { dd.Indexes.Close() })
	cw := "ngo/case_worker"
	first := e.do(call{method: "POST", path: "/api/v1/registrations", as: cw, body: dupRegistration("Md. Rafiqul", "1985", "01712-345678", "1234567890", "AIR-1")})
	if first.status != 201 {
		t.Fatalf("register: %d %s", first.status, first.body)
	}
	second := dupRegistration("Mohammad Rafikul", "1985-03-12", "01812-345678", "1234567890123", "NGO-7")
	// The first check starts the load and answers after CheckWait, perhaps
	// before the load has counted its people (on a busy machine): "0 of 0".
	chk := e.do(call{method: "POST", path: "/api/v1/registrations/check", as: cw, body: second})
	if chk.status != 503 || chk.header.Get("Retry-After") == "" || chk.json(t)["code"] != "unavailable" ||
		!regexp.MustCompile(`getting ready: 0 of [01] people read`).Match(chk.body) {
		t.Fatalf("check while loading: %d %v %s", chk.status, chk.header, chk.body)
	}
	held.WaitHeld(t)
	if chk := e.do(call{method: "POST", path: "/api/v1/registrations/check", as: cw, body: second}); chk.status != 503 || !strings.Contains(string(chk.body), "0 of 1 people read") {
		t.Fatalf("check while loading, the people counted: %d %s", chk.status, chk.body)
	}
	bn := e.do(call{method: "POST", path: "/api/v1/registrations/check", as: cw, body: second, header: map[string]string{"Accept-Language": "bn"}})
	if bn.status != 503 || !strings.Contains(string(bn.body), "ডুপ্লিকেট যাচাই প্রস্তুত হচ্ছে") {
		t.Errorf("Bangla check while loading: %d %s", bn.status, bn.body)
	}
	metrics := func() string {
		t.Helper()
		res, err := http.Get(e.metrics.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	if m := metrics(); !strings.Contains(m, "homeward_dedupe_index_loading_people_total 1\n") || !strings.Contains(m, "homeward_dedupe_index_loading_people_read 0\n") {
		t.Errorf("metrics while loading:\n%s", m)
	}
	close(release)
	if _, err := dd.Indexes.Get(homewardtest.SystemCtx(), e.w.NGO.ID, false); err != nil {
		t.Fatal(err)
	}
	if chk := e.do(call{method: "POST", path: "/api/v1/registrations/check", as: cw, body: second}); chk.status != 200 || !strings.Contains(string(chk.body), "Rafiqul") {
		t.Errorf("check once loaded: %d %s", chk.status, chk.body)
	}
	if m := metrics(); !strings.Contains(m, "homeward_dedupe_index_loading_people_total 0\n") {
		t.Errorf("metrics once loaded: no load in progress expected")
	}
}

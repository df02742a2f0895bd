package api_test

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"homeward"
)

func registration(given, family, native, phone, nid, district string) string {
	return fmt.Sprintf(`{"person":{"given_name":%q,"family_name":%q,"full_name_native":%q,"sex":"male","date_of_birth":"1985",
		"father_name":"Abdul Hamid","phones":[%q],"documents":[{"type":"national_id","number":%q,"issuing_country":"BD"}],
		"address":{"admin_area":%q,"text":"Village Char Kalia"}},
		"episodes":[{"destination_country":"SA","occupation_abroad":"7112","departure_date":"2019-02","return":{"date":"2026-10-01","return_type":"deported","point_of_entry":"BD-DAC"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"},{"purpose":"referral","recipient":{"org_type":"service_provider"},"method":"signed_form"}]}`,
		given, family, native, phone, nid, district)
}

func TestRegistryFlow(t *testing.T) {
	e := newEnv(t)
	cw := "ngo/case_worker"
	a := e.do(call{method: "POST", path: "/api/v1/registrations", as: cw, body: registration("Md. Rafiqul", "Islam", "মোঃ রফিকুল ইসলাম", "01712-345678", "1234567890", "BD302602")})
	if a.status != 201 {
		t.Fatalf("register: %d %s", a.status, a.body)
	}
	var rec struct {
		Person struct{ ID string }
		Case   struct {
			ID, Number, Status string
			AssignedTo         string `json:"assigned_to"`
		}
		Version int
	}
	if err := json.Unmarshal(a.body, &rec); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(rec.Case.Number, "BGD-") || rec.Case.Status != "registered" {
		t.Errorf("case = %+v", rec.Case)
	}
	if rec.Case.AssignedTo != e.w.Users["ngo"][homeward.RoleCaseWorker].ID {
		t.Errorf("case not assigned to the registering case worker: %q", rec.Case.AssignedTo)
	}
	if !strings.Contains(string(a.body), `"phones":["+8801712345678"]`) {
		t.Errorf("phone not in E.164: %s", a.body)
	}
	// A second person, to make sure searches discriminate.
	if b := e.do(call{method: "POST", path: "/api/v1/registrations", as: cw, body: registration("Shahana", "Begum", "", "01812345678", "9876543210", "BD302602")}); b.status != 201 {
		t.Fatalf("second registration: %d %s", b.status, b.body)
	}

	search := func(q string) []string {
		t.Helper()
		res := e.do(call{method: "GET", path: "/api/v1/people?q=" + q, as: cw})
		if res.status != 200 {
			t.Fatalf("search %q: %d %s", q, res.status, res.body)
		}
		var p struct {
			Items []struct {
				PersonID string `json:"person_id"`
			}
		}
		_ = json.Unmarshal(res.body, &p)
		var ids []string
		for _, it := range p.Items {
			ids = append(ids, it.PersonID)
		}
		return ids
	}
	for _, q := range []string{"rafiqul", "islam+rafiqul", "Rofikul+Islaam", "Mohammad+Rafiqul+Islam", "rafiq", "%E0%A6%B0%E0%A6%AB%E0%A6%BF%E0%A6%95%E0%A7%81%E0%A6%B2", "+880-1712-345678", "1234567890", rec.Case.Number} {
		if ids := search(q); len(ids) != 1 || ids[0] != rec.Person.ID {
			t.Errorf("search %q found %v, want only %s", q, ids, rec.Person.ID)
		}
	}
	if ids := search("karim"); len(ids) != 0 {
		t.Errorf("search karim found %v", ids)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/people?status=lost", as: cw}); a.status != 400 {
		t.Errorf("bad status filter: %d", a.status)
	}

	// Other organisations cannot see the person; provider staff of the
	// same one cannot either (no role for it).
	if a := e.do(call{method: "GET", path: "/api/v1/people/" + rec.Person.ID, as: "operator/case_worker"}); a.status != 404 {
		t.Errorf("cross-org read: %d", a.status)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/people?q=rafiqul", as: "operator/case_worker"}); a.status != 200 || strings.Contains(string(a.body), rec.Person.ID) {
		t.Errorf("cross-org search leaked: %s", a.body)
	}
	if a := e.do(call{method: "GET", path: "/api/v1/people/" + rec.Person.ID, as: "ngo/provider_staff"}); a.status != 403 {
		t.Errorf("provider staff read: %d", a.status)
	}

	// Update with optimistic concurrency; invalid input changes nothing.
	path := "/api/v1/people/" + rec.Person.ID
	bad := e.do(call{method: "PATCH", path: path, as: cw, body: `{"person":{"given_name":"Rafiqul","sex":"male","date_of_birth":"2099"}}`, header: map[string]string{"If-Match": `"v1"`}})
	if bad.status != 400 || !strings.Contains(string(bad.body), `"field":"person.date_of_birth"`) {
		t.Errorf("future birth: %d %s", bad.status, bad.body)
	}
	got := e.do(call{method: "GET", path: path, as: cw})
	upd := strings.Replace(string(got.body), `"Md. Rafiqul"`, `"Rafiqul"`, 1)
	var full map[string]json.RawMessage
	_ = json.Unmarshal([]byte(upd), &full)
	body := fmt.Sprintf(`{"person":%s}`, full["person"])
	ok := e.do(call{method: "PATCH", path: path, as: cw, body: body, header: map[string]string{"If-Match": got.header.Get("ETag")}})
	if ok.status != 200 || ok.header.Get("ETag") != `"v2"` {
		t.Fatalf("update: %d %s", ok.status, ok.body)
	}
	if stale := e.do(call{method: "PATCH", path: path, as: cw, body: body, header: map[string]string{"If-Match": `"v1"`}}); stale.status != 412 {
		t.Errorf("stale update: %d", stale.status)
	}

	// Case lifecycle: a forbidden jump is a conflict, an allowed move works.
	casePath := "/api/v1/cases/" + rec.Case.ID
	if c := e.do(call{method: "PATCH", path: casePath, as: cw, body: `{"status":"monitoring"}`, header: map[string]string{"If-Match": `"v1"`}}); c.status != 409 {
		t.Errorf("registered → monitoring: %d %s", c.status, c.body)
	}
	if c := e.do(call{method: "PATCH", path: casePath, as: cw, body: `{"status":"assessed"}`, header: map[string]string{"If-Match": `"v1"`}}); c.status != 200 {
		t.Errorf("registered → assessed: %d %s", c.status, c.body)
	}
	// Only supervisors assign.
	sup := e.w.Users["ngo"][homeward.RoleSupervisor].ID
	if c := e.do(call{method: "PATCH", path: casePath, as: cw, body: `{"assigned_to":"` + sup + `"}`, header: map[string]string{"If-Match": `"v2"`}}); c.status != 403 {
		t.Errorf("case worker assigns: %d", c.status)
	}
	if c := e.do(call{method: "PATCH", path: casePath, as: "ngo/supervisor", body: `{"assigned_to":"` + e.w.Users["operator"][homeward.RoleCaseWorker].ID + `"}`, header: map[string]string{"If-Match": `"v2"`}}); c.status != 400 {
		t.Errorf("assign to another org's user: %d", c.status)
	}

	// Consent: the check, then withdrawal takes effect at once.
	check := "/api/v1/people/" + rec.Person.ID + "/consent-check?purpose=referral&org_type=service_provider&org_id=" + e.w.Operator.ID
	if c := e.do(call{method: "GET", path: check, as: cw}); !strings.Contains(string(c.body), `"consent":true`) {
		t.Fatalf("consent check: %s", c.body)
	}
	full2 := e.do(call{method: "GET", path: path, as: cw})
	var withIDs struct {
		Consents []struct{ ID, Purpose string }
	}
	_ = json.Unmarshal(full2.body, &withIDs)
	for _, c := range withIDs.Consents {
		if c.Purpose == "referral" {
			if w := e.do(call{method: "POST", path: "/api/v1/consents/" + c.ID + "/withdraw", as: cw}); w.status != 204 {
				t.Fatalf("withdraw: %d %s", w.status, w.body)
			}
		}
	}
	if c := e.do(call{method: "GET", path: check, as: cw}); !strings.Contains(string(c.body), `"consent":false`) {
		t.Errorf("consent after withdrawal: %s", c.body)
	}

	// The timeline shows what happened, in order.
	tl := e.do(call{method: "GET", path: casePath + "/timeline", as: cw})
	for _, kind := range []string{"case_opened", "person_updated", "status_changed", "consent_withdrawn"} {
		if !strings.Contains(string(tl.body), `"kind":"`+kind+`"`) {
			t.Errorf("timeline lacks %s: %s", kind, tl.body)
		}
	}
	if a := e.do(call{method: "POST", path: "/api/v1/audit/verify", as: "ngo/auditor"}); !strings.Contains(string(a.body), `"problems":[]`) {
		t.Errorf("audit after registry writes: %s", a.body)
	}
}

const importCSV = "external_id,given_name,family_name,full_name_native,sex,date_of_birth,father_name,mother_name,phone,national_id,passport_number,admin_area,address,postcode,destination_country,occupation_abroad,return_date,return_type\n" +
	"X1,Abdul,Karim,,M,12/03/1985,Rahim Uddin,,01712-345678,,,BD3026,,1207,Saudi Arabia,7112,2026-01-10,deported\n" +
	"X2,Rina,Akter,,F,1990,,,01812345678,,,BD3026,,,OM,,2025-12-01,end of contract\n" +
	"X3,Bad,Row,,Z,2099,,,0171,,,BD9999,,,Narnia,,2027-01-01,escaped\n"

func TestImportIdempotentAndExport(t *testing.T) {
	e := newEnv(t)
	sup := "ngo/supervisor"
	imp := func(q, body string) map[string]any {
		t.Helper()
		a := e.do(call{method: "POST", path: "/api/v1/imports" + q, as: sup, body: body, header: map[string]string{"Content-Type": "text/csv"}})
		if a.status != 200 {
			t.Fatalf("import%s: %d %s", q, a.status, a.body)
		}
		return a.json(t)
	}
	dry := imp("?dry_run=true", importCSV)
	if dry["valid"].(float64) != 2 || dry["invalid"].(float64) != 1 || dry["created"].(float64) != 0 {
		t.Errorf("dry run: %v", dry)
	}
	if n := e.do(call{method: "GET", path: "/api/v1/people", as: sup}); n.status != 200 {
		t.Fatalf("people after the dry run: %d %s", n.status, n.body)
	} else if items, ok := n.json(t)["items"].([]any); !ok || len(items) != 0 {
		t.Fatalf("dry run wrote people: %s", n.body)
	}
	first := imp("", importCSV)
	if first["created"].(float64) != 2 || first["invalid"].(float64) != 1 {
		t.Errorf("first import: %v", first)
	}
	errs := fmt.Sprint(first["errors"])
	for _, col := range []string{"sex", "date_of_birth", "admin_area", "destination_country", "return_type"} {
		if !strings.Contains(errs, "column:"+col) {
			t.Errorf("no error for column %s: %s", col, errs)
		}
	}
	again := imp("", importCSV)
	if again["created"].(float64) != 0 || again["unchanged"].(float64) != 2 {
		t.Errorf("re-import changed something: %v", again)
	}
	changed := imp("", strings.Replace(importCSV, "Rina,Akter", "Rina,Akhter", 1))
	if changed["updated"].(float64) != 1 || changed["unchanged"].(float64) != 1 {
		t.Errorf("changed row: %v", changed)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/imports", as: sup, body: "name\nx\n", header: map[string]string{"Content-Type": "text/csv"}}); a.status != 400 || !strings.Contains(string(a.body), "external_id") {
		t.Errorf("missing columns: %d %s", a.status, a.body)
	}
	if a := e.do(call{method: "POST", path: "/api/v1/imports", as: "ngo/provider_staff", body: importCSV, header: map[string]string{"Content-Type": "text/csv"}}); a.status != 403 {
		t.Errorf("provider staff import: %d", a.status)
	}

	// Export: supervisors only, CSV with the HXL row, audited.
	if a := e.do(call{method: "GET", path: "/api/v1/exports/people", as: "ngo/case_worker"}); a.status != 403 {
		t.Errorf("case worker export: %d", a.status)
	}
	ex := e.do(call{method: "GET", path: "/api/v1/exports/people?hxl=true&district=BD30", as: sup})
	if ex.status != 200 || !strings.HasPrefix(ex.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export: %d %s", ex.status, ex.body)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(ex.body), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 4 || !strings.HasPrefix(rows[1][0], "#") {
		t.Errorf("export rows: %v", rows)
	}
	x := e.do(call{method: "GET", path: "/api/v1/exports/people?format=xlsx", as: sup})
	if x.status != 200 || !strings.HasPrefix(string(x.body), "PK") {
		t.Errorf("xlsx export: %d", x.status)
	}
	// The file is named for the time in the instance's zone: at 01:30 in
	// Dhaka it is already the next day there.
	realNow := e.w.DB.Now
	e.w.DB.Now = func() time.Time { return time.Date(2026, 11, 18, 19, 30, 0, 0, time.UTC) }
	named := e.do(call{method: "GET", path: "/api/v1/exports/people", as: sup})
	e.w.DB.Now = realNow
	if cd := named.header.Get("Content-Disposition"); !strings.Contains(cd, `filename="homeward-people-20261119-0130.csv"`) {
		t.Errorf("export file name: %q", cd)
	}
	ev := e.do(call{method: "GET", path: "/api/v1/audit/events?record_type=person", as: "ngo/auditor"})
	if !strings.Contains(string(ev.body), `"action":"registry.export"`) {
		t.Errorf("export not audited: %.500s", ev.body)
	}
}

// A search's first page says how many match; later pages follow its
// cursor; bad queries are problems on "q" or "cursor".
func TestPeopleSearchCountsAndRefuses(t *testing.T) {
	e := newEnv(t)
	cw := "ngo/case_worker"
	for i := range 3 {
		if a := e.do(call{method: "POST", path: "/api/v1/registrations", as: cw, body: registration("Rahima", "Begum", "", fmt.Sprintf("0171234567%d", i), fmt.Sprintf("123456789%d", i), "BD302602")}); a.status != 201 {
			t.Fatalf("register: %d %s", a.status, a.body)
		}
	}
	type page struct {
		Items []json.RawMessage
		Next  string
		Total *int
		More  bool
	}
	get := func(path string) (int, page, string) {
		t.Helper()
		res := e.do(call{method: "GET", path: path, as: cw})
		var p page
		_ = json.Unmarshal(res.body, &p)
		return res.status, p, string(res.body)
	}
	status, first, body := get("/api/v1/people?q=rahima+begum&limit=2")
	if status != 200 || len(first.Items) != 2 || first.Total == nil || *first.Total != 3 || first.More || first.Next == "" {
		t.Fatalf("first page: %d %s", status, body)
	}
	status, second, body := get("/api/v1/people?q=rahima+begum&limit=2&cursor=" + url.QueryEscape(first.Next))
	if status != 200 || len(second.Items) != 1 || second.Total != nil || second.Next != "" {
		t.Errorf("second page: %d %s", status, body)
	}
	// A list without a query is not counted.
	if _, p, body := get("/api/v1/people"); p.Total != nil || len(p.Items) != 3 {
		t.Errorf("list: %s", body)
	}
	for _, tc := range []struct{ path, want string }{
		{"/api/v1/people?q=r", `"field":"q","message":"Type at least two letters of a name."`},
		{"/api/v1/people?q=" + strings.Repeat("rahima+", 30), `"field":"q","message":"A search can have at most 200 characters and 8 words."`},
		{"/api/v1/people?q=begum&cursor=" + url.QueryEscape(first.Next), `"field":"cursor","message":"This page link belongs to another search. Search again."`},
	} {
		if status, _, body := get(tc.path); status != 400 || !strings.Contains(body, tc.want) {
			t.Errorf("%.60s: %d %s", tc.path, status, body)
		}
	}
}

package web_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/registry"
	"homeward/internal/web"
)

// register stores a returnee as the NGO's case worker.
func register(t *testing.T, w *homewardtest.World, given, family, native, phone string) *registry.Record {
	t.Helper()
	reg := &registry.Registration{
		Person: registry.Person{GivenName: given, FamilyName: family, FullNameNative: native, Sex: registry.SexFemale,
			DateOfBirth: registry.YearDate(1990), Phones: []string{phone}, Address: registry.Address{AdminArea: "BD3026"}},
		Episodes: []registry.MigrationEpisode{{DestinationCountry: "SA", Return: &registry.Return{Date: registry.DayDate(2025, 11, 3), ReturnType: registry.ReturnDeported}}},
		Consents: []registry.Consent{{Purpose: registry.PurposeRegistration, Method: registry.MethodSignedForm},
			{Purpose: registry.PurposeReferral, Method: registry.MethodSignedForm, Recipient: registry.Recipient{OrgType: "service_provider"}}},
	}
	rec, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), reg)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return rec
}

func (b *browser) as(w *homewardtest.World, org string, r homeward.Role) *browser {
	b.t.Helper()
	jar, _ := cookiejar.New(nil)
	nb := &browser{t: b.t, base: b.base, c: &http.Client{Jar: jar}}
	nb.login(w.Users[org][r].Email)
	return nb
}

func (b *browser) getHeaders(path string, h map[string]string) (int, string) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	for k, v := range h {
		req.Header.Set(k, v)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func TestPeopleSearch(t *testing.T) {
	b, w := newBrowser(t)
	rahima := register(t, w, "Rahima", "Begum", "রহিমা বেগম", "01712345678")
	register(t, w, "Shirin", "Akter", "", "01812345678")
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	tests := []struct {
		name, query string
		want, not   []string
	}{
		{"Latin name", "q=rahima", []string{"Rahima Begum", rahima.Case.Number, "Dhaka"}, []string{"Shirin"}},
		{"Bangla name", "q=" + url.QueryEscape("রহিমা"), []string{"Rahima Begum"}, []string{"Shirin"}},
		{"local phone", "q=01812-345678", []string{"Shirin Akter"}, []string{"Rahima"}},
		{"case number", "q=" + strings.ToLower(rahima.Case.Number), []string{"Rahima Begum"}, []string{"Shirin"}},
		{"filter by status", "status=closed", []string{"Nobody matches this search."}, []string{"Rahima", "Shirin"}},
		{"filter by district", "district=BD3026&sex=female&return_type=deported", []string{"Rahima", "Shirin"}, nil},
		{"assigned to me", "mine=1", []string{"Rahima", "Shirin"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, page := cw.get("/people?" + tc.query)
			if status != 200 {
				t.Fatalf("status %d", status)
			}
			page = page[strings.Index(page, `<div id="results"`):]
			for _, s := range tc.want {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(page, s) {
					t.Errorf("page shows %q", s)
				}
			}
		})
	}
	// A query's results say how many match; a bare list does not count, and
	// a one-letter query is refused on the field.
	if _, page := cw.get("/people?q=begum"); !strings.Contains(page, `<p id="people-count" class="muted">1 found</p>`) {
		t.Errorf("no count on a search")
	}
	if _, page := cw.get("/people?status=registered"); strings.Contains(page, `id="people-count"`) {
		t.Errorf("a list without a query is counted")
	}
	if status, page := cw.get("/people?q=b"); status != 400 || !strings.Contains(page, "Type at least two letters of a name.") {
		t.Errorf("one-letter query: %d", status)
	}
	// Live search: htmx asks for the results fragment only.
	status, frag := cw.getHeaders("/people?q=shirin", map[string]string{"HX-Request": "true", "HX-Target": "results"})
	if status != 200 || strings.Contains(frag, "<html") || !strings.HasPrefix(frag, `<div id="results"`) || !strings.Contains(frag, "Shirin Akter") {
		t.Errorf("results fragment: %d\n%.300s", status, frag)
	}
	// A bad filter is a translated field error, not a crash.
	if status, page := cw.get("/people?status=lost"); status != 400 || !strings.Contains(page, "“lost” is not one of the allowed values.") {
		t.Errorf("bad status filter: %d", status)
	}
	// Bangla: labels, enumerations and district names.
	cw.get("/lang?to=bn&back=/people")
	_, page := cw.get("/people?q=rahima")
	for _, s := range []string{"প্রত্যাগত অভিবাসী", "নিবন্ধিত", "নারী", "ঢাকা", "রহিমা বেগম", `<p id="people-count" class="muted">১ জন পাওয়া গেছে</p>`} {
		if !strings.Contains(page, s) {
			t.Errorf("Bangla list lacks %q", s)
		}
	}
}

var inputRe = regexp.MustCompile(`(?s)<input id="([^"]+)" name="([^"]+)" value="([^"]*)"(?: required)? aria-invalid="true">\s*<span class="field-error" role="alert">([^<]+)</span>`)

func TestRegistrationForm(t *testing.T) {
	b, w := newBrowser(t)
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page := cw.get("/people/new")
	token := csrf(t, page)
	form := url.Values{"csrf_token": {token},
		"person.given_name": {"রহিমা"}, "person.full_name_native": {"Rahima"}, "person.sex": {"female"},
		"person.date_of_birth": {"2090"}, "person.phones": {"12345"},
		"person.documents[0].type": {"national_id"}, "person.documents[0].number": {"123"}, "person.documents[0].issuing_country": {"BD"},
		"person.address.district":         {"BD3026"},
		"episodes[0].destination_country": {"SA"}, "episodes[0].return.date": {"2099-01-01"}, "episodes[0].return.return_type": {"deported"},
		"episodes[0].migration_cost.amount": {"lots"},
		"consent.purpose":                   {"registration_case_management"}, "consent.method": {"verbal_with_witness"}}
	status, page := cw.post("/people", form)
	if status != 400 {
		t.Fatalf("invalid registration: %d", status)
	}
	got := map[string]string{}
	for _, m := range inputRe.FindAllStringSubmatch(page, -1) {
		got[m[2]] = m[4]
	}
	for field, msg := range map[string]string{
		"person.given_name":                 "Write this name in Latin letters",
		"person.full_name_native":           "Write the native name in Bangla, Arabic or Urdu script.",
		"person.date_of_birth":              "The date of birth is in the future.",
		"person.documents[0].number":        "A Bangladeshi national ID has 10, 13 or 17 digits.",
		"episodes[0].return.date":           "The return date is in the future.",
		"episodes[0].migration_cost.amount": "Write a whole number.",
		"consent.witness":                   "Verbal consent needs the name of the witness.",
	} {
		if field == "episodes[0].migration_cost.amount" {
			if !strings.Contains(page, msg) {
				t.Errorf("no money error %q", msg)
			}
			continue
		}
		if !strings.Contains(got[field], msg) {
			t.Errorf("%s: error %q, want %q", field, got[field], msg)
		}
	}
	if !strings.Contains(page, `id="person-phones" name="person.phones" rows="2" inputmode="tel" aria-invalid="true">12345</textarea>`) {
		t.Error("phone error or input lost")
	}
	if !strings.Contains(page, `value="রহিমা"`) || !strings.Contains(page, `value="lots"`) {
		t.Error("the form lost what was typed")
	}

	// Valid: registered, on to the person page.
	form.Set("person.given_name", "Rahima")
	form.Set("person.family_name", "Khatun")
	form.Set("person.full_name_native", "রহিমা খাতুন")
	form.Set("person.date_of_birth", "about 35")
	form.Set("person.phones", "০১৭১২-৩৪৫৬৭৮")
	form.Set("person.documents[0].number", "1234567890")
	form.Set("episodes[0].return.date", "2025-12-01")
	form.Set("episodes[0].migration_cost.amount", "450,000")
	form.Set("consent.witness", "Jahanara")
	status, page = cw.post("/people", form)
	if status != 200 {
		t.Fatalf("valid registration: %d\n%s", status, page)
	}
	for _, s := range []string{"Registered; the case is open.", "Rahima Khatun", "8801712345678", "450,000 BDT", "Case opened.", "Verbal, with a witness"} {
		if !strings.Contains(page, s) {
			t.Errorf("person page lacks %q", s)
		}
	}
	if !regexp.MustCompile(`id="case-number">BGD-\d{4}-\d{6}<`).MatchString(page) {
		t.Error("no case number")
	}
}

func TestPersonAccess(t *testing.T) {
	b, w := newBrowser(t)
	rec := register(t, w, "Rahima", "Begum", "", "01712345678")
	path := "/people/" + rec.Person.ID
	tests := []struct {
		org    string
		role   homeward.Role
		path   string
		status int
	}{
		{"ngo", homeward.RoleCaseWorker, path, 200},
		{"ngo", homeward.RoleSupervisor, path, 200},
		{"operator", homeward.RoleCaseWorker, path, 404},
		{"operator", homeward.RoleSupervisor, path + "/edit", 404},
		{"ngo", homeward.RoleProviderStaff, "/people", 403},
		{"ngo", homeward.RoleProviderStaff, "/people/new", 403},
		{"ngo", homeward.RoleMEAnalyst, "/reception", 403},
		{"ngo", homeward.RoleCaseWorker, "/people/" + homeward.NewID(), 404},
		{"ngo", homeward.RoleCaseWorker, "/people/export?format=csv", 403},
		{"ngo", homeward.RoleAuditor, "/imports", 403},
	}
	for _, tc := range tests {
		t.Run(string(tc.role)+"@"+tc.org+tc.path, func(t *testing.T) {
			if status, _ := b.as(w, tc.org, tc.role).get(tc.path); status != tc.status {
				t.Errorf("status %d, want %d", status, tc.status)
			}
		})
	}
	// Nobody outside the organisation changes the case either.
	op := b.as(w, "operator", homeward.RoleSupervisor)
	_, home := op.get("/home")
	if status, _ := op.post(path+"/case/status", url.Values{"csrf_token": {csrf(t, home)}, "status": {"assessed"}, "version": {"1"}}); status != 404 {
		t.Errorf("other organisation moves the case: %d", status)
	}
}

func TestPersonPageActions(t *testing.T) {
	b, w := newBrowser(t)
	rec := register(t, w, "Rahima", "Begum", "", "01712345678")
	path := "/people/" + rec.Person.ID
	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	_, page := sup.get(path)
	token := csrf(t, page)
	for _, s := range []string{`id="to-assessed"`, "Close the case", `id="assigned_to"`, "Withdraw", "Case opened.", "Registration and case management"} {
		if !strings.Contains(page, s) {
			t.Errorf("person page lacks %q", s)
		}
	}
	if strings.Contains(page, `id="to-monitoring"`) {
		t.Error("a forbidden move is offered")
	}
	status, page := sup.post(path+"/case/status", url.Values{"csrf_token": {token}, "status": {"assessed"}, "version": {"1"}})
	if status != 200 || !strings.Contains(page, "Status changed from Registered to Assessed.") {
		t.Fatalf("move to assessed: %d", status)
	}
	// The same stale button again: the precondition message.
	if status, page := sup.post(path+"/case/status", url.Values{"csrf_token": {token}, "status": {"plan_agreed"}, "version": {"1"}}); status != 412 ||
		!strings.Contains(page, "Someone else changed this record") {
		t.Errorf("stale case move: %d", status)
	}
	// Closing needs a reason.
	if status, page := sup.post(path+"/case/status", url.Values{"csrf_token": {token}, "status": {"closed"}, "version": {"2"}}); status != 400 ||
		!strings.Contains(page, "Choose why the case is closed.") {
		t.Errorf("close without reason: %d", status)
	}
	if status, page := sup.post(path+"/case/flags", url.Values{"csrf_token": {token}, "priority": {"urgent"}, "vulnerabilities": {"wage_theft"}, "version": {"2"}}); status != 200 ||
		!strings.Contains(page, "Flag added: Wages withheld.") || !strings.Contains(page, "Priority changed from Normal to Urgent.") {
		t.Errorf("flags: %d", status)
	}
	// Consents: a new one with an error, then a withdrawal.
	status, page = sup.post(path+"/consents", url.Values{"csrf_token": {token}, "consent.purpose": {"referral"}, "consent.method": {"digital"}})
	if status != 400 || !strings.Contains(page, "Name the organisation or the type of organisation") {
		t.Errorf("referral consent without recipient: %d", status)
	}
	var cid string
	for _, c := range rec.Consents {
		if c.Purpose == registry.PurposeReferral {
			cid = c.ID
		}
	}
	status, page = sup.post(path+"/consents/"+cid+"/withdraw", url.Values{"csrf_token": {token}})
	if status != 200 || !strings.Contains(page, "Consent withdrawn: Referral to other organisations.") {
		t.Errorf("withdraw: %d", status)
	}
	if ok, _ := w.DB.HasConsent(w.Ctx("ngo", homeward.RoleCaseWorker), rec.Person.ID, registry.PurposeReferral, registry.Recipient{OrgType: "service_provider"}); ok {
		t.Error("withdrawn consent still valid")
	}
}

func TestStaleEdit(t *testing.T) {
	b, w := newBrowser(t)
	rec := register(t, w, "Rahima", "Begum", "", "01712345678")
	path := "/people/" + rec.Person.ID
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page := cw.get(path + "/edit")
	if !strings.Contains(page, `name="version" value="1"`) || !strings.Contains(page, `value="Rahima"`) {
		t.Fatalf("edit form:\n%.500s", page)
	}
	token := csrf(t, page)
	// Someone else saves first.
	p := rec.Person
	p.FatherName = "Abdul Karim"
	if _, err := w.DB.UpdatePerson(w.Ctx("ngo", homeward.RoleSupervisor), rec.Person.ID, 1, registry.PersonUpdate{Person: &p}); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"csrf_token": {token}, "version": {"1"}, "person.given_name": {"Rahima"}, "person.family_name": {"Begum-Khan"},
		"person.sex": {"female"}, "person.phones": {"+8801712345678"}, "person.address.district": {"BD3026"},
		"episodes[0].destination_country": {"SA"}, "episodes[0].return.date": {"2025-11-03"}}
	status, page := cw.post(path, form)
	if status != 412 || !strings.Contains(page, "Someone else changed this record since you loaded it.") || !strings.Contains(page, `value="Begum-Khan"`) {
		t.Errorf("stale edit: %d", status)
	}
	form.Set("version", "2")
	if status, page := cw.post(path, form); status != 200 || !strings.Contains(page, "Rahima Begum-Khan") || !strings.Contains(page, "Personal details updated.") {
		t.Errorf("edit: %d", status)
	}
}

func TestRegistryFormsNeedCSRF(t *testing.T) {
	b, w := newBrowser(t)
	rec := register(t, w, "Rahima", "Begum", "", "01712345678")
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	for _, path := range []string{"/people", "/reception", "/people/" + rec.Person.ID, "/people/" + rec.Person.ID + "/case/status"} {
		if status, _ := cw.post(path, url.Values{"person.given_name": {"X"}, "given_name": {"X"}, "sex": {"male"}, "status": {"assessed"}, "version": {"1"}}); status != 403 {
			t.Errorf("POST %s without CSRF token: %d", path, status)
		}
	}
	list, _, _ := w.DB.Search(w.Ctx("ngo", homeward.RoleCaseWorker), registry.SearchFilter{})
	if len(list) != 1 {
		t.Errorf("CSRF-less forms registered people: %d", len(list))
	}
}

func TestReceptionDesk(t *testing.T) {
	b, w := newBrowser(t)
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page := cw.get("/reception")
	token := csrf(t, page)
	status, page := cw.post("/reception", url.Values{"csrf_token": {token}, "given_name": {"Karim"}, "approx_age": {"40"}, "date_of_birth": {"1985"},
		"phone": {"0171"}, "destination_country": {"MY"}, "return_date": {"2025-10-10"}})
	if status != 400 {
		t.Fatalf("invalid reception: %d", status)
	}
	for _, s := range []string{"Give either the date of birth or the approximate age, not both.", "This field is required.", `value="Karim"`} {
		if !strings.Contains(page, s) {
			t.Errorf("reception page lacks %q", s)
		}
	}
	status, page = cw.post("/reception", url.Values{"csrf_token": {token}, "given_name": {"Karim"}, "approx_age": {"৪০"}, "sex": {"male"},
		"phone": {"01712345678"}, "destination_country": {"MY"}, "return_date": {"2025-10-10"}, "point_of_entry": {"BD-DAC"},
		"return_type": {"crisis_evacuation"}, "services": {"transport", "emergency_cash"}})
	if status != 200 || !strings.Contains(page, "Arrival registered as case BGD-") || !strings.Contains(page, `id="incomplete-list"`) || !strings.Contains(page, "Karim") {
		t.Fatalf("reception: %d\n%s", status, page)
	}
	_, page = cw.get("/people?incomplete=1")
	if !strings.Contains(page, "Karim") || !strings.Contains(page, "to complete") {
		t.Error("incomplete filter")
	}
}

func upload(t *testing.T, b *browser, token, mode, name, content string) (int, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write([]byte(content))
	mw.Close()
	req, _ := http.NewRequestWithContext(context.Background(), "POST", b.base+"/imports?mode="+mode, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", token)
	req.Header.Set("HX-Request", "true")
	req.Header.Set("HX-Target", "import-report")
	res, err := b.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

func TestImportPage(t *testing.T) {
	b, w := newBrowser(t)
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page := cw.get("/imports")
	token := csrf(t, page)
	csv := "external_id,given_name,family_name,sex,phone,admin_area,destination_country,return_date,return_type\n" +
		"A1,Abdul,Karim,M,01712345678,BD3026,SA,2025-10-01,deported\n" +
		"A2,Rina,Akter,F,,BD3026,Oman,2025-11-01,end of contract\n" +
		"A3,Moni,Das,Q,,BD9999,Atlantis,2099-01-01,deported\n"
	status, rep := upload(t, cw, token, "dry", "people.csv", csv)
	if status != 200 || !strings.HasPrefix(rep, `<section id="import-report"`) {
		t.Fatalf("dry run: %d\n%s", status, rep)
	}
	for _, s := range []string{`id="stat-rows">3<`, `id="stat-valid">2<`, `id="stat-invalid">1<`, "nothing was saved", "“Q” is not a sex", "BD9999", `id="import-errors-csv"`} {
		if !strings.Contains(rep, s) {
			t.Errorf("dry-run report lacks %q", s)
		}
	}
	if list, _, err := w.DB.Search(w.Ctx("ngo", homeward.RoleCaseWorker), registry.SearchFilter{}); err != nil || len(list) != 0 {
		t.Errorf("dry run wrote %d people (%v)", len(list), err)
	}
	link := regexp.MustCompile(`href="(/imports/[0-9a-f]+/errors\.csv)"`).FindStringSubmatch(rep)
	if link == nil {
		t.Fatal("no error report link")
	}
	// The report is the uploader's only.
	if status, _ := b.as(w, "ngo", homeward.RoleSupervisor).get(link[1]); status != 404 {
		t.Errorf("another user downloads the report: %d", status)
	}
	if status, body := cw.get(link[1]); status != 200 || !strings.Contains(body, "A3,Moni,Das,Q") || strings.Contains(body, "A1,") {
		t.Errorf("error report: %d\n%s", status, body)
	}
	// It holds personal data: once downloaded, it is gone.
	if status, _ := cw.get(link[1]); status != 404 {
		t.Errorf("the report is downloaded twice: %d", status)
	}
	// Import, in Bangla: the rows are written and the report is translated.
	cw.get("/lang?to=bn&back=/imports")
	status, rep = upload(t, cw, token, "import", "people.csv", csv)
	if status != 200 || !strings.Contains(rep, `id="stat-created">২<`) || !strings.Contains(rep, "আমদানি হয়েছে") {
		t.Errorf("import: %d\n%s", status, rep)
	}
	if list, _, _ := w.DB.Search(w.Ctx("ngo", homeward.RoleCaseWorker), registry.SearchFilter{}); len(list) != 2 {
		t.Errorf("import wrote %d people", len(list))
	}
	if status, rep := upload(t, cw, token, "import", "people.pdf", "%PDF"); status != 400 || !strings.Contains(rep, "CSV") {
		t.Errorf("wrong file type: %d", status)
	}
}

// A file that takes longer than importWait is imported in the background:
// the upload's answer is a progress report that polls the job, and the
// report replaces it when the import is done. Only the uploader sees it.
func TestImportInBackground(t *testing.T) {
	defer web.SetImportWait(0)()
	b, w := newBrowser(t)
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page := cw.get("/imports")
	token := csrf(t, page)
	var csv strings.Builder
	csv.WriteString("external_id,given_name,family_name,sex,phone,admin_area,destination_country,return_date,return_type\n")
	const n = 3000
	for i := range n {
		fmt.Fprintf(&csv, "B%d,Abdul,Karim,M,0171%07d,BD3026,SA,2025-10-01,deported\n", i, i)
	}
	csv.WriteString("BAD,Moni,Das,Q,,BD9999,Atlantis,2099-01-01,deported\n")
	status, rep := upload(t, cw, token, "import", "many.csv", csv.String())
	m := regexp.MustCompile(`hx-get="/imports/([0-9a-f]+)"`).FindStringSubmatch(rep)
	if status != 200 || m == nil || !strings.Contains(rep, `id="import-job-progress"`) || !strings.Contains(rep, "Importing many.csv") {
		t.Fatalf("upload of a large file: %d\n%s", status, rep)
	}
	poll := func(c *browser) (int, string) {
		req, _ := http.NewRequestWithContext(context.Background(), "GET", c.base+"/imports/"+m[1], nil)
		req.Header.Set("HX-Request", "true")
		req.Header.Set("HX-Target", "import-report")
		res, err := c.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(body)
	}
	if status, _ := poll(b.as(w, "ngo", homeward.RoleSupervisor)); status != 404 {
		t.Errorf("another user polls the import: %d", status)
	}
	deadline := time.Now().Add(60 * time.Second)
	for strings.Contains(rep, "import-job-progress") {
		if time.Now().After(deadline) {
			t.Fatalf("import still running after a minute:\n%s", rep)
		}
		time.Sleep(50 * time.Millisecond)
		if status, rep = poll(cw); status != 200 {
			t.Fatalf("poll: %d\n%s", status, rep)
		}
	}
	for _, s := range []string{`id="stat-rows">3,001<`, `id="stat-created">3,000<`, `id="stat-invalid">1<`, `href="/imports/` + m[1] + `/errors.csv"`} {
		if !strings.Contains(rep, s) {
			t.Errorf("final report lacks %q:\n%.1500s", s, rep)
		}
	}
	// Without htmx the same address is a whole page with the report.
	if status, page := cw.get("/imports/" + m[1]); status != 200 || !strings.Contains(page, `id="import-form"`) || !strings.Contains(page, `id="stat-created">3,000<`) {
		t.Errorf("import page by address: %d", status)
	}
	if list, _, _ := w.DB.Search(w.Ctx("ngo", homeward.RoleCaseWorker), registry.SearchFilter{Limit: 10, Query: "Karim"}); len(list) != 10 {
		t.Errorf("imported people not found: %d", len(list))
	}
}

func TestExport(t *testing.T) {
	b, w := newBrowser(t)
	register(t, w, "Rahima", "Begum", "রহিমা বেগম", "01712345678")
	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	if _, page := sup.get("/people"); !strings.Contains(page, `id="export-xlsx"`) {
		t.Error("supervisor sees no export buttons")
	}
	if _, page := b.as(w, "ngo", homeward.RoleCaseWorker).get("/people"); strings.Contains(page, `id="export-csv"`) {
		t.Error("case worker sees export buttons")
	}
	res, err := sup.c.Get(sup.base + "/people/export?format=csv&hxl=true&q=rahima")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/csv") || !strings.Contains(string(body), "Rahima") {
		t.Errorf("CSV export: %d %s\n%.300s", res.StatusCode, res.Header.Get("Content-Type"), body)
	}
	// The HXL row comes second, a hashtag under each column.
	if lines := strings.SplitN(strings.TrimPrefix(string(body), "\ufeff"), "\n", 3); len(lines) < 3 ||
		!strings.HasPrefix(lines[0], "external_id,case_number,given_name,family_name") ||
		!strings.HasPrefix(lines[1], "#meta+id+external,#meta+id+case,#affected+name+given,#affected+name+family") ||
		strings.Count(lines[0], ",") != strings.Count(lines[1], ",") {
		t.Errorf("CSV export's header and HXL rows:\n%.400s", body)
	}
	res, err = sup.c.Get(sup.base + "/people/export?format=xlsx")
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.HasPrefix(body, []byte("PK")) {
		t.Errorf("XLSX export: %d", res.StatusCode)
	}
}

// TestImportDuplicateIDInReport checks that a row whose external_id repeats
// an earlier line's is in the upload page's error report, as it is in the
// command line's, and that the report names the columns as the file did.
func TestImportDuplicateIDInReport(t *testing.T) {
	b, w := newBrowser(t)
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page := cw.get("/imports")
	token := csrf(t, page)
	file := "External ID,Given Name,Sex,Destination Country,Return Date\n" +
		"X1,Rahima,f,SA,2025-01-02\nX1,Karim,m,SA,2025-01-03\nX2,Salma,f,SA,2025-01-04\n"
	status, rep := upload(t, cw, token, "import", "dup.csv", file)
	if status != 200 || !strings.Contains(rep, `id="stat-invalid">1<`) {
		t.Fatalf("import: %d\n%s", status, rep)
	}
	if !strings.Contains(rep, "External ID") {
		t.Errorf("the report does not name the column as the file did:\n%.3000s", rep)
	}
	link := regexp.MustCompile(`href="(/imports/[0-9a-f]+/errors\.csv)"`).FindStringSubmatch(rep)
	if link == nil {
		t.Fatalf("no error report link:\n%.3000s", rep)
	}
	if status, body := cw.get(link[1]); status != 200 || !strings.Contains(body, "X1,Karim") || !strings.Contains(body, "External ID: ") {
		t.Errorf("error report: %d\n%s", status, body)
	}
}

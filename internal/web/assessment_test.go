package web_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"math/rand/v2"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/demo"
	hwform "homeward/internal/form"
	"homeward/internal/i18n"
	"homeward/internal/registry"
)

func registerReturnee(t *testing.T, w *homewardtest.World, returned time.Time) string {
	t.Helper()
	js := fmt.Sprintf(`{"person":{"given_name":"Shahana","family_name":"Begum","sex":"female","date_of_birth":"1990",
		"phones":["01712-345678"],"address":{"admin_area":"BD302602"}},
		"episodes":[{"destination_country":"SA","departure_date":"2019-02","return":{"date":%q,"return_type":"deported","point_of_entry":"BD-DAC"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`, returned.Format(time.DateOnly))
	var reg registry.Registration
	if err := json.Unmarshal([]byte(js), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), &reg)
	if err != nil {
		t.Fatal(err)
	}
	return rec.Person.ID
}

// postAs posts a form and reports the final URL after redirects.
func (b *browser) postAt(path string, form url.Values, header map[string]string) (int, string, string) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body), res.Request.URL.Path
}

func surveyForm(answers map[string]any, token, version, action string) url.Values {
	v := url.Values{"csrf_token": {token}, "version": {version}, "action": {action}}
	for k, a := range answers {
		switch x := a.(type) {
		case string:
			v.Set("a."+k, x)
		case float64:
			v.Set("a."+k, fmt.Sprint(x))
		}
	}
	return v
}

func TestAssessmentPages(t *testing.T) {
	b, w := newBrowser(t)
	returned := w.DB.Now().AddDate(0, 0, -100)
	pid := registerReturnee(t, w, returned)
	b.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)

	if _, page := b.get("/home"); !strings.Contains(page, `id="home-followups"`) || !strings.Contains(page, `href="/assessments"`) {
		t.Errorf("home page lacks the follow-up card")
	}
	if _, frag := b.get("/assessments/tasks"); !strings.Contains(frag, "Shahana Begum") || !strings.Contains(frag, "Baseline") || strings.Contains(frag, "<html") {
		t.Errorf("tasks fragment:\n%s", frag)
	}
	_, page := b.get("/people/" + pid + "/assessments")
	if !strings.Contains(page, `id="start-assessment"`) {
		t.Fatalf("person assessments page:\n%.2000s", page)
	}
	status, page, at := b.postAt("/people/"+pid+"/assessments", url.Values{"csrf_token": {csrf(t, page)}, "form_id": {"rss"}}, nil)
	if status != 200 || !strings.HasPrefix(at, "/assessments/") {
		t.Fatalf("start: %d at %s", status, at)
	}
	sid := strings.TrimPrefix(at, "/assessments/")
	token := csrf(t, page)
	// Skip logic: education is asked only with school-age children.
	if !regexp.MustCompile(`id="q-access_education" hidden`).MatchString(page) {
		t.Error("access_education is shown before school_age_children is answered")
	}
	if !strings.Contains(page, `hx-post="/assessments/`+sid+`/live"`) {
		t.Error("no live skip logic on the page")
	}
	status, frag, _ := b.postAt("/assessments/"+sid+"/live", url.Values{"csrf_token": {token}, "a.school_age_children": {"yes"}},
		map[string]string{"HX-Request": "true", "HX-Trigger-Name": "a.school_age_children"})
	if status != 200 || !strings.Contains(frag, `id="q-access_education" hx-swap-oob="true"`) || strings.Contains(frag, `id="q-school_age_children"`) {
		t.Errorf("live relevance: %d\n%s", status, frag)
	}

	// A draft keeps its answers.
	status, page, _ = b.postAt("/assessments/"+sid, url.Values{"csrf_token": {token}, "version": {"1"}, "action": {"draft"}, "a.food_security": {"sometimes"}}, nil)
	if status != 200 || !strings.Contains(page, "Draft saved.") || !regexp.MustCompile(`id="a-food_security-sometimes" value="sometimes" checked`).MatchString(page) {
		t.Fatalf("draft: %d\n%.3000s", status, page)
	}

	// Completing in Bangla with answers missing names them in Bangla.
	b.get("/lang?to=bn&back=/home")
	status, page, _ = b.postAt("/assessments/"+sid, url.Values{"csrf_token": {token}, "version": {"2"}, "action": {"complete"}, "a.food_security": {"sometimes"}}, nil)
	if status != 400 || !strings.Contains(page, "এই প্রশ্নের উত্তর দেওয়া আবশ্যক।") || !strings.Contains(page, `checked`) {
		t.Errorf("incomplete in Bangla: %d\n%.3000s", status, page)
	}

	answers := demo.SurveyAnswers(rand.New(rand.NewPCG(9, 9)), demo.Levels{Economic: 0.5, Social: 0.5, Psychosocial: 0.5}, returned.AddDate(0, 0, 4).Format(time.DateOnly), "baseline")
	form := surveyForm(answers, token, "2", "complete")
	form.Set("a.debt_months", "৩") // Bangla digits
	status, page, at = b.postAt("/assessments/"+sid, form, nil)
	if status != 200 || at != "/assessments/"+sid || !strings.Contains(page, `id="result-scores"`) || !strings.Contains(page, `id="ans-debt_months">৩<`) {
		t.Fatalf("complete: %d at %s\n%.3000s", status, at, page)
	}
	_, page = b.get("/people/" + pid + "/scores")
	if !strings.Contains(page, "<svg") || !strings.Contains(page, i18n.T("bn", "assessment.chart.title", nil)) || !strings.Contains(page, "অর্থনৈতিক") {
		t.Errorf("scores page:\n%.3000s", page)
	}
	// In Urdu the chart is mirrored (its score axis on the right) and its
	// dates are day first in Urdu digits, not English month names.
	b.get("/lang?to=ur&back=/home")
	_, page = b.get("/people/" + pid + "/scores")
	if !strings.Contains(page, "<svg") || !strings.Contains(page, i18n.Digits("ur", returned.AddDate(0, 0, 4).Format("02/01/2006"))) || strings.Contains(page, returned.AddDate(0, 0, 4).Format("Jan 2006")) ||
		!strings.Contains(page, `<text x="598.0" y="16.0" text-anchor="start"`) {
		t.Errorf("scores page in Urdu:\n%.3000s", page)
	}
	// The survey's questions are in Urdu too.
	rss := hwform.Builtin("rss")
	food := rss.Label(rss.Question("food_security"), "ur")
	if _, page := b.get("/assessments/" + sid); food == rss.Label(rss.Question("food_security"), "en") || !strings.Contains(page, html.EscapeString(food)) {
		t.Errorf("the survey in Urdu lacks %q", food)
	}
	b.get("/lang?to=bn&back=/home")
	if _, frag := b.get("/people/" + pid + "/assessments/panel"); !strings.Contains(frag, `id="latest-scores"`) || strings.Contains(frag, "<html") {
		t.Errorf("panel fragment:\n%s", frag)
	}

	// Another organisation's case worker does not find the person.
	b2 := &browser{t: t, base: b.base, c: &http.Client{Jar: newJar()}}
	b2.login(w.Users["operator"][homeward.RoleCaseWorker].Email)
	if status, _ := b2.get("/people/" + pid + "/assessments"); status != 404 {
		t.Errorf("other org: %d", status)
	}
	if status, _ := b2.get("/assessments/" + sid); status != 404 {
		t.Errorf("other org's assessment: %d", status)
	}
}

func TestAssessmentFormUploadPage(t *testing.T) {
	b, w := newBrowser(t)
	b.login(w.Users["operator"][homeward.RoleMEAnalyst].Email)
	_, page := b.get("/assessments/forms")
	if !strings.Contains(page, `id="form-upload"`) || !strings.Contains(page, "protection_screening") || !strings.Contains(page, `id="scheme-upload"`) {
		t.Fatalf("forms page:\n%.2000s", page)
	}
	wb := excelize.NewFile()
	rows := map[string][][]string{
		"survey":   {{"type", "name", "label", "relevant"}, {"select_one yn", "works", "Working?", ""}, {"integer", "hours", "Hours", "${works} = "}},
		"choices":  {{"list_name", "name", "label"}, {"yn", "yes", "Yes"}, {"yn", "no", "No"}},
		"settings": {{"form_id", "version"}, {"pilot", "1"}},
	}
	for name, rs := range rows {
		_, _ = wb.NewSheet(name)
		for i, r := range rs {
			for j, v := range r {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				_ = wb.SetCellStr(name, cell, v)
			}
		}
	}
	_ = wb.DeleteSheet("Sheet1")
	var xlsx bytes.Buffer
	_ = wb.Write(&xlsx)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("csrf_token", csrf(t, page))
	fw, _ := mw.CreateFormFile("file", "pilot.xlsx")
	_, _ = fw.Write(xlsx.Bytes())
	mw.Close()
	res, err := b.c.Post(b.base+"/assessments/forms", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 400 || !strings.Contains(string(out), "survey!D3") {
		t.Errorf("broken expression: %d\n%.3000s", res.StatusCode, out)
	}

	// A case worker sees the catalogue but no upload.
	b2 := &browser{t: t, base: b.base, c: &http.Client{Jar: newJar()}}
	b2.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)
	if _, page := b2.get("/assessments/forms"); strings.Contains(page, `id="form-upload"`) || !strings.Contains(page, `id="scheme-list"`) {
		t.Errorf("case worker's forms page")
	}
	if _, page := b2.get("/assessments/schemes/rss/2026.1"); !strings.Contains(page, `id="scheme-json"`) || strings.Contains(page, `id="activate"`) {
		t.Errorf("scheme page")
	}
}

func newJar() *cookiejar.Jar {
	j, _ := cookiejar.New(nil)
	return j
}

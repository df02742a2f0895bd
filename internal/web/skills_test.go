package web_test

import (
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/rpl"
)

var (
	assessmentRe = regexp.MustCompile(`action="/people/[^/]+/skills/([^/]+)/results"`)
	certRe       = regexp.MustCompile(`/certificates/print\?id=([^"]+)"`)
)

// In the browser: an administrator registers an assessor; a case worker
// applies with evidence; the assessor records a result per unit; a
// supervisor signs off and issues; the certificate prints with a QR code
// of the public page, which verifies it without signing in; a revoked one
// shows as revoked; an assessor's own sign-off is not offered.
func TestSkillsRecognitionInTheBrowser(t *testing.T) {
	b, w := newBrowser(t)
	rec := register(t, w, "Abdul", "Karim", "", "01712345678")
	pid := rec.Person.ID
	std := w.DB.RPLCatalogue().Standard("HW-MASON-2")
	as := func(role homeward.Role) *browser {
		jar, _ := cookiejar.New(nil)
		nb := &browser{t: t, base: b.base, c: &http.Client{Jar: jar}}
		nb.login(string(role) + "@ngo.test")
		return nb
	}
	admin, cw, prov, sup := as(homeward.RoleAdministrator), as(homeward.RoleCaseWorker), as(homeward.RoleProviderStaff), as(homeward.RoleSupervisor)

	_, page := admin.get("/assessors")
	if status, body := admin.post("/assessors", url.Values{"csrf_token": {csrf(t, page)}, "user_id": {w.Users["ngo"][homeward.RoleProviderStaff].ID}, "standard": {std.Code}, "centre": {"Dhaka TTC"}}); status != 200 || !strings.Contains(body, "Dhaka TTC") {
		t.Fatalf("register assessor: %d %.300s", status, body)
	}

	_, page = cw.get("/people/" + pid + "/skills")
	if !strings.Contains(page, `id="rpl-apply"`) {
		t.Fatalf("no application form:\n%.1000s", page)
	}
	if status, body := cw.postFiles("/people/"+pid+"/skills", map[string]string{"csrf_token": csrf(t, page), "standard": ""}); status != 400 || !strings.Contains(body, "Choose a competency standard") {
		t.Errorf("application without a standard: %d", status)
	}
	if status, body := cw.postFiles("/people/"+pid+"/skills", map[string]string{"csrf_token": csrf(t, page), "standard": std.Code,
		"evidence_kind_0": "employer_letter", "evidence_note_0": "Al Faisal Contracting, Riyadh"}); status != 200 || !strings.Contains(body, "Al Faisal Contracting") {
		t.Fatalf("apply: %d %.300s", status, body)
	}

	// Scheduled by the case worker: a day in the past is refused.
	_, page = cw.get("/people/" + pid + "/skills")
	sched := regexp.MustCompile(`action="(/people/[^"]+/schedule)"`).FindStringSubmatch(page)
	if sched == nil {
		t.Fatal("no schedule form")
	}
	if status, body := cw.post(sched[1], url.Values{"csrf_token": {csrf(t, page)}, "version": {versionRe.FindStringSubmatch(page)[1]}, "scheduled": {homewardtest.Today(w.DB, -1)}}); status != 400 || !strings.Contains(body, "cannot be in the past") {
		t.Errorf("scheduled in the past: %d", status)
	}
	if status, body := cw.post(sched[1], url.Values{"csrf_token": {csrf(t, page)}, "version": {versionRe.FindStringSubmatch(page)[1]}, "scheduled": {homewardtest.Today(w.DB, 5)}, "centre": {"Dhaka TTC"}}); status != 200 || !strings.Contains(body, "Assessment scheduled") {
		t.Fatalf("schedule: %d %.300s", status, body)
	}
	// The case worker is no assessor: no results form for them.
	if _, body := cw.get("/people/" + pid + "/skills"); assessmentRe.MatchString(body) {
		t.Error("results form offered to an unregistered user")
	}
	// The assessor's home says work waits; the work list names the applicant.
	if _, body := prov.get("/home"); !strings.Contains(body, `id="home-skills"`) {
		t.Error("no skills card on the assessor's home")
	}
	inList := func(b *browser, list string) bool {
		t.Helper()
		_, body := b.get("/skills")
		i := strings.Index(body, `id="`+list+`"`)
		return i >= 0 && strings.Contains(body[i:min(len(body), i+2000)], "/people/"+pid+"/skills")
	}
	if !inList(prov, "work-assess") || inList(cw, "work-assess") {
		t.Error("the application is not (only) in the assessor's work")
	}
	_, page = prov.get("/people/" + pid + "/skills")
	m := assessmentRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no results form for the assessor:\n%.2000s", page)
	}
	aid := m[1]
	form := url.Values{"csrf_token": {csrf(t, page)}, "version": {versionRe.FindStringSubmatch(page)[1]}}
	for _, u := range std.Units {
		form.Add("unit", u.Code)
		form.Set("result_"+u.Code, string(rpl.Competent))
		form.Set("note_"+u.Code, "observed")
	}
	missing := url.Values{}
	for k, v := range form {
		missing[k] = v
	}
	missing.Del("result_MAS-03")
	if status, body := prov.post("/people/"+pid+"/skills/"+aid+"/results", missing); status != 400 || !strings.Contains(body, "competent or not yet competent") {
		t.Errorf("a unit without a result: %d", status)
	}
	if status, body := prov.post("/people/"+pid+"/skills/"+aid+"/results", form); status != 200 || !strings.Contains(body, "Results recorded") {
		t.Fatalf("record: %d %.300s", status, body)
	}
	// The assessor is not offered the sign-off; the supervisor is.
	if _, body := prov.get("/people/" + pid + "/skills"); strings.Contains(body, "/signoff") {
		t.Error("sign-off offered to the assessor")
	}
	if !inList(sup, "work-signoff") || inList(prov, "work-signoff") {
		t.Error("the results are not (only) in the supervisor's work to sign off")
	}
	_, page = sup.get("/people/" + pid + "/skills")
	if status, body := sup.post("/people/"+pid+"/skills/"+aid+"/signoff", url.Values{"csrf_token": {csrf(t, page)}, "version": {versionRe.FindStringSubmatch(page)[1]}}); status != 200 || !strings.Contains(body, "/issue") {
		t.Fatalf("sign off: %d %.300s", status, body)
	}
	if !inList(sup, "work-certify") {
		t.Error("the signed-off assessment is not in the supervisor's work to certify")
	}
	_, page = sup.get("/people/" + pid + "/skills")
	status, page := sup.post("/people/"+pid+"/skills/"+aid+"/issue", url.Values{"csrf_token": {csrf(t, page)}})
	cm := certRe.FindStringSubmatch(page)
	if status != 200 || cm == nil {
		t.Fatalf("issue: %d %.500s", status, page)
	}
	certID, _ := url.QueryUnescape(cm[1])
	if inList(sup, "work-certify") {
		t.Error("still waiting for a certificate after it was issued")
	}

	// The printed certificate: holder, skill in both languages, a QR code
	// of the public page.
	status, printed := sup.get("/certificates/print?id=" + url.QueryEscape(certID))
	if status != 200 || !strings.Contains(printed, "Abdul Karim") || !strings.Contains(printed, std.Name["bn"]) || !strings.Contains(printed, `id="cert-qr"`) ||
		!strings.Contains(printed, "/verify?id="+url.QueryEscape(certID)) {
		t.Fatalf("printed certificate: %d %.1500s", status, printed)
	}
	if s, _ := as(homeward.RoleCaseWorker).get("/certificates/print?id=" + url.QueryEscape(certID)); s != 200 {
		t.Errorf("case worker prints: %d", s)
	}

	// The public page, signed out: by id, then the file uploaded.
	jar, _ := cookiejar.New(nil)
	anon := &browser{t: t, base: b.base, c: &http.Client{Jar: jar}}
	status, body := anon.get("/verify?id=" + url.QueryEscape(certID))
	if status != 200 || !strings.Contains(body, "Valid certificate") || !strings.Contains(body, "Abdul Karim") || strings.Contains(body, rec.Case.Number) {
		t.Fatalf("public verification: %d %.1500s", status, body)
	}
	doc, err := w.DB.Credential(w.Ctx("ngo", homeward.RoleSupervisor), certID)
	if err != nil {
		t.Fatal(err)
	}
	upload := func(content string) (int, string) {
		var buf strings.Builder
		mw := multipart.NewWriter(&buf)
		fw, _ := mw.CreateFormFile("file", "certificate.json")
		io.WriteString(fw, content)
		mw.Close()
		res, err := anon.c.Post(b.base+"/verify", mw.FormDataContentType(), strings.NewReader(buf.String()))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(out)
	}
	if status, body := upload(string(doc.Document)); status != 200 || !strings.Contains(body, "Valid certificate") {
		t.Errorf("uploaded: %d %.500s", status, body)
	}
	if status, body := upload(strings.Replace(string(doc.Document), "Abdul", "Abdur", 1)); status != 200 || !strings.Contains(body, "Not a valid certificate") || !strings.Contains(body, "signature does not match") {
		t.Errorf("tampered upload: %d %.800s", status, body)
	}
	if status, _ := anon.post("/verify", url.Values{"credential": {""}}); status != 400 {
		t.Errorf("nothing to verify: %d", status)
	}
	if status, _ := anon.get("/verify?id=urn:uuid:" + homeward.NewID()); status != 404 {
		t.Errorf("unknown id: %d", status)
	}
	if _, body := anon.get("/people/" + pid + "/skills"); strings.Contains(body, "Abdul") {
		t.Error("skills page shown signed out")
	}

	// Revoked: the page and the public verification say so.
	_, page = sup.get("/people/" + pid + "/skills")
	if status, body := sup.post("/people/"+pid+"/certificates/revoke", url.Values{"csrf_token": {csrf(t, page)}, "credential": {certID}, "reason": {""}}); status != 400 || !strings.Contains(body, "Say why") {
		t.Errorf("revoke without a reason: %d", status)
	}
	if status, body := sup.post("/people/"+pid+"/certificates/revoke", url.Values{"csrf_token": {csrf(t, page)}, "credential": {certID}, "reason": {"Issued to the wrong person"}}); status != 200 || !strings.Contains(body, "Certificate revoked") {
		t.Fatalf("revoke: %d %.300s", status, body)
	}
	if _, body := anon.get("/verify?id=" + url.QueryEscape(certID)); !strings.Contains(body, "Not a valid certificate") || !strings.Contains(body, "revoked by its issuer") {
		t.Errorf("revoked, publicly: %.1500s", body)
	}
	// The status list is public and signed.
	if status, body := anon.get("/credentials/status/" + w.NGO.ID); status != 200 || !strings.Contains(body, "BitstringStatusListCredential") {
		t.Errorf("status list: %d %.300s", status, body)
	}
}

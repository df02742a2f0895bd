package web_test

import (
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/indicator"
)

// An administrator creates a programme (a duplicate code is refused at its
// field); a case worker enrols a case from the person page and sees it on
// the timeline; the dashboard filters by programme and by a district's
// upazila.
func TestProgrammePagesAndFilters(t *testing.T) {
	b, w := newBrowser(t)
	personID := registerReturnee(t, w, w.DB.Now().AddDate(0, 0, -10)) // lives in the upazila BD302602
	admin := b.login(w.Users["ngo"][homeward.RoleAdministrator].Email)
	if !strings.Contains(admin, `id="nav-programmes"`) {
		t.Error("no programmes link for the administrator")
	}
	_, page := b.get("/programmes")
	form := url.Values{"csrf_token": {csrf(t, page)}, "code": {"raise"}, "name_en": {"Recovery and Advancement of Informal Sector Employment"},
		"name_bn": {"অনানুষ্ঠানিক খাতে কর্মসংস্থানের পুনরুদ্ধার ও অগ্রগতি"}, "donor": {"World Bank"}, "start": {"2024-01"}, "end": {"2027-12"}, "districts": {"BD3026"}}
	status, page := b.post("/programmes", form)
	if status != 200 || !strings.Contains(page, `id="programme-RAISE"`) || !strings.Contains(page, "The programme was created.") || !strings.Contains(page, "Dhaka") {
		t.Fatalf("create: %d\n%.3000s", status, page)
	}
	status, page = b.post("/programmes", form)
	if status != 400 || !strings.Contains(page, "Your organisation has a programme with the code RAISE already.") || !strings.Contains(page, `id="pg-code" name="code" value="raise"`) {
		t.Errorf("duplicate code: %d\n%.3000s", status, page)
	}

	cw := &browser{t: t, base: b.base, c: newJarClient()}
	home := cw.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)
	if strings.Contains(home, `id="nav-programmes"`) {
		t.Error("the case worker is offered the programmes page")
	}
	if status, _ := cw.post("/programmes", url.Values{"csrf_token": {csrf(t, home)}, "code": {"X1"}, "name_en": {"x"}}); status != 403 {
		t.Errorf("case worker creates a programme: %d", status)
	}
	_, page = cw.get("/people/" + personID)
	if !strings.Contains(page, `id="enrol-form"`) || !strings.Contains(page, "RAISE") || !strings.Contains(page, `id="case-programmes-none"`) {
		t.Fatalf("no enrolment control on the person page:\n%.5000s", page)
	}
	i := strings.Index(page, `id="programme_id"`)
	j := strings.Index(page[i:], `<option value="`) + i + len(`<option value="`)
	progID := page[j : j+strings.Index(page[j:], `"`)]
	status, page = cw.post("/people/"+personID+"/programmes", url.Values{"csrf_token": {csrf(t, page)}, "programme_id": {progID}})
	if status != 200 || !strings.Contains(page, "The case was enrolled in the programme.") || !strings.Contains(page, `id="case-programmes"`) ||
		!strings.Contains(page, "Enrolled in the programme RAISE") || strings.Contains(page, `id="enrol-form"`) {
		t.Errorf("enrol: %d\n%.5000s", status, page)
	}
	b.get("/lang?to=bn")
	if _, page := b.get("/programmes"); !strings.Contains(page, "অনানুষ্ঠানিক খাতে কর্মসংস্থানের") || !strings.Contains(page, "নথিভুক্ত কেস") {
		t.Error("the programmes page in Bangla")
	}

	if _, err := w.DB.RebuildIndicators(homewardtest.SystemCtx(), indicator.Standard()); err != nil {
		t.Fatal(err)
	}
	me := &browser{t: t, base: b.base, c: newJarClient()}
	me.login(w.Users["ngo"][homeward.RoleMEAnalyst].Email)
	_, page = me.get("/indicators")
	if !strings.Contains(page, `<option value="RAISE">RAISE — Recovery`) || !strings.Contains(page, `id="ind-upazila" name="upazila" disabled`) {
		t.Errorf("dashboard filters:\n%.4000s", page)
	}
	if _, page = me.get("/indicators?programme=RAISE"); !strings.Contains(page, `class="indicator-chart"`) || !strings.Contains(page, `id="ind-programme-note"`) {
		t.Error("RAISE's figures are not charted")
	}
	if _, page = me.get("/indicators?programme=OTHER"); strings.Contains(page, `class="indicator-chart"`) {
		t.Error("a programme with no cases has figures")
	}
	_, page = me.get("/indicators?district=BD3026&upazila=BD302602")
	if !strings.Contains(page, `<option value="BD302602" selected>`) || !strings.Contains(page, `class="indicator-chart"`) {
		t.Error("the upazila's figures are not shown")
	}
	if _, page = me.get("/indicators?district=BD3026&upazila=BD302604"); strings.Contains(page, `class="indicator-chart"`) {
		t.Error("another upazila has the registration")
	}
	// One person in the upazila is too few to show by upazila.
	if _, page = me.get("/indicators?district=BD3026&by=upazila"); !strings.Contains(page, "fewer than 5 people") || !strings.Contains(page, "Adabor") {
		t.Errorf("Dhaka by upazila:\n%.3000s", page)
	}
	if status, _ := me.get("/indicators?district=BD3026&upazila=BD100409"); status != 400 {
		t.Errorf("an upazila of another district: %d", status)
	}
	if status, _ := me.get("/indicators?district=BD3026&programme=RAISE&by=sex"); status != 400 {
		t.Errorf("three fields: %d", status)
	}
	if status, part := me.get("/indicators/upazilas?district=BD3026"); status != 200 || !strings.Contains(part, `<option value="BD302602">`) {
		t.Errorf("upazilas of Dhaka: %d %.300s", status, part)
	}
	if status, csv := me.get("/indicators/export.csv?programme=RAISE&by=upazila"); status != 200 || !strings.Contains(csv, "#adm3+code") {
		t.Errorf("export by upazila: %d %.300s", status, csv)
	}
}

package web_test

import (
	"bytes"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/indicator"
	"homeward/internal/report"
)

func TestIndicatorDashboard(t *testing.T) {
	b, w := newBrowser(t)
	register(t, w, "Rahima", "Khatun", "", "01712-345678")
	if _, err := w.DB.RebuildIndicators(homewardtest.SystemCtx(), indicator.Standard()); err != nil {
		t.Fatal(err)
	}
	home := b.login(w.Users["ngo"][homeward.RoleMEAnalyst].Email)
	if !strings.Contains(home, `id="home-indicators"`) {
		t.Error("the M&E analyst's home does not lead to the indicators")
	}
	status, page := b.get("/indicators")
	if status != 200 || !strings.Contains(page, `id="ind-registrations"`) || !strings.Contains(page, "Returnees registered") || !strings.Contains(page, `class="indicator-chart"`) || !strings.Contains(page, "Computed ") {
		t.Fatalf("dashboard: %d\n%.3000s", status, page)
	}
	// Broken down by sex, one woman is too few to show.
	_, page = b.get("/indicators?by=sex")
	if !strings.Contains(page, "fewer than 5 people") || strings.Contains(page, `class="indicator-chart"`) {
		t.Errorf("by sex: the single woman is shown or charted")
	}
	if _, page = b.get("/indicators?by=sex"); !strings.Contains(page, "Not broken down by Sex") {
		t.Error("no note on indicators that cannot be broken down by sex")
	}
	// The same figures download as CSV with HXL hashtags; the one woman
	// stays suppressed there too.
	if !strings.Contains(page, `href="/indicators/export.csv?from=`) {
		t.Error("no download link on the dashboard")
	}
	status, csv := b.get("/indicators/export.csv?by=sex")
	lines := strings.Split(csv, "\n")
	if status != 200 || len(lines) < 3 || !strings.HasPrefix(lines[0], "Indicator,Name,Unit,Month,Sex") || !strings.HasPrefix(lines[1], "#indicator+code,#indicator+name,#meta+unit,#date+period,#meta+sex") {
		t.Fatalf("export: %d\n%.500s", status, csv)
	}
	var woman string
	for _, l := range lines {
		if strings.HasPrefix(l, "registrations,") && strings.Contains(l, ",female,") {
			woman = l
		}
	}
	if !strings.Contains(woman, ",,,,true,") {
		t.Errorf("the single woman's row in the export: %q\n%.1500s", woman, csv)
	}
	if status, _ := b.get("/indicators/export.csv?by=name"); status != 400 {
		t.Errorf("export by an unoffered field: %d", status)
	}
	b.get("/lang?to=bn")
	if _, csv = b.get("/indicators/export.csv"); !strings.HasPrefix(csv, "সূচক,নাম,একক,মাস") {
		t.Errorf("Bangla column names: %.80q", csv)
	}
	status, page = b.get("/indicators?from=2026-05&to=2026-04")
	if status != 400 || !strings.Contains(page, "সময়কাল শুরুর আগেই শেষ হয়েছে।") {
		t.Errorf("a period that ends before it starts: %d", status)
	}
	if _, page = b.get("/indicators"); !strings.Contains(page, "নিবন্ধিত প্রত্যাবর্তনকারী") {
		t.Error("no Bangla titles")
	}
	// One district: the registration is there (BD3026, Dhaka), not in
	// another; a made-up district is refused at its field.
	if _, page := b.get("/indicators?district=BD3026"); !strings.Contains(page, `<option value="BD3026" selected>`) || !strings.Contains(page, `class="indicator-chart"`) {
		t.Error("Dhaka's figures are not shown")
	}
	if _, page := b.get("/indicators?district=BD1004"); strings.Contains(page, `class="indicator-chart"`) {
		t.Error("another district has the registration")
	}
	if status, page := b.get("/indicators?district=BD9999"); status != 400 || !strings.Contains(page, `<a href="#district" data-field="district">“BD9999” কোনো জেলার পি-কোড নয়।</a>`) {
		t.Errorf("a made-up district: %d", status)
	}
	// The organisation filter is the operator's watchers'; an NGO's analyst
	// naming another organisation finds nothing.
	if strings.Contains(page, `id="ind-org"`) {
		t.Error("the NGO's analyst is offered the organisation filter")
	}
	if status, _ := b.get("/indicators?org=" + w.Operator.ID); status != 404 {
		t.Errorf("the NGO's analyst on the operator's figures: %d", status)
	}
	op := &browser{t: t, base: b.base, c: newJarClient()}
	op.login(w.Users["operator"][homeward.RoleMEAnalyst].Email)
	if _, page := op.get("/indicators"); !strings.Contains(page, `id="ind-org"`) || !strings.Contains(page, `<option value="`+w.NGO.ID+`"`) {
		t.Error("the operator's analyst has no organisation filter")
	}
	if _, page := op.get("/indicators?org=" + w.Operator.ID); strings.Contains(page, `class="indicator-chart"`) || !strings.Contains(page, `value="`+w.Operator.ID+`" selected`) {
		t.Error("the operator's own organisation has the NGO's registration")
	}
	if _, page := op.get("/indicators?org=" + w.NGO.ID); !strings.Contains(page, `class="indicator-chart"`) {
		t.Error("the NGO's figures, chosen by the operator's analyst, are not charted")
	}
	cw := &browser{t: t, base: b.base, c: newJarClient()}
	cw.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)
	if status, _ := cw.get("/indicators"); status != 403 {
		t.Errorf("case worker: %d", status)
	}
	if status, _ := cw.get("/indicators/export.csv"); status != 403 {
		t.Errorf("case worker's export: %d", status)
	}
}

func newJarClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar}
}

// An M&E analyst requests a donor report, sees it waiting, and downloads
// the workbook once the builder has made it; a bad period is refused at
// its field with the typed values kept; a case worker has no reports.
func TestDonorReportPages(t *testing.T) {
	b, w := newBrowser(t)
	register(t, w, "Rahima", "Khatun", "", "01712-345678")
	sys := homewardtest.SystemCtx()
	if _, err := w.DB.RebuildIndicators(sys, indicator.Standard()); err != nil {
		t.Fatal(err)
	}
	b.login(w.Users["ngo"][homeward.RoleMEAnalyst].Email)
	if _, page := b.get("/indicators"); !strings.Contains(page, `id="ind-reports" href="/reports"`) {
		t.Error("the dashboard does not lead to the reports")
	}
	status, page := b.get("/reports")
	if status != 200 || !strings.Contains(page, `id="report-none"`) {
		t.Fatalf("reports: %d\n%.2000s", status, page)
	}
	token := csrf(t, page)
	status, page = b.post("/reports", url.Values{"csrf_token": {token}, "from": {"2026-05"}, "to": {"2026-04"}})
	if status != 400 || !strings.Contains(page, "The period ends before it starts.") || !strings.Contains(page, `value="2026-05"`) {
		t.Errorf("a period that ends before it starts: %d", status)
	}
	month := w.DB.Now().In(homewardtest.Zone).Format("2006-01")
	status, page = b.post("/reports", url.Values{"csrf_token": {token}, "from": {month}, "to": {month}})
	if status != 200 || !strings.Contains(page, "The report is being made.") || !strings.Contains(page, "Waiting") || !strings.Contains(page, `hx-trigger="load delay:2s"`) {
		t.Fatalf("requested: %d\n%.3000s", status, page)
	}
	rep, err := w.DB.ClaimReport(sys, "test", report.Lease)
	if err != nil || rep == nil {
		t.Fatalf("claim: %v %v", rep, err)
	}
	b2 := &report.Builder{Store: w.DB, Owner: "test", OrgName: w.DB.OrganisationName, Now: w.DB.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	b2.BuildOne(sys, rep)
	_, page = b.get("/reports")
	link := `href="/reports/` + rep.ID + `/download"`
	if !strings.Contains(page, link) || strings.Contains(page, `hx-trigger="load delay:2s"`) {
		t.Fatalf("built: %.3000s", page)
	}
	res, err := b.c.Get(b.base + "/reports/" + rep.ID + "/download")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.Contains(res.Header.Get("Content-Type"), "spreadsheetml") || !bytes.HasPrefix(body, []byte("PK")) {
		t.Errorf("download: %d %s %d bytes", res.StatusCode, res.Header.Get("Content-Type"), len(body))
	}
	// Built without a browser: no PDF offered, none to download.
	if strings.Contains(page, `class="report-pdf"`) {
		t.Error("a PDF is offered")
	}
	if status, _ := b.get("/reports/" + rep.ID + "/download?format=pdf"); status != 404 {
		t.Errorf("a PDF that was not printed: %d", status)
	}
	// The monthly report, on and off.
	if _, page = b.post("/reports/schedule", url.Values{"csrf_token": {token}, "monthly": {"true"}}); !strings.Contains(page, `id="report-monthly-off"`) {
		t.Error("the monthly report is not on")
	}
	b.get("/lang?to=bn")
	if _, page = b.get("/reports"); !strings.Contains(page, "দাতা প্রতিবেদন") || !strings.Contains(page, "প্রস্তুত") {
		t.Error("no Bangla reports page")
	}
	cw := &browser{t: t, base: b.base, c: newJarClient()}
	cw.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)
	if status, _ := cw.get("/reports"); status != 403 {
		t.Errorf("case worker's reports: %d", status)
	}
	if status, _ := cw.get("/reports/" + rep.ID + "/download"); status != 403 {
		t.Errorf("case worker's download: %d", status)
	}
}

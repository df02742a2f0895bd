package sqldb_test

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/indicator"
	"homeward/internal/report"
)

// A donor report is requested by an M&E analyst, built in the background
// from the precomputed indicators by whichever server claims it, and
// downloaded by their organisation only; a monthly schedule queues the
// month just ended once, however often it is asked.
func TestDonorReport(t *testing.T) {
	w := newRefWorld(t)
	for _, nid := range []string{"1234567890", "2234567890", "3234567890", "4234567890", "5234567890"} {
		w.returnee(t, nid)
	}
	sys := homewardtest.SystemCtx()
	if _, err := w.DB.RebuildIndicators(sys, indicator.Standard()); err != nil {
		t.Fatal(err)
	}
	me := w.as("ngo", homeward.RoleMEAnalyst)
	month := indicator.Month(w.DB.Now().In(homewardtest.Zone).Format("2006-01"))

	// Refused: a case worker; a period that ends before it starts; more
	// than five years.
	if _, err := w.DB.RequestReport(w.as("ngo", homeward.RoleCaseWorker), month, month, "en"); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker requests a report: %v", err)
	}
	if _, err := w.DB.RequestReport(me, month, "2020-01", "en"); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("a period that ends before it starts: %v", err)
	}
	if _, err := w.DB.RequestReport(me, "2020-01", "2025-12", "en"); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("72 months: %v", err)
	}
	rep, err := w.DB.RequestReport(me, month, month, "bn")
	if err != nil {
		t.Fatal(err)
	}
	if list, err := w.DB.Reports(me); err != nil || len(list) != 1 || list[0].State != report.Queued {
		t.Fatalf("listed: %+v %v", list, err)
	}
	// Only the system claims; one server gets it, the other nothing.
	if _, err := w.DB.ClaimReport(me, "a", report.Lease); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("an analyst claims: %v", err)
	}
	got, err := w.DB.ClaimReport(sys, "a", report.Lease)
	if err != nil || got == nil || got.ID != rep.ID || got.Lang != "bn" {
		t.Fatalf("claimed %+v %v", got, err)
	}
	if other, err := w.DB.ClaimReport(sys, "b", report.Lease); err != nil || other != nil {
		t.Fatalf("a second server claimed %+v %v", other, err)
	}
	// Not downloadable before it is built.
	if _, _, err := w.DB.ReportFile(me, rep.ID, "xlsx"); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("download before it is built: %v", err)
	}
	// The builder prints a PDF too where Chromium is installed (.ci/run
	// installs it).
	b := &report.Builder{Store: w.DB, Owner: "a", OrgName: w.DB.OrganisationName, Now: w.DB.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Chromium: report.FindChromium()}
	b.BuildOne(sys, got)
	if b.Chromium != "" {
		r, pdf, err := w.DB.ReportFile(me, rep.ID, "pdf")
		if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) || r.PDFSize != len(pdf) {
			t.Errorf("the PDF: %d bytes %.8q %v", len(pdf), pdf, err)
		}
	} else {
		t.Log("no Chromium here: the PDF is not checked")
	}
	if _, _, err := w.DB.ReportFile(me, rep.ID, "docx"); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("a docx: %v", err)
	}
	r, file, err := w.DB.ReportFile(me, rep.ID, "xlsx")
	if err != nil || r.State != report.Done || r.Size != len(file) || len(file) == 0 {
		t.Fatalf("download: %+v %d %v", r, len(file), err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheets := strings.Join(f.GetSheetList(), "|")
	if sheets != "মোট|লিঙ্গ|বয়সের দল|জেলা|গন্তব্য দেশ|ফেরার ধরন" {
		t.Errorf("sheets %q", sheets)
	}
	rows, err := f.GetRows("মোট")
	if err != nil {
		t.Fatal(err)
	}
	var regs []string
	for _, row := range rows {
		if len(row) > 0 && row[0] == "registrations" {
			regs = row
		}
	}
	// code, name, unit, this month's figure, computed at
	if len(regs) != 5 || regs[1] != "নিবন্ধিত প্রত্যাবর্তনকারী" || regs[3] != "5" || !strings.HasSuffix(regs[4], "UTC") {
		t.Errorf("registrations row: %q", regs)
	}
	if !strings.Contains(rows[1][0], "Shapla") && !strings.Contains(rows[1][0], w.NGO.Name) {
		t.Errorf("the report does not name the organisation: %q", rows[1])
	}
	bySex, _ := f.GetRows("লিঙ্গ")
	found := false
	for _, row := range bySex {
		if len(row) >= 5 && row[0] == "registrations" && row[3] == "নারী" && row[4] == "5" {
			found = true
		}
	}
	if !found {
		t.Errorf("five women by sex: %q", bySex)
	}
	// Another organisation's analyst finds nothing; the operator's see
	// their own (every organisation's) reports only.
	if _, _, err := w.DB.ReportFile(w.as("provider", homeward.RoleMEAnalyst), rep.ID, "xlsx"); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation downloads: %v", err)
	}
	if list, err := w.DB.Reports(w.as("operator", homeward.RoleMEAnalyst)); err != nil || len(list) != 0 {
		t.Errorf("the operator's list: %+v %v", list, err)
	}

	// A builder that stops answering loses its report after the lease.
	stuck, err := w.DB.RequestReport(me, month, month, "en")
	if err != nil {
		t.Fatal(err)
	}
	if c, err := w.DB.ClaimReport(sys, "crashed", time.Second); err != nil || c == nil || c.ID != stuck.ID {
		t.Fatalf("claim: %+v %v", c, err)
	}
	clock := w.DB.Now
	w.DB.Now = func() time.Time { return clock().Add(2 * time.Second) }
	if c, err := w.DB.ClaimReport(sys, "b", report.Lease); err != nil || c == nil || c.ID != stuck.ID {
		t.Fatalf("taken over: %+v %v", c, err)
	}
	// The crashed builder's late result is not stored over the new one's.
	if err := w.DB.FinishReport(sys, stuck.ID, "crashed", []byte("late"), nil, ""); err != nil {
		t.Fatal(err)
	}
	if err := w.DB.FinishReport(sys, stuck.ID, "b", nil, nil, "no space left"); err != nil {
		t.Fatal(err)
	}
	if list, _ := w.DB.Reports(me); list[0].ID != stuck.ID || list[0].State != report.Failed || list[0].Size != 0 {
		t.Errorf("after the takeover: %+v", list[0])
	}
	w.DB.Now = clock

	// The monthly schedule: none this month; next month one, once.
	if err := w.DB.SetReportSchedule(me, true, "en"); err != nil {
		t.Fatal(err)
	}
	if on, err := w.DB.ReportSchedule(me); err != nil || !on {
		t.Errorf("schedule: %v %v", on, err)
	}
	if n, err := w.DB.QueueScheduledReports(sys); err != nil || n != 0 {
		t.Errorf("queued this month: %d %v", n, err)
	}
	w.DB.Now = func() time.Time { return homeward.AddMonths(clock(), 1) }
	for i, want := range []int{1, 0} {
		if n, err := w.DB.QueueScheduledReports(sys); err != nil || n != want {
			t.Errorf("next month, call %d: %d %v", i, n, err)
		}
	}
	list, _ := w.DB.Reports(me)
	if !list[0].Scheduled || list[0].From != month || list[0].To != month {
		t.Errorf("the scheduled report: %+v", list[0])
	}
	w.DB.Now = clock
	if err := w.DB.SetReportSchedule(me, false, "en"); err != nil {
		t.Fatal(err)
	}
	if on, _ := w.DB.ReportSchedule(me); on {
		t.Error("the schedule is still on")
	}
}

// The monthly summary of access flags a user with many more actions than
// colleagues, many exports, and mostly outside working hours; an auditor
// sees their own organisation's users only.
func TestAuditActivity(t *testing.T) {
	w := newRefWorld(t)
	clock := w.DB.Now
	day := time.Date(2026, 11, 10, 0, 0, 0, 0, homewardtest.Zone) // a Tuesday
	at := func(hour int) func() time.Time {
		return func() time.Time { return day.Add(time.Duration(hour) * time.Hour).UTC() }
	}
	export := func(r homeward.Role, n int) {
		for range n {
			if err := w.DB.RecordResearchExport(w.as("ngo", r), w.NGO.ID, nil); err != nil {
				t.Fatal(err)
			}
		}
	}
	w.DB.Now = at(22)
	export(homeward.RoleMEAnalyst, 60)
	w.DB.Now = at(10)
	export(homeward.RoleSupervisor, 3)
	export(homeward.RoleAdministrator, 3)
	if err := w.DB.RecordResearchExport(w.as("provider", homeward.RoleMEAnalyst), w.Provider.ID, nil); err != nil {
		t.Fatal(err)
	}
	w.DB.Now = clock
	since := time.Date(2026, 11, 1, 0, 0, 0, 0, homewardtest.Zone)
	acts, err := w.DB.AuditActivity(w.as("ngo", homeward.RoleAuditor), since, since.AddDate(0, 1, 0), homewardtest.Zone)
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) != 3 {
		t.Fatalf("%d users: %+v", len(acts), acts)
	}
	top := acts[0]
	if top.ActorID != w.Users["ngo"][homeward.RoleMEAnalyst].ID || top.Events != 60 || top.Exports != 60 || top.OffHours != 60 || strings.Join(top.Flags, ",") != "many,exports,off_hours" {
		t.Errorf("the busiest: %+v", top)
	}
	if acts[1].Events != 3 || len(acts[1].Flags) != 0 || acts[1].OffHours != 0 {
		t.Errorf("a colleague: %+v", acts[1])
	}
	// October holds none of it; a case worker may not ask.
	if acts, err := w.DB.AuditActivity(w.as("ngo", homeward.RoleAuditor), since.AddDate(0, -1, 0), since, homewardtest.Zone); err != nil || len(acts) != 0 {
		t.Errorf("October: %+v %v", acts, err)
	}
	if _, err := w.DB.AuditActivity(w.as("ngo", homeward.RoleCaseWorker), since, since.AddDate(0, 1, 0), homewardtest.Zone); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a case worker: %v", err)
	}
}

// A user who opens many more people's records in a day than colleagues is
// flagged "reads"; the same number spread over days is not.
func TestAuditActivityFlagsHeavyReading(t *testing.T) {
	w := newRefWorld(t)
	clock := w.DB.Now
	day := time.Date(2026, 11, 10, 10, 0, 0, 0, homewardtest.Zone)
	open := func(r homeward.Role, people, days int) {
		t.Helper()
		for d := range days {
			w.DB.Now = func() time.Time { return day.AddDate(0, 0, d).UTC() }
			for i := range people {
				id := fmt.Sprintf("00000000-0000-7000-8000-%012d", d*1000+i)
				if err := w.DB.RecordRead(w.as("ngo", r), homeward.RecordRead{Action: "person.read", RecordType: "person", RecordID: id, OrgID: w.NGO.ID}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	open(homeward.RoleCaseWorker, 30, 1)   // 30 in one day
	open(homeward.RoleSupervisor, 6, 5)    // 30 over five days
	open(homeward.RoleMEAnalyst, 5, 1)     // a few
	open(homeward.RoleAdministrator, 4, 1) // a few
	w.DB.Now = clock
	since := time.Date(2026, 11, 1, 0, 0, 0, 0, homewardtest.Zone)
	acts, err := w.DB.AuditActivity(w.as("ngo", homeward.RoleAuditor), since, since.AddDate(0, 1, 0), homewardtest.Zone)
	if err != nil {
		t.Fatal(err)
	}
	by := map[string]*homeward.AuditActivity{}
	for _, a := range acts {
		by[a.ActorID] = a
	}
	cw, sup := by[w.Users["ngo"][homeward.RoleCaseWorker].ID], by[w.Users["ngo"][homeward.RoleSupervisor].ID]
	if cw == nil || cw.Opened != 30 || cw.BusiestDay != 30 || !slices.Contains(cw.Flags, "reads") {
		t.Errorf("the heavy reader: %+v", cw)
	}
	if sup == nil || sup.Opened != 30 || sup.BusiestDay != 6 || slices.Contains(sup.Flags, "reads") {
		t.Errorf("the steady reader: %+v", sup)
	}
}

package web_test

import (
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
)

// The auditor filters the log by action and month, opens an event's
// details, and reads the month's summary of access: a user with many
// exports comes first, flagged, and links to their events.
func TestAuditFiltersAndSummary(t *testing.T) {
	b, w := newBrowser(t)
	analyst := w.Users["ngo"][homeward.RoleMEAnalyst]
	ctx := w.Ctx("ngo", homeward.RoleMEAnalyst)
	for range 6 {
		if err := w.DB.RecordResearchExport(ctx, w.NGO.ID, map[string]any{"rows": 12}); err != nil {
			t.Fatal(err)
		}
	}
	b.login(w.Users["ngo"][homeward.RoleAuditor].Email)
	month := w.DB.Now().In(homewardtest.Zone).Format("2006-01")
	status, page := b.get("/audit?action=research.export&month=" + month)
	if status != 200 || strings.Count(page, "<code>research.export</code>") != 6 || strings.Contains(page, "<code>user.create</code>") {
		t.Fatalf("by action: %d\n%.2000s", status, page)
	}
	if !strings.Contains(page, `class="audit-detail" dir="ltr">{&#34;rows&#34;:12}`) {
		t.Errorf("an event's details are not shown: %.3000s", page)
	}
	if _, page = b.get("/audit?action=research.export&month=2020-01"); !strings.Contains(page, `id="audit-empty"`) {
		t.Error("another month is not empty")
	}
	if status, _ = b.get("/audit?month=May"); status != 400 {
		t.Errorf("a month that is not one: %d", status)
	}
	status, page = b.get("/audit/summary?month=" + month)
	if status != 200 || !strings.Contains(page, "1 users with unusual activity") || !strings.Contains(page, "<strong>many exports</strong>") {
		t.Fatalf("summary: %d\n%.3000s", status, page)
	}
	first := page[strings.Index(page, "<tbody>"):]
	if !strings.Contains(first[:strings.Index(first, "</tr>")], analyst.ID) {
		t.Error("the flagged user is not first")
	}
	if status, _ = b.get("/audit/summary?month=2026-13"); status != 400 {
		t.Errorf("month 13: %d", status)
	}
	b.get("/lang?to=bn&back=/audit")
	if _, page = b.get("/audit/summary?month=" + month); !strings.Contains(page, "অস্বাভাবিক প্রবেশ") || !strings.Contains(page, "অনেক রপ্তানি") {
		t.Error("the summary is not in Bangla")
	}
	cw := &browser{t: t, base: b.base, c: newJarClient()}
	cw.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)
	if status, _ := cw.get("/audit/summary"); status != 403 {
		t.Errorf("case worker on the summary: %d", status)
	}
}

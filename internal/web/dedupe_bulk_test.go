package web_test

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/dedupe"
)

var choosePairRe = regexp.MustCompile(`name="pair" value="([0-9a-f-]{36}:\d+)"`)

// The duplicate queue counts its pairs, and a supervisor confirms several
// obvious pairs at once: each confirmed and audited as a single decision; a
// pair changed meanwhile is left for review.
func TestDuplicateQueueCountAndBulkConfirm(t *testing.T) {
	b, w := newBrowser(t)
	dupRegister(t, w, "Md. Rafiqul", "1985", "01712-345678", "1234567890")
	dupRegister(t, w, "Mohammad Rafikul", "1985-03-12", "01812-345678", "1234567890123")
	dupRegister(t, w, "Karim", "1990", "01912-000111", "5550001112")
	dupRegister(t, w, "Md. Karim", "1990-05-01", "01912-000111", "5550001112")
	dupRegister(t, w, "Jamal", "1979", "01555-111222", "7770001112")
	dupRegister(t, w, "Md. Jamal", "1979", "01555-111222", "7770001112")
	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	_, page := sup.get("/duplicates")
	token := csrf(t, page)
	status, page := sup.post("/duplicates/scan", url.Values{"csrf_token": {token}})
	if status != 200 {
		t.Fatalf("scan: %d", status)
	}
	pairs := choosePairRe.FindAllStringSubmatch(page, -1)
	if len(pairs) < 3 {
		t.Fatalf("%d pairs:\n%s", len(pairs), section(page, `id="dup-list"`))
	}
	n := len(pairs)
	if !strings.Contains(page, `id="dup-count">`+strconv.Itoa(n)+` pairs to review.<`) || !strings.Contains(page, `To review (`+strconv.Itoa(n)+`)`) {
		t.Errorf("count:\n%s", section(page, `dup-tabs`))
	}
	// Nothing chosen: an error, nothing decided.
	if _, page := sup.post("/duplicates/confirm", url.Values{"csrf_token": {token}}); !strings.Contains(page, "Choose at least one pair.") {
		t.Error("empty bulk confirmation accepted silently")
	}
	// Two chosen, one of them at a stale version.
	stale := strings.Split(pairs[1][1], ":")[0] + ":9"
	status, page = sup.post("/duplicates/confirm", url.Values{"csrf_token": {token}, "pair": {pairs[0][1], stale}, "note": {"Same NID"}})
	if status != 200 || !strings.Contains(page, "1 pairs confirmed as the same person.") || !strings.Contains(page, "1 pairs were changed meanwhile") {
		t.Fatalf("bulk: %d\n%s", status, section(page, `id="dup-count"`))
	}
	if !strings.Contains(page, `To review (`+strconv.Itoa(n-1)+`)`) || !strings.Contains(page, `Same person (1)`) {
		t.Errorf("counts after:\n%s", section(page, `dup-tabs`))
	}
	id := strings.Split(pairs[0][1], ":")[0]
	p, err := w.DB.FindPair(w.Ctx("ngo", homeward.RoleSupervisor), id)
	if err != nil || p.Status != dedupe.StatusSame || p.Note != "Same NID" {
		t.Errorf("pair after: %v %+v", err, p)
	}
	org := w.NGO.ID
	evs, _, _ := w.DB.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{OrgID: &org, Limit: 500})
	audited := 0
	for _, e := range evs {
		if e.Action == "dedupe.decide" {
			audited++
			if e.RecordID != id {
				t.Errorf("audited decision on %s", e.RecordID)
			}
		}
	}
	if audited != 1 {
		t.Errorf("%d audited decisions", audited)
	}
	// Bangla.
	sup.get("/lang?to=bn&back=/duplicates")
	if _, page := sup.get("/duplicates"); !strings.Contains(page, "পর্যালোচনার জন্য") || !strings.Contains(page, "বাছাই করা জোড়াগুলো একই ব্যক্তি বলে নিশ্চিত করুন") {
		t.Error("Bangla queue lacks the count or the bulk button")
	}
	// Only supervisors decide: a case worker's bulk confirmation is refused.
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, home := cw.get("/home")
	if status, _ := cw.post("/duplicates/confirm", url.Values{"csrf_token": {csrf(t, home)}, "pair": {pairs[2][1]}}); status != 403 {
		t.Errorf("case worker: %d", status)
	}
}

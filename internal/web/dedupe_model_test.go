package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/internal/dedupe"
	"homeward/internal/match"
)

var modelFPRe = regexp.MustCompile(`<code id="dup-model-fp">([0-9a-f]{12})</code>`)

// The model report is reachable from the queue, shows the weights in use
// (bounded ones marked) in English and Bangla, and is the supervisor's.
func TestDuplicateModelReport(t *testing.T) {
	b, w := newBrowser(t)
	dupRegister(t, w, "Md. Rafiqul", "1985", "01712-345678", "1234567890")
	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	status, page := sup.get("/duplicates")
	if status != 200 || !strings.Contains(page, `href="/duplicates/model" id="dup-model-link"`) {
		t.Fatalf("queue: %d, no link to the model report\n%s", status, page)
	}
	status, page = sup.get("/duplicates/model")
	m := modelFPRe.FindStringSubmatch(page)
	if status != 200 || m == nil || m[1] != match.DefaultModel().Fingerprint() || !strings.Contains(page, "The starting model") ||
		!strings.Contains(page, "National ID number differs") || !strings.Contains(page, "strong evidence against") {
		t.Fatalf("model report: %d\n%s", status, page)
	}
	// A scan from the queue page leaves its figures there.
	_, q := sup.get("/duplicates")
	if status, q := sup.post("/duplicates/scan", url.Values{"csrf_token": {csrf(t, q)}}); status != 200 ||
		!regexp.MustCompile(`Last scan finished [0-9/: ]+: 1 people checked in [0-9.]+ s, 0 new pairs.`).MatchString(q) {
		t.Errorf("scan progress on the queue page: %d\n%s", status, q)
	}
	if n := strings.Count(page, "<tr>"); n < 40 {
		t.Errorf("model report lists %d rows, want every level of every field", n-1)
	}
	if !strings.Contains(page, "Pairs scored 90% or more are likely the same person; from 30% they are shown for review.") {
		t.Errorf("thresholds missing:\n%s", page)
	}
	sup.get("/lang?to=bn&back=/home")
	if _, page := sup.get("/duplicates/model"); !strings.Contains(page, "সম্ভাব্য দ্বৈত রেকর্ডের স্কোর কীভাবে হয়") || !strings.Contains(page, "৯০%") {
		t.Errorf("Bangla model report:\n%s", page)
	}
	for _, r := range []homeward.Role{homeward.RoleCaseWorker, homeward.RoleProviderStaff} {
		if status, _ := b.as(w, "ngo", r).get("/duplicates/model"); status != 403 {
			t.Errorf("%s on the model report: %d, want 403", r, status)
		}
	}
}

// When the queue would hold more than one pair per 200 people (at least
// 25), only the most likely are shown, best first; the rest are held back
// with a way to see them.
func TestDuplicateQueueCalibrated(t *testing.T) {
	b, w := newBrowser(t)
	var ids []string
	for i := range 9 {
		rec := dupRegister(t, w, fmt.Sprintf("Person%c", 'A'+i), "1985", fmt.Sprintf("017123456%02d", i), fmt.Sprintf("12345678%02d", i))
		ids = append(ids, rec.Person.ID)
	}
	sys := homeward.NewContextWithActor(t.Context(), homeward.SystemActor)
	_, upTo, ok, err := w.DB.ClaimScan(sys, w.NGO.ID, "test", time.Minute)
	if err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	var found []dedupe.Found
	k := 0
	for i := range ids {
		for j := i + 1; j < len(ids); j++ {
			a, c := dedupe.Ordered(ids[i], ids[j])
			found = append(found, dedupe.Found{A: a, B: c, Score: 0.31 + float64(k)*0.01, Decision: match.Possible, Explanation: &match.Explanation{}})
			k++
		}
	}
	if _, err := w.DB.SavePairs(sys, w.NGO.ID, "test", found, true, upTo, time.Minute); err != nil {
		t.Fatal(err)
	}
	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	_, page := sup.get("/duplicates")
	if n := len(pairLinkRe.FindAllString(page, -1)); n != 25 {
		t.Errorf("queue shows %d pairs, want the 25 the budget allows", n)
	}
	if !strings.Contains(page, "Showing the 25 most likely of 36 open pairs; 11 less likely pairs are held back below 42%.") {
		t.Errorf("no held-back line:\n%s", page)
	}
	// Most likely first: the best score (66%) heads the list.
	if i, j := strings.Index(page, "66%"), strings.Index(page, "42%"); i < 0 || j < 0 || i > strings.LastIndex(page, "42%") {
		t.Errorf("order: 66%% at %d, 42%% at %d", i, j)
	}
	if _, page := sup.get("/duplicates?status=open&all=1"); len(pairLinkRe.FindAllString(page, -1)) != 36 || strings.Contains(page, "dup-held-back") {
		t.Errorf("show all: want all 36 pairs")
	}
	_, page = sup.get("/duplicates/model")
	if !strings.Contains(page, "25 of 36 open pairs shown") || !strings.Contains(page, "only the most likely are shown") {
		t.Errorf("model report calibration:\n%s", page)
	}
}

package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"homeward"
)

// After a merge: one person in the list, one case with both timelines (the
// absorbed case's events marked), and the absorbed record's address — the
// page and its edit form — leads to the kept record with a banner.
func TestMergedRecordRedirects(t *testing.T) {
	b, w := newBrowser(t)
	first := dupRegister(t, w, "Md. Rafiqul", "1985", "01712-345678", "1234567890")
	second := dupRegister(t, w, "Mohammad Rafikul", "1985-03-12", "01812-345678", "1234567890123")
	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	_, page := sup.get("/duplicates")
	token := csrf(t, page)
	_, page = sup.post("/duplicates/scan", url.Values{"csrf_token": {token}})
	m := pairLinkRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no pair")
	}
	pairPath := "/duplicates/" + m[1]
	sup.post(pairPath+"/decision", url.Values{"csrf_token": {token}, "version": {"1"}, "status": {"confirmed_same"}})
	if status, page := sup.post(pairPath+"/merge", url.Values{"csrf_token": {token}, "version": {"2"}, "keep": {first.Person.ID},
		"person_a": {first.Person.ID}, "person_b": {second.Person.ID}}); status != 200 || !strings.Contains(page, "The records are merged.") {
		t.Fatalf("merge: %d", status)
	}
	// One person in the list, found by either record's identifiers.
	for _, q := range []string{"Rafikul", second.Case.Number, first.Case.Number} {
		_, list := sup.get("/people?q=" + url.QueryEscape(q))
		if n := strings.Count(list, `href="/people/`+first.Person.ID+`" class="person-name"`); n != 1 || strings.Contains(list, second.Person.ID) {
			t.Errorf("list for %q shows the kept person %d times", q, n)
		}
	}
	// The old address leads to the kept record, with a banner.
	noFollow := &http.Client{Jar: sup.c.Jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, path := range []string{"/people/" + second.Person.ID, "/people/" + second.Person.ID + "/edit"} {
		res, err := noFollow.Get(sup.base + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/people/"+first.Person.ID+"?merged_from=") {
			t.Errorf("%s: %d %q", path, res.StatusCode, loc)
		}
	}
	_, page = sup.get("/people/" + second.Person.ID)
	if !strings.Contains(page, `id="merged-banner"`) || !strings.Contains(page, "Mohammad Rafikul Islam was merged into this one") || !strings.Contains(page, first.Case.Number) {
		t.Errorf("kept record after the old address:\n%s", section(page, `id="main"`))
	}
	// One case, both timelines, the absorbed one's marked.
	timeline := section(page, `id="timeline"`)
	if !strings.Contains(timeline, `class="merged-event"`) || !strings.Contains(timeline, "from "+second.Case.Number) {
		t.Errorf("timeline lacks the absorbed case's events:\n%s", timeline)
	}
	sup.get("/lang?to=bn&back=/")
	_, page = sup.get("/people/" + second.Person.ID)
	if !strings.Contains(page, "এই রেকর্ডে একীভূত হয়েছে") || !strings.Contains(page, second.Case.Number+" থেকে") {
		t.Error("Bangla banner or mark missing")
	}
}

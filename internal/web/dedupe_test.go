package web_test

import (
	"encoding/json"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/dedupe"
	"homeward/internal/registry"
	"homeward/internal/server"
)

// dupRegister stores one of the records of the same man, written in
// different ways, as the NGO's case worker.
func dupRegister(t *testing.T, w *homewardtest.World, given, dob, phone, nid string) *registry.Record {
	t.Helper()
	js := fmt.Sprintf(`{"person":{"given_name":%q,"family_name":"Islam","sex":"male","date_of_birth":%q,"father_name":"Abdul Hamid",
		"phones":[%q],"documents":[{"type":"national_id","number":%q,"issuing_country":"BD"}],"address":{"admin_area":"BD302602","text":"Char Kalia village"}},
		"episodes":[{"destination_country":"SA","departure_date":"2019-02","return":{"date":"2026-01-10","return_type":"deported","point_of_entry":"BD-DAC"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`, given, dob, phone, nid)
	var reg registry.Registration
	if err := json.Unmarshal([]byte(js), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), &reg)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	return rec
}

func TestDuplicateCheckFragment(t *testing.T) {
	b, w := newBrowser(t)
	first := dupRegister(t, w, "Md. Rafiqul", "1985", "01712-345678", "1234567890")
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	q := url.Values{"person.given_name": {"Mohammad Rafikul"}, "person.family_name": {"Islam"}, "person.date_of_birth": {"1985-03-12"},
		"person.father_name": {"Abdul Hamid"}, "person.address.district": {"BD3026"}, "person.phones": {"01812-345678"}}
	status, frag := cw.get("/people/duplicates?" + q.Encode())
	if status != 200 || !strings.HasPrefix(frag, `<section id="duplicates"`) || strings.Contains(frag, "<html") ||
		!strings.Contains(frag, `href="/people/`+first.Person.ID+`"`) || !strings.Contains(frag, first.Case.Number) || !strings.Contains(frag, "Father&#39;s name") {
		t.Fatalf("fragment: %d\n%s", status, frag)
	}
	// The form posts itself (with its CSRF token) as it changes.
	_, page := cw.get("/people/new")
	q.Set("csrf_token", csrf(t, page))
	status, frag = cw.post("/people/duplicates", q)
	if status != 200 || !strings.Contains(frag, first.Person.ID) {
		t.Errorf("posted fragment: %d\n%s", status, frag)
	}
	// Editing the first person does not find them as their own duplicate.
	if _, frag := cw.get("/people/duplicates?except=" + first.Person.ID + "&" + q.Encode()); strings.Contains(frag, "dup-candidate") {
		t.Errorf("edit finds itself:\n%s", frag)
	}
	// Too little typed, or a stranger: an empty section.
	for _, qs := range []string{"person.given_name=M", "person.given_name=Shahana&person.family_name=Begum&person.date_of_birth=1999"} {
		if status, frag := cw.get("/people/duplicates?" + qs); status != 200 || strings.Contains(frag, "dup-candidate") || !strings.Contains(frag, `hx-post="/people/duplicates"`) {
			t.Errorf("%s: %d\n%s", qs, status, frag)
		}
	}
	// Bangla.
	cw.get("/lang?to=bn&back=/home")
	if _, frag := cw.get("/people/duplicates?" + q.Encode()); !strings.Contains(frag, "সম্ভবত আগেই নিবন্ধিত") || !strings.Contains(frag, "পিতার নাম") {
		t.Errorf("Bangla fragment:\n%s", frag)
	}
	// Another organisation sees nothing; provider staff may not ask.
	if _, frag := b.as(w, "operator", homeward.RoleCaseWorker).get("/people/duplicates?" + q.Encode()); strings.Contains(frag, "dup-candidate") {
		t.Errorf("other organisation's fragment:\n%s", frag)
	}
	if status, _ := b.as(w, "ngo", homeward.RoleProviderStaff).get("/people/duplicates?" + q.Encode()); status != 403 {
		t.Errorf("provider staff: %d", status)
	}
}

var pairLinkRe = regexp.MustCompile(`href="/duplicates/([0-9a-f-]{36})" class="dup-review"`)
var unmergeRe = regexp.MustCompile(`action="/duplicates/merges/([0-9a-f-]{36})/unmerge"`)

func TestDuplicateReviewMergeUnmerge(t *testing.T) {
	b, w := newBrowser(t)
	first := dupRegister(t, w, "Md. Rafiqul", "1985", "01712-345678", "1234567890")
	second := dupRegister(t, w, "Mohammad Rafikul", "1985-03-12", "01812-345678", "1234567890123")
	if status, _ := b.as(w, "ngo", homeward.RoleCaseWorker).get("/duplicates"); status != 403 {
		t.Errorf("case worker on the queue: %d", status)
	}
	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	_, page := sup.get("/duplicates")
	token := csrf(t, page)
	status, page := sup.post("/duplicates/scan", url.Values{"csrf_token": {token}})
	if status != 200 || !strings.Contains(page, "Scan finished: 1 new pairs to review.") {
		t.Fatalf("scan: %d\n%s", status, page)
	}
	m := pairLinkRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no pair in the queue:\n%s", page)
	}
	pairPath := "/duplicates/" + m[1]
	if status, _ := b.as(w, "operator", homeward.RoleSupervisor).get(pairPath); status != 404 {
		t.Errorf("another organisation's supervisor: %d", status)
	}
	status, page = sup.get(pairPath)
	if status != 200 || !strings.Contains(page, "Md. Rafiqul Islam") || !strings.Contains(page, "Mohammad Rafikul Islam") ||
		!strings.Contains(page, `<li>Score `) || !strings.Contains(page, `id="dup-merge"`) {
		t.Fatalf("pair page: %d\n%s", status, page)
	}
	// A stale form is refused with a message, and changes nothing.
	status, page = sup.post(pairPath+"/decision", url.Values{"csrf_token": {token}, "version": {"7"}, "status": {"confirmed_same"}})
	if status != 412 || !strings.Contains(page, "Someone else changed this record") {
		t.Errorf("stale decision: %d", status)
	}
	status, page = sup.post(pairPath+"/decision", url.Values{"csrf_token": {token}, "version": {"1"}, "status": {"confirmed_same"}})
	if status != 200 || !strings.Contains(page, "Decision saved.") || !strings.Contains(page, "Same person") {
		t.Fatalf("decision: %d\n%s", status, page)
	}
	status, page = sup.post(pairPath+"/merge", url.Values{"csrf_token": {token}, "version": {"2"}, "keep": {first.Person.ID},
		"person_a": {first.Person.ID}, "person_b": {second.Person.ID}, "field.date_of_birth": {second.Person.ID}})
	if status != 200 || !strings.Contains(page, "The records are merged.") {
		t.Fatalf("merge: %d\n%s", status, page)
	}
	kept, _ := w.DB.FindRecord(w.Ctx("ngo", homeward.RoleSupervisor), first.Person.ID)
	if kept.Person.DateOfBirth.String() != "1985-03-12" || len(kept.Consents) != 2 {
		t.Errorf("kept after merge: %+v", kept.Person)
	}
	um := unmergeRe.FindStringSubmatch(page)
	if um == nil {
		t.Fatalf("no undo button:\n%s", page)
	}
	status, page = sup.post("/duplicates/merges/"+um[1]+"/unmerge", url.Values{"csrf_token": {token}, "pair": {m[1]}})
	if status != 200 || !strings.Contains(page, "The merge is undone") || !strings.Contains(page, "undone on") {
		t.Fatalf("unmerge: %d\n%s", status, page)
	}
	status, page = sup.post("/duplicates/merges/"+um[1]+"/unmerge", url.Values{"csrf_token": {token}, "pair": {m[1]}})
	if status != 409 || !strings.Contains(page, "undone already") {
		t.Errorf("second unmerge: %d", status)
	}
	kept, _ = w.DB.FindRecord(w.Ctx("ngo", homeward.RoleSupervisor), first.Person.ID)
	if kept.Person.DateOfBirth.String() != "1985" || len(kept.Consents) != 1 {
		t.Errorf("kept after unmerge: %+v", kept.Person)
	}
	// The timeline reads in words.
	sup.get("/lang?to=bn&back=/home")
	_, page = sup.get(pairPath)
	if !strings.Contains(page, "দুটি রেকর্ড তুলনা করুন") || !strings.Contains(page, "যাচাই বাকি") {
		t.Errorf("Bangla pair page:\n%.2000s", page)
	}
}

// While the organisation's duplicate index loads, the registration form's
// check says it is getting ready, in the user's language, and asks again
// by itself; once loaded it lists the candidates.
func TestDuplicateCheckWhileTheIndexLoads(t *testing.T) {
	var dd *dedupe.Service
	release := make(chan struct{})
	var first *registry.Record
	var held homewardtest.HeldLoads
	b, w := newBrowserOpts(t, func(w *homewardtest.World, o *server.Options) {
		first = dupRegister(t, w, "Md. Rafiqul", "1985", "01712-345678", "1234567890")
		held = homewardtest.NewHeldLoads(w.DB)
		held.Release = release
		dd = dedupe.New(held, dedupe.Options{Now: w.DB.Now, CheckWait: 10 * time.Millisecond})
		o.Dedupe = dd
	})
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
		dd.Indexes.Close()
	})
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	q := url.Values{"person.given_name": {"Mohammad Rafikul"}, "person.family_name": {"Islam"}, "person.date_of_birth": {"1985-03-12"},
		"person.father_name": {"Abdul Hamid"}, "person.address.district": {"BD3026"}, "person.phones": {"01812-345678"}}
	// The first ask starts the load and may answer before it has counted
	// its people (on a busy machine): "0 of 0".
	status, frag := cw.get("/people/duplicates?" + q.Encode())
	if status != 200 || !strings.Contains(frag, `class="dup-loading"`) || !regexp.MustCompile(`getting ready: 0 of [01] people read`).MatchString(frag) ||
		!strings.Contains(frag, "load delay:10s") || strings.Contains(frag, "dup-candidate") {
		t.Fatalf("fragment while loading: %d\n%s", status, frag)
	}
	held.WaitHeld(t)
	if _, frag := cw.get("/people/duplicates?" + q.Encode()); !strings.Contains(frag, "getting ready: 0 of 1 people read") {
		t.Fatalf("fragment while loading, the people counted:\n%s", frag)
	}
	cw.get("/lang?to=bn&back=/home")
	if _, frag := cw.get("/people/duplicates?" + q.Encode()); !strings.Contains(frag, "ডুপ্লিকেট যাচাই প্রস্তুত হচ্ছে") {
		t.Errorf("Bangla fragment while loading:\n%s", frag)
	}
	close(release)
	if _, err := dd.Indexes.Get(homewardtest.SystemCtx(), w.NGO.ID, false); err != nil {
		t.Fatal(err)
	}
	status, frag = cw.get("/people/duplicates?" + q.Encode())
	if status != 200 || strings.Contains(frag, "dup-loading") || strings.Contains(frag, "load delay") || !strings.Contains(frag, first.Person.ID) {
		t.Errorf("fragment once loaded: %d\n%s", status, frag)
	}
}

package sqldb_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/dedupe"
	"homeward/internal/registry"
)

// registerAs stores a returnee for the NGO: given and family name, date of
// birth, phone, national ID and external id vary; the father, village and
// district are shared so that two of them look like one person.
func registerAs(t *testing.T, w *homewardtest.World, given, family, dob, phone, nid, ext string) *registry.Record {
	t.Helper()
	return registerInArea(t, w, "BD302602", given, family, dob, phone, nid, ext)
}

// registerInArea registers as registerAs does, living in the area (p-code) of
// the organisation's country, arriving at that country's first point of
// entry.
func registerInArea(t *testing.T, w *homewardtest.World, area, given, family, dob, phone, nid, ext string) *registry.Record {
	t.Helper()
	port := registry.PointsOfEntry(area[:2])[0].Code
	js := fmt.Sprintf(`{"person":{"external_id":%q,"given_name":%q,"family_name":%q,"sex":"male","date_of_birth":%q,"father_name":"Abdul Hamid",
		"phones":[%q],"documents":[{"type":"national_id","number":%q,"issuing_country":"BD"}],
		"address":{"admin_area":%q,"text":"Char Kalia village"}},
		"episodes":[{"destination_country":"SA","departure_date":"2019-02","return":{"date":"2026-01-10","return_type":"deported","point_of_entry":%q}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`, ext, given, family, dob, phone, nid, area, port)
	var reg registry.Registration
	if err := json.Unmarshal([]byte(js), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), &reg)
	if err != nil {
		t.Fatalf("register %s: %v", given, err)
	}
	return rec
}

// duplicateWorld registers two records of one man and one other person,
// scans, and returns the service, the records and the one raised pair.
func duplicateWorld(t *testing.T) (*homewardtest.World, *dedupe.Service, [3]*registry.Record, dedupe.Pair) {
	t.Helper()
	w := homewardtest.NewWorld(t)
	svc := dedupe.New(w.DB, dedupe.Options{})
	w.DB.OnPersonChanged(svc.PersonChanged)
	var recs [3]*registry.Record
	recs[0] = registerAs(t, w, "Md. Rafiqul", "Islam", "1985", "01712-345678", "1234567890", "AIR-1")
	recs[1] = registerAs(t, w, "Mohammad Rafikul", "Islam", "1985-03-12", "01812-345678", "1234567890123", "NGO-7")
	recs[2] = registerAs(t, w, "Shahana", "Begum", "1990", "01912-345678", "5554443332", "NGO-8")
	res, err := svc.ScanAll(homewardtest.SystemCtx())
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 1 || res[0].OrgID != w.NGO.ID || res[0].People != 3 || res[0].Raised != 1 {
		t.Fatalf("scan: %+v", res)
	}
	pairs, _, err := svc.Pairs(w.Ctx("ngo", homeward.RoleSupervisor), dedupe.PairFilter{})
	if err != nil || len(pairs) != 1 {
		t.Fatalf("queue: %v %v", pairs, err)
	}
	p := pairs[0]
	if !p.Has(recs[0].Person.ID) || !p.Has(recs[1].Person.ID) || p.Status != dedupe.StatusOpen || p.Explanation == nil {
		t.Fatalf("pair: %+v", p)
	}
	return w, svc, recs, p
}

func searchIDs(t *testing.T, w *homewardtest.World, q string) []string {
	t.Helper()
	list, _, err := w.DB.Search(w.Ctx("ngo", homeward.RoleCaseWorker), registry.SearchFilter{Query: q})
	if err != nil {
		t.Fatalf("search %q: %v", q, err)
	}
	var ids []string
	for _, s := range list {
		ids = append(ids, s.PersonID)
	}
	return ids
}

func TestDedupeQueueRights(t *testing.T) {
	w, svc, _, p := duplicateWorld(t)
	sup := w.Ctx("ngo", homeward.RoleSupervisor)
	tests := []struct {
		name string
		run  func() error
		code string
	}{
		{"case worker lists", func() error {
			_, _, err := svc.Pairs(w.Ctx("ngo", homeward.RoleCaseWorker), dedupe.PairFilter{})
			return err
		}, homeward.EFORBIDDEN},
		{"case worker decides", func() error {
			_, err := svc.Decide(w.Ctx("ngo", homeward.RoleCaseWorker), p.ID, p.Version, dedupe.StatusSame, "")
			return err
		}, homeward.EFORBIDDEN},
		{"other org's supervisor", func() error {
			_, err := svc.Decide(w.Ctx("operator", homeward.RoleSupervisor), p.ID, p.Version, dedupe.StatusSame, "")
			return err
		}, homeward.ENOTFOUND},
		{"other org's supervisor reads", func() error { _, err := svc.Pair(w.Ctx("operator", homeward.RoleSupervisor), p.ID); return err }, homeward.ENOTFOUND},
		{"other org's supervisor merges", func() error {
			_, err := svc.Merge(w.Ctx("operator", homeward.RoleSupervisor), p.ID, p.Version, dedupe.MergePlan{Keep: p.PersonA})
			return err
		}, homeward.ENOTFOUND},
		{"stale version", func() error { _, err := svc.Decide(sup, p.ID, p.Version+1, dedupe.StatusSame, ""); return err }, homeward.EPRECONDITION},
		{"bad status", func() error { _, err := svc.Decide(sup, p.ID, p.Version, dedupe.StatusMerged, ""); return err }, homeward.EINVALID},
		{"keep a stranger", func() error {
			_, err := svc.Merge(sup, p.ID, p.Version, dedupe.MergePlan{Keep: homeward.NewID()})
			return err
		}, homeward.EINVALID},
		{"case worker scans", func() error { _, err := svc.Scan(w.Ctx("ngo", homeward.RoleCaseWorker), w.NGO.ID); return err }, homeward.EFORBIDDEN},
		{"scan another org", func() error { _, err := svc.Scan(sup, w.Operator.ID); return err }, homeward.ENOTFOUND},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := homewardtest.Code(tt.run()); got != tt.code {
				t.Errorf("got %q, want %q", got, tt.code)
			}
		})
	}
	if got, _ := svc.Pair(sup, p.ID); got.Pair.Version != p.Version || got.Pair.Status != dedupe.StatusOpen {
		t.Errorf("refused calls changed the pair: %+v", got.Pair)
	}
}

func TestDedupeRejectedPairNotRaisedAgain(t *testing.T) {
	w, svc, recs, p := duplicateWorld(t)
	sup := w.Ctx("ngo", homeward.RoleSupervisor)
	got, err := svc.Decide(sup, p.ID, p.Version, dedupe.StatusDifferent, "Different fathers' villages, checked by phone.")
	if err != nil || got.Status != dedupe.StatusDifferent || got.Version != p.Version+1 || got.DecidedBy != w.Users["ngo"][homeward.RoleSupervisor].ID {
		t.Fatalf("reject: %+v %v", got, err)
	}
	// Both records change; the scan looks at them again and still leaves the
	// pair alone.
	for _, r := range recs[:2] {
		cur, _ := w.DB.FindRecord(sup, r.Person.ID)
		pp := cur.Person
		pp.MotherName = "Rahima Khatun"
		if _, err := w.DB.UpdatePerson(sup, r.Person.ID, cur.Version, registry.PersonUpdate{Person: &pp}); err != nil {
			t.Fatal(err)
		}
	}
	res, err := svc.Scan(homewardtest.SystemCtx(), w.NGO.ID)
	if err != nil || res.People < 2 || res.Found != 1 || res.Raised != 0 {
		t.Fatalf("second scan: %+v %v", res, err)
	}
	if open, _, _ := svc.Pairs(sup, dedupe.PairFilter{}); len(open) != 0 {
		t.Errorf("rejected pair raised again: %+v", open)
	}
	if rej, _, _ := svc.Pairs(sup, dedupe.PairFilter{Status: dedupe.StatusDifferent}); len(rej) != 1 || rej[0].ID != p.ID {
		t.Errorf("rejected list: %+v", rej)
	}
	// A merge of a rejected pair is refused until it is reopened.
	got, _ = svc.Store().FindPair(sup, p.ID)
	if _, err := svc.Merge(sup, p.ID, got.Version, dedupe.MergePlan{Keep: p.PersonA}); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("merging a rejected pair: %v", err)
	}
	tl, _ := w.DB.Timeline(sup, recs[0].Case.ID)
	if !slices.ContainsFunc(tl, func(e registry.TimelineEvent) bool { return e.Kind == "duplicate_rejected" }) {
		t.Errorf("decision not on the timeline: %+v", tl)
	}
	// A second process's scan waits for the lease of the first.
	other := dedupe.New(w.DB, dedupe.Options{})
	if _, _, ok, err := w.DB.ClaimScan(homewardtest.SystemCtx(), w.NGO.ID, "process-1", 60e9); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if r, err := other.Scan(homewardtest.SystemCtx(), w.NGO.ID); err != nil || !r.Skipped {
		t.Errorf("scan while another process holds the lease: %+v %v", r, err)
	}
}

func TestDedupeMergeUnmergeRoundTrip(t *testing.T) {
	w, svc, recs, p := duplicateWorld(t)
	sup := w.Ctx("ngo", homeward.RoleSupervisor)
	kept, absorbed := recs[0], recs[1]
	before := map[string]*registry.Record{}
	for _, r := range recs[:2] {
		before[r.Person.ID], _ = w.DB.FindRecord(sup, r.Person.ID)
	}
	if _, err := svc.Decide(sup, p.ID, p.Version, dedupe.StatusSame, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Merge(sup, p.ID, p.Version, dedupe.MergePlan{Keep: kept.Person.ID}); homewardtest.Code(err) != homeward.EPRECONDITION {
		t.Errorf("merge with a stale version: %v", err)
	}
	m, err := svc.Merge(sup, p.ID, p.Version+1, dedupe.MergePlan{Keep: kept.Person.ID, Fields: map[string]dedupe.Side{"given_name": dedupe.SideAbsorbed}})
	if err != nil {
		t.Fatalf("merge: %v", err)
	}
	if m.Provenance["given_name"] != dedupe.SideAbsorbed || m.Provenance["date_of_birth"] != dedupe.SideAbsorbed || m.Provenance["phones[+8801812345678]"] != dedupe.SideAbsorbed {
		t.Errorf("provenance: %v", m.Provenance)
	}
	got, err := w.DB.FindRecord(sup, kept.Person.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Person.GivenName != "Mohammad Rafikul" || got.Person.DateOfBirth.String() != "1985-03-12" || len(got.Person.Phones) != 2 ||
		len(got.Person.Documents) != 2 || !slices.Contains(got.Person.Aliases, "Md. Rafiqul Islam") || len(got.Consents) != 2 {
		t.Errorf("kept person after merge: %+v, %d consents", got.Person, len(got.Consents))
	}
	// Old identifiers of the absorbed person find the kept one; the absorbed
	// one is no longer listed.
	for _, q := range []string{"01812-345678", "1234567890123", "NGO-7", absorbed.Case.Number, "rafikul", "rafikul islam", "mohammad rafikul islam"} {
		if ids := searchIDs(t, w, q); len(ids) != 1 || ids[0] != kept.Person.ID {
			// One person, listed once: the absorbed case is taken into the
			// kept one.
			t.Errorf("search %q after merge: %v", q, ids)
		}
	}
	// Editing the kept person keeps the lent identifiers.
	pp := got.Person
	pp.MotherName = "Amena Begum"
	upd, err := w.DB.UpdatePerson(sup, kept.Person.ID, got.Version, registry.PersonUpdate{Person: &pp})
	if err != nil {
		t.Fatal(err)
	}
	if ids := searchIDs(t, w, "01812345678"); len(ids) == 0 || ids[0] != kept.Person.ID {
		t.Errorf("search by the absorbed phone after an edit: %v", ids)
	}
	// The hidden copy of the absorbed person cannot be edited either.
	ap := absorbed.Person
	ap.MotherName = "Edited behind the merge"
	if _, err := w.DB.UpdatePerson(sup, absorbed.Person.ID, absorbed.Version, registry.PersonUpdate{Person: &ap}); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("edit of a merged-away person: %v", err)
	}
	// Re-importing the absorbed record's row does not change the hidden
	// copy: the import reports it for review.
	outcomes, err := w.DB.ImportRows(sup, []*registry.ImportRow{{Line: 2, ExternalID: absorbed.Person.ExternalID, Person: absorbed.Person, Episode: absorbed.Episodes[0]}})
	if err != nil || len(outcomes) != 1 || outcomes[0] != registry.ImportMerged {
		t.Errorf("re-import of a merged person: %v %v", outcomes, err)
	}
	tl, _ := w.DB.Timeline(sup, absorbed.Case.ID)
	if !slices.ContainsFunc(tl, func(e registry.TimelineEvent) bool { return e.Kind == "merged" }) {
		t.Errorf("merge not on the moved case's timeline")
	}
	// The merged pair leaves the queue; merging again is refused.
	if open, _, _ := svc.Pairs(sup, dedupe.PairFilter{}); len(open) != 0 {
		t.Errorf("queue after merge: %+v", open)
	}
	if _, err := svc.Unmerge(w.Ctx("ngo", homeward.RoleCaseWorker), m.ID); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker unmerges: %v", err)
	}
	if _, err := svc.Unmerge(w.Ctx("operator", homeward.RoleSupervisor), m.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("other org unmerges: %v", err)
	}

	// Unmerge: both people as they were (the later edit of the mother's
	// name stays), their consents and cases back, identifiers back.
	if _, err := svc.Unmerge(sup, m.ID); err != nil {
		t.Fatalf("unmerge: %v", err)
	}
	if _, err := svc.Unmerge(sup, m.ID); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("second unmerge: %v", err)
	}
	for id, b := range before {
		a, err := w.DB.FindRecord(sup, id)
		if err != nil {
			t.Fatal(err)
		}
		want := b.Person
		if id == kept.Person.ID {
			want.MotherName = upd.Person.MotherName
		}
		x, _ := json.Marshal(want)
		y, _ := json.Marshal(a.Person)
		if string(x) != string(y) {
			t.Errorf("person %s after unmerge:\n got %s\nwant %s", id, y, x)
		}
		if len(a.Consents) != len(b.Consents) || a.Case.ID != b.Case.ID {
			t.Errorf("person %s: %d consents, case %s; want %d, %s", id, len(a.Consents), a.Case.ID, len(b.Consents), b.Case.ID)
		}
	}
	for q, want := range map[string]string{"01812-345678": absorbed.Person.ID, "NGO-7": absorbed.Person.ID, absorbed.Case.Number: absorbed.Person.ID, "01712345678": kept.Person.ID} {
		if ids := searchIDs(t, w, q); len(ids) != 1 || ids[0] != want {
			t.Errorf("search %q after unmerge: %v, want %s", q, ids, want)
		}
	}
	if open, _, _ := svc.Pairs(sup, dedupe.PairFilter{}); len(open) != 1 || open[0].ID != p.ID {
		t.Errorf("pair not open again after unmerge: %+v", open)
	}
	tl, _ = w.DB.Timeline(sup, kept.Case.ID)
	var kinds []string
	for _, e := range tl {
		kinds = append(kinds, string(e.Kind))
	}
	if !strings.Contains(strings.Join(kinds, " "), "duplicate_confirmed merged person_updated unmerged") {
		t.Errorf("kept timeline: %v", kinds)
	}
	ms, err := svc.Merges(sup, absorbed.Person.ID)
	if err != nil || len(ms) != 1 || ms[0].UndoneAt == nil || ms[0].Absorbed.Person.GivenName != "Mohammad Rafikul" {
		t.Errorf("merge record: %+v %v", ms, err)
	}
	if rep, err := w.DB.VerifyAudit(homewardtest.SystemCtx()); err != nil || !rep.OK() {
		t.Errorf("audit: %+v %v", rep, err)
	}
	ev, _, _ := w.DB.FindAuditEvents(w.Ctx("ngo", homeward.RoleAuditor), homeward.AuditFilter{})
	var actions []string
	for _, e := range ev {
		actions = append(actions, e.Action)
	}
	for _, a := range []string{"dedupe.scan", "dedupe.decide", "person.merge", "person.unmerge"} {
		if !slices.Contains(actions, a) {
			t.Errorf("audit log lacks %s: %v", a, actions)
		}
	}
}

// Phone search reads a local number in the searching organisation's own
// country: a Pakistani NGO finds "0300 1234567" however it is typed.
func TestPhoneSearchUsesOrganisationCountry(t *testing.T) {
	w := homewardtest.NewWorld(t)
	sys := homewardtest.SystemCtx()
	o, err := w.DB.FindOrganisationByID(sys, w.NGO.ID)
	if err != nil {
		t.Fatal(err)
	}
	pk, areas := "PK", []string{"PK1"}
	if _, err := w.DB.UpdateOrganisation(sys, o.ID, o.Version, homeward.OrganisationUpdate{Country: &pk, Areas: &areas}); err != nil {
		t.Fatal(err)
	}
	// A Pakistani NGO registers people of Pakistan (Lahore district).
	rec := registerInArea(t, w, "PK617", "Imran", "Khan", "1988", "0300 1234567", "3520212345671", "PK-1")
	if got := rec.Person.Phones[0]; got != "+923001234567" {
		t.Fatalf("stored phone %q", got)
	}
	for _, q := range []string{"03001234567", "0300-1234567", "+92 300 1234567"} {
		list, _, err := w.DB.Search(w.Ctx("ngo", homeward.RoleCaseWorker), registry.SearchFilter{Query: q})
		if err != nil || len(list) != 1 || list[0].PersonID != rec.Person.ID {
			t.Errorf("search %q: %d found, %v", q, len(list), err)
		}
	}
}

// A name search checks a query's other words on each candidate's copy of
// its name words: an edit replaces them, so the old name no longer finds
// the person and the new one does.
func TestSearchWordsFollowEdits(t *testing.T) {
	w := homewardtest.NewWorld(t)
	cw := w.Ctx("ngo", homeward.RoleCaseWorker)
	a := registerAs(t, w, "Nasrin", "Sultana", "1988", "01711-000001", "1111111111", "W-1")
	b := registerAs(t, w, "Kohinoor", "Parvin", "1990", "01711-000002", "2222222222", "W-2")
	for q, want := range map[string][]string{"nasrin sultana": {a.Person.ID}, "kohinoor parvin": {b.Person.ID}, "sultana kohinoor": nil, "nas sul": {a.Person.ID}} {
		if got := searchIDs(t, w, q); !slices.Equal(got, want) {
			t.Errorf("search %q: %v, want %v", q, got, want)
		}
	}
	rec, err := w.DB.FindRecord(cw, a.Person.ID)
	if err != nil {
		t.Fatal(err)
	}
	pp := rec.Person
	pp.FamilyName = "Jahan"
	if _, err := w.DB.UpdatePerson(cw, a.Person.ID, rec.Version, registry.PersonUpdate{Person: &pp}); err != nil {
		t.Fatal(err)
	}
	for q, want := range map[string][]string{"nasrin sultana": nil, "nasrin jahan": {a.Person.ID}, "jahan nasrin": {a.Person.ID}} {
		if got := searchIDs(t, w, q); !slices.Equal(got, want) {
			t.Errorf("after the edit, search %q: %v, want %v", q, got, want)
		}
	}
}

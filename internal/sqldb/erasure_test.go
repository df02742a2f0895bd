package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/dedupe"
	"homeward/internal/password"
	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/rpl"
	"homeward/internal/sqldb"
)

// secondSupervisor adds another supervisor to the NGO: erasure takes two.
func secondSupervisor(t *testing.T, w *homewardtest.World) context.Context {
	t.Helper()
	u := &homeward.User{OrgID: w.NGO.ID, Email: "supervisor2@ngo.test", Name: "ngo second supervisor", Roles: []homeward.Role{homeward.RoleSupervisor}}
	if err := w.DB.CreateUserWithHash(homewardtest.SystemCtx(), u, password.Hash(homewardtest.Password)); err != nil {
		t.Fatal(err)
	}
	return userCtx(u)
}

// What identifies Rahima Khatun in the referral world's registration.
var rahima = []string{"Rahima", "Khatun", "8801712345678", "House 7"}

// dbHolds reports which of the strings any stored row of the tables that
// hold people's data still contains (audit events included).
func dbHolds(t *testing.T, w *homewardtest.World, needles ...string) []string {
	t.Helper()
	raw := sqldb.RawDB(t, w.DB)
	var found []string
	for _, tbl := range []struct{ name, col string }{
		{"people", "person"}, {"people", "given_name"}, {"people", "family_name"}, {"person_keys", "value"}, {"person_words", "words"},
		{"cases", "number"}, {"case_events", "event"}, {"consents", "consent"}, {"referrals", "referral"}, {"audit_events", "detail"},
		{"webhook_deliveries", "event"}, {"dedupe_pairs", "explanation"}, {"dedupe_merges", "merge"}, {"assessments", "answers"},
	} {
		for _, n := range needles {
			var c int
			if err := raw.QueryRow(sqldb.Rebind(w.DB, `SELECT COUNT(*) FROM `+tbl.name+` WHERE `+tbl.col+` LIKE ?`), "%"+n+"%").Scan(&c); err != nil {
				t.Fatalf("%s.%s: %v", tbl.name, tbl.col, err)
			}
			if c > 0 {
				found = append(found, tbl.name+"."+tbl.col+" holds "+n)
			}
		}
	}
	return found
}

func TestErasureFourEyesAndEverywhere(t *testing.T) {
	w := newRefWorld(t)
	rec := w.returnee(t, "1990123456789", w.Provider.ID)
	other := w.returnee(t, "1980111111111", w.Provider.ID) // the same name: a duplicate pair to erase
	w.offer(t, "skills_training", 5)
	r := w.send(t, rec, "skills_training")
	number := rec.Case.Number
	pid := rec.Person.ID
	dd := dedupe.New(w.DB, dedupe.Options{})
	w.DB.OnPersonChanged(dd.PersonChanged)
	if _, err := dd.ScanAll(homewardtest.SystemCtx()); err != nil {
		t.Fatal(err)
	}
	probe := &registry.Registration{Person: registry.Person{GivenName: "Rahima", FamilyName: "Khatun", Sex: registry.SexFemale, Phones: []string{"+8801712345678"},
		Documents: []registry.Document{{Type: registry.DocNationalID, Number: "1990123456789", IssuingCountry: "BD"}}}}
	candidates := func() []string {
		t.Helper()
		cs, err := dd.Check(w.Ctx("ngo", homeward.RoleCaseWorker), probe, "")
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range cs {
			ids = append(ids, c.PersonID)
		}
		return ids
	}
	if !slices.Contains(candidates(), pid) {
		t.Fatal("duplicate detection does not find the person before erasure")
	}
	cw := w.Ctx("ngo", homeward.RoleCaseWorker)
	sup := w.Ctx("ngo", homeward.RoleSupervisor)
	sup2 := secondSupervisor(t, w.World)
	app, err := w.DB.ApplyRPL(cw, rec.Case.ID, w.DB.RPLCatalogue().Standard("HW-MASON-2").Code, []rpl.Evidence{{Kind: "employer_letter"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.AttachRPLEvidence(cw, app.ID, "letter.pdf", pdfFile); err != nil {
		t.Fatal(err)
	}

	// Bad input and wrong people first: nothing is written.
	if _, err := w.DB.RequestErasure(cw, pid, "short"); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("request without a real reason: %v", err)
	}
	if _, err := w.DB.RequestErasure(w.Ctx("operator", homeward.RoleCaseWorker), pid, "The returnee asked in writing on the 3rd."); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation's case worker: %v", err)
	}
	if _, err := w.DB.RequestErasure(w.Ctx("ngo", homeward.RoleMEAnalyst), pid, "The returnee asked in writing on the 3rd."); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("an M&E analyst: %v", err)
	}
	req, err := w.DB.RequestErasure(sup, pid, "The returnee asked in writing on the 3rd.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.RequestErasure(cw, pid, "The returnee asked again by phone."); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("a second open request: %v", err)
	}
	// Four eyes: the supervisor who asked cannot approve; a case worker
	// cannot; another organisation's supervisor does not see it.
	if _, err := w.DB.DecideErasure(sup, req.ID, true); homewardtest.Code(err) != homeward.EFORBIDDEN || !strings.Contains(err.Error(), "another supervisor") {
		t.Errorf("approved by its requester: %v", err)
	}
	if _, err := w.DB.DecideErasure(cw, req.ID, true); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("approved by a case worker: %v", err)
	}
	if _, err := w.DB.DecideErasure(w.Ctx("operator", homeward.RoleSupervisor), req.ID, true); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("approved by another organisation: %v", err)
	}
	// A legal hold blocks approval; lifting it is audited.
	h, err := w.DB.PlaceHold(w.Ctx("ngo", homeward.RoleAdministrator), strings.ToLower(number), "Evidence in a trafficking prosecution.")
	if err != nil || h.PersonID != pid {
		t.Fatalf("hold by case number: %+v %v", h, err)
	}
	if _, err := w.DB.DecideErasure(sup2, req.ID, true); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("erasure under a legal hold: %v", err)
	}
	// Another organisation neither lifts it, nor holds the person, nor sees the hold.
	if _, err := w.DB.LiftHold(w.Ctx("operator", homeward.RoleSupervisor), h.ID, "The prosecutor released the file."); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation lifts the hold: %v", err)
	}
	if _, err := w.DB.PlaceHold(w.Ctx("operator", homeward.RoleAdministrator), number, "Evidence in a trafficking prosecution."); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("another organisation holds the person: %v", err)
	}
	if hs, err := w.DB.LegalHolds(w.Ctx("operator", homeward.RoleSupervisor), pid, 10); err != nil || len(hs) != 0 {
		t.Errorf("another organisation sees the hold: %v %v", hs, err)
	}
	if _, err := w.DB.PlaceHold(cw, pid, "Evidence in a trafficking prosecution."); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a case worker places a hold: %v", err)
	}
	if _, err := w.DB.LiftHold(sup2, h.ID, "no"); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("lift without a reason: %v", err)
	}
	if _, err := w.DB.LiftHold(sup2, h.ID, "The prosecutor released the file."); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.LiftHold(sup2, h.ID, "The prosecutor released the file."); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("lifted twice: %v", err)
	}
	// Phones and addresses are sealed at rest (issue 18 item 4), so only
	// what stays in clear for lists and search — the names and the case
	// number — can show that the check after erasure could fail.
	for _, n := range []string{"Rahima", "Khatun", number} {
		if holds := dbHolds(t, w.World, n); len(holds) == 0 {
			t.Fatalf("%q is not in the database before erasure: the check below could not fail", n)
		}
	}

	done, err := w.DB.DecideErasure(sup2, req.ID, true)
	if err != nil || done.Status != registry.ErasureDone {
		t.Fatalf("erase: %+v %v", done, err)
	}
	if _, err := w.DB.DecideErasure(sup2, req.ID, true); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("decided twice: %v", err)
	}
	// Nothing finds the person: the record, searches by name, phone,
	// document and case number, the list, the export.
	if _, err := w.DB.FindRecord(cw, pid); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("the record after erasure: %v", err)
	}
	for _, q := range []string{"Rahima Khatun", "01712345678", "1990123456789", number} {
		for _, id := range searchIDs(t, w.World, q) {
			if id == pid {
				t.Errorf("search %q finds the erased person", q)
			}
		}
	}
	list, _, err := w.DB.Search(cw, registry.SearchFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range list {
		if s.PersonID == pid {
			t.Error("the case list shows the erased person")
		}
	}
	var exported []string
	if err := w.DB.Export(sup, registry.SearchFilter{}, func(e *registry.ExportRecord) error {
		exported = append(exported, e.Person.ID)
		return nil
	}); err != nil || len(exported) != 1 || exported[0] != other.Person.ID {
		t.Errorf("export after erasure: %v %v", exported, err)
	}
	if slices.Contains(candidates(), pid) {
		t.Error("duplicate detection still finds the erased person")
	}
	var files int
	if err := sqldb.RawDB(t, w.DB).QueryRow(sqldb.Rebind(w.DB, `SELECT COUNT(*) FROM rpl_evidence_files WHERE assessment_id = ?`), app.ID).Scan(&files); err != nil || files != 0 {
		t.Errorf("evidence files left: %d %v", files, err)
	}
	// The other Rahima is untouched; the erased one's data is nowhere —
	// the audit log included, which still verifies.
	if _, err := w.DB.FindRecord(cw, other.Person.ID); err != nil {
		t.Errorf("the other person: %v", err)
	}
	if n := erasedLeft(t, w.World, pid, r.ID, number); len(n) > 0 {
		t.Errorf("left after erasure: %v", n)
	}
	// The case number (also a key people carry on paper) is nowhere, the
	// audit log included.
	if n := dbHolds(t, w.World, number); len(n) > 0 {
		t.Errorf("the case number is left: %v", n)
	}
	rep, err := w.DB.VerifyAudit(homewardtest.SystemCtx())
	if err != nil || !rep.OK() {
		t.Fatalf("audit verify after erasure: %+v %v", rep, err)
	}
	org := w.NGO.ID
	action := "person.erased"
	evs, _, err := w.DB.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{OrgID: &org, Action: &action, Limit: 5})
	if err != nil || len(evs) != 1 || evs[0].RecordID != pid || strings.Contains(evs[0].Detail, "Rahima") || strings.Contains(evs[0].Detail, "written") {
		t.Errorf("tombstone: %+v %v", evs, err)
	}
}

// erasedLeft lists the rows about the erased person (or their referral)
// that still hold the person's name, phone, document or address.
func erasedLeft(t *testing.T, w *homewardtest.World, pid, referralID string, more ...string) []string {
	t.Helper()
	raw := sqldb.RawDB(t, w.DB)
	var found []string
	for _, q := range []struct{ name, sql, arg string }{
		{"people", `SELECT person || given_name || family_name || full_name_native FROM people WHERE id = ?`, pid},
		{"person_keys", `SELECT value FROM person_keys WHERE person_id = ?`, pid},
		{"person_words", `SELECT words FROM person_words WHERE person_id = ?`, pid},
		{"referrals", `SELECT referral FROM referrals WHERE id = ?`, referralID},
		{"consents", `SELECT consent FROM consents WHERE person_id = ?`, pid},
		{"case_events", `SELECT e.event FROM case_events e JOIN cases c ON c.id = e.case_id WHERE c.person_id = ?`, pid},
		{"audit", `SELECT detail FROM audit_events WHERE record_id = ? OR detail LIKE '%' || ? || '%'`, pid},
		{"dedupe_pairs", `SELECT id FROM dedupe_pairs WHERE person_a = ? OR person_b = ?`, pid},
	} {
		args := []any{q.arg}
		if strings.Count(q.sql, "?") == 2 {
			args = append(args, q.arg)
		}
		rows, err := raw.Query(sqldb.Rebind(w.DB, q.sql), args...)
		if err != nil {
			t.Fatalf("%s: %v", q.name, err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			if q.name == "dedupe_pairs" {
				found = append(found, "a duplicate pair")
			}
			for _, n := range append(append([]string{"1990123456789"}, rahima...), more...) {
				if strings.Contains(s, n) {
					found = append(found, q.name+": "+n)
				}
			}
		}
		rows.Close()
	}
	return found
}

// Retention: administrators set periods; the dry run lists what is due
// and why, and changes nothing; a hold keeps a person (listed as held);
// the run pseudonymises the rest, and the audit log still verifies.
func TestRetention(t *testing.T) {
	w := newRefWorld(t)
	c := useClock(t, w)
	a := w.returnee(t, "1990123456789", w.Provider.ID)
	b := w.returnee(t, "1980111111111", w.Provider.ID)
	open := w.returnee(t, "1970222222222", w.Provider.ID)
	w.offer(t, "skills_training", 5)
	ref := w.send(t, open, "skills_training")
	w.move(t, w.as("provider", homeward.RoleCaseWorker), ref, referral.StateDeclined, referral.DeclineNoCapacity)
	app, err := w.DB.ApplyRPL(w.Ctx("ngo", homeward.RoleCaseWorker), open.Case.ID, w.DB.RPLCatalogue().Standard("HW-MASON-2").Code, []rpl.Evidence{{Kind: "employer_letter"}})
	if err != nil {
		t.Fatal(err)
	}
	file, err := w.DB.AttachRPLEvidence(w.Ctx("ngo", homeward.RoleCaseWorker), app.ID, "letter.pdf", pdfFile)
	if err != nil {
		t.Fatal(err)
	}
	sup := w.Ctx("ngo", homeward.RoleSupervisor)
	closed := registry.StatusClosed
	for _, rec := range []*registry.Record{a, b} {
		if _, _, err := w.DB.UpdateCase(sup, rec.Case.ID, rec.Case.Version, registry.CaseUpdate{Status: &closed, ClosureReason: registry.CloseSupportCompleted}); err != nil {
			t.Fatal(err)
		}
	}
	admin := w.Ctx("ngo", homeward.RoleAdministrator)
	if err := w.DB.SetRetentionRules(sup, map[string]int{registry.RetainClosedCase: 5}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a supervisor sets retention: %v", err)
	}
	if err := w.DB.SetRetentionRules(admin, map[string]int{registry.RetainClosedCase: 500}); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("500 years: %v", err)
	}
	if err := w.DB.SetRetentionRules(admin, map[string]int{"everything": 5}); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("an unknown kind: %v", err)
	}
	if err := w.DB.SetRetentionRules(admin, map[string]int{registry.RetainClosedCase: 5, registry.RetainDeclinedReferral: 2, registry.RetainEvidenceFile: 500}); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("one bad period among good ones: %v", err)
	}
	if rules, _ := w.DB.RetentionRules(admin); len(rules) != 0 {
		t.Errorf("a refused set saved %v", rules)
	}
	if err := w.DB.SetRetentionRules(admin, map[string]int{registry.RetainClosedCase: 5, registry.RetainDeclinedReferral: 2, registry.RetainEvidenceFile: 3}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.RunRetention(w.Ctx("operator", homeward.RoleSupervisor), true); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a supervisor runs retention: %v", err)
	}
	// Now nothing is due.
	rep, err := w.DB.RunRetention(admin, true)
	if err != nil || len(rep.Items) != 0 {
		t.Fatalf("nothing due yet: %+v %v", rep, err)
	}
	if _, err := w.DB.PlaceHold(sup, b.Person.ID, "Evidence in a trafficking prosecution."); err != nil {
		t.Fatal(err)
	}
	// Who read the record is kept whatever retention does to the record:
	// read events hold ids only, and pruning them would break the chain.
	readRecord(t, w.World, a.Person.ID)
	c.Set(c.Now().AddDate(5, 0, 1))
	headBefore := auditHead(t, w.World)
	rep, err = w.DB.RunRetention(admin, true)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]registry.RetentionItem{}
	for _, it := range rep.Items {
		got[it.RecordID] = it
	}
	if len(rep.Items) != 4 || !rep.DryRun || rep.Done != 0 || rep.Held != 1 || got[file.ID].Action != "delete" ||
		got[a.Person.ID].Action != "pseudonymise" || got[a.Person.ID].Held || !got[b.Person.ID].Held ||
		got[ref.ID].Action != "clear" || got[ref.ID].Kind != registry.RetainDeclinedReferral || got[a.Person.ID].Years != 5 {
		t.Fatalf("dry run: %+v", rep)
	}
	if auditHead(t, w.World) != headBefore {
		t.Error("the dry run wrote to the audit log")
	}
	if _, err := w.DB.FindRecord(w.Ctx("ngo", homeward.RoleCaseWorker), a.Person.ID); err != nil {
		t.Errorf("the dry run erased: %v", err)
	}
	// The scheduled job runs as the system, over every organisation.
	rep, err = w.DB.RunRetention(homewardtest.SystemCtx(), false)
	if err != nil || rep.Done != 3 || rep.Held != 1 {
		t.Fatalf("run: %+v %v", rep, err)
	}
	var files int
	if err := sqldb.RawDB(t, w.DB).QueryRow(sqldb.Rebind(w.DB, `SELECT COUNT(*) FROM rpl_evidence_files WHERE id = ?`), file.ID).Scan(&files); err != nil || files != 0 {
		t.Errorf("an evidence file past its period: %d %v", files, err)
	}
	if _, err := w.DB.FindRecord(w.Ctx("ngo", homeward.RoleCaseWorker), a.Person.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("a closed case past its period: %v", err)
	}
	if _, err := w.DB.FindRecord(w.Ctx("ngo", homeward.RoleCaseWorker), b.Person.ID); err != nil {
		t.Errorf("the held person: %v", err)
	}
	got2, err := w.DB.FindReferral(w.Ctx("ngo", homeward.RoleCaseWorker), ref.ID)
	if err != nil || got2.Shared.GivenName != "" || got2.Shared.CaseNumber != "" || got2.State != referral.StateDeclined {
		t.Errorf("declined referral after retention: %+v %v", got2, err)
	}
	// Run again: nothing more is due but the held person.
	rep, err = w.DB.RunRetention(admin, true)
	if err != nil || len(rep.Items) != 1 || !rep.Items[0].Held {
		t.Errorf("second dry run: %+v %v", rep, err)
	}
	if vr, err := w.DB.VerifyAudit(homewardtest.SystemCtx()); err != nil || !vr.OK() {
		t.Fatalf("audit verify after retention: %+v %v", vr, err)
	}
	if n := auditCount(t, w.DB, a.Person.ID, "person.read"); n != 1 {
		t.Errorf("reads of the pseudonymised record after retention: %d, want 1", n)
	}
}

// readRecord records a case worker's opening of a person's record.
func readRecord(t *testing.T, w *homewardtest.World, personID string) {
	t.Helper()
	if err := w.DB.RecordRead(w.Ctx("ngo", homeward.RoleCaseWorker), homeward.RecordRead{Action: "person.read", RecordType: "person", RecordID: personID, OrgID: w.NGO.ID}); err != nil {
		t.Fatal(err)
	}
}

// auditHead returns the NGO chain's last sequence number and hash.
func auditHead(t *testing.T, w *homewardtest.World) string {
	t.Helper()
	var seq int64
	var hash string
	if err := sqldb.RawDB(t, w.DB).QueryRow(sqldb.Rebind(w.DB, `SELECT seq, hash FROM audit_heads WHERE chain = ?`), w.NGO.ID).Scan(&seq, &hash); err != nil {
		t.Fatal(err)
	}
	return fmt.Sprint(seq, "@", hash)
}

// TestErasureClearsPlansAndRPLNotes: an erasure clears the free text of the
// person's plans (goals in their words, service notes, the agreement's
// witness) and of their RPL applications (what the evidence said), keeping
// what counts (services, statuses, kinds of evidence); another person's
// plan and application keep theirs.
func TestErasureClearsPlansAndRPLNotes(t *testing.T) {
	w := newRefWorld(t)
	rec := w.returnee(t, "1990123456789", w.Provider.ID)
	other := w.returnee(t, "1980111111111", w.Provider.ID)
	cw := w.Ctx("ngo", homeward.RoleCaseWorker)
	std := w.DB.RPLCatalogue().Standard("HW-MASON-2").Code
	words := []string{"tailoring shop in Jessore", "childcare for her son", "Al-Noor Tailoring"}
	plan, err := w.DB.CreatePlan(cw, rec.Case.ID, referral.PlanInput{Goals: []referral.Goal{{Text: "Open a " + words[0], Dimension: "economic"}},
		Services: []referral.PlannedService{{ServiceType: "skills_training", Note: "Needs " + words[1]}}})
	if err != nil {
		t.Fatal(err)
	}
	app, err := w.DB.ApplyRPL(cw, rec.Case.ID, std, []rpl.Evidence{{Kind: "employer_letter", Note: "Letter from " + words[2] + ", Dubai"}})
	if err != nil {
		t.Fatal(err)
	}
	otherPlan, err := w.DB.CreatePlan(cw, other.Case.ID, referral.PlanInput{Goals: []referral.Goal{{Text: "Poultry farm in Bogura"}},
		Services: []referral.PlannedService{{ServiceType: "skills_training", Note: "Has land"}}})
	if err != nil {
		t.Fatal(err)
	}
	otherApp, err := w.DB.ApplyRPL(cw, other.Case.ID, std, []rpl.Evidence{{Kind: "certificate", Note: "Site foreman's certificate"}})
	if err != nil {
		t.Fatal(err)
	}
	raw := sqldb.RawDB(t, w.DB)
	doc := func(q, id string) string {
		t.Helper()
		var s string
		if err := raw.QueryRow(sqldb.Rebind(w.DB, q), id).Scan(&s); err != nil {
			t.Fatal(err)
		}
		return s
	}
	planDoc := func(id string) string { return doc(`SELECT plan FROM plans WHERE id = ?`, id) }
	appDoc := func(id string) string { return doc(`SELECT assessment FROM rpl_assessments WHERE id = ?`, id) }
	if before := planDoc(plan.ID) + appDoc(app.ID); !strings.Contains(before, words[0]) || !strings.Contains(before, words[2]) {
		t.Fatalf("the fixture's words are not stored: %s", before)
	}

	readRecord(t, w.World, rec.Person.ID)
	req, err := w.DB.RequestErasure(w.Ctx("ngo", homeward.RoleSupervisor), rec.Person.ID, "The returnee asked in writing on the 3rd.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.DecideErasure(secondSupervisor(t, w.World), req.ID, true); err != nil {
		t.Fatal(err)
	}
	if n := auditCount(t, w.DB, rec.Person.ID, "person.read"); n != 1 {
		t.Errorf("reads of the erased record: %d, want 1 (kept: ids only)", n)
	}
	after := planDoc(plan.ID) + appDoc(app.ID)
	for _, s := range words {
		if strings.Contains(after, s) {
			t.Errorf("erased person's %q still stored: %s", s, after)
		}
	}
	for _, s := range []string{"skills_training", "employer_letter", std} {
		if !strings.Contains(after, s) {
			t.Errorf("erasure lost %q, which counts: %s", s, after)
		}
	}
	// Through the services, the plan and application still open (their
	// versions moved on: an edit begun before the erasure is refused).
	p, err := w.DB.FindPlan(cw, plan.ID)
	if err != nil || p.Version != plan.Version+1 || p.Goals[0].Text != "" || p.Services[0].Note != "" {
		t.Errorf("plan after erasure: %+v %v", p, err)
	}
	apps, err := w.DB.RPLAssessments(cw, rec.Case.ID)
	if err != nil || len(apps) != 1 || apps[0].Version != app.Version+1 || apps[0].Evidence[0].Note != "" || apps[0].Evidence[0].Kind != "employer_letter" {
		t.Errorf("application after erasure: %+v %v", apps, err)
	}
	if kept := planDoc(otherPlan.ID) + appDoc(otherApp.ID); !strings.Contains(kept, "Poultry farm in Bogura") || !strings.Contains(kept, "Site foreman") {
		t.Errorf("another person's plan or application was cleared: %s", kept)
	}
}

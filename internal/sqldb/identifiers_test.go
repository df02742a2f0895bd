package sqldb_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/dedupe"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// rawText returns every value of every table as text, one line per row,
// read past the storage layer: what a copy of the database shows.
func rawText(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	raw := sqldb.RawDB(t, db)
	q := `SELECT name FROM sqlite_master WHERE type = 'table'`
	if db.Dialect() == "postgres" {
		q = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	rows, err := raw.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	if len(tables) < 20 {
		t.Fatalf("only %d tables: %v", len(tables), tables)
	}
	var b strings.Builder
	for _, table := range tables {
		rows, err := raw.Query(`SELECT * FROM ` + table)
		if err != nil {
			t.Fatalf("%s: %v", table, err)
		}
		for rows.Next() {
			vals := sqldb.ScanAny(t, rows)
			b.WriteString(table + ":")
			for _, v := range vals {
				if s, ok := v.([]byte); ok {
					v = string(s)
				}
				fmt.Fprintf(&b, " %v", v)
			}
			b.WriteString("\n")
		}
		rows.Close()
	}
	return b.String()
}

// identifiers are the phone and ID numbers duplicateWorld registers, as
// digits that any stored form of them (E.164, local, with dashes) holds.
var identifiers = []string{"1712345678", "1812345678", "1912345678", "1234567890", "5554443332"}

// clearIdentifiers returns the identifiers found in clear in the database.
func clearIdentifiers(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	all := rawText(t, db)
	var found []string
	for _, id := range identifiers {
		if i := strings.Index(all, id); i >= 0 {
			line := all[strings.LastIndex(all[:i], "\n")+1:]
			if j := strings.Index(line, "\n"); j >= 0 {
				line = line[:j]
			}
			found = append(found, id+" in "+line[:min(len(line), 200)])
		}
	}
	return found
}

// mergedWorld is duplicateWorld after the supervisor merged the pair (the
// merge keeps both people as they were).
func mergedWorld(t *testing.T) (*homewardtest.World, [3]*registry.Record, *dedupe.Merge) {
	t.Helper()
	w, svc, recs, p := duplicateWorld(t)
	sup := w.Ctx("ngo", homeward.RoleSupervisor)
	if _, err := svc.Decide(sup, p.ID, p.Version, dedupe.StatusSame, ""); err != nil {
		t.Fatal(err)
	}
	m, err := svc.Merge(sup, p.ID, p.Version+1, dedupe.MergePlan{Keep: recs[0].Person.ID})
	if err != nil {
		t.Fatal(err)
	}
	return w, recs, m
}

// Registration, the duplicate scan and a merge leave no phone or ID number
// readable in any table, and search still finds people by them.
func TestIdentifiersAreSealedAtRest(t *testing.T) {
	w, recs, m := mergedWorld(t)
	if found := clearIdentifiers(t, w.DB); len(found) > 0 {
		t.Errorf("identifiers in clear:\n%s", strings.Join(found, "\n"))
	}
	for q, want := range map[string]string{
		"01712-345678": recs[0].Person.ID, "+8801812345678": recs[0].Person.ID, "1234567890123": recs[0].Person.ID,
		"01912345678": recs[2].Person.ID, "5554443332": recs[2].Person.ID,
	} {
		if ids := searchIDs(t, w, q); len(ids) != 1 || ids[0] != want {
			t.Errorf("search %q: %v", q, ids)
		}
	}
	// Pages and the API read them in clear.
	sup := w.Ctx("ngo", homeward.RoleSupervisor)
	rec, err := w.DB.FindRecord(sup, recs[2].Person.ID)
	if err != nil || rec.Person.Phones[0] != "+8801912345678" || rec.Person.NationalID() != "5554443332" {
		t.Fatalf("record: %+v %v", rec, err)
	}
	got, err := w.DB.FindMerge(sup, m.ID)
	if err != nil || got.Absorbed.Person.NationalID() != "1234567890123" || got.Provenance["phones[+8801812345678]"] != dedupe.SideAbsorbed {
		t.Fatalf("merge: %+v %v", got, err)
	}
	// A master key that is not this database's opens nothing.
	other := homewardtest.NotesKeys(t)
	w.DB.NotesKeys = other
	if err := w.DB.LoadIdentifierKeys(sup); err == nil || !strings.Contains(err.Error(), "does not open them") {
		t.Errorf("another master key: %v", err)
	}
}

// downgrade stores every person and merge as an earlier version did: JSON
// in clear, phone and document search keys in clear.
func downgrade(t *testing.T, w *homewardtest.World, merges ...*dedupe.Merge) {
	t.Helper()
	sup := w.Ctx("ngo", homeward.RoleSupervisor)
	raw := sqldb.RawDB(t, w.DB)
	arg := func(q string) string {
		if w.DB.Dialect() != "postgres" {
			return q
		}
		for i := 1; strings.Contains(q, "?"); i++ {
			q = strings.Replace(q, "?", fmt.Sprintf("$%d", i), 1)
		}
		return q
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := raw.Exec(arg(q), args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	rows, err := raw.Query(`SELECT id, org_id FROM people`)
	if err != nil {
		t.Fatal(err)
	}
	type person struct{ id, org string }
	var people []person
	for rows.Next() {
		var p person
		if err := rows.Scan(&p.id, &p.org); err != nil {
			t.Fatal(err)
		}
		people = append(people, p)
	}
	rows.Close()
	for _, p := range people {
		rec, err := w.DB.FindRecord(sup, p.id)
		if err != nil {
			t.Fatal(err)
		}
		pj, _ := json.Marshal(rec.Person)
		exec(`UPDATE people SET person = ?, seal_key = '' WHERE id = ?`, string(pj), p.id)
		exec(`DELETE FROM person_keys WHERE person_id = ? AND kind IN ('bphone', 'bdoc') AND merge_id = ''`, p.id)
		if rec.MergedInto != "" {
			continue // its keys are lent to the kept person
		}
		for _, ph := range rec.Person.Phones {
			exec(`INSERT INTO person_keys (org_id, kind, value, person_id) VALUES (?, 'phone', ?, ?)`, p.org, ph, p.id)
		}
		for _, d := range rec.Person.Documents {
			exec(`INSERT INTO person_keys (org_id, kind, value, person_id) VALUES (?, 'doc', ?, ?)`, p.org, d.Number, p.id)
		}
	}
	for _, m := range merges {
		got, err := w.DB.FindMerge(sup, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		mj, _ := json.Marshal(got)
		exec(`UPDATE dedupe_merges SET merge = ?, seal_key = '' WHERE id = ?`, string(mj), m.ID)
	}
}

// A database written before identifiers were encrypted is converted in
// batches: records sealed, search keys blind, search and the duplicate
// scan as before.
func TestLegacyIdentifiersAreConverted(t *testing.T) {
	w, recs, m := mergedWorld(t)
	ctx := homewardtest.SystemCtx()
	// The lent keys of the merge stay blind: an earlier version lent clear
	// ones, which downgrade cannot restore; the people's own keys are
	// clear again.
	downgrade(t, w, m)
	if found := clearIdentifiers(t, w.DB); len(found) == 0 {
		t.Fatal("downgrade left nothing in clear: the test proves nothing")
	}
	records, keys, err := w.DB.EncryptLegacyIdentifiers(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	// 3 people and a merge; the kept person's two phones and two IDs (the
	// merged record holds both) and the third person's phone and ID.
	if records != 4 || keys != 6 {
		t.Errorf("converted %d records, %d keys", records, keys)
	}
	if found := clearIdentifiers(t, w.DB); len(found) > 0 {
		t.Errorf("identifiers in clear after conversion:\n%s", strings.Join(found, "\n"))
	}
	for q, want := range map[string]string{"01712345678": recs[0].Person.ID, "1234567890": recs[0].Person.ID, "01912-345678": recs[2].Person.ID, "5554443332": recs[2].Person.ID} {
		if ids := searchIDs(t, w, q); len(ids) != 1 || ids[0] != want {
			t.Errorf("search %q after conversion: %v", q, ids)
		}
	}
	if got, err := w.DB.FindMerge(w.Ctx("ngo", homeward.RoleSupervisor), m.ID); err != nil || got.KeptBefore.Person.NationalID() != "1234567890" {
		t.Errorf("merge after conversion: %+v %v", got, err)
	}
	status, clear, err := w.DB.IdentifierStatus(ctx)
	if err != nil || clear != 0 {
		t.Fatalf("status: %v, %d clear keys", err, clear)
	}
	for _, s := range status {
		if s.Purpose == "seal" && (s.ID == "" || !s.Current) && (s.People > 0 || s.Merges > 0) {
			t.Errorf("records left off the current key: %+v", s)
		}
	}
	if records, keys, err := w.DB.EncryptLegacyIdentifiers(ctx, 2); err != nil || records != 0 || keys != 0 {
		t.Errorf("second run: %d %d %v", records, keys, err)
	}
	// Every batch of the conversion is an audit event (counts and ids).
	if events, n := keyEvents(t, w, "keys.identifiers.converted", "records"); events != 3 || n != 4 { // batches of 2: people 2+1, merge 1
		t.Errorf("conversion audited as %d events of %d records, want 3 of 4", events, n)
	}
	if events, n := keyEvents(t, w, "keys.search_keys.indexed", "keys"); events != 3 || n != 6 {
		t.Errorf("indexing audited as %d events of %d keys, want 3 of 6", events, n)
	}
	if vr, err := w.DB.VerifyAudit(ctx); err != nil || !vr.OK() {
		t.Errorf("audit verify after conversion: %+v %v", vr, err)
	}
}

// keyEvents counts the audit events of action and sums their detail's
// field.
func keyEvents(t *testing.T, w *homewardtest.World, action, field string) (events, sum int) {
	t.Helper()
	rows, err := sqldb.RawDB(t, w.DB).Query(sqldb.Rebind(w.DB, `SELECT detail FROM audit_events WHERE action = ?`), action)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var js string
		var d map[string]any
		if err := rows.Scan(&js); err != nil || (js != "" && json.Unmarshal([]byte(js), &d) != nil) {
			t.Fatalf("%s: %v %s", action, err, js)
		}
		events++
		if v, ok := d[field].(float64); ok {
			sum += int(v)
		}
	}
	return events, sum
}

// A rotation interrupted after some batches loses nothing, and run again
// finishes: every record opens to what it was, under the new key, and
// search still finds people by phone and ID.
func TestKeyRotationResumes(t *testing.T) {
	w, recs, m := mergedWorld(t)
	sup := w.Ctx("ngo", homeward.RoleSupervisor)
	for i := range 20 {
		registerAs(t, w, fmt.Sprintf("Person%c", 'A'+i), "Mia", "1990", fmt.Sprintf("0171%07d", 7000000+i), fmt.Sprintf("77%08d", i), fmt.Sprintf("ROT-%d", i))
	}
	before := records(t, w)
	status, _, err := w.DB.IdentifierStatus(sup)
	if err != nil {
		t.Fatal(err)
	}
	old := currentKey(t, status)
	if n := countUnder(status, old); n != len(before)+1 {
		t.Fatalf("%d records under the first key, want %d: %+v", n, len(before)+1, status)
	}
	newID, err := w.DB.NewIdentifierKey(sup)
	if err != nil || newID == old || newID == "" {
		t.Fatalf("new key %q (old %q): %v", newID, old, err)
	}
	// A registration while the rotation runs is sealed under the new key.
	late := registerAs(t, w, "Late", "Comer", "1991", "01711-999888", "9988776655", "ROT-late")
	ctx, cancel := context.WithCancel(sup)
	batches := 0
	n, err := w.DB.ReencryptIdentifiers(ctx, 4, func(sqldb.ReencryptProgress) {
		if batches++; batches == 3 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) || n != 12 {
		t.Fatalf("interrupted rotation: %d records, %v", n, err)
	}
	if events, _ := keyEvents(t, w, "keys.identifier_key.created", ""); events != 1 {
		t.Errorf("new key audited %d times", events)
	}
	if events, n := keyEvents(t, w, "keys.identifiers.resealed", "records"); events != 3 || n != 12 {
		t.Errorf("interrupted rotation audited as %d events of %d records, want the 3 batches done", events, n)
	}
	status, _, _ = w.DB.IdentifierStatus(sup)
	if got := countUnder(status, newID); got != 13 { // 12 re-sealed and the late one
		t.Errorf("%d records under the new key half-way: %+v", got, status)
	}
	if got := countUnder(status, old); got != len(before)+1-12 {
		t.Errorf("%d records under the old key half-way: %+v", got, status)
	}
	// Half-way, every record opens.
	if after := records(t, w); len(after) != len(before)+1 {
		t.Fatalf("%d records half-way, want %d", len(after), len(before)+1)
	}
	n, err = w.DB.ReencryptIdentifiers(sup, 4, nil)
	if err != nil || n != len(before)+1-12 {
		t.Fatalf("resumed rotation: %d records, %v", n, err)
	}
	status, _, _ = w.DB.IdentifierStatus(sup)
	if got := countUnder(status, old); got != 0 || currentKey(t, status) != newID || countUnder(status, newID) != len(before)+2 {
		t.Errorf("after rotation: %+v", status)
	}
	after := records(t, w)
	delete(after, late.Person.ID)
	for id, js := range before {
		if after[id] != js {
			t.Errorf("person %s changed by rotation:\n%s\n%s", id, js, after[id])
		}
	}
	if got, err := w.DB.FindMerge(sup, m.ID); err != nil || got.Absorbed.Person.Phones[0] != "+8801812345678" {
		t.Errorf("merge after rotation: %+v %v", got, err)
	}
	for q, want := range map[string]string{"01711999888": late.Person.ID, "0171-7000007": "", "7700000013": "", "01912345678": recs[2].Person.ID} {
		ids := searchIDs(t, w, q)
		if len(ids) != 1 || (want != "" && ids[0] != want) {
			t.Errorf("search %q after rotation: %v", q, ids)
		}
	}
	if found := clearIdentifiers(t, w.DB); len(found) > 0 {
		t.Errorf("identifiers in clear after rotation:\n%s", strings.Join(found, "\n"))
	}
	// Nothing left to do.
	if n, err := w.DB.ReencryptIdentifiers(sup, 4, nil); err != nil || n != 0 {
		t.Errorf("third run: %d %v", n, err)
	}
	if _, n := keyEvents(t, w, "keys.identifiers.resealed", "records"); n != len(before)+1 {
		t.Errorf("rotation audited %d records, want %d", n, len(before)+1)
	}
	if vr, err := w.DB.VerifyAudit(homewardtest.SystemCtx()); err != nil || !vr.OK() {
		t.Errorf("audit verify after rotation: %+v %v", vr, err)
	}
}

// records returns every person's record as JSON, by id.
func records(t *testing.T, w *homewardtest.World) map[string]string {
	t.Helper()
	rows, err := sqldb.RawDB(t, w.DB).Query(`SELECT id FROM people`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := map[string]string{}
	for _, id := range ids {
		rec, err := w.DB.FindRecord(w.Ctx("ngo", homeward.RoleSupervisor), id)
		if err != nil {
			t.Fatalf("person %s: %v", id, err)
		}
		pj, _ := json.Marshal(rec.Person)
		out[id] = string(pj)
	}
	return out
}

func currentKey(t *testing.T, status []sqldb.IdentifierKeyStatus) string {
	t.Helper()
	for _, s := range status {
		if s.Purpose == "seal" && s.Current {
			return s.ID
		}
	}
	t.Fatalf("no current key: %+v", status)
	return ""
}

// countUnder counts the records (people, merges, referrals, arrivals)
// sealed under key id.
func countUnder(status []sqldb.IdentifierKeyStatus, id string) int {
	for _, s := range status {
		if s.ID == id && s.Purpose == "seal" {
			return s.People + s.Merges + s.Referrals + s.Arrivals
		}
	}
	return 0
}

// A referral keeps a copy of the fields shared with the receiver (phone and
// national ID for legal aid): it is sealed too, and the receiver reads it.
func TestReferralSharedIdentifiersAreSealed(t *testing.T) {
	w := newRefWorld(t)
	rec := w.returnee(t, "5554443332", w.Provider.ID)
	w.offer(t, "legal_aid_documentation", 5)
	r := w.send(t, rec, "legal_aid_documentation")
	got, err := w.DB.FindReferral(w.as("provider", homeward.RoleSupervisor), r.ID)
	if err != nil || got.Shared.Phone != "+8801712345678" || got.Shared.NationalID != "5554443332" {
		t.Fatalf("receiver's referral: %+v %v", got, err)
	}
	if found := clearIdentifiers(t, w.DB); len(found) > 0 {
		t.Errorf("identifiers in clear:\n%s", strings.Join(found, "\n"))
	}
	status, _, err := w.DB.IdentifierStatus(homewardtest.SystemCtx())
	if err != nil {
		t.Fatal(err)
	}
	if s := status[0]; s.Purpose != "seal" || !s.Current || s.People != 1 || s.Referrals != 1 {
		t.Errorf("status: %+v", status)
	}
}

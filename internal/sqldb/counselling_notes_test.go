package sqldb_test

import (
	"database/sql"
	"fmt"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/referral"
	"homeward/internal/sqldb"
)

// rawSQL runs tampering statements written with ? placeholders straight
// on the database, past the service.
type rawSQL struct {
	t   *testing.T
	db  *sql.DB
	dia string
}

func (r rawSQL) q(query string) string {
	if r.dia != "postgres" {
		return query
	}
	for i := 1; strings.Contains(query, "?"); i++ {
		query = strings.Replace(query, "?", fmt.Sprintf("$%d", i), 1)
	}
	return query
}

func (r rawSQL) exec(query string, args ...any) {
	r.t.Helper()
	if _, err := r.db.Exec(r.q(query), args...); err != nil {
		r.t.Fatalf("%s: %v", query, err)
	}
}

// notes returns the stored note column by row id.
func (r rawSQL) notes() map[string]string {
	r.t.Helper()
	rows, err := r.db.Query(`SELECT id, note FROM counselling_notes`)
	if err != nil {
		r.t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, note string
		if err := rows.Scan(&id, &note); err != nil {
			r.t.Fatal(err)
		}
		out[id] = note
	}
	return out
}

// counselling starts a counselling delivery for a new returnee and records
// one session for each note.
func (w *refWorld) counselling(t *testing.T, nid string, notes ...string) *referral.Delivery {
	t.Helper()
	rec := w.returnee(t, nid, w.Provider.ID)
	r := w.send(t, rec, "psychosocial_counselling")
	r = w.move(t, w.as("provider", homeward.RoleProviderStaff), r, referral.StateAccepted, "")
	counsellor := w.as("provider", homeward.RoleProviderStaff)
	d, err := w.DB.AddDelivery(counsellor, r.ID, referral.DeliveryInput{Counselling: &referral.Counselling{}})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range notes {
		if d, err = w.DB.AddSession(counsellor, d.ID, d.Version, referral.SessionInput{Date: homewardtest.Today(w.DB, 0), Type: referral.SessionIndividual, Minutes: 50, Notes: n}); err != nil {
			t.Fatal(err)
		}
	}
	return d
}

// Counselling notes are sealed in the database: the column never holds the
// text, the providing counsellor still reads it, and a sealed note moved to
// another row, or read with another key, is an error and never text.
func TestCounsellingNotesSealed(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	w.offer(t, "psychosocial_counselling", 0)
	secrets := []string{"Nightmares about the detention centre in Riyadh.", "Sleeps six hours; wife worried about the loan."}
	d := w.counselling(t, "5234567890", secrets...)
	other := w.counselling(t, "5234567891", "Group session, eight returnees.")
	raw := rawSQL{t, sqldb.RawDB(t, db), db.Dialect()}
	counsellor := w.as("provider", homeward.RoleProviderStaff)

	stored := raw.notes()
	if len(stored) != 3 {
		t.Fatalf("stored notes: %d", len(stored))
	}
	for id, note := range stored {
		for _, s := range append(secrets, "Group session", "Nightmares", "detention") {
			if strings.Contains(note, s) {
				t.Errorf("row %s holds the note in clear: %q", id, note)
			}
		}
		if !strings.HasPrefix(note, "hwenc:v1:"+db.NotesKeys.Primary()+":") {
			t.Errorf("row %s: stored form %q", id, note)
		}
	}
	read := func() ([]string, error) {
		t.Helper()
		notes, err := db.SessionNotes(counsellor, d.ID)
		var texts []string
		for _, n := range notes {
			texts = append(texts, n.Text)
		}
		return texts, err
	}
	if got, err := read(); err != nil || strings.Join(got, "|") != strings.Join(secrets, "|") {
		t.Fatalf("counsellor reads %q, %v", got, err)
	}
	if err := db.CheckNotesKeys(counsellor); err != nil {
		t.Errorf("check keys: %v", err)
	}

	var ids []string // the rows of d, in order
	for _, n := range must(db.SessionNotes(counsellor, d.ID)) {
		var id string
		if err := raw.db.QueryRow(raw.q(`SELECT id FROM counselling_notes WHERE session_id = ?`), n.SessionID).Scan(&id); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, id)
	}
	var otherID, otherSession string
	if err := raw.db.QueryRow(raw.q(`SELECT id, session_id FROM counselling_notes WHERE delivery_id = ?`), other.ID).Scan(&otherID, &otherSession); err != nil {
		t.Fatal(err)
	}
	// Each tampering is undone after its check.
	tamper := []struct {
		name       string
		do, undo   string
		doA, undoA []any
		delivery   string // whose notes to read
	}{
		{"note copied onto another row of the delivery", `UPDATE counselling_notes SET note = ? WHERE id = ?`, `UPDATE counselling_notes SET note = ? WHERE id = ?`,
			[]any{stored[ids[0]], ids[1]}, []any{stored[ids[1]], ids[1]}, d.ID},
		{"note copied onto another delivery", `UPDATE counselling_notes SET note = ? WHERE id = ?`, `UPDATE counselling_notes SET note = ? WHERE id = ?`,
			[]any{stored[ids[0]], otherID}, []any{stored[otherID], otherID}, other.ID},
		{"row moved to another delivery", `UPDATE counselling_notes SET delivery_id = ? WHERE id = ?`, `UPDATE counselling_notes SET delivery_id = ? WHERE id = ?`,
			[]any{other.ID, ids[0]}, []any{d.ID, ids[0]}, other.ID},
		{"row moved to another session", `UPDATE counselling_notes SET session_id = ? WHERE id = ?`, `UPDATE counselling_notes SET session_id = ? WHERE id = ?`,
			[]any{otherSession, ids[0]}, []any{must(db.SessionNotes(counsellor, d.ID))[0].SessionID, ids[0]}, d.ID},
		{"note changed", `UPDATE counselling_notes SET note = ? WHERE id = ?`, `UPDATE counselling_notes SET note = ? WHERE id = ?`,
			[]any{stored[ids[0]][:len(stored[ids[0]])-6] + "AAAA==", ids[0]}, []any{stored[ids[0]], ids[0]}, d.ID},
	}
	for _, tt := range tamper {
		raw.exec(tt.do, tt.doA...)
		notes, err := db.SessionNotes(counsellor, tt.delivery)
		if err == nil || len(notes) != 0 {
			t.Errorf("%s: read %+v, %v; want an error", tt.name, notes, err)
		}
		raw.exec(tt.undo, tt.undoA...)
		if got, err := read(); err != nil || len(got) != 2 {
			t.Fatalf("%s: not restored: %v", tt.name, err)
		}
	}

	// Another key gives an error, not text; the check names the key.
	key := db.NotesKeys
	db.NotesKeys = homewardtest.NotesKeys(t)
	if got, err := read(); err == nil || len(got) != 0 {
		t.Errorf("wrong key reads %q", got)
	}
	if err := db.CheckNotesKeys(counsellor); err == nil || !strings.Contains(err.Error(), key.Primary()) {
		t.Errorf("check with the wrong key: %v", err)
	}
	// Without a key, notes are refused rather than stored in clear. (The
	// delivery is read with the key: its referral is sealed too.)
	db.NotesKeys = key
	latest, err := db.FindDelivery(counsellor, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	db.NotesKeys = nil
	if _, err := db.AddSession(counsellor, d.ID, latest.Version, referral.SessionInput{Date: homewardtest.Today(w.DB, 0), Type: referral.SessionIndividual, Notes: "must not be stored"}); err == nil || (!strings.Contains(err.Error(), "no notes key") && !strings.Contains(err.Error(), "no at-rest key")) {
		t.Errorf("note stored without a key: %v", err)
	}
	if n := len(raw.notes()); n != 3 {
		t.Errorf("%d notes stored", n)
	}
	if _, err := read(); err == nil {
		t.Error("sealed notes read without a key")
	}
	db.NotesKeys = key
	if got, err := read(); err != nil || len(got) != 2 {
		t.Errorf("with the key again: %q %v", got, err)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// Notes stored in clear before sealing are read as they are, then sealed
// in place by EncryptLegacyNotes, in batches, audited, once.
func TestEncryptLegacyNotes(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	w.offer(t, "psychosocial_counselling", 0)
	legacy := []string{"First session: cannot sleep.", "Second: debts to the recruiter.", "Third: better."}
	d := w.counselling(t, "5234567890", legacy...)
	raw := rawSQL{t, sqldb.RawDB(t, db), db.Dialect()}
	counsellor := w.as("provider", homeward.RoleProviderStaff)
	// What the code before sealing stored: the text itself.
	for _, n := range must(db.SessionNotes(counsellor, d.ID)) {
		raw.exec(`UPDATE counselling_notes SET note = ? WHERE session_id = ?`, n.Text, n.SessionID)
	}
	stored := raw.notes()
	for _, note := range stored {
		if strings.HasPrefix(note, "hwenc:") {
			t.Fatalf("legacy fixture sealed: %q", note)
		}
	}
	texts := func() string {
		t.Helper()
		notes, err := db.SessionNotes(counsellor, d.ID)
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		var out []string
		for _, n := range notes {
			out = append(out, n.Text)
		}
		return strings.Join(out, "|")
	}
	if got := texts(); got != strings.Join(legacy, "|") {
		t.Fatalf("legacy notes read %q", got)
	}
	encrypted := func() (events, notes int) {
		t.Helper()
		org := w.Provider.ID
		evs, _, err := db.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{OrgID: &org, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			if e.Action == "counselling.notes.encrypted" {
				events++
				var n int
				fmt.Sscanf(e.Detail[strings.Index(e.Detail, `"notes":`)+8:], "%d", &n)
				notes += n
			}
		}
		return events, notes
	}

	n, err := db.EncryptLegacyNotes(homewardtest.SystemCtx(), 2)
	if err != nil || n != 3 {
		t.Fatalf("encrypt: %d %v", n, err)
	}
	for id, note := range raw.notes() {
		if !strings.HasPrefix(note, "hwenc:v1:") || strings.Contains(note, stored[id]) {
			t.Errorf("row %s after the upgrade: %q", id, note)
		}
	}
	if got := texts(); got != strings.Join(legacy, "|") {
		t.Errorf("after the upgrade %q", got)
	}
	// One event per batch (of 2) and organisation, counting every note.
	if ev, notes := encrypted(); ev != 2 || notes != 3 {
		t.Errorf("audit: %d events for %d notes", ev, notes)
	}
	// Idempotent: nothing to do, nothing audited, nothing changed.
	after := raw.notes()
	if n, err := db.EncryptLegacyNotes(homewardtest.SystemCtx(), 2); err != nil || n != 0 {
		t.Errorf("second run: %d %v", n, err)
	}
	if ev, _ := encrypted(); ev != 2 {
		t.Errorf("second run audited: %d events", ev)
	}
	for id, note := range raw.notes() {
		if after[id] != note {
			t.Errorf("second run changed row %s", id)
		}
	}
	if rep, err := db.VerifyAudit(homewardtest.SystemCtx()); err != nil || !rep.OK() {
		t.Errorf("audit chain: %+v %v", rep, err)
	}
	// Without a key the upgrade refuses rather than leave notes in clear
	// unnoticed.
	raw.exec(`UPDATE counselling_notes SET note = ? WHERE delivery_id = ?`, "written by an old server", d.ID)
	db.NotesKeys = nil
	if _, err := db.EncryptLegacyNotes(homewardtest.SystemCtx(), 0); err == nil {
		t.Error("upgrade without a key")
	}
}

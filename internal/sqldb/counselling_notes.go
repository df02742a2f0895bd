package sqldb

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"homeward"
	"homeward/internal/seal"
)

// errNoNotesKey refuses to store a counselling note in clear.
var errNoNotesKey = errors.New("counselling notes cannot be stored: no notes key is configured (HOMEWARD_NOTES_KEY, --notes-key-file or <data-dir>/notes.key)")

// noteAD is the associated data that binds a sealed note to its row: a
// note copied onto another row, delivery, session or organisation no
// longer opens.
func noteAD(id, org, delivery, session string) []byte {
	return []byte(strings.Join([]string{"homeward counselling_notes v1", id, org, delivery, session}, "\x00"))
}

// sealNote encrypts a counselling note for the counselling_notes row id.
func (db *DB) sealNote(text, id, org, delivery, session string) (string, error) {
	if db.NotesKeys.Primary() == "" {
		return "", errNoNotesKey
	}
	return db.NotesKeys.Seal(text, noteAD(id, org, delivery, session))
}

// openNote decrypts a stored counselling note of the row id. Notes stored
// before sealing (no prefix) are returned as they are, until
// EncryptLegacyNotes seals them.
func (db *DB) openNote(stored, id, org, delivery, session string) (string, error) {
	if !seal.IsSealed(stored) {
		return stored, nil
	}
	text, err := db.NotesKeys.Open(stored, noteAD(id, org, delivery, session))
	if err != nil {
		return "", fmt.Errorf("counselling note %s: %w", id, err)
	}
	return text, nil
}

// The server runs the two look-ups below at every start, so each must be a
// probe whatever the number of notes: they read the partial indexes of
// migration 0038, whose conditions they repeat word for word (a planner
// uses a partial index only for a condition it can match to the index's;
// TestNoteConditionsMatchSeal checks the literals against seal.Prefix and
// seal.HeaderLen).
const (
	clearNoteCond  = `substr(note, 1, 6) <> 'hwenc:'`
	sealedNoteCond = `substr(note, 1, 6) = 'hwenc:'`
	noteHead       = `substr(note, 1, 22)`
)

// clearNotesQuery reads a batch of the notes still stored in clear.
const clearNotesQuery = `SELECT id, org_id, delivery_id, session_id, note FROM counselling_notes WHERE ` + clearNoteCond + ` ORDER BY id LIMIT ?`

// noteKeysQuery lists the distinct headers ("hwenc:v1:<key id>:") of the
// sealed notes by skipping through the index on the header: one probe per
// key, never a read of every note.
const noteKeysQuery = `WITH RECURSIVE heads(head) AS (
	SELECT (SELECT min(` + noteHead + `) FROM counselling_notes WHERE ` + sealedNoteCond + `)
	UNION ALL
	SELECT (SELECT min(` + noteHead + `) FROM counselling_notes WHERE ` + sealedNoteCond + ` AND ` + noteHead + ` > heads.head)
	FROM heads WHERE heads.head IS NOT NULL
) SELECT head FROM heads WHERE head IS NOT NULL`

// CheckNotesKeys returns an error naming the keys that sealed stored
// counselling notes but are not configured: a server started without them
// could not show those notes (a restored database without its key file, or
// a key file that was replaced).
func (db *DB) CheckNotesKeys(ctx context.Context) error {
	rows, err := db.query(ctx, noteKeysQuery)
	if err != nil {
		return err
	}
	defer rows.Close()
	var missing []string
	for rows.Next() {
		var head string
		if err := rows.Scan(&head); err != nil {
			return err
		}
		if id := seal.KeyID(head); !db.NotesKeys.Has(id) {
			missing = append(missing, fmt.Sprintf("%q", strings.TrimSuffix(head, ":")))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(missing) > 0 {
		have := db.NotesKeys.Primary()
		if have == "" {
			have = "none"
		}
		return fmt.Errorf("counselling notes in the database are sealed under %s, but the configured notes key is %s: restore the key file that belongs to this database", strings.Join(missing, ", "), have)
	}
	return nil
}

// EncryptLegacyNotes seals the counselling notes stored in clear before
// notes were encrypted, batch rows per transaction, and returns how many it
// sealed. Each batch appends one audit event per organisation whose notes
// it sealed, in the same transaction. Running it again finds nothing to do;
// several processes may run it at once (a row changes only if it still
// holds the clear text read).
func (db *DB) EncryptLegacyNotes(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = 500
	}
	ctx = homeward.NewContextWithActor(ctx, homeward.SystemActor)
	type legacy struct{ id, org, delivery, session, note string }
	total := 0
	for {
		var found, sealed int
		err := db.Transact(ctx, func(tx *Tx) error {
			rows, err := tx.Query(clearNotesQuery, batch)
			if err != nil {
				return err
			}
			var todo []legacy
			for rows.Next() {
				var l legacy
				if err := rows.Scan(&l.id, &l.org, &l.delivery, &l.session, &l.note); err != nil {
					rows.Close()
					return err
				}
				todo = append(todo, l)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			found = len(todo)
			perOrg := map[string]int{}
			var orgs []string
			for _, l := range todo {
				s, err := db.sealNote(l.note, l.id, l.org, l.delivery, l.session)
				if err != nil {
					return err
				}
				res, err := tx.Exec(`UPDATE counselling_notes SET note = ? WHERE id = ? AND note = ?`, s, l.id, l.note)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 1 {
					if perOrg[l.org] == 0 {
						orgs = append(orgs, l.org)
					}
					perOrg[l.org]++
				}
			}
			for _, org := range orgs {
				if err := tx.Audit("counselling.notes.encrypted", "counselling_notes", "", org, map[string]any{"notes": perOrg[org], "key": db.NotesKeys.Primary()}); err != nil {
					return err
				}
				sealed += perOrg[org]
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("encrypt counselling notes: %w", err)
		}
		total += sealed
		if found < batch {
			return total, nil
		}
	}
}

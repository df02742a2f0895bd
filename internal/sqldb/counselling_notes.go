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

// CheckNotesKeys returns an error naming the keys that sealed stored
// counselling notes but are not configured: a server started without them
// could not show those notes (a restored database without its key file, or
// a key file that was replaced).
func (db *DB) CheckNotesKeys(ctx context.Context) error {
	rows, err := db.query(ctx, `SELECT DISTINCT substr(note, 1, ?) FROM counselling_notes WHERE substr(note, 1, ?) = ?`, seal.HeaderLen, len(seal.Prefix), seal.Prefix)
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
			rows, err := tx.Query(`SELECT id, org_id, delivery_id, session_id, note FROM counselling_notes WHERE substr(note, 1, ?) <> ? ORDER BY id LIMIT ?`,
				len(seal.Prefix), seal.Prefix, batch)
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

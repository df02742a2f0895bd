package sqldb

import (
	"context"

	"homeward/internal/match"
)

// SetOldNameKeys replaces a person's own name, sound and pair keys with
// those of the name words given, as the rules before migration 35 stored
// them, and refreshes the person's person_words row.
func SetOldNameKeys(db *DB, personID string, words []string) error {
	ctx := context.Background()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var org string
	if err := tx.QueryRowContext(ctx, db.dialect.rebind(`SELECT org_id FROM people WHERE id = ?`), personID).Scan(&org); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, db.dialect.rebind(`DELETE FROM person_keys WHERE person_id = ? AND kind IN ('name', 'phon', 'pair')`), personID); err != nil {
		return err
	}
	var keys [][2]string
	for _, w := range words {
		keys = append(keys, [2]string{"name", w})
		if ph := match.Phonetic(w); ph != w && len(ph) >= 2 {
			keys = append(keys, [2]string{"phon", ph})
		}
	}
	for _, v := range soundPairs(words) {
		keys = append(keys, [2]string{"pair", v})
	}
	for _, k := range keys {
		if _, err := tx.ExecContext(ctx, db.dialect.rebind(`INSERT INTO person_keys (org_id, kind, value, person_id) VALUES (?, ?, ?, ?)`), org, k[0], k[1], personID); err != nil {
			return err
		}
	}
	w, s := searchWords(keys)
	if _, err := tx.ExecContext(ctx, db.dialect.rebind(`UPDATE person_words SET words = ?, sounds = ? WHERE person_id = ?`), w, s, personID); err != nil {
		return err
	}
	return tx.Commit()
}

// RebuildNameKeys runs migration 35's Go step again.
func RebuildNameKeys(db *DB) error {
	ctx := context.Background()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := rebuildNameKeys(ctx, tx, db.dialect); err != nil {
		return err
	}
	return tx.Commit()
}

// NameKeysOf lists a person's name keys, sorted.
func NameKeysOf(db *DB, personID string) ([]string, error) {
	rows, err := db.read.QueryContext(context.Background(), db.dialect.rebind(`SELECT value FROM person_keys WHERE person_id = ? AND kind = 'name' ORDER BY value`), personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

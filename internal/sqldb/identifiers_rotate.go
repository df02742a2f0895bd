package sqldb

import (
	"context"
	"fmt"
	"time"
)

// sealedTables are the tables whose column holds a record sealed under a
// data key named by the row's seal_key, with what binds it to its row.
var sealedTables = []struct {
	table, column string
	ad            func(id string) []byte
}{
	{"people", "person", personAD},
	{"dedupe_merges", "merge", mergeAD},
	{"referrals", "referral", referralAD},
	{"handoff_arrivals", "announcement", arrivalAD},
}

// ReencryptProgress reports a batch of re-sealed (or first sealed) records.
type ReencryptProgress struct {
	Table string // "people", "dedupe_merges", "referrals" or "handoff_arrivals"
	Done  int    // records of the table re-sealed so far in this run
}

// ReencryptIdentifiers seals every record not sealed under the current data
// key with it, batch records to a transaction: records still in clear
// (written before identifiers were encrypted) and records of an older key
// (after NewIdentifierKey). Each batch commits on its own, so a run stopped
// half-way (ctx cancelled, the process killed) loses nothing and a later
// run goes on where it stopped. A record changed meanwhile by a user is
// left to the next pass (its new text is sealed under the current key
// anyway). progress, when not nil, is called after each batch. It returns
// how many records it sealed.
func (db *DB) ReencryptIdentifiers(ctx context.Context, batch int, progress func(ReencryptProgress)) (int, error) {
	k, err := db.reloadIdentKeys(ctx)
	if err != nil {
		return 0, err
	}
	return db.reseal(ctx, k, batch, false, progress)
}

// reseal seals under k's current key the records stored in clear and, unless
// clearOnly is set, those sealed under another key.
func (db *DB) reseal(ctx context.Context, k *identKeys, batch int, clearOnly bool, progress func(ReencryptProgress)) (int, error) {
	if batch <= 0 {
		batch = 500
	}
	cond, arg, action := `seal_key <> ?`, k.current, "keys.identifiers.resealed"
	if clearOnly {
		cond, arg, action = `seal_key = ?`, "", "keys.identifiers.converted"
	}
	total := 0
	for _, t := range sealedTables {
		done, after := 0, ""
		for {
			if err := ctx.Err(); err != nil {
				return total, err
			}
			type rec struct{ id, stored string }
			var recs []rec
			rows, err := db.query(ctx, `SELECT id, `+t.column+` FROM `+t.table+` WHERE id > ? AND `+cond+` ORDER BY id LIMIT ?`, after, arg, batch)
			if err != nil {
				return total, err
			}
			for rows.Next() {
				var r rec
				if err := rows.Scan(&r.id, &r.stored); err != nil {
					rows.Close()
					return total, err
				}
				recs = append(recs, r)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return total, err
			}
			if len(recs) == 0 {
				break
			}
			after = recs[len(recs)-1].id
			// Open and seal before the write transaction: the writer only
			// swaps texts.
			type swap struct{ id, old, sealed string }
			swaps := make([]swap, 0, len(recs))
			for _, r := range recs {
				plain, err := db.openStored(ctx, k, r.stored, t.ad(r.id))
				if err != nil {
					return total, fmt.Errorf("%s %s: %w", t.table, r.id, err)
				}
				s, err := k.ring.Seal(plain, t.ad(r.id))
				if err != nil {
					return total, err
				}
				swaps = append(swaps, swap{r.id, r.stored, s})
			}
			n := 0
			err = db.Transact(ctx, func(tx *Tx) error {
				n = 0
				for _, s := range swaps {
					// Only the text read: a record a user changed since is
					// already sealed under a current key.
					res, err := tx.Exec(`UPDATE `+t.table+` SET `+t.column+` = ?, seal_key = ? WHERE id = ? AND `+t.column+` = ?`, s.sealed, k.current, s.id, s.old)
					if err != nil {
						return err
					}
					c, _ := res.RowsAffected()
					n += int(c)
				}
				// Each batch is audited with its commit (in the instance's
				// chain; counts and key ids only): an interrupted run leaves
				// exactly the batches it did.
				return tx.Audit(action, "data_key", k.current, "", map[string]any{"table": t.table, "records": n, "first": recs[0].id, "last": after})
			})
			if err != nil {
				return total, err
			}
			done += n
			total += n
			if progress != nil {
				progress(ReencryptProgress{Table: t.table, Done: done})
			}
		}
	}
	return total, nil
}

// legacyKeysQuery finds clear phone and document search keys organisation
// by organisation, so that each look-up is a range of the (org_id, kind, …)
// index: the server runs it at every start, and a scan of every key of a
// million people kept it from listening for minutes.
const legacyKeysQuery = `SELECT k.kind, k.value, k.person_id FROM organisations o CROSS JOIN person_keys k
	WHERE k.org_id = o.id AND k.kind IN ('phone', 'doc') LIMIT ?`

// IndexLegacyIdentifiers replaces the clear phone and document search keys
// written before identifiers were encrypted by their blind indexes, batch
// keys to a transaction; a run stopped half-way goes on where it stopped.
// It returns how many keys it replaced.
func (db *DB) IndexLegacyIdentifiers(ctx context.Context, batch int) (int, error) {
	if batch <= 0 {
		batch = 500
	}
	k, err := db.identKeys(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		type key struct{ kind, value, person string }
		var keys []key
		rows, err := db.query(ctx, legacyKeysQuery, batch)
		if err != nil {
			return total, err
		}
		for rows.Next() {
			var r key
			if err := rows.Scan(&r.kind, &r.value, &r.person); err != nil {
				rows.Close()
				return total, err
			}
			keys = append(keys, r)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return total, err
		}
		if len(keys) == 0 {
			n, err := db.indexLegacyArrivals(ctx, k, batch)
			return total + n, err
		}
		err = db.Transact(ctx, func(tx *Tx) error {
			for _, r := range keys {
				kind := kindBlindPhone
				if r.kind == "doc" {
					kind = kindBlindDoc
				}
				if _, err := tx.Exec(`UPDATE person_keys SET kind = ?, value = ? WHERE person_id = ? AND kind = ? AND value = ?`,
					kind, k.blind(kind, r.value), r.person, r.kind, r.value); err != nil {
					return err
				}
			}
			return tx.Audit("keys.search_keys.indexed", "person_keys", "", "", map[string]any{"keys": len(keys)})
		})
		if err != nil {
			return total, err
		}
		total += len(keys)
	}
}

// clearRecordsQuery counts a sealed table's records stored in clear: a
// probe of the table's seal_key index, run at every start.
func clearRecordsQuery(table string) string {
	return `SELECT COUNT(*) FROM ` + table + ` WHERE seal_key = ''`
}

// EncryptLegacyIdentifiers converts a database written before identifiers
// were encrypted: it seals the records stored in clear and replaces clear
// phone and document search keys by blind indexes, in batches (see
// ReencryptIdentifiers). The server runs it at start; running it again
// finds nothing to do.
func (db *DB) EncryptLegacyIdentifiers(ctx context.Context, batch int) (records, keys int, err error) {
	k, err := db.identKeys(ctx)
	if err != nil {
		return 0, 0, err
	}
	// Only clear records: those of an older key are for a rotation.
	var clear int
	for _, t := range sealedTables {
		var n int
		if err := db.queryRow(ctx, clearRecordsQuery(t.table)).Scan(&n); err != nil {
			return 0, 0, err
		}
		clear += n
	}
	if clear > 0 {
		if records, err = db.reseal(ctx, k, batch, true, nil); err != nil {
			return records, 0, err
		}
	}
	keys, err = db.IndexLegacyIdentifiers(ctx, batch)
	return records, keys, err
}

// NewIdentifierKey makes a new random data key the current one: records
// are sealed under it from now on (by other processes within
// IdentKeyRefresh), and ReencryptIdentifiers moves the older records to it.
// The old key stays in data_keys so that what it sealed still opens. It
// returns the new key's id.
func (db *DB) NewIdentifierKey(ctx context.Context) (string, error) {
	if db.NotesKeys.Primary() == "" {
		return "", errNoIdentKeys
	}
	if _, err := db.identKeys(ctx); err != nil {
		return "", err
	}
	if err := db.makeDataKey(ctx, purposeSeal, true); err != nil {
		return "", err
	}
	k, err := db.reloadIdentKeys(ctx)
	if err != nil {
		return "", err
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		return tx.Audit("keys.identifier_key.created", "data_key", k.current, "", nil)
	})
	return k.current, err
}

// IdentifierKeyStatus is one data key and how many records it seals.
type IdentifierKeyStatus struct {
	ID        string // "" for records still stored in clear
	Purpose   string // "seal" or "index"
	Current   bool
	CreatedAt time.Time
	People    int // people records sealed under it
	Merges    int // duplicate merges sealed under it
	Referrals int // referrals (with the fields shared) sealed under it
	Arrivals  int // received handoff announcements sealed under it
}

// IdentifierStatus lists the data keys (current seal key first, then the
// others, newest first, then the index key) with the records each seals, a
// row with ID "" for records stored in clear, and the number of clear
// phone and document search keys left (0 once converted).
func (db *DB) IdentifierStatus(ctx context.Context) ([]IdentifierKeyStatus, int, error) {
	var out []IdentifierKeyStatus
	rows, err := db.query(ctx, `SELECT id, purpose, current, created_at FROM data_keys ORDER BY purpose DESC, current DESC, created_at DESC, id`)
	if err != nil {
		return nil, 0, err
	}
	at := map[string]int{}
	for rows.Next() {
		var s IdentifierKeyStatus
		var cur int
		if err := rows.Scan(&s.ID, &s.Purpose, &cur, dbTime{&s.CreatedAt}); err != nil {
			rows.Close()
			return nil, 0, err
		}
		s.Current = cur == 1
		if s.Purpose == purposeSeal {
			at[s.ID] = len(out)
		}
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	for _, t := range sealedTables {
		rows, err := db.query(ctx, `SELECT seal_key, COUNT(*) FROM `+t.table+` GROUP BY seal_key`)
		if err != nil {
			return nil, 0, err
		}
		for rows.Next() {
			var id string
			var n int
			if err := rows.Scan(&id, &n); err != nil {
				rows.Close()
				return nil, 0, err
			}
			i, ok := at[id]
			if !ok {
				at[id] = len(out)
				i = len(out)
				out = append(out, IdentifierKeyStatus{ID: id, Purpose: purposeSeal})
			}
			switch t.table {
			case "people":
				out[i].People += n
			case "dedupe_merges":
				out[i].Merges += n
			case "referrals":
				out[i].Referrals += n
			case "handoff_arrivals":
				out[i].Arrivals += n
			default:
				return nil, 0, fmt.Errorf("identifier status: no count for sealed table %s", t.table)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, 0, err
		}
	}
	var clearKeys int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM person_keys WHERE kind IN ('phone', 'doc')`).Scan(&clearKeys); err != nil {
		return nil, 0, err
	}
	return out, clearKeys, nil
}

// clearArrivalsQuery reads a batch of the received announcements whose
// passport is still in clear; it reads the partial index
// handoff_arrivals_clear (migration 0038), which holds only those, so that
// the look-up at every start is a probe.
const clearArrivalsQuery = `SELECT id, passport FROM handoff_arrivals WHERE passport <> '' ORDER BY id LIMIT ?`

// indexLegacyArrivals replaces the clear passport numbers of announcements
// received before they were sealed by their blind index, batch rows to a
// transaction. It returns how many it replaced.
func (db *DB) indexLegacyArrivals(ctx context.Context, k *identKeys, batch int) (int, error) {
	total := 0
	for {
		if err := ctx.Err(); err != nil {
			return total, err
		}
		ids, passports, err := db.idPairs(ctx, clearArrivalsQuery, batch)
		if err != nil || len(ids) == 0 {
			return total, err
		}
		err = db.Transact(ctx, func(tx *Tx) error {
			for i, id := range ids {
				if _, err := tx.Exec(`UPDATE handoff_arrivals SET passport = '', passport_index = ? WHERE id = ? AND passport = ?`, k.passportIndex(passports[i]), id, passports[i]); err != nil {
					return err
				}
			}
			return tx.Audit("keys.search_keys.indexed", "handoff_arrivals", "", "", map[string]any{"keys": len(ids)})
		})
		if err != nil {
			return total, err
		}
		total += len(ids)
	}
}

// idPairs reads the (id, text) rows a query returns.
func (db *DB) idPairs(ctx context.Context, q string, args ...any) (ids, texts []string, err error) {
	rows, err := db.query(ctx, q, args...)
	return scanPairs(rows, err)
}

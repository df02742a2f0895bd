package sqldb_test

import (
	"context"
	"slices"
	"testing"

	"homeward"
	"homeward/internal/dedupe"
	"homeward/internal/sqldb"
)

// storedKeys lists every search key as "holder kind value merge" ("-" for
// a person's own key).
func storedKeys(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	return sqldb.QueryStrings(t, db, `SELECT person_id || ' ' || kind || ' ' || value || ' ' || COALESCE(NULLIF(merge_id, ''), '-') FROM person_keys ORDER BY 1`)
}

// oldPersonKeys puts person_keys back as it was before migration 37 (a
// rowid table on SQLite; NULL, not ”, for a person's own key on both),
// with what it holds, and forgets the migration.
var oldPersonKeys = map[bool][]string{
	false: {
		`DROP TRIGGER person_keys_keep_lent`,
		`CREATE TABLE person_keys_old (org_id TEXT NOT NULL, kind TEXT NOT NULL, value TEXT NOT NULL,
			person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE, merge_id TEXT)`,
		`INSERT INTO person_keys_old SELECT org_id, kind, value, person_id, NULLIF(merge_id, '') FROM person_keys`,
		// A key written twice (nothing forbade it): the migration keeps one.
		`INSERT INTO person_keys_old SELECT org_id, kind, value, person_id, NULLIF(merge_id, '') FROM person_keys WHERE kind = 'name' AND merge_id = '' LIMIT 1`,
		`DROP TABLE person_keys`,
		`ALTER TABLE person_keys_old RENAME TO person_keys`,
		`CREATE INDEX person_keys_lookup ON person_keys(org_id, kind, value, person_id)`,
		`CREATE INDEX person_keys_person ON person_keys(person_id, kind, value)`,
		`CREATE INDEX person_keys_merge ON person_keys(merge_id) WHERE merge_id IS NOT NULL`,
		`CREATE TRIGGER person_keys_keep_lent BEFORE DELETE ON person_keys WHEN OLD.merge_id IS NOT NULL BEGIN SELECT RAISE(IGNORE); END`,
		`DELETE FROM schema_migrations WHERE version = 37`,
	},
	true: {
		`DROP TRIGGER person_keys_keep_lent ON person_keys`,
		`ALTER TABLE person_keys ALTER COLUMN merge_id DROP NOT NULL, ALTER COLUMN merge_id DROP DEFAULT`,
		`UPDATE person_keys SET merge_id = NULL WHERE merge_id = ''`,
		`DROP INDEX person_keys_merge`,
		`CREATE INDEX person_keys_merge ON person_keys(merge_id) WHERE merge_id IS NOT NULL`,
		`CREATE OR REPLACE FUNCTION person_keys_keep_lent() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF OLD.merge_id IS NOT NULL THEN
				RETURN NULL;
			END IF;
			RETURN OLD;
		END $$`,
		`CREATE TRIGGER person_keys_keep_lent BEFORE DELETE ON person_keys FOR EACH ROW EXECUTE FUNCTION person_keys_keep_lent()`,
		`DELETE FROM schema_migrations WHERE version = 37`,
	},
}

// TestPersonKeysMigration checks migration 37 on a database holding keys,
// some lent by a merge: every key is kept with its holder and merge (a key
// stored twice once), none is NULL any more, and what uses the keys works
// after it: search by a lent phone, unmerge (the lent keys go back), a
// second merge, and the erasure of a person holding lent copies of its own
// keys (the same name words), which leaves none of its keys behind.
func TestPersonKeysMigration(t *testing.T) {
	w, recs, m := mergedWorld(t)
	svc, sup := dedupe.New(w.DB, dedupe.Options{}), w.Ctx("ngo", homeward.RoleSupervisor)
	kept, absorbed := recs[0], recs[1]
	want := storedKeys(t, w.DB)
	lent := 0
	for _, k := range want {
		if k[len(k)-1] != '-' {
			lent++
		}
	}
	if lent == 0 {
		t.Fatal("no lent key after the merge")
	}

	raw := sqldb.RawDB(t, w.DB)
	for _, q := range oldPersonKeys[sqldb.IsPostgres(w.DB)] {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	var nulls int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM person_keys WHERE merge_id IS NULL`).Scan(&nulls); err != nil || nulls == 0 {
		t.Fatalf("old table: %d own keys (NULL merge), %v", nulls, err)
	}
	if err := w.DB.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := storedKeys(t, w.DB); !slices.Equal(got, want) {
		t.Errorf("keys after the migration:\n got %v\nwant %v", got, want)
	}
	if err := raw.QueryRow(`SELECT COUNT(*) FROM person_keys WHERE merge_id IS NULL`).Scan(&nulls); err != nil || nulls != 0 {
		t.Errorf("own keys still NULL: %d %v", nulls, err)
	}

	if ids := searchIDs(t, w, "01812345678"); len(ids) != 1 || ids[0] != kept.Person.ID {
		t.Errorf("the absorbed phone after the migration: %v", ids)
	}
	if _, err := svc.Unmerge(sup, m.ID); err != nil {
		t.Fatal(err)
	}
	if ids := searchIDs(t, w, "01812345678"); len(ids) != 1 || ids[0] != absorbed.Person.ID {
		t.Errorf("the absorbed phone after unmerge: %v", ids)
	}
	// Merged again: the kept person holds its own "islam" and a lent one.
	pairs, _, err := svc.Pairs(sup, dedupe.PairFilter{})
	if err != nil || len(pairs) != 1 {
		t.Fatalf("queue after unmerge: %v %v", pairs, err)
	}
	if _, err := svc.Decide(sup, pairs[0].ID, pairs[0].Version, dedupe.StatusSame, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Merge(sup, pairs[0].ID, pairs[0].Version+1, dedupe.MergePlan{Keep: kept.Person.ID}); err != nil {
		t.Fatal(err)
	}
	req, err := w.DB.RequestErasure(sup, kept.Person.ID, "The returnee asked in writing on the 3rd.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.DecideErasure(secondSupervisor(t, w), req.ID, true); err != nil {
		t.Fatalf("erasure of a person holding lent keys: %v", err)
	}
	var left int
	if err := raw.QueryRow(sqldb.Rebind(w.DB, `SELECT COUNT(*) FROM person_keys WHERE person_id = ?`), kept.Person.ID).Scan(&left); err != nil || left != 0 {
		t.Errorf("keys left after erasure: %d %v", left, err)
	}
}

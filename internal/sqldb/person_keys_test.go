package sqldb_test

import (
	"context"
	"slices"
	"testing"

	"homeward"
	"homeward/internal/dedupe"
	"homeward/internal/registry"
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
	mergeOnlyPair(t, svc, sup, kept.Person.ID)
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

// keysWithoutPerson lists the search keys whose holder is no person.
func keysWithoutPerson(t *testing.T, db *sqldb.DB) []string {
	t.Helper()
	return sqldb.QueryStrings(t, db, `SELECT k.person_id || ' ' || k.kind FROM person_keys k
		WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = k.person_id) ORDER BY 1`)
}

// foreignKeysOfPersonKeys counts person_keys' foreign keys.
func foreignKeysOfPersonKeys(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	q := `SELECT COUNT(*) FROM pragma_foreign_key_list('person_keys')`
	if sqldb.IsPostgres(db) {
		q = `SELECT COUNT(*) FROM pg_constraint WHERE conrelid = 'person_keys'::regclass AND contype = 'f'`
	}
	var n int
	if err := sqldb.RawDB(t, db).QueryRow(q).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestPersonKeysHavePeople: since migration 47 no foreign key checks on
// PostgreSQL that a search key's holder is a person (it cost a trigger a
// key written), so this checks it through what writes keys: registration,
// a merge and its undoing, a second merge, an import that adds people and
// updates a known one, and an erasure. The migration keeps every key, lent
// ones with their merge; SQLite keeps its foreign key.
func TestPersonKeysHavePeople(t *testing.T) {
	w, recs, m := mergedWorld(t)
	db, raw := w.DB, sqldb.RawDB(t, w.DB)
	svc, sup := dedupe.New(db, dedupe.Options{}), w.Ctx("ngo", homeward.RoleSupervisor)
	kept := recs[0]
	wantFK := 1
	if sqldb.IsPostgres(db) {
		wantFK = 0
	}
	if n := foreignKeysOfPersonKeys(t, db); n != wantFK {
		t.Errorf("person_keys has %d foreign keys after the migrations, want %d", n, wantFK)
	}
	check := func(when string) {
		t.Helper()
		if orphans := keysWithoutPerson(t, db); len(orphans) > 0 {
			t.Errorf("%s: keys of no person: %v", when, orphans)
		}
	}

	if sqldb.IsPostgres(db) {
		// The migration, on a database holding keys (lent ones among them).
		want := storedKeys(t, db)
		for _, q := range []string{
			`ALTER TABLE person_keys ADD FOREIGN KEY (person_id) REFERENCES people(id) ON DELETE CASCADE`,
			`DELETE FROM schema_migrations WHERE version = 47`,
		} {
			if _, err := raw.Exec(q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
		if n := foreignKeysOfPersonKeys(t, db); n != 1 {
			t.Fatalf("the foreign key put back: %d", n)
		}
		if err := db.Migrate(context.Background()); err != nil {
			t.Fatal(err)
		}
		if n := foreignKeysOfPersonKeys(t, db); n != 0 {
			t.Errorf("person_keys has %d foreign keys after migration 47", n)
		}
		if got := storedKeys(t, db); !slices.Equal(got, want) {
			t.Errorf("keys after migration 47:\n got %v\nwant %v", got, want)
		}

		// The check finds a key without its person (here nothing else would).
		if _, err := raw.Exec(sqldb.Rebind(db, `INSERT INTO person_keys (org_id, kind, value, person_id) VALUES (?, 'name', 'nobody', ?)`),
			kept.Person.OrgID, homeward.NewID()); err != nil {
			t.Fatal(err)
		}
		if orphans := keysWithoutPerson(t, db); len(orphans) != 1 {
			t.Fatalf("a key of no person was not found: %v", orphans)
		}
		if _, err := raw.Exec(`DELETE FROM person_keys WHERE value = 'nobody'`); err != nil {
			t.Fatal(err)
		}
	}
	check("after the merge")

	if _, err := svc.Unmerge(sup, m.ID); err != nil {
		t.Fatal(err)
	}
	check("after the unmerge")
	mergeOnlyPair(t, svc, sup, kept.Person.ID)
	check("after the second merge")

	cw := w.Ctx("ngo", homeward.RoleCaseWorker)
	rows := importPeople("HAVE", 3)
	if _, err := db.ImportRows(cw, rows); err != nil {
		t.Fatal(err)
	}
	again := *rows[0]
	again.Person.FamilyName = "Khatun"
	if out, err := db.ImportRows(cw, []*registry.ImportRow{&again}); err != nil || len(out) != 1 || out[0] != registry.ImportUpdated {
		t.Fatalf("import of a known person: %v %v", out, err)
	}
	check("after the imports")

	req, err := db.RequestErasure(sup, kept.Person.ID, "The returnee asked in writing on the 3rd.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DecideErasure(secondSupervisor(t, w), req.ID, true); err != nil {
		t.Fatal(err)
	}
	check("after the erasure")
	var keys int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM person_keys`).Scan(&keys); err != nil || keys == 0 {
		t.Fatalf("no keys left to check: %d %v", keys, err)
	}
}

// mergeOnlyPair decides the one pair in the review queue (after an
// unmerge) the same person and merges it, keeping keep.
func mergeOnlyPair(t *testing.T, svc *dedupe.Service, sup context.Context, keep string) {
	t.Helper()
	pairs, _, err := svc.Pairs(sup, dedupe.PairFilter{})
	if err != nil || len(pairs) != 1 {
		t.Fatalf("queue after unmerge: %v %v", pairs, err)
	}
	if _, err := svc.Decide(sup, pairs[0].ID, pairs[0].Version, dedupe.StatusSame, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Merge(sup, pairs[0].ID, pairs[0].Version+1, dedupe.MergePlan{Keep: keep}); err != nil {
		t.Fatal(err)
	}
}

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

// exportIDs lists the people an export of query q gives the NGO's
// supervisor (the export reads its own query, not the search's).
func exportIDs(t *testing.T, ctx context.Context, db *sqldb.DB, q string) []string {
	t.Helper()
	var ids []string
	if err := db.Export(ctx, registry.SearchFilter{Query: q}, func(r *registry.ExportRecord) error {
		ids = append(ids, r.Person.ID)
		return nil
	}); err != nil {
		t.Fatalf("export %q: %v", q, err)
	}
	return ids
}

// External ids are no search keys (migration 39): the people row's
// people_external index finds them, in the searcher's organisation only;
// a merged-away person's id finds whom they were merged into, through a
// chain of merges, and again themselves after the unmerge; an erased
// person's id finds nobody. The migration removes the key rows, lent ones
// included, and leaves every other key as it was.
func TestExternalIDsAreNotKeys(t *testing.T) {
	w, recs, m := mergedWorld(t)
	svc, sup := dedupe.New(w.DB, dedupe.Options{}), w.Ctx("ngo", homeward.RoleSupervisor)
	kept, absorbed := recs[0], recs[1]
	externalKeys := func() int {
		t.Helper()
		return len(sqldb.QueryStrings(t, w.DB, `SELECT person_id FROM person_keys WHERE kind = 'external'`))
	}
	if n := externalKeys(); n != 0 {
		t.Errorf("%d external id keys stored", n)
	}
	find := func(step, q string, want ...string) {
		t.Helper()
		if got := searchIDs(t, w, q); !slices.Equal(got, want) {
			t.Errorf("%s: search %q found %v, want %v", step, q, got, want)
		}
		if got := exportIDs(t, sup, w.DB, q); !slices.Equal(got, want) {
			t.Errorf("%s: export %q gave %v, want %v", step, q, got, want)
		}
	}
	find("merged", "NGO-7", kept.Person.ID)
	find("merged", "AIR-1", kept.Person.ID)
	find("merged", "NGO-77")
	if r := searchPage(t, w, "operator", registry.SearchFilter{Query: "NGO-7"}); len(r.Items) != 0 {
		t.Errorf("another organisation finds NGO-7: %v", personIDs(r.Items))
	}

	// The migration on a database that still holds the keys, one of them
	// lent by the merge.
	want := storedKeys(t, w.DB)
	raw := sqldb.RawDB(t, w.DB)
	for _, k := range [][3]string{{kept.Person.ID, "AIR-1", ""}, {kept.Person.ID, "NGO-7", m.ID}, {recs[2].Person.ID, "NGO-8", ""}} {
		if _, err := raw.Exec(sqldb.Rebind(w.DB, `INSERT INTO person_keys (org_id, kind, value, person_id, merge_id) VALUES (?, 'external', ?, ?, ?)`),
			w.NGO.ID, k[1], k[0], k[2]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := raw.Exec(`DELETE FROM schema_migrations WHERE version = 39`); err != nil {
		t.Fatal(err)
	}
	if err := w.DB.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := storedKeys(t, w.DB); !slices.Equal(got, want) {
		t.Errorf("keys after the migration:\n got %v\nwant %v", got, want)
	}

	// A second merge: the kept person is absorbed by a fourth record of
	// the same man; both old ids follow the chain to it.
	fourth := registerAs(t, w, "Md. Rafiqul", "Islam", "1985", "01712-345678", "1234567890", "NGO-70")
	if _, err := svc.ScanAll(w.Ctx("ngo", homeward.RoleSupervisor)); err != nil {
		t.Fatal(err)
	}
	pairs, _, err := svc.Pairs(sup, dedupe.PairFilter{})
	if err != nil || len(pairs) != 1 || !pairs[0].Has(fourth.Person.ID) || !pairs[0].Has(kept.Person.ID) {
		t.Fatalf("queue: %+v %v", pairs, err)
	}
	if _, err := svc.Decide(sup, pairs[0].ID, pairs[0].Version, dedupe.StatusSame, ""); err != nil {
		t.Fatal(err)
	}
	m2, err := svc.Merge(sup, pairs[0].ID, pairs[0].Version+1, dedupe.MergePlan{Keep: fourth.Person.ID})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"NGO-7", "AIR-1", "NGO-70"} {
		find("merged twice", q, fourth.Person.ID)
	}
	if _, err := svc.Unmerge(sup, m2.ID); err != nil {
		t.Fatal(err)
	}
	find("second merge undone", "NGO-7", kept.Person.ID)
	find("second merge undone", "NGO-70", fourth.Person.ID)
	if _, err := svc.Unmerge(sup, m.ID); err != nil {
		t.Fatal(err)
	}
	find("both undone", "NGO-7", absorbed.Person.ID)
	find("both undone", "AIR-1", kept.Person.ID)

	// Erased, the person's id finds nobody.
	req, err := w.DB.RequestErasure(sup, recs[2].Person.ID, "The returnee asked in writing on the 3rd.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.DecideErasure(secondSupervisor(t, w), req.ID, true); err != nil {
		t.Fatal(err)
	}
	find("erased", "NGO-8")
	if n := externalKeys(); n != 0 {
		t.Errorf("%d external id keys stored at the end", n)
	}
}

package sqldb_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"homeward"
	"homeward/internal/dedupe"
	"homeward/internal/sqldb"
)

// After a merge there is one person with one case: the kept person's own,
// whose timeline holds the absorbed case's events too, marked with its
// number; the absorbed record says where it went. An unmerge gives the case
// back.
func TestMergeKeepsOneCaseWithBothTimelines(t *testing.T) {
	w, recs, m := mergedWorld(t)
	svc, sup := dedupe.New(w.DB, dedupe.Options{}), w.Ctx("ngo", homeward.RoleSupervisor)
	kept, absorbed := recs[0], recs[1]
	got, err := w.DB.FindRecord(sup, kept.Person.ID)
	if err != nil || got.Case == nil || got.Case.ID != kept.Case.ID {
		t.Fatalf("kept person's case after merge: %v %+v", err, got.Case)
	}
	tl, err := w.DB.Timeline(sup, kept.Case.ID)
	if err != nil {
		t.Fatal(err)
	}
	own, taken := 0, 0
	for _, e := range tl {
		switch e.MergedFrom {
		case "":
			own++
		case absorbed.Case.Number:
			taken++
		default:
			t.Errorf("event marked from %q", e.MergedFrom)
		}
	}
	if own == 0 || taken == 0 {
		t.Errorf("timeline: %d own events, %d from the absorbed case", own, taken)
	}
	gone, err := w.DB.FindRecord(sup, absorbed.Person.ID)
	if err != nil || gone.MergedInto != kept.Person.ID {
		t.Errorf("absorbed record: %v merged into %q", err, gone.MergedInto)
	}
	if _, err := svc.Unmerge(sup, m.ID); err != nil {
		t.Fatal(err)
	}
	back, err := w.DB.FindRecord(sup, absorbed.Person.ID)
	if err != nil || back.MergedInto != "" || back.Case == nil || back.Case.ID != absorbed.Case.ID {
		t.Errorf("absorbed after unmerge: %v %+v", err, back)
	}
	if tl, _ := w.DB.Timeline(sup, kept.Case.ID); len(tl) >= own+taken {
		for _, e := range tl {
			if e.MergedFrom != "" {
				t.Errorf("kept timeline still holds %s after unmerge", e.MergedFrom)
				break
			}
		}
	}
}

// Migrations 21 and 45 give the people stored before them the "pair" keys
// a registration and a merge give: a person's own words paired, and the
// words a merge lent paired within that merge; 45 replaces the keys of
// before it, which held the two words' sounds alone.
func TestNamePairBackfill(t *testing.T) {
	w, svc, recs, p := duplicateWorld(t)
	sup := w.Ctx("ngo", homeward.RoleSupervisor)
	for i := range 3 {
		registerIn(t, w, "ngo", fmt.Sprint("Md. Rafiqul Karim", " ", []string{"Ahmed", "Ali", "Uddin"}[i]), "Islam", "রফিকুল ইসলাম", "", "", "")
	}
	if _, err := svc.Decide(sup, p.ID, p.Version, dedupe.StatusSame, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Merge(sup, p.ID, p.Version+1, dedupe.MergePlan{Keep: recs[0].Person.ID}); err != nil {
		t.Fatal(err)
	}
	want := sqldb.NamePairKeys(t, w.DB)
	lent := 0
	for _, k := range want {
		if !strings.Contains(k, " - ") {
			lent++
		}
	}
	if len(want) < 3*10 || lent == 0 {
		t.Fatalf("%d pair keys, %d lent: %v", len(want), lent, want)
	}
	// Keys as they were before migration 45: the sounds alone.
	if err := sqldb.OldNamePairs(w.DB); err != nil {
		t.Fatal(err)
	}
	old := sqldb.NamePairKeys(t, w.DB)
	if len(old) == 0 || len(old) >= len(want) || slices.ContainsFunc(old, func(k string) bool { return strings.Contains(k, "|") }) {
		t.Fatalf("old pair keys: %d of %d, %v", len(old), len(want), old)
	}
	if err := sqldb.ForgetMigration(w.DB, 45); err != nil {
		t.Fatal(err)
	}
	if err := w.DB.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := sqldb.NamePairKeys(t, w.DB); !slices.Equal(got, want) {
		t.Errorf("backfilled pair keys\n%v\nwant\n%v", got, want)
	}
}

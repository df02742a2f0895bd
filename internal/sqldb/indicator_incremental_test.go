package sqldb_test

import (
	"fmt"
	"testing"

	"homeward/homewardtest"
	"homeward/internal/indicator"
	"homeward/internal/sqldb"
)

// A rebuild after one case changed writes only the cells that changed, and
// leaves the aggregate table as a rebuild from scratch would; a rebuild
// with nothing changed writes nothing.
func TestIndicatorRebuildWritesOnlyChanges(t *testing.T) {
	w := newRefWorld(t)
	sys := homewardtest.SystemCtx()
	var last string
	for i := range 8 {
		area := "BD302602"
		if i == 7 {
			area = "BD302604"
		}
		rec := w.returneeAt(t, fmt.Sprintf("%d234567890", i+1), area)
		last = rec.Case.ID
	}
	rebuild := func() *indicator.RebuildReport {
		t.Helper()
		rep, err := w.DB.RebuildIndicators(sys, indicator.Standard())
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	exec := func(q string, args ...any) {
		t.Helper()
		if err := w.DB.Transact(sys, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(q, args...)
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	table := func() []string {
		t.Helper()
		var out []string
		if err := w.DB.Transact(sys, func(tx *sqldb.Tx) error {
			rows, err := tx.Query(`SELECT code, by_fields, period, org_id, by_values, numerator, denominator, spread FROM indicator_values ORDER BY code, by_fields, period, org_id, by_values`)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var code, fields, period, org, values, spread string
				var num, den float64
				if err := rows.Scan(&code, &fields, &period, &org, &values, &num, &den, &spread); err != nil {
					return err
				}
				out = append(out, fmt.Sprint(code, "/", fields, "/", period, "/", org, "/", values, "=", num, "/", den, "/", spread))
			}
			return rows.Err()
		}); err != nil {
			t.Fatal(err)
		}
		return out
	}
	first := rebuild()
	if first.Cells == 0 || first.Written != first.Cells {
		t.Fatalf("first build: %+v", first)
	}
	if again := rebuild(); again.Written != 0 || again.Cells != first.Cells {
		t.Errorf("nothing changed, yet: %+v", again)
	}
	// The returnee of the other upazila is a man, and moved to the first
	// one: its upazila's cells go, men's cells come, women's change.
	exec(`UPDATE cases SET sex = 'male' WHERE id = ?`, last)
	exec(`UPDATE people SET admin_area = 'BD302602' WHERE id = (SELECT person_id FROM cases WHERE id = ?)`, last)
	changed := rebuild()
	if changed.Written == 0 || changed.Written >= changed.Cells {
		t.Errorf("one case changed: %d rows written of %d cells", changed.Written, changed.Cells)
	}
	got := table()
	exec(`DELETE FROM indicator_values`)
	scratch := rebuild()
	want := table()
	if scratch.Written != scratch.Cells || scratch.Cells != changed.Cells {
		t.Errorf("from scratch: %+v, after the change: %+v", scratch, changed)
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("written incrementally:\n%v\nfrom scratch:\n%v", got, want)
	}
	// Rewritten whole (as when many rows differ): the same table again.
	sqldb.SetRewriteAbove(t, 0)
	exec(`UPDATE indicator_values SET numerator = numerator + 1`)
	if whole := rebuild(); whole.Written != 2*whole.Cells {
		t.Errorf("rewritten whole: %+v", whole)
	}
	if again := table(); fmt.Sprint(again) != fmt.Sprint(want) {
		t.Errorf("rewritten whole:\n%v\nfrom scratch:\n%v", again, want)
	}
}

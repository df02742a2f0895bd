package sqldb_test

import (
	"fmt"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// A registration numbers its case, writes the case's opening event with
// that number and chains its audit event; on PostgreSQL in one statement
// that formats the number itself: past 999,999 too, exactly as
// registry.FormatCaseNumber does.
func TestRegistrationNumbersPastAMillion(t *testing.T) {
	w := homewardtest.NewWorld(t)
	first := registerIn(t, w, "ngo", "Rahima", "Begum", "", "01712340000", "1234500000", "")
	series, _, _ := strings.Cut(first.Case.Number[4:], "-")
	raw := rawSQL{t, sqldb.RawDB(t, w.DB), w.DB.Dialect()}
	raw.exec(`UPDATE case_numbers SET last = ?`, 999998)
	worker := w.Ctx("ngo", homeward.RoleCaseWorker)
	for i, want := range []string{"BGD-" + series + "-999999", "BGD-" + series + "-1000000"} {
		rec := registerIn(t, w, "ngo", "Amena", "Khatun", "", fmt.Sprintf("0171234100%d", i), fmt.Sprintf("123451000%d", i), "")
		if rec.Case.Number != want {
			t.Errorf("case number %q, want %q", rec.Case.Number, want)
		}
		got, err := w.DB.FindRecord(worker, rec.Person.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Case.Number != want {
			t.Errorf("stored case number %q, want %q", got.Case.Number, want)
		}
		tl, err := w.DB.Timeline(worker, rec.Case.ID)
		if err != nil {
			t.Fatal(err)
		}
		opened := 0
		for _, ev := range tl {
			if ev.Kind == registry.EventCaseOpened {
				opened++
				if n := fmt.Sprint(ev.Summary.Args["number"]); n != want {
					t.Errorf("the case's opening event says number %q, want %q", n, want)
				}
			}
		}
		if opened != 1 {
			t.Errorf("%d opening events, want 1", opened)
		}
	}
	rep, err := w.DB.VerifyAudit(homewardtest.SystemCtx())
	if err != nil || !rep.OK() {
		t.Fatalf("audit verify: %+v %v", rep, err)
	}
	evs, _, err := w.DB.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{Action: ptr("person.register"), Limit: 10})
	if err != nil || len(evs) != 3 {
		t.Fatalf("%d person.register events, %v", len(evs), err)
	}
	if !strings.Contains(evs[0].Detail, `"case_id":"`) || strings.Contains(evs[0].Detail, series+"-") {
		t.Errorf("audit detail %s: want the case id, never the number", evs[0].Detail)
	}
}

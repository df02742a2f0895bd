package sqldb_test

import (
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/indicator"
	"homeward/internal/sqldb"
)

// A period read as one sums each district's months before the small-cell
// rule: a district with three returnees in one month and four in the next
// shows seven (each month alone would be suppressed), one with two in all
// stays suppressed; a share is the ratio of the sums; another
// organisation's cells count only for the operator's watchers.
func TestIndicatorPageWholePeriod(t *testing.T) {
	w := homewardtest.NewWorld(t)
	sys := homewardtest.SystemCtx()
	at := time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)
	cells := []struct {
		code, period, org, district string
		num, den                    float64
	}{
		{"registrations", "2026-01", w.NGO.ID, "BD3026", 3, 3},
		{"registrations", "2026-02", w.NGO.ID, "BD3026", 4, 4},
		{"registrations", "2026-01", w.NGO.ID, "BD1004", 2, 2},
		{"registrations", "2026-03", w.NGO.ID, "BD1004", 9, 9}, // after the period
		{"registrations", "2026-02", w.Operator.ID, "BD3026", 100, 100},
		{"plan_within_30_days", "2026-01", w.NGO.ID, "BD3026", 1, 4},
		{"plan_within_30_days", "2026-02", w.NGO.ID, "BD3026", 3, 4},
	}
	if err := w.DB.Transact(sys, func(tx *sqldb.Tx) error {
		for _, c := range cells {
			if _, err := tx.Exec(`INSERT INTO indicator_values (code, by_fields, period, org_id, by_values, numerator, denominator, spread) VALUES (?, 'district', ?, ?, ?, ?, ?, '')`,
				c.code, c.period, c.org, c.district, c.num, c.den); err != nil {
				return err
			}
		}
		for _, code := range []string{"registrations", "plan_within_30_days"} {
			if _, err := tx.Exec(`INSERT INTO indicator_runs (code, version, computed_at, records, cells) VALUES (?, 1, ?, 0, 0)`, code, at); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	reg, _ := indicator.Find("registrations")
	plan, _ := indicator.Find("plan_within_30_days")
	read := func(role homeward.Role, org string) map[string]map[string]indicator.Row {
		t.Helper()
		q := indicator.Query{From: "2026-01", To: "2026-02", By: []string{"district"}, Whole: true}
		series, err := w.DB.IndicatorPage(w.Ctx(org, role), []indicator.Request{{Def: reg, Query: q}, {Def: plan, Query: q}})
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]map[string]indicator.Row{}
		for _, s := range series {
			out[s.Code] = map[string]indicator.Row{}
			for _, r := range s.Rows {
				if r.Period != "2026-01..2026-02" {
					t.Errorf("%s: period %q", s.Code, r.Period)
				}
				out[s.Code][r.By["district"]] = r
			}
		}
		return out
	}
	ngo := read(homeward.RoleMEAnalyst, "ngo")
	if r := ngo["registrations"]["BD3026"]; r.Suppressed || r.Value == nil || *r.Value != 7 {
		t.Errorf("BD3026 over two months: %+v", r)
	}
	if r := ngo["registrations"]["BD1004"]; !r.Suppressed || r.Value != nil {
		t.Errorf("BD1004 (two people): %+v", r)
	}
	if r := ngo["plan_within_30_days"]["BD3026"]; r.Value == nil || *r.Value != 50 {
		t.Errorf("share with a plan, 4 of 8: %+v", r)
	}
	ministry := read(homeward.RoleMEAnalyst, "operator")
	if r := ministry["registrations"]["BD3026"]; r.Value == nil || *r.Value != 107 {
		t.Errorf("the operator's analyst, every organisation: %+v", r)
	}
	// A case worker reads no indicators.
	if _, err := w.DB.IndicatorPage(w.Ctx("ngo", homeward.RoleCaseWorker), []indicator.Request{{Def: reg, Query: indicator.Query{From: "2026-01", To: "2026-02", Whole: true}}}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a case worker: %v", err)
	}
}

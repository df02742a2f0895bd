package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/sqldb"
)

// districtCells stores aggregate cells by district as a rebuild would:
// Faridpur 12, Dhaka 3 + 4 over two months (7: each month alone would be
// suppressed), Barguna 2 (suppressed), and 100 in Dhaka that only the
// operator's watchers see (another organisation's).
func districtCells(t *testing.T, w *homewardtest.World) {
	t.Helper()
	cells := []struct {
		code, period, org, district string
		num, den                    float64
	}{
		{"registrations", "2026-01", w.NGO.ID, "BD3029", 12, 12},
		{"registrations", "2026-01", w.NGO.ID, "BD3026", 3, 3},
		{"registrations", "2026-02", w.NGO.ID, "BD3026", 4, 4},
		{"registrations", "2026-02", w.NGO.ID, "BD1004", 2, 2},
		{"registrations", "2026-02", w.Operator.ID, "BD3026", 100, 100},
		{"plan_within_30_days", "2026-01", w.NGO.ID, "BD3026", 3, 6},
		{"plan_within_30_days", "2026-01", w.NGO.ID, "BD3029", 9, 10},
	}
	if err := w.DB.Transact(homewardtest.SystemCtx(), func(tx *sqldb.Tx) error {
		for _, c := range cells {
			if _, err := tx.Exec(`INSERT INTO indicator_values (code, by_fields, period, org_id, by_values, numerator, denominator, spread) VALUES (?, 'district', ?, ?, ?, ?, ?, '')`,
				c.code, c.period, c.org, c.district, c.num, c.den); err != nil {
				return err
			}
		}
		for _, code := range []string{"registrations", "plan_within_30_days"} {
			if _, err := tx.Exec(`INSERT INTO indicator_runs (code, version, computed_at, records, cells) VALUES (?, 1, ?, 0, 0)`, code, time.Date(2026, 3, 1, 6, 0, 0, 0, time.UTC)); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// rowNames returns the row headers of the district table in order.
func rowNames(page string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<th scope="row">([^<]*)</th>`).FindAllStringSubmatch(page, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestIndicatorsByDistrict(t *testing.T) {
	b, w := newBrowser(t)
	districtCells(t, w)
	const period = "from=2026-01&to=2026-02"
	me := b.as(w, "ngo", homeward.RoleMEAnalyst)
	if _, page := me.get("/indicators?" + period); !strings.Contains(page, `id="ind-districts" href="/indicators/districts?from=2026-01&amp;to=2026-02`) {
		t.Error("the dashboard does not link to the page by district")
	}
	status, page := me.get("/indicators/districts?" + period)
	if status != 200 || !strings.Contains(page, `<caption id="ind-district-caption">Indicators by district, 2026-01 to 2026-02</caption>`) || !strings.Contains(page, `<th scope="col" aria-sort="ascending"><a href=`) {
		t.Fatalf("page by district: %d\n%.3000s", status, page)
	}
	// By name by default; the own organisation's figures only: Dhaka's
	// seven over the period, Barguna's two suppressed.
	if got := strings.Join(rowNames(page), ","); got != "Barguna,Dhaka,Faridpur" {
		t.Errorf("rows by name: %s", got)
	}
	dhaka := page[strings.Index(page, `<th scope="row">Dhaka</th>`):]
	dhaka = dhaka[:strings.Index(dhaka, "</tr>")]
	if !strings.Contains(dhaka, `<td class="num" data-label="Returnees registered">7</td>`) || !strings.Contains(dhaka, `<td class="num" data-label="Plan agreed within 30 days of return">50`) || strings.Contains(dhaka, ">107<") {
		t.Errorf("Dhaka's row: %s", dhaka)
	}
	if !strings.Contains(page, `<td class="num muted" data-label="Returnees registered">fewer than 5 people</td>`) {
		t.Error("Barguna's two people are not suppressed")
	}
	// The tile map shows the first indicator: Faridpur's 12 darkest,
	// Dhaka's 7 lightest, Barguna's hidden, Sylhet without a figure.
	if !strings.Contains(page, `<figcaption>Map of districts: Returnees registered</figcaption>`) ||
		!strings.Contains(page, `class="q4" data-district="BD3029"><title>Faridpur: 12</title>`) ||
		!strings.Contains(page, `class="q0" data-district="BD3026"><title>Dhaka: 7</title>`) ||
		!strings.Contains(page, `class="hidden" data-district="BD1004">`) || !strings.Contains(page, `class="none" data-district="BD6091"><title>Sylhet: No figure</title>`) {
		t.Errorf("the map:\n%.5000s", page[strings.Index(page, "<figure"):])
	}
	// Sorted by registrations, largest first, the suppressed last; the
	// column says so to a screen reader, and its link turns it round.
	_, page = me.get("/indicators/districts?" + period + "&sort=registrations&dir=desc")
	if got := strings.Join(rowNames(page), ","); got != "Faridpur,Dhaka,Barguna" {
		t.Errorf("rows by registrations: %s", got)
	}
	if !strings.Contains(page, `aria-sort="descending"><a href="/indicators/districts?dir=asc&amp;from=2026-01&amp;sort=registrations&amp;to=2026-02" id="sort-registrations">`) {
		t.Errorf("the sorted column:\n%.4000s", page)
	}
	// Sorted by another indicator, the map shows that one.
	if _, page = me.get("/indicators/districts?" + period + "&sort=plan_within_30_days"); !strings.Contains(page, `<figcaption>Map of districts: Plan agreed within 30 days of return</figcaption>`) ||
		!strings.Contains(page, `class="q4" data-district="BD3029"><title>Faridpur: 90`) {
		t.Errorf("the map of plans:\n%.3000s", page[strings.Index(page, "<figure"):])
	}
	if _, page = me.get("/indicators/districts?" + period + "&sort=district&dir=desc"); strings.Join(rowNames(page), ",") != "Faridpur,Dhaka,Barguna" {
		t.Errorf("names from Z: %v", rowNames(page))
	}
	// An unknown column sorts by name; a period that ends before it
	// starts is refused at its field.
	if _, page = me.get("/indicators/districts?" + period + "&sort=name';--"); strings.Join(rowNames(page), ",") != "Barguna,Dhaka,Faridpur" {
		t.Errorf("unknown sort: %v", rowNames(page))
	}
	if status, _ := me.get("/indicators/districts?from=2026-05&to=2026-04"); status != 400 {
		t.Errorf("a period that ends before it starts: %d", status)
	}
	// The CSV: HXL hashtags, district p-codes, the period as one.
	status, csv := me.get("/indicators/districts.csv?" + period)
	lines := strings.Split(csv, "\n")
	if status != 200 || len(lines) < 3 || !strings.HasPrefix(lines[1], "#indicator+code,#indicator+name,#meta+unit,#date+period,#adm2+code,") ||
		!strings.Contains(csv, "\nregistrations,Returnees registered,count,2026-01..2026-02,BD3026,7,,7,false,") ||
		!strings.Contains(csv, "\nregistrations,Returnees registered,count,2026-01..2026-02,BD1004,,,,true,") {
		t.Errorf("CSV: %d\n%s", status, csv)
	}
	// In Bangla: names and digits; in Arabic and Urdu right to left.
	me.get("/lang?to=bn")
	if _, page = me.get("/indicators/districts?" + period); !strings.Contains(page, `<th scope="row">ঢাকা</th>`) || !strings.Contains(page, "জেলা অনুযায়ী সূচক") || !strings.Contains(page, "২০২৬-০১") {
		t.Errorf("Bangla page:\n%.3000s", page)
	}
	for _, lang := range []string{"ar", "ur", "ckb"} {
		me.get("/lang?to=" + lang)
		if status, page = me.get("/indicators/districts?" + period); status != 200 || !strings.Contains(page, `dir="rtl"`) || !strings.Contains(page, `id="ind-district-table"`) {
			t.Errorf("%s: %d, not right to left", lang, status)
		}
	}
	// The operator's analyst sees every organisation (Dhaka 107), or the
	// NGO's alone; a case worker sees no indicators.
	op := b.as(w, "operator", homeward.RoleMEAnalyst)
	if _, page = op.get("/indicators/districts?" + period); !strings.Contains(page, `<td class="num" data-label="Returnees registered">107</td>`) || !strings.Contains(page, `id="ind-org"`) {
		t.Errorf("the operator's analyst:\n%.3000s", page)
	}
	if _, page = op.get("/indicators/districts?" + period + "&org=" + w.NGO.ID); strings.Contains(page, ">107<") || strings.Contains(page, "Dhaka: 107<") || !strings.Contains(page, `<td class="num" data-label="Returnees registered">7</td>`) {
		t.Error("the operator's analyst narrowed to the NGO")
	}
	if status, page := me.get("/indicators/districts?" + period + "&org=" + w.Operator.ID); status == 200 && (strings.Contains(page, ">107<") || strings.Contains(page, "Dhaka: 107<")) {
		t.Error("the NGO's analyst reads the operator's figures")
	}
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	for _, path := range []string{"/indicators/districts?" + period, "/indicators/districts.csv?" + period} {
		if status, _ := cw.get(path); status != 403 && status != 404 {
			t.Errorf("a case worker: %s %d", path, status)
		}
	}
}

package indicator

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"
	"time"
)

func TestWriteHXL(t *testing.T) {
	share := &Definition{Code: "plan_within_30_days", Unit: Percent, Denominator: Filter{}, Name: map[string]string{"en": "=HYPERLINK(1)"}}
	count := &Definition{Code: "registrations", Unit: Count, Name: map[string]string{"en": "Returnees registered"}}
	f := func(v float64) *float64 { return &v }
	at := time.Date(2026, 11, 18, 6, 30, 0, 0, time.FixedZone("BDT", 6*3600))
	series := []*Series{
		{Code: share.Code, By: []string{"district"}, ComputedAt: &at, Rows: []Row{
			{Period: "2026-10", By: map[string]string{"district": "BD3026"}, Numerator: f(2), Denominator: f(3), Value: f(200.0 / 3)},
			{Period: "2026-10", By: map[string]string{"district": "BD4047"}, Suppressed: true},
		}},
		{Code: count.Code, By: []string{"sex", "district"}, Rows: []Row{
			{Period: "2026-11", By: map[string]string{"sex": "female", "district": "-1+1"}, Numerator: f(7), Value: f(7)},
		}},
	}
	want := [][]string{
		{"CODE", "NAME", "UNIT", "PERIOD", "DISTRICT", "SEX", "NUMERATOR", "DENOMINATOR", "VALUE", "SUPPRESSED", "COMPUTED_AT"},
		{"#indicator+code", "#indicator+name", "#meta+unit", "#date+period", "#adm2+code", "#meta+sex", "#indicator+num+numerator", "#indicator+num+denominator", "#indicator+num+value", "#meta+suppressed", "#date+reported"},
		// a name that a spreadsheet would run as a formula is quoted; the
		// share is rounded to four decimals; the time is UTC
		{"plan_within_30_days", "'=HYPERLINK(1)", "percent", "2026-10", "BD3026", "", "2", "3", "66.6667", "false", "2026-11-18T00:30:00Z"},
		// a suppressed row keeps its place, without figures
		{"plan_within_30_days", "'=HYPERLINK(1)", "percent", "2026-10", "BD4047", "", "", "", "", "true", "2026-11-18T00:30:00Z"},
		// a count has no denominator; a series never computed has no time
		{"registrations", "Returnees registered", "count", "2026-11", "'-1+1", "female", "7", "", "7", "false", ""},
	}
	var b bytes.Buffer
	if err := WriteHXL(&b, []*Definition{share, count}, series, func(c string) string { return strings.ToUpper(c) }, func(d *Definition) string { return d.Name["en"] }); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(want) {
		t.Fatalf("%d rows, want %d: %q", len(rows), len(want), rows)
	}
	for i := range want {
		if strings.Join(rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d:\n got %q\nwant %q", i, rows[i], want[i])
		}
	}
	if HXLTag("donor") != "#meta+donor" {
		t.Errorf("an unknown column's tag: %s", HXLTag("donor"))
	}
}

package indicator

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"homeward"
)

func TestStandardSetIsValid(t *testing.T) {
	defs := Standard()
	if len(defs) < 20 {
		t.Fatalf("%d standard indicators", len(defs))
	}
	for _, d := range defs {
		if d.Title("bn") == d.Title("en") {
			t.Errorf("%s has no Bangla name", d.Code)
		}
	}
}

func TestDefinitionsAreChecked(t *testing.T) {
	for name, c := range map[string]struct {
		json  string
		field string
	}{
		"unknown field":        {`[{"code":"x","version":1,"name":{"en":"X","bn":"এক্স"},"unit":"count","source":"cases","period":"opened","numerator":{"colour":["red"]},"by":[]}]`, "numerator.colour"},
		"unknown source":       {`[{"code":"x","version":1,"name":{"en":"X","bn":"এক্স"},"unit":"count","source":"weather","period":"opened","numerator":{},"by":[]}]`, "source"},
		"percent without den":  {`[{"code":"x","version":1,"name":{"en":"X","bn":"এক্স"},"unit":"percent","source":"cases","period":"opened","numerator":{},"by":[]}]`, "denominator"},
		"mean of a non-number": {`[{"code":"x","version":1,"name":{"en":"X","bn":"এক্স"},"unit":"mean","source":"surveys","period":"answered","numerator":{},"denominator":{},"value":"round","by":[]}]`, "value"},
		"unknown period":       {`[{"code":"x","version":1,"name":{"en":"X","bn":"এক্স"},"unit":"count","source":"cases","period":"born","numerator":{},"by":[]}]`, "period"},
		"unknown by":           {`[{"code":"x","version":1,"name":{"en":"X","bn":"এক্স"},"unit":"count","source":"cases","period":"opened","numerator":{},"by":["religion"]}]`, "by"},
		"median over a den":    {`[{"code":"x","version":1,"name":{"en":"X","bn":"এক্স"},"unit":"median","source":"referrals","period":"sent","numerator":{},"denominator":{},"value":"days_to_response","by":[]}]`, "denominator"},
		"median of nothing":    {`[{"code":"x","version":1,"name":{"en":"X","bn":"এক্স"},"unit":"median","source":"referrals","period":"sent","numerator":{},"by":[]}]`, "value"},
		"bad code":             {`[{"code":"X Y","version":1,"name":{"en":"X","bn":"এক্স"},"unit":"count","source":"cases","period":"opened","numerator":{},"by":[]}]`, "code"},
	} {
		_, err := Parse([]byte(c.json))
		var e *homeward.Error
		if err == nil {
			t.Errorf("%s: accepted", name)
			continue
		}
		found := false
		for u := err; u != nil; {
			if x, ok := u.(*homeward.Error); ok {
				e = x
				break
			}
			if w, ok := u.(interface{ Unwrap() error }); ok {
				u = w.Unwrap()
			} else {
				break
			}
		}
		if e != nil {
			for _, f := range e.Fields {
				found = found || f.Field == c.field
			}
			found = found || e.Field == c.field
		}
		if !found {
			t.Errorf("%s: %v, want an error on %s", name, err, c.field)
		}
	}
	if _, err := Parse([]byte(`[{"code":"a","version":1,"name":{"en":"A","bn":"এ"},"unit":"count","source":"cases","period":"opened","numerator":{},"by":[]},
		{"code":"a","version":1,"name":{"en":"A","bn":"এ"},"unit":"count","source":"cases","period":"opened","numerator":{},"by":[]}]`)); err == nil {
		t.Error("two indicators with one code accepted")
	}
	if _, err := Parse([]byte(`[{"code":"a","surprise":1}]`)); err == nil {
		t.Error("an unknown key accepted")
	}
}

func TestAggregatorAndValues(t *testing.T) {
	dhaka, _ := time.LoadLocation("Asia/Dhaka")
	share := &Definition{Code: "share", Version: 1, Unit: Percent, Source: "cases", Period: "opened",
		Numerator: Filter{"plan_30d": {"yes"}}, Denominator: Filter{}, By: []string{"sex", "district"}}
	count := &Definition{Code: "count", Version: 1, Unit: Count, Source: "cases", Period: "opened", Numerator: Filter{"sex": {"female"}}, By: []string{"sex"}}
	a := NewAggregator([]*Definition{share, count}, dhaka)
	rec := func(at string, sex, district, plan string) *Record {
		t0, _ := time.Parse(time.RFC3339, at)
		return &Record{OrgID: "o", Dates: map[string]time.Time{"opened": t0}, Fields: map[string]string{"sex": sex, "district": district, "plan_30d": plan}}
	}
	// 31 January 20:00 UTC is 1 February in Dhaka.
	a.Add(rec("2026-01-31T20:00:00Z", "female", "BD3026", "yes"))
	a.Add(rec("2026-02-10T10:00:00Z", "female", "BD3026", "no"))
	a.Add(rec("2026-02-11T10:00:00Z", "male", "BD1004", "yes"))
	a.Add(rec("2026-01-05T10:00:00Z", "male", "BD1004", "no"))
	got := map[string][2]float64{}
	for _, c := range a.Cells() {
		got[c.Code+" "+c.Period+" "+c.ByFields+"="+c.ByValues] = [2]float64{c.Numerator, c.Denominator}
	}
	for k, want := range map[string][2]float64{
		"share 2026-02 =":                          {2, 3},
		"share 2026-01 =":                          {0, 1},
		"share 2026-02 sex=female":                 {1, 2},
		"share 2026-02 district,sex=BD3026|female": {1, 2},
		"share 2026-02 district=BD1004":            {1, 1},
		"count 2026-02 =":                          {2, 2},
		"count 2026-02 sex=female":                 {2, 2},
	} {
		if got[k] != want {
			t.Errorf("%s = %v, want %v", k, got[k], want)
		}
	}
	if _, ok := got["count 2026-01 ="]; ok {
		t.Error("a count kept a month with nothing in its numerator")
	}
	if v := share.Result(2, 3); v == nil || *v < 66.66 || *v > 66.67 {
		t.Errorf("2 of 3 = %v", v)
	}
	if share.Result(0, 0) != nil {
		t.Error("an empty denominator gave a value")
	}
}

func TestRangesAndBreakdowns(t *testing.T) {
	now := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	if f, to, err := ParseRange("", "", now); err != nil || f != "2026-01" || to != "2026-12" {
		t.Errorf("default range: %s..%s %v", f, to, err)
	}
	if _, _, err := ParseRange("2026-05", "2026-04", now); err == nil {
		t.Error("a period that ends before it starts accepted")
	}
	if _, _, err := ParseRange("2026-13", "", now); err == nil {
		t.Error("month 13 accepted")
	}
	d := Standard()[0]
	if by, err := d.ParseBy("sex,district"); err != nil || strings.Join(by, ",") != "district,sex" {
		t.Errorf("by: %v %v", by, err)
	}
	if _, err := d.ParseBy("sex,district,age_group"); err == nil {
		t.Error("three breakdowns accepted")
	}
	if _, err := d.ParseBy("religion"); err == nil {
		t.Error("an unknown breakdown accepted")
	}
	if AgeGroup(1990, 2026) != "35-44" || AgeGroup(0, 2026) != "unknown" || AgeGroup(2010, 2026) != "0-17" {
		t.Error("age groups")
	}
}

// A median combines its cells' spreads: months, organisations and
// disaggregations add up their records of each value before the middle is
// found, so that the median of all is not a mean of medians.
func TestMedianFromSpreads(t *testing.T) {
	for spread, want := range map[string]float64{
		"3:1":              3,
		"1:1,5:1":          3,   // even: the mean of the two middle values
		"0:2,10:1":         0,   // the middle record is the second 0
		"1:2,2:2":          1.5, // the two middle records straddle 1 and 2
		"1:1,2:1,1:1,9:1":  1.5, // two cells' spreads, joined: 1,1,2,9
		"7:1,bad,:x,2:-1,": 7,   // malformed pairs are skipped
	} {
		got := MedianOf(ParseSpread(spread))
		if got == nil || *got != want {
			t.Errorf("median of %q = %v, want %v", spread, got, want)
		}
	}
	if MedianOf(ParseSpread("")) != nil {
		t.Error("an empty spread has a median")
	}
	if s := EncodeSpread(ParseSpread("9:1,0:2,3:1,0:1")); s != "0:3,3:1,9:1" {
		t.Errorf("encoded %q", s)
	}
	a := NewAggregator([]*Definition{{Code: "days", Unit: Median, Source: "referrals", Period: "sent", Numerator: Filter{}, Value: "days_to_response", By: []string{"sex"}}}, time.UTC)
	at := time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)
	for _, d := range []float64{0.5, 2.9, 4, 30} {
		a.Add(&Record{OrgID: "o", Dates: map[string]time.Time{"sent": at}, Fields: map[string]string{"sex": "female"}, Numbers: map[string]*float64{"days_to_response": &d}})
	}
	a.Add(&Record{OrgID: "o", Dates: map[string]time.Time{"sent": at}, Fields: map[string]string{"sex": "male"}, Numbers: map[string]*float64{}}) // no response: not counted
	cells := a.Cells()
	if len(cells) != 2 || EncodeSpread(cells[0].Spread) != "0:1,2:1,4:1,30:1" || cells[0].Denominator != 4 {
		t.Fatalf("cells: %+v %+v", cells[0], cells[len(cells)-1])
	}
	def := &Definition{Unit: Median}
	if r := def.MakeRow("2026-11", nil, "", cells[0].Numerator, cells[0].Denominator, EncodeSpread(cells[0].Spread)); r.Numerator != nil || *r.Value != 3 || *r.Denominator != 4 {
		t.Errorf("row: %+v", r)
	}
}

// A record with several values of a Multi field (a case in two
// programmes) counts in each value's cells, and once in the total and in
// the cells of its other fields.
func TestAggregatorMultiValues(t *testing.T) {
	count := &Definition{Code: "n", Version: 1, Unit: Count, Source: "cases", Period: "opened", Numerator: Filter{}, By: []string{"programme", "sex"}}
	a := NewAggregator([]*Definition{count}, time.UTC)
	at := time.Date(2026, 2, 3, 0, 0, 0, 0, time.UTC)
	add := func(sex string, progs ...string) {
		a.Add(&Record{OrgID: "o", Dates: map[string]time.Time{"opened": at}, Fields: map[string]string{"sex": sex}, Multi: map[string][]string{"programme": progs}})
	}
	add("female", "RAISE", "SKILL")
	add("female", "RAISE")
	add("male")
	got := map[string]float64{}
	for _, c := range a.Cells() {
		got[c.ByFields+"="+c.ByValues] = c.Numerator
	}
	want := map[string]float64{"=": 3, "sex=female": 2, "sex=male": 1, "programme=RAISE": 2, "programme=SKILL": 1, "programme=": 1,
		"programme,sex=RAISE|female": 2, "programme,sex=SKILL|female": 1, "programme,sex=|male": 1}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("cells = %v\nwant %v", got, want)
	}
	// A filter on a Multi field passes when one of its values is listed.
	r := &Record{Multi: map[string][]string{"programme": {"RAISE", "SKILL"}}}
	if !(Filter{"programme": {"SKILL"}}).Pass(r) || (Filter{"programme": {""}}).Pass(r) || !(Filter{"programme": {""}}).Pass(&Record{Multi: map[string][]string{"programme": nil}}) {
		t.Error("Multi filter")
	}
}

// Every standard indicator is named and described in every language the
// interface offers (Arabic, Sorani and Urdu marked machine-made), so a
// dashboard in any of them shows no English names.
func TestStandardSetInEveryLanguage(t *testing.T) {
	for _, d := range Standard() {
		for _, l := range []string{"en", "bn", "ar", "ckb", "ur"} {
			if d.Name[l] == "" || len(d.Description) > 0 && d.Description[l] == "" {
				t.Errorf("%s: no name or description in %s", d.Code, l)
			}
			if l != "en" && d.Title(l) == d.Name["en"] {
				t.Errorf("%s: the title in %s is the English one", d.Code, l)
			}
		}
		if strings.Join(d.MachineMade, " ") != "ar ckb ur" {
			t.Errorf("%s: machine-made %v", d.Code, d.MachineMade)
		}
	}
}

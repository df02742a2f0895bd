// Package indicator defines a reintegration programme's indicators and
// computes them: each indicator counts (or sums, or averages) the records of
// one source — cases, referrals, survey answers — that pass its numerator's
// filter, over those that pass its denominator's, by month and by up to two
// disaggregations (sex, age group, district, destination, return type, and
// what the source adds). Results are precomputed into aggregate rows (see
// Aggregator) so that a dashboard reads a few hundred rows, never the
// records themselves.
package indicator

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"homeward"
	"homeward/internal/reference"
)

// Unit says how an indicator's value is made from its numerator and
// denominator.
type Unit string

const (
	Count   Unit = "count"   // the numerator's records
	Percent Unit = "percent" // 100 × numerator ÷ denominator records
	Mean    Unit = "mean"    // the numerator's Value summed ÷ its records
	Amount  Unit = "amount"  // the numerator's Value summed
	// Median is the middle of the numerator's Value over its records, in
	// whole units (days to a response, say). Its cells keep how many
	// records had each whole value, so that months, organisations and
	// disaggregations combine into a true median, not a mean of medians.
	Median Unit = "median"
)

// Filter keeps a record when, for every field it names, the record's value
// is one of the listed values ("" matches an empty value).
type Filter map[string][]string

// Definition is one indicator, as configuration: a code, names in each
// language, where its records come from, which date puts a record in a
// month, its numerator and denominator, and the disaggregations allowed.
type Definition struct {
	Code        string            `json:"code"`
	Version     int               `json:"version"`
	Name        map[string]string `json:"name"`
	Description map[string]string `json:"description,omitempty"`
	Unit        Unit              `json:"unit"`
	Source      string            `json:"source"`
	Period      string            `json:"period"` // a date field of the source
	Numerator   Filter            `json:"numerator"`
	Denominator Filter            `json:"denominator,omitempty"` // required for percent and mean
	Value       string            `json:"value,omitempty"`       // the number summed (mean, amount)
	By          []string          `json:"by"`
	// MachineMade lists the languages whose name and description here are
	// machine-made, awaiting a translator's review.
	MachineMade []string `json:"machine_made,omitempty"`
}

// Source is one kind of record indicators count, and its fields.
type Source struct {
	Name string
	// Dates are the fields that can place a record in a month.
	Dates []string
	// Fields can be filtered on and disaggregated by.
	Fields []string
	// Numbers can be summed or averaged.
	Numbers []string
}

// Dims are the disaggregations every source has: the person's sex and age
// group (at the month), the case's district, destination and return type,
// the upazila the person lives in ("" when their address names only a
// district), and the programmes the case is enrolled in (a Multi field: a
// case in two programmes counts in each one's cells, once in the totals;
// "" is a case in none).
var Dims = []string{"sex", "age_group", "district", "upazila", "destination", "return_type", "programme"}

// Sources are the records indicators are made of.
var Sources = map[string]Source{
	"cases": {Name: "cases", Dates: []string{"opened", "returned"},
		Fields: append(slices.Clone(Dims), "status", "plan_30d", "org_type")},
	"referrals": {Name: "referrals", Dates: []string{"sent", "updated", "responded"},
		Fields:  append(slices.Clone(Dims), "state", "service_type", "responded"),
		Numbers: []string{"days_to_response"}},
	"surveys": {Name: "surveys", Dates: []string{"answered"},
		Fields:  append(slices.Clone(Dims), "round", "income_source", "scored"),
		Numbers: []string{"composite", "economic", "social", "psychosocial"}},
	"grants": {Name: "grants", Dates: []string{"disbursed"},
		Fields:  append(slices.Clone(Dims), "channel"),
		Numbers: []string{"amount"}},
	"certificates": {Name: "certificates", Dates: []string{"issued"},
		Fields: append(slices.Clone(Dims), "standard", "status")},
}

// MaxBy is how many disaggregations one query may combine.
const MaxBy = 2

// Validate checks a definition and reports every problem at once.
func (d *Definition) Validate() error {
	var v homeward.Validation
	if d.Code == "" || strings.Trim(d.Code, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" || len(d.Code) > 60 {
		v.Add("code", "indicator.code", "Use lower-case letters, digits and underscores.")
	}
	if d.Version < 1 {
		v.Add("version", "indicator.version", "The version is a number from 1.")
	}
	if d.Name["en"] == "" || d.Name["bn"] == "" {
		v.Add("name", "indicator.name", "Give the indicator a name in English and in Bangla.")
	}
	src, ok := Sources[d.Source]
	if !ok {
		v.AddArgs("source", "indicator.source", map[string]any{"value": d.Source}, "%q is not a source of indicators.", d.Source)
	}
	switch d.Unit {
	case Count, Amount:
	case Median:
		if d.Denominator != nil {
			v.Add("denominator", "indicator.median_denominator", "A median is taken over the numerator's records: leave out the denominator.")
		}
	case Percent, Mean:
		if d.Denominator == nil {
			// A share or an average of what? The denominator says which
			// records ({} for all of the source's); a month where it is
			// empty has no value, never a division by zero.
			v.Add("denominator", "indicator.denominator", "A percentage or a mean needs a denominator: say which records it is taken over ({} for all).")
		}
	default:
		v.AddArgs("unit", "indicator.unit", map[string]any{"value": d.Unit}, "%q is not a unit (count, percent, mean, amount, median).", d.Unit)
	}
	if !ok {
		return v.Err()
	}
	if !slices.Contains(src.Dates, d.Period) {
		v.AddArgs("period", "indicator.field", map[string]any{"value": d.Period, "source": d.Source}, "%q is not a field of %s.", d.Period, d.Source)
	}
	check := func(where string, f Filter) {
		for field := range f {
			if !slices.Contains(src.Fields, field) {
				v.AddArgs(where+"."+field, "indicator.field", map[string]any{"value": field, "source": d.Source}, "%q is not a field of %s.", field, d.Source)
			}
		}
	}
	check("numerator", d.Numerator)
	check("denominator", d.Denominator)
	needsValue := d.Unit == Mean || d.Unit == Amount || d.Unit == Median
	switch {
	case needsValue && !slices.Contains(src.Numbers, d.Value):
		v.AddArgs("value", "indicator.value", map[string]any{"value": d.Value, "source": d.Source}, "%q is not a number of %s.", d.Value, d.Source)
	case !needsValue && d.Value != "":
		v.Add("value", "indicator.value_unused", "Only a mean, a median or an amount takes a value.")
	}
	for _, b := range d.By {
		if !slices.Contains(src.Fields, b) {
			v.AddArgs("by", "indicator.field", map[string]any{"value": b, "source": d.Source}, "%q is not a field of %s.", b, d.Source)
		}
	}
	return v.Err()
}

// Title returns the definition's name in lang (English when it has none).
func (d *Definition) Title(lang string) string {
	if n := d.Name[homeward.LangBase(lang)]; n != "" {
		return n
	}
	return d.Name["en"]
}

//go:embed standard.json
var standardJSON []byte

// Standard returns the standard set: the results framework of a
// reintegration programme.
func Standard() []*Definition {
	standardOnce.Do(func() {
		defs, err := Parse(standardJSON)
		if err != nil {
			panic("indicator: the standard set is invalid: " + err.Error())
		}
		standard = defs
	})
	return standard
}

var (
	standardOnce sync.Once
	standard     []*Definition
)

// Parse reads a set of definitions (a JSON array) and validates each; codes
// must be unique.
func Parse(data []byte) ([]*Definition, error) {
	var defs []*Definition
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&defs); err != nil {
		e := homeward.Errorf(homeward.EINVALID, "indicator.json", "The indicator definitions are not valid JSON: %v", err)
		e.Args = map[string]any{"error": err.Error()}
		return nil, e
	}
	seen := map[string]bool{}
	for i, d := range defs {
		if err := d.Validate(); err != nil {
			return nil, fmt.Errorf("indicator %d (%s): %w", i+1, d.Code, err)
		}
		if seen[d.Code] {
			e := homeward.Errorf(homeward.EINVALID, "indicator.duplicate", "Two indicators have the code %s.", d.Code)
			e.Args = map[string]any{"code": d.Code}
			return nil, e
		}
		seen[d.Code] = true
	}
	return defs, nil
}

// Record is one record of a source, as its fields' values.
type Record struct {
	OrgID   string
	Dates   map[string]time.Time // zero: no such date
	Fields  map[string]string
	Numbers map[string]*float64
	// Multi holds the fields a record has several values of at once (the
	// programmes of its case), each value once; a field listed here with
	// no values has the one value "". Fields does not repeat them.
	Multi map[string][]string
}

// Values returns r's values of field: one, or for a Multi field each of
// them ("" when it has none).
func (r *Record) Values(field string) []string {
	if vs, ok := r.Multi[field]; ok {
		if len(vs) == 0 {
			return []string{""}
		}
		return vs
	}
	return []string{r.Fields[field]}
}

// Pass reports whether r passes f; a Multi field passes when one of its
// values is listed.
func (f Filter) Pass(r *Record) bool {
	for field, vals := range f {
		if !slices.ContainsFunc(r.Values(field), func(v string) bool { return slices.Contains(vals, v) }) {
			return false
		}
	}
	return true
}

// AgeGroup returns the age group of a person born in year (0: unknown) in
// the year of the month.
func AgeGroup(birthYear, year int) string {
	if birthYear <= 0 {
		return "unknown"
	}
	switch age := year - birthYear; {
	case age < 0:
		return "unknown"
	case age < 18:
		return "0-17"
	case age < 25:
		return "18-24"
	case age < 35:
		return "25-34"
	case age < 45:
		return "35-44"
	case age < 60:
		return "45-59"
	default:
		return "60+"
	}
}

// AgeGroups lists the age groups in order.
var AgeGroups = []string{"0-17", "18-24", "25-34", "35-44", "45-59", "60+", "unknown"}

// Cell is one aggregate row: an indicator's numerator and denominator in
// one organisation and month, for one combination of disaggregations
// (ByFields "" is the total; "district,sex" is one district's women, say,
// with ByValues "BD3026|female").
type Cell struct {
	Code, OrgID, Period string
	ByFields, ByValues  string
	Numerator           float64
	Denominator         float64
	// Spread counts the records of each whole value (a median's cells
	// only).
	Spread map[int]float64
}

// Result makes an indicator's value from a numerator and denominator, or
// nil when the denominator is empty (no value rather than a division by
// zero).
func (d *Definition) Result(num, den float64) *float64 {
	var v float64
	switch d.Unit {
	case Count, Amount:
		v = num
	case Percent:
		if den == 0 {
			return nil
		}
		v = 100 * num / den
	case Mean:
		if den == 0 {
			return nil
		}
		v = num / den
	default: // a median is made from its spread (MakeRow)
		return nil
	}
	return &v
}

// Month is a calendar month, YYYY-MM.
type Month string

// ParseRange reads a period from..to (YYYY-MM each, to included); an empty
// from or to is the 12 months up to now's month.
func ParseRange(from, to string, now time.Time) (Month, Month, error) {
	var v homeward.Validation
	parse := func(field, s string, def time.Time) Month {
		if s == "" {
			return Month(def.Format("2006-01"))
		}
		t, err := time.Parse("2006-01", s)
		if err != nil {
			v.AddArgs(field, "indicator.month", map[string]any{"value": s}, "%q is not a month (YYYY-MM).", s)
			return ""
		}
		return Month(t.Format("2006-01"))
	}
	t := parse("to", to, now)
	f := parse("from", from, homeward.AddMonths(now, -11))
	if err := v.Err(); err != nil {
		return "", "", err
	}
	if f > t {
		return "", "", homeward.FieldErrorf("from", "indicator.range", "The period ends before it starts.")
	}
	return f, t, nil
}

// ParseBy reads a comma-separated list of disaggregations allowed by d.
func (d *Definition) ParseBy(s string) ([]string, error) {
	if s == "" {
		return nil, nil
	}
	var by []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if !slices.Contains(d.By, f) {
			e := homeward.FieldErrorf("by", "indicator.by", "%s cannot be broken down by %q; it can by: %s.", d.Code, f, strings.Join(d.By, ", "))
			e.Args = map[string]any{"code": d.Code, "value": f, "allowed": strings.Join(d.By, ", ")}
			return nil, e
		}
		if !slices.Contains(by, f) {
			by = append(by, f)
		}
	}
	if len(by) > MaxBy {
		e := homeward.FieldErrorf("by", "indicator.by_max", "Break an indicator down by at most %d fields at once.", MaxBy)
		e.Args = map[string]any{"max": MaxBy}
		return nil, e
	}
	sort.Strings(by)
	return by, nil
}

// K is the smallest number of people a disaggregated figure may describe:
// a cell of fewer (but some) is suppressed, so that a breakdown by district
// and sex cannot single out the one woman who returned to an upazila.
const K = 5

// Row is one value of a series: a month and, when broken down, the values
// of the disaggregations.
type Row struct {
	Period      string            `json:"period"`
	By          map[string]string `json:"by,omitempty"`
	Numerator   *float64          `json:"numerator"`
	Denominator *float64          `json:"denominator"`
	Value       *float64          `json:"value"`
	// Suppressed is set when the row describes fewer than K people: its
	// figures are left out.
	Suppressed bool `json:"suppressed,omitempty"`
}

// Series is an indicator's values over a period.
type Series struct {
	Code       string     `json:"code"`
	Version    int        `json:"version"`
	Unit       Unit       `json:"unit"`
	ComputedAt *time.Time `json:"computed_at"` // nil: never computed
	From       Month      `json:"from"`
	To         Month      `json:"to"`
	By         []string   `json:"by"`
	Rows       []Row      `json:"rows"` // read-only: a store may share them between readers
	Suppressed int        `json:"suppressed"`
	District   string     `json:"district,omitempty"`
	Upazila    string     `json:"upazila,omitempty"`
	Programme  string     `json:"programme,omitempty"`
}

// Query asks for a series.
type Query struct {
	From, To Month
	By       []string
	// OrgID narrows the series to one organisation; "" is every
	// organisation the reader may see (their own; all for the operator).
	OrgID string
	// District narrows the series to one district (a p-code), read from
	// the cells broken down by district (small ones suppressed); an
	// indicator that is not broken down by district has no rows then.
	District string
	// Upazila and Programme narrow the series the same way, to one
	// upazila (a p-code) and to the cases of one programme (its code).
	// Each narrowing takes one of the MaxBy fields of a cell: with two of
	// them, the series cannot be broken down further.
	Upazila   string
	Programme string
	// Whole reads the period as one: each row sums its months (a row
	// of fewer than K people over the whole period is suppressed), and
	// its Period is "from..to".
	Whole bool
}

// Narrowing returns the fields q narrows the series by, and their values.
func (q Query) Narrowing() map[string]string {
	out := map[string]string{}
	if q.District != "" {
		out["district"] = q.District
	}
	if q.Upazila != "" {
		out["upazila"] = q.Upazila
	}
	if q.Programme != "" {
		out["programme"] = q.Programme
	}
	return out
}

// ParseArea reads an area filter: a district's or an upazila's p-code,
// returned as the one or the other.
func ParseArea(area string) (district, upazila string, err error) {
	area = strings.ToUpper(strings.TrimSpace(area))
	if area == "" {
		return "", "", nil
	}
	switch a := reference.Area(area); {
	case a != nil && a.Level == "district":
		return a.Code, "", nil
	case a != nil && a.Level == "upazila":
		return "", a.Code, nil
	}
	e := homeward.FieldErrorf("area", "indicator.area", "%q is not the p-code of a district or an upazila.", area)
	e.Args = map[string]any{"value": area}
	return "", "", e
}

// Request asks for one indicator's series.
type Request struct {
	Def   *Definition
	Query Query
}

// MakeRow builds a row from summed numerator and denominator (and, for a
// median, the cells' spreads joined by commas), suppressing a broken-down
// row of fewer than K people.
func (d *Definition) MakeRow(period string, by []string, values string, num, den float64, spread string) Row {
	r := Row{Period: period}
	if len(by) > 0 {
		r.By = map[string]string{}
		vals := strings.Split(values, "|")
		for i, f := range by {
			if i < len(vals) {
				r.By[f] = vals[i]
			}
		}
		if den > 0 && den < K {
			r.Suppressed = true
			return r
		}
	}
	r.Numerator, r.Denominator, r.Value = &num, &den, d.Result(num, den)
	if d.Unit == Median {
		// the records counted, and their middle value
		r.Numerator, r.Value = nil, MedianOf(ParseSpread(spread))
	}
	return r
}

// EncodeSpread writes a spread as "value:records" pairs in value order.
func EncodeSpread(s map[int]float64) string {
	keys := slices.Sorted(maps.Keys(s))
	var b strings.Builder
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(k))
		b.WriteByte(':')
		b.WriteString(strconv.FormatFloat(s[k], 'f', -1, 64))
	}
	return b.String()
}

// ParseSpread reads spreads written by EncodeSpread, joined by commas,
// adding up the records of equal values; malformed pairs are skipped.
func ParseSpread(s string) map[int]float64 {
	out := map[int]float64{}
	for pair := range strings.SplitSeq(s, ",") {
		k, n, ok := strings.Cut(pair, ":")
		if !ok {
			continue
		}
		v, err1 := strconv.Atoi(k)
		c, err2 := strconv.ParseFloat(n, 64)
		if err1 == nil && err2 == nil && c > 0 {
			out[v] += c
		}
	}
	return out
}

// MedianOf returns the median value of a spread (the mean of the two
// middle values when the records are even), or nil when it is empty.
func MedianOf(s map[int]float64) *float64 {
	var total float64
	for _, c := range s {
		total += c
	}
	if total == 0 {
		return nil
	}
	// the 1-based positions of the middle record(s)
	lo, hi := math.Floor((total+1)/2), math.Ceil((total+1)/2)
	var seen float64
	var low float64
	found := false
	for _, k := range slices.Sorted(maps.Keys(s)) {
		next := seen + s[k]
		if !found && lo <= next {
			low, found = float64(k), true
		}
		if hi <= next {
			m := (low + float64(k)) / 2
			return &m
		}
		seen = next
	}
	return nil
}

// RebuildReport says what a rebuild computed.
type RebuildReport struct {
	Indicators int `json:"indicators"`
	Records    int `json:"records"`
	Cells      int `json:"cells"`
	// Written is how many aggregate rows were inserted, updated or
	// deleted: a rebuild writes only the cells that changed (all of them
	// when most did).
	Written int           `json:"written"`
	Took    time.Duration `json:"took"`
}

// Service reads precomputed indicators and rebuilds them. Implementations
// enforce the policy for the actor in ctx.
type Service interface {
	IndicatorSeries(ctx context.Context, d *Definition, q Query) (*Series, error)
	IndicatorPage(ctx context.Context, reqs []Request) ([]*Series, error)
	IndicatorStatus(ctx context.Context) (map[string]time.Time, error)
	RebuildIndicators(ctx context.Context, defs []*Definition) (*RebuildReport, error)
}

// Find returns the standard indicator with code, or a not-found error.
func Find(code string) (*Definition, error) {
	for _, d := range Standard() {
		if d.Code == code {
			return d, nil
		}
	}
	return nil, homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
}

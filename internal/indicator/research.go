package indicator

import (
	"encoding/csv"
	"io"
	"slices"
	"strconv"
	"strings"

	"homeward"
)

// ResearchColumns are the columns of the de-identified research extract:
// no name, identifier, phone or free text; the return date coarsened to its
// month, the age to a group, the place to a district.
var ResearchColumns = []string{"sex", "age_group", "district", "destination_country", "return_type", "return_month",
	"case_status", "has_plan", "referrals", "services_completed", "baseline_score", "latest_round", "latest_score", "latest_income_source"}

// QuasiIdentifiers are the columns that, combined, could single a person
// out, and that the k-anonymity check may be asked to cover.
var QuasiIdentifiers = []string{"sex", "age_group", "district", "destination_country", "return_type", "return_month"}

// ResearchRow is one person's row of the extract, by column.
type ResearchRow map[string]string

// ParseQuasi reads a comma-separated list of quasi-identifiers.
func ParseQuasi(s string) ([]string, error) {
	var out []string
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		if !slices.Contains(QuasiIdentifiers, f) {
			e := homeward.FieldErrorf("quasi", "research.quasi", "%q is not a quasi-identifier of the extract (%s).", f, strings.Join(QuasiIdentifiers, ", "))
			e.Args = map[string]any{"value": f, "allowed": strings.Join(QuasiIdentifiers, ", ")}
			return nil, e
		}
		if !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	if len(out) == 0 {
		return nil, homeward.FieldErrorf("quasi", "research.quasi_none", "Name at least one quasi-identifier.")
	}
	return out, nil
}

// Anonymiser makes an extract k-anonymous on its quasi-identifiers in two
// passes over the rows, so that memory holds counts, not rows: Count sees
// every row; then Write writes each row whose combination of
// quasi-identifiers is shared by at least K rows, after values of a
// quasi-identifier held by fewer than K rows were grouped as "other".
type Anonymiser struct {
	Quasi []string
	K     int
	// values counts each quasi-identifier's values; combos each
	// combination's rows (after grouping).
	values map[string]map[string]int
	combos map[string]int
	// What Write did.
	Rows, Written, Suppressed, Grouped int
}

// NewAnonymiser returns an anonymiser for quasi and k (at least 2).
func NewAnonymiser(quasi []string, k int) (*Anonymiser, error) {
	if k < 2 || k > 1000 {
		e := homeward.FieldErrorf("k", "research.k", "k must be between 2 and 1000.")
		return nil, e
	}
	a := &Anonymiser{Quasi: quasi, K: k, values: map[string]map[string]int{}, combos: map[string]int{}}
	for _, q := range quasi {
		a.values[q] = map[string]int{}
	}
	return a, nil
}

// CountValues is the first pass: it counts each quasi-identifier's values.
func (a *Anonymiser) CountValues(r ResearchRow) {
	for _, q := range a.Quasi {
		a.values[q][r[q]]++
	}
}

// group replaces rare values of r's quasi-identifiers by "other" and says
// how many it replaced.
func (a *Anonymiser) group(r ResearchRow) int {
	n := 0
	for _, q := range a.Quasi {
		if a.values[q][r[q]] < a.K && r[q] != "other" {
			r[q] = "other"
			n++
		}
	}
	return n
}

func (a *Anonymiser) key(r ResearchRow) string {
	parts := make([]string, len(a.Quasi))
	for i, q := range a.Quasi {
		parts[i] = r[q]
	}
	return strings.Join(parts, "\x00")
}

// CountCombos is the second pass: it counts each combination after
// grouping.
func (a *Anonymiser) CountCombos(r ResearchRow) {
	a.group(r)
	a.combos[a.key(r)]++
}

// Writer writes the extract as CSV, one row at a time (the third pass).
type Writer struct {
	a  *Anonymiser
	cw *csv.Writer
}

// NewWriter starts the CSV extract on w with its header.
func (a *Anonymiser) NewWriter(w io.Writer) (*Writer, error) {
	cw := csv.NewWriter(w)
	if err := cw.Write(ResearchColumns); err != nil {
		return nil, err
	}
	return &Writer{a: a, cw: cw}, nil
}

// Write writes r unless its combination is shared by fewer than K rows.
func (w *Writer) Write(r ResearchRow) error {
	a := w.a
	a.Rows++
	a.Grouped += a.group(r)
	if a.combos[a.key(r)] < a.K {
		a.Suppressed++
		return nil
	}
	rec := make([]string, len(ResearchColumns))
	for i, c := range ResearchColumns {
		rec[i] = safeCell(r[c])
	}
	a.Written++
	return w.cw.Write(rec)
}

// Flush ends the extract.
func (w *Writer) Flush() error {
	w.cw.Flush()
	return w.cw.Error()
}

// safeCell keeps a spreadsheet from reading a cell as a formula.
func safeCell(s string) string {
	if _, err := strconv.ParseFloat(s, 64); err == nil {
		return s
	}
	if s != "" && strings.ContainsAny(s[:1], "=+-@\t\r") {
		return "'" + s
	}
	return s
}

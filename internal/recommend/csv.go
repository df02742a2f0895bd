package recommend

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"homeward"
)

// Limits on the files ReadCases and ReadProfiles accept, checked while
// reading (nothing larger is ever held in memory).
const (
	MaxCSVBytes = 64 << 20
	MaxCSVRows  = 1_000_000
	MaxCellLen  = 1000
)

// InputError is a problem with an input file or model: Key and Args select
// the translated message in the recommend catalog, Message is the English
// text. Line and Column locate it when they are known (Line 0 otherwise).
type InputError struct {
	Line    int
	Column  string
	Key     string
	Args    map[string]any
	Message string
	// TooLarge marks a size limit (an HTTP 413 rather than a 400).
	TooLarge bool
}

func (e *InputError) Error() string { return e.Message }

// As lets errors.As see an InputError as a *homeward.Error, so the web layer
// and i18n.Error translate it like any other user-facing error.
func (e *InputError) As(target any) bool {
	t, ok := target.(**homeward.Error)
	if !ok {
		return false
	}
	code := homeward.EINVALID
	if e.TooLarge {
		code = homeward.ETOOLARGE
	}
	*t = &homeward.Error{Code: code, Key: e.Key, Message: e.Message, Field: e.Column, Args: e.Args}
	return true
}

func inputErr(key string, args map[string]any, format string, a ...any) *InputError {
	e := &InputError{Key: key, Args: args, Message: fmt.Sprintf(format, a...)}
	if l, ok := args["line"].(int); ok {
		e.Line = l
	}
	if c, ok := args["column"].(string); ok {
		e.Column = c
	}
	return e
}

func cellErr(key string, line int, column, value, what string, extra map[string]any) *InputError {
	args := map[string]any{"line": line, "column": column, "value": value}
	for k, v := range extra {
		args[k] = v
	}
	return inputErr(key, args, "line %d, column %q: %q %s", line, column, value, what)
}

// errTooLarge is returned by the limited reader past MaxCSVBytes.
var errTooLarge = errors.New("recommend: input too large")

// limitedReader returns errTooLarge, rather than a silent EOF, once more
// than n bytes have been read.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		// One byte more tells a file of exactly the limit from a larger one.
		var one [1]byte
		if k, _ := l.r.Read(one[:]); k > 0 {
			return 0, errTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	k, err := l.r.Read(p)
	l.n -= int64(k)
	return k, err
}

// featureColumns are the columns every file must have.
var featureColumns = []string{"sex", "age", "education", "occupation_abroad", "years_abroad", "skill_level", "debt_ratio",
	"return_type", "urban", "distress", "business_experience", "rss_economic_baseline"}

// table reads a CSV file under the size limits and hands each row to fn
// with a getter for a named column.
func table(r io.Reader, required []string, fn func(line int, get func(string) (string, bool)) error) error {
	cr := csv.NewReader(&limitedReader{r: r, n: MaxCSVBytes})
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return inputErr("recommend.csv.empty", nil, "the file is empty: it needs a header row and at least one row")
	}
	if err != nil {
		return readErr(err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if _, dup := col[h]; dup && h != "" {
			return inputErr("recommend.csv.duplicate_column", map[string]any{"line": 1, "column": h}, "line 1: the column %q appears twice", h)
		}
		col[h] = i
	}
	for _, c := range required {
		if _, ok := col[c]; !ok {
			return inputErr("recommend.csv.missing_column", map[string]any{"column": c}, "the header has no column %q", c)
		}
	}
	rows := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return readErr(err)
		}
		rows++
		if rows > MaxCSVRows {
			return inputErr("recommend.csv.too_many_rows", map[string]any{"limit": MaxCSVRows}, "the file has more than %d rows", MaxCSVRows)
		}
		line, _ := cr.FieldPos(0)
		for name, i := range col {
			if len(rec[i]) > MaxCellLen {
				return inputErr("recommend.csv.cell_too_long", map[string]any{"line": line, "column": name, "limit": MaxCellLen},
					"line %d, column %q: the cell is longer than %d bytes", line, name, MaxCellLen)
			}
		}
		get := func(name string) (string, bool) {
			i, ok := col[name]
			if !ok {
				return "", false
			}
			return strings.TrimSpace(rec[i]), true
		}
		if err := fn(line, get); err != nil {
			return err
		}
	}
	if rows == 0 {
		return inputErr("recommend.csv.no_rows", nil, "the file has a header but no rows")
	}
	return nil
}

func readErr(err error) error {
	if errors.Is(err, errTooLarge) {
		e := inputErr("recommend.csv.too_large", map[string]any{"limit": MaxCSVBytes}, "the file is larger than %d bytes", MaxCSVBytes)
		e.TooLarge = true
		return e
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return inputErr("recommend.csv.syntax", map[string]any{"line": pe.Line}, "line %d: the row is not valid CSV (%v)", pe.Line, pe.Err)
	}
	return fmt.Errorf("recommend: reading CSV: %w", err)
}

// rowReader parses the cells of one row, keeping the first error.
type rowReader struct {
	line int
	get  func(string) (string, bool)
	err  error
}

func (r *rowReader) fail(e error) {
	if r.err == nil {
		r.err = e
	}
}

func (r *rowReader) number(col string, lo, hi float64) float64 {
	s, _ := r.get(col)
	if r.err != nil {
		return 0
	}
	if s == "" {
		r.fail(inputErr("recommend.csv.required", map[string]any{"line": r.line, "column": col}, "line %d, column %q: a value is required", r.line, col))
		return 0
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v != v {
		r.fail(cellErr("recommend.csv.not_number", r.line, col, s, "is not a number", nil))
		return 0
	}
	if v < lo || v > hi {
		r.fail(cellErr("recommend.csv.out_of_range", r.line, col, s, fmt.Sprintf("is outside %g–%g", lo, hi), map[string]any{"min": lo, "max": hi}))
		return 0
	}
	return v
}

func (r *rowReader) oneOf(col string, allowed []string, empty string) string {
	s, _ := r.get(col)
	s = strings.ToLower(s)
	if s == "" && empty != "" {
		return empty
	}
	if r.err == nil && !slices.Contains(allowed, s) {
		list := strings.Join(allowed, ", ")
		r.fail(cellErr("recommend.csv.not_one_of", r.line, col, s, "is not one of "+list, map[string]any{"allowed": list}))
	}
	return s
}

func (r *rowReader) flag(col string) bool {
	s, _ := r.get(col)
	if r.err != nil {
		return false
	}
	switch s {
	case "0":
		return false
	case "1":
		return true
	}
	r.fail(cellErr("recommend.csv.not_flag", r.line, col, s, "is not 0 or 1", nil))
	return false
}

func (r *rowReader) profile() Profile {
	var p Profile
	p.ExternalID, _ = r.get("external_id")
	p.Sex = r.oneOf("sex", []string{"female", "male", "other", "unknown"}, "unknown")
	p.District, _ = r.get("district")
	p.Age = r.number("age", 10, 110)
	p.Education = r.oneOf("education", Educations, "")
	p.OccupationAbroad, _ = r.get("occupation_abroad")
	p.YearsAbroad = r.number("years_abroad", 0, 80)
	p.SkillLevel = r.number("skill_level", 0, 3)
	p.DebtRatio = r.number("debt_ratio", 0, 100)
	p.ReturnType = r.oneOf("return_type", ReturnTypes, "")
	p.Urban = r.flag("urban")
	p.Distress = r.flag("distress")
	p.BusinessExperience = r.flag("business_experience")
	p.RSSEconomicBaseline = r.number("rss_economic_baseline", 0, 1)
	return p
}

func (r *rowReader) services() []string {
	s, _ := r.get("services")
	var out []string
	for _, code := range strings.Split(s, ";") {
		code = strings.ToLower(strings.TrimSpace(code))
		if code == "" || slices.Contains(out, code) {
			continue
		}
		if !slices.Contains(Services, code) {
			r.fail(cellErr("recommend.csv.unknown_service", r.line, "services", code, "is not a known service", nil))
			return nil
		}
		out = append(out, code)
	}
	return out
}

// ReadProfiles reads the people to rank from a CSV file with a header row:
// external_id and the feature columns (sex, age, education,
// occupation_abroad, years_abroad, skill_level, debt_ratio, return_type,
// urban, distress, business_experience, rss_economic_baseline), district
// optional; other columns are ignored. Any bad cell fails the whole file
// with an *InputError naming the line and column.
func ReadProfiles(r io.Reader) ([]Profile, error) {
	var out []Profile
	err := table(r, append([]string{"external_id"}, featureColumns...), func(line int, get func(string) (string, bool)) error {
		rr := &rowReader{line: line, get: get}
		p := rr.profile()
		if rr.err != nil {
			return rr.err
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ReadCases reads past cases from a CSV file: the columns of ReadProfiles
// (external_id optional) plus services (codes of Services separated by ";",
// possibly empty) and rss_economic_12m, the outcome.
func ReadCases(r io.Reader) ([]Case, error) {
	var out []Case
	err := table(r, append(slices.Clone(featureColumns), "services", "rss_economic_12m"), func(line int, get func(string) (string, bool)) error {
		rr := &rowReader{line: line, get: get}
		c := Case{Profile: rr.profile()}
		c.Services = rr.services()
		c.Outcome = rr.number("rss_economic_12m", 0, 1)
		if rr.err != nil {
			return rr.err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// WriteCases writes cases in the format ReadCases reads.
func WriteCases(w io.Writer, cases []Case) error {
	cw := csv.NewWriter(w)
	header := append([]string{"external_id", "district"}, featureColumns...)
	header = append(header, "services", "rss_economic_12m")
	if err := cw.Write(header); err != nil {
		return err
	}
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	b := func(v bool) string {
		if v {
			return "1"
		}
		return "0"
	}
	for _, c := range cases {
		p := c.Profile
		rec := []string{p.ExternalID, p.District, p.Sex, f(p.Age), p.Education, p.OccupationAbroad, f(p.YearsAbroad), f(p.SkillLevel),
			f(p.DebtRatio), p.ReturnType, b(p.Urban), b(p.Distress), b(p.BusinessExperience), f(p.RSSEconomicBaseline),
			strings.Join(c.Services, ";"), f(c.Outcome)}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

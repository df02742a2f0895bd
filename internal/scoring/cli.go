package scoring

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"homeward"
)

// MaxAnswersSize bounds an answers file read by the commands.
const MaxAnswersSize = 256 << 20

// ScoreCLI implements `homeward score [--scheme SCHEME.json] [ANSWERS.json]`.
// It prints {"dimensions": {…}, "composite": …, "coverage": {…}} with null
// where there is no score. ANSWERS.json is one JSON object mapping indicator
// ids to answers; without it (or with "-") answers are read from stdin.
// Without --scheme the shipped default scheme is used.
func ScoreCLI(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	schemePath := fs.String("scheme", "", "scoring scheme JSON file (default: the shipped rss scheme)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: homeward score [--scheme SCHEME.json] [ANSWERS.json|-]")
		fmt.Fprintln(stderr, "       homeward score calibrate --scheme SCHEME.json --answers FILE.jsonl|.json|.csv --out NEW.json")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		fs.Usage()
		return errors.New("score: give at most one answers file")
	}
	s, err := loadScheme(*schemePath, stderr)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	in := stdin
	name := "stdin"
	if fs.NArg() == 1 && fs.Arg(0) != "-" {
		name = fs.Arg(0)
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	var answers map[string]any
	dec := json.NewDecoder(io.LimitReader(in, MaxAnswersSize))
	dec.UseNumber()
	if err := dec.Decode(&answers); err != nil {
		return fmt.Errorf("score: %s: answers must be one JSON object mapping indicator ids to answers: %v", name, err)
	}
	res, err := s.Score(answers)
	if err != nil {
		printErrors(stderr, name, err)
		return fmt.Errorf("score: %s: answers do not fit scheme %s %s", name, s.ID, s.Version)
	}
	out := struct {
		Dimensions map[string]*float64 `json:"dimensions"`
		Composite  *float64            `json:"composite"`
		Coverage   map[string]float64  `json:"coverage"`
	}{res.Dimensions, res.Composite, res.Coverage}
	// Full precision (the shortest decimal that reads back as the same
	// float64), so that results can be compared exactly.
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func loadScheme(path string, stderr io.Writer) (*Scheme, error) {
	if path == "" {
		return Default(), nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := ParseScheme(f)
	if err != nil {
		printErrors(stderr, path, err)
		return nil, fmt.Errorf("score: %s is not a valid scoring scheme", path)
	}
	return s, nil
}

// printErrors writes each field error as "file: path: message".
func printErrors(w io.Writer, file string, err error) {
	var e *homeward.Error
	if !errors.As(err, &e) {
		fmt.Fprintf(w, "%s: %v\n", file, err)
		return
	}
	if len(e.Fields) == 0 {
		fmt.Fprintf(w, "%s: %s%s\n", file, prefix(e.Field), e.Message)
	}
	for _, fe := range e.Fields {
		msg := fe.Message
		if strings.HasPrefix(msg, fe.Field+":") {
			msg = strings.TrimSpace(strings.TrimPrefix(msg, fe.Field+":"))
		}
		fmt.Fprintf(w, "%s: %s%s\n", file, prefix(fe.Field), msg)
	}
}

func prefix(field string) string {
	if field == "" {
		return ""
	}
	return field + ": "
}

// CalibrateCLI implements `homeward score calibrate --scheme S.json --answers
// FILE --out NEW.json [--version V]`. FILE holds one answer set per line
// (.jsonl), a JSON array of objects (.json) or a CSV table with indicator ids
// as column headers (.csv; empty cells are unanswered, numbers are numbers,
// select_multiple cells list choices separated by spaces); "-" reads JSON
// lines from stdin. It writes the new scheme version to --out ("-" for
// stdout, in which case the report goes to stderr) and prints the variance
// explained; it activates nothing.
func CalibrateCLI(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("score calibrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	schemePath := fs.String("scheme", "", "scoring scheme to calibrate (default: the shipped rss scheme)")
	answersPath := fs.String("answers", "", "answers: .jsonl, .json array or .csv")
	outPath := fs.String("out", "", "where to write the new scheme version")
	version := fs.String("version", "", "version of the new scheme (default: <old>-pca.<date>)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *answersPath == "" || *outPath == "" || fs.NArg() > 0 {
		fs.Usage()
		return errors.New("score calibrate: --answers and --out are required")
	}
	s, err := loadScheme(*schemePath, stderr)
	if err != nil {
		return err
	}
	rows, err := readAnswers(*answersPath, stdin, s)
	if err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	cal, err := Calibrate(s, rows, CalibrateOptions{Version: *version})
	if err != nil {
		printErrors(stderr, *answersPath, err)
		return fmt.Errorf("score calibrate: could not calibrate %s %s", s.ID, s.Version)
	}
	report := stdout
	if *outPath == "-" {
		report = stderr
		if _, err := stdout.Write(cal.Scheme.MarshalIndent()); err != nil {
			return err
		}
	} else if err := os.WriteFile(*outPath, cal.Scheme.MarshalIndent(), 0o644); err != nil {
		return err
	}
	PrintCalibration(report, s, cal)
	if *outPath != "-" {
		fmt.Fprintf(report, "wrote %s (version %s); review it, then activate it to use it\n", *outPath, cal.Scheme.Version)
	}
	return nil
}

// PrintCalibration writes a readable report of a calibration.
func PrintCalibration(w io.Writer, old *Scheme, c *Calibration) {
	fmt.Fprintf(w, "calibrated %s %s → %s from %d answer sets\n", old.ID, old.Version, c.Scheme.Version, c.Rows)
	for i, d := range c.Dimensions {
		fmt.Fprintf(w, "%s: variance explained %.1f%% (%d answer sets)\n", d.ID, 100*d.VarianceExplained, d.Rows)
		for _, in := range c.Scheme.Dimensions[i].Indicators {
			fmt.Fprintf(w, "  %-28s weight %6.3f  loading %7.4f\n", in.ID, in.Weight, d.Loadings[in.ID])
		}
	}
	if c.Composite != nil {
		fmt.Fprintf(w, "composite: variance explained %.1f%%\n", 100*c.Composite.VarianceExplained)
		for _, d := range c.Scheme.Dimensions {
			fmt.Fprintf(w, "  %-28s weight %6.3f\n", d.ID, d.Weight)
		}
	}
	for _, warn := range c.Warnings {
		fmt.Fprintf(w, "warning: %s\n", warn)
	}
}

// readAnswers reads answer sets from a .jsonl, .json or .csv file.
func readAnswers(path string, stdin io.Reader, s *Scheme) ([]map[string]any, error) {
	var r io.Reader = stdin
	if path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	r = io.LimitReader(r, MaxAnswersSize)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return readCSV(r, path, s)
	case ".json":
		var rows []map[string]any
		dec := json.NewDecoder(r)
		dec.UseNumber()
		if err := dec.Decode(&rows); err != nil {
			return nil, fmt.Errorf("%s: expected a JSON array of answer objects: %v", path, err)
		}
		return rows, nil
	}
	var rows []map[string]any
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for line := 1; sc.Scan(); line++ {
		b := bytes.TrimSpace(sc.Bytes())
		if len(b) == 0 {
			continue
		}
		var m map[string]any
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err := dec.Decode(&m); err != nil {
			return nil, fmt.Errorf("%s:%d: expected one JSON object per line: %v", path, line, err)
		}
		rows = append(rows, m)
	}
	return rows, sc.Err()
}

func readCSV(r io.Reader, path string, s *Scheme) ([]map[string]any, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("%s: no header row: %v", path, err)
	}
	banded := map[string]bool{}
	scored := map[string]map[string]*float64{}
	for _, d := range s.Dimensions {
		for _, in := range d.Indicators {
			if len(in.Bands) > 0 {
				banded[in.ID] = true
			} else {
				scored[in.ID] = in.Scores
			}
		}
	}
	for i := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(header[i], "\ufeff"))
	}
	var rows []map[string]any
	for line := 2; ; line++ {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %v", path, err)
		}
		m := map[string]any{}
		for i, cell := range rec {
			if i >= len(header) {
				break
			}
			cell = strings.TrimSpace(cell)
			if cell == "" {
				continue
			}
			col := header[i]
			switch {
			case banded[col]:
				f, err := strconv.ParseFloat(cell, 64)
				if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
					return nil, fmt.Errorf("%s: row %d, column %s: %q is not a number", path, line, col, cell)
				}
				m[col] = f
			case scored[col] != nil:
				if _, ok := scored[col][cell]; !ok && strings.Contains(cell, " ") {
					m[col] = strings.Fields(cell) // select_multiple
				} else {
					m[col] = cell
				}
			default:
				m[col] = cell
			}
		}
		rows = append(rows, m)
	}
	return rows, nil
}

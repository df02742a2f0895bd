// Package dedupecli implements `homeward dedupe`: duplicate detection over
// an import CSV file, or linkage of two files, without a database.
package dedupecli

import (
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"time"

	"homeward/internal/match"
)

const usage = `usage: homeward dedupe [flags] INPUT.csv

Finds records in INPUT.csv (the import CSV format: external_id, given_name,
family_name, full_name_native, sex, date_of_birth, father_name, mother_name,
phone, national_id, passport_number, admin_area, address, postcode …) that
describe the same person, and writes the pairs to standard output as CSV:

    id_a,id_b,score,decision

where the ids are external_id values, score is the match probability and
decision is "match" or "possible" (for review). Non-matches are not written.
With --link B.csv, pairs link a record of INPUT.csv (id_a) to one of B.csv
(id_b) instead. Use - as INPUT.csv to read standard input.

Flags:
`

// Run executes the dedupe command with args (without the command name).
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("dedupe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	link := fs.String("link", "", "link INPUT.csv to this second file instead of deduplicating one file")
	matchT := fs.Float64("match-threshold", match.DefaultMatchThreshold, "probability at or above which a pair is a match")
	possibleT := fs.Float64("possible-threshold", match.DefaultPossibleThreshold, "probability at or above which a pair is a possible match (for review)")
	variants := fs.String("variants", "", "file of extra name-variant lines (first word = key, then spellings) added to the shipped table")
	progress := fs.String("progress", "auto", "progress bar on standard error: auto (when it is a terminal), always or never")
	workers := fs.Int("workers", 0, "parallel workers (default: number of CPUs)")
	modelOut := fs.String("model-out", "", "write the estimated model (JSON) to this file")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errors.New("dedupe: expected exactly one INPUT.csv")
	}
	if !(*possibleT > 0 && *possibleT <= *matchT && *matchT <= 1) {
		return fmt.Errorf("dedupe: thresholds must satisfy 0 < --possible-threshold (%g) ≤ --match-threshold (%g) ≤ 1", *possibleT, *matchT)
	}
	showProgress := false
	switch *progress {
	case "always":
		showProgress = true
	case "never":
	case "auto":
		showProgress = isTerminal(stderr)
	default:
		return fmt.Errorf("dedupe: --progress must be auto, always or never, not %q", *progress)
	}
	opt := match.Options{MatchThreshold: *matchT, PossibleThreshold: *possibleT, Workers: *workers}
	if *variants != "" {
		v := match.NewVariants()
		f, err := os.Open(*variants)
		if err != nil {
			return fmt.Errorf("dedupe: %w", err)
		}
		err = v.Load(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("dedupe: %s: %w", *variants, err)
		}
		opt.Variants = v
	}
	// A million records fit in well under 4 GB if the collector does not
	// let garbage pile up to twice the live heap; the limit is soft.
	if debug.SetMemoryLimit(-1) == math.MaxInt64 {
		debug.SetMemoryLimit(2 << 30)
	}
	start := time.Now()
	as, err := readFile(ctx, fs.Arg(0), stdin, stderr)
	if err != nil {
		return err
	}
	var bs []match.Record
	if *link != "" {
		if bs, err = readFile(ctx, *link, stdin, stderr); err != nil {
			return err
		}
	}
	var bar *progressBar
	if showProgress {
		bar = &progressBar{w: stderr, start: time.Now()}
		opt.Progress = bar.update
	}
	var res *match.Result
	if *link != "" {
		res, err = match.Link(ctx, as, bs, opt)
	} else {
		res, err = match.Dedupe(ctx, as, opt)
	}
	if bar != nil {
		bar.finish()
	}
	if err != nil {
		return fmt.Errorf("dedupe: %w", err)
	}
	bw := bufio.NewWriterSize(stdout, 1<<16)
	cw := csv.NewWriter(bw)
	_ = cw.Write([]string{"id_a", "id_b", "score", "decision"})
	counts := map[match.Decision]int{}
	for _, p := range res.Pairs {
		if p.Decision == match.NonMatch {
			continue
		}
		counts[p.Decision]++
		_ = cw.Write([]string{p.A, p.B, strconv.FormatFloat(p.Score, 'f', 4, 64), p.Decision.String()})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("dedupe: writing output: %w", err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("dedupe: writing output: %w", err)
	}
	if *modelOut != "" {
		if err := os.WriteFile(*modelOut, []byte(res.Model.String()+"\n"), 0o644); err != nil {
			return fmt.Errorf("dedupe: %w", err)
		}
	}
	el := time.Since(start)
	fmt.Fprintf(stderr, "dedupe: %d records, %d pairs compared, %d matches, %d possible, in %s (scoring %.0f comparisons/s)\n",
		res.Records, res.Comparisons, counts[match.Match], counts[match.Possible], el.Round(time.Millisecond),
		float64(res.Comparisons)/max(res.ScoreElapsed.Seconds(), 1e-9))
	return nil
}

// readFile reads one import CSV; warnings (values compared as missing) go
// to stderr, at most 20 of them.
func readFile(ctx context.Context, name string, stdin io.Reader, stderr io.Writer) ([]match.Record, error) {
	var r io.Reader
	if name == "-" {
		r = stdin
	} else {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("dedupe: %w", err)
		}
		defer f.Close()
		r = f
	}
	recs, warns, err := match.ReadCSV(ctx, r)
	if err != nil {
		return nil, fmt.Errorf("dedupe: %s: %w", name, err)
	}
	for i, w := range warns {
		if i == 20 {
			fmt.Fprintf(stderr, "dedupe: %s: … and %d more warnings\n", name, len(warns)-20)
			break
		}
		fmt.Fprintf(stderr, "dedupe: %s: warning: %v\n", name, w)
	}
	return recs, nil
}

// progressBar draws "[#####     ] 52%  1m03s" on one line with \r.
type progressBar struct {
	mu    sync.Mutex
	w     io.Writer
	start time.Time
	drawn bool
}

func (p *progressBar) update(done, total int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if total <= 0 || time.Since(p.start) < time.Second {
		return // short runs need no bar
	}
	frac := float64(done) / float64(total)
	frac = max(0, min(1, frac))
	const width = 30
	n := int(frac * width)
	eta := ""
	if frac > 0.02 && frac < 1 {
		el := time.Since(p.start)
		eta = " eta " + (time.Duration(float64(el)/frac) - el).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r[%s%s] %3.0f%%%s   ", strings.Repeat("#", n), strings.Repeat(" ", width-n), 100*frac, eta)
	p.drawn = true
}

func (p *progressBar) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", 60)+"\r")
	}
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

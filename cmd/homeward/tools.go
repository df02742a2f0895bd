package main

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"homeward"
	"homeward/internal/form"
	"homeward/internal/match/dedupecli"
	"homeward/internal/match/gen"
	"homeward/internal/registry"
	"homeward/internal/scoring"
)

func init() {
	commands["dedupe"] = command{"find duplicate returnees in an import CSV (no database needed)", func(ctx context.Context, p *program, args []string) error {
		return dedupecli.Run(ctx, args, p.stdin, p.stdout, p.stderr)
	}}
	commands["score"] = command{"score answers with a scoring scheme; score calibrate derives weights", func(ctx context.Context, p *program, args []string) error {
		if len(args) > 0 && args[0] == "calibrate" {
			return scoring.CalibrateCLI(ctx, args[1:], p.stdin, p.stdout, p.stderr)
		}
		return scoring.ScoreCLI(ctx, args, p.stdin, p.stdout, p.stderr)
	}}
	commands["forms"] = command{"import an XLSForm into the form catalogue: forms import [--check] FILE.xlsx", cmdForms}
	commands["bench"] = command{"benchmarks and generators: bench gen, bench register, bench seed, bench search", cmdBench}
	commands["import"] = command{"import returnees from a CSV or XLSX file into an organisation", cmdImport}
}

func firstArg(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

func cmdBench(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	switch sub {
	case "gen":
		return gen.Run(ctx, rest, p.stdout, p.stderr)
	case "register":
		return benchRegister(ctx, p, rest)
	case "seed":
		return benchSeed(ctx, p, rest)
	case "search":
		return benchSearch(ctx, p, rest)
	case "dedupe":
		return benchDedupe(ctx, p, rest)
	case "index":
		return benchIndex(ctx, p, rest)
	case "indicators":
		return benchIndicators(ctx, p, rest)
	case "pages":
		return benchPages(ctx, p, rest)
	case "programmes":
		return benchProgrammes(ctx, p, rest)
	case "events":
		return benchEvents(ctx, p, rest)
	case "recover":
		return benchRecover(ctx, p, rest)
	case "nodes":
		return benchNodes(ctx, p, rest)
	}
	fmt.Fprintln(p.stderr, "Usage: homeward bench gen|register|seed|search|pages|dedupe|index|indicators|programmes|events|recover|nodes [flags]")
	return helpOrUsage(sub, "bench needs a subcommand: gen, register, seed, search, pages, dedupe, index, indicators, programmes, events, recover or nodes")
}

// progressBar draws "label [#####-----] n/total" on w with carriage
// returns; with total 0 it shows the count only.
type progressBar struct {
	w     io.Writer
	label string
	start time.Time
	last  time.Time
}

// update shows progress through the file (bytes n of total) and the rows
// handled so far.
func (b *progressBar) update(n, total int64, rows int, force bool) {
	if !force && time.Since(b.last) < 200*time.Millisecond {
		return
	}
	b.last = time.Now()
	rate := float64(rows) / max(time.Since(b.start).Seconds(), 1e-3)
	if total > 0 {
		const width = 30
		done := int(float64(width) * float64(n) / float64(total))
		done = min(done, width)
		fmt.Fprintf(b.w, "\r%s [%s%s] %3.0f%% %d rows, %d rows/s ", b.label, strings.Repeat("#", done), strings.Repeat("-", width-done), 100*float64(n)/float64(total), rows, int(rate))
	} else {
		fmt.Fprintf(b.w, "\r%s %d rows, %d rows/s ", b.label, rows, int(rate))
	}
}

func cmdImport(ctx context.Context, p *program, args []string) error {
	var as, errPath, lang, cpuprofile string
	var dry bool
	db, pos, err := withKeyedDB(ctx, p, "import", "import --as EMAIL [--dry-run] [--errors FILE.csv] FILE.csv|FILE.xlsx\n\nImports returnees in the documented header-mapped format (see README) as the user EMAIL\n(their organisation owns the records). Valid rows are written in batches; invalid rows are\nreported by line and column and written to --errors. Re-importing a file changes nothing.", args,
		func(fs *flagSetT) {
			fs.StringVar(&as, "as", "", "e-mail of the user the import acts as (a case worker or supervisor)")
			fs.BoolVar(&dry, "dry-run", false, "validate only; write nothing")
			fs.StringVar(&errPath, "errors", "", "write the rows that failed, with their errors, to this CSV file")
			fs.StringVar(&lang, "lang", "en", "language of the error messages (en, bn)")
			fs.StringVar(&cpuprofile, "cpuprofile", "", "write a CPU profile of the import to this file")
		})
	if err != nil {
		return err
	}
	defer db.Close()
	if len(pos) != 1 || as == "" {
		return usageError{"give --as EMAIL and one file"}
	}
	format, ok := registry.FormatFromName(pos[0])
	if !ok {
		return usageError{fmt.Sprintf("%s: the file must end in .csv or .xlsx", pos[0])}
	}
	u, err := findUser(ctx, db, as)
	if err != nil {
		return err
	}
	actor := &homeward.Actor{UserID: u.ID, OrgID: u.OrgID, Name: u.Name, Email: u.Email, Roles: u.Roles, Locale: u.Locale}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	st, _ := f.Stat()
	var errOut io.Writer
	if errPath != "" {
		ef, err := os.Create(errPath)
		if err != nil {
			return err
		}
		defer ef.Close()
		errOut = ef
	}
	if cpuprofile != "" {
		stop, err := startCPUProfile(cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	bar := &progressBar{w: p.stderr, label: filepath.Base(pos[0]), start: time.Now()}
	actx := homeward.NewContextWithActor(ctx, actor)
	read := int64(0)
	rep, err := registry.RunImport(actx, db, f, format, registry.ImportOptions{Now: db.Clock().Local()}, dry, errOut, lang, func(rows int, bytes int64) {
		read = bytes
		bar.update(bytes, st.Size(), rows, false)
	})
	if rep != nil {
		bar.update(read, st.Size(), rep.Rows, true)
	}
	fmt.Fprintln(p.stderr)
	if err != nil {
		return explain(err)
	}
	verb := "imported"
	if dry {
		verb = "checked (dry run, nothing written)"
	}
	fmt.Fprintf(p.stdout, "%s %d rows in %s: %d valid, %d invalid; %d created, %d updated, %d unchanged\n",
		verb, rep.Rows, time.Since(bar.start).Round(time.Millisecond), rep.Valid, rep.Invalid, rep.Created, rep.Updated, rep.Unchanged)
	if len(rep.MergedLines) > 0 {
		fmt.Fprintf(p.stdout, "not applied, the person was merged into another (review them): lines %v\n", rep.MergedLines)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(p.stdout, "warning: column %q: %s\n", w.Column, w.Message)
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(p.stdout, "line %d, column %s (%q): %s\n", e.Line, cmp.Or(e.Header, e.Column), e.Value, e.Message)
	}
	if rep.ErrorsTotal > len(rep.Errors) {
		fmt.Fprintf(p.stdout, "… and %d more problems", rep.ErrorsTotal-len(rep.Errors))
		if errPath != "" {
			fmt.Fprintf(p.stdout, " (all in %s)", errPath)
		}
		fmt.Fprintln(p.stdout)
	}
	return nil
}

// cmdForms imports an XLSForm into the database's form catalogue; with
// --check (or --json) it only parses and reports, touching no database.
func cmdForms(ctx context.Context, p *program, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprintln(p.stderr, "Usage: homeward forms import [--check] [--json] FILE.xlsx")
		return helpOrUsage(firstArg(args), "forms needs a subcommand: import")
	}
	for _, a := range args[1:] {
		if a == "--check" || a == "-check" || a == "--json" || a == "-json" || a == "-h" || a == "--help" {
			var rest []string
			for _, b := range args[1:] {
				if b != "--check" && b != "-check" {
					rest = append(rest, b)
				}
			}
			return form.ImportCLI(ctx, rest, p.stdout, p.stderr)
		}
	}
	db, pos, err := withDB(ctx, p, "forms import", "forms import [--check] FILE.xlsx\n\nParses the XLSForm and stores it as a new form version (a version already answered cannot be replaced).", args[1:], nil)
	if err != nil {
		return err
	}
	defer db.Close()
	if len(pos) != 1 {
		return usageError{"give one .xlsx file"}
	}
	f, err := os.Open(pos[0])
	if err != nil {
		return err
	}
	defer f.Close()
	fm, err := form.ParseXLSForm(f)
	if err != nil {
		return explain(err)
	}
	fv, err := db.ImportForm(system(ctx), fm)
	if err != nil {
		return explain(err)
	}
	fmt.Fprintf(p.stdout, "stored form %s version %s (%d questions)\n", fm.ID, fm.Version, len(fm.Questions))
	_ = fv
	return nil
}

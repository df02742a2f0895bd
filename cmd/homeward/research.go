package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/indicator"
	"homeward/internal/report"
	"homeward/internal/sqldb"
)

func init() {
	commands["indicators"] = command{"indicators rebuild: recompute every indicator from the records", cmdIndicators}
	commands["research"] = command{"research export: a de-identified, k-anonymous extract for a period", cmdResearch}
}

func cmdIndicators(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	if sub != "rebuild" {
		fmt.Fprintln(p.stderr, "Usage: homeward indicators rebuild [flags]")
		return helpOrUsage(sub, "indicators needs a subcommand: rebuild")
	}
	db, _, err := withKeyedDB(ctx, p, "indicators rebuild", "indicators rebuild [flags]\n\nRecomputes every standard indicator from the records into the aggregate tables the dashboards and\nthe API read (the server also does this every hour).", rest, nil)
	if err != nil {
		return err
	}
	defer db.Close()
	rep, err := db.RebuildIndicators(system(ctx), indicator.Standard())
	if err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "%d indicators from %d records: %d aggregate rows (%d written) in %s\n", rep.Indicators, rep.Records, rep.Cells, rep.Written, rep.Took.Round(time.Millisecond))
	return nil
}

func cmdResearch(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	if sub != "export" {
		fmt.Fprintln(p.stderr, "Usage: homeward research export --from YYYY-MM --to YYYY-MM --quasi sex,age_group,district --k 5 --out FILE.csv")
		return helpOrUsage(sub, "research needs a subcommand: export")
	}
	var from, to, quasi, out, org string
	var k int
	db, _, err := withDB(ctx, p, "research export", "research export --from YYYY-MM --to YYYY-MM --quasi FIELDS --k N --out FILE.csv [--org ID] [flags]\n\nWrites the people who returned in the period and consented to anonymised research, without names,\nidentifiers, phones or free text; dates as months, ages as groups, places as districts. Values of a\nquasi-identifier shared by fewer than k people are grouped as \"other\", and rows whose combination of\nquasi-identifiers is shared by fewer than k are left out. The export is recorded in the audit log.", rest,
		func(fs *flagSetT) {
			fs.StringVar(&from, "from", "", "first month of return (YYYY-MM)")
			fs.StringVar(&to, "to", "", "last month of return (YYYY-MM)")
			fs.StringVar(&quasi, "quasi", "sex,age_group,district,destination_country", "quasi-identifiers: "+strings.Join(indicator.QuasiIdentifiers, ", "))
			fs.IntVar(&k, "k", 5, "the smallest group of people a row may belong to")
			fs.StringVar(&out, "out", "", "the CSV file to write")
			fs.StringVar(&org, "org", "", "one organisation's people (default: every organisation)")
		})
	if err != nil {
		return err
	}
	defer db.Close()
	if from == "" || to == "" || out == "" {
		return usageError{"research export needs --from, --to and --out"}
	}
	f, t, err := indicator.ParseRange(from, to, time.Now())
	if err != nil {
		return err
	}
	q, err := indicator.ParseQuasi(quasi)
	if err != nil {
		return err
	}
	a, err := indicator.NewAnonymiser(q, k)
	if err != nil {
		return err
	}
	rep, err := researchExport(system(ctx), db, org, f, t, a, out)
	if err != nil {
		return err
	}
	fmt.Fprintln(p.stdout, rep)
	return nil
}

// researchExport runs the three passes of a k-anonymous extract (value
// counts, combination counts, writing) into out, through a temporary file
// beside it that is removed on every path but success, and records the
// export in the audit log.
func researchExport(ctx context.Context, db *sqldb.DB, org string, from, to indicator.Month, a *indicator.Anonymiser, out string) (string, error) {
	org, err := db.ResearchScope(ctx, org)
	if err != nil {
		return "", err
	}
	if _, err := db.ResearchRows(ctx, org, from, to, func(r indicator.ResearchRow) error { a.CountValues(r); return nil }); err != nil {
		return "", err
	}
	if _, err := db.ResearchRows(ctx, org, from, to, func(r indicator.ResearchRow) error { a.CountCombos(r); return nil }); err != nil {
		return "", err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".research-*.csv")
	if err != nil {
		return "", err
	}
	defer os.Remove(tmp.Name()) // gone after the rename; removed on any failure
	w, err := a.NewWriter(tmp)
	if err == nil {
		_, err = db.ResearchRows(ctx, org, from, to, w.Write)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), out)
	}
	if err != nil {
		return "", err
	}
	if err := db.RecordResearchExport(ctx, org, map[string]any{"from": from, "to": to, "quasi": a.Quasi, "k": a.K,
		"rows": a.Rows, "written": a.Written, "suppressed": a.Suppressed, "grouped": a.Grouped}); err != nil {
		return "", err
	}
	return fmt.Sprintf("%d people with research consent returned %s..%s: %d rows written to %s, %d suppressed (a combination of %s shared by fewer than %d), %d values grouped as \"other\"",
		a.Rows, from, to, a.Written, out, a.Suppressed, strings.Join(a.Quasi, ", "), a.K, a.Grouped), nil
}

// runIndicators rebuilds the indicators now and every interval until ctx
// ends; a failed rebuild is logged and tried again at the next tick.
func runIndicators(ctx context.Context, db *sqldb.DB, log *slog.Logger, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		rep, err := db.RebuildIndicators(system(ctx), indicator.Standard())
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			log.Error("indicators not rebuilt", "err", err)
		default:
			log.Info("indicators rebuilt", "indicators", rep.Indicators, "records", rep.Records, "rows", rep.Cells, "took", rep.Took.Round(time.Millisecond))
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// benchIndicators measures what the dashboard does: it rebuilds the
// indicators, then reads every standard indicator's last 12 months (as
// the dashboard page does, once in total and once by district) with
// concurrent readers, and prints the rebuild time and the page latencies.
func benchIndicators(ctx context.Context, p *program, args []string) error {
	fs := p.flagSet("bench indicators", "bench indicators [--data-dir DIR | --database postgres://…] [--workers 8] [--n 200] [--rebuild=true] [--pages=true] [--research=true] [--writes 400]")
	open := benchDBFlags(fs, "data", "directory of the SQLite database")
	workers := fs.Int("workers", 8, "concurrent dashboard readers")
	n := fs.Int("n", 200, "dashboard pages to read")
	rebuild := fs.Bool("rebuild", true, "rebuild the indicators first")
	pages := fs.Bool("pages", true, "read the dashboard page through the web server as each watching role, with filters (needs bench seed's organisation)")
	research := fs.Bool("research", true, "write the seeded organisation's research extract and report its time and memory")
	writes := fs.Int("writes", 400, "registrations to time with no rebuild running and while one runs (0: none; adds people)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the rebuild to this file")
	scratch := fs.Bool("scratch", false, "delete the aggregate rows before the rebuild (not timed), so that it writes every row")
	keep := fs.Bool("keep-pages", true, "keep dashboard pages read until the next rebuild (false: every read runs its statement)")
	readprofile := fs.String("readprofile", "", "write a CPU profile of the concurrent dashboard reads, the donor report and the web pages to this file")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	db, err := open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	db.CacheIndicatorPages(*keep)
	sys := system(ctx)
	if *rebuild {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		stop := func() {}
		if *cpuprofile != "" {
			if stop, err = startCPUProfile(*cpuprofile); err != nil {
				return err
			}
		}
		if *scratch {
			if err := db.Transact(sys, func(tx *sqldb.Tx) error {
				_, err := tx.Exec(`DELETE FROM indicator_values`)
				return err
			}); err != nil {
				return err
			}
		}
		rep, err := db.RebuildIndicators(sys, indicator.Standard())
		stop()
		if err != nil {
			return err
		}
		runtime.ReadMemStats(&after)
		fmt.Fprintf(p.stdout, "%s: rebuild of %d indicators from %d records: %d aggregate rows (%d written) in %s (heap now %d MB)\n",
			db.Dialect(), rep.Indicators, rep.Records, rep.Cells, rep.Written, rep.Took.Round(time.Millisecond), after.HeapAlloc>>20)
	}
	to := indicator.Month(db.Now().In(db.Clock().Location()).Format("2006-01"))
	from := indicator.Month(homeward.AddMonths(db.Now(), -11).Format("2006-01"))
	page := func(by []string, narrow indicator.Query) error {
		var reqs []indicator.Request
		for _, d := range indicator.Standard() {
			b := by
			if len(by) > 0 && !slices.Contains(d.By, by[0]) {
				b = nil
			}
			q := narrow
			q.From, q.To, q.By = from, to, b
			reqs = append(reqs, indicator.Request{Def: d, Query: q})
		}
		_, err := db.IndicatorPage(sys, reqs)
		return err
	}
	// The busiest district and upazila of the seed, for the narrowed pages
	// (cases with no district are counted under the empty value).
	var district, upazila string
	if err := db.Transact(sys, func(tx *sqldb.Tx) error {
		err := tx.QueryRow(`SELECT by_values FROM indicator_values WHERE code = 'registrations' AND by_fields = 'district' AND by_values <> '' GROUP BY by_values ORDER BY SUM(numerator) DESC LIMIT 1`).Scan(&district)
		if err == nil {
			// In that district (an upazila's p-code begins with its district's).
			err = tx.QueryRow(`SELECT by_values FROM indicator_values WHERE code = 'registrations' AND by_fields = 'upazila' AND by_values LIKE ? GROUP BY by_values ORDER BY SUM(numerator) DESC LIMIT 1`, district+"_%").Scan(&upazila)
		}
		return err
	}); err != nil {
		fmt.Fprintf(p.stdout, "no district or upazila figures to narrow to: %v\n", err)
	}
	stopReads := func() {}
	if *readprofile != "" {
		if stopReads, err = startCPUProfile(*readprofile); err != nil {
			return err
		}
	}
	for _, c := range []struct {
		label  string
		by     []string
		narrow indicator.Query
	}{
		{"totals", nil, indicator.Query{}},
		{"by district", []string{"district"}, indicator.Query{}},
		{"by upazila", []string{"upazila"}, indicator.Query{}},
		{"by programme", []string{"programme"}, indicator.Query{}},
		{"district " + district + " by upazila", []string{"upazila"}, indicator.Query{District: district}},
		{"upazila " + upazila + " by sex", []string{"sex"}, indicator.Query{Upazila: upazila}},
		{"programme RAISE by sex", []string{"sex"}, indicator.Query{Programme: "RAISE"}},
		{"programme RAISE in upazila " + upazila, nil, indicator.Query{Programme: "RAISE", Upazila: upazila}},
	} {
		by, label := c.by, c.label
		before := db.LaggingPoolStats()
		lat, el, err := concurrently(*n, *workers, func(int) error { return page(by, c.narrow) })
		if err != nil {
			return err
		}
		after := db.LaggingPoolStats()
		fmt.Fprintf(p.stdout, "dashboard (%d indicators, %s, %s..%s), %d readers: %d pages in %s; p50 %s p95 %s p99 %s; pool of %d: %d waits for a connection, %s waited in all\n",
			len(indicator.Standard()), label, from, to, *workers, *n, el.Round(time.Millisecond), lat.at(.5), lat.at(.95), lat.at(.99),
			after.MaxOpenConnections, after.WaitCount-before.WaitCount, (after.WaitDuration - before.WaitDuration).Round(time.Millisecond))
	}
	// One donor report of the same 12 months, every organisation, as the
	// background builder makes it (the PDF where Chromium is installed).
	rep := &report.Report{ID: "bench", Lang: "bn", From: from, To: to}
	t0 := time.Now()
	d, err := report.Collect(sys, db, rep, "", db.Now(), func(int) {})
	if err != nil {
		return err
	}
	read := time.Since(t0)
	xlsx, err := d.Workbook()
	if err != nil {
		return err
	}
	wrote := time.Since(t0) - read
	line := fmt.Sprintf("donor report (%s..%s, 1 + %d breakdowns): read %s, workbook %s (%d KB)", from, to, len(report.Breakdowns), read.Round(time.Millisecond), wrote.Round(time.Millisecond), len(xlsx)>>10)
	if c := report.FindChromium(); c != "" {
		t1 := time.Now()
		pdf, err := d.PDF(ctx, c)
		if err != nil {
			return err
		}
		line += fmt.Sprintf(", PDF %s (%d KB)", time.Since(t1).Round(time.Millisecond), len(pdf)>>10)
	}
	fmt.Fprintln(p.stdout, line)
	if !*pages && !*research && *writes == 0 {
		return nil
	}
	actx, err := benchActor(sys, db, false)
	if err != nil {
		return err
	}
	org := homeward.ActorFromContext(actx).OrgID
	if *pages {
		if err := benchDashboards(ctx, p, db, sys, org, district, upazila, *workers, *n); err != nil {
			return err
		}
	}
	stopReads()
	if *research {
		if err := benchResearchExport(sys, p, db, org); err != nil {
			return err
		}
	}
	if *writes > 0 {
		return benchWriteCost(sys, actx, p, db, *writes, *workers)
	}
	return nil
}

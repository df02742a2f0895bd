package main

import (
	"context"
	"flag"
	"fmt"
	"math"
	"runtime"
	"time"

	"homeward"
	"homeward/internal/dedupe"
	"homeward/internal/match"
)

// benchIndex loads the seeded organisation's duplicate index as a serving
// process does on its first duplicate check, and prints what it takes:
// the load's time, the Go heap it holds (measured after a collection, the
// heap before the load subtracted), the index's own estimate (Bytes, what
// /metrics reports and a memory budget is checked against) and the
// process's resident memory (issue 14: memory at a million people).
func benchIndex(ctx context.Context, p *program, args []string) error {
	fs := flag.NewFlagSet("bench index", flag.ContinueOnError)
	fs.SetOutput(p.stderr)
	database := fs.String("database", "", "postgres://… (default: SQLite in --data-dir)")
	dir := fs.String("data-dir", "data", "directory of the SQLite database (and of the keys, on either backend)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, sys, actx, err := openBenchOrg(ctx, *database, *dir)
	if err != nil {
		return err
	}
	defer db.Close()
	org := homeward.ActorFromContext(actx).OrgID
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	h0, rss0 := heap(), procStatusMB("VmRSS")
	x := dedupe.NewIndexes(db, match.IndexOptions{})
	defer x.Close()
	start := time.Now()
	idx, err := x.Get(sys, org, true)
	if err != nil {
		return err
	}
	took := time.Since(start)
	h1 := heap()
	n := max(idx.Len(), 1)
	fmt.Fprintf(p.stdout, "duplicate index of %d people loaded in %s (%.0f people/s)\n", idx.Len(), took.Round(time.Millisecond), float64(idx.Len())/took.Seconds())
	t0 := time.Now()
	est := idx.Bytes() // under the index's read lock, as /metrics asks it
	estTook := time.Since(t0)
	fmt.Fprintf(p.stdout, "  Go heap held by the index: %d MB (%d bytes per person); its estimate (Bytes): %d MB (%d per person), computed in %s\n",
		(h1-h0)>>20, int64(h1-h0)/int64(n), est>>20, est/int64(n), estTook.Round(time.Microsecond))
	fmt.Fprintf(p.stdout, "  process resident memory: %d MB before the load, %d MB after, %d MB at its peak\n", rss0, procStatusMB("VmRSS"), procStatusMB("VmHWM"))
	// What the collector marks at every cycle while serve holds the index:
	// a full collection, at its fastest of three.
	gc := time.Duration(math.MaxInt64)
	for range 3 {
		t := time.Now()
		runtime.GC()
		gc = min(gc, time.Since(t))
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	fmt.Fprintf(p.stdout, "  a full collection with the index held: %s (%d heap objects)\n", gc.Round(10*time.Microsecond), m.HeapObjects)
	runtime.KeepAlive(idx)
	return nil
}

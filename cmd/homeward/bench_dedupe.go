package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"homeward"
	"homeward/internal/dedupe"
	"homeward/internal/heapwatch"
	"homeward/internal/match/gen"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// benchDedupe measures the duplicate scan on a registry of distinct people
// (every national ID different; siblings and neighbours sharing addresses,
// parents and phones, as real registries hold them), with registrations
// arriving meanwhile: every pair it raises is a false alarm, and the
// registrations show what the scan costs the day's work (issue 22).
func benchDedupe(ctx context.Context, p *program, args []string) error {
	fs := p.flagSet("bench dedupe", "bench dedupe --people N [--data-dir DIR | --database postgres://…] [--workers 4]")
	people := fs.Int("people", 100_000, "distinct people to seed")
	open := benchDBFlags(fs, "data-dedupe", "directory of the SQLite database (must not hold a seeded bench organisation)")
	workers := fs.Int("workers", 4, "concurrent registration clients during the scan")
	seed := fs.Uint64("seed", 1, "random seed")
	budgetMB := fs.Int("dedupe-memory-mb", DefaultDedupeMemoryMB, "the scan's memory budget in MB, as serve's --dedupe-memory-mb (0: none)")
	heapProfile := fs.String("heap-profile", "", "write a heap profile taken as the scan ends, the index still loaded (go tool pprof FILE)")
	cpuProfile := fs.String("cpuprofile", "", "write a CPU profile of the scan (registrations included) to this file")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	if *people < 2 || *workers < 1 {
		return usageError{"bench dedupe: --people must be at least 2 and --workers at least 1"}
	}
	db, err := open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	if _, err := benchActor(sys, db, false); err == nil {
		return fmt.Errorf("bench dedupe: the database already holds a bench organisation; use an empty --data-dir or database")
	}
	actx, err := benchActor(sys, db, true)
	if err != nil {
		return err
	}
	org := homeward.ActorFromContext(actx).OrgID

	// Seed.
	reg := gen.Generate(gen.Config{Records: *people, Distinct: true, Sibling: 0.1, Neighbours: 0.3, Seed: *seed})
	t0 := time.Now()
	rows, invalid, err := benchRows(reg, 0, *seed)
	if err != nil {
		return err
	}
	for lo := 0; lo < len(rows); lo += registry.ImportBatch {
		if _, err := db.ImportRows(actx, rows[lo:min(lo+registry.ImportBatch, len(rows))]); err != nil {
			return err
		}
	}
	fmt.Fprintf(p.stdout, "seeded %d distinct people (%d generated rows invalid and skipped) in %s\n", len(rows), invalid, time.Since(t0).Round(time.Millisecond))
	// Max RSS is the process's whole life: what seeding reached tells
	// what the scan added.
	var seedRU syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &seedRU)
	seedRSS := seedRU.Maxrss / 1024 // KiB on Linux
	seeded := len(rows)
	rows, reg = nil, nil // the scan must not be charged for the generated rows (len(rows) kept them alive)
	// Nor for what seeding left resident: give it back to the system and
	// start the peak of the scan's own resident memory from here (a server
	// scans a registry it has not generated in memory).
	debug.FreeOSMemory()
	scanRSSFrom, hwmReset := resetPeakRSS()

	// Scan, with registrations arriving.
	svc := dedupe.New(db, dedupe.Options{Now: db.Now, MemoryBudget: int64(*budgetMB) << 20})
	db.OnPersonChanged(svc.PersonChanged)
	stopHeap := heapwatch.Start(20 * time.Millisecond)
	scanDone := make(chan struct{})
	var lat []time.Duration
	var latMu sync.Mutex
	var regErr atomic.Value
	var wg sync.WaitGroup
	var next atomic.Int64
	for range *workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-scanDone:
					return
				default:
				}
				i := int(next.Add(1)) + 10_000_000
				r := benchRegistration(i)
				t := time.Now()
				if _, err := db.Register(actx, &r); err != nil {
					regErr.CompareAndSwap(nil, err)
					return
				}
				d := time.Since(t)
				latMu.Lock()
				lat = append(lat, d)
				latMu.Unlock()
			}
		}()
	}
	stopCPU := func() {}
	if *cpuProfile != "" {
		if stopCPU, err = startCPUProfile(*cpuProfile); err != nil {
			return err
		}
	}
	var ru0 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
	start := time.Now()
	res, scanErr := svc.Scan(sys, org)
	took := time.Since(start)
	stopCPU()
	var ru1 syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
	cpu := func(ru *syscall.Rusage) time.Duration {
		return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	scanCPU := cpu(&ru1) - cpu(&ru0)
	if *heapProfile != "" {
		if err := writeHeapProfile(*heapProfile); err != nil {
			return err
		}
	}
	close(scanDone)
	wg.Wait()
	peakHeap := stopHeap()
	if scanErr != nil {
		return scanErr
	}
	if err, _ := regErr.Load().(error); err != nil {
		return fmt.Errorf("bench dedupe: a registration during the scan failed: %w", err)
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	maxRSS := ru.Maxrss / 1024 // KiB on Linux
	scanRSS := maxRSS          // without a reset peak, the whole life's
	if hwmReset {
		scanRSS = procStatusMB("VmHWM")
	}

	// What the scan raised.
	matches, possibles, strong, err := benchPairFigures(sys, db, org)
	if err != nil {
		return err
	}
	perPeople := float64(matches+possibles) * 200 / float64(seeded)
	fmt.Fprintf(p.stdout, "scan: %d people checked in %s; %d pairs raised: %d match, %d possible (%.2f per 200 people); %d matches where two strong identifiers disagree\n",
		res.People, took.Round(time.Millisecond), res.Raised, matches, possibles, perPeople, strong)
	fmt.Fprintf(p.stdout, "CPU time of the process during the scan (scan and registrations, user+system) %s, %.2f cores on average; load average %s\n",
		scanCPU.Round(time.Millisecond), scanCPU.Seconds()/took.Seconds(), loadAverage())
	fmt.Fprintf(p.stdout, "memory: peak Go heap in use during the scan %d MB; peak RSS during the scan %d MB (%d MB as it began, peak reset: %v); process max RSS %d MB (%d MB when seeding ended)\n",
		peakHeap>>20, scanRSS, scanRSSFrom, hwmReset, maxRSS, seedRSS)
	fmt.Fprintf(p.stdout, "memory budget of the scan %d MB (Go soft limit; 0: none); the index holds an estimated %.1f MB for %d people\n",
		*budgetMB, float64(svc.Indexes.Bytes())/(1<<20), svc.Indexes.People())
	var p50, p95, p99 time.Duration
	if len(lat) > 0 {
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		pct := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))].Round(10 * time.Microsecond) }
		p50, p95, p99 = pct(.5), pct(.95), pct(.99)
	}
	fmt.Fprintf(p.stdout, "registrations during the scan (%d clients): %d, %.0f/s; latency p50 %s p95 %s p99 %s\n",
		*workers, len(lat), float64(len(lat))/took.Seconds(), p50, p95, p99)
	check := func(ok bool, what string) {
		verdict := "MISS"
		if ok {
			verdict = "PASS"
		}
		fmt.Fprintf(p.stdout, "  %s %s\n", verdict, what)
	}
	fmt.Fprintf(p.stdout, "against the targets of issue 22:\n")
	check(perPeople <= 1, fmt.Sprintf("at most 1 pair per 200 people in the queue (%.2f)", perPeople))
	check(strong == 0, fmt.Sprintf("no match where two strong identifiers disagree (%d)", strong))
	check(took <= time.Minute, fmt.Sprintf("scan within 60 s (%s)", took.Round(time.Millisecond)))
	check(scanRSS <= 300, fmt.Sprintf("within 300 MB (peak RSS during the scan %d MB)", scanRSS))
	check(p99 <= 100*time.Millisecond, fmt.Sprintf("registrations meanwhile p99 ≤ 100 ms (%s)", p99))
	return nil
}

// resetPeakRSS resets the kernel's peak resident set of this process
// (VmHWM, Linux ≥ 4.0) to its current size, and returns that size in MB;
// false when the system does not allow it.
func resetPeakRSS() (int64, bool) {
	ok := os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
	return procStatusMB("VmRSS"), ok
}

// loadAverage returns the system's load averages (1, 5 and 15 minutes)
// as /proc/loadavg gives them, "?" where it cannot: a scan's wall time
// on a shared machine means little without them.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(b)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "?"
}

// procStatusMB reads a size field ("VmHWM", "VmRSS") of /proc/self/status
// in MB; 0 when it cannot.
func procStatusMB(field string) int64 { return procStatusMBOf("self", field) }

// procStatusMBOf is procStatusMB of the process pid ("self": this one).
func procStatusMBOf(pid, field string) int64 {
	b, err := os.ReadFile("/proc/" + pid + "/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb / 1024
		}
	}
	return 0
}

// writeHeapProfile writes the live heap (after a collection) to path.
func writeHeapProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	runtime.GC()
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// benchPairFigures counts the organisation's raised pairs by decision, and
// the matches whose records both carry and disagree on two of national ID,
// passport and full date of birth.
func benchPairFigures(sys context.Context, db *sqldb.DB, org string) (matches, possibles, strong int, err error) {
	type pair struct{ a, b, decision string }
	var pairs []pair
	err = db.Transact(sys, func(tx *sqldb.Tx) error {
		rows, err := tx.Query(`SELECT person_a, person_b, decision FROM dedupe_pairs WHERE org_id = ?`, org)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var x pair
			if err := rows.Scan(&x.a, &x.b, &x.decision); err != nil {
				return err
			}
			pairs = append(pairs, x)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, 0, 0, err
	}
	for _, x := range pairs {
		if x.decision != "match" {
			possibles++
			continue
		}
		matches++
		a, err := db.FindRecord(sys, x.a)
		if err != nil {
			return 0, 0, 0, err
		}
		b, err := db.FindRecord(sys, x.b)
		if err != nil {
			return 0, 0, 0, err
		}
		if strongDisagreements(&a.Person, &b.Person) >= 2 {
			strong++
		}
	}
	return matches, possibles, strong, nil
}

// strongDisagreements counts the strong identifiers both people carry with
// different values: national ID, passport number, full date of birth.
func strongDisagreements(a, b *registry.Person) int {
	n := 0
	doc := func(p *registry.Person, typ registry.DocumentType) string {
		for _, d := range p.Documents {
			if d.Type == typ {
				return d.Number
			}
		}
		return ""
	}
	for _, typ := range []registry.DocumentType{registry.DocNationalID, registry.DocPassport} {
		if x, y := doc(a, typ), doc(b, typ); x != "" && y != "" && x != y {
			n++
		}
	}
	if a.DateOfBirth.Precision == registry.PrecisionDay && b.DateOfBirth.Precision == registry.PrecisionDay && a.DateOfBirth != b.DateOfBirth {
		n++
	}
	return n
}

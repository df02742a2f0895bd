package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	_ "modernc.org/sqlite"

	"homeward"
	"homeward/internal/heapwatch"
	"homeward/internal/registry"
	"homeward/internal/server"
)

// benchRegister measures registrations (person + episode + case + audit)
// through the service on a fresh embedded database that already holds
// --preload people, and the raw SQLite single-row transaction rate on the
// same disk for comparison; with --database, in a new organisation of that
// PostgreSQL database, beside its raw single-row rate from as many
// connections as there are clients, with audit events linked by the sealer
// as serve links them.
func benchRegister(ctx context.Context, p *program, args []string) error {
	fs := p.flagSet("bench register", "bench register [--preload N] [--n N] [--workers W] [--database postgres://…]")
	database := fs.String("database", "", "postgres://… (default: a fresh SQLite database in --dir)")
	preload := fs.Int("preload", 100_000, "people registered before measuring")
	n := fs.Int("n", 20_000, "registrations to measure")
	workers := fs.Int("workers", 8, "concurrent clients")
	dir := fs.String("dir", "", "directory for the database, or with --database of its audit and notes keys, which a PostgreSQL database keeps from run to run (default: a temporary one; with --database, data)")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the measured part to this file")
	traceFile := fs.String("trace", "", "write an execution trace of the measured part to this file (go tool trace)")
	withImport := fs.Bool("with-import", false, "run a bulk import (batches of registry.ImportBatch rows) alongside, as an upload would, and report its rate")
	viaHTTP := fs.Bool("http", true, "register through the JSON API over loopback HTTP (false: call the service directly)")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	if *dir == "" && *database != "" {
		*dir = "data" // as bench seed's keys
	} else if *dir == "" {
		d, err := os.MkdirTemp("", "homeward-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	var raw float64
	var err error
	if *database != "" {
		// As many transactions as registrations (20,000 by default).
		raw, err = rawPostgresRate(ctx, *database, *workers, min(20_000, max(1_000, *n)))
		if err == nil {
			fmt.Fprintf(p.stdout, "raw PostgreSQL single-row transactions, %d connections: %.0f/s\n", *workers, raw)
		}
	} else {
		raw, err = rawSQLiteRate(ctx, filepath.Join(*dir, "raw.db"), 5000)
		if err == nil {
			fmt.Fprintf(p.stdout, "raw SQLite single-row transactions: %.0f/s\n", raw)
		}
	}
	if err != nil {
		return err
	}

	// People's identifiers are sealed, as the server seals them, under the
	// keys in dir (made on first use).
	db, err := openBenchDB(ctx, *database, *dir)
	if err != nil {
		return err
	}
	defer db.Close()
	sealCtx, stopSealer := context.WithCancel(ctx)
	var sealErr atomic.Value
	waitSealer := startAuditSealer(sealCtx, db, defaultAuditSealInterval, func(err error) { sealErr.CompareAndSwap(nil, err) })
	defer waitSealer()
	defer stopSealer()
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	org := &homeward.Organisation{Name: "Bench NGO " + time.Now().UTC().Format("2006-01-02 15:04:05.000"), Type: homeward.OrgNGO, Country: "BD", Areas: []string{"BD3026"}}
	if err := db.CreateOrganisation(sys, org); err != nil {
		return err
	}
	// A database of its own on SQLite; on PostgreSQL one run after another.
	u := &homeward.User{OrgID: org.ID, Email: "bench-" + org.ID + "@bench.test", Name: "Bench", Roles: []homeward.Role{homeward.RoleCaseWorker}}
	if err := db.CreateUserWithHash(sys, u, "x"); err != nil {
		return err
	}
	actx := homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: u.ID, OrgID: org.ID, Roles: u.Roles})

	// Preload through the batched import path (the fast way in), with the
	// names of bench seed: as concentrated as Bangladeshi names are.
	start := time.Now()
	if err := benchPeople(0, *preload, func(rows []*registry.ImportRow) error {
		for lo := 0; lo < len(rows); lo += registry.ImportBatch {
			if _, err := db.ImportRows(actx, rows[lo:min(lo+registry.ImportBatch, len(rows))]); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		return err
	}
	if *preload > 0 {
		el := time.Since(start)
		fmt.Fprintf(p.stdout, "preloaded %d people through batched import in %s (%.0f/s)\n", *preload, el.Round(time.Millisecond), float64(*preload)/el.Seconds())
	}

	tok := &homeward.APIToken{Name: "bench", Scopes: []homeward.Scope{homeward.ScopeWrite, homeward.ScopeRead}}
	if err := db.CreateToken(sys, u.ID, tok); err != nil {
		return err
	}
	h, err := server.New(db, server.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *workers}}
	if *cpuprofile != "" {
		stop, err := startCPUProfile(*cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	if *traceFile != "" {
		f, err := os.Create(*traceFile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := trace.Start(f); err != nil {
			return err
		}
		defer trace.Stop()
	}
	// Request bodies are encoded before the clock starts: encoding them is
	// the load generator's work, not the server's.
	// The people registered are drawn like the preloaded ones (other
	// batches of the generator: new people, some of them duplicates).
	regs := make([]registry.Registration, 0, *n)
	if err := benchPeople(benchRegisterBatch, *n, func(rows []*registry.ImportRow) error {
		for _, r := range rows {
			p := r.Person
			p.ExternalID = r.ExternalID
			regs = append(regs, registry.Registration{Person: p, Episodes: []registry.MigrationEpisode{r.Episode}})
		}
		return nil
	}); err != nil {
		return err
	}
	bodies := make([][]byte, 0, *n)
	if *viaHTTP {
		for i := range regs {
			body, err := json.Marshal(&regs[i])
			if err != nil {
				return err
			}
			bodies = append(bodies, body)
		}
	}
	ws0 := db.WriterStats()
	lat := make([]time.Duration, *n)
	var next atomic.Int64
	var wg sync.WaitGroup
	var firstErr atomic.Value
	// An import alongside: batches of new people until the registrations
	// are done, as a large upload would write them.
	importDone := make(chan struct{})
	var imported atomic.Int64
	var importWG sync.WaitGroup
	if *withImport {
		importWG.Go(func() {
			for b := benchImportBatch; ; b++ {
				select {
				case <-importDone:
					return
				default:
				}
				rows, _, err := benchSeedRows(b, registry.ImportBatch, 1)
				if err == nil {
					_, err = db.ImportRows(actx, rows)
				}
				if err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				imported.Add(int64(len(rows)))
			}
		})
	}
	stopSampling := heapwatch.Start(10 * time.Millisecond)
	start = time.Now()
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= *n {
					return
				}
				reg := &regs[i]
				t0 := time.Now()
				if *viaHTTP {
					req, _ := http.NewRequestWithContext(ctx, "POST", srv.URL+"/api/v1/registrations", bytes.NewReader(bodies[i]))
					req.Header.Set("Authorization", "Bearer "+tok.Secret)
					req.Header.Set("Content-Type", "application/json")
					res, err := client.Do(req)
					if err != nil {
						firstErr.CompareAndSwap(nil, err)
						return
					}
					msg, _ := io.ReadAll(res.Body)
					res.Body.Close()
					if res.StatusCode != http.StatusCreated {
						firstErr.CompareAndSwap(nil, fmt.Errorf("status %d: %s", res.StatusCode, msg))
						return
					}
				} else if _, err := db.Register(actx, reg); err != nil {
					firstErr.CompareAndSwap(nil, err)
					return
				}
				lat[i] = time.Since(t0)
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	ws := db.WriterStats()
	close(importDone)
	importWG.Wait()
	peak := stopSampling()
	if err, _ := firstErr.Load().(error); err != nil {
		return err
	}
	if err, _ := sealErr.Load().(error); err != nil {
		return fmt.Errorf("audit sealer: %w", err)
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	pct := func(q float64) time.Duration { return lat[int(q*float64(len(lat)-1))] }
	how := "service calls"
	if *viaHTTP {
		how = "JSON API over HTTP"
	}
	rate := float64(*n) / el.Seconds()
	fmt.Fprintf(p.stdout, "registrations (%s, concentrated names): %d in %s with %d workers: %.0f/s = %.2f x the raw rate; latency p50 %s p99 %s max %s\n",
		how, *n, el.Round(time.Millisecond), *workers, rate, rate/raw, pct(.5).Round(time.Microsecond), pct(.99).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	if *withImport {
		fmt.Fprintf(p.stdout, "alongside, a bulk import wrote %d rows (%.0f/s)\n", imported.Load(), float64(imported.Load())/el.Seconds())
	}
	fmt.Fprintf(p.stdout, "peak heap in use while measuring: %.1f MiB\n", float64(peak)/(1<<20))
	if g := ws.Groups - ws0.Groups; g > 0 {
		fmt.Fprintf(p.stdout, "writer: %d commits, %.1f transactions each, busy %.0f%% of the time\n",
			g, float64(ws.Jobs-ws0.Jobs)/float64(g), 100*float64(ws.Busy-ws0.Busy)/float64(el))
	}
	return nil
}

// Batches of the generator that bench register draws its measured
// registrations and its alongside import from, far past the preload's.
const (
	benchRegisterBatch = 1_000_000
	benchImportBatch   = 2_000_000
)

// benchPeople hands fn n valid import rows of bench seed's generator (seed
// 1), from batch b0 on, a batch of at most 5,000 at a time, so that a large
// preload never sits in memory whole.
func benchPeople(b0, n int, fn func([]*registry.ImportRow) error) error {
	for b, done := b0, 0; done < n; b++ {
		rows, _, err := benchSeedRows(b, min(5_000, n-done), 1)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return fmt.Errorf("bench: the generator gave no valid rows")
		}
		rows = rows[:min(len(rows), n-done)]
		if err := fn(rows); err != nil {
			return err
		}
		done += len(rows)
	}
	return nil
}

var benchGiven = []string{"Rafiqul", "Shahana", "Abdul", "Rina", "Kamal", "Nasima", "Jahangir", "Fatema", "Mizanur", "Taslima", "Anwar", "Rokeya"}
var benchFamily = []string{"Islam", "Begum", "Hossain", "Akter", "Rahman", "Khatun", "Uddin", "Chowdhury", "Miah", "Sarkar"}

func benchRegistration(i int) registry.Registration {
	sex := registry.SexMale
	if i%3 == 0 {
		sex = registry.SexFemale
	}
	return registry.Registration{
		Person: registry.Person{
			GivenName: benchGiven[i%len(benchGiven)], FamilyName: benchFamily[(i/7)%len(benchFamily)], Sex: sex,
			DateOfBirth: registry.YearDate(1970 + i%30), FatherName: benchGiven[(i/3)%len(benchGiven)] + " " + benchFamily[i%len(benchFamily)],
			Phones:  []string{fmt.Sprintf("+88017%08d", i)},
			Address: registry.Address{AdminArea: "BD302602", Text: fmt.Sprintf("House %d, Road %d", i%200, i%40)},
		},
		Episodes: []registry.MigrationEpisode{{
			DestinationCountry: "SA", OccupationAbroad: "7112", DepartureDate: registry.YearDate(2018),
			Return: &registry.Return{Date: registry.DayDate(2026, 1+i%9, 1+i%28), ReturnType: registry.ReturnEndOfContract},
		}},
	}
}

// rawSQLiteRate measures single-row INSERT transactions on an SQLite file
// with the same pragmas as the application's writer.
func rawSQLiteRate(ctx context.Context, path string, n int) (float64, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_txlock=immediate")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, `CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)`); err != nil {
		return 0, err
	}
	start := time.Now()
	for i := 0; i < n; i++ {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO t (v) VALUES (?)`, "row"); err != nil {
			return 0, err
		}
		if err := tx.Commit(); err != nil {
			return 0, err
		}
	}
	return float64(n) / time.Since(start).Seconds(), nil
}

// startCPUProfile writes a CPU profile to path until the function it
// returns is called (more than once does no harm).
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	var once sync.Once
	return func() {
		once.Do(func() {
			pprof.StopCPUProfile()
			f.Close()
		})
	}, nil
}

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"homeward"
	"homeward/internal/match/gen"
	"homeward/internal/registry"
	"homeward/internal/seal"
	"homeward/internal/sqldb"
)

// benchOrgName names the organisation bench seed creates and bench search
// reads.
const benchOrgName = "Bench seed NGO"

// benchDSN is the database a bench command works on: --database, or an
// SQLite file in --data-dir.
func benchDSN(database, dir string) string {
	if database != "" {
		return database
	}
	return filepath.Join(dir, "homeward.db")
}

// benchDBFlags adds --database and --data-dir (defaulting to dir, with
// help) to fs and returns what opens the database they name, once parsed.
func benchDBFlags(fs *flag.FlagSet, dir, help string) func(context.Context) (*sqldb.DB, error) {
	database := fs.String("database", "", "postgres://… (default: SQLite in --data-dir)")
	d := fs.String("data-dir", dir, help)
	cache := fs.Int("sqlite-cache-mb", sqldb.DefaultCacheMB, "memory for SQLite's page caches in MB, as serve's --sqlite-cache-mb")
	return func(ctx context.Context) (*sqldb.DB, error) {
		return openBenchDBWith(ctx, *database, *d, sqldb.Options{CacheMB: *cache})
	}
}

// openBenchDB opens the bench database with its audit key: HOMEWARD_AUDIT_KEY,
// else <dir>/audit.key, created on first use (so that seed and search, run
// one after the other, key one chain); and the key of counselling notes
// likewise (HOMEWARD_NOTES_KEY, else <dir>/notes.key).
func openBenchDB(ctx context.Context, database, dir string) (*sqldb.DB, error) {
	return openBenchDBWith(ctx, database, dir, sqldb.Options{})
}

// openBenchOrg opens the bench database of a seeded organisation (see
// openBenchAs).
func openBenchOrg(ctx context.Context, database, dir string) (db *sqldb.DB, sys, actx context.Context, err error) {
	return benchOrg(ctx, func(ctx context.Context) (*sqldb.DB, error) { return openBenchDB(ctx, database, dir) })
}

// openBenchDBWith is openBenchDB with the database's options.
func openBenchDBWith(ctx context.Context, database, dir string, o sqldb.Options) (*sqldb.DB, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	c := Config{DataDir: dir, AuditKey: os.Getenv(auditKeyEnv), NotesKey: os.Getenv(notesKeyEnv)}
	kr, _, _, err := c.auditKeys()
	if err != nil {
		return nil, err
	}
	nk, _, _, err := c.notesKey()
	if err != nil {
		return nil, err
	}
	db, err := sqldb.OpenWith(ctx, benchDSN(database, dir), o)
	if err != nil {
		return nil, err
	}
	db.AuditKeys, db.NotesKeys = kr, seal.NewKeyring(nk)
	return db, nil
}

// benchSeed fills a database with people whose names are as concentrated as
// Bangladeshi names are (the duplicate benchmark's generator), each with a
// case, through the batched import path, spreads the cases over every
// status and gives them services (benchServices).
func benchSeed(ctx context.Context, p *program, args []string) error {
	fs := p.flagSet("bench seed", "bench seed --people N [--data-dir DIR | --database postgres://…]")
	people := fs.Int("people", 100_000, "people to add")
	open := benchDBFlags(fs, "data", "directory of the SQLite database")
	seed := fs.Uint64("seed", 1, "random seed")
	services := fs.Bool("services", true, "give a realistic share of the cases assessments, plans, referrals and deliveries through the services")
	workers := fs.Int("workers", 6, "concurrent writers of the services")
	programmes := fs.Bool("programmes", true, "enrol the open cases in programmes (after an import)")
	servicesCases := fs.Int("services-cases", 0, "give services to the newest N cases only (0: every case), so that a registry of a million has realistic caseloads without hours of seeding")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the import to this file")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	db, err := open(ctx) // makes the directory
	if err != nil {
		return err
	}
	defer db.Close()
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	actx, err := benchActor(sys, db, true)
	if err != nil {
		return err
	}
	stopProfile := func() {}
	if *cpuprofile != "" {
		if stopProfile, err = startCPUProfile(*cpuprofile); err != nil {
			return err
		}
		defer stopProfile()
	}
	start := time.Now()
	written, invalid, err := seedBenchPeople(actx, db, *people, *seed, func(written int) {
		fmt.Fprintf(p.stderr, "\r%d people, %.0f/s   ", written, float64(written)/time.Since(start).Seconds())
	})
	if err != nil {
		return err
	}
	el := time.Since(start)
	stopProfile()
	fmt.Fprintf(p.stderr, "\n")
	fmt.Fprintf(p.stdout, "seeded %d people with a case each through batched import in %s: %.0f people/s (%d generated rows were invalid and skipped)\n",
		written, el.Round(time.Millisecond), float64(written)/el.Seconds(), invalid)
	// The people live where the generator puts them (upazilas, some
	// districts only), concentrated as returnees are, so that filters and
	// breakdowns by place meet realistic spreads.
	var districts int
	if err := db.Transact(sys, func(tx *sqldb.Tx) error {
		return tx.QueryRow(`SELECT COUNT(DISTINCT district) FROM cases WHERE org_id = ? AND district <> ''`, homeward.ActorFromContext(actx).OrgID).Scan(&districts)
	}); err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "the organisation's cases are in %d districts\n", districts)
	if written > 0 {
		if err := spreadBenchCases(sys, actx, db, p, *programmes); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(p.stdout, "nobody imported: case statuses and programme enrolments left as they are\n")
	}
	if *services {
		if err := benchServices(sys, actx, db, *seed, max(1, *workers), *servicesCases, p.stdout, p.stderr); err != nil {
			return err
		}
		fmt.Fprintf(p.stdout, "not seeded: business grants, job placements, case notes, consent withdrawals; cases are opened at the import (today), their services over the last three years\n")
		return nil
	}
	fmt.Fprintf(p.stdout, "not seeded (--services=false): assessments, plans, referrals, deliveries, timeline events beyond the import's own\n")
	return nil
}

// spreadBenchCases spreads the bench organisation's registered cases over
// every status and enrols the open ones in programmes.
func spreadBenchCases(sys, actx context.Context, db *sqldb.DB, p *program, programmes bool) error {
	// Cases in every status, by the last digit of the case id (ids end in
	// random hex): 6/16 registered, 2/16 each of the rest.
	t0 := time.Now()
	if err := db.Transact(sys, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(`UPDATE cases SET status = CASE
			WHEN substr(id, 36, 1) IN ('6', '7') THEN 'assessed'
			WHEN substr(id, 36, 1) IN ('8', '9') THEN 'plan_agreed'
			WHEN substr(id, 36, 1) IN ('a', 'b') THEN 'in_services'
			WHEN substr(id, 36, 1) IN ('c', 'd') THEN 'monitoring'
			WHEN substr(id, 36, 1) IN ('e', 'f') THEN 'closed'
			ELSE status END,
			closure_reason = CASE WHEN substr(id, 36, 1) IN ('e', 'f') THEN 'support_completed' ELSE closure_reason END
			WHERE org_id = ? AND status = 'registered'`, homeward.ActorFromContext(actx).OrgID)
		return err
	}); err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "spread cases over every status in %s\n", time.Since(t0).Round(time.Millisecond))
	if !programmes {
		return nil
	}
	return seedBenchProgrammes(sys, actx, db, p)
}

// benchActor returns a case worker's context in the bench organisation,
// creating both when create is set.
// openBenchAs parses the bench's flags, opens its database (the caller
// closes it) and returns it with the system's context and the seeded bench
// user's.
func openBenchAs(ctx context.Context, p *program, fs *flag.FlagSet, args []string, open func(context.Context) (*sqldb.DB, error)) (db *sqldb.DB, sys, actx context.Context, err error) {
	if err := p.parse(fs, args); err != nil {
		return nil, nil, nil, err
	}
	return benchOrg(ctx, open)
}

// benchOrg opens the database with open and returns it with the system's
// context and the seeded bench user's (closing it when there is none).
func benchOrg(ctx context.Context, open func(context.Context) (*sqldb.DB, error)) (db *sqldb.DB, sys, actx context.Context, err error) {
	if db, err = open(ctx); err != nil {
		return nil, nil, nil, err
	}
	sys = homeward.NewContextWithActor(ctx, homeward.SystemActor)
	if actx, err = benchActor(sys, db, false); err != nil {
		db.Close()
		return nil, nil, nil, err
	}
	return db, sys, actx, nil
}

// auditAsServe writes audit events as serve does (startAuditSealer at
// serve's default --audit-seal-interval): on PostgreSQL pending, linked
// into their chains every 100 ms, so that a bench's reads do not queue on
// the organisation's chain head as serve's do not. It returns the function
// that stops the sealer.
func auditAsServe(ctx context.Context, db *sqldb.DB) (stop func()) {
	if db.Dialect() != "postgres" {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	wait := startAuditSealer(ctx, db, defaultAuditSealInterval, func(error) {})
	return func() { cancel(); wait() }
}

func benchActor(sys context.Context, db *sqldb.DB, create bool) (context.Context, error) {
	var orgID, userID string
	err := db.Transact(sys, func(tx *sqldb.Tx) error {
		return tx.QueryRow(`SELECT o.id, u.id FROM organisations o JOIN users u ON u.org_id = o.id WHERE o.name = ? AND u.email = 'bench-seed@bench.test'`, benchOrgName).Scan(&orgID, &userID)
	})
	if err != nil && !create {
		return nil, fmt.Errorf("no seeded organisation (run homeward bench seed first): %w", err)
	}
	if err != nil {
		org := &homeward.Organisation{Name: benchOrgName, Type: homeward.OrgNGO, Country: "BD", Areas: []string{"BD3026"}}
		if err := db.CreateOrganisation(sys, org); err != nil {
			return nil, err
		}
		u := &homeward.User{OrgID: org.ID, Email: "bench-seed@bench.test", Name: "Bench", Roles: []homeward.Role{homeward.RoleCaseWorker}}
		if err := db.CreateUserWithHash(sys, u, "x"); err != nil {
			return nil, err
		}
		orgID, userID = org.ID, u.ID
	}
	return homeward.NewContextWithActor(sys, &homeward.Actor{UserID: userID, OrgID: orgID, Roles: []homeward.Role{homeward.RoleCaseWorker}}), nil
}

var benchCountries = []string{"SA", "SA", "SA", "AE", "AE", "OM", "QA", "KW", "MY", "SG", "IT", "LB", "JO"}
var benchReturnTypes = []string{"end_of_contract", "end_of_contract", "voluntary", "deported", "assisted_voluntary", "crisis_evacuation"}

// benchSeedRows generates n people of batch b and reads them through the
// import reader, as an uploaded file would be. External ids carry the seed
// and batch: seeding again with the same seed changes nothing, with another
// adds people.
// seedBenchPeople imports people generated from seed (benchSeedRows) as
// actx's actor, in chunks of 5,000 through the batched import path, calling
// each after every chunk; it returns how many were written and how many
// generated rows were invalid and skipped.
func seedBenchPeople(actx context.Context, db *sqldb.DB, people int, seed uint64, each func(written int)) (written, invalid int, err error) {
	const chunk = 5_000
	for b := 0; written < people; b++ {
		rows, bad, err := benchSeedRows(b, min(chunk, people-written), seed)
		if err != nil {
			return written, invalid, err
		}
		if len(rows) == 0 {
			return written, invalid, fmt.Errorf("bench seed: the generator gave no valid rows")
		}
		invalid += bad
		for lo := 0; lo < len(rows); lo += registry.ImportBatch {
			if _, err := db.ImportRows(actx, rows[lo:min(lo+registry.ImportBatch, len(rows))]); err != nil {
				return written, invalid, err
			}
		}
		written += len(rows)
		each(written)
	}
	return written, invalid, nil
}

func benchSeedRows(b, n int, seed uint64) ([]*registry.ImportRow, int, error) {
	return benchRows(gen.Generate(gen.Config{Records: n, DupRate: 0.02, Seed: seed*1_000_003 + uint64(b)}), b, seed)
}

// benchRows reads a generated registry through the import reader.
func benchRows(reg *gen.Registry, b int, seed uint64) ([]*registry.ImportRow, int, error) {
	r := rand.New(rand.NewPCG(seed, uint64(b)))
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	_ = cw.Write([]string{"external_id", "given_name", "family_name", "full_name_native", "sex", "date_of_birth",
		"father_name", "mother_name", "phone", "national_id", "passport_number", "admin_area", "address", "postcode",
		"destination_country", "return_date", "return_type"})
	for i, rec := range reg.Records {
		sex := rec.Sex
		if sex == "" {
			sex = "unknown"
		}
		ret := fmt.Sprintf("%d-%02d-%02d", 2020+r.IntN(6), 1+r.IntN(12), 1+r.IntN(28))
		_ = cw.Write([]string{fmt.Sprintf("S%d-%04d-%05d", seed, b, i), rec.GivenName, rec.FamilyName, rec.FullNameNative, sex, rec.DOB,
			rec.FatherName, rec.MotherName, strings.Join(rec.Phones, ";"), rec.NationalID, rec.Passport, rec.AdminArea, rec.Address, rec.Postcode,
			benchCountries[r.IntN(len(benchCountries))], ret, benchReturnTypes[r.IntN(len(benchReturnTypes))]})
	}
	cw.Flush()
	ir, err := registry.NewImportReader(&buf, registry.FormatCSV, registry.ImportOptions{})
	if err != nil {
		return nil, 0, err
	}
	defer ir.Close()
	var rows []*registry.ImportRow
	bad := 0
	for {
		row, err := ir.Next()
		if err != nil {
			break
		}
		if !row.OK() {
			bad++
			continue
		}
		rows = append(rows, row)
	}
	return rows, bad, nil
}

// benchSearch measures searches by name and by phone on a seeded database
// with concurrent searchers, as case workers would run them.
func benchSearch(ctx context.Context, p *program, args []string) error {
	fs := p.flagSet("bench search", "bench search [--data-dir DIR | --database postgres://…] [--workers 8] [--n 2000]")
	open := benchDBFlags(fs, "data", "directory of the SQLite database")
	workers := fs.Int("workers", 8, "concurrent searchers")
	n := fs.Int("n", 2000, "searches of each kind")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the searches to this file")
	db, sys, actx, err := openBenchAs(ctx, p, fs, args, open)
	if err != nil {
		return err
	}
	defer db.Close()
	defer auditAsServe(ctx, db)()
	org := homeward.ActorFromContext(actx).OrgID
	var names, phones, docs, people, ids []string
	if err := db.Transact(sys, func(tx *sqldb.Tx) error {
		var total int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM people WHERE org_id = ?`, org).Scan(&total); err != nil {
			return err
		}
		people = append(people, fmt.Sprint(total))
		// A sample of real names and phones, spread over the registry.
		rows, err := tx.Query(`SELECT given_name, family_name FROM people WHERE org_id = ? AND (given_name <> '' OR family_name <> '') ORDER BY id LIMIT 5000`, org)
		if err != nil {
			return err
		}
		for rows.Next() {
			var g, f string
			if err := rows.Scan(&g, &f); err != nil {
				rows.Close()
				return err
			}
			names = append(names, strings.TrimSpace(g+" "+f))
		}
		rows.Close()
		// Phones and ID numbers are sealed in the records (search keys
		// hold only their blind indexes): sample records and open them.
		rows, err = tx.Query(`SELECT id FROM people WHERE org_id = ? ORDER BY id DESC LIMIT 2000`, org)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return rows.Err()
	}); err != nil {
		return err
	}
	for _, id := range ids {
		rec, err := db.FindRecord(sys, id)
		if err != nil {
			return err
		}
		for _, v := range rec.Person.Phones {
			if strings.HasPrefix(v, "+880") {
				v = "0" + v[4:] // the local form a case worker types
			}
			phones = append(phones, v)
		}
		for _, d := range rec.Person.Documents {
			docs = append(docs, d.Number)
		}
	}
	if len(names) == 0 || len(phones) == 0 {
		return fmt.Errorf("bench search: the organisation has no people")
	}
	fmt.Fprintf(p.stdout, "%s, %s people; %d concurrent searchers on %d CPUs\n", db.Dialect(), people[0], *workers, runtime.NumCPU())
	if *cpuprofile != "" {
		stop, err := startCPUProfile(*cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	r := rand.New(rand.NewPCG(7, 7))
	for _, kind := range []struct {
		name string
		qs   []string
	}{{"name", names}, {"phone", phones}, {"ID", docs}} {
		if len(kind.qs) == 0 {
			continue
		}
		qs := make([]string, *n)
		for i := range qs {
			qs[i] = kind.qs[r.IntN(len(kind.qs))]
		}
		var found atomic.Int64
		// Each search's time by its index, to name the slowest below; the
		// percentiles are read from the same times.
		took := make([]time.Duration, *n)
		_, el, err := concurrently(*n, *workers, func(i int) error {
			t0 := time.Now()
			defer func() { took[i] = time.Since(t0) }()
			list, _, err := db.Search(actx, registry.SearchFilter{Query: qs[i], Limit: 20})
			if err != nil {
				return fmt.Errorf("%q: %w", qs[i], err)
			}
			if len(list) > 0 {
				found.Add(1)
			}
			return nil
		})
		if err != nil {
			fmt.Fprintf(p.stdout, "  (some searches were refused; first: %v)\n", err)
		}
		lat := latencies(slices.Clone(took))
		slices.Sort(lat)
		fmt.Fprintf(p.stdout, "search by %-5s: %d in %s: %.0f searches/s; p50 %s p95 %s p99 %s max %s; %d of %d found someone\n",
			kind.name, *n, el.Round(time.Millisecond), float64(*n)/el.Seconds(), lat.at(.5), lat.at(.95), lat.at(.99), lat.at(1), found.Load(), *n)
		// The slowest searches, to look into (EXPLAIN, the query's tokens).
		order := make([]int, *n)
		for i := range order {
			order[i] = i
		}
		sort.Slice(order, func(a, b int) bool { return took[order[a]] > took[order[b]] })
		var slow []string
		for _, i := range order[:min(5, len(order))] {
			slow = append(slow, fmt.Sprintf("%q %s", qs[i], took[i].Round(100*time.Microsecond)))
		}
		fmt.Fprintf(p.stdout, "  slowest: %s\n", strings.Join(slow, ", "))
	}
	return nil
}

// latencies are sorted durations, read by percentile.
type latencies []time.Duration

// at returns the q-th quantile (0..1), rounded to 10 µs.
func (l latencies) at(q float64) time.Duration {
	return l[int(q*float64(len(l)-1))].Round(10 * time.Microsecond)
}

// concurrently runs fn(0..n-1) on workers goroutines and returns each
// call's latency (sorted), the time it all took, and the first error (the
// other calls still run).
func concurrently(n, workers int, fn func(i int) error) (latencies, time.Duration, error) {
	lat := make(latencies, n)
	var next atomic.Int64
	var firstErr atomic.Value
	var wg sync.WaitGroup
	start := time.Now()
	for range workers {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				t0 := time.Now()
				if err := fn(i); err != nil {
					firstErr.CompareAndSwap(nil, err)
				}
				lat[i] = time.Since(t0)
			}
		})
	}
	wg.Wait()
	el := time.Since(start)
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	err, _ := firstErr.Load().(error)
	return lat, el, err
}

package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"syscall"
	"time"

	"homeward"
	"homeward/internal/heapwatch"
	"homeward/internal/httpx"
	"homeward/internal/indicator"
	"homeward/internal/server"
	"homeward/internal/sqldb"
)

// benchGetter returns a function that GETs a path of srv signed in with
// the session token, reads the whole body and wants 200.
func benchGetter(ctx context.Context, srv *httptest.Server, token string, workers int) func(path string) error {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	return func(path string) error {
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+path, nil)
		req.AddCookie(&http.Cookie{Name: httpx.SessionCookie, Value: token})
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		defer res.Body.Close()
		if _, err := io.Copy(io.Discard, res.Body); err != nil {
			return err
		}
		if res.StatusCode != http.StatusOK {
			return fmt.Errorf("GET %s: status %d", path, res.StatusCode)
		}
		return nil
	}
}

// benchWatcher is a user whose home is the dashboards: the bench
// organisation's M&E analyst, supervisor and administrator, and the bench
// ministry's (the operator's) M&E analyst, who sees every organisation.
type benchWatcher struct {
	label, email string
	role         homeward.Role
	operator     bool
}

var benchWatchers = []benchWatcher{
	{"M&E analyst", "bench-me@bench.test", homeward.RoleMEAnalyst, false},
	{"supervisor", "bench-supervisor@bench.test", homeward.RoleSupervisor, false},
	{"administrator", "bench-admin@bench.test", homeward.RoleAdministrator, false},
	{"ministry M&E analyst (every organisation)", "bench-ministry-me@bench.test", homeward.RoleMEAnalyst, true},
}

const benchWatcherPassword = "bench-dashboards-password-1"

// benchMinistry is the operator organisation bench dashboards creates.
const benchMinistry = "Bench ministry"

// ensureBenchWatchers creates the watchers once (and the bench ministry,
// the instance's operator, when the database has none); the bench
// organisations sign in with a password alone, so that the bench needs no
// authenticator. It may run any number of times on the same database.
func ensureBenchWatchers(sys context.Context, db *sqldb.DB, org string) error {
	var ministry string
	if err := db.Transact(sys, func(tx *sqldb.Tx) error {
		err := tx.QueryRow(`SELECT id FROM organisations WHERE operator = ? ORDER BY id LIMIT 1`, true).Scan(&ministry)
		if err != nil {
			ministry = ""
		}
		return nil
	}); err != nil {
		return err
	}
	if ministry == "" {
		o := &homeward.Organisation{Name: benchMinistry, Type: homeward.OrgMinistry, Country: "BD", Areas: []string{"BD30"}, Operator: true}
		if err := db.CreateOrganisation(sys, o); err != nil {
			return err
		}
		ministry = o.ID
	}
	if err := benchNoSecondFactor(sys, db, org, ministry); err != nil {
		return err
	}
	for _, w := range benchWatchers {
		var id string
		if db.Transact(sys, func(tx *sqldb.Tx) error {
			return tx.QueryRow(`SELECT id FROM users WHERE email = ?`, w.email).Scan(&id)
		}) == nil {
			continue
		}
		u := &homeward.User{OrgID: org, Email: w.email, Name: "Bench " + w.label, Roles: []homeward.Role{w.role}}
		if w.operator {
			u.OrgID = ministry
		}
		if err := db.CreateUser(sys, u, benchWatcherPassword); err != nil {
			return err
		}
	}
	return nil
}

// benchDashboards measures the dashboard page (/indicators) through the
// web server, signed in as each watcher, with the filters a watcher uses:
// a district, an upazila in it, a programme, and breakdowns by district,
// upazila and programme.
func benchDashboards(ctx context.Context, p *program, db *sqldb.DB, sys context.Context, org, district, upazila string, workers, n int) error {
	if err := ensureBenchWatchers(sys, db, org); err != nil {
		return err
	}
	h, err := server.New(db, server.Options{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	pages := []struct{ label, query string }{
		{"no filter", ""},
		{"district " + district, "district=" + url.QueryEscape(district)},
		{"upazila " + upazila, "district=" + url.QueryEscape(district) + "&upazila=" + url.QueryEscape(upazila)},
		{"programme RAISE", "programme=RAISE"},
		{"by district", "by=district"},
		{"district by upazila", "by=upazila&district=" + url.QueryEscape(district)},
		{"by programme", "by=programme"},
	}
	stopHeap := heapwatch.Start(10 * time.Millisecond)
	for _, w := range benchWatchers {
		token, _, err := db.Login(ctx, w.email, benchWatcherPassword)
		if err != nil {
			return fmt.Errorf("%s: %w", w.email, err)
		}
		get := benchGetter(ctx, srv, token, workers)
		for _, pg := range pages {
			path := "/indicators?" + pg.query
			if w.operator && pg.query != "" {
				path += "&org=" + url.QueryEscape(org)
			}
			// A few first, so that templates and statements are ready.
			for range min(5, n) {
				if err := get(path); err != nil {
					return err
				}
			}
			lat, el, err := concurrently(n, workers, func(int) error { return get(path) })
			if err != nil {
				return err
			}
			fmt.Fprintf(p.stdout, "dashboard page, %s, %s: %d pages by %d clients in %s; p50 %s p95 %s p99 %s max %s\n",
				w.label, pg.label, n, workers, el.Round(time.Millisecond), lat.at(.5), lat.at(.95), lat.at(.99), lat.at(1))
		}
	}
	fmt.Fprintf(p.stdout, "dashboard pages: peak Go heap in use %d MB (server and clients in one process)\n", stopHeap()>>20)
	return nil
}

// benchResearchExport writes the organisation's k-anonymous research
// extract of every month to a temporary file, as homeward research export
// does, and prints its time, its size and the peak heap meanwhile (flat
// memory: the rows are streamed, three passes).
func benchResearchExport(sys context.Context, p *program, db *sqldb.DB, org string) error {
	dir, err := os.MkdirTemp("", "homeward-bench-research-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	q, err := indicator.ParseQuasi("sex,age_group,district,destination_country")
	if err != nil {
		return err
	}
	a, err := indicator.NewAnonymiser(q, 5)
	if err != nil {
		return err
	}
	to := indicator.Month(db.Now().Format("2006-01"))
	from := indicator.Month(homeward.AddMonths(db.Now(), -12*7).Format("2006-01"))
	out := filepath.Join(dir, "research.csv")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heapBefore := ms.HeapInuse
	stop := heapwatch.Start(5 * time.Millisecond)
	t0 := time.Now()
	msg, err := researchExport(sys, db, org, from, to, a, out)
	el := time.Since(t0)
	peak := stop()
	if err != nil {
		return err
	}
	st, err := os.Stat(out)
	if err != nil {
		return err
	}
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Fprintf(p.stdout, "research export %s..%s in %s (%d MB written): %s\n", from, to, el.Round(time.Millisecond), st.Size()>>20, msg)
	fmt.Fprintf(p.stdout, "research export memory: Go heap in use %d MB before, peak %d MB during; process max RSS so far %d MB\n", heapBefore>>20, peak>>20, ru.Maxrss/1024)
	return nil
}

// benchWriteCost measures what a write costs with the indicators kept as
// they are (a full rebuild on a schedule, nothing at write time):
// registrations through the service with no rebuild running, then while
// a rebuild runs, which is when a write shares the database with it.
func benchWriteCost(sys, actx context.Context, p *program, db *sqldb.DB, n, workers int) error {
	base := 50_000_000 + int(time.Now().Unix()%1000)*10_000 // numbered apart from the seed and earlier runs
	register := func(off int) func(int) error {
		return func(i int) error {
			reg := benchRegistration(base + off + i)
			_, err := db.Register(actx, &reg)
			return err
		}
	}
	lat, el, err := concurrently(n, workers, register(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "registrations, no rebuild running: %d by %d writers in %s; p50 %s p95 %s p99 %s\n", n, workers, el.Round(time.Millisecond), lat.at(.5), lat.at(.95), lat.at(.99))
	var wg sync.WaitGroup
	var rebuildErr error
	var rep *indicator.RebuildReport
	wg.Go(func() { rep, rebuildErr = db.RebuildIndicators(sys, indicator.Standard()) })
	// The rebuild reads for a while before it writes: registrations run
	// until it ends, a round of n/4 a second (a busy office's pace, not
	// a load test that would slow the rebuild down).
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var all latencies
	round := n/4 + 1
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for off := n; ; off += round {
		lat, _, err := concurrently(round, workers, register(off))
		if err != nil {
			return err
		}
		all = append(all, lat...)
		select {
		case <-done:
		case <-tick.C:
			continue
		}
		break
	}
	if rebuildErr != nil {
		return rebuildErr
	}
	slices.Sort(all)
	fmt.Fprintf(p.stdout, "registrations while a full rebuild ran (%s): %d by %d writers; p50 %s p95 %s p99 %s\n", rep.Took.Round(time.Millisecond), len(all), workers, all.at(.5), all.at(.95), all.at(.99))
	return nil
}

// benchNoSecondFactor lets the benchmarks' users of the organisations sign
// in with a password alone, so that their pages, not the second factor's
// enrolment page, are measured. The current policy, at its version: a
// second run (or an organisation that already changed its policy) updates
// it, and one that asks no second factor already is left as it is.
func benchNoSecondFactor(sys context.Context, db *sqldb.DB, orgs ...string) error {
	for _, o := range orgs {
		pol, err := db.SignInPolicy(sys, o)
		if err != nil {
			return err
		}
		if len(pol.SecondFactorRoles) == 0 {
			continue
		}
		pol.SecondFactorRoles = []homeward.Role{}
		if err := db.SetSignInPolicy(sys, pol); err != nil {
			return err
		}
	}
	return nil
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"runtime"
	"strings"
	"syscall"
	"time"

	"homeward"
	"homeward/internal/heapwatch"
	"homeward/internal/server"
	"homeward/internal/sqldb"
)

// benchPagesCaseload is how many of the newest cases bench pages assigns
// to its case worker: a realistic caseload for the home page's tasks.
const benchPagesCaseload = 300

// benchPages measures the pages a case worker opens most — a person's
// page and the home page with its tasks — through the web server on a
// seeded database (bench seed), signed in as a browser is, with concurrent
// clients, and the process's memory meanwhile.
func benchPages(ctx context.Context, p *program, args []string) error {
	fs := p.flagSet("bench pages", "bench pages [--data-dir DIR | --database postgres://…] [--workers 8] [--n 1000]")
	open := benchDBFlags(fs, "data", "directory of the SQLite database")
	workers := fs.Int("workers", 8, "concurrent clients")
	n := fs.Int("n", 1000, "requests of each page")
	reads := fs.String("reads", "both", "the person page's read audit: audited, unaudited (to measure its cost) or both")
	only := fs.String("only", "", "measure only the pages whose name contains this (\"follow-up\", \"home\", \"person\")")
	cpuprofile := fs.String("cpuprofile", "", "write a CPU profile of the measured pages to this file")
	caseTasks := fs.Bool("case-tasks", true, "compute each case's follow-up task first, as serve does (false: a supervisor's tasks are computed from every case, as before they were kept, to measure the difference; only on a database where they were never computed)")
	db, sys, actx, err := openBenchAs(ctx, p, fs, args, open)
	if err != nil {
		return err
	}
	defer db.Close()
	defer auditAsServe(ctx, db)()
	org := homeward.ActorFromContext(actx).OrgID
	email, pw, err := benchPagesUser(sys, db, org, homeward.RoleCaseWorker)
	if err != nil {
		return err
	}
	supEmail, supPw, err := benchPagesUser(sys, db, org, homeward.RoleSupervisor)
	if err != nil {
		return err
	}
	if err := benchNoSecondFactor(sys, db, org); err != nil {
		return err
	}
	// As serve does at start: each case's follow-up task for the schedule.
	began := time.Now()
	if !*caseTasks {
		fmt.Fprintln(p.stdout, "follow-up tasks not computed per case (--case-tasks=false)")
	} else if n, err := db.RefreshCaseTasks(ctx, 1000); err != nil {
		return err
	} else if n > 0 {
		fmt.Fprintf(p.stdout, "follow-up tasks computed for %d cases in %s (serve does it in the background at start)\n", n, time.Since(began).Round(time.Millisecond))
	}
	// People spread over the registry, oldest to newest.
	var people []string
	var total int
	err = db.Transact(sys, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(`SELECT COUNT(*) FROM people WHERE org_id = ? AND merged_into IS NULL`, org).Scan(&total); err != nil {
			return err
		}
		step := max(1, total/(*n))
		rows, err := tx.Query(`SELECT id FROM people WHERE org_id = ? AND merged_into IS NULL ORDER BY id`, org)
		if err != nil {
			return err
		}
		defer rows.Close()
		for i := 0; rows.Next() && len(people) < *n; i++ {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			if i%step == 0 {
				people = append(people, id)
			}
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	if len(people) == 0 {
		return fmt.Errorf("bench pages: no people (run homeward bench seed first)")
	}
	var modes []bool // audited?
	switch *reads {
	case "audited":
		modes = []bool{true}
	case "unaudited":
		modes = []bool{false}
	case "both":
		modes = []bool{false, true}
	default:
		return usageError{"bench pages: --reads is audited, unaudited or both"}
	}
	servers := map[bool]*httptest.Server{}
	for _, audited := range modes {
		opt := server.Options{Logger: slog.New(slog.DiscardHandler)}
		if !audited {
			opt.Audit = unauditedReads{db}
		}
		h, err := server.New(db, opt)
		if err != nil {
			return err
		}
		servers[audited] = httptest.NewServer(h)
		defer servers[audited].Close()
	}
	token, _, err := db.Login(ctx, email, pw)
	if err != nil {
		return err
	}
	supToken, _, err := db.Login(ctx, supEmail, supPw)
	if err != nil {
		return err
	}
	gets := map[*httptest.Server]func(path string) error{}
	for _, srv := range servers {
		gets[srv] = benchGetter(ctx, srv, token, *workers)
	}
	fmt.Fprintf(p.stdout, "%s, %d people; %d concurrent clients on %d CPUs; a case worker with %d cases\n", db.Dialect(), total, *workers, runtime.NumCPU(), benchPagesCaseload)
	stopHeap := heapwatch.Start(10 * time.Millisecond)
	type benchPage struct {
		name  string
		srv   *httptest.Server
		paths func(i int) []string    // fetched one after the other, as one page
		get   func(path string) error // as another user than the case worker
	}
	var pages []benchPage
	for _, audited := range modes {
		name := "person page, read audited  "
		if !audited {
			name = "person page, read unaudited"
		}
		pages = append(pages, benchPage{name, servers[audited], func(i int) []string { return []string{"/people/" + people[i%len(people)]} }, nil})
	}
	// The home page ("/" only redirects to it) loads its task lists after
	// it, as fragments: measured apart and as the whole page.
	last := servers[modes[len(modes)-1]]
	for _, pg := range []struct{ name, path string }{{"home page alone", "/home"}, {"home: referral and plan tasks", "/tasks/panel"}, {"home: follow-up tasks", "/assessments/tasks"}} {
		pages = append(pages, benchPage{pg.name, last, func(int) []string { return []string{pg.path} }, nil})
	}
	pages = append(pages, benchPage{"home page with its tasks (3 requests)", last, func(int) []string { return []string{"/home", "/tasks/panel", "/assessments/tasks"} }, nil})
	// A supervisor's follow-up tasks are those of every open case.
	supGet := benchGetter(ctx, last, supToken, *workers)
	pages = append(pages, benchPage{"supervisor's home: follow-up tasks", last, func(int) []string { return []string{"/assessments/tasks"} }, supGet},
		benchPage{"supervisor's home page with its tasks (3 requests)", last, func(int) []string { return []string{"/home", "/tasks/panel", "/assessments/tasks"} }, supGet})
	if *cpuprofile != "" {
		stop, err := startCPUProfile(*cpuprofile)
		if err != nil {
			return err
		}
		defer stop()
	}
	for _, page := range pages {
		if !strings.Contains(page.name, *only) {
			continue
		}
		fetch := func(i int) error {
			for _, path := range page.paths(i) {
				g := page.get
				if g == nil {
					g = gets[page.srv]
				}
				if err := g(path); err != nil {
					return err
				}
			}
			return nil
		}
		// A few requests first, so that templates and statements are ready.
		for i := range min(20, *n) {
			if err := fetch(i); err != nil {
				return err
			}
		}
		lat, el, err := concurrently(*n, *workers, fetch)
		if err != nil {
			return err
		}
		fmt.Fprintf(p.stdout, "%s: %d in %s: %.0f/s; p50 %s p95 %s p99 %s max %s\n",
			page.name, *n, el.Round(time.Millisecond), float64(*n)/el.Seconds(), lat.at(.5), lat.at(.95), lat.at(.99), lat.at(1))
	}
	peak := stopHeap()
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	fmt.Fprintf(p.stdout, "memory: peak Go heap in use %d MB; process max RSS %d MB (server and clients in one process)\n", peak>>20, ru.Maxrss/1024)
	return nil
}

// unauditedReads is the audit service with reads left unrecorded: bench
// pages' measure of what the person page's read audit costs. Never used
// outside the benchmark.
type unauditedReads struct{ homeward.AuditService }

// RecordRead records nothing.
func (unauditedReads) RecordRead(context.Context, homeward.RecordRead) error { return nil }

// benchPagesUser returns the sign-in of bench pages' case worker or
// supervisor, creating them on first use: the case worker with the newest
// cases of the organisation assigned.
func benchPagesUser(sys context.Context, db *sqldb.DB, org string, role homeward.Role) (email, pw string, err error) {
	email, pw = "bench-pages@bench.test", "bench-pages-password-1"
	if role == homeward.RoleSupervisor {
		email = "bench-pages-supervisor@bench.test"
	}
	var id string
	err = db.Transact(sys, func(tx *sqldb.Tx) error {
		return tx.QueryRow(`SELECT id FROM users WHERE email = ?`, email).Scan(&id)
	})
	if err == nil {
		return email, pw, nil
	}
	u := &homeward.User{OrgID: org, Email: email, Name: "Bench " + string(role), Roles: []homeward.Role{role}}
	if err := db.CreateUser(sys, u, pw); err != nil || role != homeward.RoleCaseWorker {
		return email, pw, err
	}
	err = db.Transact(sys, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(`UPDATE cases SET assigned_to = ? WHERE id IN (SELECT id FROM cases WHERE org_id = ? AND merged_into IS NULL ORDER BY id DESC LIMIT ?)`, u.ID, org, benchPagesCaseload)
		return err
	})
	return email, pw, err
}

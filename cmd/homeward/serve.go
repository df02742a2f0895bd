package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"homeward"
	"homeward/internal/country"
	"homeward/internal/credential"
	"homeward/internal/dedupe"
	"homeward/internal/demo"
	"homeward/internal/handoff"
	"homeward/internal/passkey"
	"homeward/internal/reference"
	"homeward/internal/scoring"
	"homeward/internal/seal"
	"homeward/internal/server"
	"homeward/internal/sqldb"
	"homeward/internal/webhook"
)

func (p *program) logger(c *Config) *slog.Logger {
	level, _ := c.level()
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(p.stderr, opts))
	}
	return slog.New(slog.NewTextHandler(p.stderr, opts))
}

// openDB opens the database for a command. For the server (c.serving) it
// also sets the key for counselling notes, refuses to start if notes in the
// database are sealed under another key, and seals notes stored in clear
// before notes were encrypted.
func openDB(ctx context.Context, c *Config, log *slog.Logger) (*sqldb.DB, error) {
	var key *seal.Key
	var keySource string
	var keyCreated bool
	if c.serving || c.identKeyed {
		var err error
		if key, keySource, keyCreated, err = c.notesKey(); err != nil {
			return nil, err
		}
	}
	var auditKeys *homeward.AuditKeyring
	var auditSource string
	var auditCreated bool
	if c.serving || c.auditKeyed {
		var err error
		if auditKeys, auditSource, auditCreated, err = c.auditKeys(); err != nil {
			return nil, err
		}
	}
	db, err := sqldb.OpenWith(ctx, c.DSN(), sqldb.Options{CacheMB: c.SQLiteCacheMB})
	if err != nil {
		return nil, err
	}
	db.Logger = log
	db.PublicURL = c.PublicBase()
	db.Country = c.Country
	if c.serving {
		pc, err := c.Passkeys()
		switch {
		case err == nil && pc.RPID == "":
			log.Warn("passkeys are off: the public URL's host is an IP address and WebAuthn needs a domain; set --public-url, or --rp-id and --rp-origin, to a domain")
		case err == nil:
			db.Passkeys, err = passkey.New(pc)
		}
		if err != nil {
			db.Close()
			return nil, err
		}
	}
	db.DIDWebHost = credential.DIDWebHost(db.PublicURL)
	if db.Zone, err = homeward.LoadZone(c.TimeZone); err != nil {
		db.Close()
		return nil, err
	}
	// Webhooks are created under the rule the sender (see serve) delivers
	// by.
	db.WebhookAllowPrivate = c.WebhookAllowPrivate
	if auditKeys != nil {
		if err := useAuditKeys(ctx, db, auditKeys, auditSource, auditCreated, log); err != nil {
			db.Close()
			return nil, err
		}
	}
	if c.serving && c.DatabaseReplica != "" {
		warning, err := db.UseReplica(ctx, c.DatabaseReplica)
		if err != nil {
			db.Close()
			return nil, err
		}
		if warning != "" {
			log.Warn(warning, "replica", sqldb.ReplicaHost(c.DatabaseReplica))
		}
		log.Info("exports and indicator dashboards read the replica", "replica", sqldb.ReplicaHost(c.DatabaseReplica))
	}
	if key == nil {
		return db, nil
	}
	db.NotesKeys = seal.NewKeyring(key)
	if err := db.CheckNotesKeys(ctx); err != nil {
		if keyCreated {
			// A key made now cannot be the one these notes need; leave
			// room to restore that one.
			os.Remove(keySource)
		}
		db.Close()
		return nil, err
	}
	if keyCreated {
		log.Warn("created a new key for counselling notes: keep a copy apart from database backups; without it the notes cannot be read", "path", keySource, "key_id", key.ID())
	} else {
		log.Info("counselling notes key", "source", keySource, "key_id", key.ID())
	}
	n, err := db.EncryptLegacyNotes(ctx, 500)
	if err != nil {
		db.Close()
		return nil, err
	}
	if n > 0 {
		log.Info("encrypted counselling notes stored in clear by an earlier version", "notes", n)
	}
	// People's identifiers are sealed under data keys that the same key
	// wraps: refuse a key that does not open them, and convert records
	// stored in clear by an earlier version (resumable: each batch commits).
	if err := db.LoadIdentifierKeys(ctx); err != nil {
		db.Close()
		return nil, err
	}
	records, keys, err := db.EncryptLegacyIdentifiers(ctx, 500)
	if err != nil {
		db.Close()
		return nil, err
	}
	if records > 0 || keys > 0 {
		log.Info("encrypted people's identifiers stored in clear by an earlier version", "records", records, "search_keys", keys)
	}
	return db, nil
}

// useAuditKeys gives db the audit keys, refuses keys other than those the
// log is keyed with, and keys chains written before the audit key.
func useAuditKeys(ctx context.Context, db *sqldb.DB, kr *homeward.AuditKeyring, source string, created bool, log *slog.Logger) error {
	db.AuditKeys = kr
	if err := db.CheckAuditKeys(ctx); err != nil {
		if created {
			// A key made now cannot be the one the log needs; leave room
			// to restore that one.
			os.Remove(source)
		}
		return err
	}
	id := kr.Primary().ID()
	if created {
		log.Warn("created a new audit key: keep a copy apart from database backups; without it the audit log cannot be verified", "path", source, "key_id", id)
	} else {
		log.Debug("audit key", "source", source, "key_id", id)
	}
	n, err := db.KeyLegacyAudit(ctx)
	if err != nil {
		return err
	}
	if n > 0 {
		log.Info("keyed the audit chains written before the audit key", "chains", n, "key_id", id)
	}
	return nil
}

// parseServe parses the server's flags and environment into c.
func (p *program) parseServe(fs *flag.FlagSet, c *Config, args []string) error {
	if err := p.parse(fs, args); err != nil {
		return err
	}
	c.NotesKey = p.getenv(notesKeyEnv)
	c.AuditKey = p.getenv(auditKeyEnv)
	return nil
}

func cmdServe(ctx context.Context, p *program, args []string) error {
	var c Config
	fs := p.flagSet("serve", "serve [flags]")
	c.serveFlags(fs, "127.0.0.1:8080")
	if err := p.parseServe(fs, &c, args); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	log := p.logger(&c)
	if err := reference.Load(); err != nil {
		return err
	}
	db, err := openDB(ctx, &c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if elsewhere, err := operatorsElsewhere(ctx, db, c.Country); err != nil {
		return err
	} else if len(elsewhere) > 0 {
		log.Warn("the operator organisation serves another country than this instance: its users' registrations will be refused areas, ports and identifiers of "+c.Country+"; serve with that country's --country, or correct the organisation",
			"country", c.Country, "operators", strings.Join(elsewhere, "; "))
	}
	return p.serve(ctx, &c, db, log, "")
}

// operatorsElsewhere names the operator organisations (with their country)
// that serve another country than the instance's: one instance serves one
// country, and a ministry set up for Pakistan on an instance serving
// Bangladesh is most likely a forgotten --country.
func operatorsElsewhere(ctx context.Context, db *sqldb.DB, country string) ([]string, error) {
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	var out []string
	for after := ""; ; {
		orgs, next, err := db.FindOrganisations(sys, homeward.OrganisationFilter{After: after, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, o := range orgs {
			if o.Operator && o.Country != "" && o.Country != country {
				out = append(out, o.Name+" ("+o.Country+")")
			}
		}
		if next == "" {
			return out, nil
		}
		after = next
	}
}

// serve runs the HTTP server until ctx ends, then shuts down gracefully:
// it stops accepting, lets running requests finish (up to the timeout)
// and returns; the caller closes the database last.
func (p *program) serve(ctx context.Context, c *Config, db *sqldb.DB, log *slog.Logger, demoPassword string) error {
	// The background work below stops with ctx, also when serving fails
	// (a port in use) rather than ctx ending: each waits for its goroutine
	// after ending it.
	ctx, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	// The duplicate scan runs in the background; several serve processes
	// share the work through leases in the database.
	dd := dedupe.New(db, dedupe.Options{Logger: log, Now: db.Now, MemoryBudget: int64(c.DedupeMemoryMB) << 20})
	stopScan := dd.Start(ctx)
	defer stopScan()
	// Webhook deliveries and referral expiry run in the background too;
	// several processes share them safely (deliveries are claimed).
	hooks := &webhook.Worker{Store: db, Interval: c.WebhookInterval, Logger: log,
		Send: webhook.New(webhook.Options{AllowPrivate: c.WebhookAllowPrivate, UserAgent: "Homeward/" + version}).Send}
	stopHooks := hooks.Start(ctx)
	defer stopHooks()
	// Cross-border handoff messages wait in an outbox; this loop signs
	// and delivers them, retrying until the partner acknowledges.
	handoffs := &handoff.Worker{Store: db, Interval: c.WebhookInterval, Logger: log,
		Send: (&handoff.Sender{Do: webhook.New(webhook.Options{AllowPrivate: c.WebhookAllowPrivate, UserAgent: "Homeward/" + version}).Do, Now: db.Now}).Send}
	stopHandoffs := handoffs.Start(ctx)
	defer stopHandoffs()
	// On PostgreSQL audit events are written pending and linked into their
	// chains by one sealer at a time, whichever process holds the lock;
	// every process runs one, so that events left by a killed process are
	// linked too.
	waitSealer := startAuditSealer(ctx, db, c.AuditSealInterval, func(err error) { log.Error("audit events not sealed", "err", err) })
	defer func() { stopBackground(); waitSealer() }()
	// The indicators are recomputed at launch and then on schedule, so
	// that dashboards read aggregates a little old rather than records.
	if c.IndicatorsInterval > 0 {
		done := make(chan struct{})
		defer func() { stopBackground(); <-done }()
		go func() {
			defer close(done)
			runIndicators(ctx, db, log, c.IndicatorsInterval)
		}()
	}
	// Retention periods are applied at launch and then daily, the same way.
	if c.RetentionInterval > 0 {
		done := make(chan struct{})
		defer func() { stopBackground(); <-done }()
		go func() {
			defer close(done)
			runRetention(ctx, db, log, c.RetentionInterval)
		}()
	}
	if c.FollowUps != "" {
		sched, err := scoring.ParseSchedule(c.FollowUps)
		if err != nil {
			return err
		}
		db.FollowUpSchedule = &sched
	}
	// Each case keeps its follow-up task for supervisors' lists; they are
	// recomputed when the schedule is not the one they were computed for
	// (after an upgrade, or a changed --follow-ups), in the background.
	tasksDone := make(chan struct{})
	defer func() { stopBackground(); <-tasksDone }()
	go func() {
		defer close(tasksDone)
		began := time.Now()
		if n, err := db.RefreshCaseTasks(ctx, 1000); err != nil && ctx.Err() == nil {
			log.Error("follow-up tasks not recomputed", "err", err)
		} else if n > 0 {
			log.Info("follow-up tasks recomputed for the schedule", "cases", n, "took", time.Since(began).Round(time.Millisecond))
		}
	}()
	h, err := server.New(db, server.Options{Logger: log, MaxBody: c.MaxBody, SecureCookies: c.SecureCookies, APIRate: c.APIRate, APIBurst: c.APIBurst, MaxInFlight: c.MaxInFlight, MaxQueued: c.MaxQueued, QueueWait: c.QueueWait, ClientIPHeader: c.ClientIPHeader, DemoPassword: demoPassword, Country: c.Country, Dedupe: dd, Background: ctx})
	if err != nil {
		return err
	}
	// Donor reports are built in the background by whichever process
	// claims them (at once when requested here, else within a minute).
	reportsDone := make(chan struct{})
	defer func() { stopBackground(); <-reportsDone }()
	go func() {
		defer close(reportsDone)
		h.RunReports(ctx, time.Minute)
	}()
	ln, err := net.Listen("tcp", c.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       5 * time.Minute, // uploads of large imports
		WriteTimeout:      10 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	addr := ln.Addr().String()
	log.Info("listening", "url", "http://"+addr, "database", db.Dialect())
	if p.onListen != nil {
		p.onListen(addr)
	}
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	var msrv *http.Server
	if c.MetricsAddr != "" {
		mln, err := net.Listen("tcp", c.MetricsAddr)
		if err != nil {
			srv.Close()
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", h.Metrics)
		msrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second, ErrorLog: slog.NewLogLogger(log.Handler(), slog.LevelWarn)}
		log.Info("metrics", "url", "http://"+mln.Addr().String()+"/metrics")
		if p.onMetrics != nil {
			p.onMetrics(mln.Addr().String())
		}
		go func() {
			if err := msrv.Serve(mln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				errc <- err
			}
		}()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", c.ShutdownTimeout)
	sctx, cancel := context.WithTimeout(context.Background(), c.ShutdownTimeout)
	defer cancel()
	if msrv != nil {
		_ = msrv.Shutdown(sctx)
	}
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	// Imports running on after their upload stop at their next row (ctx
	// has ended); the database closes after them.
	if err := h.Wait(sctx); err != nil {
		log.Warn("background imports did not stop in time", "err", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// startAuditSealer makes db write audit events pending on PostgreSQL when
// interval is set (DB.DeferAuditSeal) and runs the sealer that links them
// into their chains every interval (every second when 0, for events a
// killed process left) until ctx ends, reporting failures to fail; the
// function it returns waits for the sealer to end.
func startAuditSealer(ctx context.Context, db *sqldb.DB, interval time.Duration, fail func(error)) (wait func()) {
	db.DeferAuditSeal = db.Dialect() == "postgres" && interval > 0
	done := make(chan struct{})
	go func() {
		defer close(done)
		db.RunAuditSealer(ctx, cmp.Or(interval, time.Second), fail)
	}()
	return func() { <-done }
}

func cmdDemo(ctx context.Context, p *program, args []string) error {
	var c Config
	fs := p.flagSet("demo", "demo [flags]\n\nStarts the server on a fresh embedded database holding the demo world and prints the demo logins.\nThe database lives in a temporary directory unless --data-dir is given (it must then be empty).")
	c.serveFlags(fs, "127.0.0.1:8080")
	fs.Lookup("data-dir").DefValue = ""
	c.DataDir = ""
	if err := p.parseServe(fs, &c, args); err != nil {
		return err
	}
	if c.Database != "" {
		return usageError{"demo always uses a fresh embedded database; use serve for PostgreSQL"}
	}
	if c.DataDir == "" {
		dir, err := os.MkdirTemp("", "homeward-demo-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		c.DataDir = dir
	} else if entries, err := os.ReadDir(c.DataDir); err == nil && len(entries) > 0 {
		return usageError{fmt.Sprintf("--data-dir %s is not empty; the demo needs a fresh database", c.DataDir)}
	}
	if err := c.Validate(); err != nil {
		return err
	}
	log := p.logger(&c)
	start := time.Now()
	if err := reference.Load(); err != nil {
		return err
	}
	db, err := openDB(ctx, &c, log)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := demo.SeedCountry(ctx, db, c.Country); err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "Homeward demo (%s): open http://%s/ and sign in with one of these accounts.\n\n", c.Country, c.Addr)
	demo.PrintCountryLogins(p.stdout, c.Country)
	if c.Country == country.Default {
		fmt.Fprintln(p.stdout)
		demo.PrintNotes(p.stdout)
	}
	fmt.Fprintf(p.stdout, "\nDemo world ready in %s. Press Ctrl+C to stop.\n", time.Since(start).Round(time.Millisecond))
	return p.serve(ctx, &c, db, log, demo.Password)
}

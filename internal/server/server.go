// Package server assembles Homeward's HTTP handler: the JSON API, the web
// UI, health and readiness probes and Prometheus metrics behind one
// middleware chain.
package server

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"homeward"
	"homeward/internal/api"
	"homeward/internal/dedupe"
	"homeward/internal/handoff"
	"homeward/internal/handoff/inbox"
	"homeward/internal/httpx"
	"homeward/internal/report"
	"homeward/internal/sqldb"
	"homeward/internal/web"
)

// Options tune the handler.
type Options struct {
	Logger        *slog.Logger
	MaxBody       int64
	SecureCookies bool
	// APIRate and APIBurst bound each API client (token, user or address)
	// to APIRate requests a second, in bursts of up to APIBurst; zero is
	// no limit.
	APIRate  float64
	APIBurst int
	// InboxRate and InboxBurst bound the handoff inbox per claimed key and
	// per remote address; zero means inbox.DefaultRate and DefaultBurst.
	InboxRate  float64
	InboxBurst int
	// MaxInFlight bounds the requests served at once; MaxQueued more
	// wait up to QueueWait for a turn; others are answered 503 with
	// Retry-After (see httpx.Shed). Zero MaxInFlight: no bound.
	MaxInFlight  int
	MaxQueued    int
	QueueWait    time.Duration
	DemoPassword string
	// ClientIPHeader names the header a trusted proxy sets with the
	// client's address (see httpx.ClientAddr); empty: the peer address.
	ClientIPHeader string
	// Dedupe is the duplicate workflow; serve creates it to start its
	// background scan (Start) and passes it here. When nil, New creates one
	// whose scan runs only on request.
	Dedupe *dedupe.Service
	// Background is the context of work that outlives its request
	// (imports from the upload page); serve ends it at shutdown and then
	// calls Handler.Wait. Nil: such work runs until it is done.
	Background context.Context
	// Audit replaces db as the audit service of both edges; bench pages
	// sets one that records no reads, to measure what audited reads cost.
	// Nil: db.
	Audit homeward.AuditService
	// Country is the ISO alpha-2 code of the country pack the instance
	// serves (serve --country); "" is country.Default.
	Country string
}

// Handler is the complete HTTP handler.
type Handler struct {
	http.Handler
	// Metrics serves Prometheus metrics. It is not part of Handler: metrics
	// tell about the instance's use and are served on an address of their
	// own (serve --metrics-addr), reachable by the platform only.
	Metrics http.Handler
	ui      *web.Web
	db      *sqldb.DB
	log     *slog.Logger
	// wake tells the report builder that a report was requested.
	wake chan struct{}
}

// RunReports builds the requested and scheduled donor reports until ctx
// ends: at once when one is requested through this process, and every
// interval (others' requests, schedules, a crashed builder's reports).
// Several processes share the work safely: a report is claimed by one.
func (h *Handler) RunReports(ctx context.Context, interval time.Duration) {
	b := &report.Builder{Store: h.db, Owner: homeward.NewID(), OrgName: h.db.OrganisationName, Now: h.db.Now, Log: h.log, Chromium: report.FindChromium()}
	if b.Chromium == "" {
		h.log.Info("reports are workbooks only: no Chromium to print PDFs with")
	}
	b.Run(homeward.NewContextWithActor(ctx, homeward.SystemActor), interval, h.wake)
}

// Wait waits, until ctx ends, for the work the handler started in the
// background (it stops soon after Options.Background ends).
func (h *Handler) Wait(ctx context.Context) error { return h.ui.Wait(ctx) }

// New returns the complete handler over db.
func New(db *sqldb.DB, opt Options) (*Handler, error) {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Dedupe == nil {
		opt.Dedupe = dedupe.New(db, dedupe.Options{Logger: opt.Logger, Now: db.Now})
	}
	db.OnPersonChanged(opt.Dedupe.PersonChanged)
	audit := opt.Audit
	if audit == nil {
		audit = db
	}
	a := api.New(api.Services{Orgs: db, Users: db, Grants: db, Auth: db, Security: db, Audit: audit, Registry: db, Assessment: db, Dedupe: opt.Dedupe, Referral: db, Indicators: db, RPL: db, Programmes: db, Recommend: db, Subjects: db, BreakGlass: db, Privacy: db, Handoff: db, Clock: db.Clock()})
	if opt.MaxBody > 0 {
		a.MaxBody = opt.MaxBody
	}
	ui, err := web.New(web.Services{Orgs: db, Users: db, Grants: db, Auth: db, Security: db, Passkeys: db, Audit: audit, Registry: db, Assessment: db, Dedupe: opt.Dedupe, Referral: db, Indicators: db, Reports: db, RPL: db, Recommend: db, Subjects: db, BreakGlass: db, Privacy: db, Programmes: db, Handoff: db, Clock: db.Clock()})
	if err != nil {
		return nil, err
	}
	ui.SecureCookies = opt.SecureCookies
	ui.PublicURL = db.PublicURL
	ui.DemoPassword = opt.DemoPassword
	ui.Country = opt.Country
	ui.Passkeys = db.Passkeys != nil
	ui.Background = opt.Background
	wake := make(chan struct{}, 1)
	ui.ReportRequested = func() {
		select {
		case wake <- struct{}{}:
		default:
		}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if err := httpx.Register(reg); err != nil {
		return nil, err
	}
	// The duplicate scan: how far the running scans are, what they raised,
	// and how long the longest last scan took.
	dd := opt.Dedupe
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "homeward_dedupe_scans_running", Help: "Duplicate scans running in this process."},
			func() float64 { n, _, _, _, _ := dd.ProgressTotals(); return float64(n) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "homeward_dedupe_scan_people_done", Help: "People checked so far by the running duplicate scans."},
			func() float64 { _, d, _, _, _ := dd.ProgressTotals(); return float64(d) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "homeward_dedupe_scan_people_total", Help: "People the running duplicate scans are to check."},
			func() float64 { _, _, t, _, _ := dd.ProgressTotals(); return float64(t) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "homeward_dedupe_pairs_raised_total", Help: "Pairs the duplicate scans of this process raised for review."},
			func() float64 { _, _, _, r, _ := dd.ProgressTotals(); return float64(r) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "homeward_dedupe_last_scan_seconds", Help: "Duration of the longest last finished duplicate scan of an organisation."},
			func() float64 { _, _, _, _, l := dd.ProgressTotals(); return l.Seconds() }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "homeward_dedupe_index_people", Help: "People held in memory by the duplicate indexes of this process."},
			func() float64 { return float64(dd.Indexes.People()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "homeward_dedupe_index_bytes", Help: "Memory the duplicate indexes of this process hold, estimated (about 1.1 KB per person)."},
			func() float64 { return float64(dd.Indexes.Bytes()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "homeward_dedupe_index_loading_people_read", Help: "People read so far by the duplicate indexes being loaded (the check answers 'getting ready' meanwhile)."},
			func() float64 { r, _ := dd.Indexes.Loading(); return float64(r) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "homeward_dedupe_index_loading_people_total", Help: "People the duplicate indexes being loaded are to read (0: none loading)."},
			func() float64 { _, t := dd.Indexes.Loading(); return float64(t) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "homeward_dedupe_memory_budget_bytes", Help: "Go memory the process keeps to while a duplicate scan runs (--dedupe-memory-mb; 0: no budget)."},
			func() float64 { return float64(dd.MemoryBudget()) }),
	)
	// The search's cache of name-token counts (bounded; see sqldb.keyCounts).
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "homeward_search_key_counts_entries", Help: "Name-token counts the search holds in memory (at most 20,000)."},
			func() float64 { n, _, _, _ := db.KeyCountStats(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "homeward_search_key_counts_hits_total", Help: "Name-token counts the search took from memory."},
			func() float64 { _, h, _, _ := db.KeyCountStats(); return float64(h) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "homeward_search_key_counts_misses_total", Help: "Name-token counts the search had to count in the database."},
			func() float64 { _, _, m, _ := db.KeyCountStats(); return float64(m) }),
	)
	if db.Dialect() == "sqlite" {
		// SQLite's single writer: how many commits it makes, how many
		// registrations ride on each, and how busy it is; and the budget
		// of its page caches (--sqlite-cache-mb).
		reg.MustRegister(
			prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "homeward_sqlite_cache_budget_bytes", Help: "Most memory the SQLite page caches of all connections may hold."},
				func() float64 { return float64(db.CacheBytes) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "homeward_sqlite_commits_total", Help: "Group commits made by the SQLite writer."},
				func() float64 { return float64(db.WriterStats().Groups) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "homeward_sqlite_grouped_transactions_total", Help: "Transactions carried by the writer's group commits."},
				func() float64 { return float64(db.WriterStats().Jobs) }),
			prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "homeward_sqlite_writer_busy_seconds_total", Help: "Time the SQLite writer spent running group commits."},
				func() float64 { return db.WriterStats().Busy.Seconds() }),
		)
	}

	// Load shedding: what it served, made wait and turned away.
	shed := &httpx.ShedStats{}
	reg.MustRegister(
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "homeward_http_served_total", Help: "Requests admitted under --max-in-flight."},
			func() float64 { return float64(shed.Served.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "homeward_http_queued_total", Help: "Admitted requests that first waited for a turn."},
			func() float64 { return float64(shed.Queued.Load()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "homeward_http_shed_total", Help: "Requests answered 503 because the server was full (--max-in-flight, --max-queued, --queue-wait)."},
			func() float64 { return float64(shed.Shed.Load()) }),
	)

	mux := http.NewServeMux()
	mux.Handle("/api/", a)
	mux.Handle("/", ui)
	// Partner instances abroad deliver signed handoff messages here; the
	// signature, not a session or token, says who they are.
	mux.Handle(handoff.InboxPath, inbox.New(db, db.PublicURL, func() time.Time { return db.Now() }, opt.InboxRate, opt.InboxBurst))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	// Readiness says ok or not ok and nothing else: which database runs
	// behind the server is none of an anonymous caller's business.
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := db.Ping(ctx); err != nil {
			httpx.LoggerFrom(r.Context()).Warn("not ready", "err", err)
			httpx.JSON(w, http.StatusServiceUnavailable, map[string]string{"status": "not ok"})
			return
		}
		httpx.JSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})

	return &Handler{Handler: httpx.Chain(httpx.RecordRoute(mux),
		httpx.RequestID(opt.Logger),
		httpx.ClientAddr(opt.ClientIPHeader),
		httpx.Log,
		httpx.Shed(opt.MaxInFlight, opt.MaxQueued, opt.QueueWait, shed),
		httpx.SecurityHeaders,
		httpx.HSTS(opt.SecureCookies),
		httpx.Authenticate(db),
		httpx.RateLimit(opt.APIRate, opt.APIBurst, db.Now),
	), ui: ui, db: db, log: opt.Logger, wake: wake, Metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{})}, nil
}

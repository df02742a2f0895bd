package main

import (
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"homeward"
	"homeward/internal/country"
	"homeward/internal/httpx"
	"homeward/internal/passkey"
	"homeward/internal/scoring"
	"homeward/internal/seal"
	"homeward/internal/sqldb"
	"homeward/internal/webhook"
)

// DefaultDedupeMemoryMB is the default memory budget of the duplicate
// scan. The index of 100,000 people holds about 107 MB (160 MB before
// records shared their names); a budget close to that would keep the
// collector running all the time, so the default leaves it room to work
// in. SQLite's page caches (96 MB by default) come on top.
const DefaultDedupeMemoryMB = 256

// defaultAuditSealInterval is serve's --audit-seal-interval.
const defaultAuditSealInterval = 100 * time.Millisecond

// Config is the server's configuration, filled from flags and HOMEWARD_*
// environment variables.
type Config struct {
	Addr      string
	Database  string
	DataDir   string
	LogLevel  string
	LogFormat string
	// TimeZone is the instance's IANA time zone: its calendar says which
	// day "today" is (follow-ups due, dates not in the future).
	TimeZone string
	// Country is the ISO alpha-2 code of the country pack the instance
	// serves (--country): one instance serves one country.
	Country       string
	SecureCookies bool
	APIRate       float64
	APIBurst      int
	MaxBody       int64
	// MaxInFlight, MaxQueued and QueueWait bound the requests in flight
	// (see server.Options).
	MaxInFlight     int
	MaxQueued       int
	QueueWait       time.Duration
	ShutdownTimeout time.Duration
	FollowUps       string
	// WebhookInterval is how often the background worker sends due
	// webhook deliveries.
	WebhookInterval time.Duration
	// AuditSealInterval is how often pending audit events are linked into
	// their chains on PostgreSQL (0: each transaction seals its own, as on
	// SQLite; see sqldb.DB.DeferAuditSeal).
	AuditSealInterval time.Duration
	// IndicatorsInterval is how often the server recomputes the indicators
	// (0: never; homeward indicators rebuild does it by hand).
	IndicatorsInterval time.Duration
	// RetentionInterval is how often the server applies the retention
	// periods (0: never).
	RetentionInterval time.Duration
	// WebhookAllowPrivate lets webhooks reach loopback, private and
	// link-local addresses (refused by default against request forgery).
	WebhookAllowPrivate bool
	// NotesKeyFile names the file holding the key that seals counselling
	// notes (--notes-key-file); NotesKey is that key itself, in base64,
	// from HOMEWARD_NOTES_KEY (an environment variable only: a flag's
	// value would show in the process list). It is never logged. Without
	// either, the server uses <data-dir>/notes.key, created on first start.
	NotesKeyFile string
	NotesKey     string
	// ClientIPHeader names the header a trusted proxy sets with the
	// client's address, for sign-in throttling by address.
	ClientIPHeader string
	// MetricsAddr is where Prometheus metrics are served (--metrics-addr);
	// empty: not served.
	MetricsAddr string
	// AuditKeyFile names the file holding the audit key(s) that key the
	// audit chain and sign its checkpoints (--audit-key-file); AuditKey is
	// the same text from HOMEWARD_AUDIT_KEY (an environment variable
	// only). Without either, <data-dir>/audit.key is used, created on
	// first use. Every command that writes or verifies needs it.
	AuditKeyFile string
	AuditKey     string
	// PublicURL is the instance's address from outside (see PublicBase).
	PublicURL string
	// RPID and RPOrigins are the passkeys' relying party (see Passkeys):
	// the site's domain and the origins the browser runs the ceremonies
	// from; by default the host and origin of PublicBase.
	RPID      string
	RPOrigins string
	// DatabaseReplica is a PostgreSQL streaming replica for reads that
	// tolerate lag (exports, indicator dashboards); empty: none.
	DatabaseReplica string
	// SQLiteCacheMB bounds SQLite's page caches (sqldb.Options.CacheMB).
	SQLiteCacheMB int
	// DedupeMemoryMB is the Go memory the process keeps to while the
	// duplicate scan runs or a duplicate index is loaded
	// (dedupe.Options.MemoryBudget; 0: none).
	DedupeMemoryMB int
	// auditKeyed is set by commands that need the audit key besides the
	// server (all but migrate).
	auditKeyed bool
	// serving is set when the server's flags are registered: only then
	// are the server's settings checked.
	serving bool
	// identKeyed is set by commands that read or write people's records
	// besides the server (import, keys): they need the key that wraps the
	// data keys sealing identifiers (the notes key).
	identKeyed bool
}

// PublicBase is --public-url without a trailing slash, or, when not given,
// http://localhost and the port of --addr.
func (c *Config) PublicBase() string {
	if c.PublicURL != "" {
		return strings.TrimRight(c.PublicURL, "/")
	}
	port := "8080"
	if _, p, err := net.SplitHostPort(c.Addr); err == nil && p != "" {
		port = p
	}
	return "http://localhost:" + port
}

// dbFlags registers the flags every database-using command shares.
func (c *Config) dbFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Database, "database", "", "database: a postgres:// URL, or empty for embedded SQLite in the data directory")
	fs.StringVar(&c.DataDir, "data-dir", "data", "directory for the embedded database and files")
	fs.StringVar(&c.LogLevel, "log-level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&c.LogFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&c.TimeZone, "time-zone", homeward.DefaultZone, "the instance's IANA time zone, whose calendar says which day it is; serve and demo default to the --country pack's (Asia/Dhaka for BD)")
	fs.IntVar(&c.SQLiteCacheMB, "sqlite-cache-mb", sqldb.DefaultCacheMB, "memory for SQLite's page caches in MB, all connections together (the writer has half)")
	fs.StringVar(&c.AuditKeyFile, "audit-key-file", "", "file holding the key that keys the audit chain and signs checkpoints (base64, mode 0600); default: HOMEWARD_AUDIT_KEY, else <data-dir>/audit.key, created on first use")
}

// serveFlags registers the server's flags.
func (c *Config) serveFlags(fs *flag.FlagSet, defaultAddr string) {
	c.dbFlags(fs)
	c.serving = true
	fs.StringVar(&c.Country, "country", country.Default, "the country the instance serves, by its pack ("+strings.Join(country.Builtin().Codes(), ", ")+"): areas, identifiers, phone numbers, points of entry, case numbers, and the time zone unless --time-zone is given")
	fs.Lookup("time-zone").DefValue, c.TimeZone = "", ""
	fs.StringVar(&c.Addr, "addr", defaultAddr, "address to listen on")
	fs.StringVar(&c.PublicURL, "public-url", "", "the instance's address as people outside reach it (https://homeward.example.org); printed certificates' QR codes and revocation lists name it; default http://localhost and the port of --addr")
	fs.StringVar(&c.RPID, "rp-id", "", "passkeys: the relying party id, the site's domain (homeward.example.org); default the host of --public-url")
	fs.StringVar(&c.RPOrigins, "rp-origin", "", "passkeys: the origins, comma-separated, the browser signs in from (https://homeward.example.org); default --public-url")
	fs.BoolVar(&c.SecureCookies, "secure-cookies", false, "mark cookies Secure and send Strict-Transport-Security (set when serving over HTTPS)")
	fs.Float64Var(&c.APIRate, "api-rate", 20, "requests a second each API client (token, user or address) may make; 0 for no limit")
	fs.IntVar(&c.APIBurst, "api-burst", 100, "requests an API client may make at once before --api-rate applies")
	fs.IntVar(&c.MaxInFlight, "max-in-flight", 128, "most requests served at once; more wait (--max-queued, --queue-wait) or are answered 503 with Retry-After; 0 for no bound")
	fs.IntVar(&c.MaxQueued, "max-queued", 256, "most requests waiting for a turn when --max-in-flight are served")
	fs.DurationVar(&c.QueueWait, "queue-wait", 2*time.Second, "longest a request waits for a turn before it is answered 503")
	fs.Int64Var(&c.MaxBody, "max-body", httpx.DefaultMaxBody, "largest JSON request body in bytes")
	fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", 20*time.Second, "how long to let requests finish on shutdown")
	fs.StringVar(&c.FollowUps, "follow-ups", "3,6,12", "months after return when sustainability follow-ups are due")
	fs.IntVar(&c.DedupeMemoryMB, "dedupe-memory-mb", DefaultDedupeMemoryMB, "Go memory in MB the process keeps to while the duplicate scan runs or a duplicate index is loaded (a soft limit; SQLite's caches are apart); 0: no budget")
	fs.DurationVar(&c.WebhookInterval, "webhook-interval", webhook.DefaultInterval, "how often to send due webhook deliveries (between 100ms and 1h)")
	fs.DurationVar(&c.AuditSealInterval, "audit-seal-interval", defaultAuditSealInterval, "on PostgreSQL, how often to link the audit events written since into their chains, so that writes do not wait for each other on a chain (between 10ms and 10s; 0: every transaction links its own)")
	fs.DurationVar(&c.IndicatorsInterval, "indicators-interval", time.Hour, "how often to recompute the indicators (0: never; at least 1m), starting at launch")
	fs.DurationVar(&c.RetentionInterval, "retention-interval", 24*time.Hour, "how often to apply the organisations' retention periods (0: never; at least 1m), starting at launch")
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", false, "let webhooks reach loopback, private and link-local addresses (refused by default)")
	fs.StringVar(&c.ClientIPHeader, "client-ip-header", "", "header with the client's address set by a trusted proxy in front (X-Forwarded-For, X-Real-IP); empty: the peer address")
	fs.StringVar(&c.MetricsAddr, "metrics-addr", "", "address to serve Prometheus metrics on (/metrics), apart from the application: loopback or an internal network; empty: not served")
	fs.StringVar(&c.DatabaseReplica, "database-replica", "", "a postgres:// URL of a streaming replica of --database that takes reads tolerating a little lag (exports, indicator dashboards); empty: none")
	fs.StringVar(&c.NotesKeyFile, "notes-key-file", "", "file holding the key that encrypts counselling notes (base64, mode 0600); default: HOMEWARD_NOTES_KEY, else <data-dir>/notes.key, created on first start")
}

// notesKeyEnv is the environment variable that may hold the notes key
// itself.
const notesKeyEnv = "HOMEWARD_NOTES_KEY"

// notesKey returns the key that seals counselling notes, where it came from
// (never the key itself) and whether it was created now: HOMEWARD_NOTES_KEY
// or --notes-key-file (never both), else <data-dir>/notes.key, created
// with mode 0600 if missing. A named key file is never created: a missing
// one is more likely an unmounted secret than a first start.
func (c *Config) notesKey() (k *seal.Key, source string, created bool, err error) {
	switch {
	case c.NotesKey != "" && c.NotesKeyFile != "":
		return nil, "", false, usageError{"give the notes key by " + notesKeyEnv + " or by --notes-key-file (HOMEWARD_NOTES_KEY_FILE), not both"}
	case c.NotesKey != "":
		if k, err = seal.ParseKey(c.NotesKey); err != nil {
			return nil, "", false, usageError{notesKeyEnv + ": " + err.Error()}
		}
		return k, notesKeyEnv, false, nil
	case c.NotesKeyFile != "":
		if k, err = seal.ReadKeyFile(c.NotesKeyFile); err != nil {
			return nil, "", false, fmt.Errorf("notes key: %w", err)
		}
		return k, c.NotesKeyFile, false, nil
	case c.DataDir == "":
		return nil, "", false, usageError{"give the key for counselling notes by " + notesKeyEnv + " or --notes-key-file, or a --data-dir to keep it in"}
	}
	path := filepath.Join(c.DataDir, "notes.key")
	if k, created, err = seal.LoadOrCreateKeyFile(path); err != nil {
		return nil, "", false, fmt.Errorf("notes key: %w", err)
	}
	return k, path, created, nil
}

// auditKeyEnv is the environment variable that may hold the audit key(s)
// itself.
const auditKeyEnv = "HOMEWARD_AUDIT_KEY"

// auditKeys returns the keys of the audit chain, where they came from and
// whether the key file was created now: HOMEWARD_AUDIT_KEY or
// --audit-key-file (never both), else <data-dir>/audit.key, created with
// mode 0600 if missing. Several keys (one per line, or comma-separated)
// rotate: the first keys new events, the others verify older ones. A named
// key file is never created.
func (c *Config) auditKeys() (kr *homeward.AuditKeyring, source string, created bool, err error) {
	switch {
	case c.AuditKey != "" && c.AuditKeyFile != "":
		return nil, "", false, usageError{"give the audit key by " + auditKeyEnv + " or by --audit-key-file (HOMEWARD_AUDIT_KEY_FILE), not both"}
	case c.AuditKey != "":
		if kr, err = homeward.ParseAuditKeys(c.AuditKey); err != nil {
			return nil, "", false, usageError{auditKeyEnv + ": " + err.Error()}
		}
		return kr, auditKeyEnv, false, nil
	case c.AuditKeyFile != "":
		if kr, err = readAuditKeyFile(c.AuditKeyFile); err != nil {
			return nil, "", false, fmt.Errorf("audit key: %w", err)
		}
		return kr, c.AuditKeyFile, false, nil
	case c.DataDir == "":
		return nil, "", false, usageError{"give the audit key by " + auditKeyEnv + " or --audit-key-file, or a --data-dir to keep it in"}
	}
	path := filepath.Join(c.DataDir, "audit.key")
	kr, err = readAuditKeyFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		err = seal.CreateSecretFile(path, homeward.GenerateAuditKey()+"\n")
		created = err == nil
		if err == nil || errors.Is(err, fs.ErrExist) { // or another process created it first
			kr, err = readAuditKeyFile(path)
		}
	}
	if err != nil {
		return nil, "", false, fmt.Errorf("audit key: %w", err)
	}
	return kr, path, created, nil
}

func readAuditKeyFile(path string) (*homeward.AuditKeyring, error) {
	text, err := seal.ReadSecretFile(path)
	if err != nil {
		return nil, err
	}
	kr, err := homeward.ParseAuditKeys(text)
	if err != nil {
		return nil, fmt.Errorf("key file %s: %w", path, err)
	}
	return kr, nil
}

// DSN returns the database to open.
func (c *Config) DSN() string {
	if c.Database != "" {
		return c.Database
	}
	return filepath.Join(c.DataDir, "homeward.db")
}

// Validate checks the configuration.
func (c *Config) Validate() error {
	var problems []string
	if c.Database != "" && !strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://") && !strings.HasPrefix(c.Database, "sqlite://") {
		problems = append(problems, "--database must be a postgres:// URL or sqlite://PATH")
	}
	if c.Database == "" && c.DataDir == "" {
		problems = append(problems, "--data-dir must not be empty")
	}
	if c.DatabaseReplica != "" && (!strings.HasPrefix(c.Database, "postgres://") && !strings.HasPrefix(c.Database, "postgresql://") ||
		!strings.HasPrefix(c.DatabaseReplica, "postgres://") && !strings.HasPrefix(c.DatabaseReplica, "postgresql://")) {
		problems = append(problems, "--database-replica must be a postgres:// URL, with --database a postgres:// URL too")
	}
	if c.MetricsAddr != "" {
		if _, _, err := net.SplitHostPort(c.MetricsAddr); err != nil {
			problems = append(problems, fmt.Sprintf("--metrics-addr %q: %v", c.MetricsAddr, err))
		} else if c.MetricsAddr == c.Addr && !strings.HasSuffix(c.Addr, ":0") {
			problems = append(problems, "--metrics-addr must differ from --addr: metrics are not for the application's users")
		}
	}
	if c.Addr != "" {
		if _, _, err := net.SplitHostPort(c.Addr); err != nil {
			problems = append(problems, fmt.Sprintf("--addr %q: %v", c.Addr, err))
		}
	}
	if _, err := c.level(); err != nil {
		problems = append(problems, err.Error())
	}
	if c.serving {
		if p, err := country.Get(c.Country); err != nil {
			problems = append(problems, "--country: "+err.Error())
		} else if c.Country = p.Code; c.TimeZone == "" {
			c.TimeZone = p.TimeZone
		}
	}
	if _, err := homeward.LoadZone(c.TimeZone); err != nil {
		problems = append(problems, "--time-zone: "+err.Error())
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		problems = append(problems, "--log-format must be text or json")
	}
	if c.FollowUps != "" {
		if _, err := scoring.ParseSchedule(c.FollowUps); err != nil {
			problems = append(problems, fmt.Sprintf("--follow-ups %q: %v", c.FollowUps, err))
		}
	}
	if c.serving && c.RetentionInterval != 0 && c.RetentionInterval < time.Minute {
		problems = append(problems, fmt.Sprintf("--retention-interval %s: use 0 (never) or at least 1m", c.RetentionInterval))
	}
	if c.serving && c.IndicatorsInterval != 0 && c.IndicatorsInterval < time.Minute {
		problems = append(problems, fmt.Sprintf("--indicators-interval %s: use 0 (never) or at least 1m", c.IndicatorsInterval))
	}
	if c.serving && c.DedupeMemoryMB < 0 {
		problems = append(problems, fmt.Sprintf("--dedupe-memory-mb %d: use 0 (no budget) or more", c.DedupeMemoryMB))
	}
	if c.serving && c.AuditSealInterval != 0 && (c.AuditSealInterval < 10*time.Millisecond || c.AuditSealInterval > 10*time.Second) {
		problems = append(problems, fmt.Sprintf("--audit-seal-interval %s: use 0 or between 10ms and 10s", c.AuditSealInterval))
	}
	if c.serving && (c.WebhookInterval < 100*time.Millisecond || c.WebhookInterval > time.Hour) {
		problems = append(problems, fmt.Sprintf("--webhook-interval %s: use between 100ms and 1h", c.WebhookInterval))
	}
	if c.serving && (c.MaxInFlight < 0 || c.MaxQueued < 0 || c.QueueWait < 0) {
		problems = append(problems, "--max-in-flight, --max-queued and --queue-wait must not be negative")
	}
	if c.serving && c.NotesKey != "" {
		if c.NotesKeyFile != "" {
			problems = append(problems, "give the notes key by "+notesKeyEnv+" or by --notes-key-file, not both")
		} else if _, err := seal.ParseKey(c.NotesKey); err != nil {
			problems = append(problems, notesKeyEnv+": "+err.Error())
		}
	}
	if c.MaxBody < 0 {
		problems = append(problems, "--max-body must not be negative")
	}
	if c.serving && c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			problems = append(problems, "--public-url "+c.PublicURL+": give an http(s) address without query, such as https://homeward.example.org")
		}
	}
	if c.serving {
		if _, err := c.Passkeys(); err != nil {
			problems = append(problems, err.Error())
		}
	}
	if len(problems) > 0 {
		return usageError{strings.Join(problems, "; ")}
	}
	return nil
}

// Passkeys returns the passkeys' relying party: --rp-id and --rp-origin,
// by default the host and the origin of PublicBase. The id must be the
// host of every origin or a domain it is under (WebAuthn's rule; browsers
// refuse others).
func (c *Config) Passkeys() (passkey.Config, error) {
	pc := passkey.Config{RPID: c.RPID}
	origins := c.RPOrigins
	if origins == "" {
		origins = c.PublicBase()
	}
	for _, o := range strings.Split(origins, ",") {
		o = strings.TrimRight(strings.TrimSpace(o), "/")
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Path != "" || u.RawQuery != "" {
			return pc, fmt.Errorf("--rp-origin %s: give origins such as https://homeward.example.org", o)
		}
		if pc.RPID == "" {
			pc.RPID = u.Hostname()
		}
		if h := u.Hostname(); h != pc.RPID && !strings.HasSuffix(h, "."+pc.RPID) {
			return pc, fmt.Errorf("--rp-id %s: the origin %s is not on that domain", pc.RPID, o)
		}
		pc.Origins = append(pc.Origins, o)
	}
	if c.RPID == "" && c.RPOrigins == "" && net.ParseIP(pc.RPID) != nil {
		// A public URL on an IP address (a loopback test, a first try):
		// WebAuthn needs a domain, so passkeys are off rather than the
		// server refusing to start. Named explicitly, an IP is refused.
		return passkey.Config{}, nil
	}
	return pc, nil
}

func (c *Config) level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return 0, fmt.Errorf("--log-level %q: use debug, info, warn or error", c.LogLevel)
	}
	return l, nil
}

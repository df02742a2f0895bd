// Package sqldb stores Homeward's data in SQL databases through database/sql:
// embedded SQLite (pure Go, the default) and PostgreSQL (pgx). It implements
// the service interfaces of package homeward and enforces the authorization
// policy in every method, so that the JSON API and the web UI share one set
// of rules. Every write runs in one transaction that also appends its audit
// event.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver

	"homeward"
	"homeward/internal/passkey"
	"homeward/internal/scoring"
	"homeward/internal/seal"
)

// DB is an open database with its pools. SQLite gets a single-connection
// writer pool (SQLite allows one writer; queueing in Go beats "database is
// locked") and a read pool; PostgreSQL uses one pool for both.
type DB struct {
	dialect dialect
	write   *sql.DB
	read    *sql.DB
	// CacheBytes is the most SQLite's page caches may hold in all (0 on
	// PostgreSQL), reported in /metrics.
	CacheBytes int64
	// Now returns the current time; tests replace it.
	Now func() time.Time
	// Zone is the instance's time zone: its calendar says which day
	// "today" is (follow-ups due, overdue plans, dates not in the future).
	// Nil means homeward.DefaultZone. Instants are stored in UTC.
	Zone *time.Location
	// Logger receives warnings (never secrets).
	Logger *slog.Logger
	// FollowUpSchedule, when set, replaces the default follow-up schedule
	// (3, 6 and 12 months after return).
	FollowUpSchedule *scoring.Schedule
	// WebhookAllowPrivate lets webhooks be created for loopback, private
	// and link-local addresses (see webhook.CheckURL). Set it as the
	// server's webhook sender allows them (serve's
	// --webhook-allow-private), so that every webhook created is one the
	// sender will try. Refused by default.
	WebhookAllowPrivate bool
	// NotesKeys seals counselling session notes at rest (see sealNote).
	// Without it, notes are refused rather than stored in clear, and
	// sealed notes cannot be read.
	NotesKeys *seal.Keyring
	// Passkeys is the WebAuthn relying party (serve's --rp-id and
	// --rp-origin). Without it, passkeys are unavailable.
	Passkeys *passkey.RelyingParty
	// AuditKeys keys the audit chain (see appendAudit) and verifies it.
	// Without it, writes are refused rather than audited unkeyed.
	AuditKeys *homeward.AuditKeyring
	// DeferAuditSeal writes each transaction's audit events unlinked
	// (audit_pending) for SealPendingAudit to link into their chains
	// shortly after, instead of taking the chain's head in the
	// transaction: `serve` sets it on PostgreSQL, where the head's row lock
	// made an organisation's writes wait for each other's commits.
	DeferAuditSeal bool
	// UnsealedAfter is how long an event may wait unlinked before
	// verification reports it (DefaultUnsealedAfter when zero).
	UnsealedAfter time.Duration
	// afterAuditHeads, set by tests, runs in verification right after
	// the chain heads are read.
	afterAuditHeads func()
	// afterTaskBatch, set by tests, runs in RefreshCaseTasks after each
	// batch of cases it committed.
	afterTaskBatch func()
	// beforeSealCommit, set by tests, runs as SealPendingAudit is about to
	// commit; an error rolls the sealing back, as a crash would.
	beforeSealCommit func() error
	group            *grouper
	ckpt             *checkpointer
	// searchTrace, when set (by tests), sees every statement a search
	// runs, so that their plans can be checked.
	searchTrace func(stmt string, args []any)
	// countries caches organisations' countries (see orgCountry).
	countries sync.Map
	// keyCounts caches the sizes of name tokens' key ranges (see
	// search_counts.go).
	keyCounts keyCounts
	// tokens caches resolved API tokens by digest (see TokenActor); authGen
	// counts committed changes to users, tokens and organisations, and
	// ends every cached token that was read before it.
	tokens  sync.Map
	authGen atomic.Int64
	// lagging is the PostgreSQL streaming replica that takes reads that
	// tolerate lag (see UseReplica); nil without one.
	lagging *sql.DB
	// closeOnce makes Close safe to call twice.
	closeOnce sync.Once
	closeErr  error
	// readStmts and writeStmts hold statements prepared on SQLite's read
	// and writer pools (see queryRow and Tx.stmt).
	readStmts, writeStmts stmtCache
	// pages keeps the dashboard pages read since the last rebuild (see
	// pageCache).
	pages pageCache
	// Country is the ISO alpha-2 code of the country pack the instance
	// serves (serve --country). Its service catalogue is stored on first
	// use; "" means the operator organisation's country, or
	// country.Default without one.
	Country string
	// PublicURL is where the instance is reached from outside (no trailing
	// slash): certificates name their status list and verification page
	// under it.
	PublicURL string
	// DIDWebHost is the host of the instance's did:web identifiers
	// (credential.DIDWebHost of an https PublicURL); "" when organisations
	// cannot issue as did:web.
	DIDWebHost string
}

// Open opens the database named by dsn: a postgres:// or postgresql:// URL,
// or a path to an SQLite file (created with its directory if missing). It
// applies pending migrations.
func Open(ctx context.Context, dsn string) (*DB, error) {
	return OpenWith(ctx, dsn, Options{})
}

// Options tune how a database is opened.
type Options struct {
	// CacheMB is the memory SQLite's page caches may use in all, in MB
	// (default DefaultCacheMB): the writer has half, the readers share the
	// rest. Pages not cached are read from the file (the operating system's
	// cache), so a smaller budget costs some speed, not correctness.
	// PostgreSQL keeps its cache in its own server.
	CacheMB int
}

// DefaultCacheMB is SQLite's page cache budget when Options.CacheMB is 0.
const DefaultCacheMB = 96

// DefaultPublicURL is DB.PublicURL until the server sets its own: an
// absolute address, since a certificate naming a relative one fails
// verifiers (a relative @id in JSON-LD safe mode).
const DefaultPublicURL = "http://localhost:8080"

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, o Options) (*DB, error) {
	db := &DB{Now: func() time.Time { return time.Now().UTC() }, Logger: slog.Default(), PublicURL: DefaultPublicURL}
	var err error
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		db.dialect = postgres
		if db.write, err = sql.Open("pgx", dsn); err != nil {
			return nil, err
		}
		db.write.SetMaxOpenConns(max(4, 4*runtime.GOMAXPROCS(0)))
		db.write.SetMaxIdleConns(max(4, 4*runtime.GOMAXPROCS(0)))
		db.write.SetConnMaxIdleTime(5 * time.Minute)
		db.read = db.write
	} else {
		db.dialect = sqlite
		path := strings.TrimPrefix(dsn, "sqlite://")
		if err := prepareFiles(path); err != nil {
			return nil, err
		}
		// The page caches share one budget: half for the writer, the rest
		// over the readers, a little for the checkpointer (KiB, negative:
		// SQLite's unit for a size in memory rather than in pages).
		budget := o.CacheMB
		if budget <= 0 {
			budget = DefaultCacheMB
		}
		readers := max(4, runtime.GOMAXPROCS(0)*2)
		cache := func(kib int) string { return fmt.Sprintf("&_pragma=cache_size(%d)", -max(1024, kib)) }
		db.CacheBytes = int64(max(1024, budget*512)+readers*max(1024, budget*512/readers)+1024) << 10
		pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)&_pragma=temp_store(MEMORY)"
		if db.write, err = sql.Open("sqlite", "file:"+path+"?"+pragmas+cache(budget*512)+"&_txlock=immediate"+fmt.Sprintf("&_pragma=wal_autocheckpoint(%d)", walBackstopPages)); err != nil {
			return nil, err
		}
		db.write.SetMaxOpenConns(1)
		db.write.SetMaxIdleConns(1)
		db.write.SetConnMaxLifetime(0)
		if db.read, err = sql.Open("sqlite", "file:"+path+"?"+pragmas+cache(budget*512/readers)+"&_pragma=query_only(1)"); err != nil {
			db.write.Close()
			return nil, err
		}
		ck, err := sql.Open("sqlite", "file:"+path+"?"+pragmas+cache(0))
		if err != nil {
			db.write.Close()
			db.read.Close()
			return nil, err
		}
		ck.SetMaxOpenConns(1)
		db.startCheckpointer(ck)
		db.read.SetMaxOpenConns(readers)
		db.read.SetMaxIdleConns(readers)
	}
	if err := db.write.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to %s database: %w", db.dialect, err)
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if db.dialect == sqlite {
		// The -wal and -shm files take the database file's mode; make sure
		// of them too, whatever the umask.
		path := strings.TrimPrefix(dsn, "sqlite://")
		for _, p := range []string{path, path + "-wal", path + "-shm"} {
			if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
				db.Close()
				return nil, fmt.Errorf("restrict %s: %w", p, err)
			}
		}
		db.startGrouper()
	}
	return db, nil
}

// prepareFiles creates the SQLite database's directory (0700) and file
// (0600) before SQLite does, so that personal data is never readable by
// other users, whatever the umask: the mode is set again after creating.
func prepareFiles(path string) error {
	dir := filepath.Dir(path)
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("create data directory: %w", err)
		}
	}
	if strings.HasPrefix(path, ":memory:") || strings.HasPrefix(path, "file:") {
		return nil
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("create database file: %w", err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chmod(path, 0o600)
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return string(db.dialect) }

// Close closes the pools; closing again does nothing more.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = db.close() })
	return db.closeErr
}

func (db *DB) close() error {
	db.stopGrouper()
	var errs []error
	errs = append(errs, db.stopCheckpointer())
	errs = append(errs, db.readStmts.close()...)
	errs = append(errs, db.writeStmts.close()...)
	if db.write != nil {
		errs = append(errs, db.write.Close())
	}
	if db.read != nil && db.read != db.write {
		errs = append(errs, db.read.Close())
	}
	if db.lagging != nil {
		errs = append(errs, db.lagging.Close())
	}
	return errors.Join(errs...)
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return err
	}
	return db.read.PingContext(ctx)
}

// Tx is a write transaction. It fixes the time of the whole transaction, so
// that every row and audit event written in it carries the same instant, and
// knows the actor and request for the audit log.
type Tx struct {
	tx    *sql.Tx
	db    *DB
	ctx   context.Context
	now   time.Time
	actor *homeward.Actor
	// stmts caches statements prepared in this SQLite transaction: a batch
	// of registrations or import rows runs the same few statements many
	// times, and parsing SQL is a good share of a small write's cost. They
	// close with the transaction. (pgx caches prepared statements itself.)
	stmts map[string]*sql.Stmt
	// heads holds the audit chain heads and case number counters the
	// transaction advanced, in memory; they are written once before commit
	// (shared by the jobs of a commit group).
	heads map[string]*txHead
	// authDirty is set by authChanged.
	authDirty bool
	// conn is the PostgreSQL connection the transaction runs on, when it
	// was begun by transactConn (for COPY); nil otherwise.
	conn *sql.Conn
}

// Transact runs fn in a write transaction, committing when fn returns nil
// and rolling back otherwise (also on panic).
func (db *DB) Transact(ctx context.Context, fn func(tx *Tx) error) (err error) {
	db.ensureIdentKeys(ctx)
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return db.run(ctx, sqlTx, nil, fn)
}

// transactConn is Transact on a connection of its own, which the
// transaction keeps (Tx.conn), so that fn may use the driver's own
// interface on it (pgx's COPY on PostgreSQL; see Tx.copyRows).
func (db *DB) transactConn(ctx context.Context, fn func(tx *Tx) error) error {
	db.ensureIdentKeys(ctx)
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	return db.run(ctx, sqlTx, conn, fn)
}

// bulkTransact returns how a transaction that writes many rows runs: on
// SQLite it waits its turn among the writer's jobs (TransactInTurn); on
// PostgreSQL it has a connection of its own, to write with COPY
// (transactConn).
func (db *DB) bulkTransact() func(context.Context, func(*Tx) error) error {
	if db.dialect == postgres {
		return db.transactConn
	}
	return db.TransactInTurn
}

// run runs fn in sqlTx (begun on conn, if not nil) and commits it, or rolls
// it back when fn fails or panics.
func (db *DB) run(ctx context.Context, sqlTx *sql.Tx, conn *sql.Conn, fn func(tx *Tx) error) (err error) {
	tx := &Tx{tx: sqlTx, db: db, ctx: ctx, now: db.Now().UTC().Truncate(time.Microsecond), actor: actorOf(ctx),
		heads: map[string]*txHead{}, conn: conn}
	if db.dialect == sqlite {
		tx.stmts = map[string]*sql.Stmt{}
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.flushHeads(); err != nil {
		return err
	}
	if err = sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	db.afterCommit(tx.authDirty, tx.stmts)
	return nil
}

// afterCommit is what follows every commit: the checkpointer hears of it,
// cached tokens end if authorisation changed, and the statements used are
// kept for the next transaction.
func (db *DB) afterCommit(authDirty bool, stmts map[string]*sql.Stmt) {
	db.committed()
	if authDirty {
		db.authGen.Add(1)
	}
	db.keepStmts(stmts)
}

// keepStmts prepares, on the writer pool, the statements a committed
// transaction used, so that later transactions reuse them (see Tx.stmt).
// It must run outside any transaction: SQLite's writer pool has one
// connection, and preparing needs it.
func (db *DB) keepStmts(used map[string]*sql.Stmt) {
	for q := range used {
		db.writeStmts.prepare(context.Background(), db.write, q)
	}
}

// Now returns the transaction's time.
func (tx *Tx) Now() time.Time { return tx.now }

// Local returns the transaction's time in its actor's time zone (that of the
// actor's organisation when it names one, the instance's otherwise; see
// DB.Zone): its calendar date is today.
func (tx *Tx) Local() time.Time {
	if tx.actor != nil && tx.actor.Zone != nil {
		return tx.now.In(tx.actor.Zone)
	}
	return tx.now.In(tx.db.zone())
}

// Clock returns the database's clock: DB.Now (read at each call, so that a
// test replacing it reaches every holder) in the instance's time zone.
func (db *DB) Clock() homeward.Clock {
	return homeward.Clock{Now: func() time.Time { return db.Now() }, Zone: db.zone()}
}

// local returns the current time in the time zone of the actor in ctx (that
// of their organisation when it names one, the instance's otherwise).
func (db *DB) local(ctx context.Context) time.Time { return db.Now().In(db.zoneFor(ctx)) }

// zoneFor returns the time zone of the actor in ctx: their organisation's
// when it names one, the instance's otherwise.
func (db *DB) zoneFor(ctx context.Context) *time.Location {
	if a := actorOf(ctx); a != nil && a.Zone != nil {
		return a.Zone
	}
	return db.zone()
}

// today returns today's date (YYYY-MM-DD) for the actor in ctx (see local).
func (db *DB) today(ctx context.Context) string { return homeward.DateOf(db.local(ctx)) }

func (db *DB) zone() *time.Location {
	if db.Zone != nil {
		return db.Zone
	}
	return defaultZone
}

// defaultZone is homeward.DefaultZone, loaded once (time/tzdata is linked
// in, so loading cannot fail).
var defaultZone = func() *time.Location {
	loc, err := homeward.LoadZone(homeward.DefaultZone)
	if err != nil {
		panic(err)
	}
	return loc
}()

func actorOf(ctx context.Context) *homeward.Actor { return homeward.ActorFromContext(ctx) }

func (tx *Tx) stmt(query string) *sql.Stmt {
	if tx.stmts == nil {
		return nil
	}
	if st, ok := tx.stmts[query]; ok {
		return st
	}
	var st *sql.Stmt
	if ps := tx.db.writeStmts.get(query); ps != nil {
		// Prepared on the writer connection before: the transaction runs
		// the connection's statement without parsing the SQL again.
		st = tx.tx.StmtContext(tx.ctx, ps)
	} else {
		var err error
		if st, err = tx.tx.PrepareContext(tx.ctx, query); err != nil {
			return nil // the plain path reports the error
		}
	}
	tx.stmts[query] = st
	return st
}

// Exec runs a statement written with ? placeholders.
func (tx *Tx) Exec(query string, args ...any) (sql.Result, error) {
	if st := tx.stmt(query); st != nil {
		return st.ExecContext(tx.ctx, tx.db.args(args)...)
	}
	return tx.tx.ExecContext(tx.ctx, tx.db.dialect.rebind(query), tx.db.args(args)...)
}

// QueryRow runs a query written with ? placeholders.
func (tx *Tx) QueryRow(query string, args ...any) *sql.Row {
	if st := tx.stmt(query); st != nil {
		return st.QueryRowContext(tx.ctx, tx.db.args(args)...)
	}
	return tx.tx.QueryRowContext(tx.ctx, tx.db.dialect.rebind(query), tx.db.args(args)...)
}

// Query runs a query written with ? placeholders.
func (tx *Tx) Query(query string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(tx.ctx, tx.db.dialect.rebind(query), tx.db.args(args)...)
}

// queryRow reads from the read pool.
func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, db.args(args)...)
	}
	return db.read.QueryRowContext(ctx, db.dialect.rebind(query), db.args(args)...)
}

// query reads from the read pool.
func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.readStmt(ctx, query); st != nil {
		return st.QueryContext(ctx, db.args(args)...)
	}
	return db.read.QueryContext(ctx, db.dialect.rebind(query), db.args(args)...)
}

// readStmt returns a prepared statement for a read on SQLite, nil on
// PostgreSQL.
func (db *DB) readStmt(ctx context.Context, query string) *sql.Stmt {
	if db.dialect != sqlite {
		return nil
	}
	return db.readStmts.prepare(ctx, db.read, query)
}

// args converts times to the dialect's representation.
func (db *DB) args(args []any) []any {
	if db.dialect != sqlite {
		return args
	}
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			args[i] = encodeTime(v)
		case *time.Time:
			if v == nil {
				args[i] = nil
			} else {
				args[i] = encodeTime(*v)
			}
		}
	}
	return args
}

// Audit appends an event for the transaction's actor to the chain of orgID.
// detail is marshalled to JSON; it must never hold secrets.
func (tx *Tx) Audit(action, recordType, recordID, orgID string, detail any) error {
	return appendAudit(tx, action, recordType, recordID, orgID, detail)
}

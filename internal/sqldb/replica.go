package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"
)

// A PostgreSQL streaming replica (set up with pg_basebackup -R) can take
// the reads that tolerate a little lag: exports of the registry and the
// indicator dashboards, which read aggregates recomputed hourly anyway.
// Research extracts stay on the primary: a withdrawn research consent takes
// effect at once, not once the replica has caught up.
// Everything else — writes, and the pages that must show what was just
// written (a person's page after saving, search after registering) — stays
// on the primary. Without a replica, these reads go to the primary's read
// pool like every other.

// UseReplica sends lag-tolerant reads to the PostgreSQL replica dsn names.
// It refuses a replica for embedded SQLite, and a server that does not
// answer; a server that is not in recovery (a primary, by mistake) is
// accepted, and reported by the returned warning.
func (db *DB) UseReplica(ctx context.Context, dsn string) (warning string, err error) {
	if db.dialect != postgres {
		return "", errors.New("a read replica needs PostgreSQL as the database")
	}
	if !strings.HasPrefix(dsn, "postgres://") && !strings.HasPrefix(dsn, "postgresql://") {
		return "", errors.New("the read replica must be a postgres:// URL")
	}
	r, err := sql.Open("pgx", dsn)
	if err != nil {
		return "", err
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	var inRecovery bool
	if err := r.QueryRowContext(ctx, `SELECT pg_is_in_recovery()`).Scan(&inRecovery); err != nil {
		r.Close()
		return "", fmt.Errorf("read replica %s: %w", ReplicaHost(dsn), err)
	}
	if !inRecovery {
		warning = "the read replica is not in recovery: it is a primary, not a streaming replica"
	}
	db.lagging = r
	return warning, nil
}

// ReplicaHost is the host and port of a database URL, for logs (never its
// password).
func ReplicaHost(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "?"
	}
	return u.Host
}

// HasReplica says whether lag-tolerant reads go to a replica.
func (db *DB) HasReplica() bool { return db.lagging != nil }

// queryLagging is query for reads that tolerate a little lag.
func (db *DB) queryLagging(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if db.lagging == nil {
		return db.query(ctx, query, args...)
	}
	return db.lagging.QueryContext(ctx, db.dialect.rebind(query), db.args(args)...)
}

// LaggingPoolStats returns the statistics of the pool that lag-tolerant
// reads (dashboards, exports) wait on: the replica's, or else the read
// pool's (on PostgreSQL the one pool). Benchmarks print its wait count and
// time to tell waiting for a connection from working on one.
func (db *DB) LaggingPoolStats() sql.DBStats {
	if db.lagging != nil {
		return db.lagging.Stats()
	}
	return db.read.Stats()
}

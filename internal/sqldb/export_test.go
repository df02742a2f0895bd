package sqldb

import (
	"context"
	"database/sql"
	"testing"
	"time"

	"homeward"
	"homeward/internal/registry"
)

// TimeArg is t as the dialect stores it, for tests that write through
// RawDB.
func TimeArg(db *DB, t time.Time) any { return db.args([]any{t})[0] }

// SetRewriteAbove sets how many rows may differ before a rebuild rewrites
// an indicator's rows whole, for the test's duration.
func SetRewriteAbove(t *testing.T, n int) {
	old := rewriteAbove
	rewriteAbove = n
	t.Cleanup(func() { rewriteAbove = old })
}

// RawDB exposes the writer pool to tests that tamper with tables.
func RawDB(t *testing.T, db *DB) *sql.DB { return db.write }

func DisableAppendOnly(t *testing.T, db *DB, raw *sql.DB) {
	t.Helper()
	stmts := []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`}
	if db.dialect == postgres {
		stmts = []string{`ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_change`}
	}
	for _, s := range stmts {
		if _, err := raw.Exec(s); err != nil {
			t.Fatal(err)
		}
	}
}

// Rebind writes a query with ? placeholders in the dialect's form, for
// tests that write through RawDB.
func Rebind(db *DB, q string) string { return db.dialect.rebind(q) }

// QueuedWrites counts the transactions waiting for SQLite's writer loop.
func QueuedWrites(db *DB) int {
	if db.group == nil {
		return 0
	}
	return len(db.group.jobs)
}

// AfterAuditHeads makes verification call fn right after it reads the
// chain heads, as if other processes wrote then.
func AfterAuditHeads(db *DB, fn func()) { db.afterAuditHeads = fn }

// AfterTaskBatch makes RefreshCaseTasks call fn after each batch it
// committed.
func AfterTaskBatch(db *DB, fn func()) { db.afterTaskBatch = fn }

// BeforeSealCommit sets a function SealPendingAudit runs before its commit.
func BeforeSealCommit(db *DB, fn func() error) { db.beforeSealCommit = fn }

// ImportChunkRows is how many rows an import's chunk holds on db.
func ImportChunkRows(db *DB) int { return db.importChunkRows() }

// ImportTxRows is importTxRows, for the tests that count commits.
const ImportTxRows = importTxRows

// ImportOneByOne applies rows as ImportRows once did, a row at a time
// through Tx.register, in one transaction: what the batched path must
// write the same.
func ImportOneByOne(ctx context.Context, db *DB, rows []*registry.ImportRow) ([]registry.ImportOutcome, error) {
	org := actorOrg(homeward.ActorFromContext(ctx))
	country, err := db.orgCountry(ctx, org)
	if err != nil {
		return nil, err
	}
	out := make([]registry.ImportOutcome, len(rows))
	err = db.Transact(ctx, func(tx *Tx) error {
		for i, row := range rows {
			var err error
			if out[i], err = db.importOne(tx, row, nil, org, country); err != nil {
				return err
			}
		}
		return nil
	})
	return out, err
}

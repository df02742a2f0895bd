package sqldb

import (
	"context"
	"strings"
	"testing"
)

// TraceSearch makes db report every statement a search runs to fn until
// the returned function is called.
func TraceSearch(db *DB, fn func(stmt string, args []any)) func() {
	db.searchTrace = fn
	return func() { db.searchTrace = nil }
}

// SetSearchDriveCap changes how many keys of one index range a search reads
// until the returned function is called.
func SetSearchDriveCap(n int) func() {
	old := searchDriveCap
	searchDriveCap = n
	return func() { searchDriveCap = old }
}

// IsPostgres says whether db is PostgreSQL.
func IsPostgres(db *DB) bool { return db.dialect == postgres }

// ExplainSearch returns the plan of a search statement, a line per step:
// EXPLAIN QUERY PLAN's details on SQLite; EXPLAIN's text on PostgreSQL,
// on fresh statistics and with sequential scans disabled, so that a step with no index to use shows
// as a sequential scan even on the few rows of a test.
func ExplainSearch(t *testing.T, db *DB, stmt string, args []any) []string {
	t.Helper()
	ctx := context.Background()
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	prefix := "EXPLAIN QUERY PLAN "
	col := 3
	if db.dialect == postgres {
		// Statistics as autovacuum keeps them in production.
		for _, s := range []string{`ANALYZE people, cases, person_keys`, `SET LOCAL enable_seqscan = off`} {
			if _, err := tx.ExecContext(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		prefix, col = "EXPLAIN ", 0
	}
	rows, err := tx.QueryContext(ctx, prefix+db.dialect.rebind(stmt), db.args(args)...)
	if err != nil {
		t.Fatalf("explain %s: %v", stmt, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		switch v := vals[col].(type) {
		case string:
			out = append(out, strings.TrimSpace(v))
		case []byte:
			out = append(out, strings.TrimSpace(string(v)))
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

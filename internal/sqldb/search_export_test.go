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

// SetSearchStreamCap changes how many keys of a pair a search reads for
// its exact matches until the returned function is called.
func SetSearchStreamCap(n int) func() {
	old := searchStreamCap
	searchStreamCap = n
	return func() { searchStreamCap = old }
}

// LegacyKeysQuery is the start-up look-up of clear search keys.
const LegacyKeysQuery = legacyKeysQuery

// IsPostgres says whether db is PostgreSQL.
func IsPostgres(db *DB) bool { return db.dialect == postgres }

// ExplainSearch returns the plan of a search statement, a line per step:
// EXPLAIN QUERY PLAN's details on SQLite; EXPLAIN's text on PostgreSQL,
// on fresh statistics and with sequential scans disabled, so that a step with no index to use shows
// as a sequential scan even on the few rows of a test.
func ExplainSearch(t *testing.T, db *DB, stmt string, args []any) []string {
	t.Helper()
	if db.dialect != postgres {
		return explainLines(t, db, nil, "EXPLAIN QUERY PLAN "+stmt, db.args(args), 3, nil)
	}
	// Statistics as autovacuum keeps them in production.
	return explainLines(t, db, []string{`ANALYZE people, cases, person_keys`, `SET LOCAL enable_seqscan = off`},
		"EXPLAIN "+db.dialect.rebind(stmt), db.args(args), 0, nil)
}

// SoundPairRange is the range of the "pair" keys that sound like a and b.
func SoundPairRange(a, b string) (lo, hi string) { return soundPairRange(a, b) }

// ForgetMigration removes migration version from the record of those
// applied, so that the next Migrate applies it again, and closes the
// idle connections: a new process would start with none, and the
// statements they cached may predate a later migration's change of a
// column's type.
func ForgetMigration(db *DB, version int) error {
	if _, err := db.write.Exec(db.dialect.rebind(`DELETE FROM schema_migrations WHERE version = ?`), version); err != nil {
		return err
	}
	if db.dialect == postgres {
		n := db.write.Stats().MaxOpenConnections
		db.write.SetMaxIdleConns(0)
		db.write.SetMaxIdleConns(n)
	}
	return nil
}

// OldNamePairs turns every "pair" key back into its form of before
// migration 45: the two words' sounds alone.
func OldNamePairs(db *DB) error {
	ctx := context.Background()
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	at := `instr(value, '|')`
	if db.dialect == postgres {
		at = `strpos(value, '|')`
	}
	for _, stmt := range []string{
		`INSERT INTO person_keys (org_id, kind, value, person_id, merge_id)
			SELECT DISTINCT org_id, kind, substr(value, 1, ` + at + ` - 1), person_id, merge_id FROM person_keys WHERE kind = 'pair' AND ` + at + ` > 0`,
		`UPDATE person_keys SET merge_id = '!' || merge_id WHERE kind = 'pair' AND ` + at + ` > 0 AND merge_id <> ''`,
		`DELETE FROM person_keys WHERE kind = 'pair' AND ` + at + ` > 0`,
	} {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// NamePairKeys lists every "pair" search key as "holder merge value".
func NamePairKeys(t *testing.T, db *DB) []string {
	t.Helper()
	return QueryStrings(t, db, `SELECT person_id || ' ' || COALESCE(NULLIF(merge_id, ''), '-') || ' ' || value FROM person_keys WHERE kind = 'pair' ORDER BY 1`)
}

// QueryStrings runs q, a query of one text column, on a reader and returns
// its rows.
func QueryStrings(t *testing.T, db *DB, q string, args ...any) []string {
	t.Helper()
	rows, err := db.read.QueryContext(context.Background(), db.dialect.rebind(q), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// CacheSizes returns SQLite's cache_size pragma on a writer and a reader
// connection (negative: KiB).
func CacheSizes(t *testing.T, db *DB) (write, read int) {
	t.Helper()
	ctx := context.Background()
	if err := db.write.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&write); err != nil {
		t.Fatal(err)
	}
	if err := db.read.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&read); err != nil {
		t.Fatal(err)
	}
	return write, read
}

// KnownPeopleQuery is the import's look-up of the people of org named by
// external ids, and its arguments.
func KnownPeopleQuery(db *DB, org string, exts []string) (string, []any) {
	return knownPeopleQuery(db.dialect, org, exts)
}

// ExplainGeneric returns the plan a statement is given when its
// arguments are not known: PostgreSQL's generic plan, the one its plan
// cache keeps for a statement run again and again (EXPLAIN of the
// statement prepared, with plan_cache_mode forced to it, on the
// statistics as they are); on SQLite, EXPLAIN QUERY PLAN, whose plans never
// depend on the values. stmt is in the dialect's own placeholders.
func ExplainGeneric(t *testing.T, db *DB, stmt string, args []any) []string {
	t.Helper()
	if db.dialect != postgres {
		return explainLines(t, db, nil, "EXPLAIN QUERY PLAN "+stmt, args, 3, nil)
	}
	// A prepared statement outlives the transaction: it is deallocated,
	// so that the connection's next user does not find it.
	nulls := strings.TrimSuffix(strings.Repeat("NULL, ", len(args)), ", ")
	return explainLines(t, db, []string{`SET LOCAL plan_cache_mode = force_generic_plan`, `PREPARE homeward_explain AS ` + stmt},
		"EXPLAIN EXECUTE homeward_explain("+nulls+")", nil, 0, []string{`DEALLOCATE homeward_explain`})
}

// explainLines runs the statements before, explain with args and the
// statements after in one transaction, rolled back, and returns column col
// of explain's rows.
func explainLines(t *testing.T, db *DB, before []string, explain string, args []any, col int, after []string) []string {
	t.Helper()
	ctx := context.Background()
	tx, err := db.read.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for _, s := range before {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	rows, err := tx.QueryContext(ctx, explain, args...)
	if err != nil {
		t.Fatalf("%s: %v", explain, err)
	}
	var out []string
	for rows.Next() {
		vals := ScanAny(t, rows)
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
	rows.Close()
	for _, s := range after {
		if _, err := tx.ExecContext(ctx, s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
	return out
}

// ScanAny scans the current row of rows into one value a column.
func ScanAny(t testing.TB, rows interface {
	Columns() ([]string, error)
	Scan(...any) error
}) []any {
	t.Helper()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	if err := rows.Scan(ptrs...); err != nil {
		t.Fatal(err)
	}
	return vals
}

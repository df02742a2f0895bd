package sqldb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationsFS embed.FS

// Migration is one numbered schema change.
type Migration struct {
	Version int
	Name    string
	SQL     string
	// code runs after SQL in the same transaction, for the data changes
	// SQL alone cannot make (see migrationCode).
	code func(ctx context.Context, tx *sql.Tx, d dialect) error
}

// migrationCode holds, by version, the Go steps of migrations whose rule
// lives in Go: filling in a new column from records stored as JSON.
var migrationCode = map[int]func(ctx context.Context, tx *sql.Tx, d dialect) error{
	9:  backfillNextFollowUp,
	21: backfillNamePairs,
	35: rebuildNameKeys,
	36: rebuildNameKeys, // sound keys of Arabic-script name words
	45: redoNamePairs,
}

// Migrations returns the dialect's migrations in order. File names are
// NNNN_name.sql; numbers must be unique and consecutive from 1.
func Migrations(dialectName string) ([]Migration, error) {
	dir := "migrations/" + dialectName
	entries, err := fs.ReadDir(migrationsFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []Migration
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".sql") {
			continue
		}
		num, _, ok := strings.Cut(name, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("migration %s: name must start with a number and an underscore", name)
		}
		b, err := migrationsFS.ReadFile(dir + "/" + name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: v, Name: name, SQL: string(b), code: migrationCode[v]})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("migration %s: expected number %d", m.Name, i+1)
		}
	}
	return ms, nil
}

// Migrate applies pending migrations, each in its own transaction together
// with its row in schema_migrations. Concurrent starts are safe: on
// PostgreSQL an advisory lock serialises them; SQLite's writer lock does the
// same.
func (db *DB) Migrate(ctx context.Context) error {
	_, err := db.MigrateStatus(ctx, true)
	return err
}

// MigrateStatus reports the applied and pending migration names; with apply
// set it applies the pending ones first.
func (db *DB) MigrateStatus(ctx context.Context, apply bool) (applied []string, err error) {
	ms, err := Migrations(string(db.dialect))
	if err != nil {
		return nil, err
	}
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if db.dialect == postgres {
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7243190)`); err != nil {
			return nil, err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7243190)`)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	done := map[int]string{}
	rows, err := conn.QueryContext(ctx, `SELECT version, name FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var v int
		var n string
		if err := rows.Scan(&v, &n); err != nil {
			rows.Close()
			return nil, err
		}
		done[v] = n
	}
	rows.Close()
	for _, m := range ms {
		if _, ok := done[m.Version]; ok {
			applied = append(applied, m.Name)
			continue
		}
		if !apply {
			continue
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		if m.code != nil {
			if err := m.code(ctx, tx, db.dialect); err != nil {
				tx.Rollback()
				return nil, fmt.Errorf("migration %s: %w", m.Name, err)
			}
		}
		if _, err := tx.ExecContext(ctx, db.dialect.rebind(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`),
			m.Version, m.Name, encodeTime(db.Now())); err != nil {
			tx.Rollback()
			return nil, fmt.Errorf("record migration %s: %w", m.Name, err)
		}
		if err := tx.Commit(); err != nil {
			return nil, fmt.Errorf("migration %s: %w", m.Name, err)
		}
		applied = append(applied, m.Name)
	}
	return applied, nil
}

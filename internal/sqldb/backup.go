package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Backups of the embedded database are taken online: VACUUM INTO reads one
// snapshot of the database (WAL readers never block the writer, nor it
// them) and writes it, compacted, to a new file, so `homeward backup` runs
// beside a serving process and its copy holds each transaction whole or not
// at all. PostgreSQL is backed up by its own pg_dump and pg_restore, which
// these functions run. Neither copy holds the instance's keys (the audit
// key, the notes key): they are kept apart on purpose, and restored beside
// the database.

// ErrBackupTarget is returned when a backup or restore would overwrite
// something.
var ErrBackupTarget = errors.New("backup: target exists")

// isHomewardSQLite opens the SQLite file at path (which must exist) and
// checks that it is a Homeward database, whole.
func isHomewardSQLite(ctx context.Context, path string, integrity bool) (*sql.DB, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)")
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil || n == 0 {
		db.Close()
		return nil, fmt.Errorf("%s is not a Homeward database (no migrations recorded): %v", path, err)
	}
	if integrity {
		var res string
		if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
			db.Close()
			return nil, err
		}
		if res != "ok" {
			db.Close()
			return nil, fmt.Errorf("%s fails SQLite's integrity check: %s", path, res)
		}
	}
	return db, nil
}

// exclusiveFile creates path, which must not exist, with mode 0600 (a
// backup holds personal data).
func exclusiveFile(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%w: %s", ErrBackupTarget, path)
	}
	if err != nil {
		return err
	}
	return f.Close()
}

// BackupSQLite writes a consistent copy of the embedded database at path
// to out, which must not exist, while other connections and processes go
// on reading and writing it. The copy is made beside out and renamed when
// whole, so a failed backup leaves nothing that looks like one; it returns
// the copy's size in bytes.
func BackupSQLite(ctx context.Context, path, out string) (int64, error) {
	db, err := isHomewardSQLite(ctx, path, false)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if _, err := os.Stat(out); err == nil {
		return 0, fmt.Errorf("%w: %s", ErrBackupTarget, out)
	}
	partial := out + ".partial"
	if err := exclusiveFile(partial); err != nil {
		return 0, err
	}
	ok := false
	defer func() {
		if !ok {
			os.Remove(partial)
		}
	}()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, partial); err != nil {
		return 0, fmt.Errorf("backup: %w", err)
	}
	if err := syncFile(partial); err != nil {
		return 0, err
	}
	// Refuse to hand over a copy that does not check out.
	chk, err := isHomewardSQLite(ctx, partial, true)
	if err != nil {
		return 0, err
	}
	chk.Close()
	if err := os.Link(partial, out); err != nil { // fails rather than overwrite
		if errors.Is(err, os.ErrExist) {
			return 0, fmt.Errorf("%w: %s", ErrBackupTarget, out)
		}
		return 0, err
	}
	os.Remove(partial)
	ok = true
	st, err := os.Stat(out)
	if err != nil {
		return 0, err
	}
	return st.Size(), syncDir(filepath.Dir(out))
}

// RestoreSQLite puts a backup made by BackupSQLite at path, where no
// database may be (nor a write-ahead log left by one): it checks the
// backup's integrity first and copies it in whole or not at all. The
// server must not be running on path.
func RestoreSQLite(ctx context.Context, backup, path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(p); err == nil {
			return fmt.Errorf("%w: %s (restore into a fresh data directory, or move the old database away with the server stopped)", ErrBackupTarget, p)
		}
	}
	db, err := isHomewardSQLite(ctx, backup, true)
	if err != nil {
		return err
	}
	db.Close()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	partial := path + ".restoring"
	if err := exclusiveFile(partial); err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			os.Remove(partial)
		}
	}()
	if err := copyInto(backup, partial); err != nil {
		return err
	}
	if err := os.Link(partial, path); err != nil {
		return err
	}
	os.Remove(partial)
	ok = true
	return syncDir(filepath.Dir(path))
}

func copyInto(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	if err := dst.Sync(); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

func syncFile(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	_ = d.Sync() // not every file system syncs directories
	return nil
}

// pgTarget splits a postgres:// URL into what libpq's tools take: the URL
// without search_path (a pgx setting libpq does not know) and the schema
// it named, if any.
func pgTarget(dsn string) (conn, schema string, err error) {
	u, err := url.Parse(dsn)
	if err != nil {
		return "", "", fmt.Errorf("database URL: %w", err)
	}
	q := u.Query()
	schema = q.Get("search_path")
	if strings.Contains(schema, ",") {
		return "", "", fmt.Errorf("database URL: search_path names several schemas; back up one")
	}
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}

// PgDumpArgs returns pg_dump's arguments for a custom-format dump of the
// database (or schema) dsn names into out.
func PgDumpArgs(dsn, out string) ([]string, error) {
	conn, schema, err := pgTarget(dsn)
	if err != nil {
		return nil, err
	}
	args := []string{"--format=custom", "--no-owner", "--no-privileges", "--file=" + out}
	if schema != "" {
		args = append(args, "--schema="+schema)
	}
	return append(args, "--dbname="+conn), nil
}

// PgRestoreArgs returns pg_restore's arguments to restore the dump file
// into the database dsn names, in one transaction, stopping at the first
// error.
func PgRestoreArgs(dsn, file string) ([]string, error) {
	conn, _, err := pgTarget(dsn)
	if err != nil {
		return nil, err
	}
	return []string{"--no-owner", "--no-privileges", "--exit-on-error", "--single-transaction", "--dbname=" + conn, file}, nil
}

// RunPgTool runs pg_dump or pg_restore (found in dir, or on the PATH when
// dir is empty) with args; the password in a URL is passed as it is given
// and never printed.
func RunPgTool(ctx context.Context, dir, tool string, args []string, stderr io.Writer) error {
	bin := tool
	if dir != "" {
		bin = filepath.Join(dir, tool)
	}
	path, err := exec.LookPath(bin)
	if err != nil {
		return fmt.Errorf("%s not found (install PostgreSQL's client tools, or name their directory with --pg-bin): %w", tool, err)
	}
	cmd := exec.CommandContext(ctx, path, args...)
	cmd.Stderr = stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s: %w", tool, err)
	}
	return nil
}

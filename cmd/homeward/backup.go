package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"homeward/internal/sqldb"
)

// backupFlags are the flags backup and restore share.
type backupFlags struct {
	c     Config
	file  string
	pgBin string
}

func (p *program) parseBackup(name, usage, fileFlag, fileHelp string, args []string) (*backupFlags, error) {
	var b backupFlags
	b.c.LogLevel, b.c.LogFormat = "info", "text"
	fs := p.flagSet(name, usage)
	fs.StringVar(&b.c.Database, "database", "", "database: a postgres:// URL, or empty for embedded SQLite in the data directory")
	fs.StringVar(&b.c.DataDir, "data-dir", "data", "directory of the embedded database")
	fs.StringVar(&b.file, fileFlag, "", fileHelp)
	fs.StringVar(&b.pgBin, "pg-bin", "", "directory of PostgreSQL's pg_dump and pg_restore (default: found on the PATH)")
	if err := p.parse(fs, args); err != nil {
		return nil, err
	}
	if b.file == "" {
		return nil, usageError{"--" + fileFlag + " FILE is required"}
	}
	if err := b.c.Validate(); err != nil {
		return nil, err
	}
	return &b, nil
}

func (b *backupFlags) postgres() bool {
	return b.c.Database != "" && !strings.HasPrefix(b.c.Database, "sqlite://")
}

func (b *backupFlags) sqlitePath() string { return strings.TrimPrefix(b.c.DSN(), "sqlite://") }

const keysApart = "The backup holds the database only, not the instance's keys: keep the audit key and the notes key\n(audit.key and notes.key in the data directory by default, or HOMEWARD_AUDIT_KEY and HOMEWARD_NOTES_KEY)\napart from it, and restore them with it; without the notes key sealed fields cannot be read."

func cmdBackup(ctx context.Context, p *program, args []string) error {
	b, err := p.parseBackup("backup", "backup --out FILE [flags]\n\nCopies the database consistently while the server runs: embedded SQLite with VACUUM INTO (one snapshot,\ncompacted; mode 0600), PostgreSQL with pg_dump (custom format). FILE must not exist.\n\n"+keysApart, "out", "file to write the backup to (must not exist)", args)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if b.postgres() {
		if _, err := os.Stat(b.file); err == nil {
			return fmt.Errorf("%w: %s", sqldb.ErrBackupTarget, b.file)
		}
		partial := b.file + ".partial"
		pa, err := sqldb.PgDumpArgs(b.c.Database, partial)
		if err != nil {
			return usageError{err.Error()}
		}
		if err := sqldb.RunPgTool(ctx, b.pgBin, "pg_dump", pa, p.stderr); err != nil {
			os.Remove(partial)
			return err
		}
		if err := os.Chmod(partial, 0o600); err != nil {
			os.Remove(partial)
			return err
		}
		if err := os.Link(partial, b.file); err != nil {
			os.Remove(partial)
			return err
		}
		os.Remove(partial)
	} else if _, err := sqldb.BackupSQLite(ctx, b.sqlitePath(), b.file); err != nil {
		return err
	}
	st, err := os.Stat(b.file)
	if err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "backed up to %s (%d bytes) in %s\n%s\n", b.file, st.Size(), time.Since(t0).Round(time.Millisecond), keysApart)
	return nil
}

func cmdRestore(ctx context.Context, p *program, args []string) error {
	b, err := p.parseBackup("restore", "restore --from FILE [flags]\n\nPuts a backup made by homeward backup back: embedded SQLite into a data directory that holds no\ndatabase (its integrity is checked first; the copy goes in whole or not at all), PostgreSQL with\npg_restore into an empty database, in one transaction. Stop the server first. Then put the instance's\nkeys back beside it and run homeward audit verify.", "from", "the backup file", args)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if b.postgres() {
		ra, err := sqldb.PgRestoreArgs(b.c.Database, b.file)
		if err != nil {
			return usageError{err.Error()}
		}
		if err := sqldb.RunPgTool(ctx, b.pgBin, "pg_restore", ra, p.stderr); err != nil {
			return err
		}
	} else if err := sqldb.RestoreSQLite(ctx, b.file, b.sqlitePath()); err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "restored %s in %s; put the instance's audit key and notes key back, then run homeward audit verify\n", b.file, time.Since(t0).Round(time.Millisecond))
	return nil
}

package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"homeward"
	"homeward/internal/sqldb"
)

// backupFlags are the flags backup and restore share.
type backupFlags struct {
	c     Config
	file  string
	pgBin string
	// keyFile is backup's --recipient (a public key) or restore's --key
	// (the private key); passFile is --passphrase-file (- for standard
	// input).
	keyFile, passFile string
}

func (p *program) parseBackup(name, usage, fileFlag, fileHelp string, args []string) (*backupFlags, error) {
	var b backupFlags
	b.c.LogLevel, b.c.LogFormat = "info", "text"
	fs := p.flagSet(name, usage)
	fs.StringVar(&b.c.Database, "database", "", "database: a postgres:// URL, or empty for embedded SQLite in the data directory")
	fs.StringVar(&b.c.DataDir, "data-dir", "data", "directory of the embedded database")
	fs.StringVar(&b.file, fileFlag, "", fileHelp)
	fs.StringVar(&b.pgBin, "pg-bin", "", "directory of PostgreSQL's pg_dump and pg_restore (default: found on the PATH)")
	if name == "backup" {
		fs.StringVar(&b.keyFile, "recipient", "", "encrypt to this public key file (made by homeward backup keygen)")
	} else {
		fs.StringVar(&b.keyFile, "key", "", "decrypt with this private key file (made by homeward backup keygen)")
	}
	fs.StringVar(&b.passFile, "passphrase-file", "", "encrypt or decrypt with the passphrase in this file (- reads it from standard input)")
	if err := p.parse(fs, args); err != nil {
		return nil, err
	}
	if b.file == "" {
		return nil, usageError{"--" + fileFlag + " FILE is required"}
	}
	if b.keyFile != "" && b.passFile != "" {
		return nil, usageError{"give a key file or a passphrase file, not both"}
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
	if len(args) > 0 && args[0] == "keygen" {
		return backupKeygen(p, args[1:])
	}
	b, err := p.parseBackup("backup", "backup --out FILE [--recipient PUBLIC.key | --passphrase-file FILE] [flags]\n       backup keygen --out NAME\n\nCopies the database consistently while the server runs: embedded SQLite with VACUUM INTO (one snapshot,\ncompacted; mode 0600), PostgreSQL with pg_dump (custom format). FILE must not exist.\n\nWith --recipient or --passphrase-file the backup is encrypted (ChaCha20-Poly1305 in chunks, to an\nX25519 key or an argon2id passphrase); the clear copy is a temporary file beside FILE, removed\nwhatever happens. keygen writes NAME.pub (give it to backup) and NAME.key (mode 0600: keep it\noffline; restore needs it).\n\n"+keysApart, "out", "file to write the backup to (must not exist)", args)
	if err != nil {
		return err
	}
	sealer, err := b.sealer(p)
	if err != nil {
		return err
	}
	if _, err := os.Stat(b.file); err == nil {
		return fmt.Errorf("%w: %s", sqldb.ErrBackupTarget, b.file)
	}
	t0 := time.Now()
	target := b.file
	if sealer != nil {
		// The database's copy goes to a temporary name beside FILE, is
		// encrypted into FILE, and is removed on every path.
		target = b.file + ".clear-" + homeward.NewID()
		defer os.Remove(target)
	}
	if b.postgres() {
		partial := target + ".partial"
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
		if err := os.Link(partial, target); err != nil {
			os.Remove(partial)
			return err
		}
		os.Remove(partial)
	} else if _, err := sqldb.BackupSQLite(ctx, b.sqlitePath(), target); err != nil {
		return err
	}
	how := ""
	if sealer != nil {
		if err := encryptFile(sealer, target, b.file); err != nil {
			return err
		}
		how = ", encrypted"
	}
	st, err := os.Stat(b.file)
	if err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "backed up to %s (%d bytes%s) in %s\n%s\n", b.file, st.Size(), how, time.Since(t0).Round(time.Millisecond), keysApart)
	return nil
}

func cmdRestore(ctx context.Context, p *program, args []string) error {
	b, err := p.parseBackup("restore", "restore --from FILE [--key PRIVATE.key | --passphrase-file FILE] [flags]\n\nPuts a backup made by homeward backup back (an encrypted one is decrypted and checked whole into a\ntemporary file first, removed whatever happens: a wrong key, a changed or cut file restores nothing): embedded SQLite into a data directory that holds no\ndatabase (its integrity is checked first; the copy goes in whole or not at all), PostgreSQL with\npg_restore into an empty database, in one transaction. Stop the server first. Then put the instance's\nkeys back beside it and run homeward audit verify.", "from", "the backup file", args)
	if err != nil {
		return err
	}
	t0 := time.Now()
	src, cleanup, err := b.decrypted(p)
	if err != nil {
		return err
	}
	defer cleanup()
	if b.postgres() {
		ra, err := sqldb.PgRestoreArgs(b.c.Database, src)
		if err != nil {
			return usageError{err.Error()}
		}
		if err := sqldb.RunPgTool(ctx, b.pgBin, "pg_restore", ra, p.stderr); err != nil {
			return err
		}
	} else if err := sqldb.RestoreSQLite(ctx, src, b.sqlitePath()); err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "restored %s in %s; put the instance's audit key and notes key back, then run homeward audit verify\n", b.file, time.Since(t0).Round(time.Millisecond))
	return nil
}

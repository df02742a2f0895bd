package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A backup taken with `homeward backup` while clients register through the
// server, restored with `homeward restore` into a fresh place, holds every
// registration acknowledged before it began, each whole, no half-written
// one, gapless case numbers and an audit log that verifies; its chains are
// a prefix of the live ones (one moment, not a mixture); a server started on
// it carries on numbering.
func TestBackupRestoreSQLite(t *testing.T) {
	needCrash(t)
	c := newCluster(t, false, 1, 4)
	restored := t.TempDir()
	r := &cluster{t: t, bin: c.bin, dataDir: restored, keys: c.keys, tokens: c.tokens, nodes: []*node{{name: "restored", dir: restored}}}
	t.Cleanup(func() { r.kill(r.nodes[0]) })
	backupRestore(t, c, r, nil, false)
}

// The same on PostgreSQL, with pg_dump and pg_restore (found on the PATH or
// in HOMEWARD_PG_BIN), restored into a new database; the backup is
// encrypted to a recipient key, and the wrong key restores nothing.
func TestBackupRestorePostgres(t *testing.T) {
	needCrash(t)
	needPostgres(t)
	pgBin := os.Getenv("HOMEWARD_PG_BIN")
	c := newCluster(t, true, 1, 4)
	admin, err := sql.Open("pgx", os.Getenv("HOMEWARD_TEST_DATABASE"))
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "restored_" + hex.EncodeToString(b)
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
		admin.Close()
	})
	u, err := url.Parse(c.dsn)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	dir := t.TempDir()
	r := &cluster{t: t, bin: c.bin, dataDir: dir, dsn: u.String(), keys: c.keys, tokens: c.tokens, nodes: []*node{{name: "restored", dir: dir}}}
	t.Cleanup(func() { r.kill(r.nodes[0]) })
	var extra []string
	if pgBin != "" {
		extra = []string{"--pg-bin", pgBin}
	}
	backupRestore(t, c, r, extra, true)
}

// backupRestore backs up c under load and restores into r; encrypted, to
// a key pair keygen makes, after a refused restore with another key.
func backupRestore(t *testing.T, c, r *cluster, extra []string, encrypted bool) {
	var bx, rx, wrong []string
	if encrypted {
		keys := t.TempDir()
		for _, name := range []string{"ops", "other"} {
			if out, err := c.homeward(keys, "backup", "keygen", "--out", filepath.Join(keys, name)); err != nil {
				t.Fatalf("keygen: %v\n%s", err, out)
			}
		}
		bx = []string{"--recipient", filepath.Join(keys, "ops.pub")}
		rx = []string{"--key", filepath.Join(keys, "ops.key")}
		wrong = []string{"--key", filepath.Join(keys, "other.key")}
	}
	c.start(c.nodes[0])
	l := c.drive(func(int) *node { return c.nodes[0] })
	time.Sleep(time.Second)
	before := l.acked()
	file := filepath.Join(t.TempDir(), "homeward.backup")
	t0 := time.Now()
	out, err := c.homeward(c.nodes[0].dir, append(append([]string{"backup", "--out", file}, extra...), bx...)...)
	took := time.Since(t0)
	if err != nil {
		t.Fatalf("backup under load: %v\n%s", err, out)
	}
	if !strings.Contains(out, "not the instance's keys") {
		t.Errorf("backup does not say the keys are not in it: %s", out)
	}
	if st, err := os.Stat(file); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("backup file: %v, mode %v (want 0600)", err, st.Mode().Perm())
	}
	time.Sleep(300 * time.Millisecond)
	l.finish(t)
	c.kill(c.nodes[0])
	all := l.acked()
	if len(all) <= len(before) {
		t.Errorf("no registration acknowledged while the backup ran (%d before, %d in all): it was not taken under load", len(before), len(all))
	}
	if out, err := c.homeward(c.nodes[0].dir, append(append([]string{"backup", "--out", file}, extra...), bx...)...); err == nil {
		t.Errorf("a second backup overwrote the first: %s", out)
	}

	if encrypted {
		// The wrong key restores nothing: the right one then restores
		// into the same, still empty, place.
		if out, err := r.homeward(r.dataDir, append(append([]string{"restore", "--from", file}, extra...), wrong...)...); err == nil || !strings.Contains(out, "does not decrypt") {
			t.Fatalf("restore with the wrong key: %v\n%s", err, out)
		}
		if out, err := r.homeward(r.dataDir, append([]string{"restore", "--from", file}, extra...)...); err == nil || !strings.Contains(out, "encrypted") {
			t.Fatalf("restore without a key: %v\n%s", err, out)
		}
	}
	t1 := time.Now()
	if out, err := r.homeward(r.dataDir, append(append([]string{"restore", "--from", file}, extra...), rx...)...); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	restoreTook := time.Since(t1)
	if out, err := r.homeward(r.dataDir, append(append([]string{"restore", "--from", file}, extra...), rx...)...); err == nil {
		t.Errorf("a restore over a restored database was not refused: %s", out)
	}
	inBackup := r.check(before)
	stored := c.check(all)
	r.verifyAudit()
	if inBackup < len(before) || inBackup > stored {
		t.Errorf("the backup holds %d people: %d were acknowledged before it began, %d stored at the end", inBackup, len(before), stored)
	}
	// One moment: each chain of the backup ends at an event the live
	// chain holds identically.
	live, back := c.sqlDB(), r.sqlDB()
	defer live.Close()
	defer back.Close()
	heads := map[string][2]any{}
	rows, err := back.Query(`SELECT chain, seq, hash FROM audit_events a WHERE seq = (SELECT MAX(seq) FROM audit_events b WHERE b.chain = a.chain)`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var chain, hash string
		var seq int64
		if err := rows.Scan(&chain, &seq, &hash); err != nil {
			t.Fatal(err)
		}
		heads[chain] = [2]any{seq, hash}
	}
	rows.Close()
	for chain, h := range heads {
		var hash string
		if err := live.QueryRow(c.rebind(`SELECT hash FROM audit_events WHERE chain = ? AND seq = ?`), chain, h[0]).Scan(&hash); err != nil || hash != h[1] {
			t.Errorf("chain %s of the backup ends at event %v, which the live log does not hold identically (%v)", chain, h[0], err)
		}
	}
	// A server on the restored database carries on.
	r.start(r.nodes[0])
	rl := r.drive(func(int) *node { return r.nodes[0] })
	for len(rl.acked()) < 10 {
		time.Sleep(20 * time.Millisecond)
	}
	rl.finish(t)
	r.kill(r.nodes[0])
	after := r.check(append(before, rl.acked()...))
	t.Logf("%s (encrypted: %v): backup under load (4 clients) in %v; restore in %v; the backup holds %d people (%d acknowledged before it began, %d stored at the end); audit verify passed on it; a server on it registered %d more, numbering on (%d people)",
		t.Name(), encrypted, took.Round(time.Millisecond), restoreTook.Round(time.Millisecond), inBackup, len(before), stored, len(rl.acked()), after)
}

package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"homeward/internal/backupcrypt"
)

// Encrypted backups of the embedded database: keygen writes a key pair
// (the private key mode 0600, never overwritten); backup encrypts to the
// public key or a passphrase, leaving no clear copy; restore decrypts and
// checks the whole file first, so that a missing, wrong or wrongly typed
// key, a changed byte or a cut file restores nothing and leaves no
// temporary file; the right key restores a database whose audit log
// verifies.
func TestEncryptedBackupSQLite(t *testing.T) {
	// The embedded database whatever the suite runs on: restore puts the
	// backup into a SQLite file (PostgreSQL's encrypted dumps are
	// TestBackupRestorePostgres's).
	t.Setenv("HOMEWARD_TEST_DATABASE", "")
	w := newCmdWorld(t)
	w.db.Close()
	dir, tmp := t.TempDir(), t.TempDir()
	t.Setenv("TMPDIR", tmp) // where restore decrypts
	path := func(name string) string { return filepath.Join(dir, name) }
	must := func(env map[string]string, stdin string, args ...string) string {
		t.Helper()
		out, err := run(t, env, stdin, args...)
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return out
	}
	must(nil, "", "backup", "keygen", "--out", path("ops"))
	must(nil, "", "backup", "keygen", "--out", path("other"))
	if st, err := os.Stat(path("ops.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("private key file: %v %v", err, st)
	}
	priv, _ := os.ReadFile(path("ops.key"))
	if _, err := run(t, nil, "", "backup", "keygen", "--out", path("ops")); err == nil {
		t.Error("keygen overwrote a key pair")
	}
	if again, _ := os.ReadFile(path("ops.key")); !bytes.Equal(again, priv) {
		t.Error("the private key changed")
	}

	must(w.env, "", "backup", "--out", path("db.enc"), "--recipient", path("ops.pub"))
	must(w.env, "correct horse battery staple\n", "backup", "--out", path("db.pass"), "--passphrase-file", "-")
	must(w.env, "", "backup", "--out", path("db.clear"))
	enc, _ := os.ReadFile(path("db.enc"))
	if !backupcrypt.IsEncrypted(enc) || bytes.Contains(enc, []byte("SQLite format 3")) || bytes.Contains(enc, []byte("cw@shapla.test")) {
		t.Fatal("the encrypted backup is not encrypted")
	}
	if st, _ := os.Stat(path("db.enc")); st.Mode().Perm() != 0o600 {
		t.Errorf("encrypted backup mode %v", st.Mode().Perm())
	}
	if _, err := run(t, w.env, "", "backup", "--out", path("db.enc"), "--recipient", path("ops.pub")); err == nil {
		t.Error("a backup overwrote another")
	}
	for args, want := range map[string]string{
		"--recipient " + path("ops.key"):                          "not a homeward-backup-public-key",
		"--passphrase-file -":                                     "too short",
		"--recipient " + path("ops.pub") + " --passphrase-file -": "not both",
	} {
		if out, err := run(t, w.env, "short", append([]string{"backup", "--out", path("x")}, strings.Fields(args)...)...); exitCode(err) != 2 || !strings.Contains(out+err.Error(), want) {
			t.Errorf("backup %s: %v %s, want a usage error naming %q", args, err, out, want)
		}
	}

	// Damaged copies.
	write := func(name string, b []byte) string {
		if err := os.WriteFile(path(name), b, 0o600); err != nil {
			t.Fatal(err)
		}
		return path(name)
	}
	flipped := bytes.Clone(enc)
	flipped[len(flipped)/2] ^= 1
	restoreInto := func(stdin string, args ...string) (string, string, error) {
		t.Helper()
		db := filepath.Join(t.TempDir(), "homeward.db")
		env := map[string]string{"HOMEWARD_DATABASE": "sqlite://" + db, "HOMEWARD_AUDIT_KEY": w.env["HOMEWARD_AUDIT_KEY"], "HOMEWARD_NOTES_KEY": w.env["HOMEWARD_NOTES_KEY"]}
		out, err := run(t, env, stdin, append([]string{"restore"}, args...)...)
		if err != nil {
			if _, serr := os.Stat(db); serr == nil {
				t.Errorf("restore %v failed (%v) but left a database", args, err)
			}
		}
		return db, out, err
	}
	refusals := []struct {
		stdin string
		args  []string
		want  string
	}{
		{"", []string{"--from", path("db.enc")}, "this backup is encrypted"},
		{"", []string{"--from", path("db.enc"), "--key", path("other.key")}, "does not decrypt"},
		{"", []string{"--from", path("db.enc"), "--passphrase-file", "-"}, "does not decrypt"},
		{"", []string{"--from", write("flipped", flipped), "--key", path("ops.key")}, "does not decrypt"},
		{"", []string{"--from", write("cut", enc[:len(enc)-10]), "--key", path("ops.key")}, "does not decrypt"},
		{"", []string{"--from", write("empty", nil), "--key", path("ops.key")}, "not an encrypted backup"},
		{"", []string{"--from", path("db.clear"), "--key", path("ops.key")}, "not an encrypted backup"},
		{"wrong passphrase!!", []string{"--from", path("db.pass"), "--passphrase-file", "-"}, "does not decrypt"},
		{"", []string{"--from", path("db.enc"), "--key", path("ops.pub")}, "not a homeward-backup-private-key"},
	}
	for _, r := range refusals {
		_, out, err := restoreInto(r.stdin, r.args...)
		if err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("restore %v: %v %s, want a refusal naming %q", r.args, err, out, r.want)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
	if left, _ := filepath.Glob(path("*.clear-*")); len(left) != 0 {
		t.Errorf("clear copies left: %v", left)
	}

	for _, ok := range []struct {
		stdin string
		args  []string
	}{
		{"", []string{"--from", path("db.enc"), "--key", path("ops.key")}},
		{"correct horse battery staple", []string{"--from", path("db.pass"), "--passphrase-file", "-"}},
		{"", []string{"--from", path("db.clear")}},
	} {
		db, out, err := restoreInto(ok.stdin, ok.args...)
		if err != nil {
			t.Fatalf("restore %v: %v\n%s", ok.args, err, out)
		}
		env := map[string]string{"HOMEWARD_DATABASE": "sqlite://" + db, "HOMEWARD_AUDIT_KEY": w.env["HOMEWARD_AUDIT_KEY"], "HOMEWARD_NOTES_KEY": w.env["HOMEWARD_NOTES_KEY"]}
		if out := must(env, "", "audit", "verify"); !strings.Contains(out, "intact") {
			t.Errorf("audit verify on the restored %v: %s", ok.args, out)
		}
	}
	if left, _ := os.ReadDir(tmp); len(left) != 0 {
		t.Errorf("temporary files left after restores: %v", left)
	}
}

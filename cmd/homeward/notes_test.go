package main

import (
	"bytes"
	"context"
	"database/sql"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"homeward/homewardtest"
	"homeward/internal/demo"
	"homeward/internal/reference"
	"homeward/internal/seal"
	"homeward/internal/sqldb"
)

// serveDB opens the database as serve would with args and env, logging to
// the returned buffer. The caller closes it.
func serveDB(t *testing.T, env map[string]string, args ...string) (*sqldb.DB, *bytes.Buffer, error) {
	t.Helper()
	p, _, _ := testProgram(env, "")
	var c Config
	fs := p.flagSet("serve", "serve [flags]")
	c.serveFlags(fs, "127.0.0.1:0")
	if err := p.parseServe(fs, &c, args); err != nil {
		return nil, nil, err
	}
	if err := c.Validate(); err != nil {
		return nil, nil, err
	}
	var logs bytes.Buffer
	db, err := openDB(context.Background(), &c, slog.New(slog.NewTextHandler(&logs, nil)))
	return db, &logs, err
}

func keyFile(t *testing.T, path string, mode os.FileMode) (secret string, k *seal.Key) {
	t.Helper()
	secret = seal.GenerateKey()
	if err := os.WriteFile(path, []byte(secret+"\n"), mode); err != nil {
		t.Fatal(err)
	}
	os.Chmod(path, mode)
	k, _ = seal.ParseKey(secret)
	return secret, k
}

// The notes key comes from HOMEWARD_NOTES_KEY or --notes-key-file (or its
// variable), never both, else from <data-dir>/notes.key, created 0600 on
// first start; a key file others may read, or a malformed one, stops the
// start, and no key is ever logged.
func TestNotesKeySources(t *testing.T) {
	dir := t.TempDir()
	envSecret := seal.GenerateKey()
	envKey, _ := seal.ParseKey(envSecret)
	fileSecret, fileKey := keyFile(t, filepath.Join(dir, "given.key"), 0o600)
	keyFile(t, filepath.Join(dir, "open.key"), 0o644)

	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		want    string // key id; "" for an error
		errHas  string
		usage   bool // the error is a usage error (exit 2)
		created bool // <data-dir>/notes.key exists afterwards
	}{
		{name: "default creates the key file", want: "new", created: true},
		{name: "environment", env: map[string]string{"HOMEWARD_NOTES_KEY": envSecret}, want: envKey.ID()},
		{name: "flag", args: []string{"--notes-key-file", filepath.Join(dir, "given.key")}, want: fileKey.ID()},
		{name: "file from the environment", env: map[string]string{"HOMEWARD_NOTES_KEY_FILE": filepath.Join(dir, "given.key")}, want: fileKey.ID()},
		{name: "key and file", env: map[string]string{"HOMEWARD_NOTES_KEY": envSecret}, args: []string{"--notes-key-file", filepath.Join(dir, "given.key")}, errHas: "not both", usage: true},
		{name: "malformed key in the environment", env: map[string]string{"HOMEWARD_NOTES_KEY": "c2VjcmV0"}, errHas: "HOMEWARD_NOTES_KEY: a key must be 32 bytes", usage: true},
		{name: "missing key file is not created", args: []string{"--notes-key-file", filepath.Join(dir, "missing.key")}, errHas: "no such file"},
		{name: "world-readable key file", args: []string{"--notes-key-file", filepath.Join(dir, "open.key")}, errHas: "chmod 600"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := filepath.Join(t.TempDir(), "data")
			db, logs, err := serveDB(t, tt.env, append([]string{"--data-dir", data}, tt.args...)...)
			_, statErr := os.Stat(filepath.Join(data, "notes.key"))
			if created := statErr == nil; created != tt.created {
				t.Errorf("notes.key created: %v, want %v", created, tt.created)
			}
			if tt.want == "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) || (exitCode(err) == 2) != tt.usage {
					t.Fatalf("error %v (exit %d), want one with %q", err, exitCode(err), tt.errHas)
				}
				if strings.Contains(err.Error(), envSecret) || strings.Contains(err.Error(), "c2VjcmV0") {
					t.Errorf("the error shows the key: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			got := db.NotesKeys.Primary()
			if tt.want != "new" && got != tt.want {
				t.Errorf("key %s, want %s", got, tt.want)
			}
			for _, s := range []string{envSecret, fileSecret} {
				if strings.Contains(logs.String(), s) {
					t.Errorf("a key is logged: %s", logs)
				}
			}
			if !strings.Contains(logs.String(), "key_id="+got) {
				t.Errorf("log does not name the key id: %s", logs)
			}
		})
	}

	// The created key file is the owner's alone, and used again.
	data := filepath.Join(dir, "data")
	db, _, err := serveDB(t, nil, "--data-dir", data)
	if err != nil {
		t.Fatal(err)
	}
	first := db.NotesKeys.Primary()
	st, err := os.Stat(filepath.Join(data, "notes.key"))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("notes.key: %v %v", st.Mode(), err)
	}
	db.Close()
	if db, _, err = serveDB(t, nil, "--data-dir", data); err != nil || db.NotesKeys.Primary() != first {
		t.Fatalf("second start: %v", err)
	}
	db.Close()
	// Opened to others, or spoilt, it stops the start and is kept.
	os.Chmod(filepath.Join(data, "notes.key"), 0o640)
	if _, _, err := serveDB(t, nil, "--data-dir", data); err == nil || !strings.Contains(err.Error(), "other users may read it") {
		t.Errorf("group-readable key file: %v", err)
	}
	os.WriteFile(filepath.Join(data, "notes.key"), []byte("not a key\n"), 0o600)
	os.Chmod(filepath.Join(data, "notes.key"), 0o600)
	if _, _, err := serveDB(t, nil, "--data-dir", data); err == nil || !strings.Contains(err.Error(), "base64") {
		t.Errorf("malformed key file: %v", err)
	}
	// Other commands neither need nor create the key.
	other := filepath.Join(dir, "admin")
	if out, err := run(t, map[string]string{"HOMEWARD_DATA_DIR": other}, "", "migrate"); err != nil {
		t.Fatalf("migrate: %v %s", err, out)
	}
	if _, err := os.Stat(filepath.Join(other, "notes.key")); err == nil {
		t.Error("migrate created a notes key")
	}
}

// serve seals notes an earlier version stored in clear, once, and refuses
// to start with a key other than the one the notes are sealed under.
func TestServeSealsLegacyNotes(t *testing.T) {
	if err := reference.Load(); err != nil {
		t.Fatal(err)
	}
	dsn := homewardtest.DSN(t)
	data := filepath.Join(t.TempDir(), "data")
	args := []string{"--data-dir", data}
	driver, rawDSN := "pgx", dsn
	if homewardtest.Backend() == "postgres" {
		args = append(args, "--database", dsn)
	} else {
		data = filepath.Dir(dsn)
		args = []string{"--data-dir", data}
		driver, rawDSN = "sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)"
	}
	db, _, err := serveDB(t, nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := demo.Seed(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open(driver, rawDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	count := func(where string) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(`SELECT count(*) FROM counselling_notes WHERE ` + where).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	sealed := `substr(note, 1, 9) = 'hwenc:v1:'`
	total := count("1 = 1")
	if total == 0 || count(sealed) != total {
		t.Fatalf("demo notes: %d, %d sealed", total, count(sealed))
	}
	// What an earlier version stored: notes in clear.
	if _, err := raw.Exec(`UPDATE counselling_notes SET note = 'Legacy note ' || id`); err != nil {
		t.Fatal(err)
	}
	db, logs, err := serveDB(t, nil, args...)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if n := count(sealed); n != total || count(`note LIKE '%Legacy note%'`) != 0 {
		t.Errorf("after start: %d of %d sealed", n, total)
	}
	if !strings.Contains(logs.String(), "encrypted counselling notes") {
		t.Errorf("log: %s", logs)
	}
	if db, logs, err = serveDB(t, nil, args...); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if strings.Contains(logs.String(), "encrypted counselling notes") {
		t.Errorf("second start sealed again: %s", logs)
	}
	// Without its key file (a database restored alone), the server does not
	// start, and the key it would have made is not left behind.
	keyPath := filepath.Join(data, "notes.key")
	if err := os.Rename(keyPath, keyPath+".kept"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := serveDB(t, nil, args...); err == nil || !strings.Contains(err.Error(), "restore the key file") {
		t.Errorf("start without the key: %v", err)
	}
	if _, err := os.Stat(keyPath); err == nil {
		t.Error("a new key file was left behind")
	}
	if _, _, err := serveDB(t, map[string]string{"HOMEWARD_NOTES_KEY": seal.GenerateKey()}, args...); err == nil {
		t.Error("started with another key")
	}
	os.Rename(keyPath+".kept", keyPath)
	if db, _, err := serveDB(t, nil, args...); err != nil {
		t.Errorf("with the key restored: %v", err)
	} else {
		db.Close()
	}
}

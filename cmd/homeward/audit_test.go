package main

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
)

// audit anchor prints (and posts) a signed checkpoint; audit verify
// --checkpoint accepts it for a good log and refuses it once altered. The
// audit key comes from <data-dir>/audit.key (created 0600), a key file or
// HOMEWARD_AUDIT_KEY, and a wrong or exposed key is a clear error.
func TestAuditAnchorAndKeyCommands(t *testing.T) {
	dsn := homewardtest.DSN(t)
	if !strings.HasPrefix(dsn, "postgres") {
		dsn = "sqlite://" + dsn
	}
	dir := t.TempDir()
	env := map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_DATA_DIR": dir}
	must := func(env map[string]string, args ...string) string {
		t.Helper()
		out, err := run(t, env, "", args...)
		if err != nil {
			t.Fatalf("homeward %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	must(env, "org", "create", "--name", "Ministry", "--type", "ministry", "--country", "BD", "--operator")
	keyPath := filepath.Join(dir, "audit.key")
	st, err := os.Stat(keyPath)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("audit.key: %v %v", st, err)
	}

	var posted []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		posted, _ = io.ReadAll(r.Body)
	}))
	defer srv.Close()
	out := must(env, "audit", "anchor", "--post", srv.URL)
	var cp homeward.AuditCheckpoint
	if err := json.Unmarshal([]byte(out), &cp); err != nil || len(cp.Chains) == 0 || cp.Signature == "" {
		t.Fatalf("anchor printed %q: %v", out, err)
	}
	if string(posted) != out {
		t.Errorf("posted %q, printed %q", posted, out)
	}
	cpPath := filepath.Join(t.TempDir(), "checkpoint.json")
	if err := os.WriteFile(cpPath, []byte(out), 0o644); err != nil {
		t.Fatal(err)
	}
	must(env, "user", "create", "--org", "Ministry", "--email", "a@m.test", "--name", "A", "--roles", "administrator")
	if out := must(env, "audit", "verify", "--checkpoint", cpPath); !strings.Contains(out, "audit log intact") || !strings.Contains(out, "compared with the checkpoint") {
		t.Errorf("verify with checkpoint: %s", out)
	}

	// A checkpoint changed after signing is refused.
	cp.Chains[0].Seq++
	bad, _ := json.Marshal(cp)
	badPath := filepath.Join(t.TempDir(), "bad.json")
	if err := os.WriteFile(badPath, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := run(t, env, "", "audit", "verify", "--checkpoint", badPath); !errors.Is(err, homeward.ErrCheckpoint) || strings.Contains(out, "intact") {
		t.Errorf("tampered checkpoint: %v %s", err, out)
	}
	// A server that refuses the checkpoint fails the command.
	refuse := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusForbidden) }))
	defer refuse.Close()
	if _, err := run(t, env, "", "audit", "anchor", "--post", refuse.URL); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("refused post: %v", err)
	}

	// The same key by file or environment works; another key is refused,
	// naming the key id the log needs.
	secret, err := os.ReadFile(keyPath)
	if err != nil {
		t.Fatal(err)
	}
	fileEnv := map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_DATA_DIR": t.TempDir()}
	copyPath := filepath.Join(t.TempDir(), "copy.key")
	if err := os.WriteFile(copyPath, secret, 0o600); err != nil {
		t.Fatal(err)
	}
	must(fileEnv, "audit", "verify", "--audit-key-file", copyPath, "--checkpoint", cpPath)
	must(map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_AUDIT_KEY": string(secret)}, "audit", "verify")
	other := homeward.GenerateAuditKey()
	kr, _ := homeward.ParseAuditKeys(string(secret))
	wrongDir := t.TempDir()
	out, err = run(t, map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_DATA_DIR": wrongDir, "HOMEWARD_AUDIT_KEY": other}, "", "audit", "verify")
	if !errors.Is(err, homeward.ErrAuditKey) || !strings.Contains(err.Error(), kr.Primary().ID()) {
		t.Errorf("wrong key: %v %s", err, out)
	}
	// A default key created for a database keyed with another is removed
	// again, so that the right one can be restored there.
	if _, err := run(t, map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_DATA_DIR": wrongDir}, "", "org", "list"); !errors.Is(err, homeward.ErrAuditKey) {
		t.Errorf("new default key on a keyed log: %v", err)
	}
	if _, err := os.Stat(filepath.Join(wrongDir, "audit.key")); !os.IsNotExist(err) {
		t.Errorf("a key created for the wrong log was kept: %v", err)
	}
	// Rotation: a new key first, the old one after it.
	rotated := other + "\n" + string(secret)
	must(map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_AUDIT_KEY": rotated}, "org", "create", "--name", "NGO", "--type", "ngo", "--country", "BD")
	must(map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_AUDIT_KEY": rotated}, "audit", "verify", "--checkpoint", cpPath)

	// Key files others may read are refused; env and file together too.
	exposed := filepath.Join(t.TempDir(), "exposed.key")
	if err := os.WriteFile(exposed, secret, 0o644); err != nil {
		t.Fatal(err)
	}
	os.Chmod(exposed, 0o644)
	if _, err := run(t, env, "", "audit", "verify", "--audit-key-file", exposed); err == nil || !strings.Contains(err.Error(), "other users may read it") {
		t.Errorf("group/world-readable key file: %v", err)
	}
	if _, err := run(t, map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_AUDIT_KEY": string(secret)}, "", "audit", "verify", "--audit-key-file", copyPath); exitCode(err) != 2 {
		t.Errorf("key by env and file: %v", err)
	}
	if _, err := run(t, map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_AUDIT_KEY": "c2hvcnQ="}, "", "audit", "verify"); exitCode(err) != 2 {
		t.Errorf("short key: %v", err)
	}
}

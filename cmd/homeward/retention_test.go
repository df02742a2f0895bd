package main

import (
	"encoding/json"
	"strings"
	"testing"

	"homeward/homewardtest"
	"homeward/internal/registry"
)

// retention run --dry-run reports and changes nothing; without "run" the
// command says what it needs. (What is due and why is tested in sqldb.)
func TestRetentionCommand(t *testing.T) {
	dsn := homewardtest.DSN(t)
	if !strings.HasPrefix(dsn, "postgres") {
		dsn = "sqlite://" + dsn
	}
	env := map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_DATA_DIR": t.TempDir()}
	if out, err := run(t, env, "", "org", "create", "--name", "Ministry", "--type", "ministry", "--country", "BD", "--operator"); err != nil {
		t.Fatalf("org create: %v\n%s", err, out)
	}
	out, err := run(t, env, "", "retention", "run", "--dry-run")
	if err != nil || !strings.Contains(out, "dry run: 0 records due, 0 held; nothing was changed") {
		t.Fatalf("retention run --dry-run: %v\n%s", err, out)
	}
	out, err = run(t, env, "", "retention", "run", "--dry-run", "--json")
	var rep registry.RetentionReport
	if err != nil || json.Unmarshal([]byte(out), &rep) != nil || !rep.DryRun || rep.Items == nil {
		t.Fatalf("retention run --dry-run --json: %v\n%s", err, out)
	}
	if _, err := run(t, env, "", "retention"); err == nil {
		t.Error("retention without a subcommand succeeds")
	}
}

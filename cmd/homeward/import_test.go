package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/password"
	"homeward/internal/sqldb"
)

// TestImportCommand checks that a file the importer refuses as a whole
// (no column it knows) makes `homeward import` say why and exit non-zero;
// it used to panic on a nil report — and that a file from bench gen
// imports with no error.
func TestImportCommand(t *testing.T) {
	dsn := homewardtest.DSN(t)
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	auditKey := homeward.GenerateAuditKey()
	if db.AuditKeys, err = homeward.ParseAuditKeys(auditKey); err != nil {
		t.Fatal(err)
	}
	ctx := homeward.NewContextWithActor(context.Background(), homeward.SystemActor)
	org := &homeward.Organisation{Name: "Shapla", Type: homeward.OrgNGO, Country: "BD"}
	if err := db.CreateOrganisation(ctx, org); err != nil {
		t.Fatal(err)
	}
	u := &homeward.User{OrgID: org.ID, Email: "cw@shapla.test", Name: "CW", Roles: []homeward.Role{homeward.RoleCaseWorker}}
	if err := db.CreateUserWithHash(ctx, u, password.Hash(homewardtest.Password)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if !strings.HasPrefix(dsn, "postgres") {
		dsn = "sqlite://" + dsn
	}
	file := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(file, []byte("name,age\nRahima,34\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_AUDIT_KEY": auditKey}
	for _, dry := range []bool{true, false} {
		args := []string{"import", "--as", "cw@shapla.test"}
		if dry {
			args = append(args, "--dry-run")
		}
		out, err := run(t, env, "", append(args, file)...)
		if err == nil || exitCode(err) == 0 || !strings.Contains(err.Error(), "external_id") {
			t.Errorf("import (dry run %v) of a file without known columns: %v\n%s", dry, err, out)
		}
	}
	// A file from `homeward bench gen` imports whole.
	gen, err := run(t, nil, "", "bench", "gen", "-n", "1500", "--seed", "5")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, []byte(gen), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, env, "", "import", "--as", "cw@shapla.test", file)
	if err != nil || !strings.Contains(out, "1500 valid, 0 invalid; 1500 created") {
		t.Errorf("import of a generated file: %v\n%.2000s", err, out)
	}
}

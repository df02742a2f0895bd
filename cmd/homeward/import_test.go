package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestImportCommand checks that a file the importer refuses as a whole
// (no column it knows) makes `homeward import` say why and exit non-zero;
// it used to panic on a nil report — and that a file from bench gen
// imports with no error.
func TestImportCommand(t *testing.T) {
	w := newCmdWorld(t)
	w.db.Close()
	env := w.env
	file := filepath.Join(t.TempDir(), "people.csv")
	if err := os.WriteFile(file, []byte("name,age\nRahima,34\n"), 0o600); err != nil {
		t.Fatal(err)
	}
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

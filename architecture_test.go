package homeward_test

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestWalls keeps the house's walls (ARCHITECTURE.md): the root package
// imports no sibling, the two edges do not import each other, and storage
// translates nothing.
func TestWalls(t *testing.T) {
	forbidden := map[string][]string{
		".":               {"homeward/internal/"},
		"internal/web":    {"homeward/internal/api"},
		"internal/api":    {"homeward/internal/web"},
		"internal/sqldb":  {"homeward/internal/i18n", "homeward/internal/api", "homeward/internal/web", "homeward/internal/httpx"},
		"internal/httpx":  {"homeward/internal/api", "homeward/internal/web", "homeward/internal/sqldb"},
		"internal/server": {},
	}
	for dir, bad := range forbidden {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			name := e.Name()
			if e.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(dir, name), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, b := range bad {
					if path == b || strings.HasSuffix(b, "/") && strings.HasPrefix(path, b) {
						t.Errorf("%s imports %s", filepath.Join(dir, name), path)
					}
				}
			}
		}
	}
}

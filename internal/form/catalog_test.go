package form

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"homeward/internal/i18n"
)

// Every translation key this package uses exists in the catalog (the i18n
// tests then require it in every language).
func TestKeysInCatalog(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`"(assessment\.[a-z_.]+[a-z])"`)
	n := 0
	for _, f := range files {
		if filepath.Ext(f) != ".go" || len(f) > 8 && f[len(f)-8:] == "_test.go" {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			n++
			if !i18n.Has(m[1]) {
				t.Errorf("%s: key %s is not in the catalog", f, m[1])
			}
		}
	}
	if n == 0 {
		t.Fatal("no keys found")
	}
}

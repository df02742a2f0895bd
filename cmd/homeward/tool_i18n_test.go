package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"homeward/internal/i18n"
)

// i18n status counts every language's messages and names no fault in the
// shipped catalogs; an unknown language is a usage error.
func TestI18nStatus(t *testing.T) {
	out, err := run(t, nil, "", "i18n", "status")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"bn (বাংলা): ", "ar (العربية): ", "ckb (کوردی): ", "ur (اردو): ", "machine-made awaiting review, 0 faults",
		"PK area names (internal/country/packs/pk/areas.csv): 167 of 167 named; 167 Homeward's own awaiting review",
		"IQ area names (internal/country/packs/iq/areas.csv): 119 of 119 named; 12 Homeward's own awaiting review",
		"built-in forms (internal/form/builtin/translations/ur.json): 224 of 224 texts translated; machine-made, awaiting review",
		"standard indicators (internal/indicator/standard.json): 25 of 25 named; machine-made, awaiting review",
		"skill standards (internal/rpl/standards.json): 6 of 6 named; machine-made, awaiting review",
		"PK pack texts (internal/country/packs/pk/pack.json): some Homeward's own, awaiting review"} {

		if !strings.Contains(out, want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if out, err := run(t, nil, "", "i18n", "status", "--lang", "ur", "--list"); err != nil || strings.Contains(out, "ar (") || !strings.Contains(out, `ur: machine "`) {
		t.Errorf("one language, listed: %v\n%.500s", err, out)
	}
	if _, err := run(t, nil, "", "i18n", "status", "--lang", "xx"); exitCode(err) != 2 {
		t.Errorf("unknown language: %v", err)
	}
	if _, err := run(t, nil, "", "i18n"); exitCode(err) != 2 {
		t.Errorf("no subcommand: %v", err)
	}
}

// A translator's round trip from the command line: export Urdu to a file
// (never over an existing one), review one entry, import it into a
// checkout; a broken file is refused with its line and writes nothing.
func TestI18nExportImportPO(t *testing.T) {
	dir := t.TempDir()
	for _, sub := range []string{"locales/en", "locales/ur", "status"} {
		src := filepath.Join("..", "..", "internal", "i18n", sub)
		dst := filepath.Join(dir, "internal", "i18n", sub)
		if err := os.MkdirAll(dst, 0o755); err != nil {
			t.Fatal(err)
		}
		ents, err := os.ReadDir(src)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range ents {
			b, err := os.ReadFile(filepath.Join(src, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	po := filepath.Join(dir, "ur.po")
	if out, err := run(t, nil, "", "i18n", "export", "--lang", "ur", "--out", po); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if _, err := run(t, nil, "", "i18n", "export", "--lang", "ur", "--out", po); err == nil {
		t.Error("export wrote over an existing file")
	}
	if _, err := run(t, nil, "", "i18n", "export", "--lang", "xx"); exitCode(err) != 2 {
		t.Errorf("unknown language: %v", err)
	}
	b, err := os.ReadFile(po)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	const entry = "#, fuzzy\nmsgctxt \"account.digits.save\"\n"
	if !strings.Contains(text, entry) {
		t.Fatalf("the export lacks %q", entry)
	}
	if err := os.WriteFile(po, []byte(strings.Replace(text, entry, "msgctxt \"account.digits.save\"\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := run(t, nil, "", "i18n", "import", "--lang", "ur", "--dir", dir, po)
	if err != nil || !strings.Contains(out, "0 messages changed; 1 recorded as reviewed") || !strings.Contains(out, "status/ur.json") {
		t.Fatalf("import: %v\n%s", err, out)
	}
	st, err := os.ReadFile(filepath.Join(dir, "internal", "i18n", "status", "ur.json"))
	if err != nil || !strings.Contains(string(st), "\"account.digits.save\": {\n    \"source\": \""+i18n.SourceHash(i18n.T("en", "account.digits.save", nil))+"\",\n    \"state\": \"reviewed\"") {
		t.Errorf("the review was not recorded: %v", err)
	}
	broken := strings.Replace(text, "msgid \"Save digits\"", "msgid \"Save digits", 1)
	if err := os.WriteFile(po, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	line := strings.Count(broken[:strings.Index(broken, "msgid \"Save digits")], "\n") + 1
	out, err = run(t, nil, "", "i18n", "import", "--lang", "ur", "--dir", dir, po)
	if err == nil || !strings.Contains(out, fmt.Sprintf("ur.po:%d: msgid:", line)) || !strings.Contains(err.Error(), "nothing was written") {
		t.Errorf("a broken file: %v\n%s", err, out)
	}
}

package main

import (
	"strings"
	"testing"
)

// i18n status counts every language's messages and names no fault in the
// shipped catalogs; an unknown language is a usage error.
func TestI18nStatus(t *testing.T) {
	out, err := run(t, nil, "", "i18n", "status")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, want := range []string{"bn (বাংলা): ", "ar (العربية): ", "ckb (کوردی): ", "ur (اردو): ", "machine-made awaiting review, 0 faults"} {
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

package main

import (
	"regexp"
	"strings"
	"testing"

	"homeward/homewardtest"
)

// bench register prints its figures on either backend (PostgreSQL when
// HOMEWARD_TEST_DATABASE names one), with an import alongside.
func TestBenchRegister(t *testing.T) {
	// --dir: the database (SQLite) or the keys of the database (PostgreSQL).
	args := []string{"bench", "register", "--preload", "300", "--n", "200", "--workers", "4", "--with-import", "--dir", t.TempDir()}
	raw := `raw SQLite single-row transactions: \d+/s`
	if dsn := homewardtest.DSN(t); strings.HasPrefix(dsn, "postgres") {
		args = append(args, "--database", dsn)
		raw = `raw PostgreSQL single-row transactions, 4 connections: \d+/s`
	}
	out, err := run(t, nil, "", args...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, re := range []string{
		raw,
		`preloaded 300 people through batched import in \S+ \(\d+/s\)`,
		`registrations \(JSON API over HTTP, concentrated names\): 200 in \S+ with 4 workers: \d+/s = [\d.]+ x the raw rate; latency p50 \S+ p99 \S+ max \S+`,
		`alongside, a bulk import wrote [1-9]\d* rows \(\d+/s\)`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
}

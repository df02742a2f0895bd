package main

import (
	"regexp"
	"testing"
)

// bench recover serves a seeded database with a real process (which
// loads its duplicate index first), kills it with SIGKILL under
// registration load, starts it again, prints how long
// serving took to come back, and finds every acknowledged registration
// stored.
func TestBenchRecover(t *testing.T) {
	needCrash(t)
	bin := buildBinary(t)
	dir := t.TempDir()
	if out, err := run(t, nil, "", "bench", "seed", "--people", "300", "--services=false", "--programmes=false", "--data-dir", dir); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, err := run(t, nil, "", "bench", "recover", "--bin", bin, "--data-dir", dir, "--rounds", "2", "--load", "2s", "--searches", "20", "--workers", "3",
		"--scanned", "--index")
	if err != nil {
		t.Fatalf("recover: %v\n%s", err, out)
	}
	for _, re := range []string{
		`duplicate index loaded by serve in \S+; serve's RSS then \d+ MB, peak \d+ MB; peak reset: (true|false)`,
		`search by name through the API: 20 in \S+ with 3 clients: .* 0 failed; serve's peak RSS \d+ MB`,
		`round 2: kill -9 under load, started again at once; from the kill: listening \S+, /readyz 200 \S+, first registration acknowledged \S+`,
		`\d+ registrations sent, [1-9]\d* acknowledged, \d+ sent without an answer \(killed\), 0 other answers; acknowledged but not stored: 0`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("no %q in:\n%s", re, out)
		}
	}
	if out, err := run(t, nil, "", "bench", "recover", "--data-dir", dir, "--workers", "0"); err == nil {
		t.Errorf("--workers 0 accepted:\n%s", out)
	}
}

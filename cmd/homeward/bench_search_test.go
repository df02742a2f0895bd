package main

import (
	"regexp"
	"testing"
)

// bench seed fills a database that bench search then measures; search
// before seed says what to do.
func TestBenchSeedAndSearch(t *testing.T) {
	dir := t.TempDir()
	if _, err := run(t, nil, "", "bench", "search", "--data-dir", dir, "--n", "5"); err == nil {
		t.Error("bench search on an empty database did not fail")
	}
	out, err := run(t, nil, "", "bench", "seed", "--people", "600", "--services=false", "--data-dir", dir)
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`seeded 6\d\d people with a case each through batched import in \S+: \d+ people/s`).MatchString(out) {
		t.Errorf("seed output: %s", out)
	}
	// The people are spread over districts as the generator places them.
	if m := regexp.MustCompile(`cases are in (\d+) districts`).FindStringSubmatch(out); m == nil || len(m[1]) < 2 {
		t.Errorf("seed output lacks cases in ten or more districts: %s", out)
	}
	// A second seed adds to the same organisation.
	if out, err := run(t, nil, "", "bench", "seed", "--people", "100", "--seed", "2", "--services=false", "--data-dir", dir); err != nil {
		t.Fatalf("second seed: %v\n%s", err, out)
	}
	out, err = run(t, nil, "", "bench", "search", "--data-dir", dir, "--n", "40", "--workers", "2")
	if err != nil {
		t.Fatalf("search: %v\n%s", err, out)
	}
	for _, re := range []string{
		`sqlite, 7\d\d people; 2 concurrent searchers`,
		`search by name : 40 in \S+: \d+ searches/s; p50 \S+ p95 \S+ p99 \S+ max \S+; 40 of 40 found someone`,
		`search by phone: 40 in \S+: \d+ searches/s; p50 \S+ p95 \S+ p99 \S+ max \S+; 40 of 40 found someone`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("search output lacks %s:\n%s", re, out)
		}
	}
}

package main

import (
	"regexp"
	"strconv"
	"testing"
)

// bench index loads the seeded organisation's duplicate index and prints
// its size; it refuses a database that was never seeded.
func TestBenchIndex(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, nil, "", "bench", "index", "--data-dir", dir); err == nil {
		t.Errorf("bench index on an empty database did not fail:\n%s", out)
	}
	if out, err := run(t, nil, "", "bench", "seed", "--people", "300", "--services=false", "--data-dir", dir); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	out, err := run(t, nil, "", "bench", "index", "--data-dir", dir)
	if err != nil {
		t.Fatalf("bench index: %v\n%s", err, out)
	}
	t.Log(out)
	m := regexp.MustCompile(`duplicate index of (\d+) people loaded in \S+ \(\d+ people/s\)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("output lacks the load:\n%s", out)
	}
	if n, _ := strconv.Atoi(m[1]); n < 290 || n > 300 {
		t.Errorf("index of %d people, want the 300 seeded less the invalid rows:\n%s", n, out)
	}
	for _, re := range []string{
		`Go heap held by the index: \d+ MB \(\d+ bytes per person\); its estimate \(Bytes\): \d+ MB \(\d+ per person\), computed in \S+`,
		`process resident memory: \d+ MB before the load, \d+ MB after, \d+ MB at its peak`,
		`a full collection with the index held: \S+ \(\d+ heap objects\)`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
}

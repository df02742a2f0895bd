package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// bench dedupe seeds distinct people, scans them while registrations
// arrive, and prints every figure issue 22 asks for with its verdict.
func TestBenchDedupe(t *testing.T) {
	dir := t.TempDir()
	prof := filepath.Join(t.TempDir(), "heap.pb.gz")
	out, err := run(t, nil, "", "bench", "dedupe", "--people", "400", "--workers", "2", "--data-dir", dir, "--heap-profile", prof)
	if err != nil {
		t.Fatalf("bench dedupe: %v\n%s", err, out)
	}
	for _, re := range []string{
		`seeded \d+ distinct people`,
		`scan: \d+ people checked in \S+; \d+ pairs raised: \d+ match, \d+ possible \([0-9.]+ per 200 people\); \d+ matches where two strong identifiers disagree`,
		`CPU time of the process during the scan \(scan and registrations, user\+system\) \S+, [0-9.]+ cores on average; load average \S+ \S+ \S+`,
		`memory: peak Go heap in use during the scan \d+ MB; peak RSS during the scan \d+ MB \(\d+ MB as it began, peak reset: (true|false)\); process max RSS \d+ MB`,
		`memory budget of the scan 256 MB \(Go soft limit; 0: none\); the index holds an estimated [0-9.]+ MB for \d+ people`,
		`registrations during the scan \(2 clients\): \d+, \d+/s; latency p50 \S+ p95 \S+ p99 \S+`,
		`(PASS|MISS) at most 1 pair per 200 people`,
		`(PASS|MISS) no match where two strong identifiers disagree`,
		`(PASS|MISS) registrations meanwhile p99`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("output lacks %s:\n%s", re, out)
		}
	}
	if fi, err := os.Stat(prof); err != nil || fi.Size() == 0 {
		t.Errorf("heap profile: %v", err)
	}
	// A second run on the same directory is refused: the figures would mix.
	if out, err := run(t, nil, "", "bench", "dedupe", "--people", "400", "--data-dir", dir); err == nil || !strings.Contains(err.Error()+out, "already holds a bench organisation") {
		t.Errorf("second run: %v\n%s", err, out)
	}
	if _, err := run(t, nil, "", "bench", "dedupe", "--people", "1"); err == nil {
		t.Error("--people 1 accepted")
	}
}

package match_test

import (
	"os"
	"strconv"
	"testing"
	"time"

	"homeward/internal/match"
	"homeward/internal/match/gen"
)

// scanIndex indexes recs and asks Candidates for every one of them, as the
// background scan does; it returns the pairs found at or above the
// possible threshold (ordered IDs), the comparisons made and the time taken.
func scanIndex(t testing.TB, recs []match.Record, opt match.IndexOptions) (pairs map[[2]string]match.Decision, comps int64, took time.Duration) {
	x := match.NewIndex(opt)
	for _, r := range recs {
		if err := x.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	pairs = map[[2]string]match.Decision{}
	before := x.Comparisons()
	start := time.Now()
	for _, r := range recs {
		for _, c := range x.Candidates(r) {
			a, b := r.ID, c.ID
			if b < a {
				a, b = b, a
			}
			if d, ok := pairs[[2]string{a, b}]; !ok || c.Decision > d {
				pairs[[2]string{a, b}] = c.Decision
			}
		}
	}
	return pairs, x.Comparisons() - before, time.Since(start)
}

// TestScanCost reports what the scan of a registry of distinct people
// costs the index (comparisons per person) and, on a registry with
// duplicates, how many true pairs the index finds. Sizes from
// HOMEWARD_MATCH_SCAN_N (default 5,000).
func TestScanCost(t *testing.T) {
	n := 5000
	if s := os.Getenv("HOMEWARD_MATCH_SCAN_N"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	var opt match.IndexOptions
	if s := os.Getenv("HOMEWARD_MATCH_SCAN_MAX"); s != "" {
		opt.MaxScan, _ = strconv.Atoi(s)
	}
	reg := gen.Generate(gen.Config{Records: n, Distinct: true, Sibling: 0.1, Neighbours: 0.3, Seed: 1})
	pairs, comps, took := scanIndex(t, reg.Records, opt)
	t.Logf("distinct %d: %d comparisons (%.1f per person) in %v; %d pairs raised", n, comps, float64(comps)/float64(n), took.Round(time.Millisecond), len(pairs))

	dup := gen.Generate(gen.Config{Records: n, Seed: 7})
	pairs, comps, took = scanIndex(t, dup.Records, opt)
	var tp, tpMatch, fp int
	for k, d := range pairs {
		if gen.PersonOf(k[0]) == gen.PersonOf(k[1]) {
			tp++
			if d == match.Match {
				tpMatch++
			}
		} else {
			fp++
		}
	}
	t.Logf("duplicates %d: %d comparisons (%.1f per person) in %v; %d true pairs, found %d (%d as match), %d false", n, comps, float64(comps)/float64(n), took.Round(time.Millisecond), dup.TruePairs(), tp, tpMatch, fp)
}

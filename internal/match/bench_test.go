package match_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"homeward/internal/match"
	"homeward/internal/match/gen"
)

// benchSize reads HOMEWARD_MATCH_BENCH_N (default 1,000,000).
func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("HOMEWARD_MATCH_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

// BenchmarkDedupe deduplicates a generated registry (1,000,000 records by
// default) and reports comparisons per second, F1 and peak heap.
func BenchmarkDedupe(b *testing.B) {
	n := benchSize()
	reg := gen.Generate(gen.Config{Records: n, Seed: 11})
	ent := make(map[string]string, n)
	for _, r := range reg.Records {
		ent[r.ID] = gen.PersonOf(r.ID)
	}
	truePairs := reg.TruePairs()
	runtime.GC()
	b.ResetTimer()
	for b.Loop() {
		res, err := match.Dedupe(context.Background(), reg.Records, match.Options{})
		if err != nil {
			b.Fatal(err)
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		q := evaluate(res.Pairs, ent, truePairs, match.Match)
		qp := evaluate(res.Pairs, ent, truePairs, match.Possible)
		b.ReportMetric(float64(res.Comparisons)/res.ScoreElapsed.Seconds(), "comparisons/s")
		b.ReportMetric(float64(res.Comparisons), "comparisons")
		b.ReportMetric(res.Elapsed.Seconds(), "s/run")
		b.ReportMetric(q.F1, "F1-match")
		b.ReportMetric(qp.F1, "F1-match+possible")
		b.ReportMetric(float64(ms.Sys)/(1<<20), "MB-sys")
		b.Logf("%d records: %d comparisons in %v (scoring %v); match-only P=%.4f R=%.4f F1=%.4f; match+possible P=%.4f R=%.4f F1=%.4f",
			n, res.Comparisons, res.Elapsed, res.ScoreElapsed, q.P, q.R, q.F1, qp.P, qp.R, qp.F1)
	}
}

// BenchmarkIndexCandidates measures the online check: one new registration
// against an index of 1,000,000 generated records, reporting p50 and p99.
func BenchmarkIndexCandidates(b *testing.B) {
	n := benchSize()
	reg := gen.Generate(gen.Config{Records: n + 2000, Seed: 13})
	x := match.NewIndex(match.IndexOptions{})
	start := time.Now()
	for _, r := range reg.Records[:n] {
		if err := x.Add(r); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("indexed %d records in %v", n, time.Since(start))
	queries := reg.Records[n:]
	for i := range queries {
		queries[i].ID = fmt.Sprint("q", i)
	}
	var lat []time.Duration
	found := 0
	runtime.GC()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		t := time.Now()
		cs := x.Candidates(queries[i%len(queries)])
		lat = append(lat, time.Since(t))
		found += len(cs)
	}
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(pct(0.50), "p50-ms")
	b.ReportMetric(pct(0.99), "p99-ms")
	b.ReportMetric(float64(found)/float64(len(lat)), "candidates/query")
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "MB-heap")
}

package match_test

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"homeward/internal/match"
	"homeward/internal/match/gen"
)

// scanIndex indexes recs and asks Candidates for every one of them, as the
// background scan does; it returns the pairs found at or above the
// possible threshold (ordered IDs), the comparisons made and the time taken.
func scanIndex(t testing.TB, recs []match.Record, opt match.IndexOptions, pass bool) (pairs map[[2]string]match.Decision, comps, scored int64, took time.Duration) {
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	x := match.NewIndex(opt)
	for _, r := range recs {
		if err := x.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&m1)
	heap := int64(m1.HeapAlloc - m0.HeapAlloc)
	t.Logf("index of %d records: %d MB of heap (%d bytes per record); estimated by Bytes %d MB (%d per record)",
		len(recs), heap>>20, heap/int64(len(recs)), x.Bytes()>>20, x.Bytes()/int64(len(recs)))
	// The estimate a memory budget is checked against leaves out only the
	// shared vocabulary and the term frequencies: it must account for most
	// of the heap and never claim more than there is.
	if est := x.Bytes(); est < heap/2 || est > heap {
		t.Errorf("Bytes estimates %d bytes for an index that takes %d", est, heap)
	}
	pairs = map[[2]string]match.Decision{}
	c0, s0 := x.Comparisons()
	start := time.Now()
	candidates := func(r match.Record) []match.Candidate { return x.Candidates(r) }
	if pass {
		// As the scan does: each record as it is in the index.
		p := x.NewPass()
		candidates = func(r match.Record) []match.Candidate {
			cs, ok := p.CandidatesOf(r.ID)
			if !ok {
				t.Fatalf("%s is not indexed", r.ID)
			}
			return cs
		}
	}
	for _, r := range recs {
		for _, c := range candidates(r) {
			a, b := r.ID, c.ID
			if b < a {
				a, b = b, a
			}
			if d, ok := pairs[[2]string{a, b}]; !ok || c.Decision > d {
				pairs[[2]string{a, b}] = c.Decision
			}
		}
	}
	c1, s1 := x.Comparisons()
	return pairs, c1 - c0, s1 - s0, time.Since(start)
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
	if s := os.Getenv("HOMEWARD_MATCH_SCAN_RARE"); s != "" {
		opt.RareKey, _ = strconv.Atoi(s)
	}
	if s := os.Getenv("HOMEWARD_MATCH_SCAN_MAX"); s != "" {
		opt.MaxScan, _ = strconv.Atoi(s)
	}
	reg := gen.Generate(gen.Config{Records: n, Distinct: true, Sibling: 0.1, Neighbours: 0.3, Seed: 1})
	pairs, comps, scored, took := scanIndex(t, reg.Records, opt, true)
	t.Logf("distinct %d: %d pairs compared (%.1f per person), %d scored in full, in %v; %d pairs raised", n, comps, float64(comps)/float64(n), scored, took.Round(time.Millisecond), len(pairs))

	dup := gen.Generate(gen.Config{Records: n, Seed: 7})
	pairs, comps, scored, took = scanIndex(t, dup.Records, opt, true)
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
	t.Logf("duplicates %d: %d pairs compared (%.1f per person), %d scored in full, in %v; %d true pairs, found %d (%d as match), %d false", n, comps, float64(comps)/float64(n), scored, took.Round(time.Millisecond), dup.TruePairs(), tp, tpMatch, fp)
}

// The bound that lets Candidates skip a pair must never be below the
// pair's score, and so never skip a pair that reaches the possible
// threshold: checked on every gathered pair of a generated registry with
// duplicates and one without, under the default and a fitted model.
func TestBoundNeverChangesDecision(t *testing.T) {
	n := 3000
	if testing.Short() {
		n = 1000
	}
	for _, cfg := range []gen.Config{{Records: n, Seed: 7}, {Records: n, Distinct: true, Sibling: 0.1, Neighbours: 0.3, Seed: 1}} {
		reg := gen.Generate(cfg)
		x := match.NewIndex(match.IndexOptions{})
		for _, r := range reg.Records {
			if err := x.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		for _, fitted := range []bool{false, true} {
			if fitted {
				if err := x.Fit(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			var pairs, pruned, above, lost int
			for _, r := range reg.Records {
				p, pr, a, l := x.CheckBound(r)
				pairs, pruned, above, lost = pairs+p, pruned+pr, above+a, lost+l
			}
			t.Logf("distinct=%v fitted=%v: %d pairs gathered, %d left out by the bound; %d scored above their bound, %d left out reaching the threshold",
				cfg.Distinct, fitted, pairs, pruned, above, lost)
			if above > 0 || lost > 0 {
				t.Errorf("distinct=%v fitted=%v: %d pairs scored above their bound, %d pairs left out though they reach the threshold", cfg.Distinct, fitted, above, lost)
			}
			if pruned == 0 {
				t.Errorf("distinct=%v fitted=%v: the bound left out no pair: the test does not test it", cfg.Distinct, fitted)
			}
		}
	}
}

// A pass compares each pair once and finds the same pairs, with the same
// decisions, as asking Candidates for every record.
func TestPassFindsTheSamePairs(t *testing.T) {
	reg := gen.Generate(gen.Config{Records: 3000, Seed: 7})
	all, comps, _, _ := scanIndex(t, reg.Records, match.IndexOptions{}, false)
	once, passComps, _, _ := scanIndex(t, reg.Records, match.IndexOptions{}, true)
	t.Logf("every record asked: %d pairs from %d compared; one pass: %d pairs from %d compared", len(all), comps, len(once), passComps)
	for k, d := range all {
		if e, ok := once[k]; !ok || e != d {
			t.Errorf("pair %v: %v when every record is asked, %v (found %v) in one pass", k, d, e, ok)
		}
	}
	if len(once) != len(all) {
		t.Errorf("one pass found %d pairs, asking every record %d", len(once), len(all))
	}
	if passComps*10 > comps*6 {
		t.Errorf("one pass compared %d pairs, asking every record %d: not about half", passComps, comps)
	}
	// A record added after another was asked is compared with it when
	// either is asked; records added meanwhile change nothing else.
	x := match.NewIndex(match.IndexOptions{})
	a := match.Record{ID: "a", GivenName: "Rafiqul", FamilyName: "Islam", DOB: "1985-03-12", FatherName: "Abdul Karim", Phones: []string{"01712345678"}}
	b, d := a, a
	b.ID, d.ID = "b", "d"
	_ = x.Add(a)
	_ = x.Add(b)
	p := x.NewPass()
	ids := func(cs []match.Candidate) string {
		var s []string
		for _, c := range cs {
			s = append(s, c.ID)
		}
		slices.Sort(s)
		return strings.Join(s, " ")
	}
	if got := ids(p.Candidates(a)); got != "b" {
		t.Fatalf("pass: a's candidates %q, want b", got)
	}
	_ = x.Add(match.Record{ID: "c", GivenName: "Sohel", FamilyName: "Rana"})
	_ = x.Add(d)
	if got := ids(p.Candidates(b)); got != "d" {
		t.Errorf("pass: b's candidates %q, want d (a was asked with b in the index; d was added since)", got)
	}
	if got := ids(p.Candidates(d)); got != "a" {
		t.Errorf("pass: d's candidates %q, want a (added after a was asked; b was asked with d)", got)
	}
	if got := ids(x.Candidates(d)); got != "a b" {
		t.Errorf("outside the pass: d's candidates %q, want a b", got)
	}
	// A new model: every pair is compared again.
	x.SetModel(x.Model())
	if got := ids(p.Candidates(b)); got != "a d" {
		t.Errorf("pass after a new model: b's candidates %q, want a d", got)
	}
}

// Workers sharing a pass (as the scan's do) find the same pairs, with the
// same decisions, as one goroutine; a pair is compared by both at most
// when its two records are asked at the same moment.
func TestPassSharedByWorkers(t *testing.T) {
	reg := gen.Generate(gen.Config{Records: 2000, Seed: 7})
	one, _, _, _ := scanIndex(t, reg.Records, match.IndexOptions{}, true)
	x := match.NewIndex(match.IndexOptions{})
	for _, r := range reg.Records {
		if err := x.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	p := x.NewPass()
	found := make([][][2]string, 2)
	var wg sync.WaitGroup
	for w := range found {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(reg.Records); i += len(found) {
				id := reg.Records[i].ID
				cs, ok := p.CandidatesOf(id)
				if !ok {
					t.Errorf("%s is not indexed", id)
					return
				}
				for _, c := range cs {
					a, b := id, c.ID
					if b < a {
						a, b = b, a
					}
					found[w] = append(found[w], [2]string{a, b})
				}
			}
		}()
	}
	wg.Wait()
	both := map[[2]string]bool{}
	for _, f := range found {
		for _, k := range f {
			both[k] = true
		}
	}
	if len(both) != len(one) {
		t.Errorf("two workers found %d pairs, one goroutine %d", len(both), len(one))
	}
	for k := range one {
		if !both[k] {
			t.Errorf("pair %v found by one goroutine, not by two workers", k)
		}
	}
	if len(one) == 0 {
		t.Fatal("no pairs: the test tests nothing")
	}
}

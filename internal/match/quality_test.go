package match_test

import (
	"context"
	"os"
	"testing"

	"homeward/internal/match"
	"homeward/internal/match/febrl"
)

// prf holds pairwise precision, recall and F1.
type prf struct{ P, R, F1 float64 }

// evaluate scores predicted pairs against the truth: entity maps record ID
// to true entity; truePairs is the number of true pairs.
func evaluate(pairs []match.Pair, entity map[string]string, truePairs int, minDecision match.Decision) prf {
	tp, fp := 0, 0
	for _, p := range pairs {
		if p.Decision < minDecision {
			continue
		}
		if entity[p.A] == entity[p.B] {
			tp++
		} else {
			fp++
		}
	}
	var r prf
	if tp+fp > 0 {
		r.P = float64(tp) / float64(tp+fp)
	}
	if truePairs > 0 {
		r.R = float64(tp) / float64(truePairs)
	}
	if r.P+r.R > 0 {
		r.F1 = 2 * r.P * r.R / (r.P + r.R)
	}
	return r
}

func readFEBRL(t testing.TB, name string) ([]match.Record, map[string]string) {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := febrl.Read(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	recs := make([]match.Record, len(rows))
	ent := map[string]string{}
	for i, r := range rows {
		recs[i] = r.Record
		ent[r.Record.ID] = r.Entity
	}
	return recs, ent
}

func countTruePairs(ent map[string]string, ids []string) int {
	n := map[string]int{}
	for _, id := range ids {
		n[ent[id]]++
	}
	pairs := 0
	for _, c := range n {
		pairs += c * (c - 1) / 2
	}
	return pairs
}

func TestFEBRL4Link(t *testing.T) {
	a, entA := readFEBRL(t, "febrl4a.csv")
	b, entB := readFEBRL(t, "febrl4b.csv")
	ent := map[string]string{}
	for k, v := range entA {
		ent[k] = v
	}
	for k, v := range entB {
		ent[k] = v
	}
	res, err := match.Link(context.Background(), a, b, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	truePairs := 5000
	m := evaluate(res.Pairs, ent, truePairs, match.Match)
	mp := evaluate(res.Pairs, ent, truePairs, match.Possible)
	t.Logf("FEBRL 4 link: %d candidate pairs, %d compared in %v; prior %.1f bits", res.CandidatePairs, res.Comparisons, res.Elapsed, res.PriorLogOdds)
	t.Logf("FEBRL 4 match-only:     P=%.4f R=%.4f F1=%.4f", m.P, m.R, m.F1)
	t.Logf("FEBRL 4 match+possible: P=%.4f R=%.4f F1=%.4f", mp.P, mp.R, mp.F1)
	if m.F1 < 0.99 {
		t.Errorf("FEBRL 4 match-only F1 = %.4f, want ≥ 0.99", m.F1)
	}
	logModel(t, res.Model)
}

// dedupeEvaluated deduplicates recs and scores the pairs against the truth
// in ent: match-only and match-or-possible.
func dedupeEvaluated(t *testing.T, recs []match.Record, ent map[string]string) (res *match.Result, truePairs int, m, mp prf) {
	t.Helper()
	res, err := match.Dedupe(context.Background(), recs, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(recs))
	for i, r := range recs {
		ids[i] = r.ID
	}
	truePairs = countTruePairs(ent, ids)
	return res, truePairs, evaluate(res.Pairs, ent, truePairs, match.Match), evaluate(res.Pairs, ent, truePairs, match.Possible)
}

func TestFEBRL3Dedupe(t *testing.T) {
	recs, ent := readFEBRL(t, "febrl3.csv")
	res, truePairs, m, mp := dedupeEvaluated(t, recs, ent)
	t.Logf("FEBRL 3 dedupe: %d true pairs, %d candidate pairs, %d compared in %v; prior %.1f bits", truePairs, res.CandidatePairs, res.Comparisons, res.Elapsed, res.PriorLogOdds)
	t.Logf("FEBRL 3 match-only:     P=%.4f R=%.4f F1=%.4f", m.P, m.R, m.F1)
	t.Logf("FEBRL 3 match+possible: P=%.4f R=%.4f F1=%.4f", mp.P, mp.R, mp.F1)
	if m.F1 < 0.95 {
		t.Errorf("FEBRL 3 match-only F1 = %.4f, want ≥ 0.95", m.F1)
	}
	// Decisions follow the threshold the run reports, whether set from
	// the scores or fixed by the caller (then never moved).
	fixed, err := match.Dedupe(context.Background(), recs, match.Options{MatchThreshold: match.DefaultMatchThreshold})
	if err != nil {
		t.Fatal(err)
	}
	if fixed.ScoreCalibrated || fixed.Model.MatchThreshold != match.DefaultMatchThreshold {
		t.Errorf("a fixed match threshold moved to %g", fixed.Model.MatchThreshold)
	}
	for _, r := range []*match.Result{res, fixed} {
		for _, p := range r.Pairs {
			if (p.Score >= r.Model.MatchThreshold) != (p.Decision == match.Match) {
				t.Fatalf("pair %s–%s at %.4f decided %s with the match threshold at %g", p.A, p.B, p.Score, p.Decision, r.Model.MatchThreshold)
			}
		}
	}
	t.Logf("FEBRL 3 match threshold %.2f (from the scores: %v)", res.Model.MatchThreshold, res.ScoreCalibrated)
	logModel(t, res.Model)
}

func logModel(t *testing.T, m *match.Model) {
	t.Helper()
	if !testing.Verbose() {
		return
	}
	for f := match.Field(0); f < match.NumFields; f++ {
		s := ""
		for l, k := range match.Levels(f) {
			if l == 0 {
				continue
			}
			s += " " + k.String() + ":" + ftoa(m.M[f][l]) + "/" + ftoa(m.U[f][l])
		}
		t.Logf("  %-13s%s", f, s)
	}
	t.Logf("  matches per record %.3f", m.MatchesPerRecord)
}

func ftoa(x float64) string {
	return strconvFormat(x)
}

// clusterFigures describes the registry the automatic matches leave: records
// joined through a chain of matches are one person, as merging them makes
// them.
type clusterFigures struct {
	prf         prf // pairwise, over the pairs of records each person holds
	openPairs   int // possible pairs between two different people
	peoplePairs int // distinct pairs of people those possible pairs join
}

func clustered(res *match.Result, n int, ent map[string]string, truePairs int) clusterFigures {
	parent := make([]int, n)
	for i := range parent {
		parent[i] = i
	}
	find := func(x int) int {
		for parent[x] != x {
			parent[x] = parent[parent[x]]
			x = parent[x]
		}
		return x
	}
	ids := make([]string, n)
	for _, p := range res.Pairs {
		ids[p.IA], ids[p.IB] = p.A, p.B
		if p.Decision == match.Match {
			parent[find(p.IA)] = find(p.IB)
		}
	}
	var c clusterFigures
	people := map[[2]int]bool{}
	for _, p := range res.Pairs {
		if p.Decision != match.Possible {
			continue
		}
		a, b := find(p.IA), find(p.IB)
		if a == b {
			continue
		}
		c.openPairs++
		people[[2]int{min(a, b), max(a, b)}] = true
	}
	c.peoplePairs = len(people)
	members := map[int][]int{}
	for i := 0; i < n; i++ {
		r := find(i)
		members[r] = append(members[r], i)
	}
	tp, fp := 0, 0
	for _, ms := range members {
		for x := range ms {
			for y := x + 1; y < len(ms); y++ {
				// A record in no pair has no id here; it is alone anyway.
				if ent[ids[ms[x]]] == ent[ids[ms[y]]] {
					tp++
				} else {
					fp++
				}
			}
		}
	}
	if tp+fp > 0 {
		c.prf.P = float64(tp) / float64(tp+fp)
	}
	if truePairs > 0 {
		c.prf.R = float64(tp) / float64(truePairs)
	}
	if c.prf.P+c.prf.R > 0 {
		c.prf.F1 = 2 * c.prf.P * c.prf.R / (c.prf.P + c.prf.R)
	}
	return c
}

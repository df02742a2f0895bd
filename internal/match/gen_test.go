package match_test

import (
	"context"
	"os"
	"testing"

	"homeward/internal/match"
	"homeward/internal/match/gen"
)

func generatedQuality(t *testing.T, n int) {
	reg := gen.Generate(gen.Config{Records: n, Seed: 7})
	res, err := match.Dedupe(context.Background(), reg.Records, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ent := map[string]string{}
	for _, r := range reg.Records {
		ent[r.ID] = gen.PersonOf(r.ID)
	}
	truePairs := reg.TruePairs()
	m := evaluate(res.Pairs, ent, truePairs, match.Match)
	mp := evaluate(res.Pairs, ent, truePairs, match.Possible)
	t.Logf("generated %d: %d true pairs, %d candidate pairs, %d compared in %v; prior %.1f bits", n, truePairs, res.CandidatePairs, res.Comparisons, res.Elapsed, res.PriorLogOdds)
	t.Logf("generated %d match-only:     P=%.4f R=%.4f F1=%.4f", n, m.P, m.R, m.F1)
	t.Logf("generated %d match+possible: P=%.4f R=%.4f F1=%.4f", n, mp.P, mp.R, mp.F1)
	logModel(t, res.Model)
	if m.F1 < 0.9 {
		t.Errorf("generated %d: match-only F1 = %.4f, want ≥ 0.90", n, m.F1)
	}
}

func TestGeneratedQuality(t *testing.T) {
	generatedQuality(t, 5000)
}

// TestGeneratedQuality50k measures F1 on a 50,000-record generated registry;
// it takes a while, so it runs only when HOMEWARD_MATCH_LONG is set.
func TestGeneratedQuality50k(t *testing.T) {
	if os.Getenv("HOMEWARD_MATCH_LONG") == "" {
		t.Skip("set HOMEWARD_MATCH_LONG=1 to run")
	}
	generatedQuality(t, 50_000)
}

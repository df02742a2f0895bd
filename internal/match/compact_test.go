package match_test

import (
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"homeward/internal/match"
	"homeward/internal/match/gen"
)

// Records that share their prepared names and strings (the index's
// compact form) must score exactly as records that hold their own: every
// candidate of a scan, and a sample of pairs whatever their score, under
// the default and a fitted model.
func TestSharedNamesScoreAlike(t *testing.T) {
	reg := gen.Generate(gen.Config{Records: 1500, Seed: 7})
	shared, own := match.NewIndex(match.IndexOptions{}), match.NewIndexUnshared(match.IndexOptions{})
	for _, r := range reg.Records {
		if err := shared.Add(r); err != nil {
			t.Fatal(err)
		}
		if err := own.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for _, fitted := range []bool{false, true} {
		if fitted {
			m := shared.Model()
			if err := shared.Fit(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := own.Fit(context.Background()); err != nil {
				t.Fatal(err)
			}
			if reflect.DeepEqual(m, shared.Model()) {
				t.Fatal("the fit changed nothing: the test would compare the default model twice")
			}
			if !closeModels(shared.Model(), own.Model()) {
				t.Fatalf("the fits of the shared and the own records differ:\n%+v\n%+v", shared.Model(), own.Model())
			}
			// The fit sums in map order (the last bits differ from run
			// to run): score both under the very same weights.
			own.SetModel(shared.Model())
		}
		ps, po := shared.NewPass(), own.NewPass()
		found := 0
		for _, r := range reg.Records {
			a, _ := ps.CandidatesOf(r.ID)
			b, _ := po.CandidatesOf(r.ID)
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("fitted=%v: candidates of %s differ:\n%+v\n%+v", fitted, r.ID, a, b)
			}
			found += len(a)
		}
		if found == 0 {
			t.Fatal("no candidates: the scan compared nothing")
		}
		for range 2000 {
			a, b := reg.Records[rng.IntN(len(reg.Records))], reg.Records[rng.IntN(len(reg.Records))]
			ea, _ := shared.Explain(a, b.ID)
			eb, _ := own.Explain(a, b.ID)
			if !reflect.DeepEqual(ea, eb) {
				t.Fatalf("fitted=%v: %s and %s explained differently:\n%+v\n%+v", fitted, a.ID, b.ID, ea, eb)
			}
		}
		t.Logf("fitted=%v: %d candidates alike", fitted, found)
	}
}

// Above FitSample records the model is fitted on a sample chosen by the
// records' IDs: the same registry gives the same weights whatever order
// it was loaded in, and the sample's estimate of matches per record is
// scaled to the whole registry.
func TestFitOnSampleIsDeterministic(t *testing.T) {
	reg := gen.Generate(gen.Config{Records: 3000, Seed: 7})
	fit := func(opt match.IndexOptions, recs []match.Record) *match.Model {
		t.Helper()
		x := match.NewIndex(opt)
		for _, r := range recs {
			if err := x.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := x.Fit(context.Background()); err != nil {
			t.Fatal(err)
		}
		return x.Model()
	}
	sampled := match.IndexOptions{FitSample: 1500}
	a := fit(sampled, reg.Records)
	rev := slices.Clone(reg.Records)
	slices.Reverse(rev)
	// A record removed and added again leaves a free slot: the fit then
	// copies the records it reads.
	rev = append(rev, rev[0])
	b := fit(sampled, rev)
	if !closeModels(a, b) {
		t.Fatalf("the same registry in another order fits another model:\n%+v\n%+v", a, b)
	}
	full := fit(match.IndexOptions{}, reg.Records)
	if closeModels(a, full) {
		t.Fatal("the sampled fit equals the full one: no sample was taken")
	}
	if r := a.MatchesPerRecord / full.MatchesPerRecord; r < 0.5 || r > 2 {
		t.Errorf("matches per record: %.4f from a sample of half the registry, %.4f from all of it", a.MatchesPerRecord, full.MatchesPerRecord)
	}
	t.Logf("matches per record: sample %.4f, all %.4f, true %.4f", a.MatchesPerRecord, full.MatchesPerRecord, 2*float64(reg.TruePairs())/float64(len(reg.Records)))
}

// closeModels reports whether two models have the same parameters to
// within rounding (1e-9 relative).
func closeModels(a, b *match.Model) bool {
	var x, y any
	for _, m := range []struct {
		m   *match.Model
		out *any
	}{{a, &x}, {b, &y}} {
		j, err := json.Marshal(m.m)
		if err != nil {
			return false
		}
		if err := json.Unmarshal(j, m.out); err != nil {
			return false
		}
	}
	return closeValues(x, y)
}

func closeValues(x, y any) bool {
	switch x := x.(type) {
	case float64:
		y, ok := y.(float64)
		return ok && math.Abs(x-y) <= 1e-9*math.Max(math.Abs(x), math.Abs(y))
	case []any:
		y, ok := y.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !closeValues(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := y.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !closeValues(x[k], y[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(x, y)
}

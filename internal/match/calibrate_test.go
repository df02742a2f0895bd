package match

import (
	"slices"
	"testing"
)

func TestCalibrate(t *testing.T) {
	m := DefaultModel()
	t.Run("defaults kept when the queue is small and nothing is decided", func(t *testing.T) {
		var h Scores
		for i := range 10 {
			h.Add(0.35+float64(i)*0.05, false, false)
		}
		c := Calibrate(m, 10_000, &h)
		if c.MatchThreshold != DefaultMatchThreshold || c.PossibleThreshold != DefaultPossibleThreshold || c.Queued != 10 || c.Open != 10 || len(c.Reasons) != 0 {
			t.Fatalf("got %+v", c)
		}
	})
	t.Run("budget keeps the most likely pairs", func(t *testing.T) {
		var h Scores
		for i := range 1000 { // 1,000 open possibles spread over 0.30..0.899
			h.Add(0.30+float64(i%600)/1000, false, false)
		}
		h.Add(0.95, false, false) // a match always stays
		c := Calibrate(m, 10_000, &h)
		if c.Budget != 50 {
			t.Fatalf("budget %d, want 50 (10,000 people / 200)", c.Budget)
		}
		if c.Queued > c.Budget || c.Queued < 40 {
			t.Fatalf("queued %d, want close to and at most the budget %d", c.Queued, c.Budget)
		}
		if c.PossibleThreshold <= 0.85 || c.PossibleThreshold > c.MatchThreshold {
			t.Fatalf("possible threshold %g, want raised near the top of the possibles", c.PossibleThreshold)
		}
		if !slices.Contains(c.Reasons, "match.calibration.budget") {
			t.Fatalf("reasons %v", c.Reasons)
		}
		// A tiny registry still gets a workable minimum.
		if c := Calibrate(m, 10, &h); c.Budget != MinBudget {
			t.Fatalf("budget %d for 10 people, want %d", c.Budget, MinBudget)
		}
	})
	t.Run("decisions lower the match threshold where pairs were duplicates", func(t *testing.T) {
		var h Scores
		for range 30 {
			h.Add(0.86, true, true)
		}
		h.Add(0.81, true, true) // one decision is not evidence for the 0.80 band
		c := Calibrate(m, 100_000, &h)
		if c.MatchThreshold != 0.85 || !slices.Contains(c.Reasons, "match.calibration.match_lowered") {
			t.Fatalf("got %+v, want match threshold 0.85", c)
		}
	})
	t.Run("decisions raise the match threshold where pairs were not", func(t *testing.T) {
		var h Scores
		for i := range 40 {
			h.Add(0.92, true, i%2 == 0) // half rejected at 0.92
		}
		for range 25 {
			h.Add(0.996, true, true)
		}
		c := Calibrate(m, 100_000, &h)
		if c.MatchThreshold != 0.95 || !slices.Contains(c.Reasons, "match.calibration.match_raised") {
			t.Fatalf("got %+v, want match threshold 0.95 (the lowest above which decided pairs were duplicates)", c)
		}
	})
	t.Run("a band people always rejected leaves the queue", func(t *testing.T) {
		var h Scores
		for range 25 {
			h.Add(0.33, true, false)
		}
		for range 5 {
			h.Add(0.45, false, false)
		}
		c := Calibrate(m, 100_000, &h)
		if c.PossibleThreshold < 0.399 || c.PossibleThreshold > 0.401 || c.Queued != 5 {
			t.Fatalf("got %+v, want possible threshold 0.4 and the 5 open pairs above it queued", c)
		}
	})
	t.Run("too few decisions change nothing", func(t *testing.T) {
		var h Scores
		for range minDecided - 1 {
			h.Add(0.86, true, true)
		}
		if c := Calibrate(m, 100_000, &h); c.MatchThreshold != DefaultMatchThreshold {
			t.Fatalf("got %+v", c)
		}
	})
}

func TestScoreThreshold(t *testing.T) {
	// hist builds a histogram: n pairs at each score.
	hist := func(at map[float64]int) *[1001]int {
		var h Scores
		for score, n := range at {
			for range n {
				h.Add(score, false, false)
			}
		}
		return &h.Open
	}
	cases := []struct {
		name    string
		at      map[float64]int
		current float64
		want    float64
	}{
		{"many certain duplicates carry a thin band of likely ones: lowered to the floor",
			map[float64]int{0.999: 1000, 0.82: 40, 0.87: 40}, 0.90, 0.80},
		{"a band that would make more than 2 % of the matches wrong stops the lowering",
			map[float64]int{0.999: 1000, 0.82: 200, 0.87: 40}, 0.90, 0.85},
		{"pairs just below the threshold outweigh the certain ones: kept",
			map[float64]int{0.999: 100, 0.86: 300, 0.81: 300}, 0.90, 0},
		{"a registry of distinct people (nothing near the top): kept",
			map[float64]int{0.35: 500, 0.55: 200, 0.75: 30}, 0.90, 0},
		{"fewer pairs than a calibration needs: kept",
			map[float64]int{0.999: minDecided - 2, 0.85: 1}, 0.90, 0},
		{"never raised, never below the floor",
			map[float64]int{0.999: 1000, 0.70: 5}, 0.80, 0},
		{"empty", nil, 0.90, 0},
	}
	for _, c := range cases {
		if got := ScoreThreshold(hist(c.at), c.current); got != c.want {
			t.Errorf("%s: got %g, want %g", c.name, got, c.want)
		}
	}
}

func TestCalibrateFromScores(t *testing.T) {
	m := DefaultModel()
	var h Scores
	for range 500 {
		h.Add(0.998, false, false)
	}
	for range 20 {
		h.Add(0.83, false, false)
	}
	c := Calibrate(m, 100_000, &h)
	if c.MatchThreshold != 0.80 || !slices.Contains(c.Reasons, "match.calibration.match_scores") {
		t.Fatalf("no decisions: got %+v, want the match threshold lowered to 0.80 from the scores", c)
	}
	// Decisions, once there are enough, overrule the scores: here they
	// say the band below 0.95 held different people.
	for range 25 {
		h.Add(0.83, true, false)
	}
	for range 25 {
		h.Add(0.999, true, true)
	}
	c = Calibrate(m, 100_000, &h)
	if c.MatchThreshold < DefaultMatchThreshold || slices.Contains(c.Reasons, "match.calibration.match_scores") {
		t.Fatalf("with decisions: got %+v, want the scores ignored and the threshold not lowered", c)
	}
}

func TestModelReportAndFingerprint(t *testing.T) {
	m := DefaultModel()
	fp := m.Fingerprint()
	if len(fp) != 12 {
		t.Fatalf("fingerprint %q", fp)
	}
	m2 := DefaultModel()
	m2.M[FieldAddress][level(FieldAddress, Exact)] = 0.9
	if m2.Fingerprint() == fp {
		t.Fatal("different models share a fingerprint")
	}
	// A model estimated into "an address is proof" is bounded in the report.
	m2.U[FieldAddress][level(FieldAddress, Exact)] = 1e-7
	var addr, nid *LevelReport
	rep := m2.Report()
	for i := range rep {
		r := &rep[i]
		if r.Field == FieldAddress && r.Kind == Exact {
			addr = r
		}
		if r.Field == FieldNationalID && r.Kind == Different {
			nid = r
		}
	}
	if addr == nil || !addr.Bounded || addr.Weight != maxWeight[FieldAddress] {
		t.Fatalf("address exact: %+v, want bounded at %g", addr, maxWeight[FieldAddress])
	}
	if nid == nil || nid.Weight > maxAgainst[FieldNationalID] {
		t.Fatalf("national id different: %+v, want at most %g", nid, maxAgainst[FieldNationalID])
	}
	// Explanations carry the fingerprint of the model that scored them.
	x := NewIndex(IndexOptions{Model: m2})
	_ = x.Add(Record{ID: "a", GivenName: "Rahima", FamilyName: "Begum", DOB: "1990-02-03", NationalID: "1234567890"})
	e, ok := x.Explain(Record{GivenName: "Rahima", FamilyName: "Begum", DOB: "1990-02-03", NationalID: "1234567890"}, "a")
	if !ok || e.Model != m2.Fingerprint() {
		t.Fatalf("explanation model %q, want %q", e.Model, m2.Fingerprint())
	}
}

func TestBoundsHoldAgainstDrift(t *testing.T) {
	// EM that concluded duplicates differ on national ID and birth date
	// (households taken for duplicates) is brought back within bounds.
	m := DefaultModel().M
	m[FieldNationalID] = [maxLevels]float64{0, 0.2, 0.1, 0.7}
	m[FieldDOB] = [maxLevels]float64{0, 0.01, 0.01, 0.01, 0.01, 0.96}
	boundM(&m)
	nidDiff, dobDiff := m[FieldNationalID][level(FieldNationalID, Different)], m[FieldDOB][level(FieldDOB, Different)]
	if nidDiff > maxDifferentM[FieldNationalID] || dobDiff > maxDifferentM[FieldDOB] {
		t.Fatalf("m(different): national id %g, dob %g", nidDiff, dobDiff)
	}
	if m[FieldNationalID][level(FieldNationalID, Exact)] < minAgreeM[FieldNationalID] {
		t.Fatalf("m(exact national id) %g", m[FieldNationalID][level(FieldNationalID, Exact)])
	}
	for _, f := range []Field{FieldNationalID, FieldDOB} {
		var s float64
		for l := 1; l < len(levels[f]); l++ {
			s += m[f][l]
		}
		if s < 0.999 || s > 1.001 {
			t.Fatalf("%s levels sum to %g", f, s)
		}
	}
}

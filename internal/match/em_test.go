package match

import (
	"math"
	"math/rand/v2"
	"testing"
)

// EM must recover the m probabilities and the share of matches from
// comparison vectors drawn from a known model.
func TestEMRecoversParameters(t *testing.T) {
	truth := DefaultModel()
	fields := []Field{FieldGivenName, FieldFamilyName, FieldDOB, FieldFatherName, FieldPostcode}
	truth.M[FieldGivenName] = [maxLevels]float64{0, 0.7, 0.15, 0.08, 0.04, 0.03}
	truth.U[FieldGivenName] = [maxLevels]float64{0, 0.01, 0.01, 0.02, 0.06, 0.90}
	truth.M[FieldFamilyName] = [maxLevels]float64{0, 0.8, 0.1, 0.05, 0.03, 0.02}
	truth.U[FieldFamilyName] = [maxLevels]float64{0, 0.05, 0.02, 0.03, 0.05, 0.85}
	truth.M[FieldDOB] = [maxLevels]float64{0, 0.6, 0.25, 0.03, 0.07, 0.05}
	truth.U[FieldDOB] = [maxLevels]float64{0, 0.001, 0.02, 0.0005, 0.01, 0.9685}
	truth.M[FieldFatherName] = [maxLevels]float64{0, 0.6, 0.3, 0.04, 0.03, 0.03}
	truth.U[FieldFatherName] = [maxLevels]float64{0, 0.005, 0.005, 0.02, 0.07, 0.90}
	truth.M[FieldPostcode] = [maxLevels]float64{0, 0.9, 0.05, 0.05}
	truth.U[FieldPostcode] = [maxLevels]float64{0, 0.01, 0.04, 0.95}
	const lambda = 0.2
	rng := rand.New(rand.NewPCG(1, 2))
	draw := func(p [maxLevels]float64, n int) uint8 {
		x := rng.Float64()
		for l := 1; l < n; l++ {
			if x -= p[l]; x < 0 {
				return uint8(l)
			}
		}
		return uint8(n - 1)
	}
	pats := Patterns{}
	for i := 0; i < 200_000; i++ {
		var v Vector
		isMatch := rng.Float64() < lambda
		for _, f := range fields {
			p := truth.U[f]
			if isMatch {
				p = truth.M[f]
			}
			v[f] = draw(p, len(levels[f]))
		}
		pats.Add(v)
	}
	init := DefaultModel()
	var opt EMOptions
	for f := Field(0); f < NumFields; f++ {
		opt.Ignore[f] = true
	}
	for _, f := range fields {
		opt.Ignore[f] = false
	}
	res := EM(pats, init, opt)
	if math.Abs(res.Lambda-lambda) > 0.01 {
		t.Errorf("lambda = %.4f, want %.4f", res.Lambda, lambda)
	}
	for _, f := range fields {
		for l := 1; l < len(levels[f]); l++ {
			if d := math.Abs(res.M[f][l] - truth.M[f][l]); d > 0.02 {
				t.Errorf("%s %s: m = %.3f, want %.3f", f, levels[f][l], res.M[f][l], truth.M[f][l])
			}
			if d := math.Abs(res.U[f][l] - truth.U[f][l]); d > 0.01 {
				t.Errorf("%s %s: u = %.4f, want %.4f", f, levels[f][l], res.U[f][l], truth.U[f][l])
			}
		}
	}
}

// Term-frequency adjustment: agreeing on a common name counts less than on
// a rare one.
func TestTermFrequency(t *testing.T) {
	p := newPreparer(nil)
	st := NewStats()
	var recs []prepared
	for i := 0; i < 10_000; i++ {
		r := Record{GivenName: "Tahmeed", FamilyName: "Islam"}
		if i > 0 {
			r.GivenName = []string{"Rafiqul", "Jahangir", "Kamal", "Sohel"}[i%4]
		}
		recs = append(recs, p.prepare(&r))
	}
	for i := range recs {
		st.add(&recs[i], 1)
	}
	m := newScorer(DefaultModel())
	common := m.weight(FieldFamilyName, lvExact, &recs[1], &recs[2], st)
	rare := m.weight(FieldGivenName, lvExact, &recs[0], &recs[0], st)
	commonGiven := m.weight(FieldGivenName, lvExact, &recs[1], &recs[5], st)
	if !(rare > commonGiven && commonGiven > common) {
		t.Errorf("weights: rare given %.2f, common given %.2f, universal family %.2f; want decreasing", rare, commonGiven, common)
	}
	if common > 0.5 {
		t.Errorf("a family name everyone has should count for almost nothing, got %.2f", common)
	}
}

func TestHouseholdCorrection(t *testing.T) {
	if c := householdCorrection(math.Inf(-1), 40); c != 0 {
		t.Errorf("no households: correction %v, want 0", c)
	}
	logPi := math.Log2(1e-4)
	if c := householdCorrection(logPi, 1); c < -0.01 {
		t.Errorf("weak household agreement must not be corrected much, got %.3f", c)
	}
	// Strong household agreement counts about as much as "same household".
	if got := 40 + householdCorrection(logPi, 40); math.Abs(got-(-logPi)) > 0.1 {
		t.Errorf("household evidence after correction = %.2f, want ≈ %.2f", got, -logPi)
	}
}

package match

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"math"
)

// Fingerprint names the model's parameters: the first 12 hex digits of the
// SHA-256 of its JSON. Every explanation carries the fingerprint of the
// model that scored it, so a decision can be traced to the weights behind
// it.
func (m *Model) Fingerprint() string {
	b, _ := json.Marshal(m)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:6])
}

// LevelReport is one comparison level of one field in a model report.
type LevelReport struct {
	Field Field `json:"field"`
	Kind  Kind  `json:"level"`
	// M is the share of true duplicates that show this level, U the share
	// of pairs of different people.
	M float64 `json:"m"`
	U float64 `json:"u"`
	// Weight is what the level adds to a pair's score (log2 Bayes factor)
	// before term-frequency adjustment, after the bounds.
	Weight float64 `json:"weight"`
	// Bounded is set when a bound (bounds.go) changed the weight the
	// estimates alone would give.
	Bounded bool `json:"bounded"`
}

// Report lists every field's levels with their probabilities and weights,
// in field order: what the active model believes, for the model report.
func (m *Model) Report() []LevelReport {
	s := newScorer(m)
	var out []LevelReport
	for f := Field(0); f < NumFields; f++ {
		for l := 1; l < len(levels[f]); l++ {
			raw := math.Log2(m.M[f][l] / m.U[f][l])
			out = append(out, LevelReport{Field: f, Kind: levels[f][l], M: m.M[f][l], U: m.U[f][l],
				Weight: s.lw[f][l], Bounded: math.Abs(raw-s.lw[f][l]) > 1e-9})
		}
	}
	return out
}

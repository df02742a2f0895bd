package match

import (
	"fmt"
	"math"

	"homeward/internal/i18n"
)

// FieldExplanation says how one field compared and how much it counted.
type FieldExplanation struct {
	Field  Field   `json:"field"`
	Kind   Kind    `json:"level"`  // what the comparison found
	Weight float64 `json:"weight"` // log2 Bayes factor: positive for a match, negative against
}

// Explanation is a candidate pair's score taken apart: the prior, each
// field's contribution, and the household correction add up to the log2
// odds behind Score.
type Explanation struct {
	Score     float64            `json:"score"`           // match probability
	Decision  Decision           `json:"decision"`        // from the thresholds
	Prior     float64            `json:"prior"`           // log2 prior odds for the registry's size
	Household float64            `json:"household"`       // correction for household fields (≤ 0)
	Fields    []FieldExplanation `json:"fields"`          // compared fields (missing ones left out), in field order
	Model     string             `json:"model,omitempty"` // Fingerprint of the model that scored the pair
}

// DecisionName returns the decision as a word: match, possible or non-match.
func (e *Explanation) DecisionName() string { return e.Decision.String() }

// strengthKey grades a weight in words.
func strengthKey(w float64) string {
	switch {
	case w >= 5:
		return "match.strength.strong"
	case w >= 2:
		return "match.strength.moderate"
	case w > -2:
		return "match.strength.weak"
	case w > -5:
		return "match.strength.against"
	}
	return "match.strength.against_strong"
}

// formatWeight writes a weight with its sign and one decimal, in the
// locale's digits.
func formatWeight(lang string, w float64) string {
	if math.Abs(w) < 0.05 {
		w = 0
	}
	return i18n.Digits(lang, fmt.Sprintf("%+.1f", w))
}

// FieldName returns the translated name of f.
func FieldName(lang string, f Field) string { return i18n.T(lang, "match.field."+f.String(), nil) }

// Sentence returns a case worker's sentence for the field, for example
// "Father's name agrees in another spelling (strong evidence, +6.2)".
func (fe FieldExplanation) Sentence(lang string) string {
	return i18n.T(lang, "match.explain.sentence", map[string]any{
		"what": fe.What(lang), "strength": fe.Strength(lang), "weight": formatWeight(lang, fe.Weight),
	})
}

// What says what the comparison found, for example "Father's name agrees
// in another spelling".
func (fe FieldExplanation) What(lang string) string {
	return i18n.T(lang, "match.level."+fe.Kind.String(), map[string]any{"field": FieldName(lang, fe.Field)})
}

// Strength grades the weight in words ("strong evidence against").
func (fe FieldExplanation) Strength(lang string) string {
	return i18n.T(lang, strengthKey(fe.Weight), nil)
}

// Sentences returns the whole explanation in lang: a summary line, one
// line per compared field, strongest first as they stand in field order,
// then the household correction when it applied.
func (e *Explanation) Sentences(lang string) []string {
	decision := map[Decision]string{Match: "match.decision.match", Possible: "match.decision.possible", NonMatch: "match.decision.non_match"}[e.Decision]
	out := []string{i18n.T(lang, "match.explain.summary", map[string]any{
		"score":    i18n.Digits(lang, fmt.Sprintf("%.0f%%", 100*e.Score)),
		"decision": i18n.T(lang, decision, nil),
	})}
	for _, f := range e.Fields {
		out = append(out, f.Sentence(lang))
	}
	if e.Household < -0.05 {
		out = append(out, i18n.T(lang, "match.explain.household", map[string]any{"weight": formatWeight(lang, e.Household)}))
	}
	out = append(out, i18n.T(lang, "match.explain.prior", map[string]any{"weight": formatWeight(lang, e.Prior)}))
	return out
}

// explain builds the explanation of a scored pair.
func (m *scorer) explain(v Vector, ws [NumFields]float64, prior, household float64) *Explanation {
	e := &Explanation{Prior: prior, Household: household, Model: m.fp}
	total := prior + household
	for f := Field(0); f < NumFields; f++ {
		if v[f] == 0 {
			continue
		}
		e.Fields = append(e.Fields, FieldExplanation{Field: f, Kind: levels[f][v[f]], Weight: ws[f]})
		total += ws[f]
	}
	e.Score = probability(total)
	e.Decision = m.decide(e.Score)
	return e
}

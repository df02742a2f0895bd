package dedupe

import (
	"encoding/json"
	"fmt"

	"homeward/internal/match"
)

// Names of the matcher's fields, levels and decisions, for reading stored
// explanations back (the matcher writes them as words).
var (
	fieldByName = map[string]match.Field{}
	kindByName  = map[string]match.Kind{}
	decisions   = map[string]match.Decision{}
)

func init() {
	for f := match.Field(0); f < match.NumFields; f++ {
		fieldByName[f.String()] = f
		for _, k := range match.Levels(f) {
			kindByName[k.String()] = k
		}
	}
	for _, d := range []match.Decision{match.NonMatch, match.Possible, match.Match} {
		decisions[d.String()] = d
	}
}

// DecodeExplanation reads an explanation stored as the matcher marshals it.
func DecodeExplanation(b []byte) (*match.Explanation, error) {
	var raw struct {
		Score     float64 `json:"score"`
		Decision  string  `json:"decision"`
		Prior     float64 `json:"prior"`
		Household float64 `json:"household"`
		Model     string  `json:"model"`
		Fields    []struct {
			Field  string  `json:"field"`
			Level  string  `json:"level"`
			Weight float64 `json:"weight"`
		} `json:"fields"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	e := &match.Explanation{Score: raw.Score, Decision: decisions[raw.Decision], Prior: raw.Prior, Household: raw.Household, Model: raw.Model}
	for _, f := range raw.Fields {
		field, ok1 := fieldByName[f.Field]
		kind, ok2 := kindByName[f.Level]
		if !ok1 || !ok2 {
			return nil, fmt.Errorf("dedupe: unknown field or level %q/%q in a stored explanation", f.Field, f.Level)
		}
		e.Fields = append(e.Fields, match.FieldExplanation{Field: field, Kind: kind, Weight: f.Weight})
	}
	return e, nil
}

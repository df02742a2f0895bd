package scoring

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"

	"homeward"
)

// Result is the outcome of scoring one set of answers. A nil score means
// there is no score: too little of the dimension was answered (coverage
// below the scheme's min_coverage), or, for the composite, some dimension
// has no score. Results keep the scheme id and version they were computed
// with.
type Result struct {
	SchemeID      string              `json:"scheme_id"`
	SchemeVersion string              `json:"scheme_version"`
	Dimensions    map[string]*float64 `json:"dimensions"`
	Composite     *float64            `json:"composite"`
	Coverage      map[string]float64  `json:"coverage"`
	// Indicators holds each answered indicator's score (unanswered ones are
	// absent), for explaining a result.
	Indicators map[string]float64 `json:"indicators,omitempty"`
}

// coverageEpsilon absorbs floating-point error when comparing coverage with
// min_coverage (7 of 10 equal weights must count as 0.7).
const coverageEpsilon = 1e-9

// Score computes dimension scores, the composite and coverage from answers
// keyed by indicator id. Keys that are not indicators are ignored, so a whole
// form submission can be passed. Answers:
//
//   - scores indicator: the chosen choice name (a number is looked up by its
//     decimal text, for numerically coded choices); a list of choices
//     (select_multiple) scores the mean of the chosen choices' scores;
//     choices scored null count as unanswered.
//   - bands indicator: a number, scored by the first band whose upto is at
//     least the number (null = no upper bound).
//   - nil, "" or an empty list: unanswered.
//
// An indicator's weight counts towards its dimension only when answered; a
// dimension's score is the weighted mean of its answered indicators and its
// coverage the answered share of its indicator weight; below min_coverage it
// has no score. The composite is the weighted mean of the dimension scores,
// and has no score if any dimension has none.
//
// Answers of the wrong type or outside the choices are errors (EINVALID, one
// field per indicator id); an invalid scheme is an error too, so no score is
// ever computed from a half-valid scheme.
func (s *Scheme) Score(answers map[string]any) (*Result, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	res := &Result{SchemeID: s.ID, SchemeVersion: s.Version, Dimensions: map[string]*float64{},
		Coverage: map[string]float64{}, Indicators: map[string]float64{}}
	var v homeward.Validation
	for _, d := range s.Dimensions {
		total, answered, sum := 0.0, 0.0, 0.0
		for _, in := range d.Indicators {
			total += in.Weight
			sc, ok, err := in.score(answers[in.ID])
			if err != nil {
				v.Merge("", err)
				continue
			}
			if !ok {
				continue
			}
			res.Indicators[in.ID] = sc
			answered += in.Weight
			sum += in.Weight * sc
		}
		cov := 0.0
		if total > 0 {
			cov = answered / total
		}
		res.Coverage[d.ID] = cov
		if answered > 0 && cov+coverageEpsilon >= s.MinCoverage {
			x := clamp01(sum / answered)
			res.Dimensions[d.ID] = &x
		} else {
			res.Dimensions[d.ID] = nil
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	wsum, sum := 0.0, 0.0
	for _, d := range s.Dimensions {
		x := res.Dimensions[d.ID]
		if x == nil {
			return res, nil
		}
		wsum += d.Weight
		sum += d.Weight * *x
	}
	if wsum > 0 {
		c := clamp01(sum / wsum)
		res.Composite = &c
	}
	return res, nil
}

func clamp01(x float64) float64 { return math.Min(1, math.Max(0, x)) }

// score returns the indicator's score for one answer; ok is false when the
// answer counts as unanswered.
func (in Indicator) score(raw any) (score float64, ok bool, err error) {
	if isEmpty(raw) {
		return 0, false, nil
	}
	if len(in.Bands) > 0 {
		x, isNum := toNumber(raw)
		if !isNum {
			return 0, false, homeward.FieldErrorf(in.ID, "assessment.score.not_a_number", "%s: the answer should be a number, not %s.", in.ID, describe(raw))
		}
		for _, b := range in.Bands {
			if b.Upto == nil || x <= *b.Upto {
				return b.Score, true, nil
			}
		}
		e := homeward.FieldErrorf(in.ID, "assessment.score.no_band", "%s: %v is above the last band.", in.ID, x)
		e.Args = map[string]any{"id": in.ID, "value": x}
		return 0, false, e
	}
	var choices []string
	switch r := raw.(type) {
	case []string:
		choices = r
	case []any:
		for _, c := range r {
			s, ok := choiceName(c)
			if !ok {
				return 0, false, homeward.FieldErrorf(in.ID, "assessment.score.not_a_choice", "%s: the answer should be a choice, not %s.", in.ID, describe(c))
			}
			choices = append(choices, s)
		}
	default:
		s, ok := choiceName(raw)
		if !ok {
			return 0, false, homeward.FieldErrorf(in.ID, "assessment.score.not_a_choice", "%s: the answer should be a choice, not %s.", in.ID, describe(raw))
		}
		choices = []string{s}
	}
	sum, n := 0.0, 0
	for _, c := range choices {
		sc, known := in.Scores[c]
		if !known {
			e := homeward.FieldErrorf(in.ID, "assessment.score.unknown_choice", "%s: %q is not one of the scored choices.", in.ID, c)
			e.Args = map[string]any{"id": in.ID, "value": c}
			return 0, false, e
		}
		if sc != nil {
			sum += *sc
			n++
		}
	}
	if n == 0 {
		return 0, false, nil
	}
	return sum / float64(n), true, nil
}

func choiceName(x any) (string, bool) {
	switch c := x.(type) {
	case string:
		return strings.TrimSpace(c), true
	case json.Number:
		return c.String(), true
	case float64:
		if math.IsNaN(c) || math.IsInf(c, 0) {
			return "", false
		}
		return strconv.FormatFloat(c, 'f', -1, 64), true
	case int:
		return strconv.Itoa(c), true
	case int64:
		return strconv.FormatInt(c, 10), true
	}
	return "", false
}

func toNumber(x any) (float64, bool) {
	var f float64
	switch n := x.(type) {
	case float64:
		f = n
	case int:
		f = float64(n)
	case int64:
		f = float64(n)
	case json.Number:
		v, err := n.Float64()
		if err != nil {
			return 0, false
		}
		f = v
	default:
		return 0, false
	}
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}

func isEmpty(x any) bool {
	switch r := x.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(r) == ""
	case []any:
		return len(r) == 0
	case []string:
		return len(r) == 0
	}
	return false
}

func describe(x any) string {
	switch r := x.(type) {
	case string:
		return fmt.Sprintf("the text %q", r)
	case bool:
		return fmt.Sprintf("%v", r)
	case map[string]any:
		return "an object"
	case []any, []string:
		return "a list"
	}
	return fmt.Sprintf("%v", x)
}

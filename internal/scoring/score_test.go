package scoring

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

func f64(p *float64) string {
	if p == nil {
		return "null"
	}
	return strconv.FormatFloat(round(*p, 6), 'f', -1, 64)
}

func TestScoreIssueExample(t *testing.T) {
	s := mustParse(t, issueExample)
	tests := []struct {
		name      string
		answers   map[string]any
		economic  string
		composite string
		coverage  float64
	}{
		{"both answered", map[string]any{"food_security": "sometimes", "debt_ratio": 0.5}, "0.5", "0.5", 1},
		{"weights", map[string]any{"food_security": "never", "debt_ratio": 3}, "0.333333", "0.333333", 1},
		{"band edge is inclusive", map[string]any{"food_security": "never", "debt_ratio": 0}, "1", "1", 1},
		{"json numbers", map[string]any{"food_security": "often", "debt_ratio": json.Number("1")}, "0.333333", "0.333333", 1},
		{"coverage 2/3 below 0.7", map[string]any{"debt_ratio": 0}, "null", "null", 2.0 / 3},
		{"coverage 1/3", map[string]any{"food_security": "never"}, "null", "null", 1.0 / 3},
		{"nothing answered", map[string]any{"other": "x"}, "null", "null", 0},
		{"empty answers are unanswered", map[string]any{"food_security": "", "debt_ratio": nil}, "null", "null", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Score(tt.answers)
			if err != nil {
				t.Fatal(err)
			}
			if got := f64(res.Dimensions["economic"]); got != tt.economic {
				t.Errorf("economic = %s, want %s", got, tt.economic)
			}
			if got := f64(res.Composite); got != tt.composite {
				t.Errorf("composite = %s, want %s", got, tt.composite)
			}
			if math.Abs(res.Coverage["economic"]-tt.coverage) > 1e-12 {
				t.Errorf("coverage = %v, want %v", res.Coverage["economic"], tt.coverage)
			}
			if res.SchemeID != "rss" || res.SchemeVersion != "2026.1" {
				t.Errorf("result does not keep the scheme: %s %s", res.SchemeID, res.SchemeVersion)
			}
		})
	}
}

func TestScoreRules(t *testing.T) {
	s := mustParse(t, `{"id": "t", "version": "1", "min_coverage": 0.7, "dimensions": [
	  {"id": "a", "weight": 1, "indicators": [
	    {"id": "a1", "weight": 1, "scores": {"x": 1, "y": 0, "na": null}},
	    {"id": "a2", "weight": 1, "scores": {"1": 0, "2": 0.5, "3": 1}},
	    {"id": "a3", "weight": 1, "scores": {"p": 1, "q": 0.5, "r": 0, "none": null}}]},
	  {"id": "b", "weight": 3, "indicators": [{"id": "b1", "weight": 1, "bands": [{"upto": 10, "score": 1}, {"upto": 20, "score": 0}]}]}]}`)
	tests := []struct {
		name       string
		answers    map[string]any
		a, b, comp string
	}{
		{"all answered", map[string]any{"a1": "x", "a2": 3, "a3": "p", "b1": 5}, "1", "1", "1"},
		{"numeric choice codes", map[string]any{"a1": "y", "a2": 2.0, "a3": "r", "b1": 15}, "0.166667", "0", "0.041667"},
		{"select_multiple is the mean of chosen", map[string]any{"a1": "x", "a2": "3", "a3": []any{"p", "r"}, "b1": 5}, "0.833333", "1", "0.958333"},
		{"null-scored choice is unanswered", map[string]any{"a1": "na", "a2": "3", "a3": "p", "b1": 5}, "null", "1", "null"},
		{"null inside select_multiple is skipped", map[string]any{"a1": "x", "a2": "1", "a3": []string{"none", "q"}, "b1": 5}, "0.5", "1", "0.875"},
		{"only null chosen", map[string]any{"a1": "x", "a2": "1", "a3": []string{"none"}, "b1": 5}, "null", "1", "null"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := s.Score(tt.answers)
			if err != nil {
				t.Fatal(err)
			}
			if got := f64(res.Dimensions["a"]); got != tt.a {
				t.Errorf("a = %s, want %s", got, tt.a)
			}
			if got := f64(res.Dimensions["b"]); got != tt.b {
				t.Errorf("b = %s, want %s", got, tt.b)
			}
			if got := f64(res.Composite); got != tt.comp {
				t.Errorf("composite = %s, want %s", got, tt.comp)
			}
		})
	}
}

// Answers of the wrong type or outside the choices are rejected, naming the
// indicator.
func TestScoreRejectsBadAnswers(t *testing.T) {
	s := mustParse(t, issueExample)
	tests := []struct {
		answers map[string]any
		field   string
		key     string
	}{
		{map[string]any{"food_security": "always"}, "food_security", "assessment.score.unknown_choice"},
		{map[string]any{"food_security": []any{"never", "daily"}}, "food_security", "assessment.score.unknown_choice"},
		{map[string]any{"food_security": true}, "food_security", "assessment.score.not_a_choice"},
		{map[string]any{"food_security": map[string]any{"x": 1}}, "food_security", "assessment.score.not_a_choice"},
		{map[string]any{"debt_ratio": "high"}, "debt_ratio", "assessment.score.not_a_number"},
		{map[string]any{"debt_ratio": []any{1.0}}, "debt_ratio", "assessment.score.not_a_number"},
		{map[string]any{"debt_ratio": math.NaN()}, "debt_ratio", "assessment.score.not_a_number"},
	}
	for _, tt := range tests {
		res, err := s.Score(tt.answers)
		if res != nil {
			t.Errorf("%v: got a result with an error", tt.answers)
		}
		if got := fieldKeys(t, err); got[tt.field] != tt.key {
			t.Errorf("%v: errors %v, want %s at %s", tt.answers, got, tt.key, tt.field)
		}
	}
	open := mustParse(t, strings.Replace(issueExample, `{"upto": null, "score": 0}`, `{"upto": 5, "score": 0}`, 1))
	if _, err := open.Score(map[string]any{"debt_ratio": 6}); fieldKeys(t, err)["debt_ratio"] != "assessment.score.no_band" {
		t.Errorf("above the last band: %v", err)
	}
}

// A scheme changed into an invalid one after parsing is never used.
func TestScoreRefusesInvalidScheme(t *testing.T) {
	s := mustParse(t, issueExample)
	s.Dimensions[0].Indicators[0].Weight = -1
	if res, err := s.Score(map[string]any{"food_security": "never"}); res != nil || err == nil {
		t.Error("scored with an invalid scheme")
	}
}

func TestScoreDefaultSchemeOnBuiltinSurvey(t *testing.T) {
	res, err := Default().Score(map[string]any{
		"income_source": "casual_work", "food_security": "sometimes", "debt_months": int64(4), "productive_assets": "some",
		"work_access": "difficult", "economic_satisfaction": "dissatisfied", "housing": "adequate", "access_health": "yes",
		"access_documentation": "all", "access_justice": "difficult", "access_water": "always", "support_network": "one",
		"community_participation": "sometimes", "safety_belonging": "yes", "distress": "always", "discrimination": "never",
		"migrate_again": "no", "round": "m3", "interview_date": "2026-03-31"})
	if err != nil {
		t.Fatal(err)
	}
	// economic: (.5+.5+.33+.5+.5+.25)/6; social: 5 of 6 answered (no children), (1+1+1+.5+1)/5
	if got := f64(res.Dimensions["economic"]); got != "0.43" {
		t.Errorf("economic %s", got)
	}
	if got := f64(res.Dimensions["social"]); got != "0.9" || math.Abs(res.Coverage["social"]-5.0/6) > 1e-12 {
		t.Errorf("social %s coverage %v", got, res.Coverage["social"])
	}
	if res.Composite == nil {
		t.Error("no composite")
	}
}

// FuzzScore checks that arbitrary scheme files either fail to parse or
// score random answers into [0, 1] with coverage in [0, 1], never panicking.
func FuzzScore(f *testing.F) {
	f.Add(issueExample, "sometimes", 0.5)
	f.Add(`{"id":"a","version":"1","dimensions":[{"id":"d","weight":0,"indicators":[{"id":"food_security","weight":1,"scores":{"x":null}}]}]}`, "x", 1.0)
	f.Add(`{"id":"a","version":"1","min_coverage":0,"dimensions":[{"id":"d","weight":1,"indicators":[{"id":"debt_ratio","weight":1e308,"bands":[{"upto":-1e308,"score":1},{"upto":null,"score":0}]},{"id":"food_security","weight":1e308,"scores":{"a":1}}]}]}`, "a", -5.0)
	f.Fuzz(func(t *testing.T, src, choice string, num float64) {
		s, err := ParseScheme(strings.NewReader(src))
		if err != nil {
			if s != nil {
				t.Fatal("scheme returned with error")
			}
			return
		}
		r := rand.New(rand.NewPCG(uint64(len(src)), uint64(num)))
		answers := map[string]any{}
		for _, d := range s.Dimensions {
			for _, in := range d.Indicators {
				switch r.IntN(3) {
				case 0:
					answers[in.ID] = num
				case 1:
					answers[in.ID] = choice
				}
			}
		}
		res, err := s.Score(answers)
		if err != nil {
			return
		}
		check := func(what string, x *float64) {
			if x != nil && !(*x >= 0 && *x <= 1) {
				t.Fatalf("%s = %v outside [0, 1]", what, *x)
			}
		}
		check("composite", res.Composite)
		for id, x := range res.Dimensions {
			check(id, x)
			if c := res.Coverage[id]; !(c >= 0 && c <= 1+1e-9) {
				t.Fatalf("coverage %s = %v", id, c)
			}
		}
	})
}

package scoring

import (
	"errors"
	"reflect"
	"sort"
	"strings"
	"testing"

	"homeward"
	"homeward/internal/form"
)

// issueExample is the scheme from the issue text.
const issueExample = `{"id": "rss", "version": "2026.1", "min_coverage": 0.7,
 "dimensions": [{"id": "economic", "weight": 1,
   "indicators": [{"id": "food_security", "weight": 1, "scores": {"never": 1, "sometimes": 0.5, "often": 0}},
                  {"id": "debt_ratio", "weight": 2, "bands": [{"upto": 0, "score": 1}, {"upto": 1, "score": 0.5}, {"upto": null, "score": 0}]}]}]}`

func mustParse(t *testing.T, src string) *Scheme {
	t.Helper()
	s, err := ParseScheme(strings.NewReader(src))
	if err != nil {
		t.Fatalf("ParseScheme: %v", err)
	}
	return s
}

func fieldKeys(t *testing.T, err error) map[string]string {
	t.Helper()
	var e *homeward.Error
	if !errors.As(err, &e) || e.Code != homeward.EINVALID {
		t.Fatalf("error %v is not EINVALID *homeward.Error", err)
	}
	out := map[string]string{}
	if len(e.Fields) == 0 {
		out[e.Field] = e.Key
	}
	for _, f := range e.Fields {
		out[f.Field] = f.Key
	}
	return out
}

func TestParseSchemeIssueExample(t *testing.T) {
	s := mustParse(t, issueExample)
	if s.ID != "rss" || s.MinCoverage != 0.7 || len(s.Dimensions[0].Indicators) != 2 || s.Dimensions[0].Indicators[1].Bands[2].Upto != nil {
		t.Errorf("parsed %+v", s)
	}
	back := mustParse(t, string(s.MarshalIndent()))
	if !reflect.DeepEqual(s, back) {
		t.Error("MarshalIndent does not round-trip")
	}
}

// Each bad scheme is rejected with the JSON path of the problem.
func TestParseSchemeRejects(t *testing.T) {
	ind := func(s string) string {
		return `{"id": "x", "version": "1", "min_coverage": 0.5, "dimensions": [{"id": "d", "weight": 1, "indicators": [` + s + `]}]}`
	}
	tests := []struct {
		name, src, field, key string
	}{
		{"negative indicator weight", ind(`{"id": "a", "weight": -1, "scores": {"y": 1}}`), "dimensions[0].indicators[0].weight", "assessment.scheme.negative_weight"},
		{"negative dimension weight", `{"id": "x", "version": "1", "dimensions": [{"id": "d", "weight": -0.5, "indicators": [{"id": "a", "weight": 1, "scores": {"y": 1}}]}]}`, "dimensions[0].weight", "assessment.scheme.negative_weight"},
		{"score above 1", ind(`{"id": "a", "weight": 1, "scores": {"y": 1.5, "n": 0}}`), "dimensions[0].indicators[0].scores.y", "assessment.scheme.score_range"},
		{"score below 0", ind(`{"id": "a", "weight": 1, "scores": {"y": -0.1}}`), "dimensions[0].indicators[0].scores.y", "assessment.scheme.score_range"},
		{"band score outside", ind(`{"id": "a", "weight": 1, "bands": [{"upto": 1, "score": 2}, {"upto": null, "score": 0}]}`), "dimensions[0].indicators[0].bands[0].score", "assessment.scheme.score_range"},
		{"bands not increasing", ind(`{"id": "a", "weight": 1, "bands": [{"upto": 5, "score": 1}, {"upto": 5, "score": 0.5}, {"upto": null, "score": 0}]}`), "dimensions[0].indicators[0].bands[1].upto", "assessment.scheme.bands_not_increasing"},
		{"bands decreasing", ind(`{"id": "a", "weight": 1, "bands": [{"upto": 5, "score": 1}, {"upto": 2, "score": 0.5}]}`), "dimensions[0].indicators[0].bands[1].upto", "assessment.scheme.bands_not_increasing"},
		{"open band not last", ind(`{"id": "a", "weight": 1, "bands": [{"upto": null, "score": 1}, {"upto": 2, "score": 0.5}]}`), "dimensions[0].indicators[0].bands[0].upto", "assessment.scheme.open_band_not_last"},
		{"band without upto", ind(`{"id": "a", "weight": 1, "bands": [{"score": 1}]}`), "dimensions[0].indicators[0].bands[0].upto", "assessment.scheme.missing_field"},
		{"scores and bands", ind(`{"id": "a", "weight": 1, "scores": {"y": 1}, "bands": [{"upto": null, "score": 1}]}`), "dimensions[0].indicators[0]", "assessment.scheme.scores_and_bands"},
		{"neither", ind(`{"id": "a", "weight": 1}`), "dimensions[0].indicators[0]", "assessment.scheme.no_scores"},
		{"duplicate indicator", ind(`{"id": "a", "weight": 1, "scores": {"y": 1}}, {"id": "a", "weight": 1, "scores": {"y": 1}}`), "dimensions[0].indicators[1].id", "assessment.scheme.duplicate_id"},
		{"duplicate dimension", `{"id": "x", "version": "1", "dimensions": [{"id": "d", "weight": 1, "indicators": [{"id": "a", "weight": 1, "scores": {"y": 1}}]}, {"id": "d", "weight": 1, "indicators": [{"id": "b", "weight": 1, "scores": {"y": 1}}]}]}`, "dimensions[1].id", "assessment.scheme.duplicate_id"},
		{"unknown field", ind(`{"id": "a", "weight": 1, "scores": {"y": 1}, "label": "A"}`), "dimensions[0].indicators[0].label", "assessment.scheme.unknown_field"},
		{"unknown top-level field", `{"id": "x", "version": "1", "min_coverage": 0.7, "dimenzions": []}`, "dimenzions", "assessment.scheme.unknown_field"},
		{"duplicate key", `{"id": "x", "id": "y"}`, "id", "assessment.scheme.duplicate_key"},
		{"weight as string", ind(`{"id": "a", "weight": "1", "scores": {"y": 1}}`), "dimensions[0].indicators[0].weight", "assessment.scheme.wrong_type"},
		{"score as string", ind(`{"id": "a", "weight": 1, "scores": {"y": "high"}}`), "dimensions[0].indicators[0].scores.y", "assessment.scheme.wrong_type"},
		{"min_coverage above 1", `{"id": "x", "version": "1", "min_coverage": 1.5, "dimensions": [{"id": "d", "weight": 1, "indicators": [{"id": "a", "weight": 1, "scores": {"y": 1}}]}]}`, "min_coverage", "assessment.scheme.out_of_range"},
		{"no version", `{"id": "x", "dimensions": [{"id": "d", "weight": 1, "indicators": [{"id": "a", "weight": 1, "scores": {"y": 1}}]}]}`, "version", "assessment.scheme.required"},
		{"all weights zero", ind(`{"id": "a", "weight": 0, "scores": {"y": 1}}`), "dimensions[0].indicators", "assessment.scheme.zero_weights"},
		{"no dimensions", `{"id": "x", "version": "1", "dimensions": []}`, "dimensions", "assessment.scheme.empty"},
		{"not json", `{"id": `, "", "assessment.scheme.malformed"},
		{"trailing data", `{"id": "x"} {}`, "", "assessment.scheme.malformed"},
		{"not an object", `[1]`, "", "assessment.scheme.wrong_type"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := ParseScheme(strings.NewReader(tt.src))
			if s != nil {
				t.Fatal("a scheme came back with an error")
			}
			got := fieldKeys(t, err)
			if got[tt.field] != tt.key {
				t.Errorf("errors %v, want %s at %q", got, tt.key, tt.field)
			}
		})
	}
}

func TestDefaultScheme(t *testing.T) {
	s := Default()
	if s.ID != "rss" || !strings.Contains(strings.ToLower(s.Description), "provisional") {
		t.Errorf("default scheme %s: %q", s.ID, s.Description)
	}
	n := 0
	for _, d := range s.Dimensions {
		if d.Weight != 1 {
			t.Errorf("%s weight %v", d.ID, d.Weight)
		}
		for _, in := range d.Indicators {
			n++
			if in.Weight != 1 {
				t.Errorf("%s weight %v", in.ID, in.Weight)
			}
		}
	}
	if n < 15 {
		t.Errorf("%d indicators, want about fifteen or more", n)
	}
	var ids []string
	for _, d := range s.Dimensions {
		ids = append(ids, d.ID)
	}
	if !reflect.DeepEqual(ids, []string{"economic", "social", "psychosocial"}) {
		t.Errorf("dimensions %v", ids)
	}
	if err := s.CheckForm(form.Builtin(form.SustainabilitySurvey)); err != nil {
		t.Errorf("default scheme does not fit the built-in survey: %v", err)
	}
}

func TestCheckForm(t *testing.T) {
	f := form.Builtin(form.SustainabilitySurvey)
	s := Default()
	s.Dimensions[0].Indicators[0].ID = "income_sauce"                   // unknown indicator
	s.Dimensions[0].Indicators[1].Scores["rarely"] = ptr(0.7)           // unknown choice
	delete(s.Dimensions[0].Indicators[3].Scores, "some")                // choice without score
	s.Dimensions[1].Indicators[0].Scores = nil                          // housing: bands on a select
	s.Dimensions[1].Indicators[0].Bands = []Band{{Upto: nil, Score: 1}} //
	err := s.CheckForm(f)
	got := fieldKeys(t, err)
	want := map[string]string{
		"dimensions[0].indicators[0].id":            "assessment.scheme.unknown_indicator",
		"dimensions[0].indicators[1].scores.rarely": "assessment.scheme.unknown_choice",
		"dimensions[0].indicators[3].scores":        "assessment.scheme.choice_without_score",
		"dimensions[1].indicators[0].bands":         "assessment.scheme.bands_need_number",
	}
	if !reflect.DeepEqual(got, want) {
		keys := make([]string, 0, len(got))
		for k := range got {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Errorf("got %v, want %v", got, want)
	}
}

func ptr(f float64) *float64 { return &f }

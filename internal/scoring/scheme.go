// Package scoring computes reintegration sustainability scores from survey
// answers with versioned, editable scoring schemes (JSON files an M&E officer
// can change), calibrates indicator weights from collected answers by
// principal component analysis, draws scores over time as an SVG chart and
// works out follow-up due dates. It is pure logic: no storage, no HTTP.
// README.md in this directory documents the scheme format and the commands.
package scoring

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"homeward"
	"homeward/internal/form"
)

// Scheme is one version of a scoring scheme. Build one with ParseScheme (or
// call Validate on one built in code): a Scheme that has not validated is
// never used to score.
type Scheme struct {
	ID          string      `json:"id"`
	Version     string      `json:"version"`
	Description string      `json:"description,omitempty"`
	MinCoverage float64     `json:"min_coverage"`
	Dimensions  []Dimension `json:"dimensions"`
}

// Dimension groups indicators (economic, social, psychosocial).
type Dimension struct {
	ID         string      `json:"id"`
	Weight     float64     `json:"weight"`
	Indicators []Indicator `json:"indicators"`
}

// Indicator scores one answer: a choice through Scores, or a number through
// Bands. Exactly one of the two is set. A nil entry in Scores marks a choice
// that counts as unanswered ("don't know", "not applicable").
type Indicator struct {
	ID     string              `json:"id"`
	Weight float64             `json:"weight"`
	Scores map[string]*float64 `json:"scores,omitempty"`
	Bands  []Band              `json:"bands,omitempty"`
}

// Band maps numbers up to and including Upto to Score; a nil Upto has no upper
// bound and may only be the last band.
type Band struct {
	Upto  *float64 `json:"upto"`
	Score float64  `json:"score"`
}

//go:embed rss.json
var defaultScheme []byte

// Default returns the shipped reintegration sustainability scheme "rss"
// (equal, provisional weights), freshly parsed so that callers may modify it.
func Default() *Scheme {
	s, err := ParseScheme(bytes.NewReader(defaultScheme))
	if err != nil {
		panic("scoring: embedded rss.json: " + err.Error()) // ruled out by tests
	}
	return s
}

// DefaultJSON returns the shipped scheme file, as a template to edit.
func DefaultJSON() []byte { return append([]byte(nil), defaultScheme...) }

// MaxSchemeSize bounds a scheme file.
const MaxSchemeSize = 1 << 20

// ParseScheme reads and validates a scheme. Unknown fields, duplicate keys,
// wrong JSON types and every rule of Validate are reported together, each
// with the JSON path at fault ("dimensions[0].indicators[2].bands[1].upto")
// as an EINVALID *homeward.Error; the scheme is then nil.
func ParseScheme(r io.Reader) (*Scheme, error) {
	tree, err := decodeStrict(io.LimitReader(r, MaxSchemeSize))
	if err != nil {
		return nil, err
	}
	var v homeward.Validation
	s := buildScheme(tree, &v)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// MarshalIndent renders s as a scheme file.
func (s *Scheme) MarshalIndent() []byte {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err) // a Scheme always marshals
	}
	return append(b, '\n')
}

// Validate checks every rule of the format: ids present and unique (indicator
// ids across the whole scheme, since answers are keyed by them), weights
// finite and not negative with a positive total at each level, min_coverage
// in [0, 1], each indicator with scores or bands but not both, scores in
// [0, 1], bands with strictly increasing upto and only the last one open.
func (s *Scheme) Validate() error {
	var v homeward.Validation
	if strings.TrimSpace(s.ID) == "" {
		v.Add("id", "assessment.scheme.required", "id is required.")
	}
	if strings.TrimSpace(s.Version) == "" {
		v.Add("version", "assessment.scheme.required", "version is required.")
	}
	if !(s.MinCoverage >= 0 && s.MinCoverage <= 1) {
		v.AddArgs("min_coverage", "assessment.scheme.out_of_range", map[string]any{"value": s.MinCoverage}, "min_coverage must be between 0 and 1, not %v.", s.MinCoverage)
	}
	if len(s.Dimensions) == 0 {
		v.Add("dimensions", "assessment.scheme.empty", "The scheme needs at least one dimension.")
	}
	dims := map[string]bool{}
	inds := map[string]string{}
	total := 0.0
	for i, d := range s.Dimensions {
		p := fmt.Sprintf("dimensions[%d]", i)
		checkID(&v, p+".id", d.ID, dims)
		total += checkWeight(&v, p+".weight", d.Weight)
		if len(d.Indicators) == 0 {
			v.Add(p+".indicators", "assessment.scheme.empty", "A dimension needs at least one indicator.")
		}
		sum := 0.0
		for j, in := range d.Indicators {
			ip := fmt.Sprintf("%s.indicators[%d]", p, j)
			if in.ID != "" {
				if prev, dup := inds[in.ID]; dup {
					v.AddArgs(ip+".id", "assessment.scheme.duplicate_id", map[string]any{"id": in.ID}, "The indicator id %q is already used at %s.", in.ID, prev)
				}
				inds[in.ID] = ip
			}
			checkID(&v, ip+".id", in.ID, nil)
			sum += checkWeight(&v, ip+".weight", in.Weight)
			checkIndicator(&v, ip, in)
		}
		if len(d.Indicators) > 0 && sum <= 0 {
			v.Add(p+".indicators", "assessment.scheme.zero_weights", "The indicator weights of a dimension must not all be zero.")
		}
	}
	if len(s.Dimensions) > 0 && total <= 0 {
		v.Add("dimensions", "assessment.scheme.zero_weights", "The dimension weights must not all be zero.")
	}
	return v.Err()
}

func checkID(v *homeward.Validation, path, id string, seen map[string]bool) {
	switch {
	case strings.TrimSpace(id) == "":
		v.Add(path, "assessment.scheme.required", "id is required.")
	case seen != nil && seen[id]:
		v.AddArgs(path, "assessment.scheme.duplicate_id", map[string]any{"id": id}, "The id %q is used twice.", id)
	}
	if seen != nil {
		seen[id] = true
	}
}

func checkWeight(v *homeward.Validation, path string, w float64) float64 {
	if math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
		v.AddArgs(path, "assessment.scheme.negative_weight", map[string]any{"value": w}, "A weight must be zero or more, not %v.", w)
		return 0
	}
	return w
}

func checkIndicator(v *homeward.Validation, p string, in Indicator) {
	switch {
	case len(in.Scores) > 0 && len(in.Bands) > 0:
		v.Add(p, "assessment.scheme.scores_and_bands", "An indicator has either scores or bands, not both.")
		return
	case len(in.Scores) == 0 && len(in.Bands) == 0:
		v.Add(p, "assessment.scheme.no_scores", "An indicator needs scores (for choices) or bands (for numbers).")
		return
	}
	for _, k := range sortedKeys(in.Scores) {
		if sc := in.Scores[k]; sc != nil && !(*sc >= 0 && *sc <= 1) {
			v.AddArgs(p+".scores."+k, "assessment.scheme.score_range", map[string]any{"value": *sc}, "A score must be between 0 and 1, not %v.", *sc)
		}
		if strings.TrimSpace(k) == "" {
			v.Add(p+".scores", "assessment.scheme.required", "A choice name in scores is empty.")
		}
	}
	for k, b := range in.Bands {
		bp := fmt.Sprintf("%s.bands[%d]", p, k)
		if !(b.Score >= 0 && b.Score <= 1) {
			v.AddArgs(bp+".score", "assessment.scheme.score_range", map[string]any{"value": b.Score}, "A score must be between 0 and 1, not %v.", b.Score)
		}
		if b.Upto == nil {
			if k != len(in.Bands)-1 {
				v.Add(bp+".upto", "assessment.scheme.open_band_not_last", "Only the last band may have \"upto\": null.")
			}
			continue
		}
		if math.IsNaN(*b.Upto) || math.IsInf(*b.Upto, 0) {
			v.Add(bp+".upto", "assessment.scheme.not_a_number", "upto must be a finite number or null.")
			continue
		}
		if k > 0 && in.Bands[k-1].Upto != nil && !(*b.Upto > *in.Bands[k-1].Upto) {
			v.AddArgs(bp+".upto", "assessment.scheme.bands_not_increasing", map[string]any{"value": *b.Upto, "previous": *in.Bands[k-1].Upto},
				"Bands must increase: upto %v is not above the previous band's %v.", *b.Upto, *in.Bands[k-1].Upto)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// CheckForm checks a (valid) scheme against the form its answers come from:
// every indicator must be a question of the form; a scores indicator a
// select question whose every choice has an entry in scores (null to count
// it as unanswered) and no other; a bands indicator an integer or decimal
// question.
func (s *Scheme) CheckForm(f *form.Form) error {
	var v homeward.Validation
	for i, d := range s.Dimensions {
		for j, in := range d.Indicators {
			p := fmt.Sprintf("dimensions[%d].indicators[%d]", i, j)
			q := f.Question(in.ID)
			if q == nil || !q.Type.Answerable() {
				v.AddArgs(p+".id", "assessment.scheme.unknown_indicator", map[string]any{"id": in.ID, "form": f.ID},
					"%q is not a question of form %s %s.", in.ID, f.ID, f.Version)
				continue
			}
			switch {
			case len(in.Bands) > 0 && q.Type != form.TypeInteger && q.Type != form.TypeDecimal:
				v.AddArgs(p+".bands", "assessment.scheme.bands_need_number", map[string]any{"id": in.ID, "type": string(q.Type)},
					"Bands score numbers, but %s is a %s question.", in.ID, q.Type)
			case len(in.Scores) > 0 && q.Type != form.TypeSelectOne && q.Type != form.TypeSelectMultiple:
				v.AddArgs(p+".scores", "assessment.scheme.scores_need_choice", map[string]any{"id": in.ID, "type": string(q.Type)},
					"Scores score choices, but %s is a %s question.", in.ID, q.Type)
			case len(in.Scores) > 0:
				choices := map[string]bool{}
				for _, c := range f.Choices(q) {
					choices[c.Name] = true
					if _, ok := in.Scores[c.Name]; !ok {
						v.AddArgs(p+".scores", "assessment.scheme.choice_without_score", map[string]any{"id": in.ID, "choice": c.Name},
							"The choice %q of %s has no score (give it null to count it as unanswered).", c.Name, in.ID)
					}
				}
				for _, k := range sortedKeys(in.Scores) {
					if !choices[k] {
						v.AddArgs(p+".scores."+k, "assessment.scheme.unknown_choice", map[string]any{"id": in.ID, "choice": k},
							"%q is not a choice of %s.", k, in.ID)
					}
				}
			}
		}
	}
	return v.Err()
}

// ---- strict JSON decoding with paths ----

// decodeStrict decodes one JSON value into maps, slices, json.Number,
// strings, bools and nils, rejecting duplicate object keys and trailing data.
func decodeStrict(r io.Reader) (any, error) {
	dec := json.NewDecoder(r)
	dec.UseNumber()
	val, err := decodeValue(dec, "")
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = homeward.FieldErrorf("", "assessment.scheme.malformed", "The scheme file holds more than one JSON value.")
		}
	}
	var e *homeward.Error
	if err != nil && !errors.As(err, &e) {
		return nil, homeward.FieldErrorf("", "assessment.scheme.malformed", "The scheme file is not valid JSON: %v.", err)
	}
	return val, err
}

func decodeValue(dec *json.Decoder, path string) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			m := map[string]any{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				kp := joinPath(path, k)
				if _, dup := m[k]; dup {
					return nil, homeward.FieldErrorf(kp, "assessment.scheme.duplicate_key", "%s appears twice.", kp)
				}
				if m[k], err = decodeValue(dec, kp); err != nil {
					return nil, err
				}
			}
			_, err := dec.Token()
			return m, err
		case '[':
			var a []any
			for i := 0; dec.More(); i++ {
				x, err := decodeValue(dec, fmt.Sprintf("%s[%d]", path, i))
				if err != nil {
					return nil, err
				}
				a = append(a, x)
			}
			_, err := dec.Token()
			if a == nil {
				a = []any{}
			}
			return a, err
		}
	}
	return tok, nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// builder turns the decoded tree into a Scheme, reporting type errors and
// unknown fields by path.
type builder struct{ v *homeward.Validation }

func (b builder) object(x any, path string, known ...string) map[string]any {
	m, ok := x.(map[string]any)
	if !ok {
		b.typeErr(path, "an object")
		return nil
	}
	for _, k := range sortedKeys(m) {
		found := false
		for _, kn := range known {
			found = found || k == kn
		}
		if !found {
			b.v.AddArgs(joinPath(path, k), "assessment.scheme.unknown_field", map[string]any{"field": k}, "Unknown field %q.", k)
		}
	}
	return m
}

func (b builder) typeErr(path, want string) {
	p := path
	if p == "" {
		p = "the scheme"
	}
	b.v.AddArgs(path, "assessment.scheme.wrong_type", map[string]any{"type": want}, "%s should be %s.", p, want)
}

func (b builder) str(m map[string]any, key, path string) string {
	x, ok := m[key]
	if !ok || x == nil {
		return ""
	}
	s, ok := x.(string)
	if !ok {
		b.typeErr(joinPath(path, key), "a string")
	}
	return s
}

func (b builder) num(x any, path string) (float64, bool) {
	n, ok := x.(json.Number)
	if !ok {
		b.typeErr(path, "a number")
		return 0, false
	}
	f, err := n.Float64()
	if err != nil {
		b.typeErr(path, "a number")
		return 0, false
	}
	return f, true
}

func (b builder) required(m map[string]any, key, path string) (any, bool) {
	x, ok := m[key]
	if !ok {
		b.v.AddArgs(joinPath(path, key), "assessment.scheme.missing_field", map[string]any{"field": key}, "%s is missing.", joinPath(path, key))
	}
	return x, ok
}

func (b builder) weight(m map[string]any, path string) float64 {
	x, ok := b.required(m, "weight", path)
	if !ok {
		return 0
	}
	f, _ := b.num(x, joinPath(path, "weight"))
	return f
}

func (b builder) array(x any, path string) []any {
	a, ok := x.([]any)
	if !ok {
		b.typeErr(path, "an array")
	}
	return a
}

func buildScheme(tree any, v *homeward.Validation) *Scheme {
	b := builder{v}
	m := b.object(tree, "", "id", "version", "description", "min_coverage", "dimensions")
	if m == nil {
		return nil
	}
	s := &Scheme{ID: b.str(m, "id", ""), Version: b.str(m, "version", ""), Description: b.str(m, "description", "")}
	if x, ok := m["min_coverage"]; ok {
		s.MinCoverage, _ = b.num(x, "min_coverage")
	}
	dx, _ := b.required(m, "dimensions", "")
	for i, d := range b.array(dx, "dimensions") {
		p := fmt.Sprintf("dimensions[%d]", i)
		dm := b.object(d, p, "id", "weight", "indicators")
		if dm == nil {
			continue
		}
		dim := Dimension{ID: b.str(dm, "id", p), Weight: b.weight(dm, p)}
		ix, _ := b.required(dm, "indicators", p)
		for j, in := range b.array(ix, p+".indicators") {
			ip := fmt.Sprintf("%s.indicators[%d]", p, j)
			im := b.object(in, ip, "id", "weight", "scores", "bands")
			if im == nil {
				continue
			}
			ind := Indicator{ID: b.str(im, "id", ip), Weight: b.weight(im, ip)}
			if sx, ok := im["scores"]; ok {
				sm, ok := sx.(map[string]any) // keys are choice names
				if !ok {
					b.typeErr(ip+".scores", "an object")
				}
				ind.Scores = map[string]*float64{}
				for _, k := range sortedKeys(sm) {
					if sm[k] == nil {
						ind.Scores[k] = nil
						continue
					}
					if f, ok := b.num(sm[k], ip+".scores."+k); ok {
						ind.Scores[k] = &f
					}
				}
			}
			if bx, ok := im["bands"]; ok {
				for k, band := range b.array(bx, ip+".bands") {
					bp := fmt.Sprintf("%s.bands[%d]", ip, k)
					bm := b.object(band, bp, "upto", "score")
					if bm == nil {
						continue
					}
					var bd Band
					if ux, ok := b.required(bm, "upto", bp); ok && ux != nil {
						if f, ok := b.num(ux, bp+".upto"); ok {
							bd.Upto = &f
						}
					}
					if sx, ok := b.required(bm, "score", bp); ok {
						bd.Score, _ = b.num(sx, bp+".score")
					}
					ind.Bands = append(ind.Bands, bd)
				}
			}
			dim.Indicators = append(dim.Indicators, ind)
		}
		s.Dimensions = append(s.Dimensions, dim)
	}
	return s
}

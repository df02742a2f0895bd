package form

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"homeward"
	"homeward/internal/i18n"
)

// Submission is a validated set of answers to one form version.
type Submission struct {
	FormID      string `json:"form_id"`
	FormVersion string `json:"form_version"`
	// Answers holds the relevant, non-empty answers, normalized: string for
	// text and select_one, int64 for integer, float64 for decimal,
	// "YYYY-MM-DD" string for date, []string for select_multiple.
	Answers map[string]any `json:"answers"`
	// Calculated holds the results of calculate questions (flags included)
	// as expression values converted for JSON (number, string, bool).
	Calculated map[string]any `json:"calculated,omitempty"`
	// Flags are the flags the answers raise, most severe first.
	Flags []Flag `json:"flags,omitempty"`
}

// Flag is a concern raised by screening answers, for example a possible
// victim of trafficking or an urgent medical need. It comes from a calculate
// question named flag_*; its label is the text shown on the case.
type Flag struct {
	Name     string `json:"name"` // the calculate question's name, e.g. flag_trafficking
	Severity string `json:"severity"`
	Label    Text   `json:"label"`
}

// Validate checks answers against the form and returns the normalized
// submission. Answers are keyed by question name; values may be JSON-decoded
// (string, float64, json.Number, bool, []any) or form-posted strings (a
// select_multiple as a space-separated string or a []string). Empty values
// are unanswered.
//
// Rules, in form order: an answer to an irrelevant question (its relevant
// expression, or an enclosing group's, is false) is dropped silently and is
// empty for later expressions; a relevant answer must have the question's
// type and, for selects, name choices of its list; a relevant required
// question must be answered; a constraint is evaluated with "." bound to
// the answer and must hold. Calculations run in form order after their
// inputs. Answers to names the form does not have are errors; values sent
// for notes and calculations are ignored (calculations are recomputed).
//
// On failure the error is an EINVALID *homeward.Error whose Fields name each
// question; the Submission is returned all the same so that a UI can show the
// answers it kept. today is the date today() evaluates to.
func (f *Form) Validate(answers map[string]any, today time.Time) (*Submission, error) {
	if f.byName == nil {
		f.index()
	}
	var v homeward.Validation
	sub := &Submission{FormID: f.ID, FormVersion: f.Version, Answers: map[string]any{}, Calculated: map[string]any{}}

	// Parse every answer first; relevance decides later whether a parse
	// error matters.
	parsed := map[string]any{}
	parseErr := map[string]*homeward.FieldError{}
	keys := make([]string, 0, len(answers))
	for k := range answers {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, name := range keys {
		q := f.byName[name]
		if q == nil {
			v.AddArgs(name, "assessment.error.unknown_field", map[string]any{"field": name}, "%q is not a question of this form.", name)
			continue
		}
		if !q.Type.Answerable() {
			continue // notes, groups; calculations are recomputed (ODK submissions carry them)
		}
		val, fe := f.parseAnswer(q, answers[name])
		if fe != nil {
			parseErr[name] = fe
			continue
		}
		if val != nil {
			parsed[name] = val
		}
	}

	env := &Env{Values: map[string]any{}, Today: today}
	irrelevantGroup := map[string]bool{}
	for _, q := range f.Questions {
		if q.Type == TypeEndGroup {
			continue
		}
		relevant := !irrelevantGroup[q.Group] && q.Relevant.Bool(env)
		if q.Type == TypeBeginGroup {
			if !relevant {
				irrelevantGroup[q.Name] = true
			}
			continue
		}
		if q.Type == TypeCalculate {
			if !relevant {
				continue
			}
			res := q.Calculation.Eval(env)
			env.Values[q.Name] = res
			sub.Calculated[q.Name] = jsonValue(res)
			if strings.HasPrefix(q.Name, FlagPrefix) && flagRaised(res) {
				sev := q.Severity
				if sev == "" {
					sev = "high"
				}
				sub.Flags = append(sub.Flags, Flag{Name: q.Name, Severity: sev, Label: q.Label})
			}
			continue
		}
		if !q.Type.Answerable() || !relevant {
			continue
		}
		if fe := parseErr[q.Name]; fe != nil {
			v.AddArgs(fe.Field, fe.Key, fe.Args, "%s", fe.Message)
			continue
		}
		val, ok := parsed[q.Name]
		if !ok {
			if q.Required || (!q.RequiredIf.IsZero() && q.RequiredIf.Bool(env)) {
				v.AddArgs(q.Name, "assessment.error.required", map[string]any{"field": q.Name}, "%s", orDefault(q.RequiredMessage.Get("en", f.DefaultLanguage), "This question must be answered."))
			}
			continue
		}
		ev := exprValue(q.Type, val)
		if !q.Constraint.IsZero() {
			env.Current = ev
			ok := q.Constraint.Bool(env)
			env.Current = nil
			if !ok {
				v.AddArgs(q.Name, "assessment.error.constraint", map[string]any{"field": q.Name}, "%s", orDefault(q.ConstraintMessage.Get("en", f.DefaultLanguage), "This answer is not allowed."))
				continue
			}
		}
		sub.Answers[q.Name] = val
		env.Values[q.Name] = ev
	}
	if err := env.Err(); err != nil {
		// The form's calculations, not the answers, are at fault: a clear
		// conflict for the person filling it in, ErrEvalBudget for callers.
		return nil, errors.Join(homeward.Errorf(homeward.ECONFLICT, "assessment.form.too_costly",
			"This form's calculations are too large to work out; ask an administrator to simplify form %s.", f.ID), err)
	}
	sort.SliceStable(sub.Flags, func(i, j int) bool { return sevRank(sub.Flags[i].Severity) < sevRank(sub.Flags[j].Severity) })
	return sub, v.Err()
}

// ErrorText returns the message for one field error of Validate in lang: the
// form's own required or constraint message when the form has one in that
// language, otherwise the catalog message.
func (f *Form) ErrorText(lang string, fe homeward.FieldError) string {
	if q := f.Question(fe.Field); q != nil {
		switch fe.Key {
		case "assessment.error.constraint":
			if s := q.ConstraintMessage.Get(lang, f.DefaultLanguage); s != "" {
				return s
			}
		case "assessment.error.required":
			if s := q.RequiredMessage.Get(lang, f.DefaultLanguage); s != "" {
				return s
			}
		}
	}
	return i18n.T(lang, fe.Key, fe.Args)
}

// Relevance evaluates skip logic for a partly filled form, for a UI that
// shows and hides questions as answers arrive: it returns, for every
// question and group name, whether it is currently relevant. Answers that
// do not parse count as unanswered.
func (f *Form) Relevance(answers map[string]any, today time.Time) map[string]bool {
	if f.byName == nil {
		f.index()
	}
	env := &Env{Values: map[string]any{}, Today: today}
	out := map[string]bool{}
	off := map[string]bool{}
	for _, q := range f.Questions {
		if q.Type == TypeEndGroup {
			continue
		}
		rel := !off[q.Group] && q.Relevant.Bool(env)
		out[q.Name] = rel
		switch {
		case q.Type == TypeBeginGroup && !rel:
			off[q.Name] = true
		case q.Type == TypeCalculate && rel:
			env.Values[q.Name] = q.Calculation.Eval(env)
		case q.Type.Answerable() && rel:
			if val, fe := f.parseAnswer(q, answers[q.Name]); fe == nil && val != nil {
				env.Values[q.Name] = exprValue(q.Type, val)
			}
		}
	}
	return out
}

func sevRank(s string) int {
	for i, x := range Severities {
		if s == x {
			return i
		}
	}
	return len(Severities)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// flagRaised decides whether a flag calculation's result raises the flag:
// true, a non-zero number, or a non-empty string other than "0"/"false".
func flagRaised(v any) bool {
	switch v := v.(type) {
	case string:
		s := strings.TrimSpace(v)
		return s != "" && s != "0" && s != "false"
	}
	return toBool(v)
}

func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	case []any:
		return len(v) == 0
	case []string:
		return len(v) == 0
	}
	return false
}

// wrongType reports an answer of the wrong type; kind selects the catalog
// key assessment.error.not_<kind> so that each language words it whole.
func wrongType(q *Question, kind string) *homeward.FieldError {
	what := map[string]string{"text": "text", "integer": "a whole number", "number": "a number",
		"date": "a date (YYYY-MM-DD)", "choice": "one of the choices", "choices": "a list of choices"}[kind]
	return &homeward.FieldError{Field: q.Name, Key: "assessment.error.not_" + kind,
		Args:    map[string]any{"field": q.Name},
		Message: fmt.Sprintf("The answer should be %s.", what)}
}

// parseAnswer converts a raw answer to the normalized value for q's type; nil
// for an empty answer.
func (f *Form) parseAnswer(q *Question, raw any) (any, *homeward.FieldError) {
	if isEmpty(raw) {
		return nil, nil
	}
	switch q.Type {
	case TypeText:
		if s, ok := raw.(string); ok {
			if n := utf8.RuneCountInString(s); n > MaxTextAnswer {
				return nil, &homeward.FieldError{Field: q.Name, Key: "assessment.error.too_long",
					Args:    map[string]any{"field": q.Name, "max": MaxTextAnswer},
					Message: fmt.Sprintf("The answer is too long (at most %d characters).", MaxTextAnswer)}
			}
			return strings.TrimSpace(s), nil
		}
		return nil, wrongType(q, "text")
	case TypeInteger:
		f, ok := number(raw)
		if !ok || f != math.Trunc(f) || math.Abs(f) > 1<<53 {
			return nil, wrongType(q, "integer")
		}
		return int64(f), nil
	case TypeDecimal:
		f, ok := number(raw)
		if !ok {
			return nil, wrongType(q, "number")
		}
		return f, nil
	case TypeDate:
		s, ok := raw.(string)
		if !ok {
			return nil, wrongType(q, "date")
		}
		t, err := time.Parse(dateLayout, strings.TrimSpace(s))
		if err != nil {
			return nil, wrongType(q, "date")
		}
		return t.Format(dateLayout), nil
	case TypeSelectOne:
		s, ok := raw.(string)
		if !ok {
			return nil, wrongType(q, "choice")
		}
		s = strings.TrimSpace(s)
		if !f.hasChoice(q, s) {
			return nil, badChoice(q, s)
		}
		return s, nil
	case TypeSelectMultiple:
		var list []string
		switch r := raw.(type) {
		case string:
			list = strings.Fields(r)
		case []string:
			list = r
		case []any:
			for _, x := range r {
				s, ok := x.(string)
				if !ok {
					return nil, wrongType(q, "choices")
				}
				list = append(list, s)
			}
		default:
			return nil, wrongType(q, "choices")
		}
		out := make([]string, 0, len(list))
		seen := map[string]bool{}
		for _, s := range list {
			s = strings.TrimSpace(s)
			if s == "" || seen[s] {
				continue
			}
			if !f.hasChoice(q, s) {
				return nil, badChoice(q, s)
			}
			seen[s] = true
			out = append(out, s)
		}
		if len(out) == 0 {
			return nil, nil
		}
		return out, nil
	}
	return nil, nil
}

func badChoice(q *Question, s string) *homeward.FieldError {
	return &homeward.FieldError{Field: q.Name, Key: "assessment.error.invalid_choice",
		Args:    map[string]any{"field": q.Name, "value": s},
		Message: fmt.Sprintf("%q is not one of the choices.", s)}
}

func (f *Form) hasChoice(q *Question, name string) bool {
	for _, c := range f.Lists[q.List] {
		if c.Name == name {
			return true
		}
	}
	return false
}

func number(raw any) (float64, bool) {
	var f float64
	switch r := raw.(type) {
	case float64:
		f = r
	case float32:
		f = float64(r)
	case int:
		f = float64(r)
	case int64:
		f = float64(r)
	case json.Number:
		x, err := r.Float64()
		if err != nil {
			return 0, false
		}
		f = x
	case string:
		x, err := strconv.ParseFloat(strings.TrimSpace(r), 64)
		if err != nil {
			return 0, false
		}
		f = x
	default:
		return 0, false
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, false
	}
	return f, true
}

// exprValue converts a normalized answer to the value expressions see.
func exprValue(t Type, v any) any {
	switch x := v.(type) {
	case int64:
		return float64(x)
	case string:
		if t == TypeDate {
			d, _ := time.Parse(dateLayout, x)
			return d
		}
	}
	return v
}

// jsonValue converts an expression result for storage as JSON.
func jsonValue(v any) any {
	switch x := v.(type) {
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil
		}
	case time.Time:
		return x.Format(dateLayout)
	}
	return v
}

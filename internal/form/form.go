// Package form holds Homeward's assessment forms: a versioned form model,
// an XLSForm reader (the survey / choices / settings workbook that Kobo and
// ODK users write in Excel), an evaluator for the XLSForm expression subset,
// validation of a submission against a form (types, choices, required,
// constraints, skip logic), screening flags, and the built-in forms shipped
// with Homeward. It needs no database: storage keeps a Form as JSON and its
// submissions as the normalized answer maps Validate returns.
package form

import (
	"fmt"
	"regexp"
	"strings"

	"homeward"
)

// Type is a question type, as written in the XLSForm type column.
type Type string

// Question types. Groups are kept in the flat question list as a begin_group
// entry, the questions inside it, and an end_group entry.
const (
	TypeText           Type = "text"
	TypeInteger        Type = "integer"
	TypeDecimal        Type = "decimal"
	TypeDate           Type = "date"
	TypeSelectOne      Type = "select_one"
	TypeSelectMultiple Type = "select_multiple"
	TypeNote           Type = "note"
	TypeCalculate      Type = "calculate"
	TypeBeginGroup     Type = "begin_group"
	TypeEndGroup       Type = "end_group"
)

// Answerable reports whether questions of type t take an answer.
func (t Type) Answerable() bool {
	switch t {
	case TypeText, TypeInteger, TypeDecimal, TypeDate, TypeSelectOne, TypeSelectMultiple:
		return true
	}
	return false
}

// Text is a translatable string keyed by language code ("en", "bn").
type Text map[string]string

// Get returns the text in lang, else in fallback, else any text present.
func (t Text) Get(lang, fallback string) string {
	if s := t[homeward.LangBase(lang)]; s != "" {
		return s
	}
	if s := t[fallback]; s != "" {
		return s
	}
	// Deterministic pick when neither language is present.
	best := ""
	for k, s := range t {
		if s != "" && (best == "" || k < best) {
			best = k
		}
	}
	return t[best]
}

// Form is one version of a form definition. A version is immutable once
// answers have been given with it; answers record FormID and Version.
type Form struct {
	ID              string      `json:"id"`
	Version         string      `json:"version"`
	Title           Text        `json:"title"`
	DefaultLanguage string      `json:"default_language"`
	Languages       []string    `json:"languages"`
	Questions       []*Question `json:"questions"`
	// Lists holds the choice lists by list name.
	Lists map[string][]Choice `json:"lists,omitempty"`

	byName map[string]*Question
}

// Question is one row of the survey sheet.
type Question struct {
	Type              Type   `json:"type"`
	Name              string `json:"name,omitempty"`
	Label             Text   `json:"label,omitempty"`
	Hint              Text   `json:"hint,omitempty"`
	List              string `json:"list,omitempty"` // choice list of a select question
	Required          bool   `json:"required,omitempty"`
	RequiredIf        Expr   `json:"required_if,omitzero"` // required when true; set instead of Required
	RequiredMessage   Text   `json:"required_message,omitempty"`
	Constraint        Expr   `json:"constraint,omitzero"`
	ConstraintMessage Text   `json:"constraint_message,omitempty"`
	Relevant          Expr   `json:"relevant,omitzero"`
	Calculation       Expr   `json:"calculation,omitzero"`
	Appearance        string `json:"appearance,omitempty"`
	// Severity is set on flag calculations (names starting with "flag_"):
	// urgent, high, medium or low.
	Severity string `json:"severity,omitempty"`
	// Group is the name of the innermost enclosing group, "" at top level.
	Group string `json:"group,omitempty"`
	// Row is the survey sheet row the question came from (0 when built in
	// code); it lets later checks name the cell.
	Row int `json:"row,omitempty"`
}

// Choice is one option of a choice list.
type Choice struct {
	Name  string `json:"name"`
	Label Text   `json:"label"`
}

// FlagPrefix starts the name of a calculate question whose truthy result
// raises a flag on the case.
const FlagPrefix = "flag_"

// Severities of flags, most severe first.
var Severities = []string{"urgent", "high", "medium", "low"}

var nameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_.\-]*$`)

func validName(s string) bool { return nameRE.MatchString(s) }

// Question returns the question called name, or nil.
func (f *Form) Question(name string) *Question {
	if f.byName == nil {
		f.index()
	}
	return f.byName[name]
}

func (f *Form) index() {
	f.byName = make(map[string]*Question, len(f.Questions))
	for _, q := range f.Questions {
		if q.Name != "" && q.Type != TypeEndGroup {
			f.byName[q.Name] = q
		}
	}
}

// Choices returns the options of a select question.
func (f *Form) Choices(q *Question) []Choice { return f.Lists[q.List] }

// Check verifies a form's structure: identifiers, unique names, known types,
// balanced groups, choice lists that exist, expressions that name existing
// fields. The XLSForm reader reports the same problems with cell addresses;
// Check guards forms that arrive as JSON. It also builds the name index, so
// call it before sharing a Form between goroutines.
func (f *Form) Check() error {
	var v homeward.Validation
	if !validName(f.ID) {
		v.Add("id", "assessment.form.bad_id", "The form id %q is not a valid identifier.", f.ID)
	}
	if strings.TrimSpace(f.Version) == "" {
		v.Add("version", "assessment.form.no_version", "The form has no version.")
	}
	f.index()
	var stack []string
	seen := map[string]bool{}
	for i, q := range f.Questions {
		field := fmt.Sprintf("questions[%d]", i)
		switch q.Type {
		case TypeText, TypeInteger, TypeDecimal, TypeDate, TypeSelectOne, TypeSelectMultiple, TypeNote, TypeCalculate, TypeBeginGroup:
		case TypeEndGroup:
			if len(stack) == 0 {
				v.Add(field, "assessment.form.unbalanced_group", "end_group without a matching begin_group.")
			} else {
				stack = stack[:len(stack)-1]
			}
			continue
		default:
			v.AddArgs(field+".type", "assessment.form.bad_type", map[string]any{"type": string(q.Type)}, "Unsupported question type %q.", q.Type)
			continue
		}
		if !validName(q.Name) {
			v.AddArgs(field+".name", "assessment.form.bad_name", map[string]any{"name": q.Name}, "%q is not a valid question name.", q.Name)
		} else if seen[q.Name] {
			v.AddArgs(field+".name", "assessment.form.duplicate_name", map[string]any{"name": q.Name}, "The name %q is used twice.", q.Name)
		}
		seen[q.Name] = true
		want := ""
		if len(stack) > 0 {
			want = stack[len(stack)-1]
		}
		if q.Group != want {
			q.Group = want
		}
		if q.Type == TypeBeginGroup {
			stack = append(stack, q.Name)
		}
		if q.Type == TypeSelectOne || q.Type == TypeSelectMultiple {
			if len(f.Lists[q.List]) == 0 {
				v.AddArgs(field+".list", "assessment.form.unknown_list", map[string]any{"list": q.List}, "The choice list %q does not exist or is empty.", q.List)
			}
		}
		if q.Type == TypeCalculate && q.Calculation.IsZero() {
			v.Add(field+".calculation", "assessment.form.no_calculation", "A calculate question needs a calculation.")
		}
		if strings.HasPrefix(q.Name, FlagPrefix) && q.Type == TypeCalculate && q.Severity != "" && !validSeverity(q.Severity) {
			v.AddArgs(field+".severity", "assessment.form.bad_severity", map[string]any{"value": q.Severity}, "Unknown severity %q (use urgent, high, medium or low).", q.Severity)
		}
		for _, ce := range q.exprs() {
			col, e := ce.col, ce.e
			for _, r := range e.Refs() {
				if f.byName[r] == nil {
					v.AddArgs(field+"."+col, "assessment.form.unknown_ref", map[string]any{"name": r}, "The expression refers to ${%s}, which is not a question of this form.", r)
				}
			}
		}
	}
	f.checkSizes(&v)
	if len(stack) > 0 {
		v.AddArgs("questions", "assessment.form.unclosed_group", map[string]any{"name": stack[len(stack)-1]}, "The group %q is not closed with end_group.", stack[len(stack)-1])
	}
	for list, cs := range f.Lists {
		names := map[string]bool{}
		for j, c := range cs {
			if c.Name == "" || strings.ContainsAny(c.Name, " \t\n") {
				v.AddArgs(fmt.Sprintf("lists.%s[%d]", list, j), "assessment.form.bad_choice", map[string]any{"name": c.Name}, "%q is not a valid choice name (no spaces, not empty).", c.Name)
			} else if names[c.Name] {
				v.AddArgs(fmt.Sprintf("lists.%s[%d]", list, j), "assessment.form.duplicate_choice", map[string]any{"name": c.Name}, "The choice %q appears twice in list %s.", c.Name, list)
			}
			names[c.Name] = true
		}
	}
	return v.Err()
}

type colExpr struct {
	col string
	e   Expr
}

// exprs lists q's expressions with the column each comes from, in a fixed
// order so that error lists are stable.
func (q *Question) exprs() []colExpr {
	return []colExpr{{"required_if", q.RequiredIf}, {"relevant", q.Relevant}, {"constraint", q.Constraint}, {"calculation", q.Calculation}}
}

func validSeverity(s string) bool {
	for _, x := range Severities {
		if s == x {
			return true
		}
	}
	return false
}

// Label returns the label of q in lang (falling back to the form's default
// language, then to the name).
func (f *Form) Label(q *Question, lang string) string {
	if s := q.Label.Get(lang, f.DefaultLanguage); s != "" {
		return s
	}
	return q.Name
}

// ChoiceLabel returns the label of choice name of q in lang.
func (f *Form) ChoiceLabel(q *Question, name, lang string) string {
	for _, c := range f.Lists[q.List] {
		if c.Name == name {
			if s := c.Label.Get(lang, f.DefaultLanguage); s != "" {
				return s
			}
			break
		}
	}
	return name
}

package form

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"homeward"
)

// testForm is a small form built in code covering every answer type.
func testForm(t *testing.T) *Form {
	t.Helper()
	f := &Form{
		ID: "t", Version: "1", DefaultLanguage: "en", Languages: []string{"en", "bn"},
		Lists: map[string][]Choice{"yn": {{Name: "yes"}, {Name: "no"}}, "c": {{Name: "a"}, {Name: "b"}, {Name: "none"}}},
		Questions: []*Question{
			{Type: TypeText, Name: "name", Required: true},
			{Type: TypeInteger, Name: "age", Constraint: MustParseExpr(". >= 0 and . < 120"),
				ConstraintMessage: Text{"en": "Age 0–119.", "bn": "বয়স ০–১১৯।"}},
			{Type: TypeDecimal, Name: "income"},
			{Type: TypeDate, Name: "born", Constraint: MustParseExpr(". < today()")},
			{Type: TypeSelectOne, Name: "works", List: "yn"},
			{Type: TypeSelectMultiple, Name: "pick", List: "c", Constraint: MustParseExpr("not(selected(., 'none') and count-selected(.) > 1)")},
			{Type: TypeText, Name: "employer", Relevant: MustParseExpr("${works} = 'yes'"), RequiredIf: MustParseExpr("${age} >= 18"),
				RequiredMessage: Text{"en": "Say where.", "bn": "কোথায় বলুন।"}},
			{Type: TypeNote, Name: "n"},
			{Type: TypeCalculate, Name: "double", Calculation: MustParseExpr("${income} * 2")},
		},
	}
	if err := f.Check(); err != nil {
		t.Fatal(err)
	}
	return f
}

func TestValidateSubmission(t *testing.T) {
	f := testForm(t)
	tests := []struct {
		name    string
		answers map[string]any
		want    map[string]any
		errs    map[string]string // field → key
	}{
		{"all types", map[string]any{"name": " Rahim ", "age": 30.0, "income": json.Number("1500.5"), "born": "1995-02-03", "works": "yes",
			"pick": []any{"a", "b", "a"}, "employer": "farm", "n": ""},
			map[string]any{"name": "Rahim", "age": int64(30), "income": 1500.5, "born": "1995-02-03", "works": "yes", "pick": []string{"a", "b"}, "employer": "farm"}, nil},
		{"strings from a web form", map[string]any{"name": "R", "age": "30", "income": "12", "pick": "a b", "works": "no", "employer": "x"},
			map[string]any{"name": "R", "age": int64(30), "income": 12.0, "pick": []string{"a", "b"}, "works": "no"}, nil},
		{"wrong types", map[string]any{"name": 5, "age": 3.5, "income": "lots", "born": "03/02/1995", "works": true, "pick": 7.0},
			nil, map[string]string{"name": "assessment.error.not_text", "age": "assessment.error.not_integer", "income": "assessment.error.not_number",
				"born": "assessment.error.not_date", "works": "assessment.error.not_choice", "pick": "assessment.error.not_choices"}},
		{"outside the choices", map[string]any{"name": "R", "works": "maybe", "pick": []string{"a", "z"}},
			nil, map[string]string{"works": "assessment.error.invalid_choice", "pick": "assessment.error.invalid_choice"}},
		{"required and required_if", map[string]any{"age": 20, "works": "yes"},
			nil, map[string]string{"name": "assessment.error.required", "employer": "assessment.error.required"}},
		{"constraints", map[string]any{"name": "R", "age": -1, "born": "2030-01-01", "pick": "none a"},
			nil, map[string]string{"age": "assessment.error.constraint", "born": "assessment.error.constraint", "pick": "assessment.error.constraint"}},
		{"unknown field", map[string]any{"name": "R", "shoe_size": 42},
			nil, map[string]string{"shoe_size": "assessment.error.unknown_field"}},
		{"answers to notes and calculations are ignored", map[string]any{"name": "R", "double": 4, "n": "x"},
			map[string]any{"name": "R"}, nil},
		{"empty values are unanswered", map[string]any{"name": "R", "age": "", "pick": []any{}, "works": nil},
			map[string]any{"name": "R"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sub, err := f.Validate(tt.answers, testToday)
			if tt.errs == nil {
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(sub.Answers, tt.want) {
					t.Errorf("answers %#v, want %#v", sub.Answers, tt.want)
				}
				return
			}
			var e *homeward.Error
			if !errors.As(err, &e) {
				t.Fatalf("err = %v", err)
			}
			got := map[string]string{}
			for _, fe := range e.Fields {
				got[fe.Field] = fe.Key
			}
			if !reflect.DeepEqual(got, tt.errs) {
				t.Errorf("errors %v, want %v", got, tt.errs)
			}
		})
	}
}

func TestValidateCalculatedAndErrorText(t *testing.T) {
	f := testForm(t)
	sub, err := f.Validate(map[string]any{"name": "R", "income": 2.5}, testToday)
	if err != nil || sub.Calculated["double"] != 5.0 {
		t.Fatalf("%+v %v", sub, err)
	}
	_, err = f.Validate(map[string]any{"age": 200}, testToday)
	var e *homeward.Error
	errors.As(err, &e)
	texts := map[string]string{}
	for _, fe := range e.Fields {
		texts[fe.Field] = f.ErrorText("bn", fe)
	}
	if texts["age"] != "বয়স ০–১১৯।" || texts["name"] != "এই প্রশ্নের উত্তর দেওয়া আবশ্যক।" {
		t.Errorf("ErrorText = %v", texts)
	}
}

func TestRelevance(t *testing.T) {
	f := Builtin(ProtectionScreening)
	rel := f.Relevance(map[string]any{"consent": "yes", "urgent_medical": "yes"}, testToday)
	if !rel["abroad"] || !rel["deceived"] || !rel["urgent_medical_details"] || rel["wants_referral"] {
		t.Errorf("consented: %v", rel)
	}
	rel = f.Relevance(map[string]any{"consent": "no", "urgent_medical": "yes"}, testToday)
	if rel["abroad"] || rel["deceived"] || rel["urgent_medical_details"] || !rel["consent"] {
		t.Errorf("declined: %v", rel)
	}
}

func TestFormJSONRoundTrip(t *testing.T) {
	for _, f := range Builtins() {
		b, err := json.Marshal(f)
		if err != nil {
			t.Fatal(err)
		}
		var back Form
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("%s: %v", f.ID, err)
		}
		if err := back.Check(); err != nil {
			t.Fatalf("%s: %v", f.ID, err)
		}
		b2, _ := json.Marshal(&back)
		if string(b) != string(b2) {
			t.Errorf("%s: JSON round trip differs", f.ID)
		}
	}
}

func TestCheckRejectsBadForms(t *testing.T) {
	f := &Form{ID: "x y", Lists: map[string][]Choice{"l": {{Name: "a"}, {Name: "a"}}}, Questions: []*Question{
		{Type: "geopoint", Name: "g"},
		{Type: TypeText, Name: "a", Relevant: MustParseExpr("${zz} = 1")},
		{Type: TypeText, Name: "a"},
		{Type: TypeSelectOne, Name: "s", List: "missing"},
		{Type: TypeBeginGroup, Name: "grp"},
		{Type: TypeCalculate, Name: "flag_x", Calculation: MustParseExpr("1"), Severity: "catastrophic"},
	}}
	err := f.Check()
	want := []string{"id", "lists.l[1]", "questions", "questions[0].type", "questions[1].relevant", "questions[2].name", "questions[3].list", "questions[5].severity", "version"}
	if got := errFields(t, err); !reflect.DeepEqual(got, want) {
		t.Errorf("fields %v, want %v", got, want)
	}
}

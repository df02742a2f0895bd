package form

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"homeward"
)

// The doubling attack of the review: each calculation concatenates the
// previous one with itself, 2^60 bytes by the end. Validation must stop
// with ErrEvalBudget, quickly and without the memory.
func TestValidateDoublingConcatStopsAtBudget(t *testing.T) {
	qs := []*Question{{Type: TypeCalculate, Name: "c0", Calculation: MustParseExpr("'aaaaaaaaaaaaaaaa'")}}
	for i := 1; i <= 60; i++ {
		qs = append(qs, &Question{Type: TypeCalculate, Name: fmt.Sprintf("c%d", i),
			Calculation: MustParseExpr(fmt.Sprintf("concat(${c%d}, ${c%d})", i-1, i-1))})
	}
	f := &Form{ID: "bomb", Version: "1", DefaultLanguage: "en", Languages: []string{"en"}, Questions: qs}
	// Check (every upload runs it) refuses the form: c17 would be 2 MiB.
	if err := f.Check(); err == nil {
		t.Fatal("the doubling form passes Check")
	} else if fields := errFields(t, err); len(fields) != 44 || fields[0] != "questions[17].calculation" {
		t.Fatalf("Check refused %v, want questions[17..60].calculation", fields)
	}
	// A form stored before that check existed still stops at the budget.
	_, err := f.Validate(map[string]any{}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if !errors.Is(err, ErrEvalBudget) {
		t.Fatalf("Validate = %v, want ErrEvalBudget", err)
	}
	// Callers get a coded, translated refusal (a conflict: the form is at
	// fault, not the answers), never an internal error.
	if code := homeward.ErrorCode(err); code != homeward.ECONFLICT {
		t.Errorf("Validate's error code = %q, want %q", code, homeward.ECONFLICT)
	}
	_ = f.Relevance(map[string]any{}, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) // must return, not crash
}

func TestEvalStepBudget(t *testing.T) {
	e := MustParseExpr(strings.Repeat("1 + ", 400) + "1")
	env := &Env{}
	for i := 0; i < MaxEvalSteps/400+2 && env.Err() == nil; i++ {
		e.Eval(env)
	}
	if !errors.Is(env.Err(), ErrEvalBudget) {
		t.Fatalf("Err = %v after %d steps, want ErrEvalBudget", env.Err(), env.steps)
	}
	if got := MustParseExpr("1 + 1").Eval(&Env{}); got != float64(2) {
		t.Errorf("a fresh Env evaluates normally, got %v", got)
	}
}

func TestParseExprSizeLimits(t *testing.T) {
	for name, src := range map[string]string{
		"deep concat": strings.Repeat("concat(", 300) + "'a'" + strings.Repeat(")", 300),
		"deep parens": strings.Repeat("(", 300) + "1" + strings.Repeat(")", 300),
		"deep minus":  strings.Repeat("-", 300) + "1",
		"long source": "'" + strings.Repeat("a", MaxExprLen) + "'",
		"many nodes":  strings.Repeat("1+", 1200) + "1",
		"wide concat": "concat(" + strings.Repeat("'a',", 1100) + "'a')",
	} {
		if _, err := ParseExpr(src); err == nil {
			t.Errorf("%s: accepted", name)
		} else if !strings.Contains(err.Error(), "too") {
			t.Errorf("%s: %v, want a size error", name, err)
		}
	}
	if _, err := ParseExpr(strings.Repeat("concat(", 20) + "'a'" + strings.Repeat(")", 20)); err != nil {
		t.Errorf("modest nesting refused: %v", err)
	}
}

// Calculations that refer to each other in a circle have no bound and are
// refused; a text answer longer than MaxTextAnswer is refused with a
// translated message.
func TestSizeBoundEdges(t *testing.T) {
	f := &Form{ID: "loop", Version: "1", DefaultLanguage: "en", Languages: []string{"en"}, Questions: []*Question{
		{Type: TypeCalculate, Name: "a", Calculation: MustParseExpr("concat(${b}, 'x')")},
		{Type: TypeCalculate, Name: "b", Calculation: MustParseExpr("if(true(), ${a}, 'y')")},
	}}
	if err := f.Check(); err == nil {
		t.Fatal("calculations in a circle pass Check")
	}
	g := &Form{ID: "txt", Version: "1", DefaultLanguage: "en", Languages: []string{"en"}, Questions: []*Question{
		{Type: TypeText, Name: "story"},
		{Type: TypeCalculate, Name: "twice", Calculation: MustParseExpr("concat(${story}, ' / ', ${story})")},
	}}
	if err := g.Check(); err != nil {
		t.Fatalf("a modest calculation is refused: %v", err)
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := g.Validate(map[string]any{"story": strings.Repeat("ক", MaxTextAnswer)}, at); err != nil {
		t.Fatalf("the longest allowed answer is refused: %v", err)
	}
	_, err := g.Validate(map[string]any{"story": strings.Repeat("ক", MaxTextAnswer+1)}, at)
	var e *homeward.Error
	if !errors.As(err, &e) || len(e.Fields) != 1 || e.Fields[0].Key != "assessment.error.too_long" {
		t.Fatalf("an answer one character too long: %v", err)
	}
}

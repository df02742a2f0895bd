package form

import (
	"errors"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestExprEval(t *testing.T) {
	today := time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)
	vals := map[string]any{
		"age":     float64(34),
		"name":    "Rahim",
		"needs":   []string{"food", "health"},
		"sex":     "male",
		"born":    time.Date(1990, 5, 1, 0, 0, 0, 0, time.UTC),
		"zero":    float64(0),
		"yes":     true,
		"emptied": "",
	}
	tests := []struct {
		src     string
		current any
		want    any
	}{
		{"1 + 2 * 3", nil, 7.0},
		{"(1 + 2) * 3", nil, 9.0},
		{"7 div 2", nil, 3.5},
		{"7 mod 3", nil, 1.0},
		{"-3 + 1", nil, -2.0},
		{"--3", nil, 3.0},
		{"10 - 2 - 3", nil, 5.0},
		{"${age} > 18", nil, true},
		{"${age} >= 34 and ${age} <= 34", nil, true},
		{"${age} < 18 or ${sex} = 'male'", nil, true},
		{"${age} != 34", nil, false},
		{`${name} = "Rahim"`, nil, true},
		{"${missing} > 17", nil, false},
		{"${missing} < 17", nil, false},
		{"${missing} = ''", nil, true},
		{"${missing} != ''", nil, false},
		{"${age} = ''", nil, false},
		{"${emptied} = ''", nil, true},
		{"not(${age} > 18)", nil, false},
		{"not(${missing})", nil, true},
		{"selected(${needs}, 'food')", nil, true},
		{"selected(${needs}, 'shelter')", nil, false},
		{"selected(${missing}, 'food')", nil, false},
		{"count-selected(${needs})", nil, 2.0},
		{"count-selected(${missing})", nil, 0.0},
		{"string-length(${name})", nil, 5.0},
		{"string-length('বাংলা')", nil, 5.0},
		{"if(${age} > 60, 'old', 'young')", nil, "young"},
		{"concat(${name}, '-', ${age})", nil, "Rahim-34"},
		{"coalesce(${missing}, 'x')", nil, "x"},
		{"int(7.9)", nil, 7.0},
		{"round(2.345, 2)", nil, 2.35},
		{"number('12')", nil, 12.0},
		{"string(3)", nil, "3"},
		{"true() and not(false())", nil, true},
		{". >= 0 and . <= 120", 34.0, true},
		{". >= 0 and . <= 120", 130.0, false},
		{"not(selected(., 'none') and count-selected(.) > 1)", []string{"none", "food"}, false},
		{"not(selected(., 'none') and count-selected(.) > 1)", []string{"none"}, true},
		{". <= today()", time.Date(2026, 3, 15, 0, 0, 0, 0, time.UTC), true},
		{". <= today()", time.Date(2026, 3, 16, 0, 0, 0, 0, time.UTC), false},
		{"${born} < '2000-01-01'", nil, true},
		{"${born} = '1990-05-01'", nil, true},
		{"${yes} = 'anything'", nil, true},
		{"${zero} = 0", nil, true},
		{"1 div 0 > 1000", nil, true},
		{"${x-y.z} = ''", nil, true},
		{"  ${age}  ", nil, 34.0},
	}
	for _, tt := range tests {
		e, err := ParseExpr(tt.src)
		if err != nil {
			t.Errorf("ParseExpr(%q): %v", tt.src, err)
			continue
		}
		got := e.Eval(&Env{Values: vals, Current: tt.current, Today: today})
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%q = %#v, want %#v", tt.src, got, tt.want)
		}
	}
}

func TestExprParseErrors(t *testing.T) {
	tests := []struct {
		src     string
		pos     int
		message string
	}{
		{"${age} >", 9, "unexpected end"},
		{"${age} > > 3", 10, "unexpected"},
		{"(1 + 2", 7, "expected ')'"},
		{"1 + 2)", 6, "unexpected"},
		{"${age", 1, "unclosed ${"},
		{"$age", 1, "expected '{'"},
		{"'abc", 1, "unclosed string"},
		{"age > 3", 1, "unexpected name"},
		{"foo(1)", 1, "unknown function foo()"},
		{"selected(${a})", 1, "takes 2 argument"},
		{"round(1, 2, 3)", 1, "1 to 2"},
		{"${a} ! 3", 6, "'!' must be followed"},
		{"${a} & 3", 6, "unexpected character"},
		{"${1a} = 3", 1, "not a valid field name"},
		{"1.2.3", 1, "not a number"},
		{"not ${a}", 5, "expected '('"},
		{"${a} = 'x' ${b}", 12, "unexpected ${b}"},
		{"if(1, 2 3)", 9, "expected ')' or ','"},
		{"শ > 3", 1, "unexpected name"},
		{"${age} > 3 ান্", 12, "unexpected"},
	}
	for _, tt := range tests {
		_, err := ParseExpr(tt.src)
		var pe *ExprError
		if !errors.As(err, &pe) {
			t.Errorf("ParseExpr(%q) error = %v, want *ExprError", tt.src, err)
			continue
		}
		if pe.Pos != tt.pos || !strings.Contains(pe.Msg, tt.message) {
			t.Errorf("ParseExpr(%q) = pos %d %q, want pos %d containing %q", tt.src, pe.Pos, pe.Msg, tt.pos, tt.message)
		}
	}
}

func TestExprRefsAndText(t *testing.T) {
	e := MustParseExpr("${a} > 1 and (${b} = 'x' or ${a} < 0)")
	if got := e.Refs(); !reflect.DeepEqual(got, []string{"a", "b"}) {
		t.Errorf("Refs = %v", got)
	}
	b, _ := e.MarshalText()
	var back Expr
	if err := back.UnmarshalText(b); err != nil || back.String() != e.String() {
		t.Errorf("round trip: %q, %v", back.String(), err)
	}
	var zero Expr
	if !zero.IsZero() || !zero.Bool(nil) {
		t.Error("zero Expr must be empty and true")
	}
	if e, err := ParseExpr("   "); err != nil || !e.IsZero() {
		t.Errorf("blank: %v %v", e, err)
	}
}

func TestExprDeepNesting(t *testing.T) {
	src := strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000)
	if _, err := ParseExpr(src); err == nil {
		t.Error("deep nesting accepted")
	}
	if _, err := ParseExpr(strings.Repeat("-", 5000) + "1"); err == nil {
		t.Error("deep unary nesting accepted")
	}
	ok := strings.Repeat("(", 50) + "1" + strings.Repeat(")", 50)
	if _, err := ParseExpr(ok); err != nil {
		t.Errorf("moderate nesting rejected: %v", err)
	}
}

// FuzzParseExpr checks that parsing never panics, that a parse error always
// carries a position inside the text (or just past it), and that whatever
// parses also evaluates without panicking.
func FuzzParseExpr(f *testing.F) {
	for _, s := range []string{
		"${a} > 3 and not(selected(${b}, 'x'))", "count-selected(.) <= 2", "if(${a} = '', 0, ${a} div 2)",
		"string-length(concat(${a}, 'x')) mod 3", "round(${a} * 1.5, 1) >= -2", "(((1)))", "${a", "'x", "today() > '2020-01-01'",
		"concat(concat(${a}, ${a}), concat(${a}, ${a}))", "----1", "concat(" + strings.Repeat("'a',", 5) + "'a')",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		e, err := ParseExpr(src)
		if err != nil {
			var pe *ExprError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v is not *ExprError", err)
			}
			if n := len([]rune(src)); pe.Pos < 1 || pe.Pos > n+1 {
				t.Fatalf("position %d outside 1..%d", pe.Pos, n+1)
			}
			return
		}
		env := &Env{Values: map[string]any{"a": 2.0, "b": []string{"x"}}, Current: "3", Today: time.Unix(0, 0)}
		v := e.Eval(env)
		if f, ok := v.(float64); ok && math.IsNaN(f) {
			return
		}
		_ = toString(v)
	})
}

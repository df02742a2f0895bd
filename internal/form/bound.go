package form

import (
	"fmt"
	"unicode/utf8"

	"homeward"
)

// MaxTextAnswer is the longest answer a text question takes (characters).
// It is also what the static size bound of calculations assumes for a text
// answer.
const MaxTextAnswer = 4000

// A form whose calculations could produce more text than one submission may
// (MaxEvalBytes) is refused when it is checked — at upload — rather than
// when someone fills it in: a chain of calculations each concatenating the
// previous one with itself doubles at every row, and evaluation would only
// stop it at the budget. Each calculation's worst-case size in bytes is
// bounded from its expression and the bounds of the questions it refers to.

// sizeUnbounded stands for a size past any budget (a reference cycle).
const sizeUnbounded = MaxEvalBytes + 1

// valueBound returns the largest text, in bytes, that question q's value
// can take.
func (f *Form) valueBound(q *Question, memo map[string]int, visiting map[string]bool) int {
	if n, ok := memo[q.Name]; ok {
		return n
	}
	var n int
	switch q.Type {
	case TypeText:
		n = MaxTextAnswer * utf8.UTFMax
	case TypeSelectOne, TypeSelectMultiple:
		for _, c := range f.Lists[q.List] {
			n += len(c.Name) + 1
		}
	case TypeCalculate:
		if visiting[q.Name] {
			return sizeUnbounded
		}
		visiting[q.Name] = true
		n = f.exprBound(q.Calculation.root, memo, visiting)
		delete(visiting, q.Name)
	default: // numbers, dates, notes, groups
		n = 32
	}
	n = min(n, sizeUnbounded)
	memo[q.Name] = n
	return n
}

// exprBound bounds the text an expression can produce, in bytes.
func (f *Form) exprBound(n node, memo map[string]int, visiting map[string]bool) int {
	switch x := n.(type) {
	case nil:
		return 0
	case strLit:
		return len(x)
	case refNode:
		if q := f.byName[string(x)]; q != nil {
			return f.valueBound(q, memo, visiting)
		}
		return 0
	case dotNode:
		return MaxTextAnswer * utf8.UTFMax
	case callNode:
		switch x.name {
		case "concat":
			s := 0
			for _, a := range x.args {
				s = min(s+f.exprBound(a, memo, visiting), sizeUnbounded)
			}
			return s
		case "if", "coalesce":
			m := 0
			for i, a := range x.args {
				if x.name == "if" && i == 0 {
					continue // the condition is not the value
				}
				m = max(m, f.exprBound(a, memo, visiting))
			}
			return m
		case "string":
			return f.exprBound(x.args[0], memo, visiting)
		}
	}
	return 32 // numbers, booleans and dates print short
}

// oversized returns the calculate questions whose bound exceeds what one
// submission may produce, in form order.
func (f *Form) oversized() []int {
	f.index()
	memo, visiting := map[string]int{}, map[string]bool{}
	var out []int
	for i, q := range f.Questions {
		if q.Type == TypeCalculate && !q.Calculation.IsZero() && f.valueBound(q, memo, visiting) > MaxEvalBytes {
			out = append(out, i)
		}
	}
	return out
}

// sizeError is the refusal of an oversized calculation; where names the
// field or cell.
func sizeError(v *homeward.Validation, where, name string) {
	v.AddArgs(where, "assessment.form.calculation_too_large", map[string]any{"name": name, "where": where},
		"%s: the calculation of %s can produce more text than a form may (it builds on calculations that grow each time, or on itself).", where, name)
}

// checkSizes adds to v an error for each oversized calculation.
func (f *Form) checkSizes(v *homeward.Validation) {
	for _, i := range f.oversized() {
		sizeError(v, fmt.Sprintf("questions[%d].calculation", i), f.Questions[i].Name)
	}
}

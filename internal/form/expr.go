package form

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Expr is a parsed XLSForm expression (the XPath subset that form authors
// use in relevant, constraint, required and calculation columns). It is
// parsed once and evaluated many times; the zero Expr is "no expression".
//
// Supported: ${field} references, "." (the current answer, for constraints),
// numbers, 'strings' and "strings", = != < <= > >=, and, or, + - * div mod,
// unary minus, parentheses and the functions listed in funcs (not, selected,
// count-selected, string-length, if, today, concat, coalesce, int, number,
// round, string, true, false).
//
// Values follow XPath 1.0 loosely: an unanswered field is the empty string,
// which is NaN as a number, so `${age} > 17` is false while age is empty.
type Expr struct {
	src  string
	root node
	refs []string
}

// ExprError is a parse error; Pos is the 1-based character position in the
// expression text.
type ExprError struct {
	Pos int
	Msg string
}

func (e *ExprError) Error() string { return fmt.Sprintf("at position %d: %s", e.Pos, e.Msg) }

// ParseExpr parses src. An empty (all-space) src gives the zero Expr.
func ParseExpr(src string) (Expr, error) {
	if strings.TrimSpace(src) == "" {
		return Expr{}, nil
	}
	if n := utf8.RuneCountInString(src); n > MaxExprLen {
		return Expr{}, &ExprError{Pos: MaxExprLen + 1, Msg: fmt.Sprintf("expression too long (%d characters, at most %d)", n, MaxExprLen)}
	}
	p := &parser{src: src}
	if err := p.lex(); err != nil {
		return Expr{}, err
	}
	n, err := p.parseOr()
	if err != nil {
		return Expr{}, err
	}
	if t := p.peek(); t.kind != tEOF {
		return Expr{}, p.errAt(t, "unexpected %s", t.describe())
	}
	if c := countNodes(n); c > MaxExprNodes {
		return Expr{}, &ExprError{Pos: 1, Msg: fmt.Sprintf("expression too large (%d parts, at most %d)", c, MaxExprNodes)}
	}
	return Expr{src: src, root: n, refs: p.refs}, nil
}

// MustParseExpr is ParseExpr for expressions known at compile time.
func MustParseExpr(src string) Expr {
	e, err := ParseExpr(src)
	if err != nil {
		panic(err)
	}
	return e
}

// IsZero reports whether e holds no expression.
func (e Expr) IsZero() bool { return e.root == nil }

// String returns the source text.
func (e Expr) String() string { return e.src }

// Refs returns the field names referenced with ${name}, in order of first use.
func (e Expr) Refs() []string { return append([]string(nil), e.refs...) }

// MarshalText stores an expression as its source, so that a Form round-trips
// through JSON.
func (e Expr) MarshalText() ([]byte, error) { return []byte(e.src), nil }

// UnmarshalText parses the source text.
func (e *Expr) UnmarshalText(b []byte) error {
	x, err := ParseExpr(string(b))
	if err != nil {
		return err
	}
	*e = x
	return nil
}

// Env is what an expression is evaluated against. Values holds answers keyed
// by field name as expression values: float64 for numbers, string for text
// and single choices, []string for multiple choices, time.Time for dates,
// bool; a missing key is an unanswered field. Current is the value of ".".
// Today is the date today() returns; the zero time means time.Now().
type Env struct {
	Values  map[string]any
	Current any
	Today   time.Time

	// steps and bytes count the work done with this Env (one submission
	// shares one Env), so that calculations doubling each other's text
	// cannot take the server's memory or time: past MaxEvalSteps or
	// MaxEvalBytes evaluation stops and err is ErrEvalBudget.
	steps, bytes int
	err          error
}

// Limits on one expression (checked when it is parsed, so a form holding a
// larger one is refused at upload) and on the evaluation of one
// submission.
const (
	MaxExprLen   = 4096    // characters of source
	MaxExprNodes = 1000    // nodes of the parsed expression
	MaxEvalSteps = 200_000 // nodes evaluated with one Env
	MaxEvalBytes = 1 << 20 // bytes of text produced by concat with one Env
)

// ErrEvalBudget is Env.Err once evaluation has gone past MaxEvalSteps or
// MaxEvalBytes.
var ErrEvalBudget = errors.New("form: expression evaluation exceeds its budget")

// Err reports whether evaluation with e stopped because it went past its
// budget; results evaluated after that are meaningless.
func (e *Env) Err() error { return e.err }

// step counts one node evaluated and reports whether the budget allows it.
func (e *Env) step() bool {
	if e.err != nil {
		return false
	}
	e.steps++
	if e.steps > MaxEvalSteps {
		e.err = ErrEvalBudget
		return false
	}
	return true
}

// Eval evaluates e. The result is float64, string, bool, time.Time or
// []string. A zero Expr evaluates to true, so that a missing relevant or
// constraint allows everything.
func (e Expr) Eval(env *Env) any {
	if e.root == nil {
		return true
	}
	if env == nil {
		env = &Env{}
	}
	return e.root.eval(env)
}

// Bool evaluates e as a condition.
func (e Expr) Bool(env *Env) bool { return toBool(e.Eval(env)) }

// ---- values ----

const dateLayout = "2006-01-02"

func toBool(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case float64:
		return v != 0 && !math.IsNaN(v)
	case string:
		return v != ""
	case []string:
		return len(v) > 0
	case time.Time:
		return !v.IsZero()
	}
	return false
}

func toNumber(v any) float64 {
	switch v := v.(type) {
	case bool:
		if v {
			return 1
		}
		return 0
	case float64:
		return v
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			if t, ok := parseDate(v); ok {
				return days(t)
			}
			return math.NaN()
		}
		return f
	case time.Time:
		return days(v)
	case []string:
		if len(v) == 1 {
			return toNumber(v[0])
		}
	}
	return math.NaN()
}

func toString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case bool:
		if v {
			return "true"
		}
		return "false"
	case float64:
		return formatNumber(v)
	case string:
		return v
	case time.Time:
		return v.Format(dateLayout)
	case []string:
		return strings.Join(v, " ")
	}
	return fmt.Sprint(v)
}

func formatNumber(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == math.Trunc(f) && math.Abs(f) < 1e15:
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func toList(v any) []string {
	switch v := v.(type) {
	case []string:
		return v
	case nil:
		return nil
	}
	return strings.Fields(toString(v))
}

func parseDate(s string) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if len(s) < len(dateLayout) {
		return time.Time{}, false
	}
	t, err := time.Parse(dateLayout, s[:len(dateLayout)])
	return t, err == nil
}

// days converts a date to days since 1970-01-01, the number XPath dates
// compare as.
func days(t time.Time) float64 {
	y, m, d := t.Date()
	return float64(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

func isNumberish(v any) bool {
	switch v.(type) {
	case float64, time.Time:
		return true
	}
	return false
}

// equal follows XPath: booleans compare as booleans, otherwise numbers (and
// dates) as numbers, otherwise strings.
func equal(a, b any) bool {
	_, ab := a.(bool)
	_, bb := b.(bool)
	switch {
	case ab || bb:
		return toBool(a) == toBool(b)
	case isNumberish(a) || isNumberish(b):
		return toNumber(a) == toNumber(b)
	}
	return toString(a) == toString(b)
}

// ---- AST ----

type node interface {
	eval(env *Env) any
}

type (
	numLit  float64
	strLit  string
	refNode string
	dotNode struct{}
	negNode struct{ x node }
	binNode struct {
		op   string
		l, r node
	}
	callNode struct {
		name string
		fn   *funcDef
		args []node
	}
)

// countNodes counts the nodes of the tree under n.
func countNodes(n node) int {
	switch x := n.(type) {
	case negNode:
		return 1 + countNodes(x.x)
	case binNode:
		return 1 + countNodes(x.l) + countNodes(x.r)
	case callNode:
		c := 1
		for _, a := range x.args {
			c += countNodes(a)
		}
		return c
	}
	return 1
}

func (n numLit) eval(*Env) any  { return float64(n) }
func (n strLit) eval(*Env) any  { return string(n) }
func (dotNode) eval(e *Env) any { return e.Current }
func (n negNode) eval(e *Env) any {
	return -toNumber(n.x.eval(e))
}

func (n refNode) eval(e *Env) any {
	if v, ok := e.Values[string(n)]; ok && v != nil {
		return v
	}
	return ""
}

func (n binNode) eval(e *Env) any {
	if !e.step() {
		return ""
	}
	switch n.op {
	case "and":
		return toBool(n.l.eval(e)) && toBool(n.r.eval(e))
	case "or":
		return toBool(n.l.eval(e)) || toBool(n.r.eval(e))
	}
	l, r := n.l.eval(e), n.r.eval(e)
	switch n.op {
	case "=":
		return equal(l, r)
	case "!=":
		return !equal(l, r)
	}
	a, b := toNumber(l), toNumber(r)
	switch n.op {
	case "<":
		return a < b
	case "<=":
		return a <= b
	case ">":
		return a > b
	case ">=":
		return a >= b
	case "+":
		return a + b
	case "-":
		return a - b
	case "*":
		return a * b
	case "div":
		return a / b
	case "mod":
		return math.Mod(a, b)
	}
	panic("form: unknown operator " + n.op)
}

func (n callNode) eval(e *Env) any {
	if !e.step() {
		return ""
	}
	return n.fn.call(e, n.args)
}

type funcDef struct {
	min, max int // arity; max < 0 means variadic
	call     func(e *Env, args []node) any
}

var funcs map[string]*funcDef

func init() {
	arg := func(e *Env, args []node, i int) any { return args[i].eval(e) }
	funcs = map[string]*funcDef{
		"not":   {1, 1, func(e *Env, a []node) any { return !toBool(arg(e, a, 0)) }},
		"true":  {0, 0, func(*Env, []node) any { return true }},
		"false": {0, 0, func(*Env, []node) any { return false }},
		"selected": {2, 2, func(e *Env, a []node) any {
			want := strings.TrimSpace(toString(arg(e, a, 1)))
			for _, s := range toList(arg(e, a, 0)) {
				if s == want {
					return true
				}
			}
			return false
		}},
		"count-selected": {1, 1, func(e *Env, a []node) any { return float64(len(toList(arg(e, a, 0)))) }},
		"string-length":  {1, 1, func(e *Env, a []node) any { return float64(utf8.RuneCountInString(toString(arg(e, a, 0)))) }},
		"if": {3, 3, func(e *Env, a []node) any {
			if toBool(arg(e, a, 0)) {
				return arg(e, a, 1)
			}
			return arg(e, a, 2)
		}},
		"today": {0, 0, func(e *Env, _ []node) any {
			t := e.Today
			if t.IsZero() {
				t = time.Now()
			}
			y, m, d := t.Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		}},
		"concat": {0, -1, func(e *Env, a []node) any {
			var b strings.Builder
			for i := range a {
				s := toString(arg(e, a, i))
				if e.err != nil {
					return ""
				}
				if e.bytes += len(s); e.bytes > MaxEvalBytes {
					e.err = ErrEvalBudget
					return ""
				}
				b.WriteString(s)
			}
			return b.String()
		}},
		"coalesce": {2, 2, func(e *Env, a []node) any {
			if v := arg(e, a, 0); toString(v) != "" {
				return v
			}
			return arg(e, a, 1)
		}},
		"int":    {1, 1, func(e *Env, a []node) any { return math.Trunc(toNumber(arg(e, a, 0))) }},
		"number": {1, 1, func(e *Env, a []node) any { return toNumber(arg(e, a, 0)) }},
		"string": {1, 1, func(e *Env, a []node) any { return toString(arg(e, a, 0)) }},
		"round": {1, 2, func(e *Env, a []node) any {
			x, p := toNumber(arg(e, a, 0)), 0.0
			if len(a) == 2 {
				p = math.Trunc(toNumber(arg(e, a, 1)))
			}
			if p < -15 || p > 15 || math.IsNaN(p) {
				return x
			}
			s := math.Pow(10, p)
			return math.Floor(x*s+0.5) / s
		}},
	}
}

// ---- lexer and parser ----

type tokKind int

const (
	tEOF tokKind = iota
	tNum
	tStr
	tRef
	tDot
	tIdent
	tOp
	tLParen
	tRParen
	tComma
)

type token struct {
	kind tokKind
	text string // operator, identifier, string value or field name
	num  float64
	pos  int // 1-based rune position
}

func (t token) describe() string {
	switch t.kind {
	case tEOF:
		return "end of expression"
	case tStr:
		return fmt.Sprintf("string '%s'", t.text)
	case tRef:
		return "${" + t.text + "}"
	case tNum:
		return "number " + formatNumber(t.num)
	}
	return fmt.Sprintf("%q", t.text)
}

type parser struct {
	src  string
	toks []token
	i    int
	refs []string
	// depth limits nesting so that hostile input cannot exhaust the stack.
	depth int
}

const maxDepth = 200

func (p *parser) errAt(t token, format string, args ...any) error {
	return &ExprError{Pos: t.pos, Msg: fmt.Sprintf(format, args...)}
}

func isNameStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isNameChar(r rune) bool {
	return isNameStart(r) || unicode.IsDigit(r) || r == '-' || r == '.'
}

func (p *parser) lex() error {
	rs := []rune(p.src)
	for i := 0; i < len(rs); {
		r := rs[i]
		pos := i + 1
		switch {
		case unicode.IsSpace(r):
			i++
		case r == '$':
			if i+1 >= len(rs) || rs[i+1] != '{' {
				return &ExprError{pos, "expected '{' after '$'"}
			}
			j := i + 2
			for j < len(rs) && rs[j] != '}' {
				j++
			}
			if j >= len(rs) {
				return &ExprError{pos, "unclosed ${"}
			}
			name := strings.TrimSpace(string(rs[i+2 : j]))
			if !validName(name) {
				return &ExprError{pos, fmt.Sprintf("%q is not a valid field name", name)}
			}
			p.toks = append(p.toks, token{kind: tRef, text: name, pos: pos})
			p.addRef(name)
			i = j + 1
		case r == '\'' || r == '"':
			j := i + 1
			for j < len(rs) && rs[j] != r {
				j++
			}
			if j >= len(rs) {
				return &ExprError{pos, "unclosed string"}
			}
			p.toks = append(p.toks, token{kind: tStr, text: string(rs[i+1 : j]), pos: pos})
			i = j + 1
		case unicode.IsDigit(r) || (r == '.' && i+1 < len(rs) && unicode.IsDigit(rs[i+1])):
			j := i
			for j < len(rs) && (unicode.IsDigit(rs[j]) || rs[j] == '.') {
				j++
			}
			f, err := strconv.ParseFloat(string(rs[i:j]), 64)
			if err != nil || strings.ContainsAny(string(rs[i:j]), "eE") {
				return &ExprError{pos, fmt.Sprintf("%q is not a number", string(rs[i:j]))}
			}
			p.toks = append(p.toks, token{kind: tNum, num: f, text: string(rs[i:j]), pos: pos})
			i = j
		case r == '.':
			p.toks = append(p.toks, token{kind: tDot, text: ".", pos: pos})
			i++
		case isNameStart(r):
			j := i
			for j < len(rs) && isNameChar(rs[j]) {
				j++
			}
			word := string(rs[i:j])
			switch word {
			case "and", "or", "div", "mod":
				p.toks = append(p.toks, token{kind: tOp, text: word, pos: pos})
			default:
				p.toks = append(p.toks, token{kind: tIdent, text: word, pos: pos})
			}
			i = j
		case r == '(':
			p.toks = append(p.toks, token{kind: tLParen, text: "(", pos: pos})
			i++
		case r == ')':
			p.toks = append(p.toks, token{kind: tRParen, text: ")", pos: pos})
			i++
		case r == ',':
			p.toks = append(p.toks, token{kind: tComma, text: ",", pos: pos})
			i++
		case r == '!' || r == '<' || r == '>':
			op := string(r)
			if i+1 < len(rs) && rs[i+1] == '=' {
				op += "="
			}
			if op == "!" {
				return &ExprError{pos, "'!' must be followed by '=' (use not(...) to negate)"}
			}
			p.toks = append(p.toks, token{kind: tOp, text: op, pos: pos})
			i += len(op)
		case r == '=' || r == '+' || r == '-' || r == '*':
			p.toks = append(p.toks, token{kind: tOp, text: string(r), pos: pos})
			i++
		default:
			return &ExprError{pos, fmt.Sprintf("unexpected character %q", r)}
		}
	}
	p.toks = append(p.toks, token{kind: tEOF, pos: len(rs) + 1})
	return nil
}

func (p *parser) addRef(name string) {
	for _, r := range p.refs {
		if r == name {
			return
		}
	}
	p.refs = append(p.refs, name)
}

func (p *parser) peek() token { return p.toks[p.i] }
func (p *parser) next() token {
	t := p.toks[p.i]
	if t.kind != tEOF {
		p.i++
	}
	return t
}

func (p *parser) isOp(ops ...string) (string, bool) {
	t := p.peek()
	if t.kind != tOp {
		return "", false
	}
	for _, o := range ops {
		if t.text == o {
			return o, true
		}
	}
	return "", false
}

// binary parses one precedence level of left-associative operators.
func (p *parser) binary(sub func() (node, error), ops ...string) (node, error) {
	l, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		op, ok := p.isOp(ops...)
		if !ok {
			return l, nil
		}
		p.next()
		r, err := sub()
		if err != nil {
			return nil, err
		}
		l = binNode{op: op, l: l, r: r}
	}
}

func (p *parser) parseOr() (node, error) {
	p.depth++
	defer func() { p.depth-- }()
	if p.depth > maxDepth {
		return nil, p.errAt(p.peek(), "expression nested too deeply")
	}
	return p.binary(p.parseAnd, "or")
}
func (p *parser) parseAnd() (node, error) { return p.binary(p.parseEq, "and") }
func (p *parser) parseEq() (node, error)  { return p.binary(p.parseRel, "=", "!=") }
func (p *parser) parseRel() (node, error) { return p.binary(p.parseAdd, "<", "<=", ">", ">=") }
func (p *parser) parseAdd() (node, error) { return p.binary(p.parseMul, "+", "-") }
func (p *parser) parseMul() (node, error) { return p.binary(p.parseUnary, "*", "div", "mod") }

func (p *parser) parseUnary() (node, error) {
	if _, ok := p.isOp("-"); ok {
		p.next()
		p.depth++
		defer func() { p.depth-- }()
		if p.depth > maxDepth {
			return nil, p.errAt(p.peek(), "expression nested too deeply")
		}
		x, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		return negNode{x}, nil
	}
	return p.parsePrimary()
}

func (p *parser) parsePrimary() (node, error) {
	t := p.next()
	switch t.kind {
	case tNum:
		return numLit(t.num), nil
	case tStr:
		return strLit(t.text), nil
	case tRef:
		return refNode(t.text), nil
	case tDot:
		return dotNode{}, nil
	case tLParen:
		n, err := p.parseOr()
		if err != nil {
			return nil, err
		}
		if c := p.next(); c.kind != tRParen {
			return nil, p.errAt(c, "expected ')' but found %s", c.describe())
		}
		return n, nil
	case tIdent:
		fn, ok := funcs[t.text]
		if !ok {
			if p.peek().kind == tLParen {
				return nil, p.errAt(t, "unknown function %s()", t.text)
			}
			return nil, p.errAt(t, "unexpected name %q (write a field as ${%s} and text in quotes)", t.text, t.text)
		}
		if c := p.next(); c.kind != tLParen {
			return nil, p.errAt(c, "expected '(' after %s", t.text)
		}
		var args []node
		if p.peek().kind != tRParen {
			for {
				a, err := p.parseOr()
				if err != nil {
					return nil, err
				}
				args = append(args, a)
				if p.peek().kind != tComma {
					break
				}
				p.next()
			}
		}
		if c := p.next(); c.kind != tRParen {
			return nil, p.errAt(c, "expected ')' or ',' but found %s", c.describe())
		}
		if len(args) < fn.min || (fn.max >= 0 && len(args) > fn.max) {
			want := strconv.Itoa(fn.min)
			switch {
			case fn.max < 0:
				want = "at least " + want
			case fn.max != fn.min:
				want = fmt.Sprintf("%d to %d", fn.min, fn.max)
			}
			return nil, p.errAt(t, "%s() takes %s argument(s), not %d", t.text, want, len(args))
		}
		return callNode{name: t.text, fn: fn, args: args}, nil
	}
	return nil, p.errAt(t, "unexpected %s", t.describe())
}

package i18n

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	xmessage "golang.org/x/text/message"
	"golang.org/x/text/number"
)

// grouping is how a locale's number printer writes a non-negative
// number, read once from the printer itself: its digits, the separator
// of groups and of the fraction, the size of the last group and of the
// groups before it (3 and 3 in English; 3 and 2 in Bangla's lakh and
// crore). A dashboard by district formats thousands of figures, and the
// printer costs microseconds and allocations each; this writes the same
// text, and Number falls back to the printer for anything else
// (negative numbers, which carry bidi marks in some locales; more than
// three decimals, which the printer rounds; a fraction of a billion and
// more, which it writes from the binary value rather than the shortest).
type grouping struct {
	digits             [10]string
	group, decimal     string
	primary, secondary int
}

// groupingOf reads p's way with numbers, or returns nil.
func groupingOf(p *xmessage.Printer) *grouping {
	g := &grouping{}
	// 1234567890 shows every digit once, in order, and its groups.
	s := p.Sprint(number.Decimal(int64(1234567890)))
	var groups []int
	next, run := 1, 0
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if unicode.IsDigit(r) {
			g.digits[next%10] = s[i : i+n]
			next++
			run++
			i += n
			continue
		}
		j := i
		for j < len(s) {
			r, n := utf8.DecodeRuneInString(s[j:])
			if unicode.IsDigit(r) {
				break
			}
			j += n
		}
		if g.group != "" && g.group != s[i:j] || run == 0 {
			return nil
		}
		g.group = s[i:j]
		groups = append(groups, run)
		run, i = 0, j
	}
	groups = append(groups, run)
	if next != 11 || len(groups) < 3 {
		return nil
	}
	g.primary, g.secondary = groups[len(groups)-1], groups[len(groups)-2]
	if g.primary < 1 || g.secondary < 1 {
		return nil
	}
	whole := g.integer(nil, "1234567")
	f := p.Sprint(number.Decimal(1234567.25))
	frac := g.digits[2] + g.digits[5]
	if !strings.HasPrefix(f, string(whole)) || !strings.HasSuffix(f, frac) || len(f) <= len(whole)+len(frac) {
		return nil
	}
	g.decimal = f[len(whole) : len(f)-len(frac)]
	// Small numbers: some locales leave four digits ungrouped.
	for _, n := range []int64{0, 7, 12, 123, 1234, 12345, 123456} {
		if p.Sprint(number.Decimal(n)) != string(g.integer(nil, strconv.FormatInt(n, 10))) {
			return nil
		}
	}
	return g
}

// integer appends the ASCII digits of a non-negative integer, grouped
// and in the locale's digits.
func (g *grouping) integer(b []byte, ascii string) []byte {
	n := len(ascii)
	for i := 0; i < n; i++ {
		b = append(b, g.digits[ascii[i]-'0']...)
		left := n - 1 - i // digits still to write
		if left == 0 {
			break
		}
		if left == g.primary || left > g.primary && (left-g.primary)%g.secondary == 0 {
			b = append(b, g.group...)
		}
	}
	return b
}

// format writes n as the printer would, or reports false.
func (g *grouping) format(n any) (string, bool) {
	var ascii, frac string
	switch v := n.(type) {
	case int:
		if v < 0 {
			return "", false
		}
		ascii = strconv.Itoa(v)
	case int64:
		if v < 0 {
			return "", false
		}
		ascii = strconv.FormatInt(v, 10)
	case int32:
		if v < 0 {
			return "", false
		}
		ascii = strconv.FormatInt(int64(v), 10)
	case uint:
		ascii = strconv.FormatUint(uint64(v), 10)
	case uint64:
		ascii = strconv.FormatUint(v, 10)
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) || math.Signbit(v) || v >= 1e9 {
			return "", false
		}
		ascii = strconv.FormatFloat(v, 'f', -1, 64)
		if i := strings.IndexByte(ascii, '.'); i >= 0 {
			ascii, frac = ascii[:i], ascii[i+1:]
			if len(frac) > 3 {
				return "", false
			}
		}
	default:
		return "", false
	}
	if len(ascii) > 18 {
		return "", false
	}
	b := g.integer(make([]byte, 0, 4*len(ascii)+8), ascii)
	if frac != "" {
		b = append(b, g.decimal...)
		for i := 0; i < len(frac); i++ {
			b = append(b, g.digits[frac[i]-'0']...)
		}
	}
	return string(b), true
}

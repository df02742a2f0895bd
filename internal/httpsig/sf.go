package httpsig

import (
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
)

// This file holds the small part of RFC 8941 (Structured Field Values)
// that Signature-Input, Signature and Content-Digest use: dictionaries
// whose members are byte sequences or inner lists of strings, with
// parameters that are integers, strings or tokens.

// Param is one parameter of an item or inner list; Value is an int64, a
// string (sf-string) or a Token.
type Param struct {
	Name  string
	Value any
}

// Token is an sf-token value (as opposed to an sf-string).
type Token string

// member is one dictionary member: either Bytes (a byte sequence), or
// List (an inner list of strings), or Item (a string or token), with its
// parameters.
type member struct {
	Name   string
	Bytes  []byte
	IsList bool
	List   []string
	Params []Param
}

// serializeString writes an sf-string.
func serializeString(s string) (string, error) {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e {
			return "", fmt.Errorf("character %q is not allowed in a structured string", c)
		}
		if c == '"' || c == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	b.WriteByte('"')
	return b.String(), nil
}

func serializeParams(ps []Param) (string, error) {
	var b strings.Builder
	for _, p := range ps {
		b.WriteByte(';')
		b.WriteString(p.Name)
		switch v := p.Value.(type) {
		case int64:
			b.WriteByte('=')
			b.WriteString(strconv.FormatInt(v, 10))
		case string:
			s, err := serializeString(v)
			if err != nil {
				return "", err
			}
			b.WriteByte('=')
			b.WriteString(s)
		case Token:
			b.WriteByte('=')
			b.WriteString(string(v))
		case bool:
			if !v {
				b.WriteString("=?0")
			}
		default:
			return "", fmt.Errorf("parameter %s has an unsupported type %T", p.Name, p.Value)
		}
	}
	return b.String(), nil
}

// serializeInnerList writes an inner list of strings with parameters.
func serializeInnerList(items []string, ps []Param) (string, error) {
	var b strings.Builder
	b.WriteByte('(')
	for i, it := range items {
		if i > 0 {
			b.WriteByte(' ')
		}
		s, err := serializeString(it)
		if err != nil {
			return "", err
		}
		b.WriteString(s)
	}
	b.WriteByte(')')
	p, err := serializeParams(ps)
	if err != nil {
		return "", err
	}
	b.WriteString(p)
	return b.String(), nil
}

// parser reads structured fields from one header value.
type parser struct {
	s string
	i int
}

func (p *parser) err(what string) error {
	return fmt.Errorf("malformed structured field at offset %d: %s", p.i, what)
}

func (p *parser) skipSP() {
	for p.i < len(p.s) && p.s[p.i] == ' ' {
		p.i++
	}
}

func (p *parser) skipOWS() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t') {
		p.i++
	}
}

func isLcalpha(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool   { return c >= '0' && c <= '9' }

func (p *parser) key() (string, error) {
	if p.i >= len(p.s) || !(isLcalpha(p.s[p.i]) || p.s[p.i] == '*') {
		return "", p.err("a key must start with a lower-case letter or *")
	}
	start := p.i
	for p.i < len(p.s) {
		c := p.s[p.i]
		if isLcalpha(c) || isDigit(c) || c == '_' || c == '-' || c == '.' || c == '*' {
			p.i++
			continue
		}
		break
	}
	return p.s[start:p.i], nil
}

func (p *parser) str() (string, error) {
	if p.i >= len(p.s) || p.s[p.i] != '"' {
		return "", p.err("a string must start with \"")
	}
	p.i++
	var b strings.Builder
	for p.i < len(p.s) {
		c := p.s[p.i]
		p.i++
		switch {
		case c == '\\':
			if p.i >= len(p.s) || (p.s[p.i] != '"' && p.s[p.i] != '\\') {
				return "", p.err("bad escape in string")
			}
			b.WriteByte(p.s[p.i])
			p.i++
		case c == '"':
			return b.String(), nil
		case c < 0x20 || c > 0x7e:
			return "", p.err("bad character in string")
		default:
			b.WriteByte(c)
		}
	}
	return "", p.err("unterminated string")
}

func (p *parser) integer() (int64, error) {
	start := p.i
	if p.i < len(p.s) && p.s[p.i] == '-' {
		p.i++
	}
	for p.i < len(p.s) && isDigit(p.s[p.i]) {
		p.i++
	}
	if p.i < len(p.s) && p.s[p.i] == '.' {
		return 0, p.err("decimals are not accepted here")
	}
	digits := p.s[start:p.i]
	if digits == "" || digits == "-" || len(strings.TrimPrefix(digits, "-")) > 15 {
		return 0, p.err("bad integer")
	}
	return strconv.ParseInt(digits, 10, 64)
}

func (p *parser) token() (Token, error) {
	start := p.i
	if p.i >= len(p.s) || !(p.s[p.i] == '*' || (p.s[p.i]|0x20 >= 'a' && p.s[p.i]|0x20 <= 'z')) {
		return "", p.err("bad token")
	}
	for p.i < len(p.s) && strings.IndexByte("!#$%&'*+-.^_`|~:/", p.s[p.i]) >= 0 || p.i < len(p.s) && (isDigit(p.s[p.i]) || p.s[p.i]|0x20 >= 'a' && p.s[p.i]|0x20 <= 'z') {
		p.i++
	}
	return Token(p.s[start:p.i]), nil
}

func (p *parser) bytes() ([]byte, error) {
	if p.i >= len(p.s) || p.s[p.i] != ':' {
		return nil, p.err("a byte sequence must start with :")
	}
	end := strings.IndexByte(p.s[p.i+1:], ':')
	if end < 0 {
		return nil, p.err("unterminated byte sequence")
	}
	b, err := base64.StdEncoding.DecodeString(p.s[p.i+1 : p.i+1+end])
	if err != nil {
		return nil, p.err("byte sequence is not base64")
	}
	p.i += end + 2
	return b, nil
}

// bareItem reads an integer, string, token or boolean.
func (p *parser) bareItem() (any, error) {
	if p.i >= len(p.s) {
		return nil, p.err("missing value")
	}
	switch c := p.s[p.i]; {
	case c == '-' || isDigit(c):
		return p.integer()
	case c == '"':
		return p.str()
	case c == '?':
		if p.i+1 < len(p.s) && (p.s[p.i+1] == '0' || p.s[p.i+1] == '1') {
			p.i += 2
			return p.s[p.i-1] == '1', nil
		}
		return nil, p.err("bad boolean")
	default:
		return p.token()
	}
}

func (p *parser) params() ([]Param, error) {
	var ps []Param
	for p.i < len(p.s) && p.s[p.i] == ';' {
		p.i++
		p.skipSP()
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		var v any = true
		if p.i < len(p.s) && p.s[p.i] == '=' {
			p.i++
			if v, err = p.bareItem(); err != nil {
				return nil, err
			}
		}
		replaced := false
		for j := range ps {
			if ps[j].Name == k {
				ps[j].Value, replaced = v, true
			}
		}
		if !replaced {
			ps = append(ps, Param{k, v})
		}
	}
	return ps, nil
}

// parseDictionary reads a dictionary whose members are byte sequences,
// inner lists of strings, or strings/tokens (kept in List as one element).
func parseDictionary(s string) ([]member, error) {
	p := &parser{s: strings.TrimLeft(s, " \t")}
	var out []member
	for p.i < len(p.s) {
		k, err := p.key()
		if err != nil {
			return nil, err
		}
		m := member{Name: k}
		if p.i >= len(p.s) || p.s[p.i] != '=' {
			return nil, p.err("a member must have a value")
		}
		p.i++
		switch {
		case p.i < len(p.s) && p.s[p.i] == '(':
			p.i++
			m.IsList = true
			m.List = []string{}
			for {
				p.skipSP()
				if p.i < len(p.s) && p.s[p.i] == ')' {
					p.i++
					break
				}
				it, err := p.str()
				if err != nil {
					return nil, err
				}
				if p.i < len(p.s) && p.s[p.i] == ';' {
					return nil, p.err("component parameters are not supported")
				}
				m.List = append(m.List, it)
				if p.i < len(p.s) && p.s[p.i] != ' ' && p.s[p.i] != ')' {
					return nil, p.err("items of an inner list are separated by spaces")
				}
			}
		case p.i < len(p.s) && p.s[p.i] == ':':
			if m.Bytes, err = p.bytes(); err != nil {
				return nil, err
			}
		default:
			v, err := p.bareItem()
			if err != nil {
				return nil, err
			}
			m.List = []string{fmt.Sprint(v)}
		}
		if m.Params, err = p.params(); err != nil {
			return nil, err
		}
		dup := false
		for j := range out {
			if out[j].Name == k {
				out[j], dup = m, true
			}
		}
		if !dup {
			out = append(out, m)
		}
		p.skipOWS()
		if p.i >= len(p.s) {
			break
		}
		if p.s[p.i] != ',' {
			return nil, p.err("members are separated by commas")
		}
		p.i++
		p.skipOWS()
		if p.i >= len(p.s) {
			return nil, p.err("trailing comma")
		}
	}
	return out, nil
}

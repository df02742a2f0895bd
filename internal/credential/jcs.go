package credential

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf16"
)

// Canonical writes a JSON document in the JSON Canonicalization Scheme
// (RFC 8785): no white space, object members sorted by the UTF-16 code
// units of their names, strings escaped minimally, numbers as ECMAScript
// prints them. Duplicate member names are refused (I-JSON).
func Canonical(doc []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	v, err := decodeStrict(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("jcs: data after the JSON value")
	}
	var b bytes.Buffer
	if err := writeCanonical(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// CanonicalValue writes an already decoded value (from encoding/json, with
// or without UseNumber) canonically.
func CanonicalValue(v any) ([]byte, error) {
	var b bytes.Buffer
	if err := writeCanonical(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// member keeps an object's members in document order while decoding, so
// that duplicates can be found.
type object []member

type member struct {
	name  string
	value any
}

func decodeStrict(dec *json.Decoder) (any, error) {
	t, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := t.(type) {
	case json.Delim:
		switch t {
		case '{':
			var obj object
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				name := k.(string)
				if seen[name] {
					return nil, fmt.Errorf("jcs: the member %q appears twice", name)
				}
				seen[name] = true
				v, err := decodeStrict(dec)
				if err != nil {
					return nil, err
				}
				obj = append(obj, member{name, v})
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return obj, nil
		case '[':
			arr := []any{}
			for dec.More() {
				v, err := decodeStrict(dec)
				if err != nil {
					return nil, err
				}
				arr = append(arr, v)
			}
			if _, err := dec.Token(); err != nil {
				return nil, err
			}
			return arr, nil
		}
		return nil, fmt.Errorf("jcs: unexpected %v", t)
	default:
		return t, nil // string, json.Number, bool, nil
	}
}

func writeCanonical(b *bytes.Buffer, v any) error {
	switch v := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		b.WriteString(strconv.FormatBool(v))
	case string:
		writeString(b, v)
	case json.Number:
		f, err := strconv.ParseFloat(string(v), 64)
		if err != nil {
			return fmt.Errorf("jcs: the number %s: %w", v, err)
		}
		return writeNumber(b, f)
	case float64:
		return writeNumber(b, v)
	case int:
		return writeNumber(b, float64(v))
	case int64:
		return writeNumber(b, float64(v))
	case []any:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeCanonical(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case []string:
		b.WriteByte('[')
		for i, e := range v {
			if i > 0 {
				b.WriteByte(',')
			}
			writeString(b, e)
		}
		b.WriteByte(']')
	case object:
		m := make(map[string]any, len(v))
		for _, e := range v {
			m[e.name] = e.value
		}
		return writeObject(b, m)
	case map[string]any:
		return writeObject(b, v)
	default:
		return fmt.Errorf("jcs: cannot write a %T", v)
	}
	return nil
}

func writeObject(b *bytes.Buffer, m map[string]any) error {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	// Sorted by UTF-16 code units, not by UTF-8 bytes (they differ above
	// the Basic Multilingual Plane).
	slices.SortFunc(names, func(a, c string) int { return slices.Compare(utf16.Encode([]rune(a)), utf16.Encode([]rune(c))) })
	b.WriteByte('{')
	for i, k := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		writeString(b, k)
		b.WriteByte(':')
		if err := writeCanonical(b, m[k]); err != nil {
			return err
		}
	}
	b.WriteByte('}')
	return nil
}

// writeString escapes as ECMAScript's JSON.stringify does: the two-letter
// escapes, \u00XX for other control characters, everything else as is.
func writeString(b *bytes.Buffer, s string) {
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		default:
			if r < 0x20 {
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// writeNumber prints f as ECMAScript's Number.prototype.toString does
// (RFC 8785, section 3.2.2.3): the shortest digits that round-trip, in
// plain notation from 1e-6 to below 1e21, in exponent notation otherwise.
func writeNumber(b *bytes.Buffer, f float64) error {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return errors.New("jcs: NaN and infinities are not JSON")
	}
	if f == 0 {
		b.WriteByte('0') // also -0
		return nil
	}
	if f < 0 {
		b.WriteByte('-')
		f = -f
	}
	// digits and exponent n as in ECMAScript: f = 0.d1d2…dk × 10^n
	e := strconv.FormatFloat(f, 'e', -1, 64) // d.ddddde±XX
	mant, exp, _ := strings.Cut(e, "e")
	digits := strings.Replace(mant, ".", "", 1)
	x, _ := strconv.Atoi(exp)
	n := x + 1
	k := len(digits)
	switch {
	case k <= n && n <= 21:
		b.WriteString(digits)
		b.WriteString(strings.Repeat("0", n-k))
	case 0 < n && n <= 21:
		b.WriteString(digits[:n])
		b.WriteByte('.')
		b.WriteString(digits[n:])
	case -6 < n && n <= 0:
		b.WriteString("0.")
		b.WriteString(strings.Repeat("0", -n))
		b.WriteString(digits)
	default:
		b.WriteString(digits[:1])
		if k > 1 {
			b.WriteByte('.')
			b.WriteString(digits[1:])
		}
		b.WriteByte('e')
		if n-1 >= 0 {
			b.WriteByte('+')
		}
		b.WriteString(strconv.Itoa(n - 1))
	}
	return nil
}

// Package registry holds the returnee registry's domain logic: the person, the
// migration episodes and the return, the quick reception registration, consent,
// the case and its lifecycle, name search keys, and the bulk import and export
// formats. It is pure: no database and no HTTP. Storage stores these types as
// they are and the API uses them as its wire format (JSON tags are snake_case).
//
// Every Validate method returns all problems at once as a homeward EINVALID
// error whose fields are JSON paths (for example "phones[1]" or
// "episodes[0].return.date") and whose keys are in the registry message
// catalog (internal/i18n/locales/*/registry.json).
package registry

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"homeward"
)

// Sex is a person's sex as recorded at registration.
type Sex string

// The recorded sexes.
const (
	SexFemale  Sex = "female"
	SexMale    Sex = "male"
	SexOther   Sex = "other"
	SexUnknown Sex = "unknown"
)

// Sexes lists every Sex in display order.
var Sexes = []Sex{SexFemale, SexMale, SexOther, SexUnknown}

// Limits on free text so that a single record cannot grow without bound.
const (
	maxName    = 100
	maxText    = 2000
	maxShort   = 200
	maxAliases = 20
	maxList    = 50
)

// validChoice reports whether v is one of allowed.
func validChoice[T ~string](v T, allowed []T) bool { return slices.Contains(allowed, v) }

// choiceErr records the standard "not one of the allowed values" error.
func choiceErr(v *homeward.Validation, field, value string) {
	v.AddArgs(field, "error.field.invalid_choice", map[string]any{"value": value}, "“%s” is not one of the allowed values.", value)
}

// required records the standard "required" error.
func required(v *homeward.Validation, field string) {
	v.Add(field, "error.field.required", "This field is required.")
}

// tooLong records the standard "too long" error when s has more than max
// characters and reports whether it did.
func tooLong(v *homeward.Validation, field, s string, max int) bool {
	if utf8.RuneCountInString(s) > max {
		v.AddArgs(field, "error.field.too_long", map[string]any{"max": max}, "This is too long (at most %d characters).", max)
		return true
	}
	return false
}

// checkText validates optional free text: length and no control characters
// (other than newlines and tabs, which forms legitimately send).
func checkText(v *homeward.Validation, field, s string, max int) {
	if tooLong(v, field, s, max) {
		return
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' {
			v.Add(field, "registry.text.control", "This text contains control characters.")
			return
		}
	}
}

// listLimit records an error when a list has more than max entries.
func listLimit(v *homeward.Validation, field string, n, max int) bool {
	if n > max {
		v.AddArgs(field, "registry.list.too_many", map[string]any{"max": max}, "At most %d entries are allowed.", max)
		return true
	}
	return false
}

// idx builds a JSON path element such as "phones[2]".
func idx(field string, i int) string {
	return field + "[" + itoa(i) + "]"
}

func itoa(i int) string {
	if i >= 0 && i < 10 {
		return string(rune('0' + i))
	}
	var b [20]byte
	n := len(b)
	neg := i < 0
	if neg {
		i = -i
	}
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	if neg {
		n--
		b[n] = '-'
	}
	return string(b[n:])
}

// clean trims s and collapses runs of white space to one space.
func clean(s string) string {
	s = strings.TrimSpace(s)
	if !strings.ContainsFunc(s, func(r rune) bool { return unicode.IsSpace(r) && r != ' ' }) && !strings.Contains(s, "  ") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

// Package homeward holds the domain of the Homeward return-and-reintegration
// system: its types, validation rules, authorization policy and the service
// interfaces that storage adapters implement. It imports no sibling package and
// knows nothing of SQL or HTTP.
package homeward

import (
	"errors"
	"fmt"
)

// Error codes. Each maps to one HTTP status in internal/httpx; callers test
// them with ErrorCode.
const (
	EINVALID      = "invalid"      // the input breaks a validation rule
	ENOTFOUND     = "not_found"    // the record does not exist or the caller may not know it does
	ECONFLICT     = "conflict"     // the write clashes with existing state (duplicate key, wrong state)
	EPRECONDITION = "precondition" // If-Match / version is stale
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // authenticated but not allowed
	ETOOLARGE     = "too_large"    // request body or file over the limit
	ERATELIMIT    = "rate_limited" // too many attempts (login back-off)
	EMETHOD       = "method"       // the address does not take this HTTP method
	EUNAVAILABLE  = "unavailable"  // the database or the server cannot take the request now; retry later
	EINTERNAL     = "internal"     // anything unexpected; details are logged, never shown
)

// Error is the error type that crosses layers. Message is safe to show to a
// user (English); Key and Args select the translated message in the catalog;
// Field names the input at fault, as a JSON path such as "phones[1]" or, in
// imports, a column name.
type Error struct {
	Code    string
	Key     string
	Message string
	Field   string
	Args    map[string]any
	// Fields carries several field errors at once (validation of a whole
	// record); when present, the top-level Field is empty.
	Fields []FieldError
}

// FieldError is one problem with one input field.
type FieldError struct {
	Field   string         `json:"field"`
	Key     string         `json:"-"`
	Message string         `json:"message"`
	Args    map[string]any `json:"-"`
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("homeward error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	if len(e.Fields) > 0 {
		return fmt.Sprintf("homeward error: code=%s message=%s (%d fields, first %s: %s)", e.Code, e.Message, len(e.Fields), e.Fields[0].Field, e.Fields[0].Message)
	}
	return fmt.Sprintf("homeward error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and message and a translation
// key. The message is English and safe to show.
func Errorf(code, key, format string, args ...any) *Error {
	return &Error{Code: code, Key: key, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an EINVALID error for one field.
func FieldErrorf(field, key, format string, args ...any) *Error {
	return &Error{Code: EINVALID, Key: key, Field: field, Message: fmt.Sprintf(format, args...)}
}

// classifiers recognise errors of the infrastructure (a database that is
// down, a full disk) that are not *Error; see RegisterClassifier.
var classifiers []func(error) *Error

// RegisterClassifier adds f to the functions that turn an error that is
// not an *Error into one (f returns nil for errors it does not know). A
// storage adapter registers one in its init, as database drivers register
// with database/sql, so that every layer codes a database outage the same
// way without knowing the driver. It must not be called once requests are
// served.
func RegisterClassifier(f func(error) *Error) { classifiers = append(classifiers, f) }

// AsError returns the first *Error in err's chain, or what a registered
// classifier makes of err, or nil.
func AsError(err error) *Error {
	var e *Error
	if err == nil {
		return nil
	} else if errors.As(err, &e) {
		return e
	}
	for _, f := range classifiers {
		if e := f(err); e != nil {
			return e
		}
	}
	return nil
}

// ErrorCode returns the code of the first *Error in err's chain (or of the
// error a registered classifier makes of it), EINTERNAL for any other
// non-nil error and "" for nil.
func ErrorCode(err error) string {
	if err == nil {
		return ""
	} else if e := AsError(err); e != nil {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the safe message of err, or a generic one for errors
// that are not *Error (their text may hold internals).
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// Validation collects field errors so that a form or import row reports every
// problem at once instead of only the first.
type Validation struct {
	fields []FieldError
}

// Add records a problem with field. Key is the catalog key; the English
// message is formatted from format and args.
func (v *Validation) Add(field, key, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Key: key, Message: fmt.Sprintf(format, args...)})
}

// AddArgs is Add with named arguments for the translated message.
func (v *Validation) AddArgs(field, key string, named map[string]any, format string, args ...any) {
	v.fields = append(v.fields, FieldError{Field: field, Key: key, Message: fmt.Sprintf(format, args...), Args: named})
}

// Merge adds the field errors of err (an *Error) under prefix; other errors are
// returned unchanged so that the caller can stop.
func (v *Validation) Merge(prefix string, err error) error {
	if err == nil {
		return nil
	}
	var e *Error
	if !errors.As(err, &e) || e.Code != EINVALID {
		return err
	}
	join := func(f string) string {
		switch {
		case prefix == "":
			return f
		case f == "":
			return prefix
		case f[0] == '[':
			return prefix + f
		default:
			return prefix + "." + f
		}
	}
	if len(e.Fields) == 0 {
		v.fields = append(v.fields, FieldError{Field: join(e.Field), Key: e.Key, Message: e.Message, Args: e.Args})
	}
	for _, f := range e.Fields {
		f.Field = join(f.Field)
		v.fields = append(v.fields, f)
	}
	return nil
}

// Fields returns the problems recorded so far.
func (v *Validation) Fields() []FieldError { return v.fields }

// Err returns nil when nothing was recorded, otherwise an EINVALID *Error
// carrying every field error.
func (v *Validation) Err() error {
	switch len(v.fields) {
	case 0:
		return nil
	case 1:
		f := v.fields[0]
		return &Error{Code: EINVALID, Key: f.Key, Message: f.Message, Field: f.Field, Args: f.Args, Fields: v.fields}
	}
	return &Error{Code: EINVALID, Key: "error.validation", Message: "Some fields are not valid.", Fields: v.fields}
}

// Package httpx holds what the JSON API and the web UI share over HTTP:
// strict JSON decoding with field-level errors, RFC 9457 problem responses,
// the error-code → status table, locale resolution and middleware (request
// ids, structured logs, panics, metrics, security headers).
package httpx

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/i18n"
)

// DefaultMaxBody is the default request size limit for JSON bodies.
const DefaultMaxBody = 1 << 20

// Status maps error codes to HTTP statuses; it is the only such table.
var Status = map[string]int{
	homeward.EINVALID:      http.StatusBadRequest,
	homeward.ENOTFOUND:     http.StatusNotFound,
	homeward.ECONFLICT:     http.StatusConflict,
	homeward.EPRECONDITION: http.StatusPreconditionFailed,
	homeward.EUNAUTHORIZED: http.StatusUnauthorized,
	homeward.EFORBIDDEN:    http.StatusForbidden,
	homeward.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	homeward.ERATELIMIT:    http.StatusTooManyRequests,
	homeward.EMETHOD:       http.StatusMethodNotAllowed,
	homeward.EUNAVAILABLE:  http.StatusServiceUnavailable,
	homeward.EINTERNAL:     http.StatusInternalServerError,
}

// StatusOf returns the HTTP status for err.
func StatusOf(err error) int {
	if s, ok := Status[homeward.ErrorCode(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// DecodeJSON reads one JSON value from r's body into v: the body must be
// application/json, at most limit bytes, with no unknown fields and nothing
// after the value. Errors name the field at fault.
func DecodeJSON(w http.ResponseWriter, r *http.Request, v any, limit int64) error {
	if ct := r.Header.Get("Content-Type"); ct != "" {
		mt, _, _ := mime.ParseMediaType(ct)
		if mt != "application/json" && !strings.HasSuffix(mt, "+json") {
			return &homeward.Error{Code: homeward.EINVALID, Key: "error.body.content_type", Message: "Send the body as application/json."}
		}
	}
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &homeward.Error{Code: homeward.ETOOLARGE, Key: "error.body.too_large", Args: map[string]any{"limit": limit},
			Message: fmt.Sprintf("The request is larger than %d bytes.", limit)}
	} else if err != nil {
		return &homeward.Error{Code: homeward.EINVALID, Key: "error.body.malformed", Args: map[string]any{"detail": "unreadable body"}, Message: "The request body could not be read."}
	}
	return DecodeJSONBytes(body, v)
}

// DecodeJSONBytes is DecodeJSON's decoding half, for bodies already read.
func DecodeJSONBytes(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return &homeward.Error{Code: homeward.EINVALID, Key: "error.body.empty", Message: "The request body is empty."}
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return &homeward.Error{Code: homeward.EINVALID, Key: "error.body.malformed", Args: map[string]any{"detail": "more than one JSON value"},
			Message: "The request body is not valid JSON: more than one JSON value"}
	}
	return nil
}

func jsonError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		d := fmt.Sprintf("%s (at byte %d)", syn.Error(), syn.Offset)
		return &homeward.Error{Code: homeward.EINVALID, Key: "error.body.malformed", Args: map[string]any{"detail": d}, Message: "The request body is not valid JSON: " + d}
	case errors.As(err, &typ):
		field := typ.Field
		want := typeName(typ.Type.Kind().String())
		return &homeward.Error{Code: homeward.EINVALID, Key: "error.field.wrong_type", Field: field, Args: map[string]any{"type": want},
			Message: fmt.Sprintf("This field should be %s.", want)}
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return &homeward.Error{Code: homeward.EINVALID, Key: "error.body.malformed", Args: map[string]any{"detail": "unexpected end"}, Message: "The request body is not valid JSON: unexpected end"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		f, _ := strconv.Unquote(strings.TrimPrefix(err.Error(), "json: unknown field "))
		return &homeward.Error{Code: homeward.EINVALID, Key: "error.field.unknown", Field: f, Args: map[string]any{"field": f},
			Message: fmt.Sprintf("%q is not a field this request accepts.", f)}
	}
	var he *homeward.Error
	if errors.As(err, &he) { // from a field type's UnmarshalJSON
		return he
	}
	return &homeward.Error{Code: homeward.EINVALID, Key: "error.body.malformed", Args: map[string]any{"detail": err.Error()}, Message: "The request body is not valid JSON: " + err.Error()}
}

func typeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int64", "int32", "uint", "uint64", "float64", "float32":
		return "a number"
	case "bool":
		return "true or false"
	case "slice", "array":
		return "a list"
	case "struct", "map":
		return "an object"
	}
	return kind
}

// Problem is an RFC 9457 problem document, with the fields at fault.
type Problem struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail,omitempty"`
	Instance string         `json:"instance,omitempty"`
	Code     string         `json:"code"`
	Errors   []ProblemField `json:"errors,omitempty"`
}

// ProblemField is one field error in a Problem.
type ProblemField struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// NewProblem builds the problem document for err in lang.
func NewProblem(r *http.Request, err error, lang string) *Problem {
	status := StatusOf(err)
	p := &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Code: homeward.ErrorCode(err),
		Detail: i18n.Error(lang, err), Instance: homeward.RequestIDFromContext(r.Context())}
	if p.Code != homeward.EINTERNAL {
		p.Type = "https://homeward.example/problems/" + p.Code
	}
	if e := homeward.AsError(err); e != nil {
		if e.Field != "" && len(e.Fields) == 0 {
			p.Errors = append(p.Errors, ProblemField{Field: e.Field, Message: i18n.Error(lang, err)})
		}
		for _, f := range e.Fields {
			p.Errors = append(p.Errors, ProblemField{Field: f.Field, Message: i18n.FieldMessage(lang, f)})
		}
	}
	return p
}

// Error writes err as application/problem+json, logging internal errors
// (their text stays in the log, never in the answer).
func Error(w http.ResponseWriter, r *http.Request, err error) {
	if homeward.ErrorCode(err) == homeward.EINTERNAL {
		LoggerFrom(r.Context()).Error("internal error", "err", err)
	}
	RetryLater(w, r, err)
	p := NewProblem(r, err, Locale(r))
	if p.Status == http.StatusUnauthorized && strings.HasPrefix(r.URL.Path, "/api/") {
		w.Header().Set("WWW-Authenticate", `Bearer realm="homeward"`)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Content-Language", Locale(r))
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// RetryAfterUnavailable is the Retry-After, in seconds, of an answer
// that the database cannot take the request now (it restarts, its disk is
// full): long enough for a restart, short enough not to lose the user.
const RetryAfterUnavailable = "5"

// RetryLater prepares the answer to err when err is EUNAVAILABLE: it logs
// the cause (which the answer never shows) and sets Retry-After unless the
// caller set it. Error and the web UI's error page call it.
func RetryLater(w http.ResponseWriter, r *http.Request, err error) {
	if homeward.ErrorCode(err) != homeward.EUNAVAILABLE {
		return
	}
	if err != errOverloaded { // counted by Shed: a line each would flood the log in a burst
		LoggerFrom(r.Context()).Warn("unavailable", "err", err)
	}
	if w.Header().Get("Retry-After") == "" {
		w.Header().Set("Retry-After", RetryAfterUnavailable)
	}
}

// JSON writes v with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// ETag returns the entity tag of a record version.
func ETag(version int) string { return `"v` + strconv.Itoa(version) + `"` }

// IfMatch reads the version a client expects from If-Match. It is required
// on updates, so that no write is blind.
func IfMatch(r *http.Request) (int, error) {
	h := strings.TrimSpace(r.Header.Get("If-Match"))
	if h == "" {
		return 0, &homeward.Error{Code: homeward.EPRECONDITION, Key: "error.precondition.required", Message: "Send the record's ETag in an If-Match header.", Field: "If-Match"}
	}
	h = strings.TrimPrefix(h, "W/")
	if !strings.HasPrefix(h, `"v`) || !strings.HasSuffix(h, `"`) {
		return 0, staleErr()
	}
	v, err := strconv.Atoi(h[2 : len(h)-1])
	if err != nil || v <= 0 {
		return 0, staleErr()
	}
	return v, nil
}

func staleErr() error {
	return homeward.Errorf(homeward.EPRECONDITION, "error.precondition", "Someone else changed this record since you loaded it. Reload and try again.")
}

// Page is the envelope of a list answer with cursor pagination.
type Page[T any] struct {
	Items []T    `json:"items"`
	Next  string `json:"next,omitempty"` // pass as ?cursor= to get the next page
}

// Limit parses ?limit= (1..max; default when absent).
func Limit(r *http.Request, max int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > max {
		return 0, &homeward.Error{Code: homeward.EINVALID, Key: "error.limit", Field: "limit", Args: map[string]any{"max": max},
			Message: fmt.Sprintf("The limit must be between 1 and %d.", max)}
	}
	return n, nil
}

type localeKey struct{}

// WithLocale stores the request's locale in ctx.
func WithLocale(ctx context.Context, lang string) context.Context {
	return context.WithValue(ctx, localeKey{}, lang)
}

// Locale returns the request's locale: set by middleware from the lang
// cookie, the user's preference or Accept-Language.
func Locale(r *http.Request) string {
	if l, ok := r.Context().Value(localeKey{}).(string); ok && l != "" {
		return l
	}
	if c, err := r.Cookie("lang"); err == nil && i18n.Supported(c.Value) {
		return c.Value
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

type loggerKey struct{}

// LoggerFrom returns the request's logger (with its request id).
func LoggerFrom(ctx context.Context) *slog.Logger {
	if l, ok := ctx.Value(loggerKey{}).(*slog.Logger); ok {
		return l
	}
	return slog.Default()
}

// MaxFormBody bounds the body of a form post that is not a file upload
// (sign-in, every other HTML form).
const MaxFormBody = 1 << 20

// LimitForm caps the body of an unsafe request before anything reads it.
// With upload == 0 the request is a plain form: its body may hold at most
// MaxFormBody bytes and is parsed here (URL-encoded or multipart, held in
// memory), so that a larger one is refused at once with ETOOLARGE instead of
// being read, or spilled to disk, by whoever parses it first. With upload >
// 0 the body may hold that many bytes and is left for the handler to
// stream; only when the CSRF token is not in a header is the form parsed
// here (files over MaxFormBody going to temporary files that
// RemoveMultipart removes).
func LimitForm(w http.ResponseWriter, r *http.Request, upload int64) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	limit := upload
	if limit <= 0 {
		limit = MaxFormBody
	}
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	var err error
	multi := strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data")
	switch {
	case upload <= 0 && multi:
		err = r.ParseMultipartForm(MaxFormBody)
	case upload <= 0:
		err = r.ParseForm()
	case multi && r.Header.Get("X-CSRF-Token") == "":
		// Files over MaxFormBody go to temporary files at once, rather
		// than into a buffer that doubles as it grows.
		err = r.ParseMultipartForm(MaxFormBody)
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return TooLarge(limit)
	}
	// Other parse errors (a malformed body) leave the form empty: the
	// handler reports the missing fields.
	return nil
}

// TooLarge is the error of a body over limit bytes.
func TooLarge(limit int64) error {
	return &homeward.Error{Code: homeward.ETOOLARGE, Key: "error.body.too_large", Args: map[string]any{"limit": limit},
		Message: fmt.Sprintf("The request is larger than %d bytes.", limit)}
}

// RemoveMultipart removes the temporary files of a multipart form parsed
// on r. Call it on the very request the handler parsed: copies made with
// WithContext do not share the parsed form.
func RemoveMultipart(r *http.Request) {
	if r.MultipartForm != nil {
		_ = r.MultipartForm.RemoveAll()
	}
}

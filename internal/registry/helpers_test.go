package registry

import (
	"errors"
	"sort"
	"strings"
	"testing"
	"time"

	"homeward"
)

// now is the fixed "present" of the tests.
var now = time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)

// problems returns "field=key" for every field error of err, sorted.
func problems(t *testing.T, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	var e *homeward.Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v is not a *homeward.Error", err)
	}
	if len(e.Fields) == 0 {
		return []string{e.Field + "=" + e.Key}
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field+"="+f.Key)
	}
	sort.Strings(out)
	return out
}

// wantProblems fails unless err has exactly the problems want ("field=key").
func wantProblems(t *testing.T, err error, want ...string) {
	t.Helper()
	got := problems(t, err)
	sort.Strings(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems:\n got  %q\n want %q", got, want)
	}
}

func errKey(err error) string {
	var e *homeward.Error
	if errors.As(err, &e) {
		return e.Key
	}
	if err != nil {
		return "?" + err.Error()
	}
	return ""
}

func ptr[T any](v T) *T { return &v }

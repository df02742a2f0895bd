package form

import (
	"errors"
	"sort"
	"testing"

	"homeward"
)

// errFields returns the sorted field names of a validation error.
func errFields(t *testing.T, err error) []string {
	t.Helper()
	var e *homeward.Error
	if !errors.As(err, &e) || e.Code != homeward.EINVALID {
		t.Fatalf("error %v is not an EINVALID *homeward.Error", err)
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	sort.Strings(out)
	return out
}

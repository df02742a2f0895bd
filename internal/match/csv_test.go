package match

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		n       int
		errLine int // 0: no error
		warns   int
	}{
		{"plain", "external_id,given_name,family_name,phone\n1,Rafiqul,Islam,017123;018765\n2,Rahima,Khatun,\n", 2, 0, 0},
		{"bom and unknown columns", "\ufeffexternal_id,given_name,favourite_colour\n1,Rafiqul,blue\n", 1, 0, 0},
		{"missing columns", "external_id\n1\n", 1, 0, 1},
		{"no external_id column", "given_name\nRafiqul\n", 0, 1, 0},
		{"empty id", "external_id,given_name\n1,A\n,B\n", 0, 3, 0},
		{"repeated id", "external_id,given_name\n1,A\n1,B\n", 0, 3, 0},
		{"latin-1", "external_id,given_name\n1,Jos\xe9\n", 0, 2, 0},
		{"bad date kept", "external_id,given_name,date_of_birth\n1,A,31/02/1985\n", 1, 0, 1},
		{"blank lines skipped", "external_id,given_name\n1,A\n,\n2,B\n", 2, 0, 0},
		{"empty file", "", 0, 1, 0},
		{"bad quote", "external_id,given_name\n1,\"A\n", 0, 2, 0},
	}
	for _, tt := range tests {
		recs, warns, err := ReadCSV(context.Background(), strings.NewReader(tt.in))
		var ce *CSVError
		switch {
		case tt.errLine == 0 && err != nil:
			t.Errorf("%s: unexpected error %v", tt.name, err)
		case tt.errLine != 0 && (!errors.As(err, &ce) || ce.Line != tt.errLine):
			t.Errorf("%s: error %v, want one on line %d", tt.name, err, tt.errLine)
		case len(recs) != tt.n || len(warns) != tt.warns:
			t.Errorf("%s: %d records, %d warnings (%v); want %d, %d", tt.name, len(recs), len(warns), warns, tt.n, tt.warns)
		}
	}
	recs, _, _ := ReadCSV(context.Background(), strings.NewReader("external_id,phone\n7,017123; 018765\n"))
	if len(recs) != 1 || recs[0].ID != "7" || len(recs[0].Phones) != 2 {
		t.Errorf("got %+v", recs)
	}
}

package dedupecli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.csv", "\ufeffexternal_id,given_name,family_name,date_of_birth,father_name,phone,occupation_abroad\n"+
		"A1,Md. Rafiqul,Islam,1985-03-12,Abdul Karim,01712345678,driver\n"+
		"A2,Rafikul Islam,Mohammad,1985,Md Abdul Kareem,01712345678,\n"+
		"A3,Jahangir,Alam,1990-07-25,Habib Alam,01898765432,\n")
	b := write("b.csv", "external_id,given_name,family_name,date_of_birth,father_name\nB1,Mohammad Rafiqul,Islam,12/03/1985,Abdul Karim\n")
	latin1 := write("l1.csv", "external_id,given_name\n1,Jos\xe9\n")
	noID := write("noid.csv", "external_id,given_name\n1,A\n,B\n")
	tests := []struct {
		name    string
		args    []string
		wantOut string // substring of stdout
		wantErr string // substring of the error
	}{
		{"dedupe", []string{"--progress", "never", a}, "A1,A2,", ""},
		{"link", []string{"--progress", "never", "--link", b, a}, ",B1,", ""},
		{"help", []string{"--help"}, "", ""},
		{"no input", nil, "", "exactly one"},
		{"bad thresholds", []string{"--match-threshold", "0.2", "--possible-threshold", "0.5", a}, "", "thresholds"},
		{"wrong encoding", []string{latin1}, "", "line 2: given_name is not valid UTF-8"},
		{"empty id", []string{noID}, "", "line 3: external_id is empty"},
		{"missing file", []string{filepath.Join(dir, "nope.csv")}, "", "no such file"},
	}
	for _, tt := range tests {
		var out, errb bytes.Buffer
		err := Run(context.Background(), tt.args, strings.NewReader(""), &out, &errb)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("%s: %v (stderr %s)", tt.name, err, errb.String())
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.wantErr)
		case !strings.Contains(out.String(), tt.wantOut):
			t.Errorf("%s: stdout %q lacks %q", tt.name, out.String(), tt.wantOut)
		}
		if tt.wantErr == "" && tt.name != "help" && !strings.HasPrefix(out.String(), "id_a,id_b,score,decision\n") {
			t.Errorf("%s: output does not start with the header: %q", tt.name, out.String())
		}
	}
}

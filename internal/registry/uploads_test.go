package registry

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The record limit follows quoting as encoding/csv does: line breaks in
// quotes belong to the cell, a stray quote inside an unquoted cell opens
// nothing.
func TestImportRecordLimitFollowsQuotes(t *testing.T) {
	header := "external_id,given_name,family_name,sex,destination_country,return_date\n"
	stray := strings.Repeat("X1,Rina,O\"Brien,F,SA,2026-01-01\n", 2000)
	_, rows, err := readAll(t, []byte(header+stray), FormatCSV, ImportOptions{MaxLineBytes: 1000})
	if err != nil || len(rows) != 2000 {
		t.Errorf("stray quotes: %d rows, %v", len(rows), err)
	}
	multi := "X1,\"Rina\nRahman\",\"\"\"Akter\"\"\",F,SA,2026-01-01\r\nX2,Moni,,F,SA,2026-01-01\n"
	_, rows, err = readAll(t, []byte(header+multi), FormatCSV, ImportOptions{MaxLineBytes: 1000})
	if err != nil || len(rows) != 2 || rows[0].Cells[1] != "Rina\nRahman" || rows[0].Cells[2] != `"Akter"` || rows[1].Line != 4 {
		t.Errorf("quoted line break: %v %v", rows, err)
	}
	long := header + "X1,\"" + strings.Repeat("a\n", 600) + "\",,F,SA,2026-01-01\n"
	if _, _, err := readAll(t, []byte(long), FormatCSV, ImportOptions{MaxLineBytes: 1000}); errKey(err) != "registry.import.record_too_long" {
		t.Errorf("long quoted cell: %v", err)
	}
}

// A bad value is echoed as a short prefix only.
func TestImportErrorsEchoShortPrefix(t *testing.T) {
	bad := strings.Repeat("Q", 500_000)
	data := "external_id,given_name,sex,destination_country,return_date\nX1,Rina," + bad + ",SA,2026-01-01\n"
	ir, rows, err := readAll(t, []byte(data), FormatCSV, ImportOptions{})
	if err != nil || len(rows) != 1 || len(rows[0].Errors) != 1 {
		t.Fatalf("%v %v", rows, err)
	}
	e := rows[0].Errors[0]
	if len(e.Value) > MaxEcho+4 || strings.Contains(e.Message, bad[:MaxEcho+1]) || !strings.HasPrefix(e.Value, "QQQ") {
		t.Errorf("error echoes %d bytes: value %d, message %d", len(e.Value)+len(e.Message), len(e.Value), len(e.Message))
	}
	for k, v := range e.Args {
		if s, ok := v.(string); ok && len(s) > MaxEcho+4 {
			t.Errorf("arg %s is %d bytes", k, len(s))
		}
	}
	for _, lang := range []string{"en", "bn"} {
		var b bytes.Buffer
		rep, err := NewErrorReport(&b, ir.Header(), lang)
		if err != nil {
			t.Fatal(err)
		}
		if err := rep.Add(rows[0]); err != nil {
			t.Fatal(err)
		}
		_ = rep.Flush()
		if b.Len() > 2000 || !strings.Contains(b.String(), "Rina") {
			t.Errorf("%s error report is %d bytes:\n%.300s", lang, b.Len(), b.String())
		}
	}
}

// A workbook on disk is checked and read in place: no copy of it is made
// (here the temporary directory does not even exist), and its bytes count as
// read for the progress shown.
func TestImportXLSXFileReadInPlace(t *testing.T) {
	path := filepath.Join(t.TempDir(), "people.xlsx")
	data := makeXLSX(t, "", [][]any{
		{"external_id", "given_name", "sex", "destination_country", "return_date"},
		{"X1", "Rina", "F", "SA", "2026-01-01"},
	})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", filepath.Join(t.TempDir(), "missing"))
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var read int64
	rep, err := RunImport(context.Background(), nil, f, FormatXLSX, ImportOptions{Now: now}, true, nil, "en", func(_ int, n int64) { read = n })
	if err != nil || rep.Valid != 1 {
		t.Fatalf("%+v %v", rep, err)
	}
	if read != int64(len(data)) {
		t.Errorf("progress says %d bytes read of %d", read, len(data))
	}
}

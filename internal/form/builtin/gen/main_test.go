package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"homeward/internal/form"
)

// The committed workbooks must match the definitions here: regenerate them
// with `go run ./internal/form/builtin/gen` after editing a form.
func TestCommittedWorkbooksUpToDate(t *testing.T) {
	for _, d := range Forms() {
		b, err := d.XLSX()
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := form.ParseXLSForm(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("%s: %v", d.ID, err)
		}
		committed := form.Builtin(d.ID)
		if committed == nil {
			t.Errorf("%s: no committed workbook; run go run ./internal/form/builtin/gen", d.ID)
			continue
		}
		x, _ := json.Marshal(fresh)
		y, _ := json.Marshal(committed)
		if !bytes.Equal(x, y) {
			t.Errorf("%s: committed workbook is out of date; run go run ./internal/form/builtin/gen", d.ID)
		}
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
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

// Every English text of the forms is translated in every translation
// file, keeps its ${placeholders}, and no file keeps a text the forms no
// longer have (a stale entry would never be shown).
func TestTranslationsComplete(t *testing.T) {
	trs, err := form.BuiltinTranslations()
	if err != nil {
		t.Fatal(err)
	}
	if len(trs) != 3 {
		t.Fatalf("%d translation files, want ar, ckb and ur", len(trs))
	}
	texts := form.BuiltinTexts() // the committed workbooks' texts, which are the definitions' (above)
	have := map[string]bool{}
	for _, en := range texts {
		have[en] = true
	}
	vars := regexp.MustCompile(`\$\{[a-z_0-9]+\}`)
	for _, tr := range trs {
		for _, en := range texts {
			got := tr.Texts[en]
			if got == "" {
				t.Errorf("%s: no translation of %q", tr.Language, en)
				continue
			}
			a, b := vars.FindAllString(en, -1), vars.FindAllString(got, -1)
			slices.Sort(a)
			slices.Sort(b)
			if !slices.Equal(a, b) {
				t.Errorf("%s: %q has placeholders %v, its translation %q has %v", tr.Language, en, a, got, b)
			}
		}
		for en := range tr.Texts {
			if !have[en] {
				t.Errorf("%s: %q is not a text of the forms (stale)", tr.Language, en)
			}
		}
	}
}

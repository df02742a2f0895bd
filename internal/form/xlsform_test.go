package form

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"homeward"
)

// workbook builds an .xlsx in memory from sheets of rows.
func workbook(t *testing.T, sheets map[string][][]string) []byte {
	t.Helper()
	wb := excelize.NewFile()
	defer wb.Close()
	for name, rows := range sheets {
		if _, err := wb.NewSheet(name); err != nil {
			t.Fatal(err)
		}
		for i, r := range rows {
			for j, v := range r {
				cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
				if err := wb.SetCellStr(name, cell, v); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	if err := wb.DeleteSheet("Sheet1"); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := wb.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var goodSurvey = [][]string{
	{"type", "name", "label::English (en)", "label::Bangla (bn)", "required", "relevant", "constraint", "constraint_message::en", "calculation"},
	{"integer", "age", "Age", "বয়স", "yes", "", ". >= 0 and . <= 110", "0 to 110", ""},
	{"select_one yn", "works", "Working?", "কাজ করেন?", "", "${age} >= 10", "", "", ""},
	{"", "", "", "", "", "", "", "", ""},
	{"begin group", "job", "Job", "কাজ", "", "${works} = 'yes'", "", "", ""},
	{"text", "employer", "Employer", "নিয়োগকর্তা", "true()", "", "", "", ""},
	{"end group", "", "", "", "", "", "", "", ""},
	{"start", "start", "", "", "", "", "", "", ""},
	{"calculate", "flag_child_labour", "Child labour", "শিশুশ্রম", "", "", "", "", "${age} < 15 and ${works} = 'yes'"},
}

var goodChoices = [][]string{
	{"list name", "name", "label::English (en)", "label::Bangla (bn)"},
	{"yn", "yes", "Yes", "হ্যাঁ"},
	{"yn", "no", "No", "না"},
}

var goodSettings = [][]string{{"form_title", "form_id", "version", "default_language"}, {"Test", "test_form", "1", "English (en)"}}

func TestParseXLSFormGood(t *testing.T) {
	b := workbook(t, map[string][][]string{"survey": goodSurvey, "choices": goodChoices, "settings": goodSettings})
	f, err := ParseXLSForm(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != "test_form" || f.Version != "1" || f.Title["en"] != "Test" || !reflect.DeepEqual(f.Languages, []string{"en", "bn"}) {
		t.Errorf("settings: %+v", f)
	}
	var names []string
	for _, q := range f.Questions {
		names = append(names, string(q.Type)+":"+q.Name)
	}
	want := []string{"integer:age", "select_one:works", "begin_group:job", "text:employer", "end_group:job", "calculate:flag_child_labour"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("questions %v, want %v", names, want)
	}
	emp := f.Question("employer")
	if emp.Group != "job" || !emp.Required || emp.Row != 6 || emp.Label["bn"] != "নিয়োগকর্তা" {
		t.Errorf("employer: %+v", emp)
	}
	if f.Question("age").ConstraintMessage["en"] != "0 to 110" {
		t.Errorf("constraint message: %v", f.Question("age").ConstraintMessage)
	}
	sub, err := f.Validate(map[string]any{"age": 14, "works": "yes", "employer": "farm"}, testToday)
	if err != nil || len(sub.Flags) != 1 || sub.Flags[0].Severity != "high" || sub.Calculated["flag_child_labour"] != true {
		t.Errorf("Validate: %+v %v", sub, err)
	}
	if _, err := f.Validate(map[string]any{"age": 30, "works": "yes"}, testToday); err == nil {
		t.Error("required employer inside a relevant group not enforced")
	}
	if _, err := f.Validate(map[string]any{"age": 30, "works": "no", "employer": 12}, testToday); err != nil {
		t.Errorf("wrong-typed answer in an irrelevant group should be dropped: %v", err)
	}
}

// Every problem in an uploaded workbook names its sheet, row and column.
func TestParseXLSFormErrors(t *testing.T) {
	replace := func(rows [][]string, r, c int, v string) [][]string {
		out := make([][]string, len(rows))
		for i := range rows {
			out[i] = append([]string(nil), rows[i]...)
		}
		out[r][c] = v
		return out
	}
	tests := []struct {
		name     string
		survey   [][]string
		choices  [][]string
		settings [][]string
		field    string
		key      string
	}{
		{"broken relevant", replace(goodSurvey, 2, 5, "${age} >= "), goodChoices, goodSettings, "survey!F3", "assessment.xlsform.bad_expression"},
		{"broken constraint", replace(goodSurvey, 1, 6, ". >= 0 and and . <= 110"), goodChoices, goodSettings, "survey!G2", "assessment.xlsform.bad_expression"},
		{"broken calculation", replace(goodSurvey, 8, 8, "sum(${age})"), goodChoices, goodSettings, "survey!I9", "assessment.xlsform.bad_expression"},
		{"calculation nested too deeply", replace(goodSurvey, 8, 8, strings.Repeat("concat(", 300)+"'a'"+strings.Repeat(")", 300)), goodChoices, goodSettings, "survey!I9", "assessment.xlsform.bad_expression"},
		{"calculation too long", replace(goodSurvey, 8, 8, "'"+strings.Repeat("a", MaxExprLen)+"'"), goodChoices, goodSettings, "survey!I9", "assessment.xlsform.bad_expression"},
		{"broken required", replace(goodSurvey, 5, 4, "${works} = "), goodChoices, goodSettings, "survey!E6", "assessment.xlsform.bad_expression"},
		{"unknown reference", replace(goodSurvey, 2, 5, "${agee} >= 15"), goodChoices, goodSettings, "survey!F3", "assessment.xlsform.unknown_ref"},
		{"unknown list", replace(goodSurvey, 2, 0, "select_one yesno"), goodChoices, goodSettings, "survey!A3", "assessment.xlsform.unknown_list"},
		{"unsupported type", replace(goodSurvey, 1, 0, "geopoint"), goodChoices, goodSettings, "survey!A2", "assessment.xlsform.unsupported_type"},
		{"repeat", replace(replace(goodSurvey, 4, 0, "begin repeat"), 6, 0, "end repeat"), goodChoices, goodSettings, "survey!A5", "assessment.xlsform.unsupported_type"},
		{"bad name", replace(goodSurvey, 1, 1, "2age"), goodChoices, goodSettings, "survey!B2", "assessment.xlsform.bad_name"},
		{"duplicate name", replace(goodSurvey, 2, 1, "age"), goodChoices, goodSettings, "survey!B3", "assessment.xlsform.duplicate_name"},
		{"unclosed group", replace(goodSurvey, 6, 0, "note"), goodChoices, goodSettings, "survey!A5", "assessment.xlsform.unclosed_group"},
		{"stray end group", replace(goodSurvey, 4, 0, "note"), goodChoices, goodSettings, "survey!A7", "assessment.xlsform.unbalanced_group"},
		{"bad severity", append(replace(goodSurvey, 0, 8, "calculation"), []string{"calculate", "flag_x", "", "", "", "", "", "", "1", "severe"}), goodChoices, goodSettings, "", "assessment.xlsform.bad_severity"},
		{"duplicate choice", goodSurvey, replace(goodChoices, 2, 1, "yes"), goodSettings, "choices!B3", "assessment.xlsform.duplicate_choice"},
		{"choice with space", goodSurvey, replace(goodChoices, 2, 1, "no way"), goodSettings, "choices!B3", "assessment.xlsform.bad_choice"},
		{"no version", goodSurvey, goodChoices, replace(goodSettings, 1, 2, ""), "settings!C2", "assessment.xlsform.no_version"},
		{"bad form id", goodSurvey, goodChoices, replace(goodSettings, 1, 1, "my form"), "settings!B2", "assessment.xlsform.no_form_id"},
		{"no survey", nil, goodChoices, goodSettings, "survey", "assessment.xlsform.no_survey"},
		{"empty type", replace(goodSurvey, 1, 0, ""), goodChoices, goodSettings, "survey!A2", "assessment.xlsform.empty_cell"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sheets := map[string][][]string{"choices": tt.choices, "settings": tt.settings}
			if tt.survey != nil {
				sheets["survey"] = tt.survey
			}
			if tt.name == "bad severity" {
				tt.survey[0] = append(tt.survey[0], "severity")
				for i := 1; i < len(tt.survey)-1; i++ {
					tt.survey[i] = append(tt.survey[i], "")
				}
				tt.field = "survey!J10"
			}
			_, err := ParseXLSForm(bytes.NewReader(workbook(t, sheets)))
			var e *homeward.Error
			if !errors.As(err, &e) || e.Code != homeward.EINVALID {
				t.Fatalf("error %v, want EINVALID", err)
			}
			for _, fe := range e.Fields {
				if fe.Field == tt.field && fe.Key == tt.key {
					if !strings.HasPrefix(fe.Message, tt.field) && tt.field != "survey" {
						t.Errorf("message %q does not start with the cell", fe.Message)
					}
					return
				}
			}
			t.Errorf("no error %s at %s in %+v", tt.key, tt.field, e.Fields)
		})
	}
}

func TestParseXLSFormNotAWorkbook(t *testing.T) {
	_, err := ParseXLSForm(strings.NewReader("type,name\ntext,a\n"))
	if homeward.ErrorCode(err) != homeward.EINVALID {
		t.Errorf("err = %v", err)
	}
}

func TestLanguageCode(t *testing.T) {
	for in, want := range map[string]string{"English (en)": "en", "Bangla (bn)": "bn", "en": "en", "Bengali": "bn", "": "", "Arabic (ar)": "ar", "Français (fr)": "fr"} {
		if got := languageCode(in); got != want {
			t.Errorf("languageCode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestImportCLI(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.xlsx")
	bad := filepath.Join(dir, "bad.xlsx")
	os.WriteFile(good, BuiltinXLSX(ProtectionScreening), 0o600)
	broken := append([][]string(nil), goodSurvey...)
	broken[2] = append([]string(nil), goodSurvey[2]...)
	broken[2][5] = "${age} >="
	os.WriteFile(bad, workbook(t, map[string][][]string{"survey": broken, "choices": goodChoices, "settings": goodSettings}), 0o600)

	var out, errOut bytes.Buffer
	if err := ImportCLI(context.Background(), []string{good}, &out, &errOut); err != nil {
		t.Fatalf("good: %v %s", err, errOut.String())
	}
	for _, want := range []string{"form protection_screening version 2026.2", "languages: en, ar, bn, ckb, ur", "flag flag_trafficking (high)"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, out.String())
		}
	}
	out.Reset()
	if err := ImportCLI(context.Background(), []string{"-json", good}, &out, &errOut); err != nil || !strings.Contains(out.String(), `"id": "protection_screening"`) {
		t.Errorf("-json: %v %.200s", err, out.String())
	}
	errOut.Reset()
	if err := ImportCLI(context.Background(), []string{bad}, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "survey!F3: the relevant expression is not valid") {
		t.Errorf("bad: %v %q", err, errOut.String())
	}
	if err := ImportCLI(context.Background(), nil, &out, &errOut); err == nil {
		t.Error("no file accepted")
	}
}

// A chain of small calculations each doubling the one before is refused at
// upload, naming the cell of the first that could outgrow a submission;
// a short chain is accepted (issue 12, finding 7).
func TestParseXLSFormRefusesDoublingChain(t *testing.T) {
	chain := func(n int) [][]string {
		rows := [][]string{{"type", "name", "label::English (en)", "calculation"}, {"text", "t", "Some text", ""}}
		rows = append(rows, []string{"calculate", "c0", "", "concat(${t}, 'x')"})
		for i := 1; i <= n; i++ {
			rows = append(rows, []string{"calculate", fmt.Sprintf("c%d", i), "", fmt.Sprintf("concat(${c%d}, ${c%d})", i-1, i-1)})
		}
		return rows
	}
	settings := [][]string{{"form_title", "form_id", "version", "default_language"}, {"Chain", "chain", "1", "English (en)"}}
	if _, err := ParseXLSForm(bytes.NewReader(workbook(t, map[string][][]string{"survey": chain(3), "settings": settings}))); err != nil {
		t.Fatalf("a short chain is refused: %v", err)
	}
	_, err := ParseXLSForm(bytes.NewReader(workbook(t, map[string][][]string{"survey": chain(40), "settings": settings})))
	var e *homeward.Error
	if !errors.As(err, &e) || len(e.Fields) == 0 {
		t.Fatalf("the doubling chain is accepted: %v", err)
	}
	// t is at most 4,000 characters (16,000 bytes), c0 16,001: c6 may reach
	// 1,024,064 bytes, c7 (row 10) twice that, past the 1 MiB a submission
	// may produce.
	if f := e.Fields[0]; f.Field != "survey!D10" || f.Key != "assessment.form.calculation_too_large" || !strings.Contains(f.Message, "c7") {
		t.Errorf("first refusal %+v, want survey!D10 naming c7", f)
	}
}

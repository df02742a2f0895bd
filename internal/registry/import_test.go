package registry

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/xuri/excelize/v2"

	"homeward"
)

// readAll imports data and returns the rows and the file-level error.
func readAll(t *testing.T, data []byte, f Format, opt ImportOptions) (*ImportReader, []*ImportRow, error) {
	t.Helper()
	if opt.Now.IsZero() {
		opt.Now = now
	}
	ir, err := NewImportReader(bytes.NewReader(data), f, opt)
	if err != nil {
		return nil, nil, err
	}
	defer ir.Close()
	var rows []*ImportRow
	for {
		row, err := ir.Next()
		if err == io.EOF {
			return ir, rows, nil
		} else if err != nil {
			return ir, rows, err
		}
		rows = append(rows, row)
	}
}

// rowProblems lists "line column=key" for every row error.
func rowProblems(rows []*ImportRow) []string {
	var out []string
	for _, r := range rows {
		for _, e := range r.Errors {
			out = append(out, fmt.Sprintf("%d %s=%s", e.Line, e.Column, e.Key))
		}
	}
	sort.Strings(out)
	return out
}

// messyWant are the problems of testdata/messy.csv, by line and column.
var messyWant = []string{
	"5 sex=registry.import.sex",
	"5 date_of_birth=registry.date.invalid",
	"5 phone=registry.phone.length",
	"5 national_id=registry.document.bd_nid",
	"5 admin_area=error.field.invalid_pcode",
	"5 destination_country=error.field.invalid_country",
	"5 occupation_abroad=error.field.invalid_isco",
	"5 return_date=registry.return.date_future",
	"5 return_type=registry.import.return_type",
	"6 external_id=error.field.required",
	"6 date_of_birth=registry.person.born_future",
	"7 external_id=registry.import.duplicate_id",
	"8 given_name=registry.person.name_latin",
	"9 destination_country=error.field.required",
	"10 return_date=error.field.required",
	"12 given_name=registry.person.name_required",
	"13 return_date=registry.return.before_birth",
	"14 postcode=registry.address.postcode",
	"16 admin_area=registry.import.area_ambiguous",
	"17 given_name=registry.person.name_latin",
}

func TestImportMessyCSV(t *testing.T) {
	data, err := os.ReadFile("testdata/messy.csv")
	if err != nil {
		t.Fatal(err)
	}
	ir, rows, err := readAll(t, data, FormatCSV, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := append([]string(nil), messyWant...)
	sort.Strings(want)
	if got := rowProblems(rows); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("row problems:\n got  %q\n want %q", got, want)
	}
	if len(rows) != 15 || ir.Rows() != 15 {
		t.Errorf("%d rows, want 15 (the blank line is skipped)", len(rows))
	}
	if w := ir.Warnings(); len(w) != 1 || w[0].Column != "Remarks" || w[0].Key != "registry.import.unknown_column" {
		t.Errorf("warnings = %+v", w)
	}
	byID := map[string]*ImportRow{}
	for _, r := range rows {
		if r.OK() {
			byID[r.ExternalID] = r
			if err := r.Person.Validate(now); err != nil {
				t.Errorf("line %d: valid row's person fails Validate: %v", r.Line, err)
			}
			if err := r.Episode.Validate(now); err != nil {
				t.Errorf("line %d: valid row's episode fails Validate: %v", r.Line, err)
			}
		}
	}
	if len(byID) != 4 {
		t.Errorf("%d valid rows, want 4", len(byID))
	}
	r1 := byID["R001"]
	if r1 == nil {
		t.Fatal("R001 missing")
	}
	p, e := r1.Person, r1.Episode
	if p.GivenName != "Abdul" || p.Sex != SexMale || p.DateOfBirth != DayDate(1985, 3, 12) || p.Phones[0] != "+8801712345678" ||
		p.NationalID() != "1234567890" || p.PassportNumber() != "A01234567" || p.Address.AdminArea != "BD3026" ||
		p.Address.Text != "House 5, Road 2" || p.Address.Postcode != "1207" || p.FatherName != "Rahim Uddin" || p.ExternalID != "R001" {
		t.Errorf("R001 person = %+v", p)
	}
	if e.DestinationCountry != "SA" || e.OccupationAbroad != "7112" || e.Return.Date != DayDate(2026, 1, 10) || e.Return.ReturnType != ReturnDeported {
		t.Errorf("R001 episode = %+v %+v", e, e.Return)
	}
	checks := []struct {
		id   string
		ok   func(r *ImportRow) bool
		what string
	}{
		{"R002", func(r *ImportRow) bool { return r.Person.GivenName == "Rina" && r.Person.DateOfBirth == YearDate(1991) }, "age about 35 → 1991, name trimmed"},
		{"R002", func(r *ImportRow) bool {
			return r.Episode.Return.ReturnType == ReturnEndOfContract && r.Person.Address.AdminArea == "BD4047"
		}, "return type in words, p-code"},
		{"R003", func(r *ImportRow) bool {
			return r.Person.Sex == SexMale && r.Episode.DestinationCountry == "MY" && r.Episode.Return.Date == MonthDate(2025, 11)
		}, "Bangla sex, alpha-3, month precision"},
		{"R003", func(r *ImportRow) bool {
			return r.Person.Address.AdminArea == "BD2022" && r.Person.Phones[0] == "+8801912345678"
		}, "district name with apostrophe, phone without plus"},
		{"R014", func(r *ImportRow) bool {
			return r.Person.Address.AdminArea == "BD5010" && r.Episode.Return.ReturnType == ReturnCrisisEvacuation
		}, "modern district spelling"},
	}
	for _, c := range checks {
		if r := byID[c.id]; r == nil || !c.ok(r) {
			t.Errorf("%s: %s: %+v", c.id, c.what, r)
		}
	}
	// A failed row keeps its cells (for the report) but no half-parsed person.
	for _, r := range rows {
		if !r.OK() && (r.Person.GivenName != "" || r.Episode.Return != nil || len(r.Cells) == 0) {
			t.Errorf("line %d: failed row carries data %+v", r.Line, r.Person)
		}
	}
}

func TestImportFileErrors(t *testing.T) {
	const header = "external_id,given_name,sex,destination_country,return_date\n"
	const row = "X1,Rina,F,SA,2026-01-01\n"
	utf16le := func(s string) []byte {
		b := []byte{0xFF, 0xFE}
		for _, u := range utf16.Encode([]rune(s)) {
			b = append(b, byte(u), byte(u>>8))
		}
		return b
	}
	tests := []struct {
		name  string
		data  []byte
		opt   ImportOptions
		key   string
		args  map[string]any
		rows  int
		valid int
	}{
		{"empty file", nil, ImportOptions{}, "registry.import.empty", nil, 0, 0},
		{"only blank lines", []byte("\n\n,,\n"), ImportOptions{}, "registry.import.empty", nil, 0, 0},
		{"header only", []byte(header), ImportOptions{}, "", nil, 0, 0},
		{"missing columns", []byte("external_id,family_name,gender\nX,Y,M\n"), ImportOptions{}, "registry.import.missing_columns",
			map[string]any{"columns": "destination_country, return_date, given_name / full_name_native"}, 0, 0},
		{"duplicate column", []byte("external_id,given_name,first name,sex,destination_country,return_date\n"), ImportOptions{}, "registry.import.duplicate_column", nil, 0, 0},
		{"UTF-8 BOM", append([]byte("\ufeff"), header+row...), ImportOptions{}, "", nil, 1, 1},
		{"UTF-16 LE with BOM", utf16le(header + "X1,রিনা,F,SA,2026-01-01\r\n"), ImportOptions{}, "", nil, 1, 0}, // Bangla in given_name is a row error
		{"UTF-16 LE valid", utf16le(header + row), ImportOptions{}, "", nil, 1, 1},
		{"Windows-1252 on line 3", []byte(header + row + "X2,Jos\xe9,M,SA,2026-01-01\n"), ImportOptions{}, "registry.import.encoding", map[string]any{"line": 3}, 1, 1},
		{"semicolons", []byte(strings.ReplaceAll(header+row, ",", ";")), ImportOptions{}, "", nil, 1, 1},
		{"tabs", []byte(strings.ReplaceAll(header+row, ",", "\t")), ImportOptions{}, "", nil, 1, 1},
		{"CRLF", []byte(strings.ReplaceAll(header+row+row, "\n", "\r\n")), ImportOptions{}, "", nil, 2, 1},
		{"line too long", []byte(header + "X1," + strings.Repeat("a", 2000) + ",F,SA,2026-01-01\n"), ImportOptions{MaxLineBytes: 1000}, "registry.import.line_too_long", map[string]any{"line": 2, "max": 1000}, 0, 0},
		{"no line breaks at all", bytes.Repeat([]byte("a,"), 1<<20), ImportOptions{}, "registry.import.line_too_long", nil, 0, 0},
		{"HXL row skipped", []byte(header + "#meta+id,#affected+name,#sex,#country,#date+return\n" + row), ImportOptions{}, "", nil, 1, 1},
		{"ragged rows", []byte(header + "X1,Rina,F\nX2,Rina,F,SA,2026-01-01,extra\n"), ImportOptions{}, "", nil, 2, 1},
		{"bad quotes", []byte(header + "X1,\"Ri\"na\",F,SA,2026-01-01\n"), ImportOptions{}, "", nil, 1, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, rows, err := readAll(t, tt.data, FormatCSV, tt.opt)
			if errKey(err) != tt.key {
				t.Fatalf("error = %v, want key %q", err, tt.key)
			}
			if err != nil {
				if homeward.ErrorCode(err) != homeward.EINVALID {
					t.Errorf("file-level error code %q", homeward.ErrorCode(err))
				}
				var e *homeward.Error
				errors.As(err, &e)
				for k, v := range tt.args {
					if fmt.Sprint(e.Args[k]) != fmt.Sprint(v) {
						t.Errorf("arg %s = %v, want %v", k, e.Args[k], v)
					}
				}
			}
			valid := 0
			for _, r := range rows {
				if r.OK() {
					valid++
				}
			}
			if len(rows) != tt.rows || valid != tt.valid {
				t.Errorf("%d rows (%d valid), want %d (%d): %q", len(rows), valid, tt.rows, tt.valid, rowProblems(rows))
			}
		})
	}
	if _, err := NewImportReader(strings.NewReader(""), "ods", ImportOptions{}); errKey(err) != "registry.import.format" {
		t.Errorf("unknown format: %v", err)
	}
}

func TestImportHugeCell(t *testing.T) {
	data := "external_id,given_name,sex,destination_country,return_date\nX1," + strings.Repeat("a", 100_000) + ",F,SA,2026-01-01\n"
	_, rows, err := readAll(t, []byte(data), FormatCSV, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := rowProblems(rows); len(got) != 1 || got[0] != "2 given_name=error.field.too_long" {
		t.Errorf("huge cell: %q", got)
	}
}

func TestHeaderColumn(t *testing.T) {
	tests := map[string]Column{
		"external_id": ColExternalID, " External ID ": ColExternalID, "EXTERNAL-ID": ColExternalID, "\ufeffexternal_id": ColExternalID,
		"Given Name": ColGivenName, "first name": ColGivenName, "Surname": ColFamilyName, "Gender": ColSex, "D.O.B": "",
		"DOB": ColDateOfBirth, "Father's name": ColFatherName, "Mobile No": ColPhone, "NID": ColNationalID, "Passport No.": ColPassportNumber,
		"p-code": ColAdminArea, "Date of return": ColReturnDate, "remarks": "", "": "",
	}
	for in, want := range tests {
		if got := HeaderColumn(in); got != want {
			t.Errorf("HeaderColumn(%q) = %q, want %q", in, got, want)
		}
	}
	if f, ok := FormatFromName("Returnees 2025.XLSX"); !ok || f != FormatXLSX {
		t.Error("FormatFromName xlsx")
	}
	if _, ok := FormatFromName("returnees.ods"); ok {
		t.Error("ods accepted")
	}
}

// makeXLSX writes rows to a workbook with one sheet (or a second named
// sheet); a float64 is stored as a number, a string as text.
func makeXLSX(t *testing.T, sheet string, rows [][]any) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if sheet != "" {
		if _, err := f.NewSheet(sheet); err != nil {
			t.Fatal(err)
		}
		f.SetCellValue("Sheet1", "A1", "not this sheet")
	} else {
		sheet = "Sheet1"
	}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := f.SetSheetRow(sheet, cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var b bytes.Buffer
	if err := f.Write(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestImportXLSX(t *testing.T) {
	rows := [][]any{
		{"External ID", "Given name", "Sex", "Date of birth", "Phone", "NID", "Destination", "Return date", "Return type", "Notes"},
		{"X1", "Abdul", "M", float64(31118), float64(8801712345678), float64(1234567890), "SAU", float64(46023), "Deported", "n"},
		{float64(2), "Rina", "F", "12/03/1985", float64(1712345678), "", "Oman", "15.02.2026", "", ""},
		{},
		{"X3", "Salma", "?", float64(31118), "", "", "SA", float64(50000), "", ""},
	}
	data := makeXLSX(t, "", rows)
	ir, got, err := readAll(t, data, FormatXLSX, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("%d rows", len(got))
	}
	r := got[0]
	if !r.OK() || r.Line != 2 || r.Person.DateOfBirth != DayDate(1985, 3, 12) || r.Person.Phones[0] != "+8801712345678" ||
		r.Person.NationalID() != "1234567890" || r.Episode.Return.Date != DayDate(2026, 1, 1) || r.Episode.DestinationCountry != "SA" {
		t.Errorf("row 2: %+v %+v %q", r.Person, r.Episode.Return, rowProblems(got[:1]))
	}
	if r := got[1]; !r.OK() || r.ExternalID != "2" || r.Person.Phones[0] != "+8801712345678" || r.Episode.Return.Date != DayDate(2026, 2, 15) {
		t.Errorf("row 3: %+v %q", r.Person, rowProblems(got[1:2]))
	}
	if p := rowProblems(got[2:]); strings.Join(p, ",") != "5 return_date=registry.return.date_future,5 sex=registry.import.sex" {
		t.Errorf("row 5: %q", p)
	}
	if len(ir.Warnings()) != 1 {
		t.Errorf("warnings %+v", ir.Warnings())
	}

	named := makeXLSX(t, "Returnees", rows)
	if _, got, err := readAll(t, named, FormatXLSX, ImportOptions{Sheet: "Returnees"}); err != nil || len(got) != 3 {
		t.Errorf("named sheet: %v, %d rows", err, len(got))
	}
	if _, _, err := readAll(t, named, FormatXLSX, ImportOptions{Sheet: "Nope"}); errKey(err) != "registry.import.sheet_missing" {
		t.Errorf("missing sheet: %v", err)
	}
	if _, _, err := readAll(t, named, FormatXLSX, ImportOptions{}); errKey(err) != "registry.import.missing_columns" {
		t.Errorf("first sheet is the wrong one: %v", err)
	}
	if _, _, err := readAll(t, []byte("not a zip"), FormatXLSX, ImportOptions{}); errKey(err) != "registry.import.xlsx_broken" {
		t.Errorf("broken: %v", err)
	}
	if _, _, err := readAll(t, makeXLSX(t, "", nil), FormatXLSX, ImportOptions{}); errKey(err) != "registry.import.empty" {
		t.Errorf("empty workbook: %v", err)
	}
}

func TestErrorReport(t *testing.T) {
	data, _ := os.ReadFile("testdata/messy.csv")
	ir, rows, err := readAll(t, data, FormatCSV, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "bn"} {
		var b bytes.Buffer
		rep, err := NewErrorReport(&b, ir.Header(), lang)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if err := rep.Add(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := rep.Flush(); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), "\ufeff"))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(recs) != 1+11 || rep.Rows() != 11 {
			t.Fatalf("%s: %d records", lang, len(recs))
		}
		head := recs[0]
		if head[0] != "External ID" || head[len(head)-1] != map[string]string{"en": "errors", "bn": "ত্রুটি"}[lang] {
			t.Errorf("%s header %q", lang, head)
		}
		first := recs[1]
		if first[0] != "R004" || len(first) != len(head) {
			t.Errorf("%s first failed row %q", lang, first)
		}
		msg := first[len(first)-1]
		want := map[string]string{"en": "Gender: “Z” is not a sex", "bn": "Gender: “Z” লিঙ্গ হিসেবে বোঝা যাচ্ছে না"}[lang] // the file's own heading
		if !strings.Contains(msg, want) || strings.Count(msg, "\n") != 8 {
			t.Errorf("%s errors cell %q", lang, msg)
		}
		if lang == "bn" && !strings.Contains(b.String(), "৭ নম্বর লাইনেও") && !strings.Contains(b.String(), "২ নম্বর লাইনেও") {
			t.Errorf("bn: line numbers should be in Bangla digits: %s", b.String())
		}
		last := recs[len(recs)-1]
		if !strings.HasPrefix(last[1], "'=") {
			t.Errorf("formula not defused in report: %q", last[1])
		}
	}
}

func TestImportRowJSON(t *testing.T) {
	data, _ := os.ReadFile("testdata/messy.csv")
	_, rows, _ := readAll(t, data, FormatCSV, ImportOptions{})
	b, err := json.Marshal(rows[3])
	if err != nil || !strings.Contains(string(b), `"column":"sex"`) || !strings.Contains(string(b), `"line":5`) {
		t.Errorf("row JSON: %v %s", err, b)
	}
}

package registry

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

func exportRecords() []*ExportRecord {
	p := validPerson()
	p.ExternalID = "R001"
	e := validEpisode()
	c := Case{Number: "BGD-2026-000123", Status: StatusInServices, Priority: PriorityHigh, Vulnerabilities: []Vulnerability{VulnDebtBondage, VulnElderly}, OpenedAt: now}
	evil := Person{ExternalID: "R002", GivenName: "=HYPERLINK(\"http://x\")", Sex: SexFemale, Phones: []string{"+8801712345678"}}
	return []*ExportRecord{{Person: &p, Episode: &e, Case: &c}, {Person: &evil}}
}

func TestCSVExport(t *testing.T) {
	var b bytes.Buffer
	ex, err := NewCSVExporter(&b, ExportOptions{HXL: true, Columns: []string{"external_id", "case_number", "given_name", "sex", "date_of_birth",
		"phone", "national_id", "adm1_code", "adm2_code", "adm2_name", "adm3_code", "destination_country", "return_date", "return_type",
		"case_status", "vulnerabilities", "disability", "opened_at"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range exportRecords() {
		if err := ex.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := ex.Close(); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\ufeff")) {
		t.Error("no BOM")
	}
	recs, err := csv.NewReader(bytes.NewReader(b.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{
		{"external_id", "case_number", "given_name", "sex", "date_of_birth", "phone", "national_id", "adm1_code", "adm2_code", "adm2_name", "adm3_code",
			"destination_country", "return_date", "return_type", "case_status", "vulnerabilities", "disability", "opened_at"},
		{"#meta+id+external", "#meta+id+case", "#affected+name+given", "#sex", "#date+birth", "#contact+phone", "#meta+id+national", "#adm1+code",
			"#adm2+code", "#adm2+name", "#adm3+code", "#country+code+destination", "#date+return", "#status+return", "#status+case",
			"#indicator+vulnerability", "#indicator+disability+wg", "#date+opened"},
		{"R001", "BGD-2026-000123", "Abdul", "male", "1985-03-12", "+8801712345678", "1234567890", "BD30", "BD3026", "Dhaka", "BD302602",
			"SA", "2026-01-10", "deported", "in_services", "debt_bondage; elderly", "no", "2026-03-15"},
		{"R002", "", "'=HYPERLINK(\"http://x\")", "female", "", "+8801712345678", "", "", "", "", "", "", "", "", "", "", "", ""},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records", len(recs))
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d:\n got  %q\n want %q", i, recs[i], want[i])
		}
	}
	if _, err := NewCSVExporter(&b, ExportOptions{Columns: []string{"given_name", "salary"}}); errKey(err) != "registry.export.unknown_column" {
		t.Errorf("unknown column: %v", err)
	}
	seen := map[string]bool{}
	for _, c := range ExportColumns() {
		if seen[c.Name] || !strings.HasPrefix(c.HXL, "#") || strings.ContainsAny(c.HXL, " _-") && !strings.Contains(c.HXL, "+") {
			t.Errorf("column %+v", c)
		}
		seen[c.Name] = true
	}
}

// An export in the default columns can be imported again unchanged.
func TestExportImportRoundTrip(t *testing.T) {
	recs := exportRecords()[:1]
	for _, f := range []Format{FormatCSV, FormatXLSX} {
		var b bytes.Buffer
		newEx := NewCSVExporter
		if f == FormatXLSX {
			newEx = NewXLSXExporter
		}
		ex, err := newEx(&b, ExportOptions{HXL: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range recs {
			if err := ex.Write(r); err != nil {
				t.Fatal(err)
			}
		}
		if err := ex.Close(); err != nil {
			t.Fatal(err)
		}
		ir, rows, err := readAll(t, b.Bytes(), f, ImportOptions{})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if len(rows) != 1 || !rows[0].OK() {
			t.Fatalf("%s: rows %d %q", f, len(rows), rowProblems(rows))
		}
		got, want := rows[0].Person, recs[0].Person
		if got.GivenName != want.GivenName || got.DateOfBirth != want.DateOfBirth || got.PassportNumber() != want.PassportNumber() ||
			got.Phones[0] != want.Phones[0] || got.Address != want.Address || rows[0].Episode.Return.Date != recs[0].Episode.Return.Date {
			t.Errorf("%s: round trip %+v", f, got)
		}
		if len(ir.Warnings()) != 2 { // case_number and case_status are not import columns
			t.Errorf("%s: warnings %+v", f, ir.Warnings())
		}
	}
}

func TestXLSXExport(t *testing.T) {
	var b bytes.Buffer
	ex, err := NewXLSXExporter(&b, ExportOptions{Columns: []string{"external_id", "phone", "full_name_native"}, Sheet: "Export"})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range exportRecords() {
		if err := ex.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := ex.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Export")
	if err != nil || len(rows) != 3 || rows[1][1] != "+8801712345678" || rows[1][2] != "আব্দুল করিম" {
		t.Errorf("rows %q %v", rows, err)
	}
	if typ, _ := f.GetCellType("Export", "B2"); typ == excelize.CellTypeNumber {
		t.Error("phone stored as a number")
	}
}

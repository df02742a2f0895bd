package registry

import (
	"encoding/csv"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"homeward"
	"homeward/internal/reference"
)

// ExportRecord is one line of an export: a person with the episode of their
// latest return and their case. Episode and Case may be nil.
type ExportRecord struct {
	Person  *Person
	Episode *MigrationEpisode
	Case    *Case
}

// ExportColumn describes a column an export can have: its name (the header,
// equal to the import column where there is one, so that an export can be
// imported again), its HXL hashtag, and how its value is read.
type ExportColumn struct {
	Name  string
	HXL   string
	value func(r *ExportRecord) string
}

func person(f func(p *Person) string) func(*ExportRecord) string {
	return func(r *ExportRecord) string {
		if r.Person == nil {
			return ""
		}
		return f(r.Person)
	}
}

func episode(f func(e *MigrationEpisode) string) func(*ExportRecord) string {
	return func(r *ExportRecord) string {
		if r.Episode == nil {
			return ""
		}
		return f(r.Episode)
	}
}

func ret(f func(e *Return) string) func(*ExportRecord) string {
	return episode(func(e *MigrationEpisode) string {
		if e.Return == nil {
			return ""
		}
		return f(e.Return)
	})
}

func caseCol(f func(c *Case) string) func(*ExportRecord) string {
	return func(r *ExportRecord) string {
		if r.Case == nil {
			return ""
		}
		return f(r.Case)
	}
}

// adm returns the code or English name of the person's area at level depth
// (1 division/province/governorate, 2 district, 3 upazila).
func adm(depth int, name bool) func(*ExportRecord) string {
	return person(func(p *Person) string {
		path := reference.AreaPath(p.Address.AdminArea)
		if len(path) < depth {
			return ""
		}
		if name {
			return path[depth-1].Name("en")
		}
		return path[depth-1].Code
	})
}

// exportColumns is every column an export may have. HXL hashtags follow the
// HXL core schema where it has a tag (#adm1, #country, #date, #contact, #loc,
// #meta, #status, #severity) and use attributes to say which person field it is.
var exportColumns = []ExportColumn{
	{"person_id", "#meta+id+person", person(func(p *Person) string { return p.ID })},
	{"external_id", "#meta+id+external", person(func(p *Person) string { return p.ExternalID })},
	{"case_number", "#meta+id+case", caseCol(func(c *Case) string { return c.Number })},
	{"given_name", "#affected+name+given", person(func(p *Person) string { return p.GivenName })},
	{"family_name", "#affected+name+family", person(func(p *Person) string { return p.FamilyName })},
	{"full_name_native", "#affected+name+native", person(func(p *Person) string { return p.FullNameNative })},
	{"aliases", "#affected+name+alias", person(func(p *Person) string { return strings.Join(p.Aliases, "; ") })},
	{"sex", "#sex", person(func(p *Person) string { return string(p.Sex) })},
	{"date_of_birth", "#date+birth", person(func(p *Person) string { return p.DateOfBirth.String() })},
	{"father_name", "#affected+name+father", person(func(p *Person) string { return p.FatherName })},
	{"mother_name", "#affected+name+mother", person(func(p *Person) string { return p.MotherName })},
	{"phone", "#contact+phone", person(func(p *Person) string { return strings.Join(p.Phones, "; ") })},
	{"national_id", "#meta+id+national", person(func(p *Person) string { return p.NationalID() })},
	{"passport_number", "#meta+id+passport", person(func(p *Person) string { return p.PassportNumber() })},
	{"admin_area", "#loc+code", person(func(p *Person) string { return p.Address.AdminArea })},
	{"adm1_code", "#adm1+code", adm(1, false)},
	{"adm1_name", "#adm1+name", adm(1, true)},
	{"adm2_code", "#adm2+code", adm(2, false)},
	{"adm2_name", "#adm2+name", adm(2, true)},
	{"adm3_code", "#adm3+code", adm(3, false)},
	{"adm3_name", "#adm3+name", adm(3, true)},
	{"address", "#loc+address", person(func(p *Person) string { return p.Address.Text })},
	{"postcode", "#loc+postcode", person(func(p *Person) string { return p.Address.Postcode })},
	{"education", "#indicator+education", person(func(p *Person) string { return string(p.Education) })},
	{"languages", "#meta+lang", person(func(p *Person) string { return strings.Join(p.Languages, "; ") })},
	{"disability", "#indicator+disability+wg", person(func(p *Person) string {
		if p.Disability == nil {
			return ""
		} else if p.Disability.HasDisability() {
			return "yes"
		}
		return "no"
	})},
	{"destination_country", "#country+code+destination", episode(func(e *MigrationEpisode) string { return e.DestinationCountry })},
	{"occupation_abroad", "#indicator+occupation+isco", episode(func(e *MigrationEpisode) string { return e.OccupationAbroad })},
	{"sector", "#sector+abroad", episode(func(e *MigrationEpisode) string { return string(e.Sector) })},
	{"departure_date", "#date+departure", episode(func(e *MigrationEpisode) string { return e.DepartureDate.String() })},
	{"return_date", "#date+return", ret(func(r *Return) string { return r.Date.String() })},
	{"return_type", "#status+return", ret(func(r *Return) string { return string(r.ReturnType) })},
	{"point_of_entry", "#loc+entry", ret(func(r *Return) string { return r.PointOfEntry })},
	{"case_status", "#status+case", caseCol(func(c *Case) string { return string(c.Status) })},
	{"closure_reason", "#status+case+closure", caseCol(func(c *Case) string { return string(c.ClosureReason) })},
	{"priority", "#severity+case", caseCol(func(c *Case) string { return string(c.Priority) })},
	{"vulnerabilities", "#indicator+vulnerability", caseCol(func(c *Case) string {
		s := make([]string, len(c.Vulnerabilities))
		for i, v := range c.Vulnerabilities {
			s[i] = string(v)
		}
		return strings.Join(s, "; ")
	})},
	{"assigned_to", "#contact+worker+id", caseCol(func(c *Case) string { return c.AssignedTo })},
	{"opened_at", "#date+opened", caseCol(func(c *Case) string {
		if c.OpenedAt.IsZero() {
			return ""
		}
		return c.OpenedAt.UTC().Format(time.DateOnly)
	})},
}

// ExportColumns returns every column an export may have, in display order.
func ExportColumns() []ExportColumn { return append([]ExportColumn(nil), exportColumns...) }

// DefaultExportColumns are the import format's columns (so that an export
// can be imported again) plus the case number and status.
var DefaultExportColumns = []string{"external_id", "case_number", "given_name", "family_name", "full_name_native", "sex",
	"date_of_birth", "father_name", "mother_name", "phone", "national_id", "passport_number", "admin_area", "address",
	"postcode", "destination_country", "occupation_abroad", "return_date", "return_type", "case_status"}

// ExportOptions choose an export's columns and whether it carries a row of
// HXL hashtags under the header.
type ExportOptions struct {
	Columns []string // names from ExportColumns; DefaultExportColumns when empty
	HXL     bool
	Sheet   string // XLSX sheet name; "Returnees" when empty
}

func (o ExportOptions) columns() ([]ExportColumn, error) {
	names := o.Columns
	if len(names) == 0 {
		names = DefaultExportColumns
	}
	byName := map[string]ExportColumn{}
	for _, c := range exportColumns {
		byName[c.Name] = c
	}
	var v homeward.Validation
	cols := make([]ExportColumn, 0, len(names))
	for i, n := range names {
		c, ok := byName[n]
		if !ok {
			v.AddArgs(idx("columns", i), "registry.export.unknown_column", map[string]any{"value": n}, "“%s” is not a column that can be exported.", n)
		}
		cols = append(cols, c)
	}
	return cols, v.Err()
}

// Exporter writes records to a CSV or XLSX export, one at a time.
type Exporter interface {
	// Write adds one record.
	Write(r *ExportRecord) error
	// Close finishes the file; an XLSX export is written to its io.Writer here.
	Close() error
}

type csvExporter struct {
	w    *csv.Writer
	cols []ExportColumn
	rec  []string
}

// NewCSVExporter starts a CSV export on w: a UTF-8 byte-order mark (for
// Excel), the header, the HXL row when asked, then one line per Write.
func NewCSVExporter(w io.Writer, opt ExportOptions) (Exporter, error) {
	cols, err := opt.columns()
	if err != nil {
		return nil, err
	}
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	e := &csvExporter{w: csv.NewWriter(w), cols: cols, rec: make([]string, len(cols))}
	for _, row := range headerRows(cols, opt.HXL) {
		if err := e.w.Write(row); err != nil {
			return nil, err
		}
	}
	return e, nil
}

func headerRows(cols []ExportColumn, hxl bool) [][]string {
	names, tags := make([]string, len(cols)), make([]string, len(cols))
	for i, c := range cols {
		names[i], tags[i] = c.Name, c.HXL
	}
	if hxl {
		return [][]string{names, tags}
	}
	return [][]string{names}
}

func (e *csvExporter) Write(r *ExportRecord) error {
	for i, c := range e.cols {
		e.rec[i] = csvSafe(c.value(r))
	}
	return e.w.Write(e.rec)
}

func (e *csvExporter) Close() error {
	e.w.Flush()
	return e.w.Error()
}

// csvSafe defuses spreadsheet formula injection: a cell that starts with =,
// +, -, @ (or tab / carriage return) would run as a formula when the file is
// opened in Excel. Phone numbers in E.164 start with + and are left alone.
func csvSafe(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '-', '@', '\t', '\r':
		return "'" + s
	case '+':
		if _, err := ParsePhone(strings.Split(s, ";")[0], ""); err == nil {
			return s
		}
		return "'" + s
	}
	return s
}

type xlsxExporter struct {
	out  io.Writer
	f    *excelize.File
	sw   *excelize.StreamWriter
	cols []ExportColumn
	row  int
	vals []any
}

// NewXLSXExporter starts an XLSX export that is written to w on Close. Rows
// go through excelize's StreamWriter, which spills to a temporary file, so
// memory stays flat however many records are written.
func NewXLSXExporter(w io.Writer, opt ExportOptions) (Exporter, error) {
	cols, err := opt.columns()
	if err != nil {
		return nil, err
	}
	sheet := opt.Sheet
	if sheet == "" {
		sheet = "Returnees"
	}
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		f.Close()
		return nil, err
	}
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		f.Close()
		return nil, err
	}
	e := &xlsxExporter{out: w, f: f, sw: sw, cols: cols, vals: make([]any, len(cols))}
	for _, row := range headerRows(cols, opt.HXL) {
		if err := e.writeRow(row); err != nil {
			f.Close()
			return nil, err
		}
	}
	return e, nil
}

func (e *xlsxExporter) writeRow(cells []string) error {
	for i, c := range cells {
		e.vals[i] = c // strings stay text: ids and phones must not become numbers
	}
	e.row++
	cell, err := excelize.CoordinatesToCellName(1, e.row)
	if err != nil {
		return err
	}
	return e.sw.SetRow(cell, e.vals)
}

func (e *xlsxExporter) Write(r *ExportRecord) error {
	cells := make([]string, len(e.cols))
	for i, c := range e.cols {
		cells[i] = c.value(r)
	}
	return e.writeRow(cells)
}

func (e *xlsxExporter) Close() error {
	defer e.f.Close()
	if err := e.sw.Flush(); err != nil {
		return err
	}
	_, err := e.f.WriteTo(e.out)
	return err
}

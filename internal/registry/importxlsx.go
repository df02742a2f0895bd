package registry

import (
	"errors"
	"io"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// xlsxSource reads the rows of one worksheet with excelize's streaming
// iterator. Cells are read raw (without number formats) so that dates typed
// as dates arrive as Excel serial numbers, which the date parsers accept, and
// long numbers keep their digits. excelize holds the zipped file and the
// shared-strings table in memory and spills large worksheets to a temporary
// file; the worksheet itself is streamed.
type xlsxSource struct {
	f    *excelize.File
	rows *excelize.Rows
	line int
}

func newXLSXSource(r io.Reader, sheet string) (*xlsxSource, error) {
	f, err := excelize.OpenReader(r, excelize.Options{UnzipXMLSizeLimit: 8 << 20})
	if err != nil {
		return nil, fileErr("registry.import.xlsx_broken", nil, "The file is not a readable XLSX workbook.")
	}
	if sheet == "" {
		sheet = f.GetSheetName(0)
	} else if idx, err := f.GetSheetIndex(sheet); err != nil || idx < 0 {
		f.Close()
		return nil, fileErr("registry.import.sheet_missing", map[string]any{"sheet": sheet}, "The workbook has no sheet named “%s”.", sheet)
	}
	rows, err := f.Rows(sheet)
	if err != nil {
		f.Close()
		return nil, fileErr("registry.import.xlsx_broken", nil, "The file is not a readable XLSX workbook.")
	}
	return &xlsxSource{f: f, rows: rows}, nil
}

func (s *xlsxSource) excelSerial() bool { return true }

func (s *xlsxSource) close() error {
	return errors.Join(s.rows.Close(), s.f.Close())
}

func (s *xlsxSource) next() ([]string, int, error) {
	if !s.rows.Next() {
		if err := s.rows.Error(); err != nil {
			return nil, 0, fileErr("registry.import.xlsx_broken", nil, "The file is not a readable XLSX workbook.")
		}
		return nil, 0, io.EOF
	}
	s.line++
	cells, err := s.rows.Columns(excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, 0, fileErr("registry.import.xlsx_row", map[string]any{"line": s.line}, "Row %d of the workbook cannot be read.", s.line)
	}
	for _, c := range cells {
		if !utf8.ValidString(c) {
			return nil, 0, fileErr("registry.import.encoding", map[string]any{"line": s.line},
				"Line %d is not valid UTF-8: the file seems to be in another encoding. Save it as “CSV UTF-8” and try again.", s.line)
		}
	}
	return cells, s.line, nil
}

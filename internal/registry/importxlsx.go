package registry

import (
	"errors"
	"io"
	"os"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"

	"homeward/internal/xlsx"
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

// XLSXLimits bound what an import workbook may unpack to (see package
// xlsx): worksheets over 8 MiB are streamed from temporary files, up to
// 1 GiB in all; the shared-strings table, which excelize indexes in memory,
// may hold 2 million texts of at most 1 MiB each.
var XLSXLimits = xlsx.Limits{Total: 1 << 30, Part: 8 << 20, SharedStrings: 128 << 20, Strings: 2_000_000, Entry: 1 << 20}

func newXLSXSource(r io.Reader, sheet string) (*xlsxSource, error) {
	// A file on disk (an upload kept for the import, the command line's
	// file) is checked and read in place rather than copied first; its
	// bytes count as read.
	if cr, ok := r.(*countingReader); ok {
		if file, ok := cr.r.(*os.File); ok {
			r = file
			defer func() {
				if st, err := file.Stat(); err == nil {
					cr.n = st.Size()
				}
			}()
		}
	}
	f, err := xlsx.Open(r, XLSXLimits)
	var tl *xlsx.TooLargeError
	if errors.As(err, &tl) {
		return nil, fileErr("registry.import.xlsx_too_large", nil,
			"The workbook is too large once unpacked, or holds more text than an import can read: split it into smaller files, or save it as “CSV UTF-8” and import that.")
	}
	if errors.Is(err, xlsx.ErrUnreadable) {
		return nil, fileErr("registry.import.xlsx_broken", nil, "The file is not a readable XLSX workbook.")
	} else if err != nil {
		return nil, err // reading failed (a body over its limit, a closed connection)
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

package registry

import (
	"cmp"
	"encoding/csv"
	"io"
	"strings"

	"homeward/internal/i18n"
)

// ErrorReport writes the rows that failed an import as CSV: the file's own
// header and cells, so that the user can fix them and import the report
// again, plus a last column "errors" with every problem of the row translated
// into lang, one per line inside the cell ("sex: “X” is not a sex…"). It streams: each row
// is written as it is added.
type ErrorReport struct {
	w     *csv.Writer
	lang  string
	width int
	rows  int
	cols  []Column // the import column of each file column, "" if none
}

// NewErrorReport starts an error report on w with the import's header (see
// ImportReader.Header) in language lang (en, bn …). A UTF-8 byte-order mark
// comes first so that Excel opens Bangla text correctly.
func NewErrorReport(w io.Writer, header []string, lang string) (*ErrorReport, error) {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return nil, err
	}
	r := &ErrorReport{w: csv.NewWriter(w), lang: lang, width: len(header), cols: make([]Column, len(header))}
	for i, h := range header {
		r.cols[i] = HeaderColumn(h)
	}
	h := append(append([]string(nil), header...), i18n.T(lang, "registry.import.errors_column", nil))
	if len(header) > 0 {
		h[0] = strings.TrimPrefix(h[0], "\ufeff")
	}
	return r, r.w.Write(h)
}

// Add writes row if it has errors; valid rows are skipped.
func (r *ErrorReport) Add(row *ImportRow) error {
	if row.OK() {
		return nil
	}
	rec := make([]string, r.width+1)
	bad := map[string]bool{}
	for _, e := range row.Errors {
		bad[e.Column] = true
	}
	for i, c := range row.Cells {
		if i < r.width {
			if col := r.cols[i]; col != "" && bad[string(col)] {
				c = Shorten(c) // a bad value is to be typed again anyway
			}
			rec[i] = csvSafe(c)
		}
	}
	msgs := make([]string, len(row.Errors))
	for i, e := range row.Errors {
		msgs[i] = cmp.Or(e.Header, e.Column) + ": " + r.Message(e)
	}
	rec[r.width] = strings.Join(msgs, "\n") // one problem per line inside the cell
	r.rows++
	return r.w.Write(rec)
}

// Message translates one row error into the report's language.
func (r *ErrorReport) Message(e RowError) string {
	if e.Key == "" || !i18n.Has(e.Key) {
		return e.Message
	}
	return i18n.T(r.lang, e.Key, e.Args)
}

// Rows returns how many rows were written.
func (r *ErrorReport) Rows() int { return r.rows }

// Flush writes buffered rows to the underlying writer and reports any error.
func (r *ErrorReport) Flush() error {
	r.w.Flush()
	return r.w.Error()
}

package homewardtest

import (
	"archive/zip"
	"bytes"
	"io"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// XLSXBomb returns a small .xlsx workbook (a zip bomb) whose sheet "survey"
// has a header row and whose shared-strings table unpacks to about size
// bytes: entries texts of equal length made of one repeated byte, which
// deflate shrinks a thousandfold. The header row comes from cols.
func XLSXBomb(t testing.TB, cols []string, size int64, entries int) []byte {
	t.Helper()
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", "survey"); err != nil {
		t.Fatal(err)
	}
	for i, c := range cols {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		_ = f.SetCellStr("survey", cell, c)
	}
	var plain bytes.Buffer
	if err := f.Write(&plain); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(plain.Bytes()), int64(plain.Len()))
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	for _, e := range zr.File {
		if strings.EqualFold(e.Name, "xl/sharedStrings.xml") {
			continue
		}
		if err := zw.Copy(e); err != nil {
			t.Fatal(err)
		}
	}
	w, err := zw.Create("xl/sharedStrings.xml")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.WriteString(w, `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>`+"\n"+
		`<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`)
	// The header's own strings first, so that the sheet still reads.
	for _, c := range cols {
		_, _ = io.WriteString(w, "<si><t>"+c+"</t></si>")
	}
	each := size / int64(max(entries, 1))
	chunk := bytes.Repeat([]byte("a"), 64<<10)
	for range entries {
		_, _ = io.WriteString(w, "<si><t>")
		for left := each; left > 0; {
			n := min(left, int64(len(chunk)))
			_, _ = w.Write(chunk[:n])
			left -= n
		}
		_, _ = io.WriteString(w, "</t></si>")
	}
	_, _ = io.WriteString(w, "</sst>")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

package homewardtest

import (
	"archive/zip"
	"bytes"
	"io"
	"runtime"
	"strings"
	"testing"
	"time"

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

// PeakHeapGrowth runs f and returns how far the heap in use rose above its
// level before f, sampled every few milliseconds while f runs (a transient
// peak is what kills a server; the level after f says nothing).
func PeakHeapGrowth(f func()) int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	peak := base
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			var s runtime.MemStats
			runtime.ReadMemStats(&s)
			peak = max(peak, s.HeapInuse)
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	close(done)
	<-sampled
	return int64(peak) - int64(base)
}

// Package xlsx opens uploaded XLSX workbooks within limits. A workbook is a
// zip archive, and a few kilobytes of it can unpack to gigabytes (a "zip
// bomb"); excelize unpacks parts into memory or temporary files and holds
// the shared-strings table (every text cell of the workbook) whole, so the
// sizes are checked from the archive's directory, and the shared-strings
// table is scanned in a stream, before excelize sees the file.
package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/xuri/excelize/v2"
)

// Limits bound what opening one workbook may unpack.
type Limits struct {
	// Total bounds the unpacked size of all parts together; worksheets
	// larger than Part are unpacked to temporary files and streamed.
	Total int64
	// Part: parts up to this size are unpacked in memory.
	Part int64
	// SharedStrings bounds the unpacked shared-strings table, and Strings
	// the number of its entries, Entry the size of one entry: excelize
	// keeps the table (or an index of it) in memory.
	SharedStrings int64
	Strings       int
	Entry         int
}

// TooLargeError reports a workbook over one of the Limits; the callers
// turn it into their own translated message.
type TooLargeError struct {
	What  string // "total", "shared strings", "strings", "entry"
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("xlsx: %s over the limit of %d", e.What, e.Limit)
}

// ErrUnreadable is returned for a file that is not a zip archive.
var ErrUnreadable = errors.New("xlsx: not a readable workbook")

const sharedStringsPath = "xl/sharedstrings.xml"

// Open checks the workbook in r against lim and opens it with excelize,
// with excelize's own unzip limits set from lim as a second line. r is read
// once (to a temporary file when it cannot be read at an offset, as a
// request body cannot); the caller closes the file.
func Open(r io.Reader, lim Limits) (*excelize.File, error) {
	ra, size, done, err := readerAt(r)
	if err != nil {
		return nil, err
	}
	defer done()
	if err := Check(ra, size, lim); err != nil {
		return nil, err
	}
	f, err := excelize.OpenReader(io.NewSectionReader(ra, 0, size), excelize.Options{UnzipSizeLimit: lim.Total, UnzipXMLSizeLimit: min(lim.Part, lim.Total)})
	if err != nil {
		return nil, errors.Join(ErrUnreadable, err)
	}
	return f, nil
}

func readerAt(r io.Reader) (io.ReaderAt, int64, func(), error) {
	switch v := r.(type) {
	case *bytes.Reader:
		return v, v.Size(), func() {}, nil
	case *os.File:
		st, err := v.Stat()
		if err == nil && st.Mode().IsRegular() {
			if off, err := v.Seek(0, io.SeekCurrent); err == nil && off == 0 {
				return v, st.Size(), func() {}, nil
			}
		}
	}
	tmp, err := os.CreateTemp("", "homeward-xlsx-*")
	if err != nil {
		return nil, 0, nil, err
	}
	done := func() { _ = tmp.Close(); _ = os.Remove(tmp.Name()) }
	n, err := io.Copy(tmp, r)
	if err != nil {
		done()
		return nil, 0, nil, err
	}
	return tmp, n, done, nil
}

// Check reads the archive's directory and its shared-strings table (in a
// stream, in constant memory) and reports the first limit exceeded. The
// sizes in the directory bind: archive/zip refuses a part that unpacks to
// more than its entry says.
func Check(ra io.ReaderAt, size int64, lim Limits) error {
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		return ErrUnreadable
	}
	var total uint64
	var sst *zip.File
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total > uint64(lim.Total) {
			return &TooLargeError{What: "total", Limit: lim.Total}
		}
		if strings.EqualFold(strings.ReplaceAll(f.Name, `\`, "/"), sharedStringsPath) {
			if f.UncompressedSize64 > uint64(lim.SharedStrings) {
				return &TooLargeError{What: "shared strings", Limit: lim.SharedStrings}
			}
			sst = f
		}
	}
	if sst == nil {
		return nil
	}
	rc, err := sst.Open()
	if err != nil {
		return ErrUnreadable
	}
	defer rc.Close()
	return scanStrings(bufio.NewReaderSize(rc, 64<<10), lim)
}

// scanStrings counts the entries (<si> elements, with or without a
// namespace prefix) of a shared-strings table and measures the distance
// between their starts, without parsing the XML.
func scanStrings(r io.ByteReader, lim Limits) error {
	var (
		prev   [3]byte // the three bytes before the current one
		since  int     // bytes since the last entry began
		count  int
		broken error
	)
	for {
		c, err := r.ReadByte()
		if err == io.EOF {
			break
		}
		if err != nil {
			broken = ErrUnreadable
			break
		}
		since++
		if prev[1] == 's' && prev[2] == 'i' && (prev[0] == '<' || prev[0] == ':') &&
			(c == '>' || c == '/' || c == ' ' || c == '\t' || c == '\r' || c == '\n') {
			count++
			if count > lim.Strings {
				return &TooLargeError{What: "strings", Limit: int64(lim.Strings)}
			}
			since = 0
		}
		if since > lim.Entry {
			return &TooLargeError{What: "entry", Limit: int64(lim.Entry)}
		}
		prev[0], prev[1], prev[2] = prev[1], prev[2], c
	}
	return broken
}

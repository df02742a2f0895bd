package registry

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// csvSource reads CSV rows. It strips a UTF-8 byte-order mark, converts
// UTF-16 (with a BOM) to UTF-8, guesses the delimiter (comma, semicolon or
// tab) from the header line, and reports invalid UTF-8 — usually a file saved
// as Windows-1252 or ANSI — as a file-level error with the line.
type csvSource struct {
	r     *csv.Reader
	limit *lineLimiter
}

func newCSVSource(r io.Reader, maxLine int) (*csvSource, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	bom, _ := br.Peek(3)
	in := br
	switch {
	case bytes.HasPrefix(bom, []byte{0xEF, 0xBB, 0xBF}):
		br.Discard(3)
	case bytes.HasPrefix(bom, []byte{0xFF, 0xFE}), bytes.HasPrefix(bom, []byte{0xFE, 0xFF}):
		// ExpectBOM reads the BOM to choose the byte order and drops it.
		in = bufio.NewReaderSize(transform.NewReader(br, unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()), 64<<10)
	}
	// The first line is peeked only to guess the delimiter, which the
	// limiter needs to follow the quoting: at most 4 KiB of it.
	head, _ := in.Peek(4096)
	comma := sniffDelimiter(head)
	ll := &lineLimiter{r: in, max: maxLine, line: 1, start: 1, comma: byte(comma)}
	cr := csv.NewReader(bufio.NewReaderSize(ll, 64<<10))
	cr.Comma = comma
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	return &csvSource{r: cr, limit: ll}, nil
}

// sniffDelimiter picks the most frequent of comma, semicolon and tab on the
// first line (European spreadsheets save CSV with semicolons).
func sniffDelimiter(head []byte) rune {
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	best, n := ',', bytes.Count(head, []byte{','})
	for _, d := range []rune{';', '\t'} {
		if c := bytes.Count(head, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

func (s *csvSource) excelSerial() bool { return false }
func (s *csvSource) close() error      { return nil }

func (s *csvSource) next() ([]string, int, error) {
	rec, err := s.r.Read()
	if err != nil {
		var le *lineTooLong
		if errors.As(err, &le) && le.multi {
			return nil, 0, fileErr("registry.import.record_too_long", map[string]any{"line": le.line, "max": le.max},
				"The row that starts on line %d runs over several lines and is longer than %d bytes: is a quotation mark (\") left open?", le.line, le.max)
		}
		if errors.As(err, &le) {
			return nil, 0, fileErr("registry.import.line_too_long", map[string]any{"line": le.line, "max": le.max},
				"Line %d is longer than %d bytes; is this really a CSV file?", le.line, le.max)
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, 0, fileErr("registry.import.csv_syntax", map[string]any{"line": pe.Line, "detail": pe.Err.Error()},
				"Line %d is not valid CSV: %s.", pe.Line, pe.Err)
		}
		return nil, 0, err
	}
	line, _ := s.r.FieldPos(0)
	for _, c := range rec {
		if !utf8.ValidString(c) {
			return nil, 0, fileErr("registry.import.encoding", map[string]any{"line": line},
				"Line %d is not valid UTF-8: the file seems to be in another encoding. Save it as “CSV UTF-8” and try again.", line)
		}
	}
	return rec, line, nil
}

// lineLimiter fails a read once a record grows past max bytes, so that a
// file without line breaks, or a quoted cell that runs over many lines,
// cannot fill memory: encoding/csv holds a whole record before it returns
// it, so the limit is applied here, before it reads the bytes. It follows
// the quoting as encoding/csv does with LazyQuotes (a quote opens a quoted
// field only at the start of a field; inside one, a doubled quote is a
// quote and a quote before the delimiter or a line break closes it), so that
// a line break inside quotes does not end the record.
type lineLimiter struct {
	r     io.Reader
	max   int
	comma byte
	cur   int // bytes of the current record
	line  int // the physical line being read
	start int // the line the current record started on
	state csvState
	err   error // sticky: bufio.Reader.Peek swallows the first error
}

type csvState uint8

const (
	fieldStart csvState = iota
	unquoted
	quoted
	quoteInQuoted // a quote inside a quoted field: closing, or doubled
)

type lineTooLong struct {
	line, max int
	multi     bool // the record runs over several lines (a quoted line break)
}

func (e *lineTooLong) Error() string { return "line too long" }

func (l *lineLimiter) Read(p []byte) (int, error) {
	if l.err != nil {
		return 0, l.err
	}
	n, err := l.r.Read(p)
	for i := 0; i < n; i++ {
		c := p[i]
		if c == '\n' {
			l.line++
		}
		switch l.state {
		case fieldStart, unquoted:
			switch c {
			case '"':
				if l.state == fieldStart {
					l.state = quoted
				}
			case l.comma:
				l.state = fieldStart
			case '\n':
				l.state, l.cur, l.start = fieldStart, -1, l.line
			default:
				l.state = unquoted
			}
		case quoted:
			if c == '"' {
				l.state = quoteInQuoted
			}
		case quoteInQuoted:
			switch c {
			case '"':
				l.state = quoted // a doubled quote
			case l.comma:
				l.state = fieldStart
			case '\n':
				l.state, l.cur, l.start = fieldStart, -1, l.line
			case '\r':
				// "\r\n" after a closing quote ends the record too
			default:
				l.state = quoted // a stray quote, kept as a character (LazyQuotes)
			}
		}
		l.cur++
		if l.cur > l.max {
			l.err = &lineTooLong{line: l.start, max: l.max, multi: l.line > l.start}
			return i, l.err
		}
	}
	return n, err
}

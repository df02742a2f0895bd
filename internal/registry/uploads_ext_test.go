package registry_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"homeward"
	"homeward/internal/heapwatch"
	"homeward/internal/registry"
)

// runaway is a CSV whose second record opens a quote and runs on for size
// bytes of short lines, generated as it is read.
type runaway struct {
	head, tail string
	size, read int64
	line       []byte
}

func (r *runaway) Read(p []byte) (int, error) {
	n := 0
	for n < len(p) {
		switch {
		case r.read < int64(len(r.head)):
			c := copy(p[n:], r.head[r.read:])
			n += c
			r.read += int64(c)
		case r.read < int64(len(r.head))+r.size:
			off := (r.read - int64(len(r.head))) % int64(len(r.line))
			c := copy(p[n:], r.line[off:])
			if left := int64(len(r.head)) + r.size - r.read; int64(c) > left {
				c = int(left)
			}
			n += c
			r.read += int64(c)
		default:
			off := r.read - int64(len(r.head)) - r.size
			if off >= int64(len(r.tail)) {
				if n == 0 {
					return 0, io.EOF
				}
				return n, nil
			}
			c := copy(p[n:], r.tail[off:])
			n += c
			r.read += int64(c)
		}
	}
	return n, nil
}

func TestImportRunawayQuotedCell(t *testing.T) {
	src := &runaway{
		head: "external_id,given_name,sex,destination_country,return_date\nX0,Rina,F,SA,2026-01-01\nX1,\"",
		size: 150 << 20, line: append(bytes.Repeat([]byte("a"), 99), '\n'),
		tail: "\",F,SA,2026-01-01\nX2,Rina,F,SA,2026-01-01\n",
	}
	var err error
	rows := 0
	grew := heapwatch.PeakGrowth(func() {
		var ir *registry.ImportReader
		ir, err = registry.NewImportReader(src, registry.FormatCSV, registry.ImportOptions{Now: time.Date(2026, 3, 15, 10, 0, 0, 0, time.UTC)})
		if err != nil {
			return
		}
		defer ir.Close()
		for {
			if _, err = ir.Next(); err != nil {
				return
			}
			rows++
		}
	})
	t.Logf("read %d MB of the file, heap grew by %d MB at most: %v", src.read>>20, grew>>20, err)
	if errArgs(err) == nil || errArgs(err)["key"] != "registry.import.record_too_long" || rows != 1 {
		t.Errorf("after %d rows: %v, want registry.import.record_too_long", rows, err)
	}
	if e := errArgs(err); e["line"] != 3 {
		t.Errorf("args %v, want the line the row starts on (3)", e)
	}
	if src.read > 4<<20 {
		t.Errorf("read %d MB before refusing", src.read>>20)
	}
	if grew > 32<<20 {
		t.Errorf("heap grew by %d MB", grew>>20)
	}
}

// errArgs returns the key (as "key") and the arguments of a coded error.
func errArgs(err error) map[string]any {
	var e *homeward.Error
	if !errors.As(err, &e) {
		return nil
	}
	m := map[string]any{"key": e.Key}
	for k, v := range e.Args {
		m[k] = v
	}
	return m
}

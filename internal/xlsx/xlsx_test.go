package xlsx_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"homeward/homewardtest"
	"homeward/internal/heapwatch"
	"homeward/internal/xlsx"
)

var limits = xlsx.Limits{Total: 1 << 30, Part: 8 << 20, SharedStrings: 128 << 20, Strings: 1000, Entry: 1 << 20}

func TestOpenRefusesBombs(t *testing.T) {
	cols := []string{"external_id", "sex"}
	for _, tc := range []struct {
		name      string
		size      int64
		entries   int
		lim       xlsx.Limits
		what      string
		maxGrowth int64
	}{
		{"shared strings over their size", 300 << 20, 1, limits, "shared strings", 16 << 20},
		{"all parts over the total", 300 << 20, 1, xlsx.Limits{Total: 200 << 20, Part: 8 << 20, SharedStrings: 1 << 30, Strings: 1000, Entry: 1 << 30}, "total", 16 << 20},
		{"one entry within the table's size but huge", 100 << 20, 1, limits, "entry", 16 << 20},
		{"too many entries", 20 << 10, 2000, limits, "strings", 16 << 20},
		{"fine", 20 << 10, 500, limits, "", 32 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bomb := homewardtest.XLSXBomb(t, cols, tc.size, tc.entries)
			var err error
			grew := heapwatch.PeakGrowth(func() {
				var f interface{ Close() error }
				if f, err = xlsx.Open(bytes.NewReader(bomb), tc.lim); err == nil {
					f.Close()
				}
			})
			t.Logf("%d KB file, heap grew by %d MB at most: %v", len(bomb)>>10, grew>>20, err)
			var tl *xlsx.TooLargeError
			switch {
			case tc.what == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tc.what != "" && (!errors.As(err, &tl) || tl.What != tc.what):
				t.Errorf("got %v, want too large (%s)", err, tc.what)
			}
			if grew > tc.maxGrowth {
				t.Errorf("heap grew by %d MB", grew>>20)
			}
		})
	}
}

func TestOpenRefusesNonZip(t *testing.T) {
	if _, err := xlsx.Open(strings.NewReader("external_id,sex\n"), limits); !errors.Is(err, xlsx.ErrUnreadable) {
		t.Errorf("got %v", err)
	}
}

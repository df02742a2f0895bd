package sqldb

import (
	"fmt"
	"testing"

	"homeward/internal/indicator"
)

// The pages kept are bounded by their rows together, not only by their
// number: pages of 40,000 rows each never hold more than maxKeptRows, a
// page over maxCachedRows is not kept, and putting a page again counts it
// once.
func TestIndicatorPageCacheBounded(t *testing.T) {
	var c pageCache
	page := func(n int) []*indicator.Series {
		return []*indicator.Series{{Code: "x", Rows: make([]indicator.Row, n)}}
	}
	total := func() int {
		n := 0
		for _, ss := range c.m {
			for _, s := range ss {
				n += len(s.Rows)
			}
		}
		return n
	}
	for i := range 20 {
		c.put(fmt.Sprint("page", i), page(40_000))
		if got := total(); got > maxKeptRows || got != c.rows {
			t.Fatalf("after %d pages: %d rows kept (counted %d), bound %d", i+1, got, c.rows, maxKeptRows)
		}
	}
	c.put("page19", page(40_000))
	if total() != c.rows {
		t.Errorf("a page put again counted twice: %d kept, counted %d", total(), c.rows)
	}
	c.put("huge", page(maxCachedRows+1))
	if c.get("huge") != nil {
		t.Error("a page over maxCachedRows was kept")
	}
	if c.get("page19") == nil {
		t.Error("the last page put is not kept")
	}
	c.forget()
	if c.rows != 0 || c.get("page19") != nil {
		t.Error("forget kept pages")
	}
}

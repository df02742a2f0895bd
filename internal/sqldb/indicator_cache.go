package sqldb

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"homeward/internal/indicator"
)

// Dashboard pages read aggregates that change only when a rebuild stores an
// indicator, yet each read sums and sorts thousands of cells (2,251 for one
// page by upazila at 100,000 cases): on two busy cores eight readers of the
// same page queued behind one another's CPU, not behind a lock. So the
// series a page statement made are kept, by the statement, its arguments
// and the runs it was read at (each indicator's version, computed_at,
// records and cells, read first as before): a rebuild in any process
// changes the runs and so the key, and one in this process also bumps
// pageGen, so that two rebuilds at the same instant (a test's fixed
// clock) never share a key.

// maxCachedPages bounds the pages kept; when full the cache starts again
// (pages differ by organisation, filter and period, and the busy ones come
// back at once).
const maxCachedPages = 512

// maxCachedRows leaves out pages too large to be worth keeping in memory.
const maxCachedRows = 50_000

// maxKeptRows bounds the rows of all pages kept together, whatever the
// number of pages; when a page would pass it the cache starts again, like
// when the pages are too many.
const maxKeptRows = 200_000

type pageCache struct {
	mu sync.Mutex
	m  map[string][]*indicator.Series
	// rows counts the rows of the pages in m (bounded by maxKeptRows).
	rows int
	// reading holds the pages being read, closed when read: readers of
	// the same page wait for the first rather than all run it (eight
	// readers just after a rebuild).
	reading map[string]chan struct{}
	gen     atomic.Int64
	// off turns the cache off (set by benchmarks that measure the
	// statements themselves).
	off atomic.Bool
}

// key makes the cache key of a page statement read at the runs fingerprint.
func (c *pageCache) key(stmt string, args []any, runs string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\x00%s\x00%s", c.gen.Load(), runs, stmt)
	for _, a := range args {
		fmt.Fprintf(&b, "\x00%v", a)
	}
	return b.String()
}

// get returns copies of the series kept under key, or nil: each Series
// is the caller's to change, its rows are shared and read-only.
func (c *pageCache) get(key string) []*indicator.Series {
	if c.off.Load() {
		return nil
	}
	c.mu.Lock()
	kept, ok := c.m[key]
	c.mu.Unlock()
	if !ok {
		return nil
	}
	return copySeries(kept)
}

// wait returns the page kept under key after waiting for the reader
// already reading it, if any; or nil, and then the caller reads it and
// must call done (which puts what it read, if anything).
func (c *pageCache) wait(ctx context.Context, key string) (kept []*indicator.Series, done func([]*indicator.Series), err error) {
	if c.off.Load() {
		return nil, func([]*indicator.Series) {}, nil
	}
	for {
		if kept := c.get(key); kept != nil {
			return kept, nil, nil
		}
		c.mu.Lock()
		ch, busy := c.reading[key]
		if !busy {
			if c.reading == nil {
				c.reading = map[string]chan struct{}{}
			}
			ch = make(chan struct{})
			c.reading[key] = ch
			c.mu.Unlock()
			return nil, func(series []*indicator.Series) {
				if series != nil {
					c.put(key, series)
				}
				c.mu.Lock()
				delete(c.reading, key)
				c.mu.Unlock()
				close(ch)
			}, nil
		}
		c.mu.Unlock()
		select {
		case <-ch:
			// Read (or failed, or forgotten by a rebuild meanwhile):
			// look again, and read it ourselves if it is not kept.
		case <-ctx.Done():
			return nil, nil, ctx.Err()
		}
	}
}

// put keeps copies of series under key.
func (c *pageCache) put(key string, series []*indicator.Series) {
	if c.off.Load() {
		return
	}
	n := 0
	for _, s := range series {
		n += len(s.Rows)
	}
	if n > maxCachedRows {
		return
	}
	kept := copySeries(series)
	c.mu.Lock()
	if c.m == nil || len(c.m) >= maxCachedPages || c.rows+n > maxKeptRows {
		c.m, c.rows = map[string][]*indicator.Series{}, 0
	}
	if old, ok := c.m[key]; ok {
		for _, s := range old {
			c.rows -= len(s.Rows)
		}
	}
	c.m[key] = kept
	c.rows += n
	c.mu.Unlock()
}

// forget drops every page kept (a rebuild stored an indicator).
func (c *pageCache) forget() {
	c.gen.Add(1)
	c.mu.Lock()
	c.m, c.rows = nil, 0
	c.mu.Unlock()
}

// copySeries copies each Series; their rows are shared, and read-only (a
// page by upazila has tens of thousands: copying them on every read made
// garbage enough to keep the collector busy), so each Rows is capped at
// its length: a caller's append copies it rather than writing into it.
func copySeries(in []*indicator.Series) []*indicator.Series {
	out := make([]*indicator.Series, len(in))
	for i, s := range in {
		cp := *s
		cp.Rows = s.Rows[:len(s.Rows):len(s.Rows)]
		out[i] = &cp
	}
	return out
}

// CacheIndicatorPages turns the kept dashboard pages on (the default) or
// off; benchmarks turn it off to time the statements alone.
func (db *DB) CacheIndicatorPages(on bool) {
	db.pages.off.Store(!on)
	if !on {
		db.pages.forget()
	}
}

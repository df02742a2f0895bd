package sqldb

import (
	"sync"
	"time"
)

// keyCounts remembers how many search keys a name token's ranges hold, as
// counted by a search's bounded probe, for a short while: case workers type
// the same common words ("md", "islam", "begum") all day, and counting them
// again is a good share of a search. A count only chooses which token
// drives the search and whether its range is read whole or in part, so a
// count a minute old costs at most some speed or a "more than" instead of
// an exact total, never a wrong result. The cache is bounded: when full it
// is emptied (see keyCountsMax), and its size is reported in /metrics.
type keyCounts struct {
	mu      sync.Mutex
	m       map[string]keyCount
	hits    int64
	misses  int64
	flushes int64
}

type keyCount struct {
	n, limit int // n keys counted up to limit (n > limit: more)
	at       time.Time
}

const (
	keyCountsMax = 20_000           // entries; about 2 MB at most
	keyCountsTTL = 60 * time.Second // how long a count is believed
)

// get returns the count of key up to limit if one is known: counted to its
// end, or counted at least as far as limit.
func (c *keyCounts) get(key string, limit int, now time.Time) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || now.Sub(e.at) > keyCountsTTL || now.Before(e.at) {
		c.misses++
		return 0, false
	}
	switch {
	case e.n <= e.limit: // complete
		c.hits++
		return min(e.n, limit+1), true
	case e.limit >= limit: // more than limit
		c.hits++
		return limit + 1, true
	}
	c.misses++
	return 0, false
}

func (c *keyCounts) put(key string, n, limit int, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= keyCountsMax {
		if c.m != nil {
			c.flushes++
		}
		c.m = make(map[string]keyCount)
	}
	c.m[key] = keyCount{n: n, limit: limit, at: now}
}

// KeyCountStats reports the search's cache of key counts: entries held,
// lookups answered and not, and times it was emptied for being full.
func (db *DB) KeyCountStats() (entries int, hits, misses, flushes int64) {
	c := &db.keyCounts
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m), c.hits, c.misses, c.flushes
}

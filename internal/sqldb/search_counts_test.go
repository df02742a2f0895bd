package sqldb

import (
	"strconv"
	"testing"
	"time"
)

func TestKeyCounts(t *testing.T) {
	var c keyCounts
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	if _, ok := c.get("a", 200, now); ok {
		t.Fatal("empty cache answered")
	}
	c.put("a", 150, 200, now) // complete: 150 keys
	if n, ok := c.get("a", 1600, now); !ok || n != 150 {
		t.Errorf("complete count asked further: %d %v", n, ok)
	}
	if n, ok := c.get("a", 100, now); !ok || n != 101 {
		t.Errorf("complete count asked less far: %d %v (want limit+1)", n, ok)
	}
	c.put("b", 201, 200, now) // more than 200
	if n, ok := c.get("b", 200, now); !ok || n != 201 {
		t.Errorf("more than the limit: %d %v", n, ok)
	}
	if _, ok := c.get("b", 1600, now); ok {
		t.Error("a count to 200 answered for 1,600")
	}
	if _, ok := c.get("a", 200, now.Add(keyCountsTTL+time.Second)); ok {
		t.Error("an expired count answered")
	}
	if _, ok := c.get("a", 200, now.Add(-time.Second)); ok {
		t.Error("a count from the future answered (clock moved back)")
	}
	for i := range keyCountsMax + 10 {
		c.put(strconv.Itoa(i), 1, 200, now)
	}
	if len(c.m) > keyCountsMax || c.flushes != 1 {
		t.Errorf("bound: %d entries, %d flushes", len(c.m), c.flushes)
	}
}

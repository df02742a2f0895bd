package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

// recorder is a testing.TB that keeps the errors reported to it instead of
// failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Errorf(format string, args ...any) {
	r.errs = append(r.errs, fmt.Sprintf(format, args...))
}
func (r *recorder) Error(args ...any) { r.errs = append(r.errs, fmt.Sprint(args...)) }

// The crash tests' check catches what it is there to catch: an
// acknowledged registration missing, one stored in part, a gap in a case
// number series, and a series' counter ahead of its cases.
func TestCrashCheckCatchesDamage(t *testing.T) {
	needCrash(t)
	c := newCluster(t, false, 1, 2)
	c.start(c.nodes[0])
	l := c.drive(func(int) *node { return c.nodes[0] })
	for len(l.acked()) < 20 {
		time.Sleep(10 * time.Millisecond)
	}
	l.finish(t)
	c.kill(c.nodes[0])
	acks := l.acked()
	if c.check(acks); t.Failed() {
		t.Fatal("the undamaged database does not pass")
	}
	db := c.sqlDB()
	defer db.Close()
	number := acks[2].Case.Number
	for _, tt := range []struct {
		name, damage string
		args         []any
		want         string
		acks         []ack
	}{
		{"an acknowledged registration missing", "", nil, "not stored whole", append(acks[:1:1], ack{})},
		{"a consent lost", `DELETE FROM consents WHERE person_id = ? AND purpose = ?`, []any{acks[0].Person.ID, "research_anonymised"}, "half-written", acks},
		// (A number given twice is refused by the database's unique index.)
		{"a number missing from its series", `UPDATE cases SET number = ? WHERE id = ?`, []any{number[:strings.LastIndexByte(number, '-')] + "-999999", acks[2].Case.ID}, "missing", acks},
		{"a counter ahead of its series", `UPDATE case_numbers SET last = last + 1`, nil, "counter at", acks},
	} {
		if tt.damage != "" {
			if _, err := db.Exec(tt.damage, tt.args...); err != nil {
				t.Fatalf("%s: %v", tt.name, err)
			}
		}
		rec := &recorder{TB: t}
		cc := *c
		cc.t = rec
		cc.check(tt.acks)
		if !strings.Contains(strings.Join(rec.errs, "\n"), tt.want) {
			t.Errorf("%s: the check reported %q, want an error with %q", tt.name, rec.errs, tt.want)
		}
	}
}

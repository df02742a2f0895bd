package handoff

import (
	"sync"
	"time"
)

// RefusalTally keeps a flood of refused messages from flooding the audit
// chain: of the refusals for one reason from one source (a claimed key
// id, else a remote address), the first in each Window is audited, and
// the others are counted and audited as a count — on the next refusal
// audited for that source and reason, or, once the source has been quiet
// for a whole Window, as a summary of their own. Counts live in memory,
// per process; at most MaxSources sources are told apart, the rest share
// one entry, so that memory stays bounded however many addresses flood.
type RefusalTally struct {
	Window     time.Duration // one minute when zero
	MaxSources int           // 10,000 when zero
	Now        func() time.Time

	mu    sync.Mutex
	seen  map[tallyKey]*tally
	swept time.Time
}

type tallyKey struct{ source, reason string }

type tally struct {
	since time.Time // when the refusal last audited was
	quiet int       // refusals since then, not audited
}

// Repeated is a count of refusals kept quiet, to audit as one event.
type Repeated struct {
	Source, Reason string
	Count          int
}

// OtherSources is the source the refusals of sources past MaxSources are
// counted under.
const OtherSources = "other"

// Note records one refusal for reason from source. audit says whether to
// audit it, with carried, the refusals kept quiet for that source and
// reason since the last one audited; stale are the counts of sources
// that have gone quiet for a whole window, to audit now.
func (t *RefusalTally) Note(source, reason string) (audit bool, carried int, stale []Repeated) {
	window, max := t.Window, t.MaxSources
	if window <= 0 {
		window = time.Minute
	}
	if max <= 0 {
		max = 10000
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.Now()
	if t.seen == nil {
		t.seen = map[tallyKey]*tally{}
	}
	k := tallyKey{source, reason}
	e := t.seen[k]
	if e == nil && len(t.seen) >= max {
		k.source = OtherSources
		e = t.seen[k]
	}
	switch {
	case e == nil:
		t.seen[k] = &tally{since: now}
		audit = true
	case now.Sub(e.since) >= window:
		carried = e.quiet
		e.since, e.quiet = now, 0
		audit = true
	default:
		e.quiet++
	}
	if now.Sub(t.swept) >= window {
		for sk, se := range t.seen {
			if sk != k && now.Sub(se.since) >= window {
				if se.quiet > 0 {
					stale = append(stale, Repeated{Source: sk.source, Reason: sk.reason, Count: se.quiet})
				}
				delete(t.seen, sk)
			}
		}
		t.swept = now
	}
	return audit, carried, stale
}

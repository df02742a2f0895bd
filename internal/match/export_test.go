package match

import "math"

// CheckBound compares r with every record the index gathers for it, both
// by bound and in full. It returns the pairs compared, those bound left
// out, those whose full score exceeds their bound (an error) and those
// left out though they reach the possible threshold (an error).
func (x *Index) CheckBound(r Record) (pairs, pruned, above, lost int) {
	q := (&preparer{v: x.prep.v}).prepare(&r)
	x.mu.RLock()
	defer x.mu.RUnlock()
	m := x.model
	n := x.n + 1
	prior := m.logOdds(n)
	need := logit(m.PossibleThreshold) - prior
	for _, i := range x.gather(blockKeys(&q, nil), signature(&q), nil) {
		p := &x.recs[i]
		if p.id == r.ID {
			continue
		}
		pairs++
		w, _, _, _ := m.score(&q, p, x.st, n)
		// A bound asked for an unreachable weight runs every stage: the
		// bound of the whole pair.
		full := m.bound(&q, p, x.st, n, -1e300)
		if w > full+boundMargin {
			above++
		}
		if m.bound(&q, p, x.st, n, need) < need-boundMargin {
			pruned++
			if probability(prior+w) >= m.PossibleThreshold {
				lost++
			}
		}
	}
	return pairs, pruned, above, lost
}

func logit(p float64) float64 { return math.Log2(p / (1 - p)) }

// NewIndexUnshared is NewIndex whose records share no strings or names:
// each holds its own, as records did before names were shared.
func NewIndexUnshared(opt IndexOptions) *Index {
	x := NewIndex(opt)
	x.prep.intern, x.prep.names = nil, nil
	return x
}

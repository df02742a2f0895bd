package match

import (
	"cmp"
	"context"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Options tune a batch run (Dedupe, Link). The zero value is usable.
type Options struct {
	Variants *Variants // nil: the shipped table
	Model    *Model    // nil: estimate the parameters from the data (EM)
	// MatchThreshold and PossibleThreshold override the model's thresholds
	// (probabilities) when not zero.
	MatchThreshold, PossibleThreshold float64
	MaxBlock                          int // blocks larger than this are searched by sorted neighbourhood (default 40)
	Window                            int // neighbours compared in an oversized block (default 10)
	Workers                           int // default GOMAXPROCS
	EMPairs                           int // candidate pairs sampled for EM (default 400,000)
	RandomPairs                       int // random pairs sampled for u (default 400,000)
	Seed                              uint64
	// Progress, when set, is called from time to time with the work done
	// and the work planned (in candidate pairs).
	Progress func(done, total int64)
}

func (o *Options) defaults() {
	if o.MaxBlock <= 1 {
		o.MaxBlock = 40
	}
	if o.Window <= 0 {
		o.Window = 10
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.EMPairs <= 0 {
		o.EMPairs = 400_000
	}
	if o.RandomPairs <= 0 {
		o.RandomPairs = 400_000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
}

// Pair is a candidate pair at or above the possible-match threshold.
type Pair struct {
	A, B     string  // record IDs (ID, or ExternalID when ID is empty)
	IA, IB   int     // positions in the input (for Link, IB indexes the second slice)
	Score    float64 // match probability
	Weight   float64 // sum of field weights (log2 Bayes factor, before the prior)
	Decision Decision
}

// Result is the outcome of a batch run.
type Result struct {
	Pairs          []Pair // sorted by descending score
	Model          *Model // the parameters used (estimated unless given)
	Records        int
	CandidatePairs int64         // planned by blocking
	Comparisons    int64         // record pairs actually compared
	PriorLogOdds   float64       // log2 prior odds that a pair of records match
	Elapsed        time.Duration // the whole run
	ScoreElapsed   time.Duration // the scoring pass alone (Comparisons / ScoreElapsed = comparisons per second)
	// ScoreCalibrated is set when the match threshold (in Model) was
	// lowered from the distribution of the pairs' scores (ScoreThreshold);
	// never when Options.MatchThreshold fixes it.
	ScoreCalibrated bool
}

// Dedupe finds pairs of records in recs that describe the same person.
func Dedupe(ctx context.Context, recs []Record, opt Options) (*Result, error) {
	return run(ctx, recs, nil, false, opt)
}

// Link finds pairs (a in as, b in bs) that describe the same person.
func Link(ctx context.Context, as, bs []Record, opt Options) (*Result, error) {
	return run(ctx, as, bs, true, opt)
}

type blockEntry struct {
	h   uint64
	rec uint32
}

type group struct {
	h     uint64 // the key all members share
	s, e  uint32 // members[s:e]
	big   bool
	pairs int64
}

type batch struct {
	opt      Options
	link     bool
	nA       int
	preps    []prepared
	st       *Stats
	members  []uint32 // records of each group, groups one after another
	groups   []group
	keyOff   []uint32
	keyFlat  []uint64
	planned  int64
	progress atomic.Int64
	// sampled is the share of the registry preps holds when a fit runs on
	// a sample (Index.Fit above IndexOptions.FitSample); 0 or 1: all of it.
	sampled float64
}

func run(ctx context.Context, as, bs []Record, link bool, opt Options) (*Result, error) {
	start := time.Now()
	opt.defaults()
	b := &batch{opt: opt, link: link, nA: len(as)}
	all := as
	if link {
		all = make([]Record, 0, len(as)+len(bs))
		all = append(append(all, as...), bs...)
	}
	b.prepareAll(all)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	b.block()
	res := &Result{Records: len(all), CandidatePairs: b.planned}
	model := opt.Model
	if model == nil {
		model = b.fit(ctx)
	} else {
		c := *model
		model = &c
	}
	if opt.MatchThreshold > 0 {
		model.MatchThreshold = opt.MatchThreshold
	}
	if opt.PossibleThreshold > 0 {
		model.PossibleThreshold = opt.PossibleThreshold
	}
	if model.PossibleThreshold > model.MatchThreshold {
		model.PossibleThreshold = model.MatchThreshold
	}
	res.Model = model
	res.PriorLogOdds = b.priorLogOdds(model)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	scoreStart := time.Now()
	pairs, comps := b.scoreAll(ctx, model, res.PriorLogOdds)
	res.ScoreElapsed = time.Since(scoreStart)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for i := range pairs {
		p := &pairs[i]
		if link {
			p.IB -= b.nA
		}
		p.A, p.B = b.preps[p.IA].id, b.preps[p.IB+b.offsetB()].id
	}
	if opt.MatchThreshold == 0 {
		// The threshold for the collection from its own score
		// distribution (ScoreThreshold), as a registry's queue has it.
		var hist [1001]int
		for i := range pairs {
			hist[scoreBin(pairs[i].Score)]++
		}
		if t := ScoreThreshold(&hist, model.MatchThreshold); t > 0 {
			model.MatchThreshold = t
			model.PossibleThreshold = min(model.PossibleThreshold, t)
			res.ScoreCalibrated = true
			for i := range pairs {
				pairs[i].Decision = model.decide(pairs[i].Score)
			}
		}
	}
	res.Pairs, res.Comparisons = pairs, comps
	res.Elapsed = time.Since(start)
	return res, nil
}

func (b *batch) offsetB() int {
	if b.link {
		return b.nA
	}
	return 0
}

// prepareAll normalises every record, in parallel.
func (b *batch) prepareAll(recs []Record) {
	b.preps = make([]prepared, len(recs))
	var wg sync.WaitGroup
	w := b.opt.Workers
	chunk := (len(recs) + w - 1) / w
	for k := 0; k < w; k++ {
		lo, hi := k*chunk, min((k+1)*chunk, len(recs))
		if lo >= hi {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := newPreparer(b.opt.Variants)
			for i := lo; i < hi; i++ {
				b.preps[i] = p.prepare(&recs[i])
				if b.preps[i].id == "" {
					b.preps[i].id = recs[i].ExternalID
				}
				if b.preps[i].id == "" {
					b.preps[i].id = strconv.Itoa(i + 1)
				}
			}
		}()
	}
	wg.Wait()
	b.st = NewStats()
	for i := range b.preps {
		b.st.add(&b.preps[i], 1)
	}
}

func (b *batch) side(i uint32) bool { return int(i) >= b.nA }

// block computes every record's keys, groups records by key and plans the
// comparisons: all pairs in small blocks, a sliding window over oversized
// ones sorted so that similar records are neighbours.
func (b *batch) block() {
	n := len(b.preps)
	b.keyOff = make([]uint32, n+1)
	b.keyFlat = make([]uint64, 0, n*8)
	var buf []uint64
	for i := range b.preps {
		buf = blockKeys(&b.preps[i], buf[:0])
		b.keyFlat = append(b.keyFlat, buf...)
		b.keyOff[i+1] = uint32(len(b.keyFlat))
	}
	entries := make([]blockEntry, len(b.keyFlat))
	for i := 0; i < n; i++ {
		for k := b.keyOff[i]; k < b.keyOff[i+1]; k++ {
			entries[k] = blockEntry{b.keyFlat[k], uint32(i)}
		}
	}
	slices.SortFunc(entries, func(x, y blockEntry) int {
		if c := cmp.Compare(x.h, y.h); c != 0 {
			return c
		}
		return cmp.Compare(x.rec, y.rec)
	})
	var sortKeys []uint64 // computed on first need
	for s := 0; s < len(entries); {
		e := s + 1
		for e < len(entries) && entries[e].h == entries[s].h {
			e++
		}
		size := e - s
		if size >= 2 && (!b.link || b.side(entries[s].rec) != b.side(entries[e-1].rec)) {
			g := group{h: entries[s].h, s: uint32(len(b.members))}
			if size > b.opt.MaxBlock {
				g.big = true
				g.pairs = int64(size) * int64(b.opt.Window)
				if sortKeys == nil {
					sortKeys = make([]uint64, n)
					for i := range b.preps {
						sortKeys[i] = sortKey(&b.preps[i])
					}
				}
				members := entries[s:e]
				slices.SortFunc(members, func(x, y blockEntry) int {
					return cmp.Or(cmp.Compare(sortKeys[x.rec], sortKeys[y.rec]), cmp.Compare(x.rec, y.rec))
				})
			} else {
				g.pairs = int64(size) * int64(size-1) / 2
				for _, m := range entries[s:e] {
					b.markSmall(m.rec, m.h)
				}
			}
			for _, m := range entries[s:e] {
				b.members = append(b.members, m.rec)
			}
			g.e = uint32(len(b.members))
			b.groups = append(b.groups, g)
			b.planned += g.pairs
		}
		s = e
	}
}

func (b *batch) markSmall(rec uint32, h uint64) {
	ks := b.keyFlat[b.keyOff[rec]:b.keyOff[rec+1]]
	for i := range ks {
		if ks[i] == h {
			ks[i] |= 1
			return
		}
	}
}

func (b *batch) hasKey(rec uint32, k uint64) bool {
	for _, x := range b.keyFlat[b.keyOff[rec]:b.keyOff[rec+1]] {
		if x == k {
			return true
		}
	}
	return false
}

// sharesSmall reports whether i and j meet in a small block whose key sorts
// before limit: that block compares them, so no other block needs to.
func (b *batch) sharesSmall(i, j uint32, limit uint64) bool {
	for _, k := range b.keyFlat[b.keyOff[i]:b.keyOff[i+1]] {
		if k&1 == 1 && k&^1 < limit && b.hasKey(j, k) {
			return true
		}
	}
	return false
}

// pairs calls fn for every pair group g asks to compare.
func (b *batch) pairs(g group, fn func(i, j uint32)) {
	es := b.members[g.s:g.e]
	h := g.h
	if !g.big {
		for x := 0; x < len(es); x++ {
			for y := x + 1; y < len(es); y++ {
				i, j := es[x], es[y]
				if b.link && b.side(i) == b.side(j) {
					continue
				}
				if b.sharesSmall(i, j, h) {
					continue
				}
				fn(i, j)
			}
		}
		return
	}
	for x := 0; x < len(es); x++ {
		for y := x + 1; y < len(es) && y <= x+b.opt.Window; y++ {
			i, j := es[x], es[y]
			if b.link && b.side(i) == b.side(j) {
				continue
			}
			if i > j {
				i, j = j, i
			}
			if b.sharesSmall(i, j, math.MaxUint64) {
				continue
			}
			fn(i, j)
		}
	}
}

// parallel runs fn over all groups with the configured number of workers,
// reporting progress.
func (b *batch) parallel(ctx context.Context, fn func(w int, g group)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	done := make(chan struct{})
	if b.opt.Progress != nil {
		go func() {
			t := time.NewTicker(200 * time.Millisecond)
			defer t.Stop()
			for {
				select {
				case <-done:
					return
				case <-t.C:
					b.opt.Progress(b.progress.Load(), b.planned)
				}
			}
		}()
	}
	const chunk = 256
	for w := 0; w < b.opt.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				lo := int(next.Add(chunk)) - chunk
				if lo >= len(b.groups) {
					return
				}
				var work int64
				for _, g := range b.groups[lo:min(lo+chunk, len(b.groups))] {
					fn(w, g)
					work += g.pairs
				}
				b.progress.Add(work)
			}
		}()
	}
	wg.Wait()
	close(done)
}

// fit estimates the model the way Splink does, so that correlated groups
// that are not the same person (siblings share father, family name, address
// and phone) do not pass for matches: u from random pairs; m from two
// training sessions, one over pairs with the same name (which estimates m
// for everything but the name) and one over pairs with the same birth date
// (which estimates m for the name); then the share of matches by EM over the
// candidate pairs with m and u held.
func (b *batch) fit(ctx context.Context) *Model {
	model := DefaultModel()
	n := len(b.preps)
	nA := b.nA
	pick := func(r *rand.Rand) (*prepared, *prepared) {
		if n < 2 {
			return nil, nil
		}
		if b.link {
			if nA == 0 || n-nA == 0 {
				return nil, nil
			}
			return &b.preps[r.IntN(nA)], &b.preps[nA+r.IntN(n-nA)]
		}
		i, j := r.IntN(n), r.IntN(n-1)
		if j >= i {
			j++
		}
		return &b.preps[i], &b.preps[j]
	}
	// Never draw more random pairs than there are distinct pairs.
	distinct := float64(n) * float64(n-1) / 2
	if b.link {
		distinct = float64(nA) * float64(n-nA)
	}
	model.U = randomU(int(math.Min(float64(b.opt.RandomPairs), distinct)), pick, b.st, b.opt.Seed)
	model.M = trainM(model, b.preps, b.side, b.link, b.st, b.opt.EMPairs, b.opt.Seed)

	// The share of matches among candidate pairs, by EM with m and u held.
	rate := 1.0
	if b.planned > int64(b.opt.EMPairs) {
		rate = float64(b.opt.EMPairs) / float64(b.planned)
	}
	pats := make([]Patterns, b.opt.Workers)
	rngs := make([]*rand.Rand, b.opt.Workers)
	for w := range pats {
		pats[w] = Patterns{}
		rngs[w] = rand.New(rand.NewPCG(b.opt.Seed, uint64(w)+7))
	}
	var compared atomic.Int64
	saved := b.opt.Progress
	b.opt.Progress = nil // progress is for the scoring pass
	b.parallel(ctx, func(w int, g group) {
		var c int64
		b.pairs(g, func(i, j uint32) {
			if rate < 1 && rngs[w].Float64() >= rate {
				return
			}
			pats[w].Add(compare(&b.preps[i], &b.preps[j], b.st))
			c++
		})
		compared.Add(c)
	})
	b.opt.Progress = saved
	all := Patterns{}
	for _, p := range pats {
		for k, v := range p {
			all[k] += v
		}
	}
	lm, lh := mixture(all, model, 300)
	// compared/rate estimates the pairs scoring will compare; each match
	// concerns two records in a dedupe and one on each side in a link.
	pairs := float64(compared.Load()) / rate
	per := func(x float64) float64 {
		if b.link {
			return x * pairs / math.Max(1, float64(max(nA, n-nA)))
		}
		// A sample holding a share f of the records holds f² of their
		// pairs: per record, f of the matches the registry holds.
		f := 1.0
		if b.sampled > 0 && b.sampled < 1 {
			f = b.sampled
		}
		return 2 * x * pairs / math.Max(1, float64(n)) / f
	}
	if compared.Load() >= 200 { // fewer pairs cannot tell matches from chance
		model.MatchesPerRecord = math.Max(per(lm), 1e-4)
		model.HouseholdPerRecord = per(lh)
	}
	return model
}

// effectiveN is the collection size the model's per-record rates refer to.
func (b *batch) effectiveN() int {
	if b.link {
		return max(b.nA, len(b.preps)-b.nA) + 1
	}
	return len(b.preps)
}

// priorLogOdds returns the log2 prior odds that one compared pair matches.
func (b *batch) priorLogOdds(m *Model) float64 {
	n := len(b.preps)
	if !b.link {
		return m.logOdds(n)
	}
	nA, nB := float64(b.nA), float64(n-b.nA)
	expected := m.MatchesPerRecord * math.Max(nA, nB)
	total := math.Max(nA*nB, 1)
	lambda := math.Min(math.Max(expected/total, 1e-12), 0.5)
	return math.Log2(lambda / (1 - lambda))
}

// scoreAll compares every candidate pair and keeps those at or above the
// possible-match threshold.
func (b *batch) scoreAll(ctx context.Context, model *Model, prior float64) ([]Pair, int64) {
	m := newScorer(model)
	out := make([][]Pair, b.opt.Workers)
	var comps atomic.Int64
	b.progress.Store(0)
	// The weight a pair needs to reach the possible threshold.
	need := math.Log2(m.PossibleThreshold/(1-m.PossibleThreshold)) - prior
	nRec := b.effectiveN()
	b.parallel(ctx, func(w int, g group) {
		var c int64
		b.pairs(g, func(i, j uint32) {
			c++
			a, z := &b.preps[i], &b.preps[j]
			wt, _, _, _ := m.score(a, z, b.st, nRec)
			if wt < need {
				return
			}
			p := probability(prior + wt)
			out[w] = append(out[w], Pair{IA: int(i), IB: int(j), Score: p, Weight: wt, Decision: m.decide(p)})
		})
		comps.Add(c)
	})
	if b.opt.Progress != nil {
		b.opt.Progress(b.planned, b.planned)
	}
	var all []Pair
	for _, o := range out {
		all = append(all, o...)
	}
	slices.SortFunc(all, func(x, y Pair) int {
		return cmp.Or(cmp.Compare(y.Score, x.Score), cmp.Compare(x.IA, y.IA), cmp.Compare(x.IB, y.IB))
	})
	// Two oversized blocks may both have compared the same pair.
	all = slices.CompactFunc(all, func(x, y Pair) bool { return x.IA == y.IA && x.IB == y.IB })
	return all, comps.Load()
}

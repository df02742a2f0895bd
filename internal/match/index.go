package match

import (
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Candidate is a registered record that may be the same person as a query.
type Candidate struct {
	ID          string
	Score       float64 // match probability
	Decision    Decision
	Explanation *Explanation
}

// Index holds one registry's records for the online duplicate check: the
// registration form asks Candidates before saving. It is safe for
// concurrent use; Candidates calls run in parallel with each other, Add and
// Remove take a short exclusive lock.
type Index struct {
	mu    sync.RWMutex
	model *scorer
	v     *Variants
	prep  *preparer
	recs  arena    // the records, packed (see packed.go)
	loc   []uint64 // by slot: where its record is in recs
	sig   []uint64 // by slot: cheap signature for oversized postings
	alive []bool
	// byID finds a record's slot by a hash of its ID (idKey), checked
	// against the record; byIDx holds the IDs whose hash another ID
	// already has (none in practice). Neither holds the IDs themselves.
	byID  keyTable
	byIDx map[string]uint32
	free  []uint32
	// post maps a blocking key to its one record's slot or, with listBit
	// set, to the index of its records' list in lists: most keys (a
	// phone, a document) belong to one record, and a slot costs less than
	// a slice (see frozen.go for the table).
	post keyTable
	// lists are the postings of more than one record, each a run of
	// slab (see listRef); slabDead counts the slab's slots in no list's
	// room.
	lists       []listRef
	slab        []uint32
	slabDead    int64
	slabCopies  int // compactions of the slab so far
	freeLists   []uint32
	st          *Stats
	n           int
	maxScan     int
	rare        int
	fitSample   int
	comps       atomic.Int64 // pairs compared (by bound) by Candidates
	scored      atomic.Int64 // of those, pairs scored in full
	seq         uint64       // Adds so far
	added       []uint64     // by slot: seq when its record was added
	tags        []uint32     // by slot: the caller's tag (see AddTagged)
	models      uint64       // models set so far
	garbage     int64        // packed bytes of removed records, until compact
	compactions int          // compactions so far
	packBuf     []byte       // AddTagged's buffer for packing, under mu
}

// boundMargin absorbs rounding between bound's sums and score's.
const boundMargin = 1e-6

// IndexOptions configure an Index.
type IndexOptions struct {
	Model    *Model    // nil: DefaultModel until Fit
	Variants *Variants // nil: the shipped table
	// MaxScan is the posting length above which members are pre-filtered
	// by a cheap signature before being scored (default 64). A key shared
	// by at most MaxScan records (a phone, a document, a birth date, an
	// uncommon name) always brings all of them; only the common keys
	// ("Islam" born 1985) are filtered, and the other keys find the rest.
	MaxScan int
	// RareKey is the posting length up to which a key brings all its
	// records even when they share no other key with the query (default
	// 16; keys of identifiers bring all up to MaxScan).
	RareKey int
	// FitSample is the number of records above which Fit estimates the
	// model from a sample of that many (default 50,000): the fit's
	// temporaries grow with the records it reads, and a larger sample
	// changes the weights little. The sample is chosen by a seeded hash
	// of the records' IDs, so the same registry gives the same weights
	// whatever the order its records were added in.
	FitSample int
}

// NewIndex returns an empty index.
func NewIndex(opt IndexOptions) *Index {
	if opt.Model == nil {
		opt.Model = DefaultModel()
	}
	if opt.MaxScan <= 0 {
		opt.MaxScan = 64
	}
	if opt.RareKey <= 0 {
		opt.RareKey = 16
	}
	if opt.FitSample <= 0 {
		opt.FitSample = 50_000
	}
	x := &Index{
		model: newScorer(opt.Model), v: opt.Variants, prep: newPreparer(opt.Variants),
		byIDx: map[string]uint32{}, st: NewStats(), maxScan: opt.MaxScan, rare: opt.RareKey,
		fitSample: opt.FitSample,
	}
	x.st.phones = x.phoneCount
	return x
}

// phoneCount counts the records with phone number v: the length of its
// posting (see Stats.phones). Called with x.mu held.
func (x *Index) phoneCount(v string) int32 {
	var one [1]uint32
	return int32(len(x.posting(phoneKey(v), &one)))
}

// Grow makes room for n more records, so that loading a registry whose
// size is known does not grow the record table step by step: each step
// copies the whole table, and while it does, the old and the new table
// (at 100,000 people, 60 and 75 MB) are both held.
func (x *Index) Grow(n int) {
	if n <= 0 {
		return
	}
	x.mu.Lock()
	defer x.mu.Unlock()
	x.loc = slices.Grow(x.loc, n)
	x.sig = slices.Grow(x.sig, n)
	x.alive = slices.Grow(x.alive, n)
	x.added = slices.Grow(x.added, n)
	x.tags = slices.Grow(x.tags, n)
}

// ErrNoID is returned by Add for a record without an ID.
var ErrNoID = errors.New("match: record has no ID")

// Add puts r into the index, replacing any record with the same ID. It
// normalises r before taking the index's lock (that is most of its work),
// so that several goroutines loading an index add in parallel.
func (x *Index) Add(r Record) error { return x.AddTagged(r, 0) }

// AddTagged is Add with a tag the index keeps beside the record and Tag
// returns (a registry's version of the person: one number a record, in
// place of a map of its own beside the index).
func (x *Index) AddTagged(r Record, tag uint32) error {
	if r.ID == "" {
		return ErrNoID
	}
	p := (&preparer{v: x.prep.v}).prepare(&r)
	x.mu.Lock()
	defer x.mu.Unlock()
	if i, ok := x.slotOf(r.ID); ok {
		x.remove(i)
	}
	x.prep.share(&p)
	x.packBuf = x.prep.pack(x.packBuf[:0], &p)
	l := x.recs.put(x.packBuf)
	var i uint32
	if k := len(x.free); k > 0 {
		i, x.free = x.free[k-1], x.free[:k-1]
		x.loc[i], x.sig[i], x.alive[i], x.tags[i] = l, signature(&p), true, tag
	} else {
		i = uint32(len(x.loc))
		x.loc = append(x.loc, l)
		x.sig = append(x.sig, signature(&p))
		x.alive = append(x.alive, true)
		x.added = append(x.added, 0)
		x.tags = append(x.tags, tag)
	}
	x.seq++
	x.added[i] = x.seq
	x.setSlot(p.id, i)
	keys := blockKeys(&p, nil)
	for _, k := range keys {
		x.postAdd(k, i)
	}
	x.st.add(&p, 1)
	x.n++
	return nil
}

// idKey is the hash byID finds an ID by (a variable: a test makes every
// ID collide).
var idKey = func(id string) uint64 { return idHash(id, 0) }

// slotOf returns the slot of the record with this ID.
func (x *Index) slotOf(id string) (uint32, bool) {
	if i, ok := x.byID.get(idKey(id)); ok && x.recID(i) == id {
		return i, true
	}
	i, ok := x.byIDx[id]
	return i, ok
}

// setSlot records that the record with this ID is in slot i.
func (x *Index) setSlot(id string, i uint32) {
	h := idKey(id)
	if j, ok := x.byID.get(h); ok && j != i && x.recID(j) != id {
		x.byIDx[strings.Clone(id)] = i // another ID has the hash
		return
	}
	x.byID.set(h, i)
}

// dropSlot forgets that the record with this ID is in slot i.
func (x *Index) dropSlot(id string, i uint32) {
	h := idKey(id)
	if j, ok := x.byID.get(h); ok && j == i {
		x.byID.del(h)
		return
	}
	delete(x.byIDx, id)
}

// rec unpacks slot i's record into q (reusing q's slices) and returns its
// packed length.
func (x *Index) rec(i uint32, q *prepared) int {
	return x.prep.unpack(x.recs.at(x.loc[i]), q)
}

// recID returns slot i's record's ID, a view of its packed bytes.
func (x *Index) recID(i uint32) string {
	b := x.recs.at(x.loc[i])
	n, k := binary.Uvarint(b)
	if n == 0 {
		return ""
	}
	return unsafe.String(&b[k], int(n))
}

const listBit = 1 << 31

func (x *Index) postAdd(k uint64, i uint32) {
	v, ok := x.post.get(k)
	switch {
	case !ok:
		x.post.set(k, i)
	case v&listBit == 0:
		var l uint32
		if n := len(x.freeLists); n > 0 {
			l, x.freeLists = x.freeLists[n-1], x.freeLists[:n-1]
		} else {
			l = uint32(len(x.lists))
			x.lists = append(x.lists, listRef{})
		}
		x.listAdd(l, v)
		x.listAdd(l, i)
		x.post.set(k, l|listBit)
	default:
		x.listAdd(v&^listBit, i)
	}
}

// The lists live in one slab of slots, not a slice each: a large index
// has half a million lists, and as slices they were half a million
// objects for the collector to mark at every cycle (with the index of a
// million people held, serve's collections took 120 to 240 ms to mark,
// with or without them, until the shared names and the term frequencies
// went into tables without pointers too: tables.go). A list has room for c slots at off, n of them
// used; it moves to the slab's end, with twice the room, when full, and
// the slab is compacted once a quarter of it is left behind by lists
// that moved or were freed.
type listRef struct{ off, n, c uint32 }

// list returns list l's slots (no room to append).
func (x *Index) list(l uint32) []uint32 {
	r := x.lists[l]
	return x.slab[r.off : r.off+r.n : r.off+r.n]
}

// listAdd appends slot i to list l.
func (x *Index) listAdd(l, i uint32) {
	r := &x.lists[l]
	if r.n == r.c {
		c := max(2, 2*r.c)
		off := len(x.slab)
		if off+int(c) > cap(x.slab) {
			// Grown by an eighth, not doubled as append would: the slab
			// is most of the lists' memory, and its spare room would be.
			grown := make([]uint32, off, off+max(int(c), off/8))
			copy(grown, x.slab)
			x.slab = grown
		}
		x.slab = x.slab[:off+int(c)]
		copy(x.slab[off:], x.slab[r.off:r.off+r.n])
		x.slabDead += int64(r.c) // the old place
		r.off, r.c = uint32(off), c
		defer x.maybeCompactLists()
	}
	x.slab[r.off+r.n] = i
	r.n++
}

// listFree empties list l, leaving its room behind, and makes it free
// for reuse.
func (x *Index) listFree(l uint32) {
	x.slabDead += int64(x.lists[l].c)
	x.lists[l] = listRef{}
	x.freeLists = append(x.freeLists, l)
	x.maybeCompactLists()
}

// maybeCompactLists copies the lists into a new slab, each with its room,
// once a quarter of the slab (and at least freezeMin slots) is left
// behind.
func (x *Index) maybeCompactLists() {
	if x.slabDead <= max(int64(len(x.slab))/4, int64(freezeMin)) {
		return
	}
	slab := make([]uint32, 0, int64(len(x.slab))-x.slabDead)
	for l := range x.lists {
		r := &x.lists[l]
		off := len(slab)
		slab = append(slab, x.slab[r.off:r.off+r.c]...)
		r.off = uint32(off)
	}
	x.slab, x.slabDead = slab, 0
	x.slabCopies++
}

func (x *Index) postRemove(k uint64, i uint32) {
	v, ok := x.post.get(k)
	switch {
	case !ok:
	case v&listBit == 0:
		if v == i {
			x.post.del(k)
		}
	default:
		l := v &^ listBit
		ps := x.list(l)
		if j := slices.Index(ps, i); j >= 0 {
			ps[j] = ps[len(ps)-1]
			x.lists[l].n--
		}
		if x.lists[l].n == 1 {
			x.post.set(k, ps[0])
			x.listFree(l)
		}
	}
}

// posting returns the slots of the records with key k; one holds a lone
// slot.
func (x *Index) posting(k uint64, one *[1]uint32) []uint32 {
	v, ok := x.post.get(k)
	switch {
	case !ok:
		return nil
	case v&listBit == 0:
		one[0] = v
		return one[:]
	}
	return x.list(v &^ listBit)
}

// Tag returns the tag the record with this ID was added with, and
// whether it is in the index.
func (x *Index) Tag(id string) (uint32, bool) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	i, ok := x.slotOf(id)
	if !ok {
		return 0, false
	}
	return x.tags[i], true
}

// Remove takes the record with this ID out of the index (after a merge or
// deletion) and reports whether it was there.
func (x *Index) Remove(id string) bool {
	x.mu.Lock()
	defer x.mu.Unlock()
	i, ok := x.slotOf(id)
	if ok {
		x.remove(i)
	}
	return ok
}

func (x *Index) remove(i uint32) {
	var p prepared
	size := x.rec(i, &p)
	keys := blockKeys(&p, nil)
	for _, k := range keys {
		x.postRemove(k, i)
	}
	x.st.add(&p, -1)
	x.dropSlot(p.id, i)
	x.loc[i], x.alive[i] = 0, false
	x.free = append(x.free, i)
	x.n--
	x.garbage += int64(size)
	if x.garbage > max(x.recs.size/4, compactMin) {
		x.compact()
	}
}

// compactMin is the garbage below which removed records' bytes are left
// where they are: compaction copies every live record.
var compactMin int64 = 4 * arenaChunk

// compact packs the live records into new chunks, leaving the removed
// ones' bytes to the collector.
func (x *Index) compact() {
	old := x.recs
	x.recs = arena{}
	var q prepared
	for i := range x.loc {
		if !x.alive[i] {
			continue
		}
		b := old.at(x.loc[i])
		n := x.prep.unpack(b, &q)
		x.loc[i] = x.recs.put(b[:n])
	}
	x.garbage = 0
	x.compactions++
}

// Bytes estimates the memory the index holds: each record's packed bytes
// and columns, the ID table, the postings (their table and lists), the
// strings and names the records share and the term frequencies. It is
// what a memory budget is checked against; TestScanCost compares it with
// the heap an index really takes.
func (x *Index) Bytes() int64 {
	x.mu.RLock()
	defer x.mu.RUnlock()
	b := int64(x.n)*recordFixed + x.recs.size + x.prep.tab.bytes() + x.st.bytes() + x.byID.bytes() + x.post.bytes()
	return b + int64(len(x.lists))*listRefSize + int64(cap(x.slab))*4
}

// What Bytes counts: a record's fixed columns (loc, sig, alive, added,
// tags); an entry of a Go map of 12-byte entries with its share of the
// map's spare room (measured: about 25 bytes at 100,000 records); a
// list's place in the slab.
const (
	recordFixed = 8 + 8 + 1 + 8 + 4
	mapEntry    = 24
	listRefSize = int64(unsafe.Sizeof(listRef{}))
)

// Len returns the number of records in the index.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.n
}

// Model returns the parameters in use.
func (x *Index) Model() *Model {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.model.Model
}

// SetModel replaces the parameters (for example with a model stored after
// an earlier Fit).
func (x *Index) SetModel(m *Model) {
	s := newScorer(m)
	x.mu.Lock()
	x.model = s
	x.models++
	x.mu.Unlock()
}

// Fit re-estimates the model from the indexed records (as Dedupe does) and
// starts using it. Queries keep being answered while it runs; Add and
// Remove wait. It costs about as much as deduplicating the registry, or a
// sample of FitSample records of a larger one.
func (x *Index) Fit(ctx context.Context) error {
	x.mu.RLock()
	b := &batch{opt: Options{Variants: x.v}, nA: x.n}
	b.opt.defaults()
	if x.n > x.fitSample {
		b.preps = x.sample(x.fitSample, b.opt.Seed)
		b.nA, b.sampled = len(b.preps), float64(len(b.preps))/float64(x.n)
	} else {
		b.preps = make([]prepared, x.n)
		k := 0
		for i := range x.loc {
			if x.alive[i] {
				x.rec(uint32(i), &b.preps[k])
				k++
			}
		}
	}
	b.st = x.st
	b.block()
	m := b.fit(ctx)
	x.mu.RUnlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	x.mu.RLock()
	m.MatchThreshold, m.PossibleThreshold = x.model.MatchThreshold, x.model.PossibleThreshold
	x.mu.RUnlock()
	x.SetModel(m)
	return nil
}

// sample returns copies of k of the indexed records: those whose IDs hash
// lowest under seed, in that order, so that the same records (and the
// same fit) come of the same registry however it was loaded. Called with
// x.mu held for reading.
func (x *Index) sample(k int, seed uint64) []prepared {
	type ranked struct {
		h    uint64
		slot uint32
	}
	all := make([]ranked, 0, x.n)
	for i := range x.loc {
		if x.alive[i] {
			all = append(all, ranked{idHash(x.recID(uint32(i)), seed), uint32(i)})
		}
	}
	slices.SortFunc(all, func(a, b ranked) int {
		return cmp.Or(cmp.Compare(a.h, b.h), cmp.Compare(x.recID(a.slot), x.recID(b.slot)))
	})
	out := make([]prepared, min(k, len(all)))
	for j, r := range all[:len(out)] {
		x.rec(r.slot, &out[j])
	}
	return out
}

// idHash is FNV-1a of id, started from seed, with splitmix64's finalizer:
// IDs that differ in their last characters (a record and its copy) must
// fall far apart.
func idHash(id string, seed uint64) uint64 {
	h := uint64(14695981039346656037) ^ seed*0x9e3779b97f4a7c15
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * 1099511628211
	}
	h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
	h = (h ^ h>>27) * 0x94d049bb133111eb
	return h ^ h>>31
}

// signature packs what an oversized posting is filtered by: birth year and
// short hashes of the given, family and father's name sounds.
func signature(p *prepared) uint64 {
	h := func(s string) uint64 {
		if s == "" {
			return 0
		}
		v := uint64(2166136261)
		for i := 0; i < len(s); i++ {
			v = (v ^ uint64(s[i])) * 16777619
		}
		return v&0xffff | 1
	}
	var year uint64
	if p.dob.Prec >= PrecYear {
		year = uint64(p.dob.Year)
	}
	return year<<48 | h(firstPhon(p.given))<<32 | h(p.family.phon)<<16 | h(firstPhon(p.father))
}

// sigAgree counts the signature parts two records share.
func sigAgree(a, b uint64) int {
	n := 0
	for s := 0; s < 64; s += 16 {
		x, y := a>>s&0xffff, b>>s&0xffff
		if x != 0 && x == y {
			n++
		}
	}
	return n
}

// Candidates returns the indexed records that may be the same person as r,
// at or above the possible-match threshold, best first, each with its
// explanation. r itself (same ID) is never returned.
func (x *Index) Candidates(r Record) []Candidate {
	return x.candidates(r, nil)
}

// Pass is one pass over an index that asks for the candidates of many of
// its own records (the background scan): a pair of indexed records is
// compared once, when the first of the two is asked, not again for the
// second. A record added (or replaced) after the first was asked is
// compared when either is asked; after a new model every pair is compared
// again. Records added meanwhile change the term frequencies and posting
// lengths a little, so a pair is decided on the index as it was when the
// first of the two was asked. Several goroutines may share a Pass (the
// scan's workers): two records asked at the same moment may then both
// compare their pair, which the caller keeps once.
type Pass struct {
	x      *Index
	mu     sync.Mutex // guards the asked slice's length and models
	asked  []uint64   // by slot: the index's seq when asked (0: not yet); read and written atomically
	models uint64
}

// slots returns the pass's asked slots, one per slot of x, forgetting
// what was asked under an earlier model. Called with x.mu held for
// reading (the slots of x do not change meanwhile).
func (p *Pass) slots(x *Index) []uint64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.models != x.models {
		for i := range p.asked {
			atomic.StoreUint64(&p.asked[i], 0)
		}
		p.models = x.models
	}
	if len(p.asked) < len(x.loc) {
		grown := make([]uint64, len(x.loc), max(len(x.loc), 2*cap(p.asked)))
		for i := range p.asked {
			grown[i] = atomic.LoadUint64(&p.asked[i])
		}
		p.asked = grown
	}
	return p.asked
}

// NewPass starts a pass over x.
func (x *Index) NewPass() *Pass { return &Pass{x: x} }

// Candidates is Index.Candidates, leaving out indexed records this pass
// has already asked for (they were compared with r then) while the index
// is unchanged. r should be the indexed record of its ID: the pair is
// not compared again with r as it is now.
func (p *Pass) Candidates(r Record) []Candidate {
	return p.x.candidates(r, p)
}

// CandidatesOf is Candidates for the indexed record id, as it is in the
// index (it is not prepared again); false when id is not indexed.
func (p *Pass) CandidatesOf(id string) ([]Candidate, bool) {
	x := p.x
	x.mu.RLock()
	defer x.mu.RUnlock()
	i, ok := x.slotOf(id)
	if !ok || id == "" {
		return nil, false
	}
	var q prepared
	x.rec(i, &q)
	return x.rank(&q, i, blockKeys(&q, make([]uint64, 0, 16)), x.sig[i], p), true
}

func (x *Index) candidates(r Record, pass *Pass) []Candidate {
	q := (&preparer{v: x.prep.v}).prepare(&r) // no interning: queries must not write
	keys := blockKeys(&q, make([]uint64, 0, 16))
	qs := signature(&q)
	x.mu.RLock()
	defer x.mu.RUnlock()
	self := uint32(len(x.loc)) // r's own slot, never returned
	if i, ok := x.slotOf(r.ID); ok && r.ID != "" {
		self = i
	}
	return x.rank(&q, self, keys, qs, pass)
}

// rank compares q (its blocking keys and signature; in slot self, or
// len(x.loc) when not indexed) with the records it gathers and returns
// those at or above the possible threshold, best first. Called with x.mu
// held for reading.
func (x *Index) rank(q *prepared, self uint32, keys []uint64, qs uint64, pass *Pass) []Candidate {
	var asked []uint64
	if pass != nil && self < uint32(len(x.loc)) {
		asked = pass.slots(x)
	}
	buf := gatherBufs.Get().(*[]uint32)
	cand := x.gather(keys, qs, (*buf)[:0])
	defer func() {
		if cap(cand) <= 1<<16 { // an outsized one goes
			*buf = cand
			gatherBufs.Put(buf)
		}
	}()
	m := x.model
	n := x.n + 1
	prior := m.logOdds(n)
	// The weight a pair needs to reach the possible threshold; bound stops
	// comparing a pair as soon as it cannot (with a margin for rounding,
	// so that only pairs well below it are left out unscored).
	need := math.Log2(m.PossibleThreshold/(1-m.PossibleThreshold)) - prior
	var out []Candidate
	var compared int64
	var unpacked prepared // each candidate in turn, in the same memory
	p := &unpacked
	for _, i := range cand {
		if !x.alive[i] || i == self {
			continue
		}
		if asked != nil {
			if a := atomic.LoadUint64(&asked[i]); a >= x.added[i] && a >= x.added[self] {
				continue // i was asked, with r in the index, after it was added
			}
		}
		compared++
		x.rec(i, p)
		if m.bound(q, p, x.st, n, need) < need-boundMargin {
			continue
		}
		x.scored.Add(1)
		w, v, ws, hh := m.score(q, p, x.st, n)
		prob := probability(prior + w)
		if prob < m.PossibleThreshold {
			continue
		}
		out = append(out, Candidate{ID: p.id, Score: prob, Decision: m.decide(prob), Explanation: m.explain(v, ws, prior, hh)})
	}
	x.comps.Add(compared)
	if asked != nil {
		atomic.StoreUint64(&asked[self], x.seq)
	}
	slices.SortFunc(out, func(a, b Candidate) int { return cmp.Or(cmp.Compare(b.Score, a.Score), cmp.Compare(a.ID, b.ID)) })
	return out
}

// gatherBufs holds the slices gather fills, for the next query: the
// background scan asks for every person, and a fresh slice each time was
// most of what it allocated.
var gatherBufs = sync.Pool{New: func() any { return new([]uint32) }}

// gather returns the records that share blocking keys with a query (its
// keys and signature), each once, in slot order, in cand's memory:
//
//   - a key shared by at most rare records, or an identifier's key (phone,
//     document, birth date, house, full name, native name; see strongKey)
//     shared by at most maxScan, brings all of them;
//   - a name's key shared by more than rare and at most maxScan brings
//     those that share a second key with the query;
//   - a longer posting brings the members whose signature agrees with the
//     query's on three of its four parts.
//
// So a record that shares a rare key is always compared, and common name
// keys alone ("Islam" born 1985) never drive the comparisons. Called with
// x.mu held.
func (x *Index) gather(keys []uint64, qs uint64, cand []uint32) []uint32 {
	var one [1]uint32
	for _, k := range keys {
		ps := x.posting(k, &one)
		if len(ps) <= x.rare || k&2 != 0 && len(ps) <= x.maxScan {
			cand = append(cand, ps...)
			cand = append(cand, ps...)
			continue
		}
		if len(ps) <= x.maxScan {
			cand = append(cand, ps...)
			continue
		}
		// A common key ("Islam" born 1985): keep members that share at least
		// two more signature parts; the other keys still find the rest.
		for _, i := range ps {
			if sigAgree(qs, x.sig[i]) >= 3 {
				cand = append(cand, i, i)
			}
		}
	}
	// Each record appears once per key it shares, twice for the keys that
	// bring it alone: keep those that appear at least twice.
	slices.Sort(cand)
	out := cand[:0]
	for s := 0; s < len(cand); {
		e := s + 1
		for e < len(cand) && cand[e] == cand[s] {
			e++
		}
		if e-s >= 2 {
			out = append(out, cand[s])
		}
		s = e
	}
	return out
}

// Comparisons returns how many record pairs Candidates has compared since
// the index was made, and how many of them it scored in full (the others
// could not reach the possible threshold).
func (x *Index) Comparisons() (gathered, scored int64) { return x.comps.Load(), x.scored.Load() }

// Explain compares r with the indexed record id, whatever the score, so a
// supervisor can see why two records were (or were not) flagged.
func (x *Index) Explain(r Record, id string) (*Explanation, bool) {
	q := (&preparer{v: x.prep.v}).prepare(&r)
	x.mu.RLock()
	defer x.mu.RUnlock()
	i, ok := x.slotOf(id)
	if !ok {
		return nil, false
	}
	n := x.n + 1
	var p prepared
	x.rec(i, &p)
	_, v, ws, hh := x.model.score(&q, &p, x.st, n)
	return x.model.explain(v, ws, x.model.logOdds(n), hh), true
}

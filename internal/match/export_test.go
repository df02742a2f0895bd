package match

import (
	"fmt"
	"math"
	"reflect"
	"slices"
)

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
		var c prepared
		x.rec(i, &c)
		p := &c
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
	x.prep.tab = nil
	return x
}

// sameName reports whether two prepared names hold the same texts.
func sameName(a, b *nameFeat) bool {
	return a.text == b.text && a.sorted == b.sorted && a.phon == b.phon && a.glued == b.glued && slices.Equal(a.keys, b.keys)
}

// samePrepared reports where two prepared records differ ("" when they
// do not): names by their texts, the rest field by field.
func samePrepared(a, b *prepared) string {
	names := [][2]*nameFeat{{a.given, b.given}, {a.family, b.family}, {a.native, b.native}, {a.father, b.father}, {a.mother, b.mother}}
	for k, n := range names {
		if !sameName(n[0], n[1]) {
			return fmt.Sprintf("name %d: %+v, want %+v", k, *n[1], *n[0])
		}
	}
	if len(a.full) != len(b.full) {
		return fmt.Sprintf("%d full names, want %d", len(b.full), len(a.full))
	}
	for k := range a.full {
		if !sameName(a.full[k], b.full[k]) {
			return fmt.Sprintf("full name %d: %+v, want %+v", k, *b.full[k], *a.full[k])
		}
	}
	type rest struct {
		id, nid, passport, postcode, admin string
		dob                                Date
		sex                                byte
		phones, addr                       []string
		place                              uint64
	}
	ra := rest{a.id, a.nid, a.passport, a.postcode, a.admin, a.dob, a.sex, slices.Clip(a.phones), slices.Clip(a.addr), a.place}
	rb := rest{b.id, b.nid, b.passport, b.postcode, b.admin, b.dob, b.sex, slices.Clip(b.phones), slices.Clip(b.addr), b.place}
	if len(ra.phones) == 0 {
		ra.phones = nil
	}
	if len(rb.phones) == 0 {
		rb.phones = nil
	}
	if len(ra.addr) == 0 {
		ra.addr = nil
	}
	if len(rb.addr) == 0 {
		rb.addr = nil
	}
	if !reflect.DeepEqual(ra, rb) {
		return fmt.Sprintf("%+v, want %+v", rb, ra)
	}
	return ""
}

// Packer packs and unpacks records as an index does, with the tables of
// a preparer (or without: every string inline).
type Packer struct {
	p    *preparer
	buf  []byte
	into prepared
}

func NewPacker(tables bool) *Packer {
	p := newPreparer(nil)
	if !tables {
		p.tab = nil
	}
	return &Packer{p: p}
}

// RoundTrip packs r and unpacks it into the prepared record the previous
// call unpacked into; it returns the packed length and what differs.
func (k *Packer) RoundTrip(r Record) (int, string) {
	q := (&preparer{v: k.p.v}).prepare(&r)
	k.p.share(&q)
	k.buf = k.p.pack(k.buf[:0], &q)
	if n := k.p.unpack(k.buf, &k.into); n != len(k.buf) {
		return len(k.buf), fmt.Sprintf("unpacked %d of %d bytes", n, len(k.buf))
	}
	return len(k.buf), samePrepared(&q, &k.into)
}

// Compactions returns how many times the index compacted its records.
func (x *Index) Compactions() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.compactions
}

// SetCompactMin sets the garbage at which an index compacts and returns a
// function that puts the default back.
func SetCompactMin(v int64) (restore func()) {
	old := compactMin
	compactMin = v
	return func() { compactMin = old }
}

// CollideIDs makes every ID hash alike for the index's ID map, until the
// returned function puts the hash back.
func CollideIDs() (restore func()) {
	old := idKey
	idKey = func(string) uint64 { return 7 }
	return func() { idKey = old }
}

// SetFreezeMin sets the size of the postings' map from which an index
// freezes it and returns a function that puts the default back.
func SetFreezeMin(v int) (restore func()) {
	old := freezeMin
	freezeMin = v
	return func() { freezeMin = old }
}

// Freezes returns how many times the index froze its postings.
func (x *Index) Freezes() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.post.freezes
}

// SlabCopies returns how many times the index compacted its lists' slab.
func (x *Index) SlabCopies() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.slabCopies
}

// ListDead returns the slab's slots left behind, as the index counts
// them (kept as the lists change, for compaction) and as a walk of the
// lists finds them.
func (x *Index) ListDead() (kept, walked int64) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	walked = int64(len(x.slab))
	for _, r := range x.lists {
		walked -= int64(r.c)
	}
	return x.slabDead, walked
}

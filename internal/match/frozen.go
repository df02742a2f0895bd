package match

import "slices"

// The postings of a large index are mostly keys of one record each (a
// phone, a document, a birth date), about five a person: in a Go map
// each costs about 26 bytes. An index therefore moves its postings, from
// time to time, into a frozen table: the keys sorted in one array and
// their postings (a slot, or a list's number with listBit) in another, 12
// bytes a key, found through a directory of the keys' first 16 bits. The
// map holds only what changed since (a key added, moved to a list, or
// emptied: noPosting), and is asked first.

// noPosting in the map says that a frozen key has no records any more.
const noPosting = ^uint32(0)

// freezeMin is the size of the map below which nothing is frozen: a small
// index keeps its map (a variable: a test freezes small indexes).
var freezeMin = 1 << 16

const dirBits = 16

type frozen struct {
	keys []uint64
	vals []uint32
	dir  []uint32 // by a key's first dirBits bits: the index of the first key with them; one more at the end
}

// get returns key k's posting in the frozen table.
func (f *frozen) get(k uint64) (uint32, bool) {
	if len(f.keys) == 0 {
		return 0, false
	}
	b := k >> (64 - dirBits)
	lo, hi := f.dir[b], f.dir[b+1]
	if j, ok := slices.BinarySearch(f.keys[lo:hi], k); ok {
		return f.vals[int(lo)+j], true
	}
	return 0, false
}

// lookup returns key k's posting: the map's, else the frozen table's;
// false when there is none.
func (x *Index) lookup(k uint64) (uint32, bool) {
	v, ok := x.post[k]
	if !ok {
		v, ok = x.fz.get(k)
	}
	return v, ok && v != noPosting
}

// unset empties key k's posting.
func (x *Index) unset(k uint64) {
	if _, ok := x.fz.get(k); ok {
		x.post[k] = noPosting
	} else {
		delete(x.post, k)
	}
}

// maybeFreeze freezes the map's postings once it holds more than a
// quarter as many keys as the frozen table (and at least freezeMin), so
// that the copying stays proportional to the keys added.
func (x *Index) maybeFreeze() {
	if len(x.post) > max(len(x.fz.keys)/4, freezeMin) {
		x.freeze()
	}
}

// freeze merges the map's postings into a new frozen table and empties
// the map (a new one: a Go map does not give memory back).
func (x *Index) freeze() {
	mk := make([]uint64, 0, len(x.post))
	for k := range x.post {
		mk = append(mk, k)
	}
	slices.Sort(mk)
	fk, fv := x.fz.keys, x.fz.vals
	keys := make([]uint64, 0, len(fk)+len(mk))
	vals := make([]uint32, 0, len(fk)+len(mk))
	i := 0
	for _, k := range mk {
		for i < len(fk) && fk[i] < k {
			keys, vals = append(keys, fk[i]), append(vals, fv[i])
			i++
		}
		if i < len(fk) && fk[i] == k {
			i++ // the map's posting replaces the frozen one
		}
		if v := x.post[k]; v != noPosting {
			keys, vals = append(keys, k), append(vals, v)
		}
	}
	keys, vals = append(keys, fk[i:]...), append(vals, fv[i:]...)
	dir := make([]uint32, 1<<dirBits+1)
	b := 0
	for j, k := range keys {
		for top := int(k >> (64 - dirBits)); b <= top; b++ {
			dir[b] = uint32(j)
		}
	}
	for ; b < len(dir); b++ {
		dir[b] = uint32(len(keys))
	}
	x.fz = frozen{keys: slices.Clip(keys), vals: slices.Clip(vals), dir: dir}
	x.post = map[uint64]uint32{}
	x.freezes++
}

package match

import "slices"

// An index's large maps are of 64-bit keys (hashes) to 32-bit values: a
// blocking key's posting (about ten keys a person, most of one record: a
// phone, a document, a birth date), an ID's slot, a household's count.
// In a Go map each costs 25 to 35 bytes. A keyTable keeps most of its keys
// frozen instead: sorted in one array and their values in another, 12
// bytes a key, found through a directory of the keys' first 16 bits. Only
// the keys added since the last freeze are in a Go map; a frozen key's
// value changes in place, and a frozen key removed is marked noValue until
// the next freeze drops it. The map and the frozen keys never share a key.

// noValue marks a frozen key that has no value any more.
const noValue = ^uint32(0)

// freezeMin is the number of new (or removed) keys below which nothing is
// frozen: a small table keeps its map (a variable: a test freezes small
// indexes).
var freezeMin = 1 << 16

const dirBits = 16

type frozen struct {
	keys []uint64
	vals []uint32
	dir  []uint32 // by a key's first dirBits bits: the index of the first key with them; one more at the end
}

// find returns the position of key k in the frozen arrays.
func (f *frozen) find(k uint64) (int, bool) {
	if len(f.keys) == 0 {
		return 0, false
	}
	b := k >> (64 - dirBits)
	lo, hi := f.dir[b], f.dir[b+1]
	j, ok := slices.BinarySearch(f.keys[lo:hi], k)
	return int(lo) + j, ok
}

// keyTable maps 64-bit keys to 32-bit values (noValue is not a value).
// Its zero value is empty and ready.
type keyTable struct {
	m       map[uint64]uint32 // the keys not frozen
	fz      frozen
	dead    int // frozen keys marked noValue
	freezes int // freezes so far
}

// get returns key k's value.
func (t *keyTable) get(k uint64) (uint32, bool) {
	if v, ok := t.m[k]; ok {
		return v, true
	}
	if j, ok := t.fz.find(k); ok && t.fz.vals[j] != noValue {
		return t.fz.vals[j], true
	}
	return 0, false
}

// set makes v key k's value.
func (t *keyTable) set(k uint64, v uint32) {
	if j, ok := t.fz.find(k); ok {
		if t.fz.vals[j] == noValue {
			t.dead--
		}
		t.fz.vals[j] = v
		return
	}
	if t.m == nil {
		t.m = map[uint64]uint32{}
	}
	t.m[k] = v
	t.maybeFreeze()
}

// del removes key k.
func (t *keyTable) del(k uint64) {
	if _, ok := t.m[k]; ok {
		delete(t.m, k)
		return
	}
	if j, ok := t.fz.find(k); ok && t.fz.vals[j] != noValue {
		t.fz.vals[j] = noValue
		t.dead++
		t.maybeFreeze()
	}
}

// len returns the number of keys with a value.
func (t *keyTable) len() int { return len(t.m) + len(t.fz.keys) - t.dead }

// bytes estimates the table's memory: its map's entries (mapEntry each)
// and its frozen arrays.
func (t *keyTable) bytes() int64 {
	return int64(len(t.m))*mapEntry + int64(len(t.fz.keys))*(8+4) + int64(len(t.fz.dir))*4
}

// maybeFreeze freezes the table once its map, or its dead keys, are more
// than a quarter of the frozen keys (and at least freezeMin), so that the
// copying stays proportional to the changes.
func (t *keyTable) maybeFreeze() {
	if max(len(t.m), t.dead) > max(len(t.fz.keys)/4, freezeMin) {
		t.freeze()
	}
}

// freeze merges the map's keys into new frozen arrays, leaving out the
// dead ones, and empties the map (a new one: a Go map does not give
// memory back).
func (t *keyTable) freeze() {
	mk := make([]uint64, 0, len(t.m))
	for k := range t.m {
		mk = append(mk, k)
	}
	slices.Sort(mk)
	fk, fv := t.fz.keys, t.fz.vals
	n := len(fk) - t.dead + len(mk)
	keys, vals := make([]uint64, 0, n), make([]uint32, 0, n)
	i := 0
	keep := func(end int) {
		for ; i < end; i++ {
			if fv[i] != noValue {
				keys, vals = append(keys, fk[i]), append(vals, fv[i])
			}
		}
	}
	for _, k := range mk {
		j, _ := slices.BinarySearch(fk[i:], k) // never found: the map and the frozen keys are disjoint
		keep(i + j)
		keys, vals = append(keys, k), append(vals, t.m[k])
	}
	keep(len(fk))
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
	t.fz = frozen{keys: keys, vals: vals, dir: dir}
	t.m, t.dead = nil, 0
	t.freezes++
}

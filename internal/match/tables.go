package match

import (
	"hash/maphash"
	"unsafe"
)

// An index's preparer shares the strings and names its records repeat
// (a million people hold about 270,000 distinct strings and 115,000
// distinct names). Its tables hold no pointers but their chunks' few: a
// string is a run of bytes in a chunk, a name is numbers of strings, and
// both are found by a hash in a keyTable. Maps of strings and a pointer
// per name made the collector mark a million objects at every cycle: a
// full collection of an index of 1,000,000 generated people took 233 ms
// with them (TestTablesHoldNoPointers keeps them out).

// tableSeed hashes the tables' strings and names.
var tableSeed = maphash.MakeSeed()

func strHash(s string) uint64 { return maphash.String(tableSeed, s) }

// maxSharedLen is the longest string shared (a longer one is kept inline
// by its record).
const maxSharedLen = 1 << 10

// strTable numbers strings, kept in an arena's chunks (packed.go).
// Number 0 is the empty string.
type strTable struct {
	mem  arena
	refs []uint64 // by number: where in the arena (pos) << 32 | length
	ids  keyTable // a string's hash → its number
}

// A string's place in its arena as one number: its chunk times
// arenaChunk plus its offset (a chunk is 2^20 bytes, so 4 GB in all).
const chunkBits = 20

var _ = [1]struct{}{}[arenaChunk-1<<chunkBits] // does not compile unless arenaChunk is 2^chunkBits

// get returns string id.
func (t *strTable) get(id uint32) string {
	r := t.refs[id]
	n := uint32(r)
	if n == 0 {
		return ""
	}
	pos := r >> 32
	b := t.mem.at(loc(int(pos>>chunkBits), int(pos&(1<<chunkBits-1))))
	return unsafe.String(&b[0], n)
}

// find returns s's number.
func (t *strTable) find(s string) (uint32, bool) {
	if s == "" {
		return 0, true
	}
	if id, ok := t.ids.get(strHash(s)); ok && t.get(id) == s {
		return id, true
	}
	return 0, false
}

// add returns s's number, numbering it when it is new; false when it
// cannot be shared: too long, the table full, or its hash another
// string's (it then stays its record's own).
func (t *strTable) add(s string) (uint32, bool) {
	if s == "" {
		return 0, true
	}
	h := strHash(s)
	if id, ok := t.ids.get(h); ok {
		return id, t.get(id) == s
	}
	if len(s) > maxSharedLen || len(t.refs) > maxInterned {
		return 0, false
	}
	if len(t.refs) == 0 {
		t.refs = append(t.refs, 0) // the empty string
	}
	l := t.mem.put(unsafe.Slice(unsafe.StringData(s), len(s))) // copied
	pos := l>>32<<chunkBits | uint64(uint32(l))
	id := uint32(len(t.refs))
	t.refs = append(t.refs, pos<<32|uint64(len(s)))
	t.ids.set(h, id)
	return id, true
}

func (t *strTable) bytes() int64 {
	return t.mem.size + int64(cap(t.refs))*8 + t.ids.bytes()
}

// nameRec is a shared name: the numbers of its strings, and its keys' run
// in tables.keys.
type nameRec struct {
	text, sorted, phon, glued uint32
	keys, nkeys               uint32
}

// tables are a preparer's shared strings and names.
type tables struct {
	strs    strTable
	names   []nameRec // by number; 0 is no name
	keys    []uint32  // the names' keys, as string numbers
	nameIDs keyTable  // a name's hash (nameHash) → its number
	// made holds the names nameOf made, by number, for the records a
	// preparer prepares itself (a batch's, held together for a moment);
	// an index prepares outside its lock and shares, and never fills it.
	made []*nameFeat
}

func nameHash(text string, keys []string) uint64 {
	var h maphash.Hash
	h.SetSeed(tableSeed)
	h.WriteString(text)
	for _, k := range keys {
		h.WriteByte(0)
		h.WriteString(k)
	}
	return h.Sum64()
}

// is reports whether shared name id is f.
func (t *tables) is(id uint32, f *nameFeat) bool {
	r := &t.names[id]
	if t.strs.get(r.text) != f.text || int(r.nkeys) != len(f.keys) || t.strs.get(r.sorted) != f.sorted ||
		t.strs.get(r.phon) != f.phon || t.strs.get(r.glued) != f.glued {
		return false
	}
	for i, k := range t.keys[r.keys : r.keys+r.nkeys] {
		if t.strs.get(k) != f.keys[i] {
			return false
		}
	}
	return true
}

// nameID returns f's number, numbering it when it is new; false when it
// cannot be shared.
func (t *tables) nameID(f *nameFeat) (uint32, bool) {
	if f.empty() {
		return 0, false
	}
	if len(t.names) == 0 {
		t.names = append(t.names, nameRec{})
	}
	h := nameHash(f.text, f.keys)
	if id, ok := t.nameIDs.get(h); ok {
		return id, t.is(id, f)
	}
	if len(t.names) > maxInterned {
		return 0, false
	}
	var r nameRec
	var ok [4]bool
	r.text, ok[0] = t.strs.add(f.text)
	r.sorted, ok[1] = t.strs.add(f.sorted)
	r.phon, ok[2] = t.strs.add(f.phon)
	r.glued, ok[3] = t.strs.add(f.glued)
	if ok != [4]bool{true, true, true, true} {
		return 0, false
	}
	r.keys, r.nkeys = uint32(len(t.keys)), uint32(len(f.keys))
	for _, k := range f.keys {
		id, ok := t.strs.add(k)
		if !ok {
			t.keys = t.keys[:r.keys]
			return 0, false
		}
		t.keys = append(t.keys, id)
	}
	id := uint32(len(t.names))
	t.names = append(t.names, r)
	t.nameIDs.set(h, id)
	return id, true
}

// name fills f with shared name id, its keys appended to keys.
func (t *tables) name(id uint32, f *nameFeat, keys []string) []string {
	r := &t.names[id]
	*f = nameFeat{text: t.strs.get(r.text), sorted: t.strs.get(r.sorted), phon: t.strs.get(r.phon), glued: t.strs.get(r.glued), id: id}
	for _, k := range t.keys[r.keys : r.keys+r.nkeys] {
		keys = append(keys, t.strs.get(k))
	}
	return keys
}

// bytes estimates the tables' memory.
func (t *tables) bytes() int64 {
	if t == nil {
		return 0
	}
	return t.strs.bytes() + int64(cap(t.names))*int64(unsafe.Sizeof(nameRec{})) + int64(cap(t.keys))*4 + t.nameIDs.bytes()
}

package match

import (
	"encoding/binary"
	"slices"
	"unsafe"
)

// An index keeps its records packed: each record is a run of bytes in a
// chunk of its arena, its names and repeated strings (address words,
// postcodes, areas) written as numbers in the preparer's tables, its own
// strings (ID, phones, documents) inline. A prepared record in memory is
// about 200 bytes of fields and 200 of its own strings and slices; packed
// it is about 75 (TestPackedRecordSize). A record is unpacked
// into a prepared one whenever it is compared, without allocating once the
// prepared one has been used: its names are filled in its own memory from
// the tables, and every string is a view of a table's or the arena's
// bytes, which are never written again once packed (compaction writes new
// chunks and leaves the old ones to the collector).

// arenaChunk is the size of an arena's chunks: large enough that a chunk
// holds thousands of records, small enough that the last one's unused
// tail does not matter.
const arenaChunk = 1 << 20

// arena holds packed records in chunks; a record's location is its chunk
// and offset (loc).
type arena struct {
	chunks [][]byte
	size   int64 // capacity of the chunks, for Bytes
}

func loc(chunk, off int) uint64 { return uint64(chunk)<<32 | uint64(off) }

// put appends rec and returns its location.
func (a *arena) put(rec []byte) uint64 {
	last := len(a.chunks) - 1
	if last < 0 || len(a.chunks[last])+len(rec) > cap(a.chunks[last]) {
		c := make([]byte, 0, max(arenaChunk, len(rec)))
		a.chunks = append(a.chunks, c)
		a.size += int64(cap(c))
		last++
	}
	off := len(a.chunks[last])
	a.chunks[last] = append(a.chunks[last], rec...)
	return loc(last, off)
}

// at returns the bytes from location l to the end of its chunk.
func (a *arena) at(l uint64) []byte {
	return a.chunks[l>>32][uint32(l):]
}

// strID returns s's number in the preparer's string table.
func (p *preparer) strID(s string) (uint32, bool) {
	if p.tab == nil || s == "" {
		return 0, false
	}
	return p.tab.strs.find(s)
}

// pack appends q packed to buf. Its names and repeated strings must be the
// preparer's own where they can be (share), or they are written in full.
func (p *preparer) pack(buf []byte, q *prepared) []byte {
	str := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	// tstr writes a repeated string: its number in the table (even) or,
	// when it is not there, its length (odd) and bytes.
	tstr := func(s string) {
		if id, ok := p.strID(s); ok {
			buf = binary.AppendUvarint(buf, uint64(id)<<1)
			return
		}
		buf = binary.AppendUvarint(buf, uint64(len(s))<<1|1)
		buf = append(buf, s...)
	}
	// name writes 0 for no name, a shared name's number times two, or 1
	// and the name in full.
	name := func(f *nameFeat) {
		switch {
		case f.empty():
			buf = append(buf, 0)
		case f.id > 0 && p.tab != nil && int(f.id) < len(p.tab.names) && p.tab.is(f.id, f):
			buf = binary.AppendUvarint(buf, uint64(f.id)<<1)
		default:
			buf = append(buf, 1)
			str(f.text)
			str(f.sorted)
			str(f.phon)
			str(f.glued)
			buf = binary.AppendUvarint(buf, uint64(len(f.keys)))
			for _, k := range f.keys {
				str(k)
			}
		}
	}
	str(q.id)
	buf = binary.AppendUvarint(buf, uint64(len(q.full)))
	for f := range q.names() {
		name(f)
	}
	buf = append(buf, byte(q.dob.Year), byte(uint16(q.dob.Year)>>8), byte(q.dob.Month), byte(q.dob.Day), byte(q.dob.Prec), q.sex)
	buf = binary.AppendUvarint(buf, uint64(len(q.phones)))
	for _, ph := range q.phones {
		str(ph)
	}
	str(q.nid)
	str(q.passport)
	buf = binary.AppendUvarint(buf, uint64(len(q.addr)))
	for _, t := range q.addr {
		tstr(t)
	}
	buf = binary.LittleEndian.AppendUint64(buf, q.place)
	tstr(q.postcode)
	tstr(q.admin)
	return buf
}

// unpack fills q from the packed record at the start of b and returns its
// length. q's slices and names are reused (a name of q is only valid
// until q is unpacked into again); its strings are views of b or of the
// preparer's tables, valid for as long as they are (an arena's bytes and
// a table's strings are never written again).
func (p *preparer) unpack(b []byte, q *prepared) int {
	pos := 0
	uv := func() int {
		v, n := binary.Uvarint(b[pos:])
		pos += n
		return int(v)
	}
	view := func(n int) string {
		if n == 0 {
			return ""
		}
		s := unsafe.String(&b[pos], n)
		pos += n
		return s
	}
	str := func() string { return view(uv()) }
	tstr := func() string {
		v := uv()
		if v&1 == 0 {
			return p.tab.strs.get(uint32(v >> 1))
		}
		return view(v >> 1)
	}
	q.id = str()
	// The names go to q's own memory: their keys are appended to one
	// slice and given to each name once all are read.
	u := q.own
	if u == nil {
		u = &unpacked{}
		q.own = u
	}
	nn := 5 + uv() // in the order of q.names
	u.names = slices.Grow(u.names[:0], nn)[:nn]
	u.keys, u.ends = u.keys[:0], u.ends[:0]
	for i := range u.names {
		f := &u.names[i]
		switch v := uv(); {
		case v == 0:
			*f = nameFeat{}
		case v&1 == 0:
			u.keys = p.tab.name(uint32(v>>1), f, u.keys)
		default:
			*f = nameFeat{text: str(), sorted: str(), phon: str(), glued: str()}
			for range uv() {
				u.keys = append(u.keys, str())
			}
		}
		u.ends = append(u.ends, len(u.keys))
	}
	start := 0
	for i, end := range u.ends {
		u.names[i].keys = u.keys[start:end:end]
		start = end
	}
	name := func(i int) *nameFeat {
		if u.names[i].empty() {
			return noName
		}
		return &u.names[i]
	}
	q.given, q.family, q.native, q.father, q.mother = name(0), name(1), name(2), name(3), name(4)
	q.full = q.full[:0]
	for i := 5; i < nn; i++ {
		q.full = append(q.full, name(i))
	}
	d := b[pos : pos+6]
	q.dob = Date{Year: int16(uint16(d[0]) | uint16(d[1])<<8), Month: int8(d[2]), Day: int8(d[3]), Prec: Precision(d[4])}
	q.sex = d[5]
	pos += 6
	q.phones = q.phones[:0]
	for range uv() {
		q.phones = append(q.phones, str())
	}
	q.nid, q.passport = str(), str()
	q.addr = q.addr[:0]
	for range uv() {
		q.addr = append(q.addr, tstr())
	}
	q.place = binary.LittleEndian.Uint64(b[pos:])
	pos += 8
	q.postcode, q.admin = tstr(), tstr()
	return pos
}

// unpacked is the memory of an unpacked record's names, reused by the
// next record unpacked into the same prepared one.
type unpacked struct {
	names []nameFeat
	keys  []string
	ends  []int // by name: the end of its keys in keys
}

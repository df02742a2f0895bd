package match

import (
	"iter"
	"sort"
	"strings"
)

// nameFeat is a name prepared for comparison.
type nameFeat struct {
	text   string   // folded tokens without honorifics, original order
	keys   []string // variant key per token
	sorted string   // sorted variant keys: order-insensitive identity
	phon   string   // sorted phonetic keys: catches unlisted spellings
	glued  string   // phonetic key of the sorted keys written together ("abdur rahman" = "abdurrahman")
	id     uint32   // its number in the preparer's tables; 0 when not there
}

func (n *nameFeat) empty() bool { return n.text == "" }

// noName is the prepared form of a missing name, shared by every record
// without one.
var noName = &nameFeat{}

// prepared is a Record reduced to what comparisons and blocking need. Its
// names point to prepared names the preparer shares between records (a
// registry of 100,000 people holds a few thousand distinct names): a
// record holds a pointer per name, not the name's strings and keys. A
// prepared name is never changed once made.
type prepared struct {
	id       string
	given    *nameFeat
	family   *nameFeat
	full     []*nameFeat // given+family, then each alias
	native   *nameFeat
	father   *nameFeat
	mother   *nameFeat
	dob      Date
	sex      byte
	phones   []string
	nid      string
	passport string
	addr     []string // folded, abbreviation-expanded address tokens
	place    uint64   // hash of the whole address (addr), 0 without one
	postcode string
	admin    string
	// own holds the names an unpacked record points to (see unpack).
	own *unpacked
}

// names yields q's names in the order a record packs them (and unpack
// reads them): given, family, native, father, mother, then the full names.
func (q *prepared) names() iter.Seq[*nameFeat] {
	return func(yield func(*nameFeat) bool) {
		for _, f := range [...]*nameFeat{q.given, q.family, q.native, q.father, q.mother} {
			if !yield(f) {
				return
			}
		}
		for _, f := range q.full {
			if !yield(f) {
				return
			}
		}
	}
}

// preparer turns Records into prepared ones, sharing the memory of repeated
// strings and names in its tables (see tables.go). One without tables
// (for queries, which must not write) shares nothing.
type preparer struct {
	v   *Variants
	tab *tables
}

func newPreparer(v *Variants) *preparer {
	if v == nil {
		v = DefaultVariants()
	}
	return &preparer{v: v, tab: &tables{}}
}

// maxInterned bounds the sharing tables: unbounded vocabularies (typos)
// must not grow them forever.
const maxInterned = 4 << 20

// str returns s, as the table's copy when it is shared.
func (p *preparer) str(s string) string {
	if p.tab == nil {
		return s
	}
	if id, ok := p.tab.strs.add(s); ok {
		return p.tab.strs.get(id)
	}
	return s
}

func (p *preparer) name(s string) *nameFeat {
	return p.nameOf(NormalizeName(s, p.v))
}

// nameOf returns n prepared: the one already made for the same text and
// keys when the preparer shares names.
func (p *preparer) nameOf(n Name) *nameFeat {
	if len(n.Tokens) == 0 {
		return noName
	}
	f := p.makeName(n)
	if p.tab == nil {
		return f
	}
	id, ok := p.tab.nameID(f)
	if !ok {
		return f
	}
	t := p.tab
	if int(id) >= len(t.made) {
		t.made = append(t.made, make([]*nameFeat, int(id)+1-len(t.made))...)
	}
	if t.made[id] == nil {
		f.id = id
		t.made[id] = f
	}
	return t.made[id]
}

// share numbers q's names and repeated strings in the preparer's tables,
// so that pack writes their numbers (a query preparer prepared q, outside
// the index's lock).
func (p *preparer) share(q *prepared) {
	if p.tab == nil {
		return
	}
	name := func(f *nameFeat) {
		if f.empty() {
			return
		}
		id, ok := p.tab.nameID(f)
		if !ok {
			id = 0 // written in full
		}
		f.id = id
	}
	for f := range q.names() {
		name(f)
	}
	for _, t := range q.addr {
		p.tab.strs.add(t)
	}
	p.tab.strs.add(q.postcode)
	p.tab.strs.add(q.admin)
}

func (p *preparer) makeName(n Name) *nameFeat {
	f := &nameFeat{text: p.str(n.Text()), keys: make([]string, len(n.Keys))}
	for i, k := range n.Keys {
		f.keys[i] = p.str(k)
	}
	ks := append([]string(nil), n.Keys...)
	sort.Strings(ks)
	f.sorted = p.str(strings.Join(ks, " "))
	ph := make([]string, len(ks))
	for i, k := range ks {
		ph[i] = SoundKey(k)
	}
	sort.Strings(ph)
	f.phon = p.str(strings.Join(ph, " "))
	f.glued = p.str(SoundKey(strings.Join(ks, "")))
	return f
}

// prepare normalises r. It never fails: values that cannot be read (a date
// that is not a date) count as missing, and the caller validates input
// separately when it must report such values.
func (p *preparer) prepare(r *Record) prepared {
	q := prepared{id: strings.Clone(r.ID)} // not a slice of a whole CSV line
	gn := NormalizeName(r.GivenName, p.v)
	fn := NormalizeName(r.FamilyName, p.v)
	// An honorific standing alone in one field ("Mohammad" as family name)
	// is separated like any other when the other field carries the name.
	if len(fn.Tokens) == 1 && len(fn.Prefixes) == 0 && honorificKey[fn.Keys[0]] && len(gn.Tokens) > 0 {
		fn = Name{Prefixes: fn.Tokens}
	}
	if len(gn.Tokens) == 1 && len(gn.Prefixes) == 0 && honorificKey[gn.Keys[0]] && len(fn.Tokens) > 0 {
		gn = Name{Prefixes: gn.Tokens}
	}
	q.given, q.family = p.nameOf(gn), p.nameOf(fn)
	whole := Name{Tokens: append(append([]string(nil), gn.Tokens...), fn.Tokens...), Keys: append(append([]string(nil), gn.Keys...), fn.Keys...)}
	if len(whole.Tokens) > 0 {
		q.full = append(q.full, p.nameOf(whole))
	}
	for _, a := range r.Aliases {
		if n := p.name(a); !n.empty() {
			q.full = append(q.full, n)
		}
	}
	q.native = p.name(r.FullNameNative)
	q.father = p.name(r.FatherName)
	q.mother = p.name(r.MotherName)
	q.dob = readDate(r.DOB)
	q.sex = parseSex(r.Sex)
	for _, ph := range r.Phones {
		if d := normPhone(ph); d != "" {
			q.phones = append(q.phones, d)
		}
	}
	q.nid = normCode(r.NationalID)
	q.passport = normCode(r.Passport)
	for _, t := range joinInitials(Tokens(r.Address)) {
		if e, ok := addrAbbrev[t]; ok {
			t = e
		}
		if e := p.v.Key(t); e != t {
			t = e
		}
		q.addr = append(q.addr, p.str(t))
	}
	q.place = placeHash(q.addr)
	q.postcode = p.str(normCode(r.Postcode))
	q.admin = p.str(normCode(r.AdminArea))
	return q
}

func parseSex(s string) byte {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "m", "male", "man", "boy", "পুরুষ", "ذكر", "مرد":
		return 'm'
	case "f", "female", "woman", "girl", "মহিলা", "নারী", "أنثى", "عورت":
		return 'f'
	case "":
		return 0
	}
	return 'x'
}

// normPhone keeps the last ten digits: enough to tell subscribers apart and
// blind to how the country code and trunk zero were written.
func normPhone(s string) string {
	var b [32]byte
	n := 0
	for _, r := range foldDigits(s) {
		if r >= '0' && r <= '9' && n < len(b) {
			b[n] = byte(r)
			n++
		}
	}
	if n < 6 {
		return ""
	}
	if n > 10 {
		return string(b[n-10 : n])
	}
	return string(b[:n])
}

// normCode upper-cases a document number or code and drops everything but
// letters and digits.
func normCode(s string) string {
	s = Fold(s)
	var b strings.Builder
	for _, r := range s {
		if r != ' ' {
			b.WriteRune(r)
		}
	}
	return strings.ToUpper(b.String())
}

// addrAbbrev expands the abbreviations clerks use in addresses, so that
// "Vill. Charpara, P.O. Kashiani" meets "village charpara post office kashiani".
var addrAbbrev = map[string]string{
	"vill": "village", "vil": "village", "gram": "village", "grm": "village",
	"rd": "road", "st": "street", "str": "street", "ave": "avenue", "av": "avenue",
	"ln": "lane", "hse": "house", "h": "house", "hno": "house", "hn": "house", "no": "number",
	"po": "postoffice", "p": "post", "ps": "policestation", "thana": "policestation",
	"upz": "upazila", "upazilla": "upazila", "dist": "district", "zila": "district", "zilla": "district", "dt": "district",
	"un": "union", "uni": "union", "mohalla": "mahalla", "moholla": "mahalla",
	"bldg": "building", "apt": "apartment", "fl": "floor", "sec": "sector", "blk": "block",
	"cres": "crescent", "cct": "circuit", "pl": "place", "cl": "close", "ct": "court", "dr": "drive",
}

// joinInitials writes runs of single letters as one word: "P.O." folds to
// "p o" and should meet "PO".
func joinInitials(toks []string) []string {
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if len(t) == 1 && !isDigits(t) {
			j := i + 1
			for j < len(toks) && len(toks[j]) == 1 && !isDigits(toks[j]) {
				t += toks[j]
				j++
			}
			i = j - 1
		}
		out = append(out, t)
	}
	return out
}

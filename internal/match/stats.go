package match

import (
	"math"
	"strings"
)

// Stats counts how often values occur, for term-frequency adjustment: two
// records agreeing on "Islam" is weak evidence, on "Tahmeed" strong. It is
// not safe for concurrent writes; Index guards its own.
//
// Values are counted by their hash (strHash), in tables without pointers
// for the collector to follow (tables.go): two values of a field whose
// 64-bit hashes meet would share a count, which with a million values
// in a field happens about once in 37 million registries.
type Stats struct {
	n     [NumFields]int64
	exact [NumFields]keyTable // exact-level values
	vari  [NumFields]keyTable // variant-level values
	addr  keyTable            // address token document frequency
	nAddr int64
	// places counts whole addresses by hash (a registry holds about one
	// per household); their total is n[FieldAddress].
	places keyTable
	// phones, when set, counts the records with a phone number in place
	// of the exact-level table, which would hold every number once: an
	// index counts them by the length of the number's posting.
	phones func(v string) int32
}

// NewStats returns empty statistics.
func NewStats() *Stats { return &Stats{} }

// bytes estimates the memory of the counts.
func (s *Stats) bytes() int64 {
	b := s.addr.bytes() + s.places.bytes()
	for f := range s.exact {
		b += s.exact[f].bytes() + s.vari[f].bytes()
	}
	return b
}

// tfFields are the fields whose agreement is adjusted by term frequency.
var tfFields = [...]Field{FieldGivenName, FieldFamilyName, FieldFullName, FieldNativeName, FieldFatherName, FieldMotherName, FieldDOB, FieldPhone, FieldPostcode, FieldAdminArea}

// values returns the exact-level and variant-level values of field f in p.
func values(f Field, p *prepared, buf []string) (exact []string, vari string) {
	name := func(n *nameFeat) ([]string, string) {
		if n.empty() {
			return nil, ""
		}
		return append(buf, n.text), n.phon
	}
	switch f {
	case FieldGivenName:
		return name(p.given)
	case FieldFamilyName:
		return name(p.family)
	case FieldFullName:
		if len(p.full) == 0 {
			return nil, ""
		}
		return nil, p.full[0].phon
	case FieldNativeName:
		if p.native.empty() {
			return nil, ""
		}
		return append(buf, p.native.text), p.native.sorted
	case FieldFatherName:
		return name(p.father)
	case FieldMotherName:
		return name(p.mother)
	case FieldDOB:
		if p.dob.Prec == PrecNone {
			return nil, ""
		}
		return append(buf, p.dob.String()), ""
	case FieldPhone:
		return append(buf, p.phones...), ""
	case FieldPostcode:
		if p.postcode == "" {
			return nil, ""
		}
		return append(buf, p.postcode), ""
	case FieldAdminArea:
		if p.admin == "" {
			return nil, ""
		}
		return append(buf, p.admin), ""
	}
	return nil, ""
}

// add counts p's values with sign +1 (added) or -1 (removed).
func (s *Stats) add(p *prepared, sign int32) {
	var buf [4]string
	for _, f := range tfFields {
		ex, va := values(f, p, buf[:0])
		if len(ex) == 0 && va == "" {
			continue
		}
		s.n[f] += int64(sign)
		if f == FieldPhone && s.phones != nil {
			continue
		}
		for _, v := range ex {
			bump(&s.exact[f], v, sign)
		}
		if va != "" {
			bump(&s.vari[f], va, sign)
		}
	}
	if len(p.addr) > 0 {
		s.n[FieldAddress] += int64(sign)
		c, _ := s.places.get(p.place)
		if c := int32(c) + sign; c > 0 {
			s.places.set(p.place, uint32(c))
		} else {
			s.places.del(p.place)
		}
		s.nAddr += int64(sign)
		for i, t := range p.addr {
			if !containsStr(p.addr[:i], t) {
				bump(&s.addr, t, sign)
			}
		}
	}
}

// bump adds sign to v's count in t.
func bump(t *keyTable, v string, sign int32) {
	k := strHash(v)
	c, _ := t.get(k)
	if c := int32(c) + sign; c > 0 {
		t.set(k, uint32(c))
	} else {
		t.del(k)
	}
}

// count returns v's count in t.
func count(t *keyTable, v string) int32 {
	c, _ := t.get(strHash(v))
	return int32(c)
}

func containsStr(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// tf returns the share of records with a value in field f that have value v
// (at the exact level, or the variant level when variant is true); at least
// one record's worth.
func (s *Stats) tf(f Field, v string, variant bool) float64 {
	n := s.n[f]
	if n <= 0 {
		return 1
	}
	t := &s.exact[f]
	if variant {
		t = &s.vari[f]
	}
	var c int32
	if f == FieldPhone && !variant && s.phones != nil {
		c = s.phones(v)
	} else {
		c = count(t, v)
	}
	if c < 1 {
		c = 1
	}
	return float64(c) / float64(n)
}

// idf weighs an address token by its rarity: "road" says little, a village
// name much.
func (s *Stats) idf(t string) float64 {
	return math.Log(float64(s.nAddr+2) / float64(count(&s.addr, t)+1))
}

// Count returns how many records have exactly the (folded) value v in field
// f; for explanations and tests.
func (s *Stats) Count(f Field, v string) int {
	if f == FieldPhone && s.phones != nil {
		return int(s.phones(strings.TrimSpace(v)))
	}
	return int(count(&s.exact[f], strings.TrimSpace(v)))
}

// placeHash identifies a whole address by a hash of its tokens.
func placeHash(addr []string) uint64 {
	if len(addr) == 0 {
		return 0
	}
	h := uint64(14695981039346656037)
	for _, t := range addr {
		for i := 0; i < len(t); i++ {
			h = (h ^ uint64(t[i])) * 1099511628211
		}
		h = (h ^ ' ') * 1099511628211
	}
	return h | 1 // never 0, which means no address
}

// tfPlace returns the share of records with an address that have the whole
// address hashed to h; at least one record's worth.
func (s *Stats) tfPlace(h uint64) float64 {
	n := s.n[FieldAddress]
	if n <= 0 {
		return 1
	}
	c, _ := s.places.get(h)
	return float64(max(c, 1)) / float64(n)
}

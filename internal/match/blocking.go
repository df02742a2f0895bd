package match

// Blocking keys. Each record gets several keys built from different fields,
// so that a pair whose family name was mistyped still meets under its given
// and father's names, its phone, its documents or its birth date. Records
// are compared only when they share a key.
const (
	keyFamilyYear   = 'F' // family name sound + birth year
	keyGivenFather  = 'G' // given name sound + father's first name sound
	keyGivenYear    = 'Y' // given name sound + birth year
	keyFullName     = 'T' // all name parts, sorted (order and split do not matter)
	keyPhone        = 'P' // a phone number
	keyNationalID   = 'N' // national id
	keyPassport     = 'S' // passport number (digits: series letters change on renewal)
	keyPostInitials = 'C' // postcode + initials
	keyBirthDate    = 'D' // full birth date (not 1 January)
	keyPostHouse    = 'B' // postcode + the first number in the address (house or holding)
	keyStreet       = 'W' // the first number and word of the address
	keyNative       = 'A' // native-script name, sorted
	keyFamilyFather = 'H' // family name sound + father's name sound
	keyGivenInitial = 'I' // given name sound + family initial
	keyFamilyGiven  = 'J' // family name sound + given initial
	keyFamilyPlace  = 'K' // family name sound + the whole address
	keyGivenPlace   = 'L' // given name sound + the whole address
	keyPlaceYear    = 'M' // the whole address + birth year
)

// blockKeys appends the hashed blocking keys of p to buf. Hashes have their
// lowest bit cleared; callers may use it as a flag. The next bit is set
// for the keys of identifiers (phone, documents, full birth date, house,
// native-script name) and clear for the keys of Latin names, which
// unrelated people share far more often.
func blockKeys(p *prepared, buf []uint64) []uint64 {
	put := func(kind byte, h uint64) {
		h = keyEnd(kind, h)
		for _, x := range buf {
			if x == h {
				return
			}
		}
		buf = append(buf, h)
	}
	add := func(kind byte, parts ...string) {
		h := keyStart(kind)
		for _, s := range parts {
			if s == "" {
				return
			}
			h = keyMix(h, s)
		}
		put(kind, h)
	}
	// addPlace is add with the whole address (its hash) after name.
	addPlace := func(kind byte, name string) {
		if name == "" || p.place == 0 {
			return
		}
		h := keyMix(keyStart(kind), name)
		for i := 0; i < 8; i++ {
			h = (h ^ (p.place >> (8 * i) & 0xff)) * keyPrime
		}
		put(kind, (h^0xff)*keyPrime)
	}
	year := ""
	if p.dob.Prec >= PrecYear {
		year = p.dob.String()[:4]
	}
	given, family := firstPhon(p.given), p.family.phon
	father := firstPhon(p.father)
	add(keyFamilyYear, family, year)
	add(keyGivenFather, given, father)
	add(keyGivenYear, given, year)
	add(keyFamilyFather, family, father)
	add(keyGivenInitial, given, initial(p.family.text))
	add(keyFamilyGiven, family, initial(p.given.text))
	for i := range p.full {
		add(keyFullName, p.full[i].phon)
	}
	for _, ph := range p.phones {
		add(keyPhone, ph)
	}
	add(keyNationalID, p.nid)
	if d := digitsOf(p.passport); len(d) >= 6 {
		add(keyPassport, d)
	} else {
		add(keyPassport, p.passport)
	}
	add(keyPostInitials, p.postcode, initial(given), initial(family))
	if p.dob.Prec == PrecDay && !p.dob.IsPlaceholder() {
		add(keyBirthDate, p.dob.String())
	}
	if num, word := addressHead(p.addr); num != "" {
		add(keyPostHouse, p.postcode, num)
		add(keyStreet, num, word)
	}
	add(keyNative, p.native.sorted)
	// A name and the place written in full: the same person whose other
	// names were rewritten (a nickname, a dropped family name) and whose
	// date is missing still meets here; a household meets under its
	// family name and father already.
	addPlace(keyFamilyPlace, family)
	addPlace(keyGivenPlace, given)
	// Both names rewritten ("Sir Jack" for "John Bastide"): the place and
	// the year still meet; in a registry, where an address is a house,
	// only twins share both.
	addPlace(keyPlaceYear, year)
	return buf
}

const keyPrime = 1099511628211

// keyStart, keyMix and keyEnd make a blocking key: its kind, then each
// part, then the flag bits (see blockKeys).
func keyStart(kind byte) uint64 { return (uint64(14695981039346656037) ^ uint64(kind)) * keyPrime }

func keyMix(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * keyPrime
	}
	return (h ^ 0xff) * keyPrime
}

func keyEnd(kind byte, h uint64) uint64 {
	h &^= 3
	if strongKey[kind] {
		h |= 2
	}
	return h
}

// phoneKey is the blocking key of the (normalised) phone number v.
func phoneKey(v string) uint64 { return keyEnd(keyPhone, keyMix(keyStart(keyPhone), v)) }

// strongKey are the key kinds of identifiers (see blockKeys).
var strongKey = [256]bool{keyFullName: true, keyPhone: true, keyNationalID: true, keyPassport: true, keyBirthDate: true, keyPostHouse: true, keyNative: true}

// firstPhon returns the sound key of a name's first part: the part least
// often dropped or moved.
func firstPhon(n *nameFeat) string {
	if len(n.keys) == 0 {
		return ""
	}
	return SoundKey(n.keys[0])
}

func initial(s string) string {
	if s == "" {
		return ""
	}
	return s[:1]
}

// sortKey orders the members of an oversized block so that likely
// duplicates sit next to each other: the same name parts (in any order),
// then the same father, then birth dates in order.
func sortKey(p *prepared) uint64 {
	h := func(s string, bits uint) uint64 {
		v := uint64(14695981039346656037)
		for i := 0; i < len(s); i++ {
			v = (v ^ uint64(s[i])) * 1099511628211
		}
		return v >> (64 - bits)
	}
	var name string
	if len(p.full) > 0 {
		name = p.full[0].phon
	}
	days := uint64(p.dob.Year)*372 + uint64(p.dob.Month)*31 + uint64(p.dob.Day)
	return h(name, 28)<<36 | h(p.father.phon, 16)<<20 | days&0xfffff
}

// addressHead returns the first number in an address and the first word
// after it: a house number and its street, or a holding and its village.
func addressHead(addr []string) (num, word string) {
	for i, t := range addr {
		if isDigits(t) {
			for _, w := range addr[i+1:] {
				if !isDigits(w) && len(w) >= 3 {
					return t, Phonetic(w)
				}
			}
			return t, ""
		}
	}
	return "", ""
}

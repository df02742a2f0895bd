package match

import "strings"

// Similarity thresholds shared by the comparisons. They define what "close"
// means for strings; how much "close" counts is learnt from the data.
const (
	jwClose   = 0.90
	jwPartial = 0.80
	jwToken   = 0.88
)

// compare returns the comparison vector of a and b.
func compare(a, b *prepared, st *Stats) Vector {
	var v Vector
	for f := Field(0); f < NumFields; f++ {
		v[f] = compareField(f, a, b, st, &v)
	}
	return v
}

// compareField returns the level of field f for a and b. The full name
// reads the given and family names' levels from v, so they must be there.
func compareField(f Field, a, b *prepared, st *Stats, v *Vector) uint8 {
	switch f {
	case FieldGivenName:
		return compareName(FieldGivenName, a.given, b.given)
	case FieldFamilyName:
		return compareName(FieldFamilyName, a.family, b.family)
	case FieldFullName:
		return compareFull(a, b, *v)
	case FieldNativeName:
		return compareNative(a.native, b.native)
	case FieldFatherName:
		return compareName(FieldFatherName, a.father, b.father)
	case FieldMotherName:
		return compareName(FieldMotherName, a.mother, b.mother)
	case FieldDOB:
		return compareDate(a.dob, b.dob)
	case FieldSex:
		return compareSex(a.sex, b.sex)
	case FieldPhone:
		return comparePhones(a.phones, b.phones)
	case FieldNationalID:
		return compareCode(FieldNationalID, a.nid, b.nid, 1)
	case FieldPassport:
		return comparePassport(a.passport, b.passport)
	case FieldAddress:
		return compareAddress(a.addr, b.addr, st)
	case FieldPostcode:
		return comparePostcode(a.postcode, b.postcode)
	case FieldAdminArea:
		return compareAdmin(a.admin, b.admin)
	}
	return 0
}

// Level indices used by the comparisons (checked against levels at init).
const (
	lvMissing   = 0
	lvExact     = 1
	lvVariant   = 2
	lvClose     = 3
	lvPartial   = 4
	lvDifferent = 5
)

func compareName(f Field, a, b *nameFeat) uint8 {
	switch {
	case a.empty() || b.empty():
		return lvMissing
	case a.text == b.text:
		return lvExact
	case a.sorted == b.sorted || (a.phon == b.phon || a.glued == b.glued) && !knownApart(a, b):
		return lvVariant
	case f == FieldGivenName && isNickname(firstToken(a.text), firstToken(b.text)):
		// A nickname is the same name written another way.
		return lvVariant
	case skeletonNames(a, b, false):
		// The same name in Arabic script and in Latin letters.
		return lvVariant
	}
	jw := JaroWinkler(a.text, b.text)
	switch {
	case jw >= jwClose:
		return lvClose
	case jw >= jwPartial || sharesKey(a.keys, b.keys) || initialOf(a.text, b.text) || initialOf(b.text, a.text):
		return lvPartial
	case f == FieldGivenName && shareNickname(firstToken(a.text), firstToken(b.text)):
		return lvPartial
	}
	return lvDifferent
}

// initialOf reports whether name a is an initial ("J", "J. R.") whose
// first letter begins name b: consistent with it, but weak.
func initialOf(a, b string) bool {
	t := firstToken(a)
	return len(t) == 1 && t != "" && b != "" && b[0] == t[0] && !isDigits(t)
}

func sharesKey(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// compareFull looks at the name as a bag of parts, but only when neither
// the given nor the family name agrees where it stands: "Rafiqul Islam /
// Mohammad" against "Md. Rafiqul / Islam" is the same name split
// differently. When a part already agreed in place the field is not
// applicable: "Frank Moore" and "Bernard Moore" share a part because they
// share the family name, which has counted already, and counting it twice
// made namesakes matches.
func compareFull(a, b *prepared, v Vector) uint8 {
	agrees := func(l uint8) bool { return l == lvExact || l == lvVariant || l == lvClose }
	if agrees(v[FieldGivenName]) || agrees(v[FieldFamilyName]) {
		return 0
	}
	if len(a.full) == 0 || len(b.full) == 0 {
		return 0
	}
	best := uint8(4) // Different
	for i := range a.full {
		for j := range b.full {
			x, y := a.full[i], b.full[j]
			if x.sorted == y.sorted || (x.phon == y.phon || x.glued == y.glued) && !knownApart(x, y) || skeletonNames(x, y, true) {
				return 1 // Reordered
			}
			d := softDice(x.keys, y.keys, nil)
			switch {
			case d >= 0.79 && best > 2:
				best = 2 // Close
			case d > 0 && best > 3:
				best = 3 // Partial
			}
		}
	}
	return best
}

func compareNative(a, b *nameFeat) uint8 {
	switch {
	case a.empty() || b.empty():
		return 0
	case a.text == b.text:
		return 1
	case a.sorted == b.sorted:
		return 2
	}
	switch jw := JaroWinkler(a.text, b.text); {
	case jw >= jwClose:
		return 3
	case jw >= jwPartial || sharesKey(a.keys, b.keys):
		return 4
	}
	return 5
}

// softDice is the (weighted) share of tokens of a and b that find a partner
// in the other list: equal, or for words of four letters or more, close by
// Jaro–Winkler. Numbers must be equal.
func softDice(a, b []string, w func(string) float64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	weight := func(s string) float64 {
		if w == nil {
			return 1
		}
		return w(s)
	}
	var used [64]bool
	var total, matched float64
	for _, t := range b {
		total += weight(t)
	}
	for _, t := range a {
		wt := weight(t)
		total += wt
		best, bestJW := -1, 0.0
		for k, u := range b {
			if k >= len(used) || used[k] {
				continue
			}
			if t == u {
				best, bestJW = k, 1
				break
			}
			// Only words that start alike are tried: a typo in the first
			// letter is rare, and JW is the costly part of comparing.
			if len(t) >= 4 && len(u) >= 4 && t[0] == u[0] && !isDigits(t[:1]) {
				if jw := JaroWinkler(t, u); jw >= jwToken && jw > bestJW {
					best, bestJW = k, jw
				}
			}
		}
		if best >= 0 {
			used[best] = true
			matched += wt + weight(b[best])
		}
	}
	if total == 0 {
		return 0
	}
	return matched / total
}

// compareDate compares dates of birth by their precision: a year-only date or
// the 1 January placeholder is consistent with any date in that year.
func compareDate(a, b Date) uint8 {
	const exact, imprecise, swapped, closeL, different = 1, 2, 3, 4, 5
	if a.Prec == PrecNone || b.Prec == PrecNone {
		return 0
	}
	if a.Prec == PrecDay && b.Prec == PrecDay {
		switch {
		case a == b && a.IsPlaceholder():
			return imprecise
		case a == b:
			return exact
		case a.Year == b.Year && (a.IsPlaceholder() || b.IsPlaceholder()):
			return imprecise
		case a.Year == b.Year && a.Month == b.Day && a.Day == b.Month:
			return swapped
		case a.Year == b.Year && (a.Month == b.Month || a.Day == b.Day):
			return closeL
		case a.Month == b.Month && a.Day == b.Day && abs(int(a.Year)-int(b.Year)) <= 1:
			return closeL
		case digitsClose(a.ymd(), b.ymd()):
			return closeL
		}
		return different
	}
	// At least one side is known only to the year or month.
	if a.Year == b.Year {
		if a.Prec >= PrecMonth && b.Prec >= PrecMonth && a.Month != b.Month {
			if b.Prec == PrecDay && b.IsPlaceholder() || a.Prec == PrecDay && a.IsPlaceholder() {
				return imprecise
			}
			return closeL
		}
		return imprecise
	}
	if abs(int(a.Year)-int(b.Year)) <= 1 {
		return closeL
	}
	return different
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func compareSex(a, b byte) uint8 {
	switch {
	case a == 0 || b == 0 || a == 'x' || b == 'x':
		return 0
	case a == b:
		return 1
	}
	return 2
}

func comparePhones(a, b []string) uint8 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	best := uint8(3)
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return 1
			}
			if hammingClose(x, y) {
				best = 2
			}
		}
	}
	return best
}

func compareCode(f Field, a, b string, edits int) uint8 {
	switch {
	case a == "" || b == "":
		return 0
	case a == b:
		return 1
	case editDistanceAtMost(a, b, edits):
		return 2
	}
	return 3
}

// comparePostcode treats one edit, or for a code of six characters or more
// the same code but for its last two (a UK unit within its sector: "TQ13
// 8DF" and "TQ13 8JR"), as close. Four- and five-digit codes (Bangladesh,
// most of Europe) have no such part.
func comparePostcode(a, b string) uint8 {
	l := compareCode(FieldPostcode, a, b, 1)
	if l == 3 && len(a) >= 6 && len(a) == len(b) && a[:len(a)-2] == b[:len(b)-2] && !isDigits(a) {
		return 2
	}
	return l
}

// comparePassport treats a renewal that keeps most of the number (a new
// series letter, a changed check digit) as close.
func comparePassport(a, b string) uint8 {
	switch {
	case a == "" || b == "":
		return 0
	case a == b:
		return 1
	case editDistanceAtMost(a, b, 2), len(a) >= 6 && digitsOf(a) == digitsOf(b) && len(digitsOf(a)) >= 6:
		return 2
	}
	return 3
}

func digitsOf(s string) string {
	i := strings.IndexAny(s, "0123456789")
	if i < 0 {
		return ""
	}
	return s[i:]
}

func compareAddress(a, b []string, st *Stats) uint8 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	var w func(string) float64
	if st != nil && st.nAddr > 0 {
		w = st.idf
	}
	switch d := softDice(a, b, w); {
	case d >= 0.9:
		return 1
	case d >= 0.6:
		return 2
	case d >= 0.25:
		return 3
	}
	return 4
}

// compareAdmin treats two codes where one contains the other (a district and
// a sub-district within it, as p-codes are built) as partial agreement.
func compareAdmin(a, b string) uint8 {
	switch {
	case a == "" || b == "":
		return 0
	case a == b:
		return 1
	case len(a) >= 4 && len(b) >= 4 && (strings.HasPrefix(a, b) || strings.HasPrefix(b, a)):
		return 2
	}
	return 3
}

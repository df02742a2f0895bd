package match

import (
	"encoding/json"
	"fmt"
	"math"
)

// Decision is the outcome for a candidate pair.
type Decision uint8

// Decisions, from no match to match.
const (
	NonMatch Decision = iota
	Possible          // for a person to review
	Match
)

// String returns "non-match", "possible" or "match".
func (d Decision) String() string {
	switch d {
	case Match:
		return "match"
	case Possible:
		return "possible"
	}
	return "non-match"
}

// Default thresholds on the match probability.
const (
	DefaultMatchThreshold    = 0.90
	DefaultPossibleThreshold = 0.30
)

// Model holds the Fellegi–Sunter parameters: for every field and level, the
// probability m of seeing that level when the two records are the same
// person and u when they are not. Levels are indexed as in Levels(f); level
// 0 (missing) is not used. A Model is plain data: it can be stored as JSON
// and shared between goroutines once built.
type Model struct {
	M [NumFields][maxLevels]float64 `json:"m"`
	U [NumFields][maxLevels]float64 `json:"u"`
	// MatchesPerRecord is the expected number of other records that match
	// one record; with the number of records it gives the prior.
	MatchesPerRecord float64 `json:"matches_per_record"`
	// HouseholdPerRecord is the expected number of other records that are a
	// different person of the same household (siblings: same parents,
	// family name, address, often the same phone). Fellegi–Sunter counts
	// each of those agreements as independent evidence; a household shares
	// them all at once, so their joint weight is corrected (see score).
	HouseholdPerRecord float64 `json:"household_per_record"`
	// MatchThreshold and PossibleThreshold are probabilities; pairs at or
	// above them are matches and possible matches.
	MatchThreshold    float64 `json:"match_threshold"`
	PossibleThreshold float64 `json:"possible_threshold"`
	// NoTF turns term-frequency adjustment off (for comparison in tests).
	NoTF bool `json:"no_tf,omitempty"`
}

// DefaultModel returns parameters that are reasonable before any data has
// been seen: a new registry, or an Index not yet fitted. Fit replaces them
// with estimates from the data.
func DefaultModel() *Model {
	// Before any data: about one duplicate registration in ten, and about
	// one other member of the same household per three people (without
	// it, siblings sharing a father, an address and a phone pass for
	// duplicates until the registry is large enough to estimate it).
	m := &Model{MatchesPerRecord: 0.1, HouseholdPerRecord: 0.3, MatchThreshold: DefaultMatchThreshold, PossibleThreshold: DefaultPossibleThreshold}
	for f := Field(0); f < NumFields; f++ {
		m.M[f] = initialM(f)
		for l, k := range levels[f] {
			u := map[Kind]float64{Exact: 0.005, Variant: 0.01, Reordered: 0.002, Imprecise: 0.02, Swapped: 0.0005, Close: 0.02, Partial: 0.08, Different: 0.9}[k]
			switch f {
			case FieldSex:
				u = map[Kind]float64{Exact: 0.5, Different: 0.5}[k]
			case FieldPhone, FieldNationalID, FieldPassport:
				u = map[Kind]float64{Exact: 1e-6, Close: 1e-5, Different: 1}[k]
			case FieldAdminArea, FieldPostcode:
				u = map[Kind]float64{Exact: 0.02, Partial: 0.1, Close: 0.05, Different: 0.9}[k]
			case FieldDOB:
				u = map[Kind]float64{Exact: 0.0001, Imprecise: 0.02, Swapped: 0.0001, Close: 0.005, Different: 0.97}[k]
			}
			if l > 0 {
				m.U[f][l] = u
			}
		}
		normalize(m.U[f][:len(levels[f])])
	}
	return m
}

// initialM is the starting point of EM: agreement is likely for a match.
func initialM(f Field) [maxLevels]float64 {
	var out [maxLevels]float64
	for l, k := range levels[f] {
		if l == 0 {
			continue
		}
		out[l] = map[Kind]float64{Exact: 0.8, Variant: 0.08, Reordered: 0.5, Imprecise: 0.1, Swapped: 0.02, Close: 0.07, Partial: 0.04, Different: 0.03}[k]
		if f == FieldPhone || f == FieldPassport {
			// Phones and passports change between registrations.
			out[l] = map[Kind]float64{Exact: 0.5, Close: 0.05, Different: 0.45}[k]
		}
	}
	normalize(out[:len(levels[f])])
	return out
}

func normalize(p []float64) {
	var s float64
	for i := 1; i < len(p); i++ {
		s += p[i]
	}
	if s <= 0 {
		return
	}
	for i := 1; i < len(p); i++ {
		p[i] /= s
	}
}

// Validate checks that the model's probabilities and thresholds make sense.
func (m *Model) Validate() error {
	for f := Field(0); f < NumFields; f++ {
		for l := 1; l < len(levels[f]); l++ {
			if !(m.M[f][l] > 0 && m.M[f][l] <= 1 && m.U[f][l] > 0 && m.U[f][l] <= 1) {
				return fmt.Errorf("match: model: %s level %s: m=%g u=%g must be in (0, 1]", f, levels[f][l], m.M[f][l], m.U[f][l])
			}
		}
	}
	if !(m.PossibleThreshold > 0 && m.PossibleThreshold <= m.MatchThreshold && m.MatchThreshold <= 1) {
		return fmt.Errorf("match: model: thresholds must satisfy 0 < possible (%g) ≤ match (%g) ≤ 1", m.PossibleThreshold, m.MatchThreshold)
	}
	return nil
}

// String returns the model as JSON, the form in which it is stored.
func (m *Model) String() string {
	b, _ := json.Marshal(m)
	return string(b)
}

// weight returns the log2 Bayes factor of field f at level l for the pair
// (a, b), adjusted by term frequency when the level is an agreement on a
// value whose frequency is known.
func (m *scorer) weight(f Field, l uint8, a, b *prepared, st *Stats) float64 {
	if l == 0 {
		return 0
	}
	if !m.NoTF && st != nil {
		if tfu, ok := tfU(f, l, a, b, st); ok {
			// Frequencies from a small registry are noise: trust them in
			// proportion to the records behind them.
			n := float64(st.n[f])
			w := n / (n + tfTrust)
			// The records carrying a value include the record itself and
			// its own duplicates; only the others agree by chance. A
			// registry of distinct people loses one record's worth; a
			// collection with ten records per person ("Ellicott" written
			// ten times for one man) would otherwise call a rare name
			// common.
			if n > 0 {
				tfu = math.Max(tfu-(1+m.MatchesPerRecord*m.M[f][l])/n, 1/n)
			}
			return clampWeight(f, l, math.Log2(m.M[f][l]/(w*tfu+(1-w)*m.U[f][l])))
		}
	}
	return m.lw[f][l]
}

// tfTrust is the number of records at which observed value frequencies
// count as much as the level's average u.
const tfTrust = 1000

// tfU returns the term-frequency u-probability for an agreeing level: the
// share of records carrying the agreed value.
func tfU(f Field, l uint8, a, b *prepared, st *Stats) (float64, bool) {
	k := levels[f][l]
	if k != Exact && k != Variant && k != Reordered {
		return 0, false
	}
	switch f {
	case FieldGivenName, FieldFamilyName, FieldFatherName, FieldMotherName:
		n, o := nameOfField(f, a), nameOfField(f, b)
		if k == Exact {
			return st.tf(f, n.text, false), true
		}
		// Another spelling of the same name: the share of records that
		// would agree at this level by chance is those written like either
		// side but not exactly as it ("Jon" for "John"), or for a nickname
		// those carrying the other name ("Bill" for "William"), averaged
		// over which of the two is the one asked about.
		if n.phon == o.phon {
			return math.Max(variantTF(st, f, n), variantTF(st, f, o)), true
		}
		return (st.tf(f, n.text, false) + st.tf(f, o.text, false)) / 2, true
	case FieldFullName:
		if len(a.full) > 0 {
			return st.tf(f, a.full[0].phon, true), true
		}
	case FieldNativeName:
		if k == Exact {
			return st.tf(f, a.native.text, false), true
		}
		return st.tf(f, a.native.sorted, true), true
	case FieldDOB:
		return st.tf(f, a.dob.String(), false), true
	case FieldPhone:
		for _, x := range a.phones {
			if containsStr(b.phones, x) {
				return st.tf(f, x, false), true
			}
		}
	case FieldAddress:
		// A birth place or a town ("London") is shared by many people, a
		// house by a household: the more common of the two addresses.
		return math.Max(st.tfPlace(a.place), st.tfPlace(b.place)), true
	case FieldPostcode:
		return st.tf(f, a.postcode, false), true
	case FieldAdminArea:
		return st.tf(f, a.admin, false), true
	}
	return 0, false
}

// variantTF is the share of records whose name sounds as n's but is spelt
// otherwise; at least one record's worth.
func variantTF(st *Stats, f Field, n *nameFeat) float64 {
	return math.Max(st.tf(f, n.phon, true)-st.tf(f, n.text, false), 1/math.Max(float64(st.n[f]), 1))
}

func nameOfField(f Field, p *prepared) *nameFeat {
	switch f {
	case FieldGivenName:
		return p.given
	case FieldFamilyName:
		return p.family
	case FieldFatherName:
		return p.father
	case FieldMotherName:
		return p.mother
	}
	return p.native
}

// logOdds returns the prior log2 odds that two records picked from a
// collection of n match.
func (m *Model) logOdds(n int) float64 {
	if n < 2 {
		n = 2
	}
	lambda := m.MatchesPerRecord / float64(n-1)
	lambda = math.Min(math.Max(lambda, 1e-12), 0.5)
	return math.Log2(lambda / (1 - lambda))
}

// probability turns log2 odds into a probability.
func probability(logOdds float64) float64 {
	return 1 / (1 + math.Exp2(-logOdds))
}

// decide applies the thresholds.
func (m *Model) decide(p float64) Decision {
	switch {
	case p >= m.MatchThreshold:
		return Match
	case p >= m.PossibleThreshold:
		return Possible
	}
	return NonMatch
}

// scorer is a Model ready for scoring: log2(m/u) of every level computed
// once, since the logarithm is the costly part of scoring a pair.
type scorer struct {
	*Model
	lw [NumFields][maxLevels]float64
	fp string // the model's Fingerprint
	// rest is, after each stage of bound, the most the fields not yet
	// compared can add: [stage][0] outside the household fields, [1] in
	// them.
	rest [len(boundStages)][2]float64
}

func newScorer(m *Model) *scorer {
	s := &scorer{Model: m, fp: m.Fingerprint()}
	for f := range s.lw {
		for l := range s.lw[f] {
			if m.U[f][l] > 0 && m.M[f][l] > 0 {
				s.lw[f][l] = clampWeight(Field(f), uint8(l), math.Log2(m.M[f][l]/m.U[f][l]))
			}
			if Field(f) == FieldFullName && l < len(levels[f]) && levels[f][l] == Different {
				// No part found elsewhere: the names differ, which the
				// given and family names have counted already. The level
				// stays (its m and u keep the others' in proportion) but
				// weighs nothing.
				s.lw[f][l] = 0
			}
		}
	}
	// The most a field can weigh: a level's weight, or for a field adjusted
	// by term frequency any weight up to its clamp (a rare value); never
	// less than 0, what a missing value weighs.
	var most [NumFields]float64
	for f := Field(0); f < NumFields; f++ {
		for l := 1; l < len(levels[f]); l++ {
			most[f] = math.Max(most[f], s.lw[f][l])
		}
		if tfAdjusted[f] {
			most[f] = math.Max(most[f], maxWeight[f])
		}
	}
	for k := range boundStages {
		for _, later := range boundStages[k+1:] {
			for _, f := range later {
				s.rest[k][b2i(householdFields[f])] += most[f]
			}
		}
		for _, f := range boundLast {
			s.rest[k][b2i(householdFields[f])] += most[f]
		}
	}
	return s
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// tfAdjusted are the fields whose agreeing levels tfU may reweigh.
var tfAdjusted = [NumFields]bool{
	FieldGivenName: true, FieldFamilyName: true, FieldFullName: true, FieldNativeName: true,
	FieldFatherName: true, FieldMotherName: true, FieldDOB: true, FieldPhone: true,
	FieldAddress: true, FieldPostcode: true, FieldAdminArea: true,
}

// boundStages are the fields bound compares, cheapest first, in stages
// after each of which it stops when the pair can no longer reach the
// weight asked; boundLast are never compared by bound (the address, the
// costliest comparison), only bounded.
var (
	boundStages = [...][]Field{
		{FieldDOB, FieldSex, FieldPhone, FieldNationalID, FieldPassport, FieldPostcode, FieldAdminArea},
		{FieldGivenName, FieldFamilyName, FieldFullName, FieldFatherName, FieldMotherName},
		{FieldNativeName},
	}
	boundLast = []Field{FieldAddress}
)

// bound returns an upper bound of score(a, b, st, n)'s total, comparing
// fields stage by stage and returning as soon as the bound falls below
// need (a bound below need means the pair cannot reach it). The bound
// holds because every field's weight is at most its most (see newScorer),
// the cap on the native name only lowers a weight, and the total
// (Σ non-household w) + h + householdCorrection(h) rises with the
// household weight h.
func (m *scorer) bound(a, b *prepared, st *Stats, n int, need float64) float64 {
	logPi := m.householdLogPi(n)
	var v Vector
	var sum [2]float64
	ub := math.Inf(1)
	for k, stage := range boundStages {
		for _, f := range stage {
			v[f] = compareField(f, a, b, st, &v)
			sum[b2i(householdFields[f])] += m.weight(f, v[f], a, b, st)
		}
		h := sum[1] + m.rest[k][1]
		ub = sum[0] + m.rest[k][0] + h + householdCorrection(logPi, h)
		if ub < need {
			return ub
		}
	}
	return ub
}

// householdFields are shared by members of one household: a sibling agrees
// on them as a duplicate registration does.
var householdFields = [NumFields]bool{
	FieldFamilyName: true, FieldFatherName: true, FieldMotherName: true,
	FieldPhone: true, FieldAddress: true, FieldPostcode: true, FieldAdminArea: true,
}

// score compares a and b and returns the total weight (log2 Bayes factor),
// the comparison vector, each field's weight and the household correction
// (included in the total). n is the number of records the pair was drawn
// from.
//
// The non-match likelihood is a mixture: unrelated people, whose fields
// agree by chance independently (Π u), and members of one household (a
// share π of non-matching pairs), who agree on the household fields as a
// duplicate would (Π m there) and by chance on the rest. Then
//
//	log2 LR = Σ w − log2(1 − π + π·2^(Σ household w))
//
// so that agreement on father, mother, address and phone together counts
// about as much as "same household" is worth, not the sum of its parts.
func (m *scorer) score(a, b *prepared, st *Stats, n int) (total float64, v Vector, ws [NumFields]float64, household float64) {
	v = compare(a, b, st)
	var hh float64
	for f := Field(0); f < NumFields; f++ {
		ws[f] = m.weight(f, v[f], a, b, st)
	}
	if romanAgrees(v) && ws[FieldNativeName] > nativeConfirms {
		// The name in Bangla script and its romanisation are one name
		// written twice: when the romanised name already agrees, the
		// native spelling confirms it but is not independent evidence.
		ws[FieldNativeName] = nativeConfirms
	}
	for f := Field(0); f < NumFields; f++ {
		total += ws[f]
		if householdFields[f] {
			hh += ws[f]
		}
	}
	household = householdCorrection(m.householdLogPi(n), hh)
	return total + household, v, ws, household
}

// nativeConfirms is the most an agreeing native-script name adds when the
// romanised name agrees too.
const nativeConfirms = 1.0

// romanAgrees reports whether the romanised given and family names agree
// (in place or as a reordered whole).
func romanAgrees(v Vector) bool {
	agrees := func(l uint8) bool { return l == lvExact || l == lvVariant || l == lvClose }
	if agrees(v[FieldGivenName]) && agrees(v[FieldFamilyName]) {
		return true
	}
	k := levels[FieldFullName][v[FieldFullName]]
	return k == Reordered || k == Close
}

// householdLogPi returns log2 of the share of non-matching pairs that are
// one household, for a collection of n records.
func (m *Model) householdLogPi(n int) float64 {
	if m.HouseholdPerRecord <= 0 {
		return math.Inf(-1)
	}
	if n < 2 {
		n = 2
	}
	return math.Log2(math.Min(m.HouseholdPerRecord/float64(n-1), 0.5))
}

// householdCorrection returns −log2(1 − π + π·2^hh) for log2 π = logPi.
func householdCorrection(logPi, hh float64) float64 {
	if math.IsInf(logPi, -1) {
		return 0
	}
	x := logPi + hh
	if x > 60 {
		return -x
	}
	return -math.Log2(1 - math.Exp2(logPi) + math.Exp2(x))
}

// MarshalText writes the decision as a word (match, possible, non-match).
func (d Decision) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

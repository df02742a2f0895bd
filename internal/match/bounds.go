package match

import "math"

// Unsupervised estimation learns from whatever structure a registry has. On
// a registry with few or no duplicates the "match" class that EM finds is
// households and neighbours — people who share an address, a family name
// and a father but not a birth date or an identity card — and the estimates
// drift into "an address is proof" and "a different national ID means
// nothing". Two safeguards keep the model sensible on any registry:
//
//   - a prior: EM's m estimates are Dirichlet-smoothed towards initialM
//     (what is known about duplicate registrations anywhere) with the weight
//     of priorStrength observed pairs, so a registry without evidence keeps
//     the prior instead of a uniform guess;
//   - bounds: whatever the data say, a disagreement on a strong identifier
//     (national ID, passport, a full date of birth) stays strong evidence
//     against — typos have levels of their own (one edit or a transposition
//     is Close, a day/month swap is Swapped) — and no single field's
//     agreement can outweigh the rest: each field's weight is clamped to
//     [minWeight, maxWeight].

// priorStrength is the number of pairs the prior m counts as.
const priorStrength = 200

// maxDifferentM bounds m(Different) — the share of true duplicates whose
// values differ outright — for fields where a difference is evidence.
// Passports are renewed, so a different number is weaker evidence than a
// different national ID; phones change too often to bound.
var maxDifferentM = [NumFields]float64{
	FieldNationalID: 0.03,
	FieldPassport:   0.15,
	FieldDOB:        0.06,
	FieldSex:        0.02,
	FieldGivenName:  0.15,
	FieldFullName:   0.15,
}

// minAgreeM bounds m(Exact) from below: duplicates mostly agree on these
// when both records carry them.
var minAgreeM = [NumFields]float64{
	FieldNationalID: 0.6,
	FieldDOB:        0.4,
	FieldSex:        0.9,
}

// Weight clamps per field (log2 Bayes factors). Agreement on a
// quasi-identifier a household or a village shares (address, postcode,
// area, parents' names) can never count for as much as an identity
// document; disagreement on a strong identifier never counts for less
// than its bound. A postcode is at most as specific as a whole address and
// is clamped like one: term frequency keeps a village's code weak, and
// where a code is a street (a UK unit) it tells as much as the street.
var (
	maxWeight = [NumFields]float64{
		FieldGivenName: 10, FieldFamilyName: 10, FieldFullName: 10, FieldNativeName: 10,
		FieldFatherName: 7, FieldMotherName: 6, FieldDOB: 12, FieldSex: 1,
		FieldPhone: 10, FieldNationalID: 20, FieldPassport: 18,
		FieldAddress: 8, FieldPostcode: 8, FieldAdminArea: 3,
	}
	// maxAgainst is the least negative a Different level may weigh.
	maxAgainst = [NumFields]float64{
		FieldNationalID: -5, FieldPassport: -2.5, FieldDOB: -4,
	}
)

// boundM applies the bounds to estimated m probabilities in place and keeps
// each field's levels summing to one.
func boundM(m *[NumFields][maxLevels]float64) {
	for f := Field(0); f < NumFields; f++ {
		L := len(levels[f])
		fixed := make([]bool, L)
		if c := maxDifferentM[f]; c > 0 {
			if l := level(f, Different); l > 0 && m[f][l] > c {
				m[f][l], fixed[l] = c, true
			}
		}
		if c := minAgreeM[f]; c > 0 {
			if l := level(f, Exact); l > 0 && m[f][l] < c {
				m[f][l], fixed[l] = c, true
			}
		}
		// Spread what is left over the levels not fixed, in proportion.
		var fixedSum, freeSum float64
		for l := 1; l < L; l++ {
			if fixed[l] {
				fixedSum += m[f][l]
			} else {
				freeSum += m[f][l]
			}
		}
		if freeSum <= 0 {
			continue
		}
		scale := (1 - fixedSum) / freeSum
		for l := 1; l < L; l++ {
			if !fixed[l] {
				m[f][l] = math.Max(m[f][l]*scale, 1e-6)
			}
		}
	}
}

// clampWeight bounds one field's weight.
func clampWeight(f Field, l uint8, w float64) float64 {
	if hi := maxWeight[f]; hi > 0 && w > hi {
		w = hi
	}
	if lo := maxAgainst[f]; lo < 0 && levels[f][l] == Different && w > lo {
		w = lo
	}
	return w
}

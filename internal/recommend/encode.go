package recommend

import (
	"math"
	"strings"
)

// Return types as the CSV files name them.
var ReturnTypes = []string{"voluntary", "assisted_voluntary", "deported", "crisis_evacuation", "end_of_contract", "other"}

// Educations lists the education levels in order.
var Educations = []string{EduNone, EduPrimary, EduSecondary, EduHigher}

// Protected lists the profile fields that are never model inputs; the
// fairness audit alone reads them.
var Protected = []string{"sex", "district"}

// feature is one model input: its name, the profile field it comes from
// (the unit reasons are given in) and how it is read from a profile.
type feature struct {
	name, source string
	value        func(p *Profile) float64
}

func flag(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// iscoGroup returns the ISCO-08 major group (the first digit) of an
// occupation code, or -1 when the occupation is not a code.
func iscoGroup(occ string) int {
	occ = strings.TrimSpace(occ)
	if occ == "" || occ[0] < '0' || occ[0] > '9' {
		return -1
	}
	for _, r := range occ {
		if r < '0' || r > '9' {
			return -1
		}
	}
	return int(occ[0] - '0')
}

// features lists the model's inputs. Sex and District are not among them
// and no feature reads them: the protected attributes never reach a model.
var features = buildFeatures()

func buildFeatures() []feature {
	fs := []feature{
		{"age", "age", func(p *Profile) float64 { return p.Age }},
		{"age_sq", "age", func(p *Profile) float64 { return p.Age * p.Age / 100 }},
	}
	for _, e := range Educations {
		fs = append(fs, feature{"education_" + e, "education", func(p *Profile) float64 { return flag(p.Education == e) }})
	}
	fs = append(fs,
		feature{"years_abroad", "years_abroad", func(p *Profile) float64 { return p.YearsAbroad }},
		feature{"skill_level", "skill_level", func(p *Profile) float64 { return p.SkillLevel }},
		feature{"debt_ratio", "debt_ratio", func(p *Profile) float64 { return p.DebtRatio }},
	)
	for _, rt := range ReturnTypes {
		fs = append(fs, feature{"return_type_" + rt, "return_type", func(p *Profile) float64 { return flag(returnType(p.ReturnType) == rt) }})
	}
	fs = append(fs,
		feature{"urban", "urban", func(p *Profile) float64 { return flag(p.Urban) }},
		feature{"distress", "distress", func(p *Profile) float64 { return flag(p.Distress) }},
		feature{"business_experience", "business_experience", func(p *Profile) float64 { return flag(p.BusinessExperience) }},
		feature{"rss_economic_baseline", "rss_economic_baseline", func(p *Profile) float64 { return p.RSSEconomicBaseline }},
	)
	for g := 0; g <= 9; g++ {
		fs = append(fs, feature{"isco_" + string(rune('0'+g)), "occupation_abroad", func(p *Profile) float64 { return flag(iscoGroup(p.OccupationAbroad) == g) }})
	}
	fs = append(fs, feature{"isco_unknown", "occupation_abroad", func(p *Profile) float64 { return flag(iscoGroup(p.OccupationAbroad) < 0) }})
	return fs
}

// returnType maps an unknown or empty return type to "other".
func returnType(rt string) string {
	for _, t := range ReturnTypes {
		if rt == t {
			return t
		}
	}
	return "other"
}

// FeatureNames returns the names of the model's inputs, in order.
func FeatureNames() []string {
	names := make([]string, len(features))
	for i, f := range features {
		names[i] = f.name
	}
	return names
}

// rawFeatures encodes p before standardisation. It copies the profile and
// blanks the protected attributes first, so that no feature can read them.
func rawFeatures(p Profile) []float64 {
	p.Sex, p.District, p.ExternalID = "", "", ""
	x := make([]float64, len(features))
	for i, f := range features {
		x[i] = f.value(&p)
	}
	return x
}

// Encoder standardises the raw features: z = (x − mean) / scale.
type Encoder struct {
	Features []string  `json:"features"`
	Means    []float64 `json:"means"`
	Scales   []float64 `json:"scales"`
}

// fitEncoder computes the means and standard deviations of the raw rows; a
// constant feature gets scale 1.
func fitEncoder(rows [][]float64) Encoder {
	d := len(features)
	e := Encoder{Features: FeatureNames(), Means: make([]float64, d), Scales: make([]float64, d)}
	n := float64(len(rows))
	for _, r := range rows {
		for j, v := range r {
			e.Means[j] += v / n
		}
	}
	for _, r := range rows {
		for j, v := range r {
			e.Scales[j] += (v - e.Means[j]) * (v - e.Means[j]) / n
		}
	}
	for j := range e.Scales {
		e.Scales[j] = math.Sqrt(e.Scales[j])
		if e.Scales[j] < 1e-9 {
			e.Scales[j] = 1
		}
	}
	return e
}

// Encode returns the standardised features of p.
func (e *Encoder) Encode(p Profile) []float64 {
	x := rawFeatures(p)
	for j := range x {
		x[j] = (x[j] - e.Means[j]) / e.Scales[j]
	}
	return x
}

// reasonLabel names the person's side of a feature for a reason key:
// "high_debt" or "low_debt", "urban" or "rural"; categorical features keep
// their name ("education").
func (e *Encoder) reasonLabel(source string, p Profile) string {
	above := func(name string, v float64) bool {
		for j, n := range e.Features {
			if n == name {
				return v >= e.Means[j]
			}
		}
		return false
	}
	pick := func(yes bool, a, b string) string {
		if yes {
			return a
		}
		return b
	}
	switch source {
	case "age":
		return pick(above("age", p.Age), "older", "younger")
	case "years_abroad":
		return pick(above("years_abroad", p.YearsAbroad), "long_abroad", "short_abroad")
	case "skill_level":
		return pick(above("skill_level", p.SkillLevel), "high_skill", "low_skill")
	case "debt_ratio":
		return pick(above("debt_ratio", p.DebtRatio), "high_debt", "low_debt")
	case "rss_economic_baseline":
		return pick(above("rss_economic_baseline", p.RSSEconomicBaseline), "high_baseline", "low_baseline")
	case "urban":
		return pick(p.Urban, "urban", "rural")
	case "distress":
		return pick(p.Distress, "distress", "no_distress")
	case "business_experience":
		return pick(p.BusinessExperience, "business_experience", "no_business_experience")
	case "occupation_abroad":
		return "occupation"
	}
	return source
}

// ReasonLabels lists every label a reason key may carry
// (recommend.reason.<label>.up / .down).
var ReasonLabels = []string{"older", "younger", "education", "long_abroad", "short_abroad", "high_skill", "low_skill",
	"high_debt", "low_debt", "return_type", "urban", "rural", "distress", "no_distress",
	"business_experience", "no_business_experience", "high_baseline", "low_baseline", "occupation"}

package recommend

import (
	"fmt"
	"math"
	"math/rand/v2"
)

// World parameterises the simulated returnees: who they are, what each
// service truly does for them (heterogeneous effects), and how services were
// assigned in the past (a biased policy). Effects are on the outcome's scale
// (economic sustainability score points, 0–1).
type World struct {
	Name string
	// FemaleShare is the share of women among returnees.
	FemaleShare float64
	// Noise is the standard deviation of the outcome's noise.
	Noise float64

	// True effects.
	GrantEffect     float64 // business grant for someone with business experience and no debt
	GrantDebtHarm   float64 // how much each unit of debt ratio takes off a grant's effect
	RPLEffect       float64 // RPL for skill level ≥ 2
	CounselEffect   float64 // counselling for someone in distress
	DistressBlock   float64 // share of any other service's effect lost under distress without counselling
	TrainEffect     float64 // skills training for low skill at age 20 (fades with age)
	PlacementEffect float64 // job placement for skilled, urban returnees
	LiteracyEffect  float64 // financial literacy per unit of debt ratio
	SexDirect       float64 // a small direct disadvantage of women for grants and placement

	// Historical assignment (log-odds).
	GrantMaleBias  float64 // extra log-odds of a grant for men
	TrainYoungBias float64 // extra log-odds of training under 30
	CounselBase    float64 // base log-odds of counselling (low: rarely given)
}

// DefaultWorld is the world the benchmark trains and evaluates on.
func DefaultWorld() World {
	return World{Name: "default", FemaleShare: 0.15, Noise: 0.08,
		GrantEffect: 0.14, GrantDebtHarm: 0.16, RPLEffect: 0.10, CounselEffect: 0.10, DistressBlock: 0.6,
		TrainEffect: 0.11, PlacementEffect: 0.11, LiteracyEffect: 0.07, SexDirect: 0.01,
		GrantMaleBias: 1.5, TrainYoungBias: 1.2, CounselBase: -2.6}
}

// AltWorld differs in effect sizes and assignment bias, to check that the
// method, not a tuning to one world, does the work.
func AltWorld() World {
	return World{Name: "alt", FemaleShare: 0.25, Noise: 0.10,
		GrantEffect: 0.09, GrantDebtHarm: 0.10, RPLEffect: 0.13, CounselEffect: 0.07, DistressBlock: 0.4,
		TrainEffect: 0.08, PlacementEffect: 0.14, LiteracyEffect: 0.10, SexDirect: 0.02,
		GrantMaleBias: 2.2, TrainYoungBias: 0.6, CounselBase: -2.0}
}

// WorldNamed returns DefaultWorld or AltWorld by name.
func WorldNamed(name string) (World, error) {
	switch name {
	case "", "default":
		return DefaultWorld(), nil
	case "alt":
		return AltWorld(), nil
	}
	return World{}, fmt.Errorf("recommend: unknown world %q (default or alt)", name)
}

var districts = []string{"Cumilla", "Dhaka", "Chattogram", "Tangail", "Brahmanbaria", "Noakhali", "Chandpur", "Sylhet", "Kishoreganj", "Munshiganj"}

func pick[T any](r *rand.Rand, xs []T, w []float64) T {
	u := r.Float64()
	for i, wi := range w {
		if u < wi {
			return xs[i]
		}
		u -= wi
	}
	return xs[len(xs)-1]
}

func clamp(v, lo, hi float64) float64 { return math.Max(lo, math.Min(hi, v)) }

// person draws one returnee.
func (w World) person(r *rand.Rand, i int) Profile {
	var p Profile
	p.ExternalID = fmt.Sprintf("SIM-%06d", i+1)
	female := r.Float64() < w.FemaleShare
	p.Sex = "male"
	if female {
		p.Sex = "female"
	}
	p.District = pick(r, districts, []float64{0.18, 0.14, 0.13, 0.1, 0.1, 0.09, 0.09, 0.07, 0.05, 0.05})
	p.Age = math.Round(clamp(20+35*math.Pow(r.Float64(), 1.3), 20, 55))
	p.Education = pick(r, Educations, []float64{0.2, 0.35, 0.35, 0.1})
	edu := float64(indexOf(Educations, p.Education))
	if female {
		p.OccupationAbroad = pick(r, []string{"9111", "5322", "8153", "5120"}, []float64{0.7, 0.1, 0.12, 0.08})
	} else {
		p.OccupationAbroad = pick(r, []string{"7112", "9313", "8322", "5120", "7411", "9211", "driver"}, []float64{0.25, 0.25, 0.12, 0.1, 0.1, 0.12, 0.06})
	}
	p.YearsAbroad = math.Round(clamp(r.ExpFloat64()*4+0.5, 0.5, 20)*10) / 10
	p.SkillLevel = math.Round(clamp(0.3+0.5*edu+0.08*p.YearsAbroad+r.NormFloat64()*0.8, 0, 3))
	p.ReturnType = pick(r, ReturnTypes, []float64{0.15, 0.1, 0.25, 0.1, 0.35, 0.05})
	if r.Float64() < 0.7 {
		p.DebtRatio = math.Round(clamp(r.Float64()*1.4+0.3*flag(p.ReturnType == "deported"), 0, 2)*100) / 100
	}
	p.Urban = r.Float64() < 0.35
	pd := 0.18 + 0.15*flag(p.ReturnType == "deported" || p.ReturnType == "crisis_evacuation") + 0.1*flag(female)
	p.Distress = r.Float64() < pd
	p.BusinessExperience = r.Float64() < 0.24-0.12*flag(female)
	p.RSSEconomicBaseline = math.Round(clamp(0.3+0.06*p.SkillLevel+0.03*edu-0.08*math.Min(p.DebtRatio, 1.5)+0.05*flag(p.Urban)+r.NormFloat64()*0.08, 0.02, 0.95)*1000) / 1000
	return p
}

func indexOf(xs []string, s string) int {
	for i, x := range xs {
		if x == s {
			return i
		}
	}
	return -1
}

// effect is the true effect of service s on p, given whether p also
// receives counselling (which lifts the distress block).
func (w World) effect(p Profile, s string, counselled bool) float64 {
	female := flag(p.Sex == "female")
	debt := math.Min(p.DebtRatio, 2)
	var e float64
	switch s {
	case BusinessGrant:
		if p.BusinessExperience {
			e = w.GrantEffect - w.GrantDebtHarm*debt
		} else {
			e = 0.02 - 0.03*debt
		}
		e -= w.SexDirect * female
	case RPLCertification:
		if p.SkillLevel >= 2 {
			e = w.RPLEffect + 0.004*math.Min(p.YearsAbroad, 10)
		} else {
			e = 0.01
		}
	case Counselling:
		if p.Distress {
			return w.CounselEffect
		}
		return 0.005
	case SkillsTraining:
		if p.SkillLevel <= 1 {
			e = w.TrainEffect * (1 - (p.Age-20)/45)
		} else {
			e = 0.015
		}
	case JobPlacement:
		switch {
		case p.SkillLevel >= 2 && p.Urban:
			e = w.PlacementEffect
		case p.SkillLevel >= 2:
			e = w.PlacementEffect * 0.45
		default:
			e = 0.02
		}
		e -= w.SexDirect * female
	case FinancialLiteracy:
		e = w.LiteracyEffect*debt - 0.01
	}
	if p.Distress && !counselled {
		e *= 1 - w.DistressBlock
	}
	return e
}

// Truth is the true effect of giving p service s alone.
func (w World) Truth(p Profile, s string) float64 { return w.effect(p, s, false) }

// assignLogit is the historical policy's log-odds of giving s to p; it
// reads observed features only (sex among them).
func (w World) assignLogit(p Profile, s string) float64 {
	male := flag(p.Sex == "male")
	switch s {
	case BusinessGrant:
		return -2.6 + w.GrantMaleBias*male + 0.8*flag(p.BusinessExperience) - 0.3*math.Min(p.DebtRatio, 2)
	case SkillsTraining:
		young := -0.5
		if p.Age < 30 {
			young = 1
		}
		return -1.2 + w.TrainYoungBias*young + 0.3*flag(p.SkillLevel <= 1)
	case Counselling:
		return w.CounselBase + 0.8*flag(p.Distress)
	case RPLCertification:
		return -1.6 + 0.6*flag(p.SkillLevel >= 2)
	case JobPlacement:
		return -1.6 + 0.6*flag(p.Urban) + 0.2*p.SkillLevel + 0.3*male
	case FinancialLiteracy:
		return -1.9 + 0.5*flag(p.DebtRatio > 0.5)
	}
	return -3
}

// Usual is the service the historical policy most likely gave p.
func (w World) Usual(p Profile) string {
	best, bl := "", math.Inf(-1)
	for _, s := range Services {
		if l := w.assignLogit(p, s); l > bl {
			best, bl = s, l
		}
	}
	return best
}

// prognosis is the change p would see with no service.
func prognosis(p Profile) float64 {
	return 0.03 + 0.015*p.SkillLevel - 0.04*math.Min(p.DebtRatio, 2) + 0.03*flag(p.Urban) - 0.05*flag(p.Distress) -
		0.2*(p.RSSEconomicBaseline-0.4) + 0.01*flag(p.BusinessExperience)
}

// Simulate draws n past cases of world w (seeded, deterministic): profiles,
// the services the biased historical policy gave, and outcomes from the true
// effects plus noise. truth(p, s) is the true effect of s alone on p.
func Simulate(w World, n int, seed uint64) (history []Case, truth func(Profile, string) float64) {
	r := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	history = make([]Case, n)
	for i := range history {
		p := w.person(r, i)
		c := Case{Profile: p}
		for _, s := range Services {
			if r.Float64() < sigmoid(w.assignLogit(p, s)) {
				c.Services = append(c.Services, s)
			}
		}
		counselled := indexOf(c.Services, Counselling) >= 0
		y := p.RSSEconomicBaseline + prognosis(p) + r.NormFloat64()*w.Noise
		for _, s := range c.Services {
			y += w.effect(p, s, counselled)
		}
		c.Outcome = math.Round(clamp(y, 0, 1)*10000) / 10000
		history[i] = c
	}
	return history, w.Truth
}

// Profiles returns the profiles of cases.
func Profiles(cases []Case) []Profile {
	ps := make([]Profile, len(cases))
	for i, c := range cases {
		ps[i] = c.Profile
	}
	return ps
}

// PolicyValue is the mean true effect of the service choose picks for each
// person.
func PolicyValue(people []Profile, choose func(Profile) string, truth func(Profile, string) float64) float64 {
	if len(people) == 0 {
		return 0
	}
	s := 0.0
	for _, p := range people {
		s += truth(p, choose(p))
	}
	return s / float64(len(people))
}

// NormalisedValue is (V(choose) − V(random)) / (V(best) − V(random)): 0 for
// a uniformly random service, 1 for the best service for every person.
func NormalisedValue(people []Profile, choose func(Profile) string, truth func(Profile, string) float64) float64 {
	var v, rnd, best float64
	for _, p := range people {
		v += truth(p, choose(p))
		b := math.Inf(-1)
		for _, s := range Services {
			t := truth(p, s)
			rnd += t / float64(len(Services))
			b = math.Max(b, t)
		}
		best += b
	}
	if best-rnd == 0 {
		return 0
	}
	return (v - rnd) / (best - rnd)
}

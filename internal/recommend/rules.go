package recommend

import (
	"math"
	"sort"
)

// rule is one transparent needs-based rule: the service it speaks for, the
// name of its reason (recommend.rule.<name>) and a need score in [0, 1].
type rule struct {
	service, name string
	need          func(p Profile) float64
}

// The rules, one per service. A score is a priority (how strongly the
// person's situation calls for the service), not an estimate of its effect.
var rules = []rule{
	{Counselling, "distress", func(p Profile) float64 {
		if p.Distress {
			return 0.9
		}
		return 0.1
	}},
	{RPLCertification, "skilled_uncertified", func(p Profile) float64 {
		if p.SkillLevel >= 2 {
			return 0.6 + 0.1*(p.SkillLevel-2)
		}
		return 0.1
	}},
	{BusinessGrant, "business_low_debt", func(p Profile) float64 {
		switch {
		case p.BusinessExperience && p.DebtRatio < 0.5:
			return 0.85 - 0.4*p.DebtRatio
		case p.BusinessExperience:
			return 0.3
		}
		return 0.05
	}},
	{SkillsTraining, "low_skill", func(p Profile) float64 {
		if p.SkillLevel <= 1 {
			s := 0.65 - 0.1*p.SkillLevel
			if p.Age < 35 {
				s += 0.1
			}
			return s
		}
		return 0.1
	}},
	{FinancialLiteracy, "high_debt", func(p Profile) float64 {
		if p.DebtRatio >= 0.5 {
			return math.Min(0.9, 0.45+0.3*p.DebtRatio)
		}
		return 0.1
	}},
	{JobPlacement, "skilled_low_income", func(p Profile) float64 {
		if p.SkillLevel >= 2 && p.RSSEconomicBaseline < 0.5 {
			s := 0.5 + 0.5*(0.5-p.RSSEconomicBaseline)
			if p.Urban {
				s += 0.1
			}
			return s
		}
		return 0.1
	}},
}

// HighNeed is the need score from which a person counts as needing a service
// in the fairness audit.
const HighNeed = 0.5

// NeedScore is the rules' need score of p for service s, in [0, 1]; 0 for
// an unknown service.
func NeedScore(p Profile, s string) float64 {
	for _, r := range rules {
		if r.service == s {
			return r.need(p)
		}
	}
	return 0
}

// Rules ranks the eligible services (nil: all of Services) by the
// needs-based rules: the cold start before any model, and the fallback for a
// service a model has too few outcomes for. Gain is the need score — a
// priority score, not an estimate of an effect — so Low = High = Gain. Every
// suggestion has Rule set and, when its rule fires (need ≥ HighNeed), the
// rule as its reason.
func Rules(p Profile, eligible []string) []Suggestion {
	if eligible == nil {
		eligible = Services
	}
	var out []Suggestion
	for _, s := range eligible {
		sg, ok := ruleSuggestion(p, s)
		if ok {
			out = append(out, sg)
		}
	}
	sortSuggestions(out)
	return out
}

func ruleSuggestion(p Profile, s string) (Suggestion, bool) {
	for _, r := range rules {
		if r.service != s {
			continue
		}
		n := r.need(p)
		sg := Suggestion{Service: s, Gain: n, Low: n, High: n, Rule: true, Reasons: []Reason{}}
		if n >= HighNeed {
			sg.Reasons = append(sg.Reasons, Reason{Key: "recommend.rule." + r.name, Feature: r.name, Effect: n})
		}
		return sg, true
	}
	return Suggestion{}, false
}

// RuleNames lists the rules' names (recommend.rule.<name>).
func RuleNames() []string {
	names := make([]string, len(rules))
	for i, r := range rules {
		names[i] = r.name
	}
	return names
}

// sortSuggestions orders by Gain, highest first (ties in the order of
// Services), and numbers the ranks from 1.
func sortSuggestions(out []Suggestion) {
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Gain != out[j].Gain {
			return out[i].Gain > out[j].Gain
		}
		return indexOf(Services, out[i].Service) < indexOf(Services, out[j].Service)
	})
	for i := range out {
		out[i].Rank = i + 1
	}
}

package recommend

import (
	"slices"
	"time"

	"homeward/internal/assessment"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// Facts is what a profile is built from: the person's record and their
// completed assessments, newest first (as assessment.Overview lists them).
type Facts struct {
	Record      *registry.Record
	Submissions []*assessment.Submission
}

// The model reads the economic dimension of the reintegration
// sustainability survey and the rounds it is taken in.
const (
	economic      = "economic"
	roundBaseline = "baseline"
	roundM12      = "m12"
)

// ProfileOf returns what the model knows of a person at now. Where the
// record is silent a feature takes its least assuming value (no debt, no
// distress, skill level 0, education "none"), and Missing names those
// features so that the page can say the estimate rests on less. Urban is
// not recorded anywhere yet and is always false.
func ProfileOf(f Facts, now time.Time) (p Profile, missing []string) {
	rec := f.Record
	p.Sex = string(rec.Person.Sex)
	p.District = referral.DistrictOf(rec.Person.Address.AdminArea)
	if age, ok := rec.Person.DateOfBirth.AgeAt(now); ok {
		p.Age = float64(age)
	} else {
		missing = append(missing, "age")
	}
	p.Education = educationOf(rec.Person.Education)
	skills := latestForm(f.Submissions, "skills_assessment")
	if p.Education == "" && skills != nil {
		p.Education = educationOf(registry.Education(answerStr(skills.Answers["education"])))
	}
	if p.Education == "" {
		p.Education, missing = EduNone, append(missing, "education")
	}
	if n := len(rec.Episodes); n > 0 {
		ep := rec.Episodes[n-1]
		p.OccupationAbroad = ep.OccupationAbroad
		if ep.Return != nil {
			p.ReturnType = string(ep.Return.ReturnType)
		}
		if ep.MigrationCost != nil && ep.DebtOutstanding != nil && ep.MigrationCost.Amount > 0 && ep.MigrationCost.Currency == ep.DebtOutstanding.Currency {
			p.DebtRatio = min(5, float64(ep.DebtOutstanding.Amount)/float64(ep.MigrationCost.Amount))
		} else if ep.DebtOutstanding != nil && ep.DebtOutstanding.Amount > 0 {
			p.DebtRatio = 1
		}
	}
	p.YearsAbroad = yearsAbroad(rec.Episodes, now)
	if skills != nil {
		if p.OccupationAbroad == "" {
			p.OccupationAbroad = answerStr(skills.Answers["main_isco"])
		}
		if p.YearsAbroad == 0 {
			p.YearsAbroad = answerNum(skills.Answers["main_years"])
		}
		p.SkillLevel = float64(slices.Index([]string{"beginner", "competent", "expert", "supervisor"}, answerStr(skills.Answers["main_level"])))
	}
	if p.SkillLevel < 0 || skills == nil {
		p.SkillLevel, missing = 0, append(missing, "skill_level")
	}
	if rec.Case != nil {
		p.Distress = slices.Contains(rec.Case.Vulnerabilities, registry.VulnMentalHealth)
	}
	for _, s := range f.Submissions {
		if s.Status != assessment.StatusCompleted {
			continue
		}
		for _, fl := range s.Flags {
			if fl.Name == "flag_distress" {
				p.Distress = true
			}
		}
	}
	if needs := latestForm(f.Submissions, "needs_assessment"); needs != nil {
		p.BusinessExperience = slices.Contains(answerStrs(needs.Answers["priority_needs"]), "business")
	}
	if b, ok := Baseline(f.Submissions); ok {
		p.RSSEconomicBaseline = b
	} else {
		missing = append(missing, "rss_economic_baseline")
	}
	return p, missing
}

// Baseline returns the economic score of the person's baseline survey:
// the one answered as round "baseline", else the earliest scored one.
func Baseline(subs []*assessment.Submission) (float64, bool) {
	var first *float64
	for _, s := range subs { // newest first
		if s.Status != assessment.StatusCompleted || s.FormID != assessment.SurveyFormID || s.Score == nil {
			continue
		}
		x := s.Score.Dimensions[economic]
		if x == nil {
			continue
		}
		if s.Round == roundBaseline {
			return *x, true
		}
		first = x
	}
	if first == nil {
		return 0, false
	}
	return *first, true
}

// FollowUp returns the economic score of the 12-month follow-up survey.
func FollowUp(subs []*assessment.Submission) (float64, bool) {
	for _, s := range subs {
		if s.Status == assessment.StatusCompleted && s.FormID == assessment.SurveyFormID && s.Score != nil && s.Round == roundM12 {
			if x := s.Score.Dimensions[economic]; x != nil {
				return *x, true
			}
		}
	}
	return 0, false
}

// educationOf maps the registry's levels to the model's four.
func educationOf(e registry.Education) string {
	switch e {
	case registry.EduNone:
		return EduNone
	case registry.EduPrimary, registry.EduLowerSecondary:
		return EduPrimary
	case registry.EduSecondary, registry.EduHigherSecondary, registry.EduVocational:
		return EduSecondary
	case registry.EduTertiary:
		return EduHigher
	}
	return ""
}

// yearsAbroad adds up the episodes' time abroad, from departure to the end
// of work (or the return, or now for an episode still open).
func yearsAbroad(eps []registry.MigrationEpisode, now time.Time) float64 {
	var days float64
	for _, ep := range eps {
		if ep.DepartureDate.IsZero() {
			continue
		}
		end := now
		if !ep.EndDate.IsZero() {
			end = ep.EndDate.Earliest()
		} else if ep.Return != nil && !ep.Return.Date.IsZero() {
			end = ep.Return.Date.Earliest()
		}
		if d := end.Sub(ep.DepartureDate.Earliest()).Hours() / 24; d > 0 {
			days += d
		}
	}
	return days / 365.25
}

func latestForm(subs []*assessment.Submission, formID string) *assessment.Submission {
	for _, s := range subs {
		if s.FormID == formID && s.Status == assessment.StatusCompleted {
			return s
		}
	}
	return nil
}

func answerStr(v any) string {
	s, _ := v.(string)
	return s
}

func answerNum(v any) float64 {
	switch x := v.(type) {
	case float64:
		return x
	case int:
		return float64(x)
	}
	return 0
}

func answerStrs(v any) []string {
	switch x := v.(type) {
	case []string:
		return x
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			out = append(out, answerStr(e))
		}
		return out
	case string:
		return []string{x}
	}
	return nil
}

// FeatureSource returns the profile field a model input is read from
// ("education_primary" is read from education), or name itself.
func FeatureSource(name string) string {
	for _, f := range features {
		if f.name == name {
			return f.source
		}
	}
	return name
}

// Typical values stand in for what a record does not say when the rules
// rank (a model uses its training means instead, see Model.Impute): an
// unknown baseline is not a zero income, an unknown age not a newborn.
var typical = Profile{Age: 32, Education: EduPrimary, SkillLevel: 1, RSSEconomicBaseline: 0.5}

// ImputeTypical fills the missing features of p with typical values.
func ImputeTypical(p *Profile, missing []string) {
	impute(p, missing, func(string) (float64, bool) { return 0, false })
}

// Impute fills the missing features of p with the means of the model's
// training cases, so that they move no estimate (and give no reason).
func (m *Model) Impute(p *Profile, missing []string) {
	impute(p, missing, m.meanOf)
	if slices.Contains(missing, "education") {
		best, share := typical.Education, -1.0
		for _, e := range Educations {
			if x, ok := m.meanOf("education_" + e); ok && x > share {
				best, share = e, x
			}
		}
		p.Education = best
	}
}

func (m *Model) meanOf(name string) (float64, bool) {
	for j, n := range m.Encoder.Features {
		if n == name && j < len(m.Encoder.Means) {
			return m.Encoder.Means[j], true
		}
	}
	return 0, false
}

func impute(p *Profile, missing []string, mean func(string) (float64, bool)) {
	for _, f := range missing {
		x, ok := mean(f)
		switch f {
		case "age":
			p.Age = pickValue(x, ok, typical.Age)
		case "skill_level":
			p.SkillLevel = pickValue(x, ok, typical.SkillLevel)
		case "rss_economic_baseline":
			p.RSSEconomicBaseline = pickValue(x, ok, typical.RSSEconomicBaseline)
		case "education":
			p.Education = typical.Education
		}
	}
}

func pickValue(x float64, ok bool, fallback float64) float64 {
	if ok {
		return x
	}
	return fallback
}

// WithoutMissing drops the reasons that rest on what the record does not
// say: an imputed value is no reason.
func WithoutMissing(rs []Reason, missing []string) []Reason {
	out := rs[:0:0]
	for _, r := range rs {
		if !slices.Contains(missing, r.Feature) {
			out = append(out, r)
		}
	}
	return out
}

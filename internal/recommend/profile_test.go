package recommend_test

import (
	"slices"
	"testing"
	"time"

	"homeward/internal/assessment"
	"homeward/internal/form"
	"homeward/internal/recommend"
	"homeward/internal/registry"
	"homeward/internal/scoring"
)

func survey(round, day string, economic float64) *assessment.Submission {
	return &assessment.Submission{FormID: assessment.SurveyFormID, Status: assessment.StatusCompleted, Round: round, AnsweredOn: day,
		Score: &scoring.Result{Dimensions: map[string]*float64{"economic": &economic}}}
}

func TestProfileOfARecord(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	rec := &registry.Record{
		Person: registry.Person{Sex: registry.SexFemale, DateOfBirth: registry.DayDate(1990, 12, 5), Education: registry.EduHigherSecondary,
			Address: registry.Address{AdminArea: "BD302602"}},
		Episodes: []registry.MigrationEpisode{
			{DestinationCountry: "SA", DepartureDate: registry.DayDate(2015, 1, 1), EndDate: registry.DayDate(2017, 1, 1)},
			{DestinationCountry: "QA", OccupationAbroad: "7112", DepartureDate: registry.DayDate(2019, 1, 1),
				MigrationCost: &registry.Money{Amount: 400000, Currency: "BDT"}, DebtOutstanding: &registry.Money{Amount: 300000, Currency: "BDT"},
				Return: &registry.Return{Date: registry.DayDate(2025, 1, 1), ReturnType: registry.ReturnDeported}},
		},
		Case: &registry.Case{Vulnerabilities: []registry.Vulnerability{registry.VulnWageTheft}},
	}
	subs := []*assessment.Submission{ // newest first
		survey("m12", "2026-01-20", 0.9),
		{FormID: "needs_assessment", Status: assessment.StatusCompleted, Answers: map[string]any{"priority_needs": []any{"business", "debt"}}},
		{FormID: "skills_assessment", Status: assessment.StatusCompleted, Answers: map[string]any{"main_level": "expert", "main_isco": "7112"}},
		{FormID: "protection_screening", Status: assessment.StatusCompleted, Flags: []form.Flag{{Name: "flag_distress", Severity: "high"}}},
		survey("baseline", "2025-01-20", 0.25),
	}
	p, missing := recommend.ProfileOf(recommend.Facts{Record: rec, Submissions: subs}, now)
	want := recommend.Profile{Sex: "female", District: "BD3026", Age: 35, Education: recommend.EduSecondary, OccupationAbroad: "7112",
		YearsAbroad: p.YearsAbroad, SkillLevel: 2, DebtRatio: 0.75, ReturnType: "deported", Distress: true, BusinessExperience: true, RSSEconomicBaseline: 0.25}
	if p != want {
		t.Errorf("profile\n got %+v\nwant %+v", p, want)
	}
	if p.YearsAbroad < 7.9 || p.YearsAbroad > 8.1 {
		t.Errorf("years abroad %.2f, want 8 (2 + 6)", p.YearsAbroad)
	}
	if len(missing) != 0 {
		t.Errorf("missing %v", missing)
	}
	if x, ok := recommend.FollowUp(subs); !ok || x != 0.9 {
		t.Errorf("follow-up %v %v", x, ok)
	}

	// A bare record: what it lacks is named, and typical values stand in.
	bare := &registry.Record{Person: registry.Person{Sex: registry.SexMale}}
	p, missing = recommend.ProfileOf(recommend.Facts{Record: bare}, now)
	for _, f := range []string{"age", "education", "skill_level", "rss_economic_baseline"} {
		if !slices.Contains(missing, f) {
			t.Errorf("missing lacks %s: %v", f, missing)
		}
	}
	recommend.ImputeTypical(&p, missing)
	if p.Age == 0 || p.RSSEconomicBaseline == 0 || p.Education == "" {
		t.Errorf("typical values not imputed: %+v", p)
	}
	// A model imputes its training means: the missing features move no
	// estimate, and no reason rests on them.
	history, _ := recommend.Simulate(recommend.DefaultWorld(), 600, 9)
	m, err := recommend.Train(history, recommend.Options{Now: now, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	q, missing := recommend.ProfileOf(recommend.Facts{Record: bare}, now)
	m.Impute(&q, missing)
	for _, s := range m.Rank(q, nil) {
		for _, r := range recommend.WithoutMissing(s.Reasons, missing) {
			if slices.Contains(missing, r.Feature) {
				t.Errorf("%s: a reason rests on missing %s", s.Service, r.Feature)
			}
		}
	}
}

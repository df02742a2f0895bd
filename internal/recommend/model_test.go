package recommend

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

var now = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var (
	trainOnce sync.Once
	trained   *Model
	trainErr  error
)

// testModel is one model trained on 4,000 simulated cases of the default
// world, shared by the tests.
func testModel(t *testing.T) *Model {
	t.Helper()
	trainOnce.Do(func() {
		history, _ := Simulate(DefaultWorld(), 4000, 7)
		trained, trainErr = Train(history, Options{Now: now, Seed: 7, From: "2024-01", To: "2025-12"})
	})
	if trainErr != nil {
		t.Fatal(trainErr)
	}
	return trained
}

func base() Profile {
	return Profile{ExternalID: "X", Sex: "male", District: "Cumilla", Age: 32, Education: EduPrimary, OccupationAbroad: "7112",
		YearsAbroad: 4, SkillLevel: 1, DebtRatio: 0.6, ReturnType: "deported", RSSEconomicBaseline: 0.35}
}

func gain(t *testing.T, m *Model, p Profile, s string) float64 {
	t.Helper()
	for _, g := range m.Rank(p, []string{s}) {
		return g.Gain
	}
	t.Fatalf("no suggestion for %s", s)
	return 0
}

func TestRecommendModelCard(t *testing.T) {
	m := testModel(t)
	if !strings.HasPrefix(m.Version, "rm-20260301-") || !m.TrainedAt.Equal(now) || m.Card.Cases != 4000 || m.Card.DataFrom != "2024-01" {
		t.Errorf("version %s, trained %v, card %+v", m.Version, m.TrainedAt, m.Card)
	}
	if len(m.Effects) != len(Services) || len(m.Card.Fallback) != 0 {
		t.Errorf("effects for %d services, fallback %v", len(m.Effects), m.Card.Fallback)
	}
	for _, f := range m.Card.Features {
		if strings.Contains(f, "sex") || strings.Contains(f, "district") {
			t.Errorf("protected attribute among the inputs: %s", f)
		}
	}
	v := m.Card.Validation
	if v.HeldOut != 800 || len(v.RMSE) != len(Services) || v.PolicyValue["model"] <= v.PolicyValue["usual"] {
		t.Errorf("validation %+v", v)
	}
	if m.Card.Fairness == nil || len(m.Card.Fairness.Groups) == 0 {
		t.Error("no fairness audit on the card")
	}
}

// Changing sex or district never changes a ranking: they are not inputs.
func TestRecommendProtectedNeverChangeRank(t *testing.T) {
	m := testModel(t)
	people, _ := Simulate(AltWorld(), 200, 99)
	for _, c := range people {
		p := c.Profile
		want := m.Rank(p, nil)
		for _, sex := range []string{"female", "male", "other", ""} {
			for _, d := range []string{"Sylhet", "Dhaka", ""} {
				q := p
				q.Sex, q.District = sex, d
				if got := m.Rank(q, nil); !reflect.DeepEqual(got, want) {
					t.Fatalf("%s with sex %q district %q ranks differently", p.ExternalID, sex, d)
				}
				if !reflect.DeepEqual(rawFeatures(q), rawFeatures(p)) {
					t.Fatal("the encoder reads a protected attribute")
				}
			}
		}
	}
}

// The model recovers the direction of each true heterogeneous effect.
func TestRecommendRecoversEffectDirections(t *testing.T) {
	m := testModel(t)
	with := func(f func(*Profile)) Profile { p := base(); f(&p); return p }
	checks := []struct {
		name    string
		service string
		hi, lo  Profile
	}{
		{"grant: business experience, low debt", BusinessGrant,
			with(func(p *Profile) { p.BusinessExperience, p.DebtRatio = true, 0 }), with(func(p *Profile) { p.BusinessExperience, p.DebtRatio = false, 0 })},
		{"grant: low debt", BusinessGrant,
			with(func(p *Profile) { p.BusinessExperience, p.DebtRatio = true, 0 }), with(func(p *Profile) { p.BusinessExperience, p.DebtRatio = true, 1.5 })},
		{"RPL: skilled", RPLCertification, with(func(p *Profile) { p.SkillLevel = 3 }), with(func(p *Profile) { p.SkillLevel = 0 })},
		{"counselling: distress", Counselling, with(func(p *Profile) { p.Distress = true }), base()},
		{"training: low skill", SkillsTraining, with(func(p *Profile) { p.SkillLevel = 0 }), with(func(p *Profile) { p.SkillLevel = 3 })},
		{"training: young", SkillsTraining, with(func(p *Profile) { p.SkillLevel, p.Age = 0, 21 }), with(func(p *Profile) { p.SkillLevel, p.Age = 0, 52 })},
		{"placement: skilled", JobPlacement, with(func(p *Profile) { p.SkillLevel, p.Urban = 3, true }), with(func(p *Profile) { p.SkillLevel, p.Urban = 0, true })},
		{"placement: urban", JobPlacement, with(func(p *Profile) { p.SkillLevel, p.Urban = 3, true }), with(func(p *Profile) { p.SkillLevel, p.Urban = 3, false })},
		{"literacy: debt", FinancialLiteracy, with(func(p *Profile) { p.DebtRatio = 1.5 }), with(func(p *Profile) { p.DebtRatio = 0 })},
	}
	for _, c := range checks {
		if hi, lo := gain(t, m, c.hi, c.service), gain(t, m, c.lo, c.service); hi <= lo {
			t.Errorf("%s: gain %.4f, not above %.4f", c.name, hi, lo)
		}
	}
}

// Reasons add up: the intercept plus every feature's contribution is the
// gain, and the reasons are the largest contributions.
func TestRecommendRankShape(t *testing.T) {
	m := testModel(t)
	p := base()
	sg := m.Rank(p, nil)
	if len(sg) != len(Services) {
		t.Fatalf("%d suggestions", len(sg))
	}
	for i, s := range sg {
		if s.Rank != i+1 || i > 0 && s.Gain > sg[i-1].Gain || s.Rule {
			t.Errorf("suggestion %d: %+v", i, s)
		}
		if !(s.Low < s.Gain && s.Gain < s.High) || len(s.Reasons) != 3 {
			t.Errorf("%s: band %.4f..%.4f around %.4f, %d reasons", s.Service, s.Low, s.High, s.Gain, len(s.Reasons))
		}
		for _, r := range s.Reasons {
			if !strings.HasPrefix(r.Key, "recommend.reason.") || (r.Effect > 0) != strings.HasSuffix(r.Key, ".up") {
				t.Errorf("%s: reason %+v", s.Service, r)
			}
		}
	}
	if top := m.Top(p); top.Service != sg[0].Service || top.Gain != sg[0].Gain {
		t.Errorf("Top %+v, Rank first %+v", top, sg[0])
	}
	if got := m.Rank(p, []string{JobPlacement, "massage", BusinessGrant}); len(got) != 2 {
		t.Errorf("eligible subset: %+v", got)
	}
	// A rare profile (far from the data) gets a wider band.
	rare := p
	rare.Age, rare.YearsAbroad, rare.DebtRatio, rare.ReturnType = 55, 20, 2, "other"
	w := func(p Profile) float64 { s := m.Rank(p, []string{BusinessGrant})[0]; return s.High - s.Low }
	if w(rare) <= w(p) {
		t.Errorf("band for a rare profile %.4f, not wider than %.4f", w(rare), w(p))
	}
}

// On a simulated world the model's first suggestion is worth more than the
// rules' and than what was usually given.
func TestRecommendBeatsRulesAndUsual(t *testing.T) {
	m := testModel(t)
	w := DefaultWorld()
	fresh, truth := Simulate(w, 4000, 8)
	people := Profiles(fresh)
	model := NormalisedValue(people, func(p Profile) string { return m.Rank(p, nil)[0].Service }, truth)
	rules := NormalisedValue(people, func(p Profile) string { return Rules(p, nil)[0].Service }, truth)
	usual := NormalisedValue(people, w.Usual, truth)
	t.Logf("normalised value: model %.3f, rules %.3f, usual %.3f", model, rules, usual)
	if model <= rules || model <= usual {
		t.Errorf("model %.3f, rules %.3f, usual %.3f", model, rules, usual)
	}
}

func TestRecommendFallbackToRules(t *testing.T) {
	history, _ := Simulate(DefaultWorld(), 1500, 3)
	kept := 0
	for i := range history {
		var ss []string
		for _, s := range history[i].Services {
			if s == Counselling {
				if kept >= 10 {
					continue
				}
				kept++
			}
			ss = append(ss, s)
		}
		history[i].Services = ss
	}
	m, err := Train(history, Options{Now: now, HoldOut: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Card.Fallback) != 1 || m.Card.Fallback[0] != Counselling || m.Card.Treated[Counselling] != 10 {
		t.Fatalf("fallback %v, treated %v", m.Card.Fallback, m.Card.Treated)
	}
	p := base()
	p.Distress = true
	for _, s := range m.Rank(p, nil) {
		if (s.Service == Counselling) != s.Rule {
			t.Errorf("%s: Rule = %v", s.Service, s.Rule)
		}
		if s.Rule && (s.Low != s.Gain || s.High != s.Gain || len(s.Reasons) != 1 || s.Reasons[0].Key != "recommend.rule.distress") {
			t.Errorf("rule suggestion %+v", s)
		}
	}
}

func TestRecommendRules(t *testing.T) {
	p := base()
	p.Distress, p.DebtRatio = true, 1.2
	sg := Rules(p, nil)
	if len(sg) != len(Services) || sg[0].Service != Counselling {
		t.Fatalf("rules: %+v", sg)
	}
	for i, s := range sg {
		if !s.Rule || s.Rank != i+1 || s.Low != s.Gain || s.High != s.Gain {
			t.Errorf("%+v", s)
		}
	}
	if NeedScore(p, FinancialLiteracy) < HighNeed || NeedScore(p, BusinessGrant) >= HighNeed {
		t.Error("need scores")
	}
}

func TestRecommendLoadModel(t *testing.T) {
	m := testModel(t)
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	back, err := LoadModel(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	p := base()
	if !reflect.DeepEqual(back.Rank(p, nil), m.Rank(p, nil)) || back.Version != m.Version {
		t.Error("a stored model ranks differently")
	}
	mutate := func(f func(*Model)) []byte {
		var c Model
		if err := json.Unmarshal(b, &c); err != nil {
			t.Fatal(err)
		}
		f(&c)
		out, _ := json.Marshal(&c)
		return out
	}
	bad := map[string][]byte{
		"malformed":         []byte(`{"version": "rm-1", "effects": [`),
		"not an object":     []byte(`[1,2,3]`),
		"oversized":         append(append([]byte(`{"version":"`), bytes.Repeat([]byte("x"), MaxModelBytes)...), `"}`...),
		"short coefficient": mutate(func(c *Model) { c.Effects[BusinessGrant].Coef = c.Effects[BusinessGrant].Coef[1:] }),
		"unknown service":   mutate(func(c *Model) { c.Effects["massage"] = c.Effects[BusinessGrant] }),
		"other features":    mutate(func(c *Model) { c.Encoder.Features[0] = "sex" }),
		"short scales":      mutate(func(c *Model) { c.Encoder.Scales = c.Encoder.Scales[:3] }),
		"zero scale":        mutate(func(c *Model) { c.Encoder.Scales[2] = 0 }),
		"no version":        mutate(func(c *Model) { c.Version = "" }),
	}
	for name, in := range bad {
		_, err := LoadModel(bytes.NewReader(in))
		var ie *InputError
		if !errors.As(err, &ie) {
			t.Errorf("%s: err = %v", name, err)
			continue
		}
		if want := name == "oversized"; ie.TooLarge != want {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestRecommendTrainDeterministic(t *testing.T) {
	history, _ := Simulate(DefaultWorld(), 600, 11)
	a, err := Train(history, Options{Now: now, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := Train(history, Options{Now: now, Seed: 1})
	if a.Version != b.Version {
		t.Errorf("two trainings on the same data: %s, %s", a.Version, b.Version)
	}
	if _, err := Train(history[:10], Options{Now: now}); err == nil {
		t.Error("trained on 10 cases")
	}
}

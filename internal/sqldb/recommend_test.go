package sqldb_test

import (
	"encoding/json"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/assessment"
	"homeward/internal/demo"
	"homeward/internal/recommend"
	"homeward/internal/referral"
)

func trainedModel(t *testing.T, w *homewardtest.World, n int, seed uint64) (*recommend.Model, []byte) {
	t.Helper()
	history, _ := recommend.Simulate(recommend.DefaultWorld(), n, seed)
	m, err := recommend.Train(history, recommend.Options{Now: w.DB.Now(), Seed: seed})
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return m, raw
}

// Model versions: stored by an M&E analyst or administrator, activated by
// an administrator who did not store them, one active at a time, never
// seen by another organisation.
func TestRecommendModels(t *testing.T) {
	w := homewardtest.NewWorld(t)
	me, admin, cw := w.Ctx("ngo", homeward.RoleMEAnalyst), w.Ctx("ngo", homeward.RoleAdministrator), w.Ctx("ngo", homeward.RoleCaseWorker)
	other := w.Ctx("operator", homeward.RoleAdministrator)
	m1, raw1 := trainedModel(t, w, 300, 1)
	m2, raw2 := trainedModel(t, w, 300, 2)

	if _, err := w.DB.SaveModel(cw, recommend.SourceUploaded, m1.Version, raw1); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a case worker stores a model: %v", err)
	}
	s1, err := w.DB.SaveModel(me, recommend.SourceUploaded, m1.Version, raw1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.SaveModel(me, recommend.SourceUploaded, m1.Version, raw1); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("the same version twice: %v", err)
	}
	if a, err := w.DB.ActiveModel(cw); err != nil || a != nil {
		t.Fatalf("active before activation: %v %v", a, err)
	}
	// Activation: not by an M&E analyst, not by another organisation.
	if _, err := w.DB.ActivateModel(me, s1.ID); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("an M&E analyst activates: %v", err)
	}
	if _, err := w.DB.ActivateModel(other, s1.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation activates: %v", err)
	}
	if _, err := w.DB.FindModel(other, s1.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation reads the card: %v", err)
	}
	if ms, err := w.DB.Models(other); err != nil || len(ms) != 0 {
		t.Errorf("another organisation's list: %d %v", len(ms), err)
	}
	if _, err := w.DB.ActivateModel(admin, s1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.ActivateModel(admin, s1.ID); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("activated twice: %v", err)
	}
	if a, err := w.DB.ActiveModel(cw); err != nil || a == nil || a.Version != m1.Version || string(a.Raw) != string(raw1) {
		t.Fatalf("active model: %v %v", a, err)
	}
	// An administrator does not activate what they stored themselves.
	s2, err := w.DB.SaveModel(admin, recommend.SourceUploaded, m2.Version, raw2)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.ActivateModel(admin, s2.ID); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("self-activation: %v", err)
	}
	// A second version, stored by the analyst, replaces the first.
	m3, raw3 := trainedModel(t, w, 300, 3)
	s3, err := w.DB.SaveModel(me, recommend.SourceTrained, m3.Version, raw3)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.ActivateModel(admin, s3.ID); err != nil {
		t.Fatal(err)
	}
	ms, err := w.DB.Models(admin)
	if err != nil || len(ms) != 3 {
		t.Fatalf("models: %d %v", len(ms), err)
	}
	active := 0
	for _, m := range ms {
		if m.Active() {
			active++
			if m.ID != s3.ID {
				t.Errorf("active is %s, want %s", m.Version, m3.Version)
			}
		}
		if m.ID == s1.ID && m.RetiredAt == nil {
			t.Error("the first version is not retired")
		}
	}
	if active != 1 {
		t.Errorf("%d active versions", active)
	}
	if _, err := w.DB.ActivateModel(admin, s1.ID); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("a retired version activated again: %v", err)
	}
	if err := w.DB.RetireModel(admin, s2.ID); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("retiring a version never active: %v", err)
	}
	if err := w.DB.RetireModel(admin, s3.ID); err != nil {
		t.Fatal(err)
	}
	if a, err := w.DB.ActiveModel(cw); err != nil || a != nil {
		t.Errorf("active after retiring: %v %v", a, err)
	}
}

// Choices are recorded for the plan's case, tenant-scoped; the history
// for training is pseudonymised and keeps only cases with an outcome.
func TestRecommendChoicesAndHistory(t *testing.T) {
	w := homewardtest.NewWorld(t)
	cw, me := w.Ctx("ngo", homeward.RoleCaseWorker), w.Ctx("ngo", homeward.RoleMEAnalyst)
	withOutcome := registerIn(t, w, "ngo", "Rahima", "Begum", "রহিমা বেগম", "01712345678", "1990123456789", "EXT-1")
	baselineOnly := registerIn(t, w, "ngo", "Salma", "Akter", "", "01812345678", "1991123456789", "EXT-2")
	r := rand.New(rand.NewPCG(1, 2))
	survey := func(personID, day, round string, l demo.Levels) {
		t.Helper()
		in := assessment.Input{FormID: assessment.SurveyFormID, Status: assessment.StatusCompleted, Answers: demo.SurveyAnswers(r, l, day, round)}
		if _, err := w.DB.CreateSubmission(cw, personID, in); err != nil {
			t.Fatalf("survey %s: %v", round, err)
		}
	}
	now := w.DB.Now()
	base := now.AddDate(0, -14, 0)
	survey(withOutcome.Person.ID, base.Format(time.DateOnly), "baseline", demo.Levels{Economic: 0.2, Social: 0.5, Psychosocial: 0.5})
	survey(withOutcome.Person.ID, now.AddDate(0, -2, 0).Format(time.DateOnly), "m12", demo.Levels{Economic: 0.8, Social: 0.6, Psychosocial: 0.6})
	survey(baselineOnly.Person.ID, base.Format(time.DateOnly), "baseline", demo.Levels{Economic: 0.4, Social: 0.5, Psychosocial: 0.5})

	if _, err := w.DB.RecommendHistory(cw, "", ""); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a case worker reads the training history: %v", err)
	}
	cases, err := w.DB.RecommendHistory(me, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 1 {
		t.Fatalf("%d cases in the history, want the one with an outcome", len(cases))
	}
	c := cases[0]
	if c.ExternalID != "" || c.Outcome <= c.RSSEconomicBaseline || c.Sex != "female" || c.District != "BD3026" || c.ReturnType != "deported" || c.YearsAbroad < 5 {
		t.Errorf("history case: %+v", c)
	}
	js, _ := json.Marshal(cases)
	for _, leak := range []string{"Rahima", "Begum", "01712345678", "1990123456789", "EXT-1", withOutcome.Person.ID, withOutcome.Case.ID} {
		if strings.Contains(string(js), leak) {
			t.Errorf("the training history holds %q", leak)
		}
	}
	if cases, err := w.DB.RecommendHistory(me, base.AddDate(0, 1, 0).Format("2006-01"), ""); err != nil || len(cases) != 0 {
		t.Errorf("baselines from 2026-02: %d %v", len(cases), err)
	}
	if cases, err := w.DB.RecommendHistory(w.Ctx("operator", homeward.RoleMEAnalyst), "", ""); err != nil || len(cases) != 0 {
		t.Errorf("another organisation's history: %d %v", len(cases), err)
	}

	// Choices.
	pl, err := w.DB.CreatePlan(cw, withOutcome.Case.ID, referral.PlanInput{Goals: []referral.Goal{{Text: "A shop of my own"}}})
	if err != nil {
		t.Fatal(err)
	}
	shown := []recommend.Suggestion{{Service: recommend.BusinessGrant, Rank: 1}, {Service: recommend.SkillsTraining, Rank: 2}}
	long := &recommend.Choice{Suggested: shown, Chosen: recommend.SkillsTraining, Reason: strings.Repeat("x", recommend.MaxReason+1)}
	if err := w.DB.RecordChoice(cw, pl.ID, long); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("a long reason: %v", err)
	}
	if err := w.DB.RecordChoice(w.Ctx("operator", homeward.RoleCaseWorker), pl.ID, &recommend.Choice{Suggested: shown, Chosen: recommend.BusinessGrant}); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation's choice: %v", err)
	}
	if err := w.DB.RecordChoice(cw, pl.ID, &recommend.Choice{ModelVersion: "rm-x", Suggested: shown, Chosen: recommend.SkillsTraining, Reason: " she prefers training "}); err != nil {
		t.Fatal(err)
	}
	if err := w.DB.RecordChoice(cw, pl.ID, &recommend.Choice{ModelVersion: "rm-x", Suggested: shown, Chosen: recommend.BusinessGrant}); err != nil {
		t.Fatal(err)
	}
	cs, err := w.DB.Choices(cw, withOutcome.Case.ID)
	if err != nil || len(cs) != 2 {
		t.Fatalf("choices: %d %v", len(cs), err)
	}
	byChosen := map[string]recommend.Choice{}
	for _, c := range cs {
		byChosen[c.Chosen] = c
	}
	if c := byChosen[recommend.SkillsTraining]; c.Followed || c.Reason != "she prefers training" || len(c.Suggested) != 2 || c.PlanID != pl.ID {
		t.Errorf("the choice not following: %+v", c)
	}
	if c := byChosen[recommend.BusinessGrant]; !c.Followed {
		t.Errorf("the choice following: %+v", c)
	}
	if _, err := w.DB.Choices(w.Ctx("operator", homeward.RoleCaseWorker), withOutcome.Case.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation reads the choices: %v", err)
	}
	stats, err := w.DB.ChoiceStats(me)
	if err != nil || stats["rm-x"] != [2]int{2, 1} {
		t.Errorf("choice stats: %v %v", stats, err)
	}
}

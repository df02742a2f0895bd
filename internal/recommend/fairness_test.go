package recommend

import (
	"bytes"
	"encoding/csv"
	"errors"
	"math"
	"testing"
)

// A ranking that suggests grants first only to men is flagged for women,
// and groups under MinGroup people are reported but not warned about.
func TestRecommendAuditWarnsOnMenOnlyGrants(t *testing.T) {
	history, _ := Simulate(DefaultWorld(), 2000, 5)
	people := Profiles(history)
	people[0].District = "Bandarban" // a group of one
	rank := func(p Profile) []Suggestion {
		sg := Rules(p, nil)
		if p.Sex == "male" && p.BusinessExperience {
			for i := range sg {
				if sg[i].Service == BusinessGrant {
					sg[0], sg[i] = sg[i], sg[0]
				}
			}
		}
		if p.Sex == "female" {
			for i := range sg {
				if sg[i].Service == BusinessGrant && i == 0 {
					sg[0], sg[1] = sg[1], sg[0]
				}
			}
		}
		return sg
	}
	f := Audit(rank, people, NeedScore, 0)
	if f.Tolerance != DefaultTolerance {
		t.Errorf("tolerance %v", f.Tolerance)
	}
	var women *Group
	for i, g := range f.Groups {
		if g.Dimension == "sex" && g.Value == "female" {
			women = &f.Groups[i]
		}
	}
	if women == nil || women.SuggestedFirst[BusinessGrant] != 0 || women.People < MinGroup {
		t.Fatalf("women: %+v", women)
	}
	warned := false
	for _, w := range f.Warnings {
		if w.Dimension == "sex" && w.Value == "female" && w.Service == BusinessGrant && w.Key == "recommend.warn.rate" {
			warned = true
		}
		if w.Value == "Bandarban" {
			t.Errorf("a group of one warned about: %+v", w)
		}
	}
	if !warned {
		t.Errorf("no warning for women and grants: %+v", f.Warnings)
	}
	// The tolerance is the organisation's: just above the women's gap the
	// warning goes, just below it stays.
	all := f.Groups[0]
	gap := math.Abs((women.SuggestedFirst[BusinessGrant] - women.Need[BusinessGrant]) - (all.SuggestedFirst[BusinessGrant] - all.Need[BusinessGrant]))
	warnsWomen := func(tol float64) bool {
		a := Audit(rank, people, NeedScore, tol)
		if a.Tolerance != tol {
			t.Errorf("tolerance %v kept as %v", tol, a.Tolerance)
		}
		for _, w := range a.Warnings {
			if w.Dimension == "sex" && w.Value == "female" && w.Service == BusinessGrant && w.Key == "recommend.warn.rate" {
				return true
			}
		}
		return false
	}
	if gap <= DefaultTolerance || gap >= MaxTolerance {
		t.Fatalf("the fixture's gap %v is not between the default and the largest tolerance", gap)
	}
	if !warnsWomen(gap*0.99) || warnsWomen(gap*1.01) {
		t.Errorf("a tolerance around the gap %v does not decide the warning", gap)
	}
	fair := Audit(func(p Profile) []Suggestion { return Rules(p, nil) }, people, NeedScore, 0)
	for _, w := range fair.Warnings {
		if w.Dimension == "sex" && w.Service == BusinessGrant {
			t.Errorf("the rules warned about: %+v", w)
		}
	}
	var buf bytes.Buffer
	if err := f.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil || len(rows) != 1+len(f.Groups)*len(Services) || rows[0][0] != "dimension" {
		t.Errorf("CSV: %d rows, %v", len(rows), err)
	}
	if AgeGroup(18) != "18-24" || AgeGroup(34.9) != "25-34" || AgeGroup(55) != "55+" {
		t.Error("age groups")
	}
}

// Train refuses a tolerance outside (0, MaxTolerance] with the catalog key
// the pages translate, and records an accepted one on the card.
func TestTrainFairnessTolerance(t *testing.T) {
	history, _ := Simulate(DefaultWorld(), 300, 7)
	for _, tol := range []float64{-0.01, MaxTolerance + 0.001, math.NaN()} {
		_, err := Train(history, Options{Now: now, Seed: 1, FairnessTolerance: tol})
		var ie *InputError
		if !errors.As(err, &ie) || ie.Key != "recommend.tolerance.range" {
			t.Errorf("tolerance %v: %v", tol, err)
		}
	}
	for tol, want := range map[float64]float64{0: DefaultTolerance, 0.12: 0.12, MaxTolerance: MaxTolerance} {
		m, err := Train(history, Options{Now: now, Seed: 1, FairnessTolerance: tol})
		if err != nil || m.Card.Fairness.Tolerance != want {
			t.Errorf("tolerance %v: %v, card %v", tol, err, m.Card.Fairness)
		}
	}
}

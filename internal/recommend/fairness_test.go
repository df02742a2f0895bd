package recommend

import (
	"bytes"
	"encoding/csv"
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

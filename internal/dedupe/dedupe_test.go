package dedupe

import (
	"encoding/json"
	"math"
	"testing"
	"time"

	"homeward"
	"homeward/internal/match"
	"homeward/internal/registry"
)

func snap(v int, p registry.Person, eps ...registry.MigrationEpisode) Snapshot {
	return Snapshot{Person: p, Episodes: eps, Version: v}
}

func ep(id string, dep, ret registry.Date) registry.MigrationEpisode {
	return registry.MigrationEpisode{ID: id, DestinationCountry: "SA", DepartureDate: dep, Return: &registry.Return{Date: ret}}
}

func TestMergePlanApplyAndRevert(t *testing.T) {
	kept := snap(3, registry.Person{ID: "k", OrgID: "o", GivenName: "Md. Rafiqul", FamilyName: "Islam", Sex: registry.SexMale,
		DateOfBirth: registry.YearDate(1985), Phones: []string{"+8801711111111"}},
		ep("e1", registry.MonthDate(2019, 2), registry.DayDate(2026, 1, 10)))
	abs := snap(1, registry.Person{ID: "a", OrgID: "o", ExternalID: "X", GivenName: "Mohammad Rafikul", FamilyName: "Islam", Sex: registry.SexMale,
		DateOfBirth: registry.DayDate(1985, 3, 12), FatherName: "Abdul Hamid", Phones: []string{"+8801711111111", "+8801822222222"}},
		ep("e2", registry.MonthDate(2019, 3), registry.DayDate(2026, 1, 9)), // the same trip
		ep("e3", registry.MonthDate(2012, 1), registry.DayDate(2015, 6, 1)))
	tests := []struct {
		name   string
		fields map[string]Side
		given  string
		prov   []string
	}{
		{"defaults fill the gaps", nil, "Md. Rafiqul", []string{"date_of_birth", "father_name", "phones[+8801822222222]", "episodes[e3]", "aliases[Mohammad Rafikul Islam]"}},
		{"absorbed given name", map[string]Side{"given_name": SideAbsorbed}, "Mohammad Rafikul", []string{"given_name", "aliases[Md. Rafiqul Islam]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := MergePlan{Keep: "k", Fields: tt.fields}
			p, eps, prov := plan.Apply(kept, abs)
			if p.ID != "k" || p.ExternalID != "" || p.GivenName != tt.given || p.DateOfBirth.String() != "1985-03-12" || p.FatherName != "Abdul Hamid" || len(p.Phones) != 2 {
				t.Errorf("merged person: %+v", p)
			}
			if len(eps) != 2 || eps[1].ID != "e3" {
				t.Errorf("episodes: %+v", eps)
			}
			for _, k := range tt.prov {
				if prov[k] != SideAbsorbed {
					t.Errorf("provenance lacks %s: %v", k, prov)
				}
			}
			m := &Merge{Plan: plan, Provenance: prov, KeptBefore: kept, Absorbed: abs}
			// Unchanged since the merge: exactly the old kept person.
			back, beps := m.Revert(snap(4, p, eps...))
			x, _ := json.Marshal(Snapshot{Person: back, Episodes: beps})
			y, _ := json.Marshal(Snapshot{Person: kept.Person, Episodes: kept.Episodes})
			if string(x) != string(y) {
				t.Errorf("revert:\n got %s\nwant %s", x, y)
			}
			// Edited since: later edits stay, what came from the absorbed
			// person goes.
			p.MotherName = "Amena"
			p.Phones = append(p.Phones, "+8801933333333")
			back, beps = m.Revert(snap(5, p, eps...))
			if back.MotherName != "Amena" || len(back.Phones) != 2 || back.Phones[1] != "+8801933333333" || back.FatherName != "" || back.GivenName != "Md. Rafiqul" || len(beps) != 1 {
				t.Errorf("revert after an edit: %+v %d episodes", back, len(beps))
			}
		})
	}
}

func TestMergePlanValidate(t *testing.T) {
	p := &Pair{PersonA: "a", PersonB: "b"}
	for _, tt := range []struct {
		plan MergePlan
		ok   bool
	}{
		{MergePlan{Keep: "a"}, true},
		{MergePlan{Keep: "b", Fields: map[string]Side{"sex": SideAbsorbed}}, true},
		{MergePlan{Keep: "c"}, false},
		{MergePlan{Keep: "a", Fields: map[string]Side{"phones": SideKept}}, false},
		{MergePlan{Keep: "a", Fields: map[string]Side{"sex": "both"}}, false},
	} {
		if err := tt.plan.Validate(p); (err == nil) != tt.ok {
			t.Errorf("%+v: %v", tt.plan, err)
		}
	}
}

func TestPairDecide(t *testing.T) {
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		from, to Status
		code     string
	}{
		{StatusOpen, StatusSame, ""},
		{StatusOpen, StatusDifferent, ""},
		{StatusDifferent, StatusOpen, ""},
		{StatusOpen, StatusMerged, homeward.EINVALID},
		{StatusMerged, StatusDifferent, homeward.ECONFLICT},
	}
	for _, tt := range tests {
		p := &Pair{Status: tt.from}
		err := p.Decide(tt.to, "", "u1", now)
		if homeward.ErrorCode(err) != tt.code {
			t.Errorf("%s → %s: %v", tt.from, tt.to, err)
		}
		if err == nil && (p.Status != tt.to || (tt.to == StatusOpen) != (p.DecidedAt == nil)) {
			t.Errorf("%s → %s: %+v", tt.from, tt.to, p)
		}
	}
	if err := (&Pair{Status: StatusDifferent}).CanMerge(); homeward.ErrorCode(err) != homeward.ECONFLICT {
		t.Errorf("merging a rejected pair: %v", err)
	}
}

func TestExplanationRoundTrip(t *testing.T) {
	idx := match.NewIndex(match.IndexOptions{})
	a := FromPerson(&registry.Person{ID: "a", GivenName: "Rafiqul", FamilyName: "Islam", Sex: registry.SexMale, DateOfBirth: registry.YearDate(1985), FatherName: "Abdul Hamid"})
	if err := idx.Add(a); err != nil {
		t.Fatal(err)
	}
	e, ok := idx.Explain(FromPerson(&registry.Person{GivenName: "Rafikul", FamilyName: "Islam", Sex: registry.SexMale, FatherName: "Abdul Hamid"}), "a")
	if !ok || len(e.Fields) == 0 {
		t.Fatal("no explanation")
	}
	b, _ := json.Marshal(e)
	back, err := DecodeExplanation(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(back)
	if string(b) != string(b2) || back.Sentences("bn")[1] != e.Sentences("bn")[1] {
		t.Errorf("round trip:\n%s\n%s", b, b2)
	}
	if _, err := DecodeExplanation([]byte(`{"fields":[{"field":"shoe_size","level":"exact"}]}`)); err == nil {
		t.Error("unknown field accepted")
	}
}

// A version the index cannot keep as it is becomes 0, and a record
// tagged 0 is never taken as current: the person is read again.
func TestVersionTag(t *testing.T) {
	for v, want := range map[int]uint32{1: 1, 42: 42, math.MaxUint32: math.MaxUint32, 0: 0, -1: 0, math.MaxUint32 + 1: 0} {
		if got := versionTag(v); got != want {
			t.Errorf("versionTag(%d) = %d, want %d", v, got, want)
		}
		if same := sameVersion(versionTag(v), v); same != (want != 0) {
			t.Errorf("sameVersion(versionTag(%d), %d) = %v", v, v, same)
		}
	}
	if sameVersion(3, 4) || sameVersion(0, 0) {
		t.Error("different versions, or none, taken as the same")
	}
}

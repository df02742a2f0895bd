package assessment

import (
	"testing"
	"time"

	"homeward"
	"homeward/internal/form"
	"homeward/internal/registry"
	"homeward/internal/scoring"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAnsweredOn(t *testing.T) {
	today := day("2026-06-15").Add(10 * time.Hour)
	tests := []struct {
		explicit string
		answers  map[string]any
		want     string
		errField string
	}{
		{"", nil, "2026-06-15", ""},
		{"2026-06-01", map[string]any{"interview_date": "2026-05-01"}, "2026-06-01", ""},
		{"", map[string]any{"interview_date": "2026-05-01"}, "2026-05-01", ""},
		{"", map[string]any{"screening_date": "2026-05-02"}, "2026-05-02", ""},
		{"2026-06-15", nil, "2026-06-15", ""},
		{"2026-06-16", nil, "", "answered_on"},
		{"15/06/2026", nil, "", "answered_on"},
	}
	for _, tt := range tests {
		got, err := AnsweredOn(tt.explicit, tt.answers, today)
		if tt.errField != "" {
			if e, ok := err.(*homeward.Error); !ok || e.Field != tt.errField {
				t.Errorf("AnsweredOn(%q) error = %v, want one on %s", tt.explicit, err, tt.errField)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("AnsweredOn(%q, %v) = %q, %v; want %q", tt.explicit, tt.answers, got, err, tt.want)
		}
	}
}

func TestDraftAnswers(t *testing.T) {
	f := form.Builtin(form.SustainabilitySurvey)
	got, err := DraftAnswers(f, map[string]any{"food_security": "never", "housing": "", "debt_months": nil, "intro": "x", "flag_distress": true})
	if err != nil || len(got) != 1 || got["food_security"] != "never" {
		t.Errorf("DraftAnswers = %v, %v", got, err)
	}
	if _, err := DraftAnswers(f, map[string]any{"fod_security": "never"}); err == nil {
		t.Error("a misspelt question was accepted")
	}
}

func TestCheckReplaceAndActivate(t *testing.T) {
	if err := CheckReplace(nil); err != nil {
		t.Errorf("new version: %v", err)
	}
	if err := CheckReplace(&FormVersion{FormID: "rss", Version: "1"}); err != nil {
		t.Errorf("unused version: %v", err)
	}
	if err := CheckReplace(&FormVersion{FormID: "rss", Version: "1", Used: true}); homeward.ErrorCode(err) != homeward.EINVALID {
		t.Errorf("used version: %v", err)
	}
	rss := form.Builtin(form.SustainabilitySurvey)
	for _, tt := range []struct {
		status SchemeStatus
		form   *form.Form
		want   string
	}{
		{SchemeReview, rss, ""},
		{SchemeActive, rss, homeward.ECONFLICT},
		{SchemeRetired, rss, homeward.ECONFLICT},
		{SchemeReview, nil, homeward.EINVALID},
		{SchemeReview, form.Builtin(form.ProtectionScreening), homeward.EINVALID},
	} {
		sv := &SchemeVersion{SchemeID: "rss", Version: "x", Status: tt.status, Scheme: scoring.Default()}
		if got := homeward.ErrorCode(CheckActivate(sv, tt.form)); got != tt.want {
			t.Errorf("activate %s with form %v: %q, want %q", tt.status, tt.form != nil, got, tt.want)
		}
	}
}

func TestAddVulnerabilities(t *testing.T) {
	have := []registry.Vulnerability{registry.VulnElderly, registry.VulnMentalHealth}
	flags := []form.Flag{{Name: "flag_trafficking"}, {Name: "flag_distress"}, {Name: "flag_food_insecure"}, {Name: "flag_self_harm"}}
	all, added := AddVulnerabilities(have, flags)
	if len(added) != 1 || added[0] != registry.VulnTraffickingVictim || len(all) != 3 {
		t.Errorf("all %v, added %v", all, added)
	}
	if len(have) != 2 {
		t.Error("the input was modified")
	}
}

func TestTasks(t *testing.T) {
	returned := day("2026-01-10")
	tests := []struct {
		name    string
		surveys []time.Time
		now     string
		want    []TaskKind
		months  []int
	}{
		{"no survey: baseline", nil, "2026-01-20", []TaskKind{TaskBaseline}, nil},
		{"baseline done, nothing open", []time.Time{day("2026-01-15")}, "2026-03-01", nil, nil},
		{"3-month follow-up due", []time.Time{day("2026-01-15")}, "2026-04-05", []TaskKind{TaskFollowUp}, []int{3}},
		{"3-month follow-up overdue", []time.Time{day("2026-01-15")}, "2026-05-20", []TaskKind{TaskFollowUp}, []int{3}},
		{"3 done, 6 due", []time.Time{day("2026-01-15"), day("2026-04-12")}, "2026-07-08", []TaskKind{TaskFollowUp}, []int{6}},
	}
	for _, tt := range tests {
		kinds, fus := Tasks(scoring.DefaultSchedule, returned, tt.surveys, day(tt.now))
		if len(kinds) != len(tt.want) {
			t.Errorf("%s: %v", tt.name, kinds)
			continue
		}
		for i := range kinds {
			if kinds[i] != tt.want[i] || (kinds[i] == TaskFollowUp && fus[i].Months != tt.months[i]) {
				t.Errorf("%s: %v %+v", tt.name, kinds, fus)
			}
		}
	}
}

func TestHistory(t *testing.T) {
	f := func(x float64) *float64 { return &x }
	subs := []*Submission{
		{ID: "3", FormID: "rss", Status: StatusCompleted, AnsweredOn: "2026-04-10", Round: "m3", Flags: []form.Flag{{Name: "flag_distress", Severity: "high"}},
			Score: &scoring.Result{SchemeID: "rss", SchemeVersion: "1", Dimensions: map[string]*float64{"economic": f(0.6)}, Composite: f(0.5)}},
		{ID: "2", FormID: "rss", Status: StatusDraft, AnsweredOn: "2026-05-01"},
		{ID: "1", FormID: "rss", Status: StatusCompleted, AnsweredOn: "2026-01-12", Round: "baseline", Flags: []form.Flag{{Name: "flag_food_insecure", Severity: "medium"}},
			Score: &scoring.Result{SchemeID: "rss", SchemeVersion: "1", Dimensions: map[string]*float64{"economic": f(0.3)}}},
		{ID: "4", FormID: "protection_screening", Status: StatusCompleted, AnsweredOn: "2026-01-11",
			Flags: []form.Flag{{Name: "flag_trafficking", Severity: "high"}, {Name: "flag_medical_urgent", Severity: "urgent"}}},
	}
	pts, flags := History(subs)
	if len(pts) != 2 || pts[0].SubmissionID != "1" || pts[1].Round != "m3" {
		t.Errorf("points %+v", pts)
	}
	// The latest survey's flags replace the earlier survey's; flags are
	// ordered most severe first.
	names := []string{}
	for _, fl := range flags {
		names = append(names, fl.Name)
	}
	if len(names) != 3 || names[0] != "flag_medical_urgent" {
		t.Errorf("flags %v", names)
	}
	cp := ChartPoints(pts, func(r string) string { return "R:" + r })
	if len(cp) != 2 || cp[0].Label != "R:baseline" || !cp[1].At.Equal(day("2026-04-10")) {
		t.Errorf("chart points %+v", cp)
	}
}

func TestParseReturnDate(t *testing.T) {
	for in, want := range map[string]string{"2026-03-14": "2026-03-14", "2026-03": "2026-03-01", "2026": "2026-01-01"} {
		got, ok := ParseReturnDate(in)
		if !ok || got.Format(time.DateOnly) != want {
			t.Errorf("ParseReturnDate(%q) = %v %v", in, got, ok)
		}
	}
	if _, ok := ParseReturnDate(""); ok {
		t.Error("empty date parsed")
	}
}

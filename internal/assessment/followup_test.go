package assessment

import (
	"testing"
	"time"

	"homeward"
	"homeward/internal/form"
	"homeward/internal/registry"
	"homeward/internal/scoring"
)

// A 3-month survey taken 5 days after return is early; within the
// schedule's open and grace days it is on time; after them, late.
func TestRoundWindow(t *testing.T) {
	s := scoring.Schedule{Months: []int{3, 6, 12}, OpenDays: 14, GraceDays: 30}
	returned := day("2026-01-31")
	tests := []struct {
		round, answered string
		want            Window
		ok              bool
	}{
		{"m3", "2026-02-05", WindowEarly, true},
		{"m3", "2026-04-15", WindowEarly, true},
		{"m3", "2026-04-16", WindowOnTime, true}, // due 30 April (the month's last day), open 14 days before
		{"m3", "2026-05-30", WindowOnTime, true},
		{"m3", "2026-05-31", WindowLate, true},
		{"m12", "2027-01-20", WindowOnTime, true},
		{"baseline", "2026-02-05", "", false},
		{"", "2026-02-05", "", false},
	}
	for _, tc := range tests {
		got, ok := RoundWindow(s, tc.round, returned, day(tc.answered))
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s on %s: %q %v, want %q %v", tc.round, tc.answered, got, ok, tc.want, tc.ok)
		}
	}
	if _, ok := RoundWindow(s, "m3", time.Time{}, day("2026-02-05")); ok {
		t.Error("a window without a return date")
	}
}

func TestCheckDiscard(t *testing.T) {
	if err := CheckDiscard(&Submission{Status: StatusDraft}); err != nil {
		t.Errorf("draft: %v", err)
	}
	if err := CheckDiscard(&Submission{Status: StatusCompleted}); homeward.ErrorCode(err) != homeward.ECONFLICT {
		t.Errorf("completed: %v", err)
	}
}

// The screening does not ask again the sex and age the record gives.
func TestKnownAnswers(t *testing.T) {
	f := form.Builtin("vulnerability_screening")
	if f == nil {
		t.Fatal("no vulnerability_screening form")
	}
	got := KnownAnswers(f, "female", registry.Date{Year: 1990, Month: 5, Day: 2, Precision: registry.PrecisionDay}, day("2026-12-03"))
	if got["sex"] != "female" || got["age"] != "36" {
		t.Errorf("known answers %v", got)
	}
	if got := KnownAnswers(f, "", registry.Date{}, day("2026-12-03")); len(got) != 0 {
		t.Errorf("known answers of an empty record %v", got)
	}
	if got := KnownAnswers(form.Builtin("rss"), "female", registry.Date{Year: 1990, Precision: registry.PrecisionYear}, day("2026-12-03")); len(got) != 0 {
		t.Errorf("the survey asks neither: %v", got)
	}
}

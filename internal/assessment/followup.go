package assessment

import (
	"strconv"
	"strings"
	"time"

	"homeward"
	"homeward/internal/form"
	"homeward/internal/registry"
	"homeward/internal/scoring"
)

// Window says when a follow-up survey round was taken against the
// schedule: before the round opened, while it was open or due, or after it
// turned overdue. A survey taken out of its window is accepted (the
// interview happened) but shows a warning and keeps its window.
type Window string

// The windows.
const (
	WindowEarly  Window = "early"
	WindowOnTime Window = "on_time"
	WindowLate   Window = "late"
)

// RoundMonths returns the months after return a survey round stands for
// ("m3" is 3); the baseline and unknown rounds have none.
func RoundMonths(round string) (int, bool) {
	n, err := strconv.Atoi(strings.TrimPrefix(round, "m"))
	if !strings.HasPrefix(round, "m") || err != nil || n <= 0 {
		return 0, false
	}
	return n, true
}

// RoundDue returns the day a follow-up round falls due: the same day so
// many months after the return (or that month's last day).
func RoundDue(round string, returned time.Time) (time.Time, bool) {
	n, ok := RoundMonths(round)
	if !ok || returned.IsZero() {
		return time.Time{}, false
	}
	return homeward.AddMonths(returned, n), true
}

// RoundWindow places a follow-up round answered on answered against its
// due date after returned, with the schedule's open and grace days; ok is
// false for rounds that are not follow-ups or when the return is unknown.
func RoundWindow(s scoring.Schedule, round string, returned, answered time.Time) (Window, bool) {
	due, ok := RoundDue(round, returned)
	if !ok {
		return "", false
	}
	switch {
	case answered.Before(due.AddDate(0, 0, -s.OpenDays)):
		return WindowEarly, true
	case answered.After(due.AddDate(0, 0, s.GraceDays)):
		return WindowLate, true
	}
	return WindowOnTime, true
}

// CheckDiscard says whether a submission may be discarded: drafts may, a
// completed assessment is part of the record and may not.
func CheckDiscard(s *Submission) error {
	if s.Status != StatusDraft {
		return homeward.Errorf(homeward.ECONFLICT, "assessment.completed", "This assessment is completed and can no longer change.")
	}
	return nil
}

// KnownAnswers are the answers a form would ask that the person's record
// already gives: sex (when the form offers the record's value) and age in
// whole years at today (when the date of birth gives one). A new draft
// starts with them, so that nobody is asked again what the record says.
func KnownAnswers(f *form.Form, sex string, born registry.Date, today time.Time) map[string]any {
	out := map[string]any{}
	for _, q := range f.Questions {
		switch {
		case q.Name == "sex" && q.Type == form.TypeSelectOne && sex != "":
			for _, c := range f.Choices(q) {
				if c.Name == sex {
					out["sex"] = sex
				}
			}
		case q.Name == "age" && q.Type == form.TypeInteger && !born.IsZero():
			if age, ok := born.AgeAt(today); ok {
				out["age"] = strconv.Itoa(age)
			}
		}
	}
	return out
}

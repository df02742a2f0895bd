package referral

import (
	"slices"
	"testing"

	"homeward"
)

// A training is completed only when at least 80 % of its planned hours
// were attended: 6 of 360 hours is not a completed course.
func TestTrainingCompletionNeedsAttendance(t *testing.T) {
	days := func(n, hours int) []Attendance {
		var out []Attendance
		for i := range n {
			out = append(out, Attendance{Date: "2026-04-" + two(i+1), Hours: hours})
		}
		return out
	}
	tests := []struct {
		name    string
		tr      Training
		refused bool
	}{
		{"6 of 360", Training{Course: "Tailoring", Hours: 360, Attendance: days(1, 6), Outcome: TrainingCompleted}, true},
		{"287 of 360", Training{Course: "Tailoring", Hours: 360, Attendance: append(days(28, 10), Attendance{Date: "2026-05-01", Hours: 7}), Outcome: TrainingCompleted}, true},
		{"288 of 360", Training{Course: "Tailoring", Hours: 360, Attendance: append(days(28, 10), Attendance{Date: "2026-05-01", Hours: 8}), Outcome: TrainingCompleted}, false},
		{"no planned hours", Training{Course: "Tailoring", Outcome: TrainingCompleted}, false},
		{"still enrolled", Training{Course: "Tailoring", Hours: 360, Attendance: days(1, 6), Outcome: TrainingEnrolled}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var v homeward.Validation
			tc.tr.validate(&v)
			err := v.Err()
			short := false
			if e, ok := err.(*homeward.Error); ok {
				for _, f := range e.Fields {
					short = short || f.Field == "training.outcome" && f.Key == "referral.training.short_attendance"
				}
				short = short || e.Field == "training.outcome" && e.Key == "referral.training.short_attendance"
			}
			if short != tc.refused {
				t.Errorf("refused = %v, want %v (%v)", short, tc.refused, err)
			}
		})
	}
	if n := (&Training{Hours: 360}).HoursToComplete(); n != 288 {
		t.Errorf("HoursToComplete(360) = %d", n)
	}
	if n := (&Training{Hours: 7}).HoursToComplete(); n != 6 {
		t.Errorf("HoursToComplete(7) = %d, want 6 (rounded up)", n)
	}
}

func two(n int) string {
	if n < 10 {
		return "0" + string(rune('0'+n))
	}
	return string(rune('0'+n/10)) + string(rune('0'+n%10))
}

// Recording a training as completed completes its referral: the provider
// says so once.
func TestCompletionMoves(t *testing.T) {
	done := &Delivery{Kind: KindTraining, Training: &Training{Outcome: TrainingCompleted}}
	enrolled := &Delivery{Kind: KindTraining, Training: &Training{Outcome: TrainingEnrolled}}
	grant := &Delivery{Kind: KindGrant, Grant: &Grant{}}
	tests := []struct {
		state State
		d     *Delivery
		want  []State
	}{
		{StateAccepted, done, []State{StateInProgress, StateCompleted}},
		{StateInProgress, done, []State{StateCompleted}},
		{StateCompleted, done, nil},
		{StateNotCompleted, done, nil},
		{StateInProgress, enrolled, nil},
		{StateInProgress, grant, nil},
	}
	for _, tc := range tests {
		got := CompletionMoves(&Referral{State: tc.state}, tc.d)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.state, got, tc.want)
		}
		for i, to := range got {
			from := tc.state
			if i > 0 {
				from = got[i-1]
			}
			if side, ok := Mover(from, to); !ok || side != SideReceiver {
				t.Errorf("%s → %s is not the receiver's move", from, to)
			}
		}
	}
}

package referral

import (
	"testing"
	"time"

	"homeward"
)

var now = time.Date(2026, 3, 10, 9, 0, 0, 0, time.UTC)

// allowed is the state machine written out by hand: from → to → side.
var allowed = map[[2]State]Side{
	{StateSent, StateAccepted}:           SideReceiver,
	{StateSent, StateDeclined}:           SideReceiver,
	{StateSent, StateRevoked}:            SideSender,
	{StateSent, StateExpired}:            SideSystem,
	{StateAccepted, StateInProgress}:     SideReceiver,
	{StateAccepted, StateNotCompleted}:   SideReceiver,
	{StateAccepted, StateRevoked}:        SideSender,
	{StateInProgress, StateCompleted}:    SideReceiver,
	{StateInProgress, StateNotCompleted}: SideReceiver,
}

func reasonFor(to State) Reason {
	switch to {
	case StateDeclined:
		return DeclineNoCapacity
	case StateNotCompleted:
		return NotCompletedDropped
	}
	return ""
}

// Every pair of states, for every side: the move happens exactly when the
// table allows it for that side; otherwise the referral is unchanged and the
// error says why (conflict for a move that does not exist, forbidden for the
// other side's move).
func TestEveryTransition(t *testing.T) {
	n := 0
	for _, from := range States {
		for _, to := range States {
			for _, side := range []Side{SideSender, SideReceiver, SideSystem} {
				n++
				r := &Referral{ID: "r", State: from}
				err := r.Apply(Transition{To: to, Reason: reasonFor(to)}, side, "u1", now)
				want, exists := allowed[[2]State{from, to}]
				switch {
				case exists && want == side:
					if err != nil {
						t.Errorf("%s → %s by %s: %v", from, to, side, err)
						continue
					}
					if r.State != to || len(r.History) != 1 || r.History[0].From != from || r.History[0].By != "u1" {
						t.Errorf("%s → %s by %s: state %s, history %+v", from, to, side, r.State, r.History)
					}
					if (r.ClosedAt != nil) == to.Open() {
						t.Errorf("%s → %s: closed_at %v", from, to, r.ClosedAt)
					}
				case exists:
					if homeward.ErrorCode(err) != homeward.EFORBIDDEN || r.State != from {
						t.Errorf("%s → %s by %s (belongs to %s): %v, state %s", from, to, side, want, err, r.State)
					}
				default:
					if homeward.ErrorCode(err) != homeward.ECONFLICT || r.State != from || len(r.History) != 0 {
						t.Errorf("%s → %s by %s (no such move): %v, state %s", from, to, side, err, r.State)
					}
				}
			}
		}
	}
	if n != len(States)*len(States)*3 {
		t.Fatal("not every pair was tried")
	}
	// Mover and Next agree with the table.
	for k, side := range allowed {
		if s, ok := Mover(k[0], k[1]); !ok || s != side {
			t.Errorf("Mover(%s, %s) = %s %v", k[0], k[1], s, ok)
		}
	}
	if got := Next(StateSent, SideReceiver); len(got) != 2 || got[0] != StateAccepted || got[1] != StateDeclined {
		t.Errorf("Next(sent, receiver) = %v", got)
	}
	for _, s := range []State{StateDeclined, StateCompleted, StateNotCompleted, StateRevoked, StateExpired} {
		for _, side := range []Side{SideSender, SideReceiver, SideSystem} {
			if len(Next(s, side)) != 0 {
				t.Errorf("final state %s has moves for %s", s, side)
			}
		}
	}
}

func TestTransitionReasons(t *testing.T) {
	tests := []struct {
		name  string
		from  State
		tr    Transition
		side  Side
		field string
	}{
		{"decline needs a reason", StateSent, Transition{To: StateDeclined}, SideReceiver, "reason"},
		{"decline with a completion reason", StateSent, Transition{To: StateDeclined, Reason: NotCompletedDropped}, SideReceiver, "reason"},
		{"other needs a note", StateSent, Transition{To: StateDeclined, Reason: ReasonOther}, SideReceiver, "note"},
		{"not completed needs a reason", StateInProgress, Transition{To: StateNotCompleted}, SideReceiver, "reason"},
		{"accept takes no reason", StateSent, Transition{To: StateAccepted, Reason: DeclineNoCapacity}, SideReceiver, "reason"},
		{"unknown state", StateSent, Transition{To: "lost"}, SideReceiver, "to"},
		{"control characters", StateSent, Transition{To: StateAccepted, Note: "a\x00b"}, SideReceiver, "note"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Referral{State: tt.from}
			err := r.Apply(tt.tr, tt.side, "u", now)
			if homeward.ErrorCode(err) != homeward.EINVALID || !hasField(err, tt.field) {
				t.Fatalf("err = %v, want invalid %s", err, tt.field)
			}
			if r.State != tt.from || len(r.History) != 0 {
				t.Error("a refused move changed the referral")
			}
		})
	}
	r := &Referral{State: StateSent}
	if err := r.Apply(Transition{To: StateDeclined, Reason: ReasonOther, Note: " full until June "}, SideReceiver, "u", now); err != nil {
		t.Fatal(err)
	}
	if r.Reason != ReasonOther || r.History[0].Note != "full until June" {
		t.Errorf("declined: %+v", r)
	}
}

func hasField(err error, f string) bool {
	e, ok := err.(*homeward.Error)
	if !ok {
		return false
	}
	if e.Field == f {
		return true
	}
	for _, x := range e.Fields {
		if x.Field == f {
			return true
		}
	}
	return false
}

func TestOverdueAndExpiry(t *testing.T) {
	d := Draft{}
	respondBy := d.Deadline(now, nil)
	if respondBy.Sub(now) != 7*24*time.Hour {
		t.Errorf("default deadline %v", respondBy.Sub(now))
	}
	d.RespondWithin = 3
	if d.Deadline(now, nil).Sub(now) != 72*time.Hour {
		t.Error("custom deadline ignored")
	}
	var cal countingCalendar
	if got := d.Deadline(now, &cal); cal.n != 3 || !got.Equal(now.AddDate(0, 0, 6)) {
		t.Errorf("with a calendar: %d working days asked, deadline %v", cal.n, got)
	}
	tests := []struct {
		name    string
		r       Referral
		at      time.Time
		overdue bool
		expired bool
	}{
		{"sent, in time", Referral{State: StateSent, RespondBy: respondBy}, now.Add(time.Hour), false, false},
		{"sent, at the deadline", Referral{State: StateSent, RespondBy: respondBy}, respondBy, true, true},
		{"accepted, no due date", Referral{State: StateAccepted, RespondBy: respondBy}, now.AddDate(1, 0, 0), false, false},
		{"accepted, due today", Referral{State: StateAccepted, DueDate: "2026-03-10"}, now, false, false},
		{"in progress, past due", Referral{State: StateInProgress, DueDate: "2026-03-09"}, now, true, false},
		{"completed, past due", Referral{State: StateCompleted, DueDate: "2026-03-09"}, now, false, false},
		{"expired", Referral{State: StateExpired, RespondBy: respondBy}, respondBy.Add(time.Hour), false, false},
	}
	for _, tt := range tests {
		if got := tt.r.IsOverdue(tt.at); got != tt.overdue {
			t.Errorf("%s: overdue %v", tt.name, got)
		}
		if got := tt.r.Expired(tt.at); got != tt.expired {
			t.Errorf("%s: expired %v", tt.name, got)
		}
	}
}

func TestDraftValidate(t *testing.T) {
	id := homeward.NewID()
	tests := []struct {
		name  string
		d     Draft
		field string
	}{
		{"ok", Draft{CaseID: id, ToOrgID: id, ServiceType: "skills_training"}, ""},
		{"no case", Draft{ToOrgID: id, ServiceType: "x"}, "case_id"},
		{"no recipient", Draft{CaseID: id, ServiceType: "x"}, "to_org_id"},
		{"no service", Draft{CaseID: id, ToOrgID: id}, "service_type"},
		{"bad user", Draft{CaseID: id, ToOrgID: id, ServiceType: "x", ToUserID: "nope"}, "to_user_id"},
		{"past due date", Draft{CaseID: id, ToOrgID: id, ServiceType: "x", DueDate: "2026-03-01"}, "due_date"},
		{"bad due date", Draft{CaseID: id, ToOrgID: id, ServiceType: "x", DueDate: "1 April"}, "due_date"},
		{"deadline too far", Draft{CaseID: id, ToOrgID: id, ServiceType: "x", RespondWithin: 61}, "respond_within_days"},
		{"service without plan", Draft{CaseID: id, ToOrgID: id, ServiceType: "x", PlannedServiceID: "s"}, "plan_id"},
	}
	for _, tt := range tests {
		err := tt.d.Validate(now)
		if tt.field == "" {
			if err != nil {
				t.Errorf("%s: %v", tt.name, err)
			}
		} else if !hasField(err, tt.field) {
			t.Errorf("%s: err %v, want field %s", tt.name, err, tt.field)
		}
	}
}

func TestSideOf(t *testing.T) {
	r := &Referral{FromOrgID: "a", ToOrgID: "b"}
	for org, want := range map[string]Side{"a": SideSender, "b": SideReceiver, "c": ""} {
		if got, _ := r.SideOf(org); got != want {
			t.Errorf("SideOf(%s) = %s", org, got)
		}
	}
}

// countingCalendar has a working day every other day, and records the
// number of working days asked for.
type countingCalendar struct{ n int }

func (c *countingCalendar) AddWorkingDays(day time.Time, n int) time.Time {
	c.n = n
	return day.AddDate(0, 0, 2*n)
}

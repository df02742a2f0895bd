package referral

import (
	"slices"
	"strings"
	"time"

	"homeward"
)

// State is where a referral stands.
type State string

// The referral states.
const (
	StateSent         State = "sent"
	StateAccepted     State = "accepted"
	StateDeclined     State = "declined"
	StateInProgress   State = "in_progress"
	StateCompleted    State = "completed"
	StateNotCompleted State = "not_completed"
	StateRevoked      State = "revoked"
	StateExpired      State = "expired"
	// StateConsentWithdrawn closes an open referral whose returnee withdrew
	// consent to share with the receiver; only the system moves a referral
	// there (see CloseForWithdrawnConsent) and nothing leads back.
	StateConsentWithdrawn State = "consent_withdrawn"
)

// States lists every State in life-cycle order.
var States = []State{StateSent, StateAccepted, StateDeclined, StateInProgress, StateCompleted, StateNotCompleted, StateRevoked, StateExpired, StateConsentWithdrawn}

// OpenStates are the states of a referral still under way: it holds a place
// in the provider's capacity and blocks a second referral for the same
// service to the same provider.
var OpenStates = []State{StateSent, StateAccepted, StateInProgress}

// Open reports whether s is an open state.
func (s State) Open() bool { return slices.Contains(OpenStates, s) }

// DeliveryStates are the states of a referral whose service is being or was
// delivered: a delivery record may be kept and is followed up. A referral
// that ends unfinished (not completed, revoked) keeps its record, but its
// follow-ups stop; no state leads back.
var DeliveryStates = []State{StateAccepted, StateInProgress, StateCompleted}

// Side is who moves a referral: the sending organisation, the receiving
// one, or the system (expiry).
type Side string

// The sides.
const (
	SideSender   Side = "sender"
	SideReceiver Side = "receiver"
	SideSystem   Side = "system"
)

// transitions lists who may move a referral from one state to another.
//
//	sent → accepted | declined (receiver), revoked (sender), expired (system)
//	accepted → in_progress | not_completed (receiver; a no-show), revoked (sender)
//	in_progress → completed | not_completed (receiver)
//
// Declined, completed, not completed, revoked and expired are final.
var transitions = map[State]map[State]Side{
	StateSent:       {StateAccepted: SideReceiver, StateDeclined: SideReceiver, StateRevoked: SideSender, StateExpired: SideSystem},
	StateAccepted:   {StateInProgress: SideReceiver, StateNotCompleted: SideReceiver, StateRevoked: SideSender},
	StateInProgress: {StateCompleted: SideReceiver, StateNotCompleted: SideReceiver},
}

// Mover returns the side allowed to move a referral from one state to
// another, and false when the state machine has no such move.
func Mover(from, to State) (Side, bool) {
	s, ok := transitions[from][to]
	return s, ok
}

// Next returns the states side may move a referral in from to, in life-cycle
// order (for the UI's buttons).
func Next(from State, side Side) []State {
	var out []State
	for _, to := range States {
		if s, ok := transitions[from][to]; ok && s == side {
			out = append(out, to)
		}
	}
	return out
}

// CloseForWithdrawnConsent applies the withdrawal of the returnee's consent
// to share with r's receiver, decided by the caller with registry.ConsentValid
// at time at (stillConsented: another consent still covers the receiver).
// An open referral (sent, accepted or in progress: its service not yet
// delivered) becomes consent_withdrawn, final, and loses every personal
// field it shared, so the receiver sees only that consent was withdrawn; the
// sender keeps its case and person links. A referral already ended (completed,
// not completed, declined, revoked, expired) is left as it is: what was
// delivered stays the provider's record of service given. Consent given again
// later does not reopen it; a new referral is needed. It reports whether r
// changed.
func (r *Referral) CloseForWithdrawnConsent(stillConsented bool, at time.Time) bool {
	if stillConsented || !r.State.Open() {
		return false
	}
	r.History = append(r.History, Step{From: r.State, To: StateConsentWithdrawn, By: string(SideSystem), At: at})
	r.State, r.Reason, r.Note = StateConsentWithdrawn, "", ""
	r.Shared = Shared{}
	c := at
	r.ClosedAt = &c
	return true
}

// CheckRecordable refuses further changes to the delivery record of a
// referral closed by withdrawn consent: the record of what was given
// stays with the provider, but nothing more is recorded about the person.
func (r *Referral) CheckRecordable() error {
	if r.State == StateConsentWithdrawn {
		return homeward.Errorf(homeward.ECONFLICT, "referral.consent_withdrawn", "The returnee withdrew consent to share with this organisation; nothing more can be recorded for this referral.")
	}
	return nil
}

// Reason says why a referral was declined or not completed.
type Reason string

// Reasons for declining.
const (
	DeclineNoCapacity    Reason = "no_capacity"
	DeclineNotEligible   Reason = "not_eligible"
	DeclineOutOfArea     Reason = "out_of_area"
	DeclineNotOffered    Reason = "service_not_offered"
	DeclineDuplicate     Reason = "duplicate"
	ReasonOther          Reason = "other"
	NotCompletedNoShow   Reason = "no_show"
	NotCompletedDropped  Reason = "dropped_out"
	NotCompletedMoved    Reason = "moved_away"
	NotCompletedUnreach  Reason = "unreachable"
	NotCompletedStopped  Reason = "service_stopped"
	NotCompletedDeceased Reason = "deceased"
)

// DeclineReasons are the reasons a receiver may give when declining.
var DeclineReasons = []Reason{DeclineNoCapacity, DeclineNotEligible, DeclineOutOfArea, DeclineNotOffered, DeclineDuplicate, ReasonOther}

// NotCompletedReasons are the reasons a service may end unfinished.
var NotCompletedReasons = []Reason{NotCompletedNoShow, NotCompletedDropped, NotCompletedMoved, NotCompletedUnreach, NotCompletedStopped, NotCompletedDeceased, ReasonOther}

// DefaultResponseDays is how many working days a receiver has to answer a
// referral before it expires, unless the sender sets another deadline.
const DefaultResponseDays = 7

// MaxResponseDays bounds the deadline a sender may set.
const MaxResponseDays = 60

// Referral is one referral of a case to an organisation (and optionally a
// named person there) for a service.
type Referral struct {
	ID          string `json:"id"`
	FromOrgID   string `json:"from_org_id"`
	FromOrgName string `json:"from_org_name,omitempty"` // filled on read
	ToOrgID     string `json:"to_org_id"`
	ToOrgName   string `json:"to_org_name,omitempty"` // filled on read
	ToUserID    string `json:"to_user_id,omitempty"`
	ServiceType string `json:"service_type"`
	// CaseID and PersonID are shown to the sending organisation only; the
	// receiving one knows the person through Shared.
	CaseID           string     `json:"case_id,omitempty"`
	PersonID         string     `json:"person_id,omitempty"`
	PlanID           string     `json:"plan_id,omitempty"`
	PlannedServiceID string     `json:"planned_service_id,omitempty"`
	State            State      `json:"state"`
	Reason           Reason     `json:"reason,omitempty"`
	Note             string     `json:"note,omitempty"` // from the sender to the receiver
	SentBy           string     `json:"sent_by"`
	SentAt           time.Time  `json:"sent_at"`
	RespondBy        time.Time  `json:"respond_by"`
	DueDate          string     `json:"due_date,omitempty"` // YYYY-MM-DD: the service should be done by then
	Shared           Shared     `json:"shared"`
	History          []Step     `json:"history"`
	Overdue          bool       `json:"overdue"` // filled on read
	ClosedAt         *time.Time `json:"closed_at,omitempty"`
	Version          int        `json:"version"`
	UpdatedAt        time.Time  `json:"updated_at"`
}

// Step is one transition in a referral's history.
type Step struct {
	From   State     `json:"from,omitempty"`
	To     State     `json:"to"`
	Reason Reason    `json:"reason,omitempty"`
	Note   string    `json:"note,omitempty"`
	By     string    `json:"by"` // user id, or "system"
	At     time.Time `json:"at"`
}

// Transition is a request to move a referral.
type Transition struct {
	To     State  `json:"to"`
	Reason Reason `json:"reason,omitempty"`
	Note   string `json:"note,omitempty"`
}

// Apply moves r as side by user at time at, or explains why not: ECONFLICT
// for a move the state machine does not have from the current state,
// EFORBIDDEN for a move that belongs to the other side, EINVALID for a
// missing or unknown reason. r is unchanged on error.
func (r *Referral) Apply(t Transition, side Side, by string, at time.Time) error {
	if !slices.Contains(States, t.To) {
		return homeward.FieldErrorf("to", "error.field.invalid_choice", "%q is not one of the allowed values.", t.To)
	}
	mover, ok := Mover(r.State, t.To)
	if !ok {
		return &homeward.Error{Code: homeward.ECONFLICT, Key: "referral.transition.not_allowed", Args: map[string]any{"from": string(r.State), "to": string(t.To)},
			Message: "A referral that is " + string(r.State) + " cannot become " + string(t.To) + "."}
	}
	if mover != side {
		return &homeward.Error{Code: homeward.EFORBIDDEN, Key: "referral.transition.other_side", Args: map[string]any{"to": string(t.To)},
			Message: "Only the " + string(mover) + " may make a referral " + string(t.To) + "."}
	}
	t.Note = strings.TrimSpace(t.Note)
	var v homeward.Validation
	switch t.To {
	case StateDeclined:
		checkReason(&v, t.Reason, DeclineReasons)
	case StateNotCompleted:
		checkReason(&v, t.Reason, NotCompletedReasons)
	default:
		if t.Reason != "" {
			v.Add("reason", "referral.transition.no_reason", "Only declining or ending a service unfinished takes a reason.")
		}
	}
	if t.Reason == ReasonOther && t.Note == "" {
		v.Add("note", "referral.transition.note_required", "Say why in a note when the reason is “other”.")
	}
	text(&v, "note", t.Note, 2000)
	if err := v.Err(); err != nil {
		return err
	}
	r.History = append(r.History, Step{From: r.State, To: t.To, Reason: t.Reason, Note: t.Note, By: by, At: at})
	r.State, r.Reason = t.To, t.Reason
	if !t.To.Open() {
		c := at
		r.ClosedAt = &c
	}
	return nil
}

func checkReason(v *homeward.Validation, r Reason, allowed []Reason) {
	switch {
	case r == "":
		required(v, "reason")
	case !slices.Contains(allowed, r):
		choice(v, "reason", string(r))
	}
}

// IsOverdue reports whether the referral needs attention at now (in the
// instance's time zone, whose calendar says which day it is): sent and not
// answered by its deadline (it is about to expire), or accepted or in
// progress past its due date.
func (r *Referral) IsOverdue(now time.Time) bool {
	switch r.State {
	case StateSent:
		return !now.Before(r.RespondBy)
	case StateAccepted, StateInProgress:
		return r.DueDate != "" && homeward.DateOf(now) > r.DueDate
	}
	return false
}

// Expired reports whether a sent referral is past its response deadline.
func (r *Referral) Expired(now time.Time) bool {
	return r.State == StateSent && !now.Before(r.RespondBy)
}

// SideOf returns the side an organisation is on for r: a referral to one's
// own organisation makes it both; the receiver's moves are then allowed
// too, checked by the caller.
func (r *Referral) SideOf(orgID string) (Side, bool) {
	switch orgID {
	case r.ToOrgID:
		return SideReceiver, true
	case r.FromOrgID:
		return SideSender, true
	}
	return "", false
}

// Draft is what a case worker sends.
type Draft struct {
	CaseID           string `json:"case_id"`
	ToOrgID          string `json:"to_org_id"`
	ToUserID         string `json:"to_user_id,omitempty"`
	ServiceType      string `json:"service_type"`
	PlanID           string `json:"plan_id,omitempty"`
	PlannedServiceID string `json:"planned_service_id,omitempty"`
	Note             string `json:"note,omitempty"`
	DueDate          string `json:"due_date,omitempty"`
	RespondWithin    int    `json:"respond_within_days,omitempty"` // default 7
}

// Validate checks the draft's own fields.
func (d *Draft) Validate(now time.Time) error {
	var v homeward.Validation
	d.Note = strings.TrimSpace(d.Note)
	if !homeward.ValidID(d.CaseID) {
		required(&v, "case_id")
	}
	if !homeward.ValidID(d.ToOrgID) {
		required(&v, "to_org_id")
	}
	if d.ToUserID != "" && !homeward.ValidID(d.ToUserID) {
		choice(&v, "to_user_id", d.ToUserID)
	}
	if d.ServiceType == "" {
		required(&v, "service_type")
	}
	if d.PlanID != "" && !homeward.ValidID(d.PlanID) {
		choice(&v, "plan_id", d.PlanID)
	}
	if d.PlannedServiceID != "" && d.PlanID == "" {
		required(&v, "plan_id")
	}
	text(&v, "note", d.Note, 2000)
	if d.DueDate != "" {
		if t, err := time.Parse(time.DateOnly, d.DueDate); err != nil {
			v.Add("due_date", "referral.date.invalid", "Write a date as YYYY-MM-DD.")
		} else if t.Format(time.DateOnly) < homeward.DateOf(now) {
			v.Add("due_date", "referral.date.past", "This date is in the past.")
		}
	}
	if d.RespondWithin < 0 || d.RespondWithin > MaxResponseDays {
		v.AddArgs("respond_within_days", "referral.respond_within", map[string]any{"max": MaxResponseDays}, "Give between 1 and %d days to respond.", MaxResponseDays)
	}
	return v.Err()
}

// Calendar counts working days: a country pack's weekend and holidays.
type Calendar interface {
	// AddWorkingDays returns the day n working days after day, read in
	// day's time zone, at the same time of day.
	AddWorkingDays(day time.Time, n int) time.Time
}

// Deadline returns when a referral drafted at now expires unanswered: the
// response days are working days of cal, counted in now's time zone (the
// instance's, so that "today" is the local day), at the same time of day.
// A nil cal counts calendar days.
func (d *Draft) Deadline(now time.Time, cal Calendar) time.Time {
	days := d.RespondWithin
	if days == 0 {
		days = DefaultResponseDays
	}
	if cal == nil {
		return now.AddDate(0, 0, days)
	}
	return cal.AddWorkingDays(now, days)
}

package registry

import "time"

// EventStatusFollowed is a status change the case made by itself, following
// its plan (see Case.FollowPlan).
const EventStatusFollowed EventKind = "status_followed"

// PlanProgress is what a case's plan and referrals say has happened, for
// Case.FollowPlan.
type PlanProgress struct {
	// ReferralAccepted: a provider accepted (or started) a referral of the
	// case.
	ReferralAccepted bool
	// ServicesDone: every service of the case's plan has its outcome
	// (delivered or not delivered).
	ServicesDone bool
}

// Why a case moved on by itself, as recorded on the timeline.
const (
	BecauseReferralAccepted = "referral_accepted"
	BecauseServicesDone     = "services_done"
)

// FollowPlan moves the case on by itself as its plan advances: an open case
// (registered, assessed, plan agreed) goes into services when a referral is
// accepted, and a case whose plan's services are all done goes to
// monitoring (follow-up). It never moves a case back, never touches a
// closed case (closing is a supervisor's decision) and never skips past
// monitoring. It reports whether the case moved, with the timeline event
// to record (actor "system": nobody chose the move).
func (c *Case) FollowPlan(p PlanProgress, at time.Time) (TimelineEvent, bool) {
	to, because := c.Status, ""
	switch c.Status {
	case StatusClosed, StatusMonitoring:
		return TimelineEvent{}, false
	}
	switch {
	case p.ServicesDone:
		to, because = StatusMonitoring, BecauseServicesDone
	case p.ReferralAccepted && c.Status != StatusInServices:
		to, because = StatusInServices, BecauseReferralAccepted
	}
	if to == c.Status {
		return TimelineEvent{}, false
	}
	from := c.Status
	c.Status = to
	return TimelineEvent{CaseID: c.ID, Kind: EventStatusFollowed, At: at, Actor: "system",
		Summary: Message{Key: "registry.timeline.status_followed", Args: map[string]any{"from": string(from), "to": string(to), "because": because}}}, true
}

package registry

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/reference"
)

// Case is a reintegration case: one person's path from registration to
// closure, owned by one organisation and assigned to one case worker.
type Case struct {
	ID              string          `json:"id,omitempty"`
	Number          string          `json:"number,omitempty"` // BGD-2026-000123, see FormatCaseNumber
	OrgID           string          `json:"org_id,omitempty"`
	PersonID        string          `json:"person_id,omitempty"`
	AssignedTo      string          `json:"assigned_to,omitempty"` // user id of the case worker
	Status          CaseStatus      `json:"status"`
	ClosureReason   ClosureReason   `json:"closure_reason,omitempty"`
	Priority        Priority        `json:"priority"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities,omitempty"`
	// Incomplete marks a case opened from a quick reception registration that
	// a district case worker has yet to complete.
	Incomplete bool       `json:"incomplete,omitempty"`
	OpenedAt   time.Time  `json:"opened_at,omitzero"`
	ClosedAt   *time.Time `json:"closed_at,omitempty"`
	// Version is the case's version, for optimistic concurrency (If-Match).
	Version int `json:"version,omitempty"`
}

// CaseStatus is a step in the case lifecycle.
type CaseStatus string

// The case statuses, in lifecycle order.
const (
	StatusRegistered CaseStatus = "registered"
	StatusAssessed   CaseStatus = "assessed"
	StatusPlanAgreed CaseStatus = "plan_agreed"
	StatusInServices CaseStatus = "in_services"
	StatusMonitoring CaseStatus = "monitoring"
	StatusClosed     CaseStatus = "closed"
)

// CaseStatuses lists every CaseStatus in lifecycle order.
var CaseStatuses = []CaseStatus{StatusRegistered, StatusAssessed, StatusPlanAgreed, StatusInServices, StatusMonitoring, StatusClosed}

// ClosureReason says why a case was closed.
type ClosureReason string

// The closure reasons.
const (
	CloseSupportCompleted  ClosureReason = "support_completed"
	CloseOptedOut          ClosureReason = "opted_out"
	CloseMovedOrRemigrated ClosureReason = "moved_or_remigrated"
	CloseUnreachable       ClosureReason = "unreachable"
	CloseDeceased          ClosureReason = "deceased"
)

// ClosureReasons lists every ClosureReason.
var ClosureReasons = []ClosureReason{CloseSupportCompleted, CloseOptedOut, CloseMovedOrRemigrated, CloseUnreachable, CloseDeceased}

// Priority is how urgently a case needs attention.
type Priority string

// The priorities, lowest first.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

// Priorities lists every Priority, lowest first.
var Priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Vulnerability is a flag that calls for particular care or services.
type Vulnerability string

// The vulnerability flags.
const (
	VulnTraffickingVictim   Vulnerability = "trafficking_victim"
	VulnUrgentMedical       Vulnerability = "urgent_medical"
	VulnGBVSurvivor         Vulnerability = "gbv_survivor"
	VulnUnaccompaniedMinor  Vulnerability = "unaccompanied_minor"
	VulnDisability          Vulnerability = "disability"
	VulnDebtBondage         Vulnerability = "debt_bondage"
	VulnElderly             Vulnerability = "elderly"
	VulnPregnant            Vulnerability = "pregnant"
	VulnMentalHealth        Vulnerability = "mental_health"
	VulnDestitute           Vulnerability = "destitute"
	VulnSingleHeadHousehold Vulnerability = "single_head_of_household"
	VulnDetention           Vulnerability = "detained_abroad"
	VulnWageTheft           Vulnerability = "wage_theft"
)

// Vulnerabilities lists every Vulnerability.
var Vulnerabilities = []Vulnerability{VulnTraffickingVictim, VulnUrgentMedical, VulnGBVSurvivor, VulnUnaccompaniedMinor, VulnDisability, VulnDebtBondage, VulnElderly, VulnPregnant, VulnMentalHealth, VulnDestitute, VulnSingleHeadHousehold, VulnDetention, VulnWageTheft}

// SensitiveVulnerabilities are the flags that the architecture treats as
// sensitive categories (encrypted at rest, audited on read).
var SensitiveVulnerabilities = []Vulnerability{VulnTraffickingVictim, VulnGBVSurvivor, VulnMentalHealth, VulnUrgentMedical}

// transitions lists, for each status, where a case may go next.
//
//   - Forward one step at a time: registered → assessed → plan_agreed →
//     in_services → monitoring → closed.
//   - Back one step where work is redone: plan_agreed → assessed (re-assess
//     before agreeing), in_services → plan_agreed (revise the plan),
//     monitoring → in_services (more services needed).
//   - Any open status → closed: people opt out, move away, become unreachable
//     or die at any stage; closing needs a ClosureReason.
//   - Reopen: closed → monitoring (the person is reachable again) or
//     closed → assessed (they come back with new needs), except after
//     "deceased", which is final. Reopening clears the closure reason.
var transitions = map[CaseStatus][]CaseStatus{
	StatusRegistered: {StatusAssessed, StatusClosed},
	StatusAssessed:   {StatusPlanAgreed, StatusClosed},
	StatusPlanAgreed: {StatusInServices, StatusAssessed, StatusClosed},
	StatusInServices: {StatusMonitoring, StatusPlanAgreed, StatusClosed},
	StatusMonitoring: {StatusClosed, StatusInServices},
	StatusClosed:     {StatusMonitoring, StatusAssessed},
}

// NextStatuses returns the statuses a case in status from may move to, for
// the UI's buttons. A case closed as deceased has none.
func NextStatuses(from CaseStatus, reason ClosureReason) []CaseStatus {
	if from == StatusClosed && reason == CloseDeceased {
		return nil
	}
	return slices.Clone(transitions[from])
}

// CanTransition reports whether a case may move from one status to another
// (see NextStatuses); reason is the current closure reason of a closed case.
func CanTransition(from, to CaseStatus, reason ClosureReason) bool {
	return slices.Contains(NextStatuses(from, reason), to)
}

// Transition moves the case to status to at time at, checking the lifecycle.
// Closing requires reason, which any other move must leave empty. A forbidden
// move is an ECONFLICT error with key registry.case.transition; a missing or
// stray reason is an EINVALID field error on closure_reason. On success it
// returns the timeline event to record.
func (c *Case) Transition(to CaseStatus, reason ClosureReason, actor string, at time.Time) (TimelineEvent, error) {
	if !validChoice(to, CaseStatuses) {
		e := homeward.FieldErrorf("status", "error.field.invalid_choice", "“%s” is not one of the allowed values.", to)
		e.Args = map[string]any{"value": string(to)}
		return TimelineEvent{}, e
	}
	if !CanTransition(c.Status, to, c.ClosureReason) {
		e := homeward.Errorf(homeward.ECONFLICT, "registry.case.transition", "A case cannot move from %s to %s.", c.Status, to)
		e.Field = "status"
		e.Args = map[string]any{"from": string(c.Status), "to": string(to)}
		if c.Status == StatusClosed && c.ClosureReason == CloseDeceased {
			e.Key, e.Message = "registry.case.closed_final", "This case was closed because the person died; it cannot be reopened."
		}
		return TimelineEvent{}, e
	}
	switch {
	case to == StatusClosed && reason == "":
		return TimelineEvent{}, homeward.FieldErrorf("closure_reason", "registry.case.reason_required", "Choose why the case is closed.")
	case to == StatusClosed && !validChoice(reason, ClosureReasons):
		e := homeward.FieldErrorf("closure_reason", "error.field.invalid_choice", "“%s” is not one of the allowed values.", reason)
		e.Args = map[string]any{"value": string(reason)}
		return TimelineEvent{}, e
	case to != StatusClosed && reason != "":
		return TimelineEvent{}, homeward.FieldErrorf("closure_reason", "registry.case.reason_not_closing", "A closure reason is only given when closing the case.")
	}
	from := c.Status
	c.Status, c.ClosureReason = to, reason
	ev := TimelineEvent{CaseID: c.ID, Kind: EventStatusChanged, At: at, Actor: actor,
		Summary: Message{Key: "registry.timeline.status_changed", Args: map[string]any{"from": string(from), "to": string(to)}}}
	switch {
	case to == StatusClosed:
		t := at
		c.ClosedAt = &t
		ev.Kind = EventClosed
		ev.Summary = Message{Key: "registry.timeline.case_closed", Args: map[string]any{"reason": string(reason)}}
	case from == StatusClosed:
		c.ClosedAt = nil
		ev.Kind = EventReopened
		ev.Summary = Message{Key: "registry.timeline.case_reopened", Args: map[string]any{"to": string(to)}}
	}
	return ev, nil
}

// Validate checks the case's fields (not its history: use Transition to
// change the status).
func (c *Case) Validate() error {
	var v homeward.Validation
	if c.Number != "" {
		if _, err := ParseCaseNumber(c.Number); err != nil {
			_ = v.Merge("number", err)
		}
	}
	if !validChoice(c.Status, CaseStatuses) {
		choiceErr(&v, "status", string(c.Status))
	}
	switch {
	case c.Status == StatusClosed && c.ClosureReason == "":
		v.Add("closure_reason", "registry.case.reason_required", "Choose why the case is closed.")
	case c.Status != StatusClosed && c.ClosureReason != "":
		v.Add("closure_reason", "registry.case.reason_not_closing", "A closure reason is only given when closing the case.")
	case c.ClosureReason != "" && !validChoice(c.ClosureReason, ClosureReasons):
		choiceErr(&v, "closure_reason", string(c.ClosureReason))
	}
	if !validChoice(c.Priority, Priorities) {
		choiceErr(&v, "priority", string(c.Priority))
	}
	seen := map[Vulnerability]bool{}
	for i, f := range c.Vulnerabilities {
		if !validChoice(f, Vulnerabilities) {
			choiceErr(&v, idx("vulnerabilities", i), string(f))
		} else if seen[f] {
			v.Add(idx("vulnerabilities", i), "registry.case.flag_duplicate", "This flag is listed twice.")
		}
		seen[f] = true
	}
	return v.Err()
}

// CaseNumber is a parsed human-readable case number.
type CaseNumber struct {
	Country  string // ISO alpha-3 of the registering country
	Year     int
	Sequence int // per country and year, from 1
}

// String formats the number, as FormatCaseNumber does.
func (n CaseNumber) String() string { return FormatCaseNumber(n.Country, n.Year, n.Sequence) }

// FormatCaseNumber formats a case number such as "BGD-2026-000123" from the
// registering country's ISO alpha-3 code, the year of registration and the
// sequence within that country and year. The sequence has at least six
// digits and grows wider past 999999.
func FormatCaseNumber(alpha3 string, year, seq int) string {
	return fmt.Sprintf("%s-%04d-%06d", strings.ToUpper(alpha3), year, seq)
}

// ParseCaseNumber parses a case number, tolerating lower case and spaces
// around it; it checks that the country exists. Storage can look cases up by
// the result's String().
func ParseCaseNumber(s string) (CaseNumber, error) {
	s = strings.ToUpper(strings.TrimSpace(s))
	bad := func() (CaseNumber, error) {
		e := homeward.FieldErrorf("", "registry.case.number_invalid", "“%s” is not a case number like BGD-2026-000123.", s)
		e.Args = map[string]any{"value": s}
		return CaseNumber{}, e
	}
	parts := strings.Split(s, "-")
	if len(parts) != 3 || len(parts[0]) != 3 || len(parts[1]) != 4 || len(parts[2]) < 6 || len(parts[2]) > 9 {
		return bad()
	}
	c := reference.CountryByCode(parts[0])
	y, err1 := atoiDigits(parts[1])
	n, err2 := atoiDigits(parts[2])
	if c == nil || c.Alpha3 != parts[0] || err1 != nil || err2 != nil || y < 2000 || n < 1 {
		return bad()
	}
	return CaseNumber{Country: parts[0], Year: y, Sequence: n}, nil
}

// EventKind names what happened in a TimelineEvent.
type EventKind string

// The timeline event kinds the registry produces; other capabilities add their own.
const (
	EventCaseOpened       EventKind = "case_opened"
	EventStatusChanged    EventKind = "status_changed"
	EventClosed           EventKind = "case_closed"
	EventReopened         EventKind = "case_reopened"
	EventAssigned         EventKind = "assigned"
	EventPriorityChanged  EventKind = "priority_changed"
	EventFlagAdded        EventKind = "flag_added"
	EventFlagRemoved      EventKind = "flag_removed"
	EventPersonUpdated    EventKind = "person_updated"
	EventEpisodeAdded     EventKind = "episode_added"
	EventConsentRecorded  EventKind = "consent_recorded"
	EventConsentWithdrawn EventKind = "consent_withdrawn"
	EventReception        EventKind = "reception"
	EventImported         EventKind = "imported"
	EventNote             EventKind = "note"
	EventSubjectRequest   EventKind = "subject_request"
)

// Message is a translatable text: a catalog key and its named arguments.
type Message struct {
	Key  string         `json:"key"`
	Args map[string]any `json:"args,omitempty"`
}

// TimelineEvent is one entry on a case's timeline. The summary is stored as a
// key and arguments so that each reader sees it in their own language.
type TimelineEvent struct {
	ID      string    `json:"id,omitempty"`
	CaseID  string    `json:"case_id,omitempty"`
	Kind    EventKind `json:"kind"`
	At      time.Time `json:"at"`
	Actor   string    `json:"actor,omitempty"` // user id, or "system"
	Summary Message   `json:"summary"`
	// MergedFrom is, on the timeline of a case that took in another one
	// by a merge, the number of the case the event was recorded on.
	MergedFrom string `json:"merged_from,omitempty"`
}

// NewCaseEvent returns a timeline event of kind with the summary key
// "registry.timeline.<kind>".
func NewCaseEvent(caseID string, kind EventKind, actor string, at time.Time, args map[string]any) TimelineEvent {
	return TimelineEvent{CaseID: caseID, Kind: kind, At: at, Actor: actor, Summary: Message{Key: "registry.timeline." + string(kind), Args: args}}
}

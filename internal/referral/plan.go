package referral

import (
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/registry"
)

// PlanStatus is where a reintegration plan stands.
type PlanStatus string

// The plan statuses.
//
//	draft → active (agreed by the returnee, no grant)
//	draft → awaiting_approval (agreed, with a grant) → active (a supervisor approves)
//	any → draft again when goals or services change after agreement
//	active → closed
const (
	PlanDraft            PlanStatus = "draft"
	PlanAwaitingApproval PlanStatus = "awaiting_approval"
	PlanActive           PlanStatus = "active"
	PlanClosed           PlanStatus = "closed"
)

// PlanStatuses lists every PlanStatus.
var PlanStatuses = []PlanStatus{PlanDraft, PlanAwaitingApproval, PlanActive, PlanClosed}

// ServiceStatus is where one planned service stands.
type ServiceStatus string

// The planned service statuses.
const (
	ServicePlanned      ServiceStatus = "planned"
	ServiceReferred     ServiceStatus = "referred"
	ServiceDelivered    ServiceStatus = "delivered"
	ServiceNotDelivered ServiceStatus = "not_delivered"
)

// ServiceStatuses lists every ServiceStatus.
var ServiceStatuses = []ServiceStatus{ServicePlanned, ServiceReferred, ServiceDelivered, ServiceNotDelivered}

// Plan is a reintegration plan agreed with the returnee.
type Plan struct {
	ID       string     `json:"id"`
	OrgID    string     `json:"org_id"`
	CaseID   string     `json:"case_id"`
	PersonID string     `json:"person_id"`
	Status   PlanStatus `json:"status"`
	// Goals are in the returnee's own words.
	Goals    []Goal           `json:"goals"`
	Services []PlannedService `json:"services"`
	// Agreement records the returnee's agreement to this version of the plan.
	Agreement *Agreement `json:"agreement,omitempty"`
	// Approval is a supervisor's, needed for plans with a grant.
	Approval *Approval `json:"approval,omitempty"`
	// DueDate is one month after the return: the plan should be agreed by then.
	DueDate string `json:"due_date"`
	Overdue bool   `json:"overdue"` // filled on read
	// PersonName and CaseNumber are filled by lists, for display.
	PersonName string    `json:"person_name,omitempty"`
	CaseNumber string    `json:"case_number,omitempty"`
	Version    int       `json:"version"`
	CreatedBy  string    `json:"created_by"`
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Goal is one thing the returnee wants to achieve.
type Goal struct {
	Text string `json:"text"`
	// Dimension is the sustainability dimension: economic, social or psychosocial.
	Dimension string `json:"dimension,omitempty"`
}

// Dimensions are the sustainability dimensions a goal may serve.
var Dimensions = []string{"economic", "social", "psychosocial"}

// PlannedService is one service the plan foresees.
type PlannedService struct {
	ID            string          `json:"id"`
	ServiceType   string          `json:"service_type"`
	ProviderOrgID string          `json:"provider_org_id,omitempty"`
	Budget        *registry.Money `json:"budget,omitempty"`
	TargetDate    string          `json:"target_date,omitempty"` // YYYY-MM-DD
	Note          string          `json:"note,omitempty"`
	// Status, ReferralID and DeliveredAt are kept by Homeward: a referral
	// sent for the service marks it referred, and completing (or not) the
	// referral records the delivery against the plan.
	Status      ServiceStatus `json:"status"`
	ReferralID  string        `json:"referral_id,omitempty"`
	DeliveredAt *time.Time    `json:"delivered_at,omitempty"`
}

// Agreement is the returnee's agreement to the plan.
type Agreement struct {
	Method     registry.ConsentMethod `json:"method"`
	Witness    string                 `json:"witness,omitempty"`
	RecordedBy string                 `json:"recorded_by"`
	At         time.Time              `json:"at"`
}

// Approval is a supervisor's approval.
type Approval struct {
	By   string    `json:"by"`
	At   time.Time `json:"at"`
	Note string    `json:"note,omitempty"`
}

// PlanInput is what a case worker writes: goals and planned services.
type PlanInput struct {
	Goals    []Goal           `json:"goals"`
	Services []PlannedService `json:"services"`
}

// DueDate returns the date a plan is due for a return on returnDate
// (YYYY-MM-DD, or a coarser registry date): one month later (see
// homeward.AddMonths). Without a return date the case's opening counts, on
// its date in opened's location (pass it in the instance's time zone).
func DueDate(returnDate string, opened time.Time) string {
	start := opened
	if d, err := registry.ParseDate(returnDate); err == nil && !d.IsZero() {
		start = d.Earliest()
	}
	return homeward.AddMonths(start, 1).Format(time.DateOnly)
}

// Apply replaces the plan's goals and services with in. Services keep their
// status, referral and delivery when their id matches an existing one; new
// ones get newID. A change after agreement returns the plan to draft: the
// returnee must agree again. It returns whether anything changed.
func (p *Plan) Apply(in PlanInput, newID func() string) bool {
	old := map[string]PlannedService{}
	for _, s := range p.Services {
		old[s.ID] = s
	}
	services := make([]PlannedService, 0, len(in.Services))
	for _, s := range in.Services {
		s.ServiceType = strings.TrimSpace(s.ServiceType)
		s.Note = strings.TrimSpace(s.Note)
		if o, ok := old[s.ID]; ok && s.ID != "" {
			s.Status, s.ReferralID, s.DeliveredAt = o.Status, o.ReferralID, o.DeliveredAt
		} else {
			s.ID, s.Status, s.ReferralID, s.DeliveredAt = newID(), ServicePlanned, "", nil
		}
		if s.Budget != nil {
			s.Budget.Currency = strings.ToUpper(strings.TrimSpace(s.Budget.Currency))
		}
		services = append(services, s)
	}
	goals := make([]Goal, 0, len(in.Goals))
	for _, g := range in.Goals {
		g.Text = strings.TrimSpace(g.Text)
		goals = append(goals, g)
	}
	changed := !jsonEqual(p.Goals, goals) || !jsonEqual(p.Services, services)
	p.Goals, p.Services = goals, services
	if changed && p.Status != PlanDraft && p.Status != PlanClosed {
		p.Status, p.Agreement, p.Approval = PlanDraft, nil, nil
	}
	return changed
}

// Validate checks the plan's goals and services against the catalogue.
func (p *Plan) Validate(cat *Catalogue) error {
	var v homeward.Validation
	if len(p.Goals) == 0 {
		v.Add("goals", "referral.plan.goals_required", "Write at least one goal in the returnee's own words.")
	}
	if len(p.Goals) > 20 || len(p.Services) > 50 {
		v.Add("services", "referral.list.too_many", "Too many entries.")
	}
	for i, g := range p.Goals {
		f := "goals[" + itoa(i) + "]"
		if g.Text == "" {
			required(&v, f+".text")
		}
		text(&v, f+".text", g.Text, 1000)
		if g.Dimension != "" && !slices.Contains(Dimensions, g.Dimension) {
			choice(&v, f+".dimension", g.Dimension)
		}
	}
	for i, s := range p.Services {
		f := "services[" + itoa(i) + "]"
		if t, ok := cat.Type(s.ServiceType); !ok || !t.Active {
			if s.ServiceType == "" {
				required(&v, f+".service_type")
			} else {
				choice(&v, f+".service_type", s.ServiceType)
			}
		}
		if s.ProviderOrgID != "" && !homeward.ValidID(s.ProviderOrgID) {
			choice(&v, f+".provider_org_id", s.ProviderOrgID)
		}
		if s.Budget != nil {
			if s.Budget.Amount <= 0 || s.Budget.Amount > 100_000_000 {
				v.Add(f+".budget.amount", "referral.money.amount", "Give an amount above zero.")
			}
			if len(s.Budget.Currency) != 3 {
				v.Add(f+".budget.currency", "referral.money.currency", "Give a three-letter currency code such as BDT.")
			}
		}
		if s.TargetDate != "" {
			if _, err := time.Parse(time.DateOnly, s.TargetDate); err != nil {
				v.Add(f+".target_date", "referral.date.invalid", "Write a date as YYYY-MM-DD.")
			}
		}
		text(&v, f+".note", s.Note, 1000)
	}
	return v.Err()
}

// HasGrant reports whether the plan foresees a grant, which needs a
// supervisor's approval.
func (p *Plan) HasGrant(cat *Catalogue) bool {
	return slices.ContainsFunc(p.Services, func(s PlannedService) bool {
		t, _ := cat.Type(s.ServiceType)
		return t.Kind == KindGrant
	})
}

// Agree records the returnee's agreement. A plan with a grant then awaits a
// supervisor's approval; any other becomes active.
func (p *Plan) Agree(a Agreement, cat *Catalogue) error {
	if p.Status != PlanDraft {
		return homeward.Errorf(homeward.ECONFLICT, "referral.plan.not_draft", "Only a draft plan can be agreed; change it first to agree again.")
	}
	var v homeward.Validation
	if !slices.Contains(registry.ConsentMethods, a.Method) {
		if a.Method == "" {
			required(&v, "method")
		} else {
			choice(&v, "method", string(a.Method))
		}
	}
	a.Witness = strings.TrimSpace(a.Witness)
	if a.Method == registry.MethodVerbalWithWitness && a.Witness == "" {
		v.Add("witness", "referral.plan.witness_required", "Verbal agreement needs the name of the witness.")
	}
	text(&v, "witness", a.Witness, 200)
	if err := v.Err(); err != nil {
		return err
	}
	if err := p.Validate(cat); err != nil {
		return err
	}
	p.Agreement = &a
	if p.HasGrant(cat) {
		p.Status = PlanAwaitingApproval
	} else {
		p.Status = PlanActive
	}
	return nil
}

// Approve records a supervisor's approval of a plan awaiting it.
func (p *Plan) Approve(by, note string, at time.Time) error {
	if p.Status != PlanAwaitingApproval {
		return homeward.Errorf(homeward.ECONFLICT, "referral.plan.not_awaiting", "This plan is not awaiting approval.")
	}
	note = strings.TrimSpace(note)
	var v homeward.Validation
	text(&v, "note", note, 1000)
	if err := v.Err(); err != nil {
		return err
	}
	p.Approval = &Approval{By: by, At: at, Note: note}
	p.Status = PlanActive
	return nil
}

// Close ends an active plan.
func (p *Plan) Close() error {
	if p.Status == PlanClosed {
		return homeward.Errorf(homeward.ECONFLICT, "referral.plan.closed", "This plan is closed.")
	}
	p.Status = PlanClosed
	return nil
}

// IsOverdue reports whether the plan is still not in force after its due
// date; now is in the instance's time zone.
func (p *Plan) IsOverdue(now time.Time) bool {
	return (p.Status == PlanDraft || p.Status == PlanAwaitingApproval) && homeward.DateOf(now) > p.DueDate
}

// Service returns the planned service with id.
func (p *Plan) Service(id string) *PlannedService {
	for i := range p.Services {
		if p.Services[i].ID == id {
			return &p.Services[i]
		}
	}
	return nil
}

// MarkReferred records that a referral was sent for the planned service.
func (p *Plan) MarkReferred(serviceID, referralID string) error {
	s := p.Service(serviceID)
	if s == nil {
		return homeward.FieldErrorf("planned_service_id", "referral.plan.service_unknown", "The plan has no such service.")
	}
	if p.Status != PlanActive {
		// A draft is not agreed, and a plan awaiting approval (one with a
		// grant) must not reach providers before the supervisor approves.
		return homeward.Errorf(homeward.ECONFLICT, "referral.plan.not_active", "A planned service can be referred only once the plan is agreed and, with a grant, approved.")
	}
	switch s.Status {
	case ServiceDelivered:
		return homeward.FieldErrorf("planned_service_id", "referral.plan.service_delivered", "This service was already delivered.")
	case ServiceReferred:
		return homeward.FieldErrorf("planned_service_id", "referral.plan.service_referred", "This service has already been referred.")
	}
	s.Status, s.ReferralID = ServiceReferred, referralID
	return nil
}

// RecordOutcome closes the loop: the referral for a planned service ended.
// A completed referral records the service as delivered; a referral that
// was declined, revoked, expired, closed by withdrawn consent or not
// completed leaves it not delivered
// (it may be referred again).
func (p *Plan) RecordOutcome(serviceID string, r *Referral, at time.Time) {
	s := p.Service(serviceID)
	if s == nil || s.ReferralID != r.ID {
		return
	}
	switch r.State {
	case StateCompleted:
		t := at
		s.Status, s.DeliveredAt = ServiceDelivered, &t
	case StateNotCompleted:
		s.Status = ServiceNotDelivered
	case StateDeclined, StateRevoked, StateExpired, StateConsentWithdrawn:
		s.Status = ServicePlanned
	}
}

// ServicesDone reports whether every service of the plan has its outcome
// (delivered or not delivered), so that the case moves on to follow-up;
// a plan without services has nothing done.
func (p *Plan) ServicesDone() bool {
	if len(p.Services) == 0 {
		return false
	}
	for _, s := range p.Services {
		if s.Status != ServiceDelivered && s.Status != ServiceNotDelivered {
			return false
		}
	}
	return true
}

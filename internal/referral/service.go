package referral

import (
	"context"
	"time"

	"homeward/internal/country"
)

// Box selects referrals by the actor's side.
type Box string

// The boxes.
const (
	Inbox  Box = "inbox"  // received by the actor's organisation
	Outbox Box = "outbox" // sent by the actor's organisation
)

// ReferralFilter narrows FindReferrals. Empty fields do not filter.
type ReferralFilter struct {
	Box         Box
	State       State
	ServiceType string
	CaseID      string // the sender's case (outbox only)
	OrgID       string // the other organisation
	Overdue     bool
	After       string // cursor
	Limit       int
}

// PlanFilter narrows FindPlans.
type PlanFilter struct {
	CaseID  string
	Status  PlanStatus
	Overdue bool
	Limit   int // 500 when zero
}

// Stats counts referrals by state and by provider, for supervisors.
type Stats struct {
	Sent     Counts          `json:"sent"`
	Received Counts          `json:"received"`
	ByOrg    []ProviderCount `json:"by_provider"` // of the referrals sent
}

// Counts are numbers of referrals by state, with the overdue ones.
type Counts struct {
	ByState map[State]int `json:"by_state"`
	Total   int           `json:"total"`
	Overdue int           `json:"overdue"`
}

// ProviderCount is the referrals sent to one provider, by state.
type ProviderCount struct {
	OrgID   string        `json:"org_id"`
	OrgName string        `json:"org_name"`
	ByState map[State]int `json:"by_state"`
	Total   int           `json:"total"`
}

// Tasks are what waits for the actor: shown on the home page. Each list
// holds the first tasks of its kind, as many as asked for; Counts says how
// many there are in all.
type Tasks struct {
	AwaitingResponse []Referral `json:"awaiting_response"` // received, not yet answered
	OverdueReferrals []Referral `json:"overdue_referrals"` // either side
	OverduePlans     []Plan     `json:"overdue_plans"`
	PlansToApprove   []Plan     `json:"plans_to_approve"`  // supervisors
	GrantsToApprove  []Delivery `json:"grants_to_approve"` // supervisors; never the actor's own requests
	// FollowUpsDue are the providing organisation's grant visits and job
	// placement checks due by today, the most overdue first.
	FollowUpsDue []DueFollowUp `json:"follow_ups_due"`
	Counts       TaskCounts    `json:"counts"`
}

// TaskCounts are the numbers of tasks of each kind, however few of them
// the lists of Tasks hold.
type TaskCounts struct {
	AwaitingResponse int `json:"awaiting_response"`
	OverdueReferrals int `json:"overdue_referrals"`
	OverduePlans     int `json:"overdue_plans"`
	PlansToApprove   int `json:"plans_to_approve"`
	GrantsToApprove  int `json:"grants_to_approve"`
	FollowUpsDue     int `json:"follow_ups_due"`
}

// MaxTasks bounds the tasks of each kind that Tasks lists: what waits
// beyond is counted, and found through the referral and plan lists.
const MaxTasks = 100

// Webhook is a partner system's subscription to its organisation's
// referral events.
type Webhook struct {
	ID        string    `json:"id"`
	OrgID     string    `json:"org_id"`
	URL       string    `json:"url"`
	Secret    string    `json:"secret,omitempty"` // shown once, on creation
	Active    bool      `json:"active"`
	CreatedAt time.Time `json:"created_at"`
}

// WebhookDelivery is one event's delivery to one webhook, with its attempts.
type WebhookDelivery struct {
	ID          string     `json:"id"`
	WebhookID   string     `json:"webhook_id"`
	Event       Event      `json:"event"`
	Status      string     `json:"status"` // pending, delivered, failed (given up)
	Attempts    int        `json:"attempts"`
	LastStatus  int        `json:"last_status,omitempty"` // HTTP status of the last attempt
	LastError   string     `json:"last_error,omitempty"`
	NextAt      *time.Time `json:"next_at,omitempty"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	// Log is every attempt so far, oldest first.
	Log []WebhookAttempt `json:"log"`
}

// WebhookAttempt is one try to deliver a webhook event.
type WebhookAttempt struct {
	Attempt    int       `json:"attempt"` // 1 for the first try
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code,omitempty"` // 0: no HTTP answer
	Error      string    `json:"error,omitempty"`
	DurationMS int64     `json:"duration_ms"`
}

// Message is one signed webhook request to send.
type Message struct {
	DeliveryID string // the same on every retry: receivers use it to drop duplicates
	URL        string
	Signature  string // the SignatureHeader value
	Body       []byte
}

// Sender posts a webhook message and returns the HTTP status of the
// answer; an error means no answer came (or the destination was refused).
type Sender func(ctx context.Context, m Message) (int, error)

// Service is plans, the catalogue, the directory, referrals and delivery as
// the API and the UI use them. Implementations enforce the policy: a
// referral is visible to the sending and the receiving organisation, the
// receiving one sees only the shared fields, and every change is audited
// and put on the case's timeline.
type Service interface {
	ServiceTypes(ctx context.Context) ([]ServiceType, error)
	PutServiceType(ctx context.Context, t *ServiceType) error

	// Holidays returns the instance's country and its changes to the
	// country pack's holidays, which referral deadlines skip.
	Holidays(ctx context.Context) (string, []country.HolidayChange, error)
	PutHolidayChange(ctx context.Context, c *country.HolidayChange) error
	DeleteHolidayChange(ctx context.Context, day string) error

	FindOffers(ctx context.Context, f OfferFilter) ([]Offer, error)
	FindOffer(ctx context.Context, id string) (*Offer, error)
	CreateOffer(ctx context.Context, o *Offer) error
	UpdateOffer(ctx context.Context, id string, version int, o *Offer) error
	// ExportHSDS returns the active directory in HSDS; services the
	// catalogue names in no language are named by fallback (the edge's
	// translation of the service code: storage translates nothing).
	ExportHSDS(ctx context.Context, fallback func(code string) string) (*HSDS, error)

	CreatePlan(ctx context.Context, caseID string, in PlanInput) (*Plan, error)
	FindPlan(ctx context.Context, id string) (*Plan, error)
	FindPlans(ctx context.Context, f PlanFilter) ([]Plan, error)
	UpdatePlan(ctx context.Context, id string, version int, in PlanInput) (*Plan, error)
	AgreePlan(ctx context.Context, id string, version int, a Agreement) (*Plan, error)
	ApprovePlan(ctx context.Context, id string, version int, note string) (*Plan, error)

	SendReferral(ctx context.Context, d *Draft) (*Referral, error)
	FindReferral(ctx context.Context, id string) (*Referral, error)
	FindReferrals(ctx context.Context, f ReferralFilter) ([]Referral, string, error)
	MoveReferral(ctx context.Context, id string, version int, t Transition) (*Referral, error)
	ExpireReferrals(ctx context.Context) (int, error)
	ReferralStats(ctx context.Context) (*Stats, error)
	// Tasks lists the first perGroup tasks of each kind (MaxTasks unless
	// perGroup is between 1 and MaxTasks), with the count of each.
	Tasks(ctx context.Context, perGroup int) (*Tasks, error)

	AddDelivery(ctx context.Context, referralID string, in DeliveryInput) (*Delivery, error)
	FindDeliveries(ctx context.Context, referralID string) ([]Delivery, error)
	FindDelivery(ctx context.Context, id string) (*Delivery, error)
	UpdateDelivery(ctx context.Context, id string, version int, in DeliveryInput) (*Delivery, error)
	DecideGrant(ctx context.Context, id string, version int, approve bool, note string) (*Delivery, error)
	DisburseTranche(ctx context.Context, id string, version int, tranche int, reference string) (*Delivery, error)
	AddSession(ctx context.Context, deliveryID string, version int, in SessionInput) (*Delivery, error)
	SessionNotes(ctx context.Context, deliveryID string) ([]Note, error)

	CreateWebhook(ctx context.Context, w *Webhook) error
	FindWebhooks(ctx context.Context) ([]Webhook, error)
	DeleteWebhook(ctx context.Context, id string) error
	WebhookDeliveries(ctx context.Context, webhookID string) ([]WebhookDelivery, error)
	DeliverWebhooks(ctx context.Context, send Sender) (int, error)
}

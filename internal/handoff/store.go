package handoff

import (
	"context"
	"crypto/ed25519"
	"time"
)

// Service is what the web UI and the API call: partners and keys (the
// operator's administrators), announcing and the delivery log (the
// sending organisation), expected arrivals (the receiving one).
type Service interface {
	HandoffInstanceKey(ctx context.Context) (*InstanceKey, error)
	Partners(ctx context.Context) ([]Partner, error)
	Partner(ctx context.Context, id string) (*Partner, error)
	RegisterPartner(ctx context.Context, p *Partner, publicKey, fingerprint string) error
	AddPartnerKey(ctx context.Context, partnerID, publicKey string) (*PartnerKey, error)
	ConfirmPartnerKey(ctx context.Context, partnerID, keyID, fingerprint string) error
	RevokePartnerKey(ctx context.Context, partnerID, keyID string) error
	// SetPartnerStatus suspends or resumes a partner.
	SetPartnerStatus(ctx context.Context, partnerID, status string) (*Partner, error)
	AnnounceReturn(ctx context.Context, personID string, in AnnounceInput) (*Outgoing, error)
	HandoffLog(ctx context.Context, caseID string) ([]Outgoing, error)
	Arrivals(ctx context.Context, state, q string) ([]Arrival, error)
	Arrival(ctx context.Context, id string) (*Arrival, error)
	DecideArrival(ctx context.Context, id string, accept bool) (*Arrival, error)
	SendArrivalFeedback(ctx context.Context, id, status string) error
	// ExportHandoffFile signs an announcement of the actor's
	// organisation as a file, for a partner without a reachable inbox;
	// ImportHandoffFile receives such a file exactly as the inbox would.
	ExportHandoffFile(ctx context.Context, messageID string) (*File, error)
	ImportHandoffFile(ctx context.Context, raw []byte) (*Ack, error)
}

// InstanceKey is this instance's public signing key as partners pin it.
type InstanceKey struct {
	KeyID       string    `json:"key_id"`
	PublicKey   string    `json:"public_key"`
	Fingerprint string    `json:"fingerprint"`
	CreatedAt   time.Time `json:"created_at"`
}

// AnnounceInput is what a case worker gives when announcing a return.
type AnnounceInput struct {
	PartnerID   string `json:"partner_id"`
	TravelDate  string `json:"travel_date"`
	PortOfEntry string `json:"port_of_entry"`
	Needs       string `json:"needs,omitempty"`
	Urgent      bool   `json:"urgent,omitempty"`
	Message     string `json:"message,omitempty"`
}

// Outgoing is a message in the outbox, with its delivery log and, for an
// announcement, the feedback the partner sent back.
type Outgoing struct {
	ID          string     `json:"id"`
	PartnerID   string     `json:"partner_id"`
	PartnerName string     `json:"partner_name"`
	OrgID       string     `json:"org_id"`
	CaseID      string     `json:"case_id"`
	Kind        string     `json:"kind"`
	Status      string     `json:"status"` // pending, delivered, failed
	Attempts    int        `json:"attempts"`
	LastStatus  int        `json:"last_status"`
	LastError   string     `json:"last_error,omitempty"`
	NextAt      *time.Time `json:"next_at,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`
	Envelope    Envelope   `json:"envelope"`
	Log         []Attempt  `json:"log"`
	Feedback    []Received `json:"feedback"`
}

// Outbox statuses.
const (
	OutPending   = "pending"
	OutDelivered = "delivered"
	OutFailed    = "failed"
)

// Attempt is one delivery attempt.
type Attempt struct {
	Attempt    int       `json:"attempt"`
	At         time.Time `json:"at"`
	StatusCode int       `json:"status_code"`
	Error      string    `json:"error,omitempty"`
}

// Received is feedback received on an announcement.
type Received struct {
	Status     string    `json:"status"`
	At         time.Time `json:"at"`
	ReceivedAt time.Time `json:"received_at"`
	// Milestone and Band: the sustainability score band at 6 or 12
	// months (status sustainability only).
	Milestone int    `json:"milestone,omitempty"`
	Band      string `json:"band,omitempty"`
}

// Arrival is an announcement received: a person expected to arrive.
type Arrival struct {
	ID           string       `json:"id"`
	PartnerID    string       `json:"partner_id"`
	PartnerName  string       `json:"partner_name"`
	Country      string       `json:"country"`
	OrgID        string       `json:"org_id"`
	MessageID    string       `json:"message_id"`
	State        string       `json:"state"` // expected, accepted, declined
	TravelDate   string       `json:"travel_date"`
	PortOfEntry  string       `json:"port_of_entry"`
	Passport     string       `json:"passport,omitempty"`
	Announcement Announcement `json:"announcement"`
	ReceivedAt   time.Time    `json:"received_at"`
	DecidedAt    *time.Time   `json:"decided_at,omitempty"`
	DecidedBy    string       `json:"decided_by,omitempty"`
	PersonID     string       `json:"person_id,omitempty"`
	CaseID       string       `json:"case_id,omitempty"`
	// Feedback lists the statuses sent back (the outbox's feedback
	// messages for this arrival).
	Feedback []string `json:"feedback,omitempty"`
	// Sent is that feedback in full (the band and milestone of a
	// sustainability feedback among it).
	Sent []Feedback `json:"sent,omitempty"`
}

// Arrival states.
const (
	ArrivalExpected = "expected"
	ArrivalAccepted = "accepted"
	ArrivalDeclined = "declined"
)

// Outbound is one message to deliver, with the key to sign it with.
type Outbound struct {
	ID    string
	URL   string
	Body  []byte
	Key   ed25519.PrivateKey
	KeyID string
}

// NextAttempt returns when to try again after attempts failed attempts
// (the last at last), and false when the message is to be given up: the
// back-off of webhooks, longer at its end, since a return is planned days
// ahead and a partner's server may be down for a while.
func NextAttempt(attempts int, last time.Time) (time.Time, bool) {
	if attempts < 1 || attempts > len(Backoff) {
		return time.Time{}, false
	}
	return last.Add(Backoff[attempts-1]), true
}

// Backoff is the wait after each failed attempt.
var Backoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 24 * time.Hour}

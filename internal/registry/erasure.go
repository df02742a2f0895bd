package registry

import (
	"context"
	"strings"
	"time"

	"homeward"
)

// ErasureRequest is a returnee's request to be erased: recorded with a
// reason by a case worker or supervisor, then approved by another
// supervisor (four eyes) — at which moment the person is pseudonymised
// everywhere — or refused.
type ErasureRequest struct {
	ID          string     `json:"id"`
	OrgID       string     `json:"org_id"`
	PersonID    string     `json:"person_id"`
	Reason      string     `json:"reason"`
	Status      string     `json:"status"` // requested | erased | refused
	RequestedBy string     `json:"requested_by"`
	RequestedAt time.Time  `json:"requested_at"`
	DecidedBy   string     `json:"decided_by,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
	// PersonName is filled by lists while the person is not erased.
	PersonName string `json:"person_name,omitempty"`
}

// The erasure request statuses.
const (
	ErasureRequested = "requested"
	ErasureDone      = "erased"
	ErasureRefused   = "refused"
)

// LegalHold keeps a person's records from erasure and retention (a court
// case, an investigation of trafficking) until it is lifted.
type LegalHold struct {
	ID         string     `json:"id"`
	OrgID      string     `json:"org_id"`
	PersonID   string     `json:"person_id"`
	Reason     string     `json:"reason"`
	PlacedBy   string     `json:"placed_by"`
	PlacedAt   time.Time  `json:"placed_at"`
	LiftedBy   string     `json:"lifted_by,omitempty"`
	LiftedAt   *time.Time `json:"lifted_at,omitempty"`
	LiftReason string     `json:"lift_reason,omitempty"`
	// CaseNumber is filled by lists, for display.
	CaseNumber string `json:"case_number,omitempty"`
}

// Active reports whether the hold still stands.
func (h *LegalHold) Active() bool { return h.LiftedAt == nil }

// CheckReason trims a reason for an erasure request, a hold or its lifting
// and checks it says something (10 to 2000 characters).
func CheckReason(reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if n := len([]rune(reason)); n < 10 || n > 2000 {
		return "", homeward.FieldErrorf("reason", "erasure.reason", "Give the reason (10 to 2000 characters).")
	}
	return reason, nil
}

// CheckFourEyes refuses a decision on an erasure request by the user who
// recorded it: erasing a person takes two people.
func CheckFourEyes(req *ErasureRequest, deciderID string) error {
	if req.RequestedBy == deciderID {
		return homeward.Errorf(homeward.EFORBIDDEN, "erasure.four_eyes", "You recorded this request: another supervisor must decide on it.")
	}
	return nil
}

// Retention rule kinds: what a period applies to and what happens to it.
const (
	// RetainClosedCase: people whose cases are all closed are
	// pseudonymised (as by an erasure) this many years after the last
	// closure.
	RetainClosedCase = "closed_case"
	// RetainDeclinedReferral: the personal fields shared with a referral
	// that was declined (and its messages) are cleared this many years
	// after the decline.
	RetainDeclinedReferral = "declined_referral"
	// RetainEvidenceFile: uploaded evidence files are deleted this many
	// years after their upload.
	RetainEvidenceFile = "evidence_file"
)

// RetentionKinds lists the rule kinds, in the order pages show them.
var RetentionKinds = []string{RetainClosedCase, RetainDeclinedReferral, RetainEvidenceFile}

// MaxRetentionYears bounds a retention period.
const MaxRetentionYears = 100

// RetentionRule is one organisation's retention period for a kind of
// record; a kind without a rule is kept.
type RetentionRule struct {
	OrgID     string    `json:"org_id"`
	Kind      string    `json:"kind"`
	Years     int       `json:"years"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// CheckRetentionRule checks a rule being set: a known kind and 1 to
// MaxRetentionYears years (0 removes the rule).
func CheckRetentionRule(kind string, years int) error {
	if !containsString(RetentionKinds, kind) {
		return homeward.FieldErrorf("kind", "retention.kind", "Choose what the period applies to.")
	}
	if years < 0 || years > MaxRetentionYears {
		return homeward.FieldErrorf("years", "retention.years", "Give a period of 1 to 100 years (0 keeps the records).")
	}
	return nil
}

// RetentionItem is one record a retention run pseudonymises or deletes
// (or would, in a dry run), and why; or one it leaves because of a hold.
type RetentionItem struct {
	OrgID      string `json:"org_id"`
	Kind       string `json:"kind"`
	RecordType string `json:"record_type"` // person | referral | evidence_file
	RecordID   string `json:"record_id"`
	PersonID   string `json:"person_id"`
	Action     string `json:"action"` // pseudonymise | clear | delete
	// Since is when the period started (closure, decline, upload); Years
	// is the rule's period.
	Since time.Time `json:"since"`
	Years int       `json:"years"`
	// Held: a legal hold keeps the record; nothing is done to it.
	Held bool `json:"held"`
}

// RetentionReport is what a retention run did, or in a dry run would do.
type RetentionReport struct {
	DryRun bool            `json:"dry_run"`
	At     time.Time       `json:"at"`
	Items  []RetentionItem `json:"items"`
	// Done counts the records changed (0 in a dry run), Held those kept
	// by a legal hold.
	Done int `json:"done"`
	Held int `json:"held"`
}

// PrivacyService records erasure requests and legal holds and applies
// retention (internal/sqldb implements it, authorising every call).
type PrivacyService interface {
	RequestErasure(ctx context.Context, personID, reason string) (*ErasureRequest, error)
	// DecideErasure approves (erasing the person) or refuses a request.
	DecideErasure(ctx context.Context, id string, approve bool) (*ErasureRequest, error)
	// ErasureRequests lists the organisation's requests (one person's
	// when personID is set), open ones first.
	ErasureRequests(ctx context.Context, personID string, limit int) ([]ErasureRequest, error)
	// PlaceHold puts a legal hold on the person named by id or case number.
	PlaceHold(ctx context.Context, person, reason string) (*LegalHold, error)
	LiftHold(ctx context.Context, id, reason string) (*LegalHold, error)
	// LegalHolds lists the organisation's holds (one person's when
	// personID is set), standing ones first.
	LegalHolds(ctx context.Context, personID string, limit int) ([]LegalHold, error)
	RetentionRules(ctx context.Context) ([]RetentionRule, error)
	// SetRetentionRules sets the periods given (kind → years, 0 removes
	// one), all or none.
	SetRetentionRules(ctx context.Context, years map[string]int) error
	// RunRetention applies the rules of the actor's organisation (of
	// every organisation for the system); a dry run changes nothing.
	RunRetention(ctx context.Context, dryRun bool) (*RetentionReport, error)
}

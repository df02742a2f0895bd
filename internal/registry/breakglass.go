package registry

import (
	"context"
	"strings"
	"time"

	"homeward"
)

// BreakGlass is a user's read access, for BreakGlassHours, to one record
// of another organisation in an emergency (a returnee in danger at the
// airport at night): granted on a reason, marked on the record, and
// reviewed afterwards by a supervisor of the organisation that holds it.
// It never allows a write, and never counselling notes.
type BreakGlass struct {
	ID           string     `json:"id"`
	RequesterID  string     `json:"requester_id"`
	RequesterOrg string     `json:"requester_org"`
	PersonID     string     `json:"person_id"`
	OwnerOrg     string     `json:"owner_org"`
	Reason       string     `json:"reason"`
	GrantedAt    time.Time  `json:"granted_at"`
	ExpiresAt    time.Time  `json:"expires_at"`
	ReviewedBy   string     `json:"reviewed_by,omitempty"`
	ReviewedAt   *time.Time `json:"reviewed_at,omitempty"`
	ReviewNote   string     `json:"review_note,omitempty"`
	// Filled on read, for display.
	PersonName       string `json:"person_name,omitempty"`
	RequesterName    string `json:"requester_name,omitempty"`
	RequesterOrgName string `json:"requester_org_name,omitempty"`
	OwnerOrgName     string `json:"owner_org_name,omitempty"`
}

// BreakGlassHours is how long emergency access lasts.
const BreakGlassHours = 4

// Active reports whether the access is still open at t.
func (b *BreakGlass) Active(t time.Time) bool { return t.Before(b.ExpiresAt) }

// CheckBreakGlass checks an emergency access request: an identifier to
// find the record by exactly (case number, phone, document number) and a
// reason of at least 10 characters.
func CheckBreakGlass(identifier, reason string) (string, string, error) {
	identifier, reason = strings.TrimSpace(identifier), strings.TrimSpace(reason)
	var v homeward.Validation
	if identifier == "" || len(identifier) > 64 {
		v.Add("identifier", "breakglass.identifier", "Give the case number, phone number or document number of the person.")
	}
	if n := len([]rune(reason)); n < 10 || n > 2000 {
		v.Add("reason", "breakglass.reason", "Say why you need this record now (10 to 2000 characters).")
	}
	return identifier, reason, v.Err()
}

// BreakGlassService grants and reviews emergency access (internal/sqldb
// implements it, authorising every call).
type BreakGlassService interface {
	OpenBreakGlass(ctx context.Context, identifier, reason string) (*BreakGlass, error)
	BreakGlassRecord(ctx context.Context, id string) (*Record, *BreakGlass, error)
	BreakGlassList(ctx context.Context, personID string, unreviewedOnly bool, limit int) ([]BreakGlass, int, error)
	ReviewBreakGlass(ctx context.Context, id, note string) error
}

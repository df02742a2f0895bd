// Package handoff is the cross-border handoff between Homeward instances
// (or a partner's own software): a case worker in the host country
// announces a planned return to the partner instance of the country of
// origin, which accepts it as an expected arrival and sends feedback back.
// Every message is JSON signed with HTTP Message Signatures
// (internal/httpsig) under the sending instance's Ed25519 key, pinned by
// the receiver after an administrator compared its fingerprint by phone.
//
// This package holds the rules: partners and their keys, the message
// formats, which fields may leave (the person's consent and the partner
// agreement, both), and the checks a received message must pass. Storage
// is internal/sqldb; the HTTP inbox and the delivery worker are here too,
// over a small Store interface.
package handoff

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"net/url"
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/reference"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// Fields a handoff may carry: the referral field sets, the passport
// number (how the reception desk finds the person on arrival) and the
// pre-departure assessments.
var Fields = append(fieldNames(referral.Fields), FieldPassport, FieldAssessments)

// FieldPassport is the passport number of the person's first passport.
const FieldPassport = "passport"

// FieldAssessments is the person's completed assessments (answers and
// scores), all but those that are protected (a protection screening, or
// one that raised flags: those stay in the country that took them).
const FieldAssessments = "assessments"

func fieldNames(fs []referral.Field) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = string(f)
	}
	return out
}

// ValidField reports whether f is one of Fields.
func ValidField(f string) bool { return slices.Contains(Fields, f) }

// Partner is another instance this one exchanges handoffs with, under an
// agreement: the fields it may receive from us (and that we accept from
// it), which of our organisations may announce returns to it, and which
// one receives its announcements.
type Partner struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Country string `json:"country"` // ISO 3166 alpha-2
	// BaseURL is where the partner is reached; its inbox is
	// BaseURL + InboxPath.
	BaseURL    string       `json:"base_url"`
	Fields     []string     `json:"fields"`
	SendOrgs   []string     `json:"send_orgs"`
	ReceiveOrg string       `json:"receive_org,omitempty"`
	Status     string       `json:"status"` // active, suspended
	Keys       []PartnerKey `json:"keys,omitempty"`
	CreatedAt  time.Time    `json:"created_at"`
	UpdatedAt  time.Time    `json:"updated_at"`
}

// Partner statuses.
const (
	PartnerActive    = "active"
	PartnerSuspended = "suspended"
)

// InboxPath is where an instance receives handoff messages.
const InboxPath = "/handoff/v1/inbox"

// InboxURL is the partner's inbox address.
func (p *Partner) InboxURL() string { return strings.TrimRight(p.BaseURL, "/") + InboxPath }

// PartnerKey is one public key of a partner. A key is trusted only once
// an administrator has confirmed its fingerprint (Status active); a
// partner's first key is confirmed when it is registered, by the
// administrator who registers it.
type PartnerKey struct {
	KeyID       string     `json:"key_id"`
	PublicKey   string     `json:"public_key"` // base64 of the 32-byte Ed25519 key
	Fingerprint string     `json:"fingerprint"`
	Status      string     `json:"status"` // pending, active, revoked
	AddedAt     time.Time  `json:"added_at"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
	RevokedAt   *time.Time `json:"revoked_at,omitempty"`
}

// Key statuses.
const (
	KeyPending = "pending"
	KeyActive  = "active"
	KeyRevoked = "revoked"
)

// KeyID is the key id a public key signs under: the first 16 bytes of its
// SHA-256, in lower-case hex. Both sides derive it from the key, so no
// one has to agree on names.
func KeyID(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:16])
}

// Fingerprint is KeyID in upper case, in eight groups of four, to read
// out over the phone.
func Fingerprint(pub ed25519.PublicKey) string {
	id := strings.ToUpper(KeyID(pub))
	var groups []string
	for i := 0; i < len(id); i += 4 {
		groups = append(groups, id[i:i+4])
	}
	return strings.Join(groups, " ")
}

// ParsePublicKey reads an Ed25519 public key written in base64 (standard
// or URL alphabet, padded or not), as it is exchanged out of band.
func ParsePublicKey(s string) (ed25519.PublicKey, error) {
	s = strings.TrimSpace(s)
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if b, err := enc.DecodeString(s); err == nil && len(b) == ed25519.PublicKeySize {
			return ed25519.PublicKey(b), nil
		}
	}
	return nil, homeward.FieldErrorf("public_key", "handoff.partner.key_invalid", "The public key must be 32 bytes (an Ed25519 key) written in base64.")
}

// EncodePublicKey writes a public key as ParsePublicKey reads it.
func EncodePublicKey(pub ed25519.PublicKey) string { return base64.StdEncoding.EncodeToString(pub) }

// Validate checks a partner being registered or changed.
func (p *Partner) Validate() error {
	var v homeward.Validation
	p.Name, p.Country, p.BaseURL = strings.TrimSpace(p.Name), strings.ToUpper(strings.TrimSpace(p.Country)), strings.TrimSpace(p.BaseURL)
	if p.Name == "" {
		v.Add("name", "error.field.required", "This field is required.")
	} else if len([]rune(p.Name)) > 200 {
		v.AddArgs("name", "error.field.too_long", map[string]any{"max": 200}, "This is too long (at most %d characters).", 200)
	}
	if reference.CountryByCode(p.Country) == nil {
		v.AddArgs("country", "error.field.invalid_country", map[string]any{"value": p.Country}, "“%s” is not a known ISO 3166 country code.", p.Country)
	}
	if u, err := url.Parse(p.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		v.Add("base_url", "handoff.partner.url_invalid", "Give the partner's address starting with https://, without a query.")
	}
	if len(p.Fields) == 0 {
		v.Add("fields", "handoff.partner.fields_required", "Choose at least one field the partner may receive.")
	}
	for _, f := range p.Fields {
		if !ValidField(f) {
			v.AddArgs("fields", "handoff.field_unknown", map[string]any{"field": f}, "%s is not a field a handoff can carry.", f)
			break
		}
	}
	if p.Status == "" {
		p.Status = PartnerActive
	}
	if p.Status != PartnerActive && p.Status != PartnerSuspended {
		v.AddArgs("status", "error.field.invalid_choice", map[string]any{"value": p.Status}, "“%s” is not one of the allowed values.", p.Status)
	}
	return v.Err()
}

// MaySend reports whether organisation org may announce returns to the
// partner.
func (p *Partner) MaySend(org string) bool {
	return p.Status == PartnerActive && slices.Contains(p.SendOrgs, org)
}

// Allowed returns the fields that may leave for this partner: those the
// person's handoff consent lists and the agreement covers, in the order
// of Fields.
func Allowed(consent registry.Consent, agreement []string) []string {
	var out []string
	for _, f := range Fields {
		if slices.Contains(consent.Fields, f) && slices.Contains(agreement, f) {
			out = append(out, f)
		}
	}
	return out
}

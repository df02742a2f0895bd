package registry

import (
	"time"

	"homeward"
)

// Purpose is what a consent allows.
type Purpose string

// The consent purposes.
const (
	PurposeRegistration Purpose = "registration_case_management"
	PurposeReferral     Purpose = "referral"
	PurposeContact      Purpose = "contact_sms_phone"
	PurposeResearch     Purpose = "research_anonymised"
	// PurposeSuggestions allows ranking services for the person with a
	// learned model or rules (internal/recommend); withdrawing it is the
	// returnee's opt-out of automated suggestions.
	PurposeSuggestions Purpose = "automated_suggestions"
	// PurposeHandoff allows announcing the person's return to one partner
	// instance abroad (Recipient.Partner), with only the fields the
	// consent lists (Fields). It is recorded from the handoff page, where
	// the partner and the fields are chosen, not with the other purposes.
	PurposeHandoff Purpose = "cross_border_handoff"
	// PurposeHandoffFeedback allows the instance that received the
	// person through a handoff to tell the announcing partner
	// (Recipient.Partner) the band of the person's sustainability score
	// at the 6- and 12-month follow-ups, never the answers. Like
	// PurposeHandoff it names a partner and is recorded on its own page.
	PurposeHandoffFeedback Purpose = "handoff_feedback"
)

// namesPartner reports whether consents for the purpose name a partner
// abroad rather than an organisation here.
func (p Purpose) namesPartner() bool { return p == PurposeHandoff || p == PurposeHandoffFeedback }

// Purposes lists every Purpose.
var Purposes = []Purpose{PurposeRegistration, PurposeReferral, PurposeContact, PurposeResearch, PurposeSuggestions}

// ConsentMethod is how consent was given.
type ConsentMethod string

// The consent methods.
const (
	MethodSignedForm        ConsentMethod = "signed_form"
	MethodVerbalWithWitness ConsentMethod = "verbal_with_witness"
	MethodDigital           ConsentMethod = "digital"
)

// ConsentMethods lists every ConsentMethod.
var ConsentMethods = []ConsentMethod{MethodSignedForm, MethodVerbalWithWitness, MethodDigital}

// Recipient is who may receive data under a referral consent: one named
// organisation (OrgID) or every organisation of a type (OrgType, such as
// "ngo" or "service_provider"); under a handoff consent, one partner
// instance (Partner). When asking ConsentValid, give both the recipient
// organisation's id and its type.
type Recipient struct {
	OrgID   string `json:"org_id,omitempty"`
	OrgType string `json:"org_type,omitempty"`
	Partner string `json:"partner,omitempty"`
}

// IsZero reports whether no recipient is named.
func (r Recipient) IsZero() bool { return r == Recipient{} }

// covers reports whether a consent naming r allows sharing with the
// organisation to: a named organisation only itself, a type every
// organisation of that type.
func (r Recipient) covers(to Recipient) bool {
	if r.Partner != "" || to.Partner != "" {
		return r.Partner == to.Partner
	}
	if r.OrgID != "" {
		return r.OrgID == to.OrgID
	}
	return r.OrgType != "" && r.OrgType == to.OrgType
}

// Consent is one consent given by a person for one purpose (and, for
// referrals, one recipient). It is never deleted: withdrawal sets WithdrawnAt
// and WithdrawnBy and takes effect at that instant.
type Consent struct {
	ID          string        `json:"id,omitempty"`
	PersonID    string        `json:"person_id,omitempty"`
	OrgID       string        `json:"org_id,omitempty"` // the organisation that recorded it
	Purpose     Purpose       `json:"purpose"`
	Recipient   Recipient     `json:"recipient,omitzero"` // referrals only
	Method      ConsentMethod `json:"method"`
	Witness     string        `json:"witness,omitempty"` // verbal consent: who witnessed it
	RecordedBy  string        `json:"recorded_by"`
	RecordedAt  time.Time     `json:"recorded_at"`
	ExpiresAt   *time.Time    `json:"expires_at,omitempty"`
	WithdrawnAt *time.Time    `json:"withdrawn_at,omitempty"`
	WithdrawnBy string        `json:"withdrawn_by,omitempty"`
	// Fields lists what a handoff consent lets leave the country (the
	// field names of internal/handoff); empty for other purposes.
	Fields []string `json:"fields,omitempty"`
}

// Validate checks a consent being recorded (or withdrawn) at now.
func (c *Consent) Validate(now time.Time) error {
	var v homeward.Validation
	if c.Purpose == "" {
		required(&v, "purpose")
	} else if !c.Purpose.namesPartner() && !validChoice(c.Purpose, Purposes) {
		choiceErr(&v, "purpose", string(c.Purpose))
	}
	switch {
	case c.Purpose.namesPartner() && (c.Recipient.Partner == "" || c.Recipient.OrgID != "" || c.Recipient.OrgType != ""):
		v.Add("recipient", "registry.consent.partner_required", "Name the partner abroad the person agrees their return may be announced to.")
	case c.Purpose == PurposeHandoff && len(c.Fields) == 0:
		v.Add("fields", "registry.consent.fields_required", "Choose at least one part of the record the person agrees to share.")
	case c.Purpose == PurposeHandoffFeedback && len(c.Fields) > 0:
		v.Add("fields", "registry.consent.partner_unexpected", "Only a cross-border handoff consent names a partner abroad and the fields it covers.")
	case !c.Purpose.namesPartner() && (c.Recipient.Partner != "" || len(c.Fields) > 0):
		v.Add("recipient", "registry.consent.partner_unexpected", "Only a cross-border handoff consent names a partner abroad and the fields it covers.")
	case c.Purpose == PurposeReferral && c.Recipient.IsZero():
		v.Add("recipient", "registry.consent.recipient_required", "Name the organisation or the type of organisation the person agrees to be referred to.")
	case c.Purpose == PurposeReferral && c.Recipient.OrgID != "" && c.Recipient.OrgType != "":
		v.Add("recipient", "registry.consent.recipient_both", "Name either one organisation or a type of organisation, not both.")
	case c.Recipient.OrgType != "" && !homeward.OrgType(c.Recipient.OrgType).Valid():
		choiceErr(&v, "recipient.org_type", c.Recipient.OrgType)
	case c.Purpose != PurposeReferral && !c.Purpose.namesPartner() && c.Purpose != "" && !c.Recipient.IsZero():
		v.Add("recipient", "registry.consent.recipient_unexpected", "Only referral consents name a recipient.")
	}
	if c.Method == "" {
		required(&v, "method")
	} else if !validChoice(c.Method, ConsentMethods) {
		choiceErr(&v, "method", string(c.Method))
	}
	if c.Method == MethodVerbalWithWitness && c.Witness == "" {
		v.Add("witness", "registry.consent.witness_required", "Verbal consent needs the name of the witness.")
	}
	checkText(&v, "witness", c.Witness, maxName)
	if c.RecordedBy == "" {
		required(&v, "recorded_by")
	}
	switch {
	case c.RecordedAt.IsZero():
		required(&v, "recorded_at")
	case c.RecordedAt.After(now.Add(5 * time.Minute)): // allow for clock skew of a phone
		v.Add("recorded_at", "registry.consent.recorded_future", "Consent cannot be recorded in the future.")
	}
	if c.ExpiresAt != nil && !c.ExpiresAt.After(c.RecordedAt) {
		v.Add("expires_at", "registry.consent.expiry_before_recorded", "The expiry must be after the time the consent was given.")
	}
	if c.WithdrawnAt != nil {
		if c.WithdrawnAt.Before(c.RecordedAt) {
			v.Add("withdrawn_at", "registry.consent.withdrawn_before_recorded", "A consent cannot be withdrawn before it was given.")
		}
		if c.WithdrawnBy == "" {
			required(&v, "withdrawn_by")
		}
	}
	return v.Err()
}

// Withdraw records the withdrawal of the consent by user by at time at. A
// consent already withdrawn keeps its first withdrawal and Withdraw returns
// an ECONFLICT error.
func (c *Consent) Withdraw(by string, at time.Time) error {
	if c.WithdrawnAt != nil {
		return homeward.Errorf(homeward.ECONFLICT, "registry.consent.already_withdrawn", "This consent was already withdrawn.")
	}
	if by == "" {
		return homeward.FieldErrorf("withdrawn_by", "error.field.required", "This field is required.")
	}
	t := at
	c.WithdrawnAt, c.WithdrawnBy = &t, by
	return nil
}

// ActiveAt reports whether the consent, taken alone, is in force at t: given
// at or before t, not yet expired and not withdrawn at or before t.
func (c *Consent) ActiveAt(t time.Time) bool {
	return !c.RecordedAt.After(t) &&
		(c.ExpiresAt == nil || t.Before(*c.ExpiresAt)) &&
		(c.WithdrawnAt == nil || t.Before(*c.WithdrawnAt))
}

// matches reports whether the consent is for purpose and (for referrals)
// covers the recipient.
func (c *Consent) matches(purpose Purpose, to Recipient) bool {
	if c.Purpose != purpose {
		return false
	}
	return (purpose != PurposeReferral && !purpose.namesPartner()) || c.Recipient.covers(to)
}

// ConsentValid answers the question other capabilities ask before using or
// sharing a person's data: is there consent in force at time at for purpose
// and, for referrals, for recipient to (give both the organisation's id and
// its type)? It returns the consent relied on.
//
// The rules:
//   - a consent is in force from RecordedAt until ExpiresAt (exclusive) or
//     its withdrawal, whichever is first;
//   - for referrals a consent naming an organisation covers only that
//     organisation; one naming a type covers every organisation of that type;
//     for other purposes the recipient is ignored;
//   - a withdrawal also ends every earlier consent that the withdrawn one
//     overlapped: withdrawing "referral to NGOs" ends an earlier consent for
//     one named NGO, and withdrawing consent for one NGO ends it for that NGO
//     even under an earlier type-level consent. A consent given after the
//     withdrawal is fresh and counts.
//
// When several consents qualify, the one expiring last (never-expiring first)
// is returned.
func ConsentValid(consents []Consent, purpose Purpose, to Recipient, at time.Time) (Consent, bool) {
	// The latest withdrawal at or before at among consents covering the recipient.
	var cutoff time.Time
	for i := range consents {
		c := &consents[i]
		if c.WithdrawnAt != nil && !c.WithdrawnAt.After(at) && c.matches(purpose, to) && c.WithdrawnAt.After(cutoff) {
			cutoff = *c.WithdrawnAt
		}
	}
	var best *Consent
	for i := range consents {
		c := &consents[i]
		if !c.matches(purpose, to) || !c.ActiveAt(at) {
			continue
		}
		if !cutoff.IsZero() && c.RecordedAt.Before(cutoff) {
			continue
		}
		if best == nil || laterExpiry(c.ExpiresAt, best.ExpiresAt) {
			best = c
		}
	}
	if best == nil {
		return Consent{}, false
	}
	return *best, true
}

// laterExpiry reports whether expiry a is later than b; nil means never.
func laterExpiry(a, b *time.Time) bool {
	switch {
	case a == nil:
		return b != nil
	case b == nil:
		return false
	}
	return a.After(*b)
}

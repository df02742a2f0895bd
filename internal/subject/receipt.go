package subject

import (
	"context"
	"time"

	"homeward"
	"homeward/internal/country"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/registry"
)

// A consent receipt is what the returnee takes home when they give or
// withdraw a consent: printable in their language, and as JSON with the
// fields of a consent record after ISO/IEC TS 27560 (which grew from the
// Kantara Consent Receipt).

// Receipt27560 is the JSON receipt. Field names follow ISO/IEC TS 27560's
// consent record information elements.
type Receipt27560 struct {
	SchemaVersion   string           `json:"schemaVersion"`
	RecordID        string           `json:"recordId"`
	PIIPrincipalID  string           `json:"piiPrincipalId"`
	PIIControllers  []ReceiptParty   `json:"piiControllers"`
	Purposes        []ReceiptPurpose `json:"purposes"`
	Notice          ReceiptNotice    `json:"notice"`
	Event           []ReceiptEvent   `json:"event"`
	CollectionMode  string           `json:"collectionMethod"`
	Witness         string           `json:"witness,omitempty"`
	Jurisdiction    string           `json:"jurisdiction"`
	ConsentStatus   string           `json:"consentStatus"`
	ValidUntil      *time.Time       `json:"validUntil,omitempty"`
	Recipients      []ReceiptParty   `json:"piiRecipients,omitempty"`
	Language        string           `json:"language"`
	GeneratedAt     time.Time        `json:"generatedAt"`
	CanWithdrawHow  string           `json:"withdrawalMethod"`
	LawfulBasis     string           `json:"lawfulBasis"`
	ProcessingScope string           `json:"processing"`
}

// ReceiptParty is a controller or a recipient.
type ReceiptParty struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

// ReceiptPurpose is the purpose consented to.
type ReceiptPurpose struct {
	PurposeID   string `json:"purposeId"`
	Description string `json:"purpose"`
}

// ReceiptNotice is the notice read to the person.
type ReceiptNotice struct {
	Language string `json:"language"`
	Text     string `json:"text"`
}

// ReceiptEvent is the consent given or withdrawn.
type ReceiptEvent struct {
	Time  time.Time `json:"eventTime"`
	Type  string    `json:"eventType"` // given | withdrawn
	Actor string    `json:"eventBy"`   // the staff member who recorded it
}

// Receipt is one consent of a person, with what its receipt shows.
type Receipt struct {
	Record    *registry.Record
	Consent   *registry.Consent
	Org       homeward.Organisation // the controller
	Recipient *homeward.Organisation
	Language  string
	Status    string            // given | withdrawn | expired
	Names     map[string]string // staff who recorded and withdrew it
}

// LoadReceipt finds consent cid of person id as the actor in ctx may read
// it, and records the read (producing a receipt opens the record).
// language chooses the receipt's language from the record.
func LoadReceipt(ctx context.Context, svc httpx.Services, id, cid string, now time.Time, language func(*registry.Record) string) (*Receipt, error) {
	rec, err := svc.Registry.FindRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	var c *registry.Consent
	for i := range rec.Consents {
		if rec.Consents[i].ID == cid {
			c = &rec.Consents[i]
		}
	}
	if c == nil {
		return nil, homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	if err := svc.Audit.RecordRead(ctx, homeward.RecordRead{Action: "person.read", RecordType: "person", RecordID: id, OrgID: rec.Person.OrgID,
		Detail: map[string]any{"via": "consent_receipt", "consent_id": cid}}); err != nil {
		return nil, err
	}
	out := &Receipt{Record: rec, Consent: c, Org: homeward.Organisation{ID: c.OrgID}, Language: language(rec), Status: "given", Names: map[string]string{}}
	if o, err := svc.Orgs.FindOrganisationByID(ctx, c.OrgID); err == nil {
		out.Org = *o
	}
	if c.Recipient.OrgID != "" {
		if o, err := svc.Orgs.FindOrganisationByID(ctx, c.Recipient.OrgID); err == nil {
			out.Recipient = o
		}
	}
	var ids []string
	for _, u := range []string{c.RecordedBy, c.WithdrawnBy} {
		if u != "" && u != "system" {
			ids = append(ids, u)
		}
	}
	if len(ids) > 0 {
		if found, err := svc.Users.UserNames(ctx, ids); err == nil {
			out.Names = found
		}
	}
	if c.WithdrawnAt != nil {
		out.Status = "withdrawn"
	} else if !c.ActiveAt(now) {
		out.Status = "expired"
	}
	return out, nil
}

// Notice is the text the person was told of the consent's purpose, in
// r.Language: the default of the organisation's country pack when it has
// one in that language, else the message catalog's.
func (r *Receipt) Notice() string {
	return ConsentNotice(r.Language, r.Org.Country, string(r.Consent.Purpose))
}

// ConsentNotice is the default text of a consent purpose in lng for an
// organisation of countryCode (see country.Pack.ConsentTexts).
func ConsentNotice(lng, countryCode, purpose string) string {
	if p := country.Lookup(countryCode); p != nil {
		if t := p.ConsentText(purpose, i18n.Base(lng)); t != "" {
			return t
		}
	}
	return i18n.T(lng, "consent.receipt.notice."+purpose, nil)
}

// CaseNumber is the person's case number (the principal's id on the
// receipt), or "".
func (r *Receipt) CaseNumber() string {
	if r.Record.Case != nil {
		return r.Record.Case.Number
	}
	return ""
}

// JSON is the receipt after ISO/IEC TS 27560, in r.Language.
func (r *Receipt) JSON(now time.Time) *Receipt27560 {
	c, lng := r.Consent, r.Language
	out := &Receipt27560{SchemaVersion: "ISO/IEC TS 27560:2023 (information elements); Homeward consent receipt 1", RecordID: c.ID,
		PIIPrincipalID: r.CaseNumber(), PIIControllers: []ReceiptParty{{ID: r.Org.ID, Name: r.Org.Name, Type: string(r.Org.Type)}},
		Purposes:       []ReceiptPurpose{{PurposeID: string(c.Purpose), Description: purposeName(lng, string(c.Purpose))}},
		Notice:         ReceiptNotice{Language: lng, Text: r.Notice()},
		CollectionMode: string(c.Method), Witness: c.Witness, Jurisdiction: r.Org.Country, ConsentStatus: r.Status, ValidUntil: c.ExpiresAt,
		Language: lng, GeneratedAt: now.UTC(), CanWithdrawHow: i18n.T(lng, "consent.receipt.withdraw_how", nil),
		LawfulBasis: "consent", ProcessingScope: i18n.T(lng, "consent.receipt.processing", nil),
		Event: []ReceiptEvent{{Time: c.RecordedAt, Type: "given", Actor: r.Names[c.RecordedBy]}}}
	if c.WithdrawnAt != nil {
		out.Event = append(out.Event, ReceiptEvent{Time: *c.WithdrawnAt, Type: "withdrawn", Actor: r.Names[c.WithdrawnBy]})
	}
	if c.Recipient.OrgID != "" || c.Recipient.OrgType != "" {
		rp := ReceiptParty{ID: c.Recipient.OrgID, Type: c.Recipient.OrgType}
		if r.Recipient != nil {
			rp.Name = r.Recipient.Name
		}
		out.Recipients = []ReceiptParty{rp}
	}
	return out
}

func purposeName(lng, purpose string) string {
	if key := "registry.purpose." + purpose; i18n.Has(key) {
		return i18n.T(lng, key, nil)
	}
	return purpose
}

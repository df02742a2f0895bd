package web

import (
	"encoding/json"
	"net/http"
	"time"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/registry"
)

// A consent receipt is what the returnee takes home when they give or
// withdraw a consent: printable in their language, and as JSON with the
// fields of a consent record after ISO/IEC TS 27560 (which grew from the
// Kantara Consent Receipt).

// receipt27560 is the JSON receipt. Field names follow ISO/IEC TS 27560's
// consent record information elements.
type receipt27560 struct {
	SchemaVersion   string           `json:"schemaVersion"`
	RecordID        string           `json:"recordId"`
	PIIPrincipalID  string           `json:"piiPrincipalId"`
	PIIControllers  []receiptParty   `json:"piiControllers"`
	Purposes        []receiptPurpose `json:"purposes"`
	Notice          receiptNotice    `json:"notice"`
	Event           []receiptEvent   `json:"event"`
	CollectionMode  string           `json:"collectionMethod"`
	Witness         string           `json:"witness,omitempty"`
	Jurisdiction    string           `json:"jurisdiction"`
	ConsentStatus   string           `json:"consentStatus"`
	ValidUntil      *time.Time       `json:"validUntil,omitempty"`
	Recipients      []receiptParty   `json:"piiRecipients,omitempty"`
	Language        string           `json:"language"`
	GeneratedAt     time.Time        `json:"generatedAt"`
	CanWithdrawHow  string           `json:"withdrawalMethod"`
	LawfulBasis     string           `json:"lawfulBasis"`
	ProcessingScope string           `json:"processing"`
}

type receiptParty struct {
	ID   string `json:"id,omitempty"`
	Name string `json:"name,omitempty"`
	Type string `json:"type,omitempty"`
}

type receiptPurpose struct {
	PurposeID   string `json:"purposeId"`
	Description string `json:"purpose"`
}

type receiptNotice struct {
	Language string `json:"language"`
	Text     string `json:"text"`
}

type receiptEvent struct {
	Time  time.Time `json:"eventTime"`
	Type  string    `json:"eventType"` // given | withdrawn
	Actor string    `json:"eventBy"`   // the staff member who recorded it
}

// receiptView is the printable receipt.
type receiptView struct {
	Org, Person, CaseNumber, Purpose, Notice, Method, Witness, Recorded, Withdrawn, Expires, Recipient, ID, Status string
}

// consentReceipt shows the receipt of one consent of a person, in the
// returnee's language (their first supported language, or ?lang=), or as
// JSON (?format=json). Producing it opens the record: an audited read.
func (w *Web) consentReceipt(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	cid := r.PathValue("cid")
	ctx := r.Context()
	rec, err := w.svc.Registry.FindRecord(ctx, id)
	if err != nil {
		return err
	}
	var c *registry.Consent
	for i := range rec.Consents {
		if rec.Consents[i].ID == cid {
			c = &rec.Consents[i]
		}
	}
	if c == nil {
		return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	if err := w.svc.Audit.RecordRead(ctx, homeward.RecordRead{Action: "person.read", RecordType: "person", RecordID: id, OrgID: rec.Person.OrgID,
		Detail: map[string]any{"via": "consent_receipt", "consent_id": cid}}); err != nil {
		return err
	}
	lng := r.URL.Query().Get("lang")
	if !i18n.Supported(lng) {
		lng = lang(r)
		for _, l := range rec.Person.Languages {
			if i18n.Supported(l) {
				lng = l
				break
			}
		}
	}
	org := homeward.Organisation{ID: c.OrgID}
	if o, err := w.svc.Orgs.FindOrganisationByID(ctx, c.OrgID); err == nil {
		org = *o
	}
	names := w.userNames(r)
	w.addNames(r, names, c.RecordedBy, c.WithdrawnBy)
	purpose := label(lng, "registry.purpose", string(c.Purpose))
	notice := i18n.T(lng, "consent.receipt.notice."+string(c.Purpose), nil)
	status := "given"
	if c.WithdrawnAt != nil {
		status = "withdrawn"
	} else if !c.ActiveAt(w.clock(r).Time()) {
		status = "expired"
	}
	caseNumber := ""
	if rec.Case != nil {
		caseNumber = rec.Case.Number
	}
	if r.URL.Query().Get("format") == "json" {
		out := receipt27560{SchemaVersion: "ISO/IEC TS 27560:2023 (information elements); Homeward consent receipt 1", RecordID: c.ID,
			PIIPrincipalID: caseNumber, PIIControllers: []receiptParty{{ID: org.ID, Name: org.Name, Type: string(org.Type)}},
			Purposes: []receiptPurpose{{PurposeID: string(c.Purpose), Description: purpose}}, Notice: receiptNotice{Language: lng, Text: notice},
			CollectionMode: string(c.Method), Witness: c.Witness, Jurisdiction: org.Country, ConsentStatus: status, ValidUntil: c.ExpiresAt,
			Language: lng, GeneratedAt: w.clock(r).Time().UTC(), CanWithdrawHow: i18n.T(lng, "consent.receipt.withdraw_how", nil),
			LawfulBasis: "consent", ProcessingScope: i18n.T(lng, "consent.receipt.processing", nil),
			Event: []receiptEvent{{Time: c.RecordedAt, Type: "given", Actor: names[c.RecordedBy]}}}
		if c.WithdrawnAt != nil {
			out.Event = append(out.Event, receiptEvent{Time: *c.WithdrawnAt, Type: "withdrawn", Actor: names[c.WithdrawnBy]})
		}
		if c.Recipient.OrgID != "" || c.Recipient.OrgType != "" {
			rp := receiptParty{ID: c.Recipient.OrgID, Type: c.Recipient.OrgType}
			if o, err := w.svc.Orgs.FindOrganisationByID(ctx, c.Recipient.OrgID); err == nil {
				rp.Name = o.Name
			}
			out.Recipients = []receiptParty{rp}
		}
		rw.Header().Set("Content-Type", "application/json")
		rw.Header().Set("Content-Disposition", `attachment; filename="consent-receipt-`+c.ID+`.json"`)
		enc := json.NewEncoder(rw)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	loc := w.clock(r).Location()
	person := rec.Person.DisplayName()
	if n := rec.Person.FullNameNative; n != "" && n != person {
		person = n + " — " + person
	}
	v := &receiptView{Org: org.Name, Person: person, CaseNumber: caseNumber, Purpose: purpose, Notice: notice,
		Method: label(lng, "registry.method", string(c.Method)), Witness: c.Witness, ID: c.ID,
		Recorded: i18n.T(lng, "consent.receipt.by_at", map[string]any{"by": names[c.RecordedBy], "at": timeText(lng, loc, c.RecordedAt)}),
		Status:   i18n.T(lng, "consent.receipt.status."+status, nil)}
	if c.WithdrawnAt != nil {
		v.Withdrawn = i18n.T(lng, "consent.receipt.by_at", map[string]any{"by": names[c.WithdrawnBy], "at": timeText(lng, loc, *c.WithdrawnAt)})
	}
	if c.ExpiresAt != nil {
		v.Expires = timeText(lng, loc, *c.ExpiresAt)
	}
	if c.Recipient.OrgID != "" {
		if o, err := w.svc.Orgs.FindOrganisationByID(ctx, c.Recipient.OrgID); err == nil {
			v.Recipient = o.Name
		}
	} else if c.Recipient.OrgType != "" {
		v.Recipient = i18n.T(lng, "orgtype."+c.Recipient.OrgType, nil)
	}
	p := w.newPage(r, "consent.receipt.title", v)
	p.Lang = lng
	return w.render(rw, http.StatusOK, "consent_receipt", p)
}

package web

import (
	"encoding/json"
	"net/http"

	"homeward/internal/i18n"
	"homeward/internal/registry"
	"homeward/internal/subject"
)

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
	language := func(rec *registry.Record) string {
		if l := r.URL.Query().Get("lang"); i18n.Supported(l) {
			return l
		}
		for _, l := range rec.Person.Languages {
			if i18n.Supported(l) {
				return l
			}
		}
		return lang(r)
	}
	now := w.clock(r).Time()
	rc, err := subject.LoadReceipt(r.Context(), w.svc, id, r.PathValue("cid"), now, language)
	if err != nil {
		return err
	}
	if r.URL.Query().Get("format") == "json" {
		rw.Header().Set("Content-Type", "application/json")
		rw.Header().Set("Content-Disposition", `attachment; filename="consent-receipt-`+rc.Consent.ID+`.json"`)
		enc := json.NewEncoder(rw)
		enc.SetIndent("", "  ")
		return enc.Encode(rc.JSON(now))
	}
	rec, c, lng, names := rc.Record, rc.Consent, rc.Language, rc.Names
	loc := w.clock(r).Location()
	person := rec.Person.DisplayName()
	if n := rec.Person.FullNameNative; n != "" && n != person {
		person = n + " — " + person
	}
	v := &receiptView{Org: rc.Org.Name, Person: person, CaseNumber: rc.CaseNumber(), Purpose: label(lng, "registry.purpose", string(c.Purpose)),
		Notice: rc.Notice(),
		Method: label(lng, "registry.method", string(c.Method)), Witness: c.Witness, ID: c.ID,
		Recorded: i18n.T(lng, "consent.receipt.by_at", map[string]any{"by": names[c.RecordedBy], "at": timeText(lng, loc, c.RecordedAt)}),
		Status:   i18n.T(lng, "consent.receipt.status."+rc.Status, nil)}
	if c.WithdrawnAt != nil {
		v.Withdrawn = i18n.T(lng, "consent.receipt.by_at", map[string]any{"by": names[c.WithdrawnBy], "at": timeText(lng, loc, *c.WithdrawnAt)})
	}
	if c.ExpiresAt != nil {
		v.Expires = timeText(lng, loc, *c.ExpiresAt)
	}
	if rc.Recipient != nil {
		v.Recipient = rc.Recipient.Name
	} else if c.Recipient.OrgType != "" {
		v.Recipient = i18n.T(lng, "orgtype."+c.Recipient.OrgType, nil)
	}
	p := w.newPage(r, "consent.receipt.title", v)
	p.Lang = lng
	return w.render(rw, http.StatusOK, "consent_receipt", p)
}

package web_test

import (
	"encoding/json"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/registry"
)

// A consent receipt prints in the returnee's language and downloads as
// JSON with the ISO/IEC TS 27560 elements; it shows a withdrawal; another
// organisation cannot produce it; producing it is an audited read.
func TestConsentReceipt(t *testing.T) {
	b, w := newBrowser(t)
	rec := register(t, w, "Rahima", "Begum", "রহিমা বেগম", "01712345678")
	pid, org := rec.Person.ID, rec.Person.OrgID
	cwCtx := w.Ctx("ngo", homeward.RoleCaseWorker)
	// She speaks Bangla.
	person := rec.Person
	person.Languages = []string{"bn"}
	if _, err := w.DB.UpdatePerson(cwCtx, pid, rec.Version, registry.PersonUpdate{Person: &person}); err != nil {
		t.Fatal(err)
	}
	var consentID string
	for _, c := range rec.Consents {
		if c.Purpose == "referral" {
			consentID = c.ID
		}
	}
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, personPage := cw.get("/people/" + pid)
	if !strings.Contains(personPage, "/consents/"+consentID+"/receipt") {
		t.Fatal("the person page has no receipt link")
	}
	status, page := cw.get("/people/" + pid + "/consents/" + consentID + "/receipt")
	if status != 200 || !strings.Contains(page, `lang="bn"`) || !strings.Contains(page, "সম্মতির রসিদ") || !strings.Contains(page, "রহিমা বেগম") {
		t.Fatalf("receipt in Bangla: %d\n%s", status, page[strings.Index(page, "<main"):])
	}
	if _, page := cw.get("/people/" + pid + "/consents/" + consentID + "/receipt?lang=en"); !strings.Contains(page, "Consent receipt") || !strings.Contains(page, "It is in force") {
		t.Errorf("receipt in English:\n%.1500s", page)
	}
	if err := w.DB.WithdrawConsent(cwCtx, consentID); err != nil {
		t.Fatal(err)
	}
	status, js := cw.get("/people/" + pid + "/consents/" + consentID + "/receipt?format=json")
	var got map[string]any
	if status != 200 || json.Unmarshal([]byte(js), &got) != nil {
		t.Fatalf("JSON receipt: %d %s", status, js)
	}
	for _, k := range []string{"recordId", "piiPrincipalId", "piiControllers", "purposes", "notice", "event", "collectionMethod", "consentStatus", "jurisdiction", "lawfulBasis"} {
		if _, ok := got[k]; !ok {
			t.Errorf("JSON receipt lacks %s", k)
		}
	}
	if got["consentStatus"] != "withdrawn" || len(got["event"].([]any)) != 2 || got["recordId"] != consentID {
		t.Errorf("JSON receipt: %s", js)
	}
	// Another organisation, and an unknown consent, find nothing.
	other := b.as(w, "operator", homeward.RoleCaseWorker)
	if status, _ := other.get("/people/" + pid + "/consents/" + consentID + "/receipt"); status != 404 && status != 403 {
		t.Errorf("another organisation's receipt: %d", status)
	}
	if status, _ := cw.get("/people/" + pid + "/consents/00000000-0000-7000-8000-000000000000/receipt"); status != 404 {
		t.Errorf("unknown consent: %d", status)
	}
	action := "person.read"
	evs, _, err := w.DB.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{OrgID: &org, Action: &action, Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	receipts := 0
	for _, e := range evs {
		if strings.Contains(e.Detail, "consent_receipt") {
			receipts++
		}
	}
	if receipts != 3 {
		t.Errorf("%d receipt reads audited, want 3", receipts)
	}
}

package web_test

import (
	"crypto/ed25519"
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/handoff"
	"homeward/internal/registry"
)

// The pages added for issue 20's remainder: an administrator suspends
// and resumes a partner; the arrivals page shows the pre-departure
// assessments an announcement carried, as data, and records the
// person's consent that the score band goes back — in English and
// Bangla.
func TestHandoffSuspendAndFeedbackConsent(t *testing.T) {
	b, w := newBrowser(t)
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = 7
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
	partner := &handoff.Partner{Name: "Istanbul Return Counselling", Country: "TR", BaseURL: "https://tr.example", Fields: []string{"name", "passport", "assessments"},
		SendOrgs: []string{w.NGO.ID}, ReceiveOrg: w.NGO.ID}
	if err := w.DB.RegisterPartner(w.Ctx("operator", homeward.RoleAdministrator), partner, handoff.EncodePublicKey(pub), handoff.Fingerprint(pub)); err != nil {
		t.Fatal(err)
	}

	// Suspend and resume, administrators of the operator only.
	admin := b.as(w, "operator", homeward.RoleAdministrator)
	_, page := admin.get("/partners")
	if !strings.Contains(page, `id="suspend-`+partner.ID+`"`) {
		t.Fatalf("no suspend button:\n%.2000s", page)
	}
	token := csrf(t, page)
	if status, _ := b.as(w, "ngo", homeward.RoleCaseWorker).post("/partners/"+partner.ID+"/status", url.Values{"csrf_token": {token}, "status": {"suspended"}}); status != 403 {
		t.Errorf("a case worker suspended a partner: %d", status)
	}
	status, page := admin.post("/partners/"+partner.ID+"/status", url.Values{"csrf_token": {token}, "status": {"suspended"}})
	if status != 200 || !strings.Contains(page, "The partner is suspended") || !strings.Contains(page, `id="resume-`+partner.ID+`"`) {
		t.Fatalf("suspending: %d\n%.2000s", status, page)
	}
	if status, page := admin.post("/partners/"+partner.ID+"/status", url.Values{"csrf_token": {token}, "status": {"suspended"}}); status != 409 || !strings.Contains(page, "already has this status") {
		t.Errorf("suspending twice: %d\n%.1500s", status, page)
	}
	if status, page := admin.post("/partners/"+partner.ID+"/status", url.Values{"csrf_token": {token}, "status": {"active"}}); status != 200 || !strings.Contains(page, "active again") {
		t.Fatalf("resuming: %d\n%.1500s", status, page)
	}

	// An arrival with a pre-departure assessment.
	composite := 0.71
	env := &handoff.Envelope{Type: handoff.TypeAnnouncement, ID: homeward.NewID(), SentAt: w.DB.Now(), Announcement: &handoff.Announcement{
		SenderOrg: "Istanbul Return Counselling", TravelDate: homewardtest.Today(w.DB, 0), PortOfEntry: "BD-DAC", Fields: []string{"name", "passport", "assessments"},
		Person: handoff.Person{GivenName: "Karim", FamilyName: "Mia", Passport: "EB7654321"},
		Assessments: []handoff.Assessment{{FormID: "rss", FormVersion: "1", Title: "Reintegration sustainability survey", AnsweredOn: homewardtest.Today(w.DB, -3), Round: "baseline",
			Answers: map[string]any{"food_security": "sometimes_hungry", "debt_months": 4}, Score: &handoff.Score{Composite: &composite}}}}}
	if _, err := w.DB.ReceiveHandoff(homewardtest.SystemCtx(), partner, handoff.KeyID(pub), env); err != nil {
		t.Fatal(err)
	}
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page = cw.get("/arrivals")
	for _, want := range []string{"Reintegration sustainability survey", "score 0.71", "food_security", "sometimes_hungry"} {
		if !strings.Contains(page, want) {
			t.Errorf("the arrivals page lacks %q\n%s", want, page[strings.Index(page, "<main"):])
		}
	}
	as, _ := w.DB.Arrivals(w.Ctx("ngo", homeward.RoleCaseWorker), "", "")
	id := as[0].ID
	if strings.Contains(page, `id="feedback-consent-`+id+`"`) {
		t.Error("the feedback consent is offered before the arrival is accepted")
	}
	if status, page := cw.post("/arrivals/"+id+"/feedback-consent", url.Values{"csrf_token": {csrf(t, page)}, "method": {"signed_form"}}); status != 409 {
		t.Errorf("feedback consent before acceptance: %d\n%.1500s", status, page)
	}
	accepted, err := w.DB.DecideArrival(w.Ctx("ngo", homeward.RoleCaseWorker), id, true)
	if err != nil {
		t.Fatal(err)
	}
	_, page = cw.get("/arrivals")
	if !strings.Contains(page, `id="feedback-consent-`+id+`"`) {
		t.Fatalf("no feedback consent form on the accepted arrival:\n%.3000s", page)
	}
	if status, page := cw.post("/arrivals/"+id+"/feedback-consent", url.Values{"csrf_token": {csrf(t, page)}, "method": {"verbal_with_witness"}}); status != 400 || !strings.Contains(page, "witness") {
		t.Errorf("verbal consent without a witness: %d\n%.1500s", status, page)
	}
	if status, page := cw.post("/arrivals/"+id+"/feedback-consent", url.Values{"csrf_token": {csrf(t, page)}, "method": {"signed_form"}}); status != 200 || !strings.Contains(page, "Consent recorded: the score band") || strings.Contains(page, `id="feedback-consent-`+id+`"`) {
		t.Fatalf("feedback consent: %d\n%.2000s", status, page)
	}
	if ok, err := w.DB.HasConsent(w.Ctx("ngo", homeward.RoleCaseWorker), accepted.PersonID, registry.PurposeHandoffFeedback, registry.Recipient{Partner: partner.ID}); !ok || err != nil {
		t.Errorf("the consent was not recorded for the partner: %v %v", ok, err)
	}

	// The sending side: the band the partner sent back shows on the case.
	rec := register(t, w, "Rahima", "Begum", "", "01712345678")
	if err := w.DB.RecordConsent(w.Ctx("ngo", homeward.RoleCaseWorker), rec.Person.ID, &registry.Consent{Purpose: registry.PurposeHandoff, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{Partner: partner.ID}, Fields: []string{"name"}}); err != nil {
		t.Fatal(err)
	}
	out, err := w.DB.AnnounceReturn(w.Ctx("ngo", homeward.RoleCaseWorker), rec.Person.ID, handoff.AnnounceInput{PartnerID: partner.ID, TravelDate: homewardtest.Today(w.DB, 2), PortOfEntry: "BD-DAC"})
	if err != nil {
		t.Fatal(err)
	}
	band := &handoff.Envelope{Type: handoff.TypeFeedback, ID: homeward.NewID(), SentAt: w.DB.Now(), Feedback: &handoff.Feedback{AnnouncementID: out.ID,
		Status: handoff.StatusSustainability, At: w.DB.Now(), Milestone: 6, Band: handoff.BandHigh}}
	if _, err := w.DB.ReceiveHandoff(homewardtest.SystemCtx(), partner, handoff.KeyID(pub), band); err != nil {
		t.Fatal(err)
	}
	if _, page := cw.get("/people/" + rec.Person.ID + "/handoff"); !strings.Contains(page, "Sustainability score at 6 months: high") {
		t.Errorf("the band is not on the sender's case:\n%.3000s", page[strings.Index(page, "<main"):])
	}

	cw.get("/lang?to=bn&back=/arrivals")
	_, page = cw.get("/arrivals")
	for _, english := range []string{"The person agreed that the band", "answered", "Record this consent"} {
		if strings.Contains(page, english) {
			t.Errorf("the Bangla arrivals page shows %q", english)
		}
	}
	if _, page := cw.get("/people/" + rec.Person.ID + "/handoff"); !strings.Contains(page, "৬ মাসে টেকসইতা স্কোর: উচ্চ") {
		t.Error("the band is not in Bangla on the sender's case")
	}
}

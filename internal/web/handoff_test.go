package web_test

import (
	"crypto/ed25519"
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/handoff"
)

// The handoff pages: an operator administrator registers a partner by
// its key and the fingerprint read over the phone; a case worker records
// the person's handoff consent and announces the return, and sees it in
// the delivery log; the receiving organisation finds an announced
// arrival by passport, accepts it into a case, and tells the partner the
// person arrived — in English and in Bangla.
func TestHandoffPages(t *testing.T) {
	b, w := newBrowser(t)
	seed := make([]byte, ed25519.SeedSize)
	seed[0] = 42
	pub := ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)

	admin := b.as(w, "operator", homeward.RoleAdministrator)
	_, page := admin.get("/partners")
	own, err := w.DB.HandoffInstanceKey(w.Ctx("operator", homeward.RoleAdministrator))
	if err != nil || !strings.Contains(page, own.Fingerprint) || !strings.Contains(page, `id="partner-form"`) {
		t.Fatalf("partners page lacks our fingerprint or the form: %v\n%.1500s", err, page)
	}
	form := url.Values{"csrf_token": {csrf(t, page)}, "name": {"Istanbul Return Counselling"}, "country": {"TR"}, "base_url": {"https://tr.example"},
		"public_key": {handoff.EncodePublicKey(pub)}, "fingerprint": {"0000 0000"}, "fields": {"name", "sex", "passport"},
		"send_orgs": {w.NGO.ID}, "receive_org": {w.NGO.ID}}
	if status, page := admin.post("/partners", form); status != 400 || !strings.Contains(page, "The fingerprint does not match the key") || !strings.Contains(page, `value="Istanbul Return Counselling"`) {
		t.Fatalf("a wrong fingerprint: %d\n%.1500s", status, page)
	}
	form.Set("fingerprint", handoff.Fingerprint(pub))
	if status, page := admin.post("/partners", form); status != 200 || !strings.Contains(page, "The partner is registered") || !strings.Contains(page, "Istanbul Return Counselling") {
		t.Fatalf("registration: %d\n%.1500s", status, page)
	}
	if status, _ := b.as(w, "ngo", homeward.RoleAdministrator).get("/partners"); status != 403 {
		t.Errorf("an NGO administrator opened the partners page: %d", status)
	}
	ps, _ := w.DB.Partners(w.Ctx("operator", homeward.RoleAdministrator))
	partner := ps[0]

	// The sending side: consent first, then the announcement.
	rec := register(t, w, "Rahima", "Begum", "", "01712345678")
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	if _, page := cw.get("/people/" + rec.Person.ID); !strings.Contains(page, `id="person-handoff"`) {
		t.Error("the person page has no link to the handoff")
	}
	_, page = cw.get("/people/" + rec.Person.ID + "/handoff")
	token := csrf(t, page)
	announce := url.Values{"csrf_token": {token}, "partner_id": {partner.ID}, "travel_date": {homewardtest.Today(w.DB, 5)}, "port_of_entry": {"BD-DAC"}, "needs": {"Shelter"}}
	if status, page := cw.post("/people/"+rec.Person.ID+"/handoff", announce); status != 403 || !strings.Contains(page, "has not agreed") {
		t.Fatalf("announcing without consent: %d\n%.1500s", status, page)
	}
	if status, page := cw.post("/people/"+rec.Person.ID+"/handoff/consent", url.Values{"csrf_token": {token}, "partner": {partner.ID}, "method": {"signed_form"}}); status != 400 || !strings.Contains(page, "Choose at least one part of the record") {
		t.Fatalf("a consent without fields: %d\n%.1500s", status, page)
	}
	if status, page := cw.post("/people/"+rec.Person.ID+"/handoff/consent", url.Values{"csrf_token": {token}, "partner": {partner.ID}, "method": {"signed_form"}, "fields": {"name", "phone"}}); status != 200 || !strings.Contains(page, "Consent recorded") {
		t.Fatalf("consent: %d\n%.1500s", status, page)
	}
	status, page := cw.post("/people/"+rec.Person.ID+"/handoff", announce)
	if status != 200 || !strings.Contains(page, "signed and waiting") || !strings.Contains(page, `id="handoff-log"`) || !strings.Contains(page, "Waiting to be delivered") {
		t.Fatalf("announcing: %d\n%.2000s", status, page)
	}
	// Only the name went: the consent also named the phone, which the
	// agreement does not cover.
	log, _ := w.DB.HandoffLog(w.Ctx("ngo", homeward.RoleCaseWorker), rec.Case.ID)
	if len(log) != 1 || strings.Join(log[0].Envelope.Announcement.Fields, ",") != "name" {
		t.Fatalf("log: %+v", log)
	}

	// The receiving side: an arrival the partner announced.
	env := &handoff.Envelope{Type: handoff.TypeAnnouncement, ID: homeward.NewID(), SentAt: w.DB.Now(), Announcement: &handoff.Announcement{
		SenderOrg: "Istanbul Return Counselling", TravelDate: homewardtest.Today(w.DB, 0), PortOfEntry: "Dhaka airport", Fields: []string{"name", "sex", "passport"},
		Person: handoff.Person{GivenName: "Karim", FamilyName: "Mia", Sex: "male", Passport: "EB7654321"}, Needs: "Wheelchair at the gate", Urgent: true}}
	if _, err := w.DB.ReceiveHandoff(homewardtest.SystemCtx(), &partner, handoff.KeyID(pub), env); err != nil {
		t.Fatal(err)
	}
	_, page = cw.get("/arrivals?q=EB+7654321")
	if !strings.Contains(page, "Karim Mia") || !strings.Contains(page, "Wheelchair at the gate") || !strings.Contains(page, "Urgent") {
		t.Fatalf("arrivals by passport:\n%.2000s", page)
	}
	if _, page := cw.get("/arrivals?q=Someone+Else"); strings.Contains(page, "Karim Mia") {
		t.Error("another name finds the arrival")
	}
	as, _ := w.DB.Arrivals(w.Ctx("ngo", homeward.RoleCaseWorker), "", "")
	status, page = cw.post("/arrivals/"+as[0].ID+"/decide", url.Values{"csrf_token": {csrf(t, page)}, "decision": {"accept"}})
	if status != 200 || !strings.Contains(page, "an incomplete case is open") || !strings.Contains(page, "Karim") {
		i := strings.Index(page, "<main")
		t.Fatalf("accepting: %d\n%.1500s", status, page[max(i, 0):])
	}
	_, page = cw.get("/arrivals")
	if status, page := cw.post("/arrivals/"+as[0].ID+"/feedback", url.Values{"csrf_token": {csrf(t, page)}, "status": {"arrived"}}); status != 200 || !strings.Contains(page, "Arrived: met at reception") || strings.Contains(page, `id="arrived-`+as[0].ID+`"`) {
		t.Fatalf("feedback: %d\n%.2000s", status, page)
	}

	// Bangla.
	cw.get("/lang?to=bn&back=/arrivals")
	for _, path := range []string{"/arrivals", "/people/" + rec.Person.ID + "/handoff"} {
		_, page := cw.get(path)
		for _, english := range []string{"Expected arrivals", "Cross-border handoff", "Announcements and delivery log", "Passport number", "Waiting to be delivered", "Arrived: met"} {
			if strings.Contains(page, english) {
				t.Errorf("%s in Bangla shows %q", path, english)
			}
		}
	}
	if _, page := cw.get("/arrivals"); !strings.Contains(page, "বিদেশ থেকে প্রত্যাশিত আগমন") {
		t.Error("the Bangla arrivals page has no Bangla title")
	}
}

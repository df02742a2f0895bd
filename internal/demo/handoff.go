package demo

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"homeward"
	"homeward/internal/handoff"
	"homeward/internal/httpsig"
	"homeward/internal/sqldb"
)

// The demo's partner abroad: a host-country counselling service in
// Istanbul that prepares returns to Bangladesh. Its key comes from a
// fixed seed, so that the demo can sign its announcements the way its
// own instance would; they reach Shapla through the same checks as the
// inbox (signature, digest, replay cache, agreement).
var demoPartner = handoff.Partner{Name: "Istanbul Return Counselling Centre", Country: "TR", BaseURL: "https://returns.example.org.tr",
	Fields: []string{"name", "sex", "date_of_birth", "languages", "vulnerabilities", "passport"}}

func demoPartnerKey() ed25519.PrivateKey {
	seed := sha256.Sum256([]byte("homeward demo partner: Istanbul Return Counselling Centre"))
	return ed25519.NewKeyFromSeed(seed[:])
}

// demoArrivals are the returns it announced: days from today to the
// flight, and what Shapla did with each.
var demoArrivals = []struct {
	days                  int
	given, family, native string
	sex, born, passport   string
	vulns                 []string
	needs                 string
	urgent                bool
	decide                string // "", accept, decline
}{
	{0, "Rashida", "Khatun", "রাশিদা খাতুন", "female", "1992-06-14", "EE1234567", []string{"gbv_survivor"},
		"Counselled for three months in Istanbul after leaving an abusive employer; asked for a woman to meet her.", true, ""},
	{-4, "Abul", "Kalam", "আবুল কালাম", "male", "1985-01-20", "EB2345678", nil,
		"Trained as a tailor in Istanbul; wants to open a workshop in his village.", false, "accept"},
	{-2, "Jesmin", "Ara", "জেসমিন আরা", "female", "1998-09-03", "EC3456789", []string{"medical"},
		"Diabetic; carries a month of insulin.", false, "accept"},
	{-1, "Mohammad", "Selim", "মোহাম্মদ সেলিম", "male", "1990-03-11", "EA4567890", nil,
		"Will live with family in Sylhet.", false, "decline"},
	{9, "Nasima", "Begum", "নাসিমা বেগম", "female", "1988-12-01", "ED5678901", nil,
		"Travelling with two children.", false, ""},
}

func seedHandoff(ctx context.Context, db *sqldb.DB, w *World) error {
	shapla := w.Orgs["shapla"]
	admin := homeward.NewContextWithActor(ctx, actorOf(w, "admin@ministry.demo", w.Orgs["ministry"]))
	worker := homeward.NewContextWithActor(ctx, actorOf(w, "caseworker@shapla.demo", shapla))
	key := demoPartnerKey()
	pub := key.Public().(ed25519.PublicKey)
	p := demoPartner
	p.Fields = append([]string(nil), demoPartner.Fields...)
	p.SendOrgs, p.ReceiveOrg = []string{shapla.ID}, shapla.ID
	if err := db.RegisterPartner(admin, &p, handoff.EncodePublicKey(pub), handoff.Fingerprint(pub)); err != nil {
		return err
	}
	rc := &handoff.Receiver{Store: db, Now: db.Now}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	now := db.Now()
	today := now.In(db.Zone)
	for _, a := range demoArrivals {
		env := handoff.Envelope{Type: handoff.TypeAnnouncement, ID: homeward.NewID(), SentAt: now, Announcement: &handoff.Announcement{
			SenderOrg: p.Name, TravelDate: today.AddDate(0, 0, a.days).Format(time.DateOnly), PortOfEntry: "BD-DAC",
			Fields: []string{"name", "sex", "date_of_birth", "passport"},
			Person: handoff.Person{GivenName: a.given, FamilyName: a.family, NativeName: a.native, Sex: a.sex, DateOfBirth: a.born, Passport: a.passport},
			Needs:  a.needs, Urgent: a.urgent}}
		if len(a.vulns) > 0 {
			env.Announcement.Fields = append(env.Announcement.Fields, "vulnerabilities")
			env.Announcement.Person.Vulnerabilities = a.vulns
		}
		body, err := json.Marshal(env)
		if err != nil {
			return err
		}
		req, err := handoff.SignedRequest(ctx, &handoff.Outbound{ID: env.ID, URL: "http://demo.invalid" + handoff.InboxPath, Body: body, Key: key, KeyID: handoff.KeyID(pub)}, now)
		if err != nil {
			return err
		}
		if _, err := rc.Receive(sys, httpsig.Message{Method: req.Method, TargetURI: req.URL.String(), Header: req.Header}, body, handoff.Validity); err != nil {
			return fmt.Errorf("announcement of %s: %w", a.given, err)
		}
	}
	list, err := db.Arrivals(worker, handoff.ArrivalExpected, "")
	if err != nil {
		return err
	}
	for _, arr := range list {
		for _, a := range demoArrivals {
			if arr.Passport != a.passport || a.decide == "" {
				continue
			}
			if _, err := db.DecideArrival(worker, arr.ID, a.decide == "accept"); err != nil {
				return fmt.Errorf("decide on %s: %w", a.given, err)
			}
		}
	}
	return nil
}

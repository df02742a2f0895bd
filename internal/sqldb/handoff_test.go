package sqldb_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/handoff"
	"homeward/internal/httpsig"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// partnerKey is a fixed partner key for tests.
func partnerKey(seed byte) ed25519.PrivateKey {
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return ed25519.NewKeyFromSeed(s)
}

func pubOf(k ed25519.PrivateKey) ed25519.PublicKey { return k.Public().(ed25519.PublicKey) }

func TestHandoffPartners(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	admin := w.Ctx("operator", homeward.RoleAdministrator)
	ctx := context.Background()
	key := partnerKey(7)
	good := func() *handoff.Partner {
		return &handoff.Partner{Name: "Istanbul Return Counselling", Country: "TR", BaseURL: "https://tr.example", Fields: []string{"name", "sex", "passport"},
			SendOrgs: []string{w.NGO.ID}, ReceiveOrg: w.NGO.ID}
	}

	t.Run("our own key is made once, sealed, and shown with its fingerprint", func(t *testing.T) {
		k1, err := db.HandoffInstanceKey(admin)
		if err != nil {
			t.Fatal(err)
		}
		k2, err := db.HandoffInstanceKey(admin)
		if err != nil || k2.KeyID != k1.KeyID {
			t.Fatalf("second read: %+v, %v", k2, err)
		}
		pub, err := handoff.ParsePublicKey(k1.PublicKey)
		if err != nil || handoff.KeyID(pub) != k1.KeyID || handoff.Fingerprint(pub) != k1.Fingerprint || len(k1.Fingerprint) != 39 {
			t.Errorf("key %+v does not describe itself: %v", k1, err)
		}
		if _, err := db.HandoffInstanceKey(w.Ctx("ngo", homeward.RoleAdministrator)); homewardtest.Code(err) != homeward.EFORBIDDEN {
			t.Errorf("an NGO administrator read the instance key: %v", err)
		}
	})

	t.Run("registration refuses bad input and writes nothing", func(t *testing.T) {
		for _, c := range []struct {
			name        string
			edit        func(p *handoff.Partner)
			pub, finger string
			field       string
		}{
			{"fingerprint read wrong", nil, handoff.EncodePublicKey(pubOf(key)), strings.Repeat("AAAA ", 8), "fingerprint"},
			{"not a key", nil, "bm90IGEga2V5", "", "public_key"},
			{"address with a query", func(p *handoff.Partner) { p.BaseURL = "https://tr.example/?x=1" }, handoff.EncodePublicKey(pubOf(key)), handoff.Fingerprint(pubOf(key)), "base_url"},
			{"a field no handoff carries", func(p *handoff.Partner) { p.Fields = []string{"religion"} }, handoff.EncodePublicKey(pubOf(key)), handoff.Fingerprint(pubOf(key)), "fields"},
			{"unknown country", func(p *handoff.Partner) { p.Country = "XX" }, handoff.EncodePublicKey(pubOf(key)), handoff.Fingerprint(pubOf(key)), "country"},
		} {
			p := good()
			if c.edit != nil {
				c.edit(p)
			}
			err := db.RegisterPartner(admin, p, c.pub, c.finger)
			var e *homeward.Error
			if !errors.As(err, &e) || e.Code != homeward.EINVALID || !strings.Contains(err.Error(), c.field) {
				t.Errorf("%s: %v, want an error on %s", c.name, err, c.field)
			}
		}
		if err := db.RegisterPartner(w.Ctx("ngo", homeward.RoleAdministrator), good(), handoff.EncodePublicKey(pubOf(key)), handoff.Fingerprint(pubOf(key))); homewardtest.Code(err) != homeward.EFORBIDDEN {
			t.Errorf("an NGO administrator registered a partner: %v", err)
		}
		ps, err := db.Partners(admin)
		if err != nil || len(ps) != 0 {
			t.Fatalf("partners after refusals: %v, %v", ps, err)
		}
	})

	p := good()
	// The fingerprint as typed over the phone: lower case, no spaces.
	if err := db.RegisterPartner(admin, p, handoff.EncodePublicKey(pubOf(key)), strings.ToLower(strings.ReplaceAll(handoff.Fingerprint(pubOf(key)), " ", ""))); err != nil {
		t.Fatal(err)
	}
	if pub, got, err := db.TrustedPartnerKey(ctx, handoff.KeyID(pubOf(key))); err != nil || !pub.Equal(pubOf(key)) || got.ID != p.ID || got.ReceiveOrg != w.NGO.ID {
		t.Fatalf("first key not trusted: %v %+v %v", pub, got, err)
	}

	t.Run("a rotated key is trusted only after its fingerprint is confirmed", func(t *testing.T) {
		next := partnerKey(8)
		k, err := db.AddPartnerKey(admin, p.ID, handoff.EncodePublicKey(pubOf(next)))
		if err != nil || k.Status != handoff.KeyPending {
			t.Fatalf("add: %+v %v", k, err)
		}
		if pub, _, _ := db.TrustedPartnerKey(ctx, k.KeyID); pub != nil {
			t.Fatal("a pending key is trusted")
		}
		if err := db.ConfirmPartnerKey(admin, p.ID, k.KeyID, handoff.Fingerprint(pubOf(key))); homewardtest.Code(err) != homeward.EINVALID {
			t.Fatalf("confirmed with another key's fingerprint: %v", err)
		}
		if pub, _, _ := db.TrustedPartnerKey(ctx, k.KeyID); pub != nil {
			t.Fatal("a refused confirmation trusted the key")
		}
		if err := db.ConfirmPartnerKey(admin, p.ID, k.KeyID, k.Fingerprint); err != nil {
			t.Fatal(err)
		}
		if pub, _, _ := db.TrustedPartnerKey(ctx, k.KeyID); !pub.Equal(pubOf(next)) {
			t.Fatal("a confirmed key is not trusted")
		}
		if err := db.RevokePartnerKey(admin, p.ID, handoff.KeyID(pubOf(key))); err != nil {
			t.Fatal(err)
		}
		if pub, _, _ := db.TrustedPartnerKey(ctx, handoff.KeyID(pubOf(key))); pub != nil {
			t.Fatal("a revoked key is trusted")
		}
		got, err := db.Partner(admin, p.ID)
		if err != nil || len(got.Keys) != 2 || got.Keys[0].Status != handoff.KeyRevoked || got.Keys[1].Status != handoff.KeyActive {
			t.Fatalf("keys: %+v %v", got, err)
		}
	})

	t.Run("a case worker sees only the partners their organisation may send to", func(t *testing.T) {
		if ps, err := db.Partners(w.Ctx("ngo", homeward.RoleCaseWorker)); err != nil || len(ps) != 1 {
			t.Errorf("NGO case worker: %v %v", ps, err)
		}
		if ps, err := db.Partners(w.Ctx("operator", homeward.RoleCaseWorker)); err != nil || len(ps) != 0 {
			t.Errorf("operator case worker: %v %v", ps, err)
		}
	})
}

func TestHandoffReplayCache(t *testing.T) {
	db := homewardtest.Open(t)
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	ctx := context.Background()
	if err := db.RecordNonce(ctx, "k1", "n1", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordNonce(ctx, "k1", "n1", now.Add(time.Minute)); !errors.Is(err, httpsig.ErrReplay) {
		t.Fatalf("a nonce used twice: %v", err)
	}
	if err := db.RecordNonce(ctx, "k2", "n1", now.Add(time.Minute)); err != nil {
		t.Fatalf("the same nonce of another key: %v", err)
	}
	// Past its time the nonce is dropped (a message that old is refused
	// as expired anyway), so the cache does not grow without bound.
	now = now.Add(2 * time.Minute)
	if err := db.RecordNonce(ctx, "k1", "n1", now.Add(time.Minute)); err != nil {
		t.Fatalf("a nonce past its time: %v", err)
	}
}

// registerReturnee registers a person of the fixture NGO with a passport.
func registerReturnee(t *testing.T, w *homewardtest.World) *registry.Record {
	t.Helper()
	js := `{"person":{"given_name":"Rahim","family_name":"Uddin","sex":"male","date_of_birth":"1990-04-02","phones":["01712-345678"],
		"documents":[{"type":"passport","number":"EB0123456","issuing_country":"BD"}],"address":{"admin_area":"BD302602","text":"Char Kalia"}},
		"episodes":[{"destination_country":"TR","departure_date":"2021-02","return":{"date":"2026-01-10","return_type":"voluntary"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`
	var reg registry.Registration
	if err := json.Unmarshal([]byte(js), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), &reg)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func TestHandoffAnnounceNeedsConsentAndAgreement(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	admin := w.Ctx("operator", homeward.RoleAdministrator)
	worker := w.Ctx("ngo", homeward.RoleCaseWorker)
	key := partnerKey(9)
	p := &handoff.Partner{Name: "Bangladesh returns", Country: "BD", BaseURL: "https://bd.example", Fields: []string{"name", "sex", "passport", "phone"}, SendOrgs: []string{w.NGO.ID}}
	if err := db.RegisterPartner(admin, p, handoff.EncodePublicKey(pubOf(key)), handoff.Fingerprint(pubOf(key))); err != nil {
		t.Fatal(err)
	}
	rec := registerReturnee(t, w)
	in := handoff.AnnounceInput{PartnerID: p.ID, TravelDate: homewardtest.Today(db, 7), PortOfEntry: "BD-DAC", Needs: "Medical follow-up", Urgent: true}

	if _, err := db.AnnounceReturn(worker, rec.Person.ID, in); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Fatalf("announced without consent: %v", err)
	}
	// A handoff consent must name the partner and the fields.
	if err := db.RecordConsent(worker, rec.Person.ID, &registry.Consent{Purpose: registry.PurposeHandoff, Method: registry.MethodSignedForm}); homewardtest.Code(err) != homeward.EINVALID {
		t.Fatalf("a handoff consent without partner: %v", err)
	}
	if err := db.RecordConsent(worker, rec.Person.ID, &registry.Consent{Purpose: registry.PurposeHandoff, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{Partner: p.ID}, Fields: []string{"name", "passport", "date_of_birth", "vulnerabilities"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AnnounceReturn(w.Ctx("operator", homeward.RoleCaseWorker), rec.Person.ID, in); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation announced the person: %v", err)
	}
	bad := in
	bad.TravelDate = "next week"
	if _, err := db.AnnounceReturn(worker, rec.Person.ID, bad); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("a travel date that is no date: %v", err)
	}
	out, err := db.AnnounceReturn(worker, rec.Person.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	// Consent covers name, passport, date of birth, vulnerabilities; the
	// agreement name, sex, passport, phone: only name and passport go.
	a := out.Envelope.Announcement
	if strings.Join(a.Fields, ",") != "name,passport" || a.Person.GivenName != "Rahim" || a.Person.Passport != "EB0123456" ||
		a.Person.Phone != "" || a.Person.Sex != "" || a.Person.DateOfBirth != "" {
		t.Fatalf("announcement carries %+v", a)
	}
	log, err := db.HandoffLog(worker, rec.Case.ID)
	if err != nil || len(log) != 1 || log[0].Status != handoff.OutPending || log[0].ID != out.ID {
		t.Fatalf("log: %+v %v", log, err)
	}
	if log, err := db.HandoffLog(w.Ctx("operator", homeward.RoleCaseWorker), rec.Case.ID); err != nil || len(log) != 0 {
		t.Errorf("another organisation sees the log: %+v %v", log, err)
	}

	// Delivery: retried with back-off while the partner is down or does
	// not yet trust our key, given up when it refuses the message itself.
	now := db.Now()
	db.Now = func() time.Time { return now }
	answers := []int{503, 401, 403}
	var signed []string
	send := func(_ context.Context, m *handoff.Outbound) (int, error) {
		signed = append(signed, m.KeyID)
		st := answers[0]
		answers = answers[1:]
		return st, nil
	}
	sys := homewardtest.SystemCtx()
	if _, err := db.DeliverHandoffs(worker, send); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a user worked the outbox: %v", err)
	}
	for i, wantStatus := range []string{handoff.OutPending, handoff.OutPending, handoff.OutFailed} {
		if n, err := db.DeliverHandoffs(sys, send); err != nil || n != 0 {
			t.Fatalf("attempt %d: %d %v", i+1, n, err)
		}
		// Not due again until the back-off has passed.
		if n, _ := db.DeliverHandoffs(sys, send); n != 0 || len(signed) != i+1 {
			t.Fatalf("attempt %d was retried at once", i+1)
		}
		log, _ := db.HandoffLog(worker, rec.Case.ID)
		if log[0].Status != wantStatus || log[0].Attempts != i+1 || len(log[0].Log) != i+1 {
			t.Fatalf("after attempt %d: %+v", i+1, log[0])
		}
		now = now.Add(handoff.Backoff[i] + time.Second)
	}
	if n, _ := db.DeliverHandoffs(sys, send); n != 0 || len(signed) != 3 {
		t.Errorf("a refused message was sent again")
	}
	k, _ := db.HandoffInstanceKey(admin)
	if signed[0] != k.KeyID {
		t.Errorf("signed with key %s, not the instance's %s", signed[0], k.KeyID)
	}
}

// TestReceivedAnnouncementsAreSealed: a received announcement is stored
// sealed under the identifiers' data key, its passport only as a blind
// index; the reception desk still finds it by passport, only in its own
// organisation; one stored in clear by an earlier version is converted.
func TestReceivedAnnouncementsAreSealed(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	key := partnerKey(9)
	p := &handoff.Partner{Name: "Istanbul Return Counselling", Country: "TR", BaseURL: "https://tr.example", Fields: []string{"name", "sex", "passport"},
		SendOrgs: []string{w.NGO.ID}, ReceiveOrg: w.NGO.ID}
	if err := db.RegisterPartner(w.Ctx("operator", homeward.RoleAdministrator), p, handoff.EncodePublicKey(pubOf(key)), handoff.Fingerprint(pubOf(key))); err != nil {
		t.Fatal(err)
	}
	receive := func(given, passport string) {
		t.Helper()
		env := &handoff.Envelope{Type: handoff.TypeAnnouncement, ID: homeward.NewID(), SentAt: db.Now(), Announcement: &handoff.Announcement{
			SenderOrg: "Istanbul Return Counselling", TravelDate: homewardtest.Today(db, 0), PortOfEntry: "Dhaka airport", Fields: []string{"name", "sex", "passport"},
			Person: handoff.Person{GivenName: given, FamilyName: "Mia", Sex: "male", Passport: passport}, Needs: "Wheelchair at the gate"}}
		if _, err := db.ReceiveHandoff(homewardtest.SystemCtx(), p, handoff.KeyID(pubOf(key)), env); err != nil {
			t.Fatal(err)
		}
	}
	receive("Karim", "EB7654321")
	receive("Rafiq", "EC1112223")
	// keys status counts them under the key that seals them, as
	// arrivals (not referrals); clear ones under "" (checked below).
	arrivalsUnder := func() map[string]int {
		t.Helper()
		status, _, err := db.IdentifierStatus(homewardtest.SystemCtx())
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, s := range status {
			if s.Referrals != 0 {
				t.Errorf("referrals counted under %q: %+v", s.ID, s)
			}
			if s.Arrivals != 0 {
				got[s.ID] = s.Arrivals
			}
		}
		return got
	}
	sealedUnder := arrivalsUnder()
	if len(sealedUnder) != 1 || sealedUnder[""] != 0 {
		t.Fatalf("arrivals by key: %v", sealedUnder)
	}
	var current string
	for id, n := range sealedUnder {
		if current = id; n != 2 {
			t.Errorf("arrivals under %s: %d, want 2", id, n)
		}
	}
	raw := sqldb.RawDB(t, db)
	cw := w.Ctx("ngo", homeward.RoleCaseWorker)
	atRest := func() []string {
		t.Helper()
		var found []string
		for _, col := range []string{"passport", "passport_index", "announcement", "name_key"} {
			for _, s := range []string{"EB7654321", "7654321", "Wheelchair", "Istanbul"} {
				var n int
				if err := raw.QueryRow(sqldb.Rebind(db, `SELECT COUNT(*) FROM handoff_arrivals WHERE `+col+` LIKE ?`), "%"+s+"%").Scan(&n); err != nil {
					t.Fatal(err)
				}
				if n > 0 {
					found = append(found, col+" holds "+s)
				}
			}
		}
		return found
	}
	if found := atRest(); len(found) > 0 {
		t.Errorf("announcement in clear at rest: %v", found)
	}
	find := func(ctx context.Context, q string) []string {
		t.Helper()
		as, err := db.Arrivals(ctx, "", q)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range as {
			names = append(names, a.Announcement.Person.GivenName+" "+a.Passport)
		}
		return names
	}
	for q, want := range map[string]string{"EB 765-4321": "Karim EB7654321", "ec1112223": "Rafiq EC1112223", "Rafiq": "Rafiq EC1112223"} {
		if got := find(cw, q); len(got) != 1 || got[0] != want {
			t.Errorf("arrivals %q: %v, want %s", q, got, want)
		}
	}
	if got := find(cw, "EB7654322"); len(got) != 0 {
		t.Errorf("another passport finds %v", got)
	}
	if got, err := db.Arrivals(w.Ctx("operator", homeward.RoleCaseWorker), "", "EB7654321"); err == nil && len(got) != 0 {
		t.Errorf("another organisation finds the arrival: %v", got)
	}

	// An earlier version's row: the announcement and passport in clear.
	var id, body string
	if err := raw.QueryRow(sqldb.Rebind(db, `SELECT id FROM handoff_arrivals WHERE passport_index <> '' ORDER BY id LIMIT 1`)).Scan(&id); err != nil {
		t.Fatal(err)
	}
	a, err := db.Arrival(cw, id)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(a.Announcement)
	body = string(b)
	if _, err := raw.Exec(sqldb.Rebind(db, `UPDATE handoff_arrivals SET announcement = ?, passport = ?, passport_index = '', seal_key = '' WHERE id = ?`), body, a.Passport, id); err != nil {
		t.Fatal(err)
	}
	if got := find(cw, a.Passport); len(got) != 0 {
		t.Fatalf("a clear passport is searched: %v", got)
	}
	if got := arrivalsUnder(); got[current] != 1 || got[""] != 1 {
		t.Errorf("arrivals by key with one in clear: %v", got)
	}
	if got, err := db.Arrival(cw, id); err != nil || got.Passport != a.Passport {
		t.Fatalf("a clear announcement does not open: %+v %v", got, err)
	}
	if _, _, err := db.EncryptLegacyIdentifiers(homewardtest.SystemCtx(), 1); err != nil {
		t.Fatal(err)
	}
	if found := atRest(); len(found) > 0 {
		t.Errorf("in clear after conversion: %v", found)
	}
	if got := find(cw, a.Passport); len(got) != 1 {
		t.Errorf("converted arrival by passport: %v", got)
	}
	if got := arrivalsUnder(); got[current] != 2 || len(got) != 1 {
		t.Errorf("arrivals by key after conversion: %v", got)
	}
}

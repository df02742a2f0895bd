package inbox_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/handoff"
	"homeward/internal/registry"
	"homeward/internal/server"
	"homeward/internal/sqldb"
)

// instance is one country's Homeward: its database, the world of
// organisations and users in it, and its server.
type instance struct {
	w   *homewardtest.World
	db  *sqldb.DB
	srv *httptest.Server
}

func start(t testing.TB, db *sqldb.DB) *instance {
	t.Helper()
	w := homewardtest.NewWorldOn(t, db)
	srv := httptest.NewUnstartedServer(nil)
	// The instance's public address is the one partners sign for.
	db.PublicURL = "http://" + srv.Listener.Addr().String()
	h, err := server.New(db, server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv.Config.Handler = h
	srv.Start()
	t.Cleanup(srv.Close)
	return &instance{w: w, db: db, srv: srv}
}

// deliver works the instance's outbox once, posting to the test servers.
func (in *instance) deliver(t *testing.T) int {
	t.Helper()
	s := &handoff.Sender{Now: in.db.Now, Do: func(req *http.Request) (int, error) {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Logf("answer %d: %s", resp.StatusCode, b)
		}
		return resp.StatusCode, nil
	}}
	n, err := in.db.DeliverHandoffs(homewardtest.SystemCtx(), s.Send)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// pair registers each instance as the other's partner, the first key of
// each compared by fingerprint as administrators do by phone.
func pair(t *testing.T, bd, tr *instance, trSends, bdReceives []string) (bdOnTR, trOnBD *handoff.Partner) {
	t.Helper()
	for _, c := range []struct {
		self, other *instance
		out         **handoff.Partner
		name, cc    string
		receive     bool
		fields      []string
	}{{tr, bd, &bdOnTR, "Bangladesh reintegration", "BD", false, trSends}, {bd, tr, &trOnBD, "Istanbul return counselling", "TR", true, bdReceives}} {
		k, err := c.other.db.HandoffInstanceKey(c.other.w.Ctx("operator", homeward.RoleAdministrator))
		if err != nil {
			t.Fatal(err)
		}
		p := &handoff.Partner{Name: c.name, Country: c.cc, BaseURL: c.other.srv.URL, Fields: c.fields, SendOrgs: []string{c.self.w.NGO.ID}}
		if c.receive {
			p.ReceiveOrg = c.self.w.NGO.ID
		}
		if err := c.self.db.RegisterPartner(c.self.w.Ctx("operator", homeward.RoleAdministrator), p, k.PublicKey, k.Fingerprint); err != nil {
			t.Fatal(err)
		}
		*c.out = p
	}
	return bdOnTR, trOnBD
}

// TestTwoInstances runs a handoff end to end between two instances with
// separate databases — the first on PostgreSQL when the suite runs on
// it, the second always on SQLite: Türkiye announces a return,
// Bangladesh accepts it, meets the person and sends feedback back.
func TestTwoInstances(t *testing.T) {
	bd := start(t, homewardtest.Open(t))
	tr := start(t, homewardtest.OpenSQLite(t))
	fields := []string{"name", "sex", "date_of_birth", "passport", "vulnerabilities"}
	bdOnTR, trOnBD := pair(t, bd, tr, fields, fields)

	// Türkiye: a returnee with handoff consent for Bangladesh.
	worker := tr.w.Ctx("ngo", homeward.RoleCaseWorker)
	var reg registry.Registration
	if err := json.Unmarshal([]byte(`{"person":{"given_name":"Rahim","family_name":"Uddin","sex":"male","date_of_birth":"1990-04-02","phones":["01712-345678"],
		"documents":[{"type":"passport","number":"EB0123456","issuing_country":"BD"}]},
		"episodes":[{"destination_country":"TR","departure_date":"2021-02","return":{"date":"2026-01-10","return_type":"assisted_voluntary"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := tr.db.Register(worker, &reg)
	if err != nil {
		t.Fatal(err)
	}
	if err := tr.db.RecordConsent(worker, rec.Person.ID, &registry.Consent{Purpose: registry.PurposeHandoff, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{Partner: bdOnTR.ID}, Fields: []string{"name", "sex", "date_of_birth", "passport", "phone"}}); err != nil {
		t.Fatal(err)
	}
	out, err := tr.db.AnnounceReturn(worker, rec.Person.ID, handoff.AnnounceInput{PartnerID: bdOnTR.ID, TravelDate: homewardtest.Today(tr.db, 3),
		PortOfEntry: "BD-DAC", Needs: "Needs a place to stay the first night", Urgent: true, Message: "Arrives on TK 712"})
	if err != nil {
		t.Fatal(err)
	}
	if n := tr.deliver(t); n != 1 {
		t.Fatalf("delivered %d messages", n)
	}
	log, err := tr.db.HandoffLog(worker, rec.Case.ID)
	if err != nil || len(log) != 1 || log[0].Status != handoff.OutDelivered || len(log[0].Log) != 1 || log[0].Log[0].StatusCode != 200 {
		t.Fatalf("sender's log: %+v %v", log, err)
	}

	// Bangladesh: an expected arrival, found by passport and by name.
	bdWorker := bd.w.Ctx("ngo", homeward.RoleCaseWorker)
	for _, q := range []string{"", "EB 0123456", "rahim uddin", "Uddin"} {
		as, err := bd.db.Arrivals(bdWorker, handoff.ArrivalExpected, q)
		if err != nil || len(as) != 1 {
			t.Fatalf("arrivals for %q: %+v %v", q, as, err)
		}
	}
	if as, _ := bd.db.Arrivals(bdWorker, "", "Karim"); len(as) != 0 {
		t.Errorf("another name finds the arrival: %+v", as)
	}
	if as, _ := bd.db.Arrivals(bd.w.Ctx("operator", homeward.RoleCaseWorker), "", ""); len(as) != 0 {
		t.Errorf("an organisation that does not receive from the partner sees the arrival: %+v", as)
	}
	as, _ := bd.db.Arrivals(bdWorker, "", "")
	a := as[0]
	if a.MessageID != out.ID || a.Announcement.Person.Phone != "" || a.Announcement.Person.GivenName != "Rahim" || !a.Announcement.Urgent || a.PartnerID != trOnBD.ID {
		t.Fatalf("arrival: %+v", a)
	}
	accepted, err := bd.db.DecideArrival(bdWorker, a.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := bd.db.DecideArrival(bdWorker, a.ID, false); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("decided twice: %v", err)
	}
	opened, err := bd.db.FindRecord(bdWorker, accepted.PersonID)
	if err != nil || opened.Case == nil || !opened.Case.Incomplete || opened.Person.GivenName != "Rahim" || len(opened.Person.Documents) != 1 {
		t.Fatalf("the case opened on acceptance: %+v %v", opened, err)
	}
	if err := bd.db.SendArrivalFeedback(bdWorker, a.ID, handoff.StatusArrived); err != nil {
		t.Fatal(err)
	}
	if n := bd.deliver(t); n != 3 {
		t.Fatalf("Bangladesh delivered %d feedback messages, want received, accepted and arrived", n)
	}

	// Türkiye sees the feedback on its case.
	log, err = tr.db.HandoffLog(worker, rec.Case.ID)
	if err != nil || len(log) != 1 {
		t.Fatal(err)
	}
	var got []string
	for _, f := range log[0].Feedback {
		got = append(got, f.Status)
	}
	if strings.Join(got, ",") != "received,accepted,arrived" {
		t.Errorf("feedback on the sender's case: %v", got)
	}
}

// TestInboxRefuses sends messages the receiving instance must refuse:
// each is answered with a problem, stores nothing, and is audited.
func TestInboxRefuses(t *testing.T) {
	bd := start(t, homewardtest.Open(t))
	tr := start(t, homewardtest.OpenSQLite(t))
	// Türkiye would send the phone number; Bangladesh agreed to receive
	// name and passport only.
	bdOnTR, _ := pair(t, bd, tr, []string{"name", "passport", "phone"}, []string{"name", "passport"})
	worker := tr.w.Ctx("ngo", homeward.RoleCaseWorker)
	rec := registerReturnee(t, tr, "EB0123456")
	if err := tr.db.RecordConsent(worker, rec.Person.ID, &registry.Consent{Purpose: registry.PurposeHandoff, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{Partner: bdOnTR.ID}, Fields: []string{"name", "passport"}}); err != nil {
		t.Fatal(err)
	}
	withPhone := registerReturnee(t, tr, "EB7654321")
	if err := tr.db.RecordConsent(worker, withPhone.Person.ID, &registry.Consent{Purpose: registry.PurposeHandoff, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{Partner: bdOnTR.ID}, Fields: []string{"name", "passport", "phone"}}); err != nil {
		t.Fatal(err)
	}
	trKey, err := tr.db.HandoffInstanceKey(tr.w.Ctx("operator", homeward.RoleAdministrator))
	if err != nil {
		t.Fatal(err)
	}

	// capture has Türkiye announce the person's return and sign it as its
	// worker does (at the instant now gives), and returns the signed
	// request, unsent, with its body.
	capture := func(t *testing.T, personID string, now func() time.Time) (*http.Request, []byte) {
		t.Helper()
		if _, err := tr.db.AnnounceReturn(worker, personID, handoff.AnnounceInput{PartnerID: bdOnTR.ID, TravelDate: homewardtest.Today(tr.db, 3), PortOfEntry: "BD-DAC"}); err != nil {
			t.Fatal(err)
		}
		var got *http.Request
		var body []byte
		s := &handoff.Sender{Now: now, Do: func(req *http.Request) (int, error) {
			got = req
			body, _ = io.ReadAll(req.Body)
			return 200, nil
		}}
		if _, err := tr.db.DeliverHandoffs(homewardtest.SystemCtx(), s.Send); err != nil || got == nil {
			t.Fatalf("capture: %v", err)
		}
		return got, body
	}
	signWith := func(t *testing.T, key ed25519.PrivateKey, keyID string, body []byte) *http.Request {
		t.Helper()
		req, err := handoff.SignedRequest(context.Background(), &handoff.Outbound{ID: homeward.NewID(), URL: bdOnTR.InboxURL(), Body: body, Key: key, KeyID: keyID}, bd.db.Now())
		if err != nil {
			t.Fatal(err)
		}
		return req
	}
	_, stranger, _ := ed25519.GenerateKey(nil)

	bdAuditor := bd.w.Ctx("operator", homeward.RoleAuditor)
	refusedAction := "handoff.refused"
	audited := func(t *testing.T) []string {
		t.Helper()
		evs, _, err := bd.db.FindAuditEvents(bdAuditor, homeward.AuditFilter{Action: &refusedAction, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var reasons []string
		for _, e := range evs {
			var d struct{ Reason string }
			_ = json.Unmarshal([]byte(e.Detail), &d)
			reasons = append(reasons, d.Reason)
		}
		return reasons
	}
	stored := func(t *testing.T) int {
		t.Helper()
		as, err := bd.db.Arrivals(bd.w.Ctx("ngo", homeward.RoleCaseWorker), "", "")
		if err != nil {
			t.Fatal(err)
		}
		return len(as)
	}

	goodReq, goodBody := capture(t, rec.Person.ID, tr.db.Now)
	if status, p := post(t, goodReq, goodBody); status != 200 || p["status"] != "received" {
		t.Fatalf("a good message: %d %v", status, p)
	}
	if stored(t) != 1 {
		t.Fatal("the good message was not stored")
	}
	tamperReq, tamperBody := capture(t, rec.Person.ID, tr.db.Now)
	expiredReq, expiredBody := capture(t, rec.Person.ID, func() time.Time { return tr.db.Now().Add(-10 * time.Minute) })
	phoneReq, phoneBody := capture(t, withPhone.Person.ID, tr.db.Now)
	if !bytes.Contains(phoneBody, []byte(`"phone"`)) {
		t.Fatalf("the out-of-agreement message carries no phone: %s", phoneBody)
	}
	wrongKey := signWith(t, stranger, trKey.KeyID, goodBody)
	unknownKey := signWith(t, stranger, handoff.KeyID(stranger.Public().(ed25519.PublicKey)), goodBody)

	for _, c := range []struct {
		name   string
		req    *http.Request
		body   []byte
		status int
		reason string
	}{
		{"tampered body", tamperReq, bytes.Replace(tamperBody, []byte("Rahim"), []byte("Karim"), 1), 400, "digest_mismatch"},
		{"wrong key", wrongKey, goodBody, 401, "bad_signature"},
		{"unknown key", unknownKey, goodBody, 401, "unknown_key"},
		{"expired signature", expiredReq, expiredBody, 401, "expired"},
		{"replay", goodReq, goodBody, 409, "replay"},
		{"field outside the agreement", phoneReq, phoneBody, 403, "handoff.refused.field"},
		// The refusal did not use up the nonce: sent again, the message is
		// refused for its field again, not as a replay.
		// (Within a minute, the same refusal from the same key is counted,
		// not audited again: TestInboxRateLimited.)
		{"field outside the agreement, again", phoneReq, phoneBody, 403, ""},
		{"body over the limit", goodReq, bytes.Repeat([]byte(" "), handoff.MaxBody+1), 413, "too_large"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := len(audited(t))
			status, p := post(t, c.req, c.body)
			if status != c.status || p["type"] == nil || p["detail"] == "" {
				t.Errorf("answer %d %v, want a %d problem", status, p, c.status)
			}
			if n := stored(t); n != 1 {
				t.Errorf("%d arrivals stored, want the first one only", n)
			}
			if got := audited(t); c.reason != "" && (len(got) != before+1 || !slices.Contains(got, c.reason)) {
				t.Errorf("audited refusals %v, want one more for %s", got, c.reason)
			} else if c.reason == "" && len(got) != before {
				t.Errorf("audited refusals %v, want the repeat counted, not audited", got)
			}
		})
	}
}

// registerReturnee registers a person of the instance's NGO with a
// passport.
func registerReturnee(t *testing.T, in *instance, passport string) *registry.Record {
	t.Helper()
	var reg registry.Registration
	if err := json.Unmarshal([]byte(`{"person":{"given_name":"Rahim","family_name":"Uddin","sex":"male","date_of_birth":"1990-04-02","phones":["01712-345678"],
		"documents":[{"type":"passport","number":"`+passport+`","issuing_country":"BD"}]},
		"episodes":[{"destination_country":"TR","departure_date":"2021-02","return":{"date":"2026-01-10","return_type":"assisted_voluntary"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := in.db.Register(in.w.Ctx("ngo", homeward.RoleCaseWorker), &reg)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func post(t *testing.T, req *http.Request, body []byte) (int, map[string]any) {
	t.Helper()
	r, err := http.NewRequestWithContext(context.Background(), req.Method, req.URL.String(), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header = req.Header.Clone()
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&p)
	return resp.StatusCode, p
}

// TestSignedFile carries an announcement as a signed file instead of over
// the network: it is checked exactly as the inbox checks a message, so a
// tampered file, a second import and a file meant for another instance
// are refused with nothing stored.
func TestSignedFile(t *testing.T) {
	bd := start(t, homewardtest.Open(t))
	tr := start(t, homewardtest.OpenSQLite(t))
	bdOnTR, _ := pair(t, bd, tr, []string{"name", "passport"}, []string{"name", "passport"})
	worker := tr.w.Ctx("ngo", homeward.RoleCaseWorker)
	rec := registerReturnee(t, tr, "EB0123456")
	if err := tr.db.RecordConsent(worker, rec.Person.ID, &registry.Consent{Purpose: registry.PurposeHandoff, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{Partner: bdOnTR.ID}, Fields: []string{"name", "passport"}}); err != nil {
		t.Fatal(err)
	}
	out, err := tr.db.AnnounceReturn(worker, rec.Person.ID, handoff.AnnounceInput{PartnerID: bdOnTR.ID, TravelDate: homewardtest.Today(tr.db, 3), PortOfEntry: "BD-DAC"})
	if err != nil {
		t.Fatal(err)
	}
	f, err := tr.db.ExportHandoffFile(worker, out.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tr.db.ExportHandoffFile(tr.w.Ctx("operator", homeward.RoleCaseWorker), out.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation exported the announcement: %v", err)
	}
	raw, _ := json.Marshal(f)
	receiver := bd.w.Ctx("ngo", homeward.RoleCaseWorker)
	count := func() int {
		as, err := bd.db.Arrivals(receiver, "", "")
		if err != nil {
			t.Fatal(err)
		}
		return len(as)
	}

	tampered := *f
	tampered.Body = strings.Replace(f.Body, "Rahim", "Karim", 1)
	tamperedRaw, _ := json.Marshal(tampered)
	elsewhere := *f
	elsewhere.TargetURI = "https://elsewhere.example" + handoff.InboxPath
	elsewhereRaw, _ := json.Marshal(elsewhere)
	if _, err := bd.db.ImportHandoffFile(receiver, tamperedRaw); homewardtest.Code(err) != homeward.EINVALID || count() != 0 {
		t.Fatalf("a tampered file: %v, %d stored", err, count())
	}
	if _, err := bd.db.ImportHandoffFile(receiver, elsewhereRaw); homewardtest.Code(err) != homeward.EINVALID || count() != 0 {
		t.Fatalf("a file for another instance: %v, %d stored", err, count())
	}
	if _, err := bd.db.ImportHandoffFile(bd.w.Ctx("ngo", homeward.RoleAuditor), raw); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("an auditor imported a file: %v", err)
	}
	// Days later (a file is carried by hand) it is still good.
	later := bd.db.Now
	bd.db.Now = func() time.Time { return later().Add(4 * 24 * time.Hour) }
	ack, err := bd.db.ImportHandoffFile(receiver, raw)
	if err != nil || ack.Status != "received" || count() != 1 {
		t.Fatalf("the file: %+v %v, %d stored", ack, err, count())
	}
	if _, err := bd.db.ImportHandoffFile(receiver, raw); homewardtest.Code(err) != homeward.ECONFLICT || count() != 1 {
		t.Errorf("the same file twice: %v, %d stored", err, count())
	}
}

package inbox_test

import (
	"crypto/ed25519"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/assessment"
	"homeward/internal/demo"
	"homeward/internal/handoff"
	"homeward/internal/handoff/inbox"
	"homeward/internal/registry"
)

// survey completes the built-in sustainability survey for a person at
// the levels given, in a round, answered on the instance's today.
func survey(t *testing.T, in *instance, personID, round string, level float64) *assessment.Submission {
	t.Helper()
	answers := demo.SurveyAnswers(rand.New(rand.NewPCG(1, 2)), demo.Levels{Economic: level, Social: level, Psychosocial: level}, homewardtest.Today(in.db, 0), round)
	sub, err := in.db.CreateSubmission(in.w.Ctx("ngo", homeward.RoleCaseWorker), personID, assessment.Input{FormID: assessment.SurveyFormID, Status: assessment.StatusCompleted, Answers: answers})
	if err != nil {
		t.Fatal(err)
	}
	if sub.Score == nil || sub.Score.Composite == nil {
		t.Fatalf("the survey was not scored: %+v", sub)
	}
	return sub
}

// sustainability lists the score-band feedback queued on an arrival, as
// "m<months>:<band>".
func sustainability(t *testing.T, in *instance, arrivalID string) []string {
	t.Helper()
	a, err := in.db.Arrival(in.w.Ctx("ngo", homeward.RoleCaseWorker), arrivalID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range a.Sent {
		if f.Status == handoff.StatusSustainability {
			out = append(out, "m"+strconv.Itoa(f.Milestone)+":"+f.Band)
		}
	}
	return out
}

// TestScoreBandFeedback follows a returnee announced with their
// pre-departure assessment as structured data, accepted, and surveyed
// at 6 and 12 months: the band of the score goes back to the announcing
// partner once per milestone, only under a handoff-feedback consent
// naming that partner, and never the answers.
func TestScoreBandFeedback(t *testing.T) {
	bd := start(t, homewardtest.Open(t))
	tr := start(t, homewardtest.OpenSQLite(t))
	fields := []string{"name", "passport", "assessments"}
	bdOnTR, trOnBD := pair(t, bd, tr, fields, fields)

	// Türkiye: a pre-departure survey and a protection screening; only
	// the survey may travel.
	worker := tr.w.Ctx("ngo", homeward.RoleCaseWorker)
	rec := registerReturnee(t, tr, "EB0123456")
	pre := survey(t, tr, rec.Person.ID, "baseline", 0.8)
	screening := demo.ScreeningAnswers(rand.New(rand.NewPCG(3, 4)), 0.9)
	if _, err := tr.db.CreateSubmission(worker, rec.Person.ID, assessment.Input{FormID: "protection_screening", Status: assessment.StatusCompleted, Answers: screening}); err != nil {
		t.Fatal(err)
	}
	if err := tr.db.RecordConsent(worker, rec.Person.ID, &registry.Consent{Purpose: registry.PurposeHandoff, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{Partner: bdOnTR.ID}, Fields: fields}); err != nil {
		t.Fatal(err)
	}
	out, err := tr.db.AnnounceReturn(worker, rec.Person.ID, handoff.AnnounceInput{PartnerID: bdOnTR.ID, TravelDate: homewardtest.Today(tr.db, 0), PortOfEntry: "BD-DAC"})
	if err != nil {
		t.Fatal(err)
	}
	if n := tr.deliver(t); n != 1 {
		t.Fatalf("delivered %d", n)
	}

	// Bangladesh: the assessment arrived as data, the screening did not.
	bdWorker := bd.w.Ctx("ngo", homeward.RoleCaseWorker)
	as, err := bd.db.Arrivals(bdWorker, handoff.ArrivalExpected, "")
	if err != nil || len(as) != 1 {
		t.Fatalf("arrivals: %+v %v", as, err)
	}
	got := as[0].Announcement.Assessments
	if len(got) != 1 || got[0].FormID != assessment.SurveyFormID || got[0].Round != "baseline" || got[0].Answers["food_security"] != pre.Answers["food_security"] ||
		got[0].Score == nil || got[0].Score.Composite == nil || *got[0].Score.Composite != *pre.Score.Composite {
		t.Fatalf("assessments received: %+v", got)
	}
	accepted, err := bd.db.DecideArrival(bdWorker, as[0].ID, true)
	if err != nil {
		t.Fatal(err)
	}
	personID := accepted.PersonID

	// Without the consent, the 6-month band stays here; the withholding
	// is audited.
	survey(t, bd, personID, "m6", 0.2)
	if s := sustainability(t, bd, accepted.ID); len(s) != 0 {
		t.Fatalf("a band was queued without consent: %v", s)
	}
	withheld := "handoff.feedback_withheld"
	evs, _, err := bd.db.FindAuditEvents(bd.w.Ctx("ngo", homeward.RoleAuditor), homeward.AuditFilter{Action: &withheld, Limit: 10})
	if err != nil || len(evs) != 1 {
		t.Fatalf("withheld feedback audited: %d %v", len(evs), err)
	}
	// A feedback consent naming another partner does not count.
	_, otherKey, _ := ed25519.GenerateKey(nil)
	otherPub := otherKey.Public().(ed25519.PublicKey)
	other := &handoff.Partner{Name: "Elsewhere", Country: "HU", BaseURL: "https://elsewhere.example", Fields: fields, SendOrgs: []string{bd.w.NGO.ID}}
	if err := bd.db.RegisterPartner(bd.w.Ctx("operator", homeward.RoleAdministrator), other, handoff.EncodePublicKey(otherPub), handoff.Fingerprint(otherPub)); err != nil {
		t.Fatal(err)
	}
	if err := bd.db.RecordConsent(bdWorker, personID, &registry.Consent{Purpose: registry.PurposeHandoffFeedback, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{Partner: other.ID}}); err != nil {
		t.Fatal(err)
	}
	survey(t, bd, personID, "m6", 0.2)
	if s := sustainability(t, bd, accepted.ID); len(s) != 0 {
		t.Fatalf("a band was queued under another partner's consent: %v", s)
	}
	// A baseline or a 3-month survey is no milestone, even with consent.
	if err := bd.db.RecordConsent(bdWorker, personID, &registry.Consent{Purpose: registry.PurposeHandoffFeedback, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{Partner: trOnBD.ID}}); err != nil {
		t.Fatal(err)
	}
	survey(t, bd, personID, "m3", 0.5)
	if s := sustainability(t, bd, accepted.ID); len(s) != 0 {
		t.Fatalf("a band was queued for a 3-month survey: %v", s)
	}
	low := survey(t, bd, personID, "m6", 0.1)
	high := survey(t, bd, personID, "m12", 0.95)
	survey(t, bd, personID, "m12", 0.1) // a second 12-month survey sends nothing more
	want := []string{"m6:" + handoff.ScoreBand(*low.Score.Composite), "m12:" + handoff.ScoreBand(*high.Score.Composite)}
	if s := sustainability(t, bd, accepted.ID); strings.Join(s, ",") != strings.Join(want, ",") || want[0] == want[1] {
		t.Fatalf("bands queued %v, want %v (and two different bands)", s, want)
	}

	// Delivered, Türkiye sees the bands on its case, and nothing else of
	// the surveys travelled.
	var bodies []string
	bd.deliverWith(t, func(body []byte) { bodies = append(bodies, string(body)) })
	for _, b := range bodies {
		if strings.Contains(b, "food_security") || strings.Contains(b, "composite") {
			t.Errorf("a feedback message carries answers or a score: %s", b)
		}
	}
	log, err := tr.db.HandoffLog(worker, rec.Case.ID)
	if err != nil || len(log) != 1 || log[0].ID != out.ID {
		t.Fatalf("sender's log: %+v %v", log, err)
	}
	var bands []string
	for _, f := range log[0].Feedback {
		if f.Status == handoff.StatusSustainability {
			bands = append(bands, "m"+strconv.Itoa(f.Milestone)+":"+f.Band)
		}
	}
	if strings.Join(bands, ",") != strings.Join(want, ",") {
		t.Errorf("bands on the sender's case %v, want %v", bands, want)
	}
}

// deliverWith works the outbox once, passing each body sent to seen.
func (in *instance) deliverWith(t *testing.T, seen func([]byte)) {
	t.Helper()
	s := &handoff.Sender{Now: in.db.Now, Do: func(req *http.Request) (int, error) {
		b, _ := req.GetBody()
		body, _ := io.ReadAll(b)
		seen(body)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0, err
		}
		resp.Body.Close()
		return resp.StatusCode, nil
	}}
	if _, err := in.db.DeliverHandoffs(homewardtest.SystemCtx(), s.Send); err != nil {
		t.Fatal(err)
	}
}

// TestSuspendedPartner suspends a partner on each side: the receiver
// refuses its signed messages (audited under its name, nothing stored),
// the sender sends nothing to it until it is resumed.
func TestSuspendedPartner(t *testing.T) {
	bd := start(t, homewardtest.Open(t))
	tr := start(t, homewardtest.OpenSQLite(t))
	fields := []string{"name", "passport"}
	bdOnTR, trOnBD := pair(t, bd, tr, fields, fields)
	worker := tr.w.Ctx("ngo", homeward.RoleCaseWorker)
	rec := registerReturnee(t, tr, "EB0123456")
	if err := tr.db.RecordConsent(worker, rec.Person.ID, &registry.Consent{Purpose: registry.PurposeHandoff, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{Partner: bdOnTR.ID}, Fields: fields}); err != nil {
		t.Fatal(err)
	}
	announce := func() *handoff.Outgoing {
		t.Helper()
		out, err := tr.db.AnnounceReturn(worker, rec.Person.ID, handoff.AnnounceInput{PartnerID: bdOnTR.ID, TravelDate: homewardtest.Today(tr.db, 2), PortOfEntry: "BD-DAC"})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	bdAdmin, trAdmin := bd.w.Ctx("operator", homeward.RoleAdministrator), tr.w.Ctx("operator", homeward.RoleAdministrator)

	// Who may suspend, and what.
	for _, c := range []struct {
		name   string
		org    string
		role   homeward.Role
		status string
		code   string
	}{
		{"a case worker", "ngo", homeward.RoleCaseWorker, handoff.PartnerSuspended, homeward.EFORBIDDEN},
		{"an NGO administrator", "ngo", homeward.RoleAdministrator, handoff.PartnerSuspended, homeward.EFORBIDDEN},
		{"an unknown status", "operator", homeward.RoleAdministrator, "paused", homeward.EINVALID},
		{"resuming an active partner", "operator", homeward.RoleAdministrator, handoff.PartnerActive, homeward.ECONFLICT},
	} {
		if _, err := bd.db.SetPartnerStatus(bd.w.Ctx(c.org, c.role), trOnBD.ID, c.status); homewardtest.Code(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if _, err := bd.db.SetPartnerStatus(bdAdmin, homeward.NewID(), handoff.PartnerSuspended); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("an unknown partner: %v", err)
	}

	// Bangladesh suspends Türkiye: its signed message is refused.
	if p, err := bd.db.SetPartnerStatus(bdAdmin, trOnBD.ID, handoff.PartnerSuspended); err != nil || p.Status != handoff.PartnerSuspended {
		t.Fatalf("suspend: %+v %v", p, err)
	}
	out := announce()
	tr.deliver(t)
	log, _ := tr.db.HandoffLog(worker, rec.Case.ID)
	if len(log) != 1 || log[0].ID != out.ID || log[0].LastStatus != 403 {
		t.Fatalf("the sender's log: %+v", log)
	}
	if as, _ := bd.db.Arrivals(bd.w.Ctx("ngo", homeward.RoleCaseWorker), "", ""); len(as) != 0 {
		t.Fatalf("a suspended partner's announcement was stored: %+v", as)
	}
	refused := "handoff.refused"
	evs, _, _ := bd.db.FindAuditEvents(bd.w.Ctx("operator", homeward.RoleAuditor), homeward.AuditFilter{Action: &refused, Limit: 10})
	if len(evs) != 1 || evs[0].RecordID != trOnBD.ID || !strings.Contains(evs[0].Detail, "handoff.refused.suspended") {
		t.Fatalf("the refusal audited: %+v", evs)
	}
	if _, err := bd.db.SetPartnerStatus(bdAdmin, trOnBD.ID, handoff.PartnerActive); err != nil {
		t.Fatal(err)
	}

	// Türkiye suspends Bangladesh: nothing is sent, nothing announced,
	// until it is resumed.
	second := announce()
	if _, err := tr.db.SetPartnerStatus(trAdmin, bdOnTR.ID, handoff.PartnerSuspended); err != nil {
		t.Fatal(err)
	}
	if n := tr.deliver(t); n != 0 {
		t.Fatalf("%d messages sent to a suspended partner", n)
	}
	if log, _ := tr.db.HandoffLog(worker, rec.Case.ID); log[0].ID != second.ID || len(log[0].Log) != 0 || log[0].Status != handoff.OutPending {
		t.Fatalf("a message for a suspended partner was attempted: %+v", log[0])
	}
	if _, err := tr.db.AnnounceReturn(worker, rec.Person.ID, handoff.AnnounceInput{PartnerID: bdOnTR.ID, TravelDate: homewardtest.Today(tr.db, 2), PortOfEntry: "BD-DAC"}); err == nil {
		t.Error("announced to a suspended partner")
	}
	if _, err := tr.db.SetPartnerStatus(trAdmin, bdOnTR.ID, handoff.PartnerActive); err != nil {
		t.Fatal(err)
	}
	if n := tr.deliver(t); n != 1 {
		t.Fatalf("after resuming, %d delivered", n)
	}
}

// TestInboxRateLimited floods the inbox with refused messages from one
// address under one claimed key, on a frozen clock: the burst is refused
// one by one, then 429 with Retry-After; the audit chain gets one event
// per reason and window, and every refusal is accounted for in the
// counts once the window has passed.
func TestInboxRateLimited(t *testing.T) {
	bd := start(t, homewardtest.Open(t))
	now := bd.db.Now()
	bd.db.Now = func() time.Time { return now }
	send := func() *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, bd.srv.URL+handoff.InboxPath, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Signature-Input", `sig1=("@method");created=1;keyid="flood"`)
		req.Header.Set("Signature", `sig1=:AAAA:`)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	const total = 100
	statuses := map[int]int{}
	for i := range total {
		resp := send()
		statuses[resp.StatusCode]++
		if resp.StatusCode == 429 && resp.Header.Get("Retry-After") != "1" {
			t.Errorf("request %d: Retry-After %q", i, resp.Header.Get("Retry-After"))
		}
	}
	if statuses[400] != inboxBurst || statuses[429] != total-inboxBurst {
		t.Fatalf("answers %v, want %d refused and then %d limited", statuses, inboxBurst, total-inboxBurst)
	}
	refused := "handoff.refused"
	count := func() (events, accounted int) {
		t.Helper()
		evs, _, err := bd.db.FindAuditEvents(bd.w.Ctx("operator", homeward.RoleAuditor), homeward.AuditFilter{Action: &refused, Limit: 500})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range evs {
			var d struct {
				Repeated int
				Summary  bool
			}
			_ = json.Unmarshal([]byte(e.Detail), &d)
			accounted += d.Repeated
			if !d.Summary {
				accounted++
			}
		}
		return len(evs), accounted
	}
	if events, _ := count(); events != 2 {
		t.Errorf("%d refusals audited one by one, want one for each reason", events)
	}
	// A window later the bucket has refilled and the counts come out.
	now = now.Add(time.Minute)
	if resp := send(); resp.StatusCode != 400 {
		t.Fatalf("after the window: %d", resp.StatusCode)
	}
	if events, accounted := count(); events != 4 || accounted != total+1 {
		t.Errorf("%d audit events accounting for %d refusals, want 4 for %d", events, accounted, total+1)
	}
}

const inboxBurst = inbox.DefaultBurst

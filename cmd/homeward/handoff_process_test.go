package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/demo"
	"homeward/internal/handoff"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// instance is one country's Homeward for the handoff process test: a
// `homeward serve` process on its own database, that database opened by
// the test too (as an administrator would use the command line), its
// operator's administrator and its NGO's case worker.
type instance struct {
	c            *cluster
	db           *sqldb.DB
	admin, cw    context.Context
	ngoID, token string
}

// freeAddr returns a loopback address with a port free a moment ago: the
// instance's public URL must name its port before it starts.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func newInstance(t *testing.T, pg bool) *instance {
	t.Helper()
	c := newCluster(t, pg, 1, 1)
	n := c.nodes[0]
	n.addr = freeAddr(t)
	// Loopback partners: the outbox's network guard must let them through.
	c.args = []string{"--public-url", "http://" + n.addr, "--webhook-allow-private", "--webhook-interval", "200ms"}
	ctx := context.Background()
	db := c.openDB()
	t.Cleanup(func() { db.Close() })
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	op := &homeward.Organisation{Name: "Operator", Type: homeward.OrgMinistry, Country: "BD", Areas: []string{"BD30"}, Operator: true}
	if err := db.CreateOrganisation(sys, op); err != nil {
		t.Fatal(err)
	}
	admin := &homeward.User{OrgID: op.ID, Email: "admin@op.test", Name: "Admin", Roles: []homeward.Role{homeward.RoleAdministrator}}
	if err := db.CreateUser(sys, admin, "admin-test-password-1"); err != nil {
		t.Fatal(err)
	}
	in := &instance{c: c, db: db, ngoID: c.orgID, token: c.tokens[0].Secret,
		admin: homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: admin.ID, OrgID: op.ID, Roles: admin.Roles, Operator: true}),
		cw:    homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: c.userID, OrgID: c.orgID, Roles: []homeward.Role{homeward.RoleCaseWorker}})}
	c.start(n)
	return in
}

// partner registers other as a partner of in, its key compared by
// fingerprint as the administrators do by phone.
func (in *instance) partner(t *testing.T, other *instance, name, country string, fields []string) *handoff.Partner {
	t.Helper()
	k, err := other.db.HandoffInstanceKey(other.admin)
	if err != nil {
		t.Fatal(err)
	}
	p := &handoff.Partner{Name: name, Country: country, BaseURL: other.c.nodes[0].URL(), Fields: fields, SendOrgs: []string{in.ngoID}, ReceiveOrg: in.ngoID}
	if err := in.db.RegisterPartner(in.admin, p, k.PublicKey, k.Fingerprint); err != nil {
		t.Fatal(err)
	}
	return p
}

// waitFor polls cond until it holds, failing after a minute with what the
// processes logged.
func waitFor(t *testing.T, what string, cond func() bool, ins ...*instance) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if cond() {
			return
		}
	}
	var logs []string
	for _, in := range ins {
		logs = append(logs, in.c.nodes[0].log.String())
	}
	t.Fatalf("%s did not happen within a minute:\n%s", what, strings.Join(logs, "\n----\n"))
}

// TestHandoffTwoProcesses runs the cross-border handoff between two real
// `homeward serve` processes over loopback HTTP, each with its own
// database (Bangladesh on PostgreSQL when HOMEWARD_TEST_DATABASE names
// one): Türkiye announces a return with a pre-departure survey; the
// outbox of its process signs and delivers it; Bangladesh accepts it
// through its API; the feedback — received, accepted, and, under the
// person's consent, the score band at 6 months — comes back signed and
// shows on Türkiye's case.
func TestHandoffTwoProcesses(t *testing.T) {
	needCrash(t)
	tr := newInstance(t, false)
	bd := newInstance(t, strings.HasPrefix(os.Getenv("HOMEWARD_TEST_DATABASE"), "postgres"))
	fields := []string{"name", "sex", "passport", "assessments"}
	bdOnTR := tr.partner(t, bd, "Bangladesh reintegration", "BD", fields)
	trOnBD := bd.partner(t, tr, "Istanbul return counselling", "TR", fields)

	// Türkiye: the returnee, a pre-departure survey, consent, the
	// announcement.
	var reg registry.Registration
	if err := json.Unmarshal([]byte(`{"person":{"given_name":"Rahim","family_name":"Uddin","sex":"male","date_of_birth":"1990-04-02",
		"documents":[{"type":"passport","number":"EB0123456","issuing_country":"BD"}]},
		"episodes":[{"destination_country":"TR","departure_date":"2021-02","return":{"date":"2026-01-10","return_type":"assisted_voluntary"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := tr.db.Register(tr.cw, &reg)
	if err != nil {
		t.Fatal(err)
	}
	today := tr.db.Now().Format(time.DateOnly)
	survey := func(in *instance, personID, round string) {
		t.Helper()
		answers := demo.SurveyAnswers(rand.New(rand.NewPCG(1, 2)), demo.Levels{Economic: 0.9, Social: 0.9, Psychosocial: 0.9}, today, round)
		if _, err := in.db.CreateSubmission(in.cw, personID, assessment.Input{FormID: assessment.SurveyFormID, Status: assessment.StatusCompleted, Answers: answers}); err != nil {
			t.Fatal(err)
		}
	}
	survey(tr, rec.Person.ID, "baseline")
	if err := tr.db.RecordConsent(tr.cw, rec.Person.ID, &registry.Consent{Purpose: registry.PurposeHandoff, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{Partner: bdOnTR.ID}, Fields: fields}); err != nil {
		t.Fatal(err)
	}
	out, err := tr.db.AnnounceReturn(tr.cw, rec.Person.ID, handoff.AnnounceInput{PartnerID: bdOnTR.ID, TravelDate: today, PortOfEntry: "BD-DAC", Message: "Arrives on TK 712"})
	if err != nil {
		t.Fatal(err)
	}

	// Bangladesh: the expected arrival, delivered by Türkiye's process.
	var arrival handoff.Arrival
	waitFor(t, "the announcement's delivery", func() bool {
		as, err := bd.db.Arrivals(bd.cw, handoff.ArrivalExpected, "EB0123456")
		if err == nil && len(as) == 1 {
			arrival = as[0]
		}
		return err == nil && len(as) == 1
	}, tr, bd)
	if arrival.MessageID != out.ID || arrival.PartnerID != trOnBD.ID || len(arrival.Announcement.Assessments) != 1 || arrival.Announcement.Person.GivenName != "Rahim" {
		t.Fatalf("the arrival: %+v", arrival)
	}
	// Accepted through Bangladesh's API.
	req, _ := http.NewRequest(http.MethodPost, bd.c.nodes[0].URL()+"/api/v1/arrivals/"+arrival.ID+"/accept", nil)
	req.Header.Set("Authorization", "Bearer "+bd.token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	var accepted handoff.Arrival
	if res.StatusCode != 200 || json.Unmarshal(body, &accepted) != nil || accepted.State != handoff.ArrivalAccepted || accepted.PersonID == "" {
		t.Fatalf("accepting through the API: %d %s", res.StatusCode, body)
	}

	// The six-month survey, under the person's feedback consent.
	if err := bd.db.RecordConsent(bd.cw, accepted.PersonID, &registry.Consent{Purpose: registry.PurposeHandoffFeedback, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{Partner: trOnBD.ID}}); err != nil {
		t.Fatal(err)
	}
	survey(bd, accepted.PersonID, "m6")

	// Türkiye sees the feedback on its case, delivered by Bangladesh's
	// process.
	var got []string
	waitFor(t, "the feedback's delivery", func() bool {
		log, err := tr.db.HandoffLog(tr.cw, rec.Case.ID)
		if err != nil || len(log) != 1 {
			return false
		}
		got = got[:0]
		for _, f := range log[0].Feedback {
			s := f.Status
			if f.Milestone != 0 {
				s += fmt.Sprintf(":%d:%s", f.Milestone, f.Band)
			}
			got = append(got, s)
		}
		return len(got) == 3
	}, tr, bd)
	if strings.Join(got, ",") != "received,accepted,sustainability:6:high" {
		t.Errorf("feedback on Türkiye's case: %v", got)
	}
	log, _ := tr.db.HandoffLog(tr.cw, rec.Case.ID)
	if log[0].Status != handoff.OutDelivered || len(log[0].Log) == 0 || log[0].Log[len(log[0].Log)-1].StatusCode != 200 {
		t.Errorf("Türkiye's delivery log: %+v", log[0])
	}
}

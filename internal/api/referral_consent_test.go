package api_test

import (
	"fmt"
	"strings"
	"testing"

	"homeward"
)

// TestReferralConsentWithdrawnAPI: withdrawing the referral consent through
// the API closes the open referral for both sides, hides the person from
// the receiver and refuses its moves.
func TestReferralConsentWithdrawnAPI(t *testing.T) {
	e, provider, caseID := refEnv(t)
	if a := e.do(call{method: "POST", path: "/api/v1/providers", as: "provider/administrator",
		body: `{"service_type":"skills_training","areas":["BD30"],"active":true,"capacity":{"places":5}}`}); a.status != 201 {
		t.Fatalf("offer: %d %s", a.status, a.body)
	}
	a := e.do(call{method: "POST", path: "/api/v1/referrals", as: "ngo/case_worker",
		body: fmt.Sprintf(`{"case_id":%q,"to_org_id":%q,"service_type":"skills_training","note":"Lives at House 7"}`, caseID, provider)})
	if a.status != 201 {
		t.Fatalf("send: %d %s", a.status, a.body)
	}
	refID := a.json(t)["id"].(string)
	personID := a.json(t)["person_id"].(string)
	rec, err := e.w.DB.FindRecord(e.w.Ctx("ngo", homeward.RoleCaseWorker), personID)
	if err != nil {
		t.Fatal(err)
	}
	var consentID string
	for _, c := range rec.Consents {
		if c.Recipient.OrgID == provider {
			consentID = c.ID
		}
	}
	if w := e.do(call{method: "POST", path: "/api/v1/consents/" + consentID + "/withdraw", as: "provider/case_worker"}); w.status != 404 {
		t.Errorf("withdrawal by the provider: %d, want 404", w.status)
	}
	if w := e.do(call{method: "POST", path: "/api/v1/consents/" + consentID + "/withdraw", as: "ngo/case_worker"}); w.status != 204 {
		t.Fatalf("withdraw: %d %s", w.status, w.body)
	}
	r := e.do(call{method: "GET", path: "/api/v1/referrals/" + refID, as: "provider/provider_staff"})
	body := string(r.body)
	if r.status != 200 || !strings.Contains(body, `"state":"consent_withdrawn"`) {
		t.Errorf("receiver: %d %s", r.status, body)
	}
	for _, leak := range []string{"Rahima", "Khatun", "House 7", "01712", "8801712", rec.Case.Number} {
		if strings.Contains(body, leak) {
			t.Errorf("receiver still sees %q: %s", leak, body)
		}
	}
	s := e.do(call{method: "GET", path: "/api/v1/referrals/" + refID, as: "ngo/case_worker"})
	if !strings.Contains(string(s.body), `"state":"consent_withdrawn"`) || !strings.Contains(string(s.body), caseID) {
		t.Errorf("sender: %s", s.body)
	}
	m := e.do(call{method: "POST", path: "/api/v1/referrals/" + refID + "/transitions", as: "provider/provider_staff", body: `{"to":"accepted"}`,
		header: map[string]string{"If-Match": r.header.Get("ETag")}})
	if m.status != 409 {
		t.Errorf("accept after withdrawal: %d %s", m.status, m.body)
	}
}

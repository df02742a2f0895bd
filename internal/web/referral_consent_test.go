package web_test

import (
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// TestReferralConsentWithdrawnPages: after the returnee withdraws consent
// for the provider, the provider's page shows only that consent was
// withdrawn (no personal details, no moves) and the sender's shows the state.
func TestReferralConsentWithdrawnPages(t *testing.T) {
	sender, w := newBrowser(t)
	provider, staff, rec, cw, _ := referralCase(t, w)
	r, err := w.DB.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: provider.ID, ServiceType: "skills_training"})
	if err != nil {
		t.Fatal(err)
	}
	p := sender.fresh()
	p.login(staff.Email)
	if _, page := p.get("/referrals/" + r.ID); !strings.Contains(page, "Rahima") || !strings.Contains(page, `id="move-accepted"`) {
		t.Fatalf("before withdrawal the provider should see the person and accept:\n%s", page)
	}
	for _, c := range rec.Consents {
		if c.Purpose == registry.PurposeReferral {
			if err := w.DB.WithdrawConsent(cw, c.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, page := p.get("/referrals/" + r.ID)
	for _, leak := range []string{"Rahima", "Khatun", "Secret Lane", "1234567890", rec.Case.Number, `id="move-accepted"`, `id="shared-fields"`} {
		if strings.Contains(page, leak) {
			t.Errorf("provider page after withdrawal shows %q", leak)
		}
	}
	if !strings.Contains(page, `id="consent-withdrawn"`) || !strings.Contains(page, `id="referral-state">Consent withdrawn<`) {
		t.Errorf("provider page does not say consent was withdrawn:\n%s", page)
	}
	m := versionRe.FindStringSubmatch(page)
	version := "2"
	if m != nil {
		version = m[1]
	}
	if status, _ := p.post("/referrals/"+r.ID+"/move", url.Values{"csrf_token": {csrf(t, page)}, "version": {version}, "to": {"accepted"}}); status != 409 {
		t.Errorf("accepting after withdrawal: %d, want 409", status)
	}
	sender.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)
	if _, page := sender.get("/referrals/" + r.ID); !strings.Contains(page, `id="referral-state">Consent withdrawn<`) || !strings.Contains(page, `id="consent-withdrawn"`) {
		t.Errorf("sender page does not mark the referral:\n%s", page)
	}
}

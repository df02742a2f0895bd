package sqldb_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// consentID returns the id of the person's consent for purpose (and, for
// referrals, the named organisation).
func consentID(t *testing.T, rec *registry.Record, purpose registry.Purpose, org string) string {
	t.Helper()
	for _, c := range rec.Consents {
		if c.Purpose == purpose && c.Recipient.OrgID == org {
			return c.ID
		}
	}
	t.Fatalf("no %s consent for %q", purpose, org)
	return ""
}

func TestWithdrawnConsentClosesOpenReferrals(t *testing.T) {
	w := newRefWorld(t)
	w.offer(t, "skills_training", 1) // one place: a closed referral must free it
	w.offer(t, "job_placement", 10)
	worker := w.as("ngo", homeward.RoleCaseWorker)
	receiver := w.as("provider", homeward.RoleProviderStaff)

	rec := w.returnee(t, "1234567890", w.Provider.ID, w.Operator.ID)
	open := w.send(t, rec, "skills_training")
	done := w.send(t, rec, "job_placement")
	done = w.move(t, receiver, done, referral.StateAccepted, "")
	done = w.move(t, receiver, done, referral.StateInProgress, "")
	done = w.move(t, receiver, done, referral.StateCompleted, "")

	state := func(id string) *referral.Referral {
		t.Helper()
		r, err := w.DB.FindReferral(receiver, id)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}

	// Another tenant cannot withdraw: not found, nothing changes.
	if err := w.DB.WithdrawConsent(w.as("provider", homeward.RoleCaseWorker), consentID(t, rec, registry.PurposeReferral, w.Provider.ID)); homeward.ErrorCode(err) != homeward.ENOTFOUND {
		t.Errorf("withdrawal by another organisation: %v, want not found", err)
	}
	// A purpose that does not cover referrals, and a referral consent for
	// another recipient, leave this referral as it was.
	for _, id := range []string{consentID(t, rec, registry.PurposeRegistration, ""), consentID(t, rec, registry.PurposeReferral, w.Operator.ID)} {
		if err := w.DB.WithdrawConsent(worker, id); err != nil {
			t.Fatal(err)
		}
	}
	if r := state(open.ID); r.State != referral.StateSent || r.Shared.GivenName == "" {
		t.Fatalf("after unrelated withdrawals: %s, shared %+v", r.State, r.Shared)
	}

	if err := w.DB.WithdrawConsent(worker, consentID(t, rec, registry.PurposeReferral, w.Provider.ID)); err != nil {
		t.Fatal(err)
	}
	r := state(open.ID)
	if r.State != referral.StateConsentWithdrawn || r.ClosedAt == nil {
		t.Errorf("receiver sees state %s, closed %v; want consent_withdrawn", r.State, r.ClosedAt)
	}
	if r.Shared.GivenName != "" || r.Shared.FamilyName != "" || r.Shared.Phone != "" || r.Shared.NationalID != "" || r.Shared.CaseNumber != "" || len(r.Shared.Fields) != 0 {
		t.Errorf("receiver still sees personal fields: %+v", r.Shared)
	}
	if _, err := w.DB.MoveReferral(receiver, r.ID, r.Version, referral.Transition{To: referral.StateAccepted}); homeward.ErrorCode(err) != homeward.ECONFLICT {
		t.Errorf("accepting after withdrawal: %v, want conflict", err)
	}
	s, err := w.DB.FindReferral(worker, open.ID)
	if err != nil {
		t.Fatal(err)
	}
	if s.State != referral.StateConsentWithdrawn || s.CaseID != rec.Case.ID {
		t.Errorf("sender sees %s for case %q", s.State, s.CaseID)
	}
	if !slices.Contains(timelineKinds(t, w, rec.Case.ID), "referral_consent_withdrawn") {
		t.Errorf("timeline lacks referral_consent_withdrawn: %v", timelineKinds(t, w, rec.Case.ID))
	}
	// What was delivered stays the provider's record.
	if d := state(done.ID); d.State != referral.StateCompleted || d.Shared.GivenName == "" {
		t.Errorf("completed referral changed: %s %+v", d.State, d.Shared)
	}

	// Consent given again does not reopen it.
	if err := w.DB.RecordConsent(worker, rec.Person.ID, &registry.Consent{Purpose: registry.PurposeReferral, Recipient: registry.Recipient{OrgID: w.Provider.ID},
		Method: registry.MethodSignedForm, RecordedBy: w.Users["ngo"][homeward.RoleCaseWorker].ID, RecordedAt: w.DB.Now()}); err != nil {
		t.Fatal(err)
	}
	if r := state(open.ID); r.State != referral.StateConsentWithdrawn {
		t.Errorf("after consent given again: %s", r.State)
	}
	// A new referral can be sent, in the place the closed one held.
	w.send(t, rec, "skills_training")
}

// TestWithdrawnConsentStopsDeliveryRecord: a referral in progress with a
// delivery record is closed by the withdrawal; the provider keeps reading
// what it recorded (its record of service given) but cannot add to it.
func TestWithdrawnConsentStopsDeliveryRecord(t *testing.T) {
	w := newRefWorld(t)
	w.offer(t, "skills_training", 10)
	staff := w.as("provider", homeward.RoleProviderStaff)
	rec := w.returnee(t, "1234567890", w.Provider.ID)
	r := w.move(t, staff, w.send(t, rec, "skills_training"), referral.StateAccepted, "")
	d, err := w.DB.AddDelivery(staff, r.ID, referral.DeliveryInput{Training: &referral.Training{Course: "House wiring", Trade: "Electrician", ISCO: "7411",
		StartDate: "2026-04-01", EndDate: "2026-06-30", Hours: 360, EnrolledOn: "2026-03-20", Outcome: referral.TrainingEnrolled}})
	if err != nil {
		t.Fatal(err)
	}
	if err := w.DB.WithdrawConsent(w.as("ngo", homeward.RoleCaseWorker), consentID(t, rec, registry.PurposeReferral, w.Provider.ID)); err != nil {
		t.Fatal(err)
	}
	kept, err := w.DB.FindDelivery(staff, d.ID)
	if err != nil || kept.Training == nil || kept.Training.Course != "House wiring" {
		t.Fatalf("provider's record after withdrawal: %+v, %v", kept, err)
	}
	in := referral.DeliveryInput{Training: &referral.Training{Course: "House wiring", ISCO: "7411", Hours: 360, Outcome: referral.TrainingCompleted}}
	if _, err := w.DB.UpdateDelivery(staff, d.ID, kept.Version, in); homeward.ErrorCode(err) != homeward.ECONFLICT {
		t.Errorf("updating the record after withdrawal: %v, want conflict", err)
	}
}

// TestWithdrawnConsentWebhook: the receiver's webhook hears that consent
// was withdrawn, with no personal data in any message.
func TestWithdrawnConsentWebhook(t *testing.T) {
	w := newRefWorld(t)
	h := &referral.Webhook{URL: "https://partner.example/hooks"}
	if err := w.DB.CreateWebhook(w.as("provider", homeward.RoleAdministrator), h); err != nil {
		t.Fatal(err)
	}
	w.offer(t, "skills_training", 10)
	rec := w.returnee(t, "1234567890", w.Provider.ID)
	w.send(t, rec, "skills_training")
	if err := w.DB.WithdrawConsent(w.as("ngo", homeward.RoleCaseWorker), consentID(t, rec, registry.PurposeReferral, w.Provider.ID)); err != nil {
		t.Fatal(err)
	}
	var bodies []string
	send := func(_ context.Context, m referral.Message) (int, error) {
		bodies = append(bodies, string(m.Body))
		return 204, nil
	}
	if _, err := w.DB.DeliverWebhooks(homewardtest.SystemCtx(), send); err != nil {
		t.Fatal(err)
	}
	all := strings.Join(bodies, "\n")
	if !strings.Contains(all, `"referral.consent_withdrawn"`) {
		t.Errorf("no consent_withdrawn event: %s", all)
	}
	for _, leak := range []string{"Rahima", "Khatun", "1234567890", "01712", rec.Person.ID, rec.Case.ID, rec.Case.Number} {
		if strings.Contains(all, leak) {
			t.Errorf("webhook carries %q: %s", leak, all)
		}
	}
}

package registry

import (
	"testing"
	"time"

	"homeward"
)

func at(day int) time.Time { return time.Date(2026, 1, day, 12, 0, 0, 0, time.UTC) }

func TestConsentValidate(t *testing.T) {
	base := Consent{Purpose: PurposeReferral, Recipient: Recipient{OrgType: "ngo"}, Method: MethodSignedForm, RecordedBy: "u1", RecordedAt: at(1)}
	tests := []struct {
		name   string
		change func(c *Consent)
		want   []string
	}{
		{"valid", func(c *Consent) {}, nil},
		{"no purpose", func(c *Consent) { c.Purpose = ""; c.Recipient = Recipient{} }, []string{"purpose=error.field.required"}},
		{"bad purpose", func(c *Consent) { c.Purpose = "marketing"; c.Recipient = Recipient{} }, []string{"purpose=error.field.invalid_choice"}},
		{"referral without recipient", func(c *Consent) { c.Recipient = Recipient{} }, []string{"recipient=registry.consent.recipient_required"}},
		{"referral with both", func(c *Consent) { c.Recipient.OrgID = "o1" }, []string{"recipient=registry.consent.recipient_both"}},
		{"unknown org type", func(c *Consent) { c.Recipient.OrgType = "bank" }, []string{"recipient.org_type=error.field.invalid_choice"}},
		{"recipient on contact consent", func(c *Consent) { c.Purpose = PurposeContact }, []string{"recipient=registry.consent.recipient_unexpected"}},
		{"no method", func(c *Consent) { c.Method = "" }, []string{"method=error.field.required"}},
		{"bad method", func(c *Consent) { c.Method = "telepathy" }, []string{"method=error.field.invalid_choice"}},
		{"verbal needs witness", func(c *Consent) { c.Method = MethodVerbalWithWitness }, []string{"witness=registry.consent.witness_required"}},
		{"verbal with witness", func(c *Consent) { c.Method, c.Witness = MethodVerbalWithWitness, "Rina Akter" }, nil},
		{"no recorder", func(c *Consent) { c.RecordedBy = "" }, []string{"recorded_by=error.field.required"}},
		{"no time", func(c *Consent) { c.RecordedAt = time.Time{} }, []string{"recorded_at=error.field.required"}},
		{"recorded in the future", func(c *Consent) { c.RecordedAt = at(20) }, []string{"recorded_at=registry.consent.recorded_future"}},
		{"expiry before recording", func(c *Consent) { c.ExpiresAt = ptr(at(1)) }, []string{"expires_at=registry.consent.expiry_before_recorded"}},
		{"withdrawn before recording", func(c *Consent) { c.WithdrawnAt, c.WithdrawnBy = ptr(at(1).Add(-time.Hour)), "u2" }, []string{"withdrawn_at=registry.consent.withdrawn_before_recorded"}},
		{"withdrawal without who", func(c *Consent) { c.WithdrawnAt = ptr(at(2)) }, []string{"withdrawn_by=error.field.required"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := base
			tt.change(&c)
			wantProblems(t, c.Validate(at(10)), tt.want...)
		})
	}
}

func TestConsentWithdraw(t *testing.T) {
	c := Consent{Purpose: PurposeContact, Method: MethodDigital, RecordedBy: "u1", RecordedAt: at(1)}
	if err := c.Withdraw("", at(2)); homeward.ErrorCode(err) != homeward.EINVALID {
		t.Errorf("withdraw without user: %v", err)
	}
	if err := c.Withdraw("u2", at(5)); err != nil {
		t.Fatal(err)
	}
	if err := c.Withdraw("u3", at(6)); homeward.ErrorCode(err) != homeward.ECONFLICT || c.WithdrawnBy != "u2" || !c.WithdrawnAt.Equal(at(5)) {
		t.Errorf("second withdrawal: %v, %+v", err, c)
	}
	if !c.ActiveAt(at(4)) || c.ActiveAt(at(5)) || c.ActiveAt(at(6)) {
		t.Error("withdrawal must take effect at once")
	}
}

func TestConsentValid(t *testing.T) {
	ngo := Recipient{OrgID: "org-brac", OrgType: "ngo"}
	other := Recipient{OrgID: "org-other", OrgType: "ngo"}
	provider := Recipient{OrgID: "org-tti", OrgType: "service_provider"}
	c := func(p Purpose, r Recipient, rec int, exp, wd *time.Time) Consent {
		return Consent{Purpose: p, Recipient: r, Method: MethodSignedForm, RecordedBy: "u", RecordedAt: at(rec), ExpiresAt: exp, WithdrawnAt: wd, WithdrawnBy: "u"}
	}
	typeNGO := Recipient{OrgType: "ngo"}
	named := Recipient{OrgID: "org-brac"}
	tests := []struct {
		name     string
		consents []Consent
		purpose  Purpose
		to       Recipient
		at       time.Time
		want     bool
	}{
		{"none", nil, PurposeContact, Recipient{}, at(5), false},
		{"simple", []Consent{c(PurposeContact, Recipient{}, 1, nil, nil)}, PurposeContact, Recipient{}, at(5), true},
		{"other purpose", []Consent{c(PurposeContact, Recipient{}, 1, nil, nil)}, PurposeResearch, Recipient{}, at(5), false},
		{"before recorded", []Consent{c(PurposeContact, Recipient{}, 10, nil, nil)}, PurposeContact, Recipient{}, at(5), false},
		{"at recording instant", []Consent{c(PurposeContact, Recipient{}, 5, nil, nil)}, PurposeContact, Recipient{}, at(5), true},
		{"before expiry", []Consent{c(PurposeContact, Recipient{}, 1, ptr(at(10)), nil)}, PurposeContact, Recipient{}, at(9), true},
		{"at expiry", []Consent{c(PurposeContact, Recipient{}, 1, ptr(at(10)), nil)}, PurposeContact, Recipient{}, at(10), false},
		{"after expiry", []Consent{c(PurposeContact, Recipient{}, 1, ptr(at(10)), nil)}, PurposeContact, Recipient{}, at(11), false},
		{"before withdrawal", []Consent{c(PurposeContact, Recipient{}, 1, nil, ptr(at(10)))}, PurposeContact, Recipient{}, at(9), true},
		{"at withdrawal", []Consent{c(PurposeContact, Recipient{}, 1, nil, ptr(at(10)))}, PurposeContact, Recipient{}, at(10), false},
		{"withdrawn ends an older duplicate", []Consent{c(PurposeContact, Recipient{}, 1, nil, nil), c(PurposeContact, Recipient{}, 2, nil, ptr(at(10)))}, PurposeContact, Recipient{}, at(11), false},
		{"fresh consent after withdrawal", []Consent{c(PurposeContact, Recipient{}, 1, nil, ptr(at(10))), c(PurposeContact, Recipient{}, 12, nil, nil)}, PurposeContact, Recipient{}, at(13), true},
		{"expired one and valid one", []Consent{c(PurposeContact, Recipient{}, 1, ptr(at(3)), nil), c(PurposeContact, Recipient{}, 2, nil, nil)}, PurposeContact, Recipient{}, at(5), true},
		{"type-level covers org of type", []Consent{c(PurposeReferral, typeNGO, 1, nil, nil)}, PurposeReferral, ngo, at(5), true},
		{"type-level does not cover other type", []Consent{c(PurposeReferral, typeNGO, 1, nil, nil)}, PurposeReferral, provider, at(5), false},
		{"named covers that org", []Consent{c(PurposeReferral, named, 1, nil, nil)}, PurposeReferral, ngo, at(5), true},
		{"named does not cover another org of same type", []Consent{c(PurposeReferral, named, 1, nil, nil)}, PurposeReferral, other, at(5), false},
		{"referral needs recipient in query", []Consent{c(PurposeReferral, typeNGO, 1, nil, nil)}, PurposeReferral, Recipient{}, at(5), false},
		{"withdrawn type ends earlier named", []Consent{c(PurposeReferral, named, 1, nil, nil), c(PurposeReferral, typeNGO, 2, nil, ptr(at(8)))}, PurposeReferral, ngo, at(9), false},
		{"withdrawn named ends earlier type for that org", []Consent{c(PurposeReferral, typeNGO, 1, nil, nil), c(PurposeReferral, named, 2, nil, ptr(at(8)))}, PurposeReferral, ngo, at(9), false},
		{"withdrawn named keeps type for other org", []Consent{c(PurposeReferral, typeNGO, 1, nil, nil), c(PurposeReferral, named, 2, nil, ptr(at(8)))}, PurposeReferral, other, at(9), true},
		{"named given after type withdrawal", []Consent{c(PurposeReferral, typeNGO, 1, nil, ptr(at(3))), c(PurposeReferral, named, 4, nil, nil)}, PurposeReferral, ngo, at(5), true},
		{"withdrawal in the future of the question", []Consent{c(PurposeReferral, named, 1, nil, nil), c(PurposeReferral, typeNGO, 2, nil, ptr(at(8)))}, PurposeReferral, ngo, at(7), true},
		{"recipient ignored for research", []Consent{c(PurposeResearch, Recipient{}, 1, nil, nil)}, PurposeResearch, provider, at(5), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ConsentValid(tt.consents, tt.purpose, tt.to, tt.at)
			if ok != tt.want {
				t.Errorf("ConsentValid = %v, want %v", ok, tt.want)
			}
			if ok && (got.Purpose != tt.purpose || !got.ActiveAt(tt.at)) {
				t.Errorf("returned consent %+v does not fit", got)
			}
		})
	}
	// The consent that lasts longest is the one returned.
	cs := []Consent{c(PurposeContact, Recipient{}, 1, ptr(at(20)), nil), c(PurposeContact, Recipient{}, 2, nil, nil), c(PurposeContact, Recipient{}, 3, ptr(at(25)), nil)}
	if got, _ := ConsentValid(cs, PurposeContact, Recipient{}, at(5)); got.ExpiresAt != nil {
		t.Errorf("picked %+v, want the never-expiring one", got)
	}
}

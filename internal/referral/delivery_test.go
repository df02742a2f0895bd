package referral

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/internal/registry"
)

func grantInput() DeliveryInput {
	return DeliveryInput{Grant: &Grant{Amount: registry.Money{Amount: 60000, Currency: "bdt"}, Channel: ChannelBKash, AccountRef: "01712345678",
		Purpose: "Tea stall", Tranches: []Tranche{{Amount: 40000}, {Amount: 20000, PlannedDate: "2026-05-01"}}}}
}

func TestGrantFourEyes(t *testing.T) {
	d, err := NewDelivery(KindGrant, grantInput(), "requester", now)
	if err != nil {
		t.Fatal(err)
	}
	g := d.Grant
	if g.Status != GrantRequested || g.RequestedBy != "requester" || g.Amount.Currency != "BDT" {
		t.Fatalf("new grant: %+v", g)
	}
	if err := g.Disburse(0, "TX1", "cashier", now); homeward.ErrorCode(err) != homeward.ECONFLICT {
		t.Errorf("paid before approval: %v", err)
	}
	if err := g.Approve("requester", "", now); homeward.ErrorCode(err) != homeward.EFORBIDDEN || g.Status != GrantRequested {
		t.Errorf("approved by its requester: %v", err)
	}
	if err := g.Reject("requester", "no", now); homeward.ErrorCode(err) != homeward.EFORBIDDEN {
		t.Errorf("rejected by its requester: %v", err)
	}
	if err := g.Approve("supervisor", "fine", now); err != nil || g.Status != GrantApproved || g.ApprovedBy != "supervisor" {
		t.Fatalf("approve: %v", err)
	}
	if err := g.Approve("other", "", now); homeward.ErrorCode(err) != homeward.ECONFLICT {
		t.Error("approved twice")
	}
	// Locked once approved.
	in := grantInput()
	in.Grant.Amount.Amount, in.Grant.Tranches[0].Amount = 70000, 50000
	if err := d.Update(in); homeward.ErrorCode(err) != homeward.ECONFLICT {
		t.Errorf("approved amount changed: %v", err)
	}
	if err := g.Disburse(0, "", "cashier", now); !hasField(err, "reference") {
		t.Errorf("mobile money without reference: %v", err)
	}
	if err := g.Disburse(5, "TX", "cashier", now); !hasField(err, "tranche") {
		t.Error("unknown tranche")
	}
	if err := g.Disburse(0, "TX1", "cashier", now); err != nil || g.Status != GrantApproved {
		t.Fatalf("first tranche: %v %s", err, g.Status)
	}
	if err := g.Disburse(0, "TX1", "cashier", now); homeward.ErrorCode(err) != homeward.ECONFLICT {
		t.Error("paid twice")
	}
	if err := g.Disburse(1, "TX2", "cashier", now); err != nil || g.Status != GrantDisbursed {
		t.Fatalf("second tranche: %v %s", err, g.Status)
	}
	// Visits may still be added; payments survive the update.
	in = grantInput()
	income := int64(12000)
	in.Grant.Visits = []Visit{{Date: "2026-06-01", Trading: true, MonthlyIncome: &income}}
	in.Grant.Status, in.Grant.ApprovedBy = GrantRequested, "me" // ignored
	if err := d.Update(in); err != nil {
		t.Fatal(err)
	}
	if d.Grant.Status != GrantDisbursed || d.Grant.ApprovedBy != "supervisor" || d.Grant.Tranches[1].Reference != "TX2" || len(d.Grant.Visits) != 1 {
		t.Errorf("after visit: %+v", d.Grant)
	}
	// Rejection needs a note.
	d2, _ := NewDelivery(KindGrant, grantInput(), "requester", now)
	if err := d2.Grant.Reject("sup", " ", now); !hasField(err, "note") {
		t.Error("rejected without reason")
	}
	if err := d2.Grant.Reject("sup", "no business plan", now); err != nil || d2.Grant.Status != GrantRejected {
		t.Error(err)
	}
}

func TestDeliveryValidation(t *testing.T) {
	tests := []struct {
		name   string
		kind   Kind
		in     DeliveryInput
		fields []string
	}{
		{"generic keeps no record", KindGeneric, DeliveryInput{}, nil},
		{"wrong part", KindTraining, grantInput(), []string{"training"}},
		{"two parts", KindGrant, DeliveryInput{Grant: grantInput().Grant, Training: &Training{}}, []string{"grant"}},
		{"training", KindTraining, DeliveryInput{Training: &Training{ISCO: "99999", StartDate: "2026-05-01", EndDate: "2026-04-01", Hours: -1,
			Attendance: []Attendance{{Date: "x", Hours: 30}}, Outcome: TrainingDroppedOut}},
			[]string{"training.course", "training.isco", "training.end_date", "training.hours", "training.attendance[0].date", "training.attendance[0].hours", "training.drop_out_reason"}},
		{"certificate before completion", KindTraining, DeliveryInput{Training: &Training{Course: "Welding", Outcome: TrainingEnrolled, CertificateRef: "C1"}}, []string{"training.certificate_ref"}},
		{"grant", KindGrant, DeliveryInput{Grant: &Grant{Amount: registry.Money{Amount: 100, Currency: "TAKA"}, Channel: ChannelBank,
			Tranches: []Tranche{{Amount: 60}}}}, []string{"grant.amount.currency", "grant.account_ref", "grant.purpose", "grant.tranches"}},
		{"grant channel", KindGrant, DeliveryInput{Grant: &Grant{Amount: registry.Money{Amount: 100, Currency: "BDT"}, Channel: "paypal", Purpose: "x",
			Tranches: []Tranche{{Amount: 100}}}}, []string{"grant.channel"}},
		{"placement", KindPlacement, DeliveryInput{Placement: &Placement{ISCO: "99999", WagePer: "hour", FollowUps: []FollowUp{{}}}},
			[]string{"placement.employer", "placement.position", "placement.isco", "placement.wage.amount", "placement.wage.currency", "placement.wage_per", "placement.start_date", "placement.follow_ups[0].date"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewDelivery(tt.kind, tt.in, "u", now)
			if err == nil {
				t.Fatal("accepted")
			}
			for _, f := range tt.fields {
				if !hasField(err, f) {
					t.Errorf("no error for %s: %v", f, err)
				}
			}
		})
	}
	ok := []DeliveryInput{
		{Training: &Training{Course: "Electrical wiring", Trade: "Electrician", ISCO: "7411", StartDate: "2026-04-01", EndDate: "2026-06-30", Hours: 12,
			EnrolledOn: "2026-03-25", Attendance: []Attendance{{Date: "2026-04-01", Hours: 6}, {Date: "2026-04-02", Hours: 4}}, Outcome: TrainingCompleted, CertificateRef: "BTEB-2026-1"}},
		{Placement: &Placement{Employer: "Meghna Garments", Position: "Sewing machine operator", ISCO: "8153", Wage: registry.Money{Amount: 12500, Currency: "BDT"},
			WagePer: "month", StartDate: "2026-05-01", FollowUps: []FollowUp{{Date: "2026-08-01", StillEmployed: true}}}},
	}
	for _, in := range ok {
		d, err := NewDelivery(in.Kind(), in, "u", now)
		if err != nil {
			t.Errorf("%s: %v", in.Kind(), err)
			continue
		}
		if d.Kind == KindTraining && d.Training.AttendedHours() != 10 {
			t.Error("attended hours")
		}
	}
}

func TestCounsellingSessions(t *testing.T) {
	d, err := NewDelivery(KindCounselling, DeliveryInput{Counselling: &Counselling{}}, "c", now)
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Update(DeliveryInput{Counselling: &Counselling{Sessions: []Session{{ID: "forged"}}}}); homeward.ErrorCode(err) != homeward.ECONFLICT {
		t.Error("sessions replaced wholesale")
	}
	s, err := d.AddSession(SessionInput{Date: "2026-03-09", Type: SessionIndividual, Minutes: 50, Notes: "Sleeps badly; nightmares about detention."}, "s1", "c", now)
	if err != nil || !s.HasNotes || len(d.Counselling.Sessions) != 1 {
		t.Fatalf("session: %v %+v", err, s)
	}
	for _, bad := range []struct {
		in    SessionInput
		field string
	}{
		{SessionInput{Date: "2026-03-11", Type: SessionGroup}, "date"},
		{SessionInput{Date: "2026-03-09", Type: "hypnosis"}, "type"},
		{SessionInput{Date: "2026-03-09", Type: SessionFamily, ClinicalReferral: true}, "clinical_to"},
		{SessionInput{Date: "2026-03-09", Type: SessionRemote, Minutes: 601}, "minutes"},
	} {
		if _, err := d.AddSession(bad.in, "x", "c", now); !hasField(err, bad.field) {
			t.Errorf("%+v: %v", bad.in, err)
		}
	}
	tr, _ := NewDelivery(KindTraining, DeliveryInput{Training: &Training{Course: "x", Outcome: TrainingEnrolled}}, "u", now)
	if _, err := tr.AddSession(SessionInput{Date: "2026-03-09", Type: SessionIndividual}, "x", "c", now); homeward.ErrorCode(err) != homeward.ECONFLICT {
		t.Error("session on a training")
	}
}

// Counselling notes: only the providing organisation's counsellors
// (provider staff), whatever else the reader may do.
func TestMayReadNotes(t *testing.T) {
	for _, role := range homeward.Roles {
		for _, org := range []string{"provider", "referrer"} {
			for _, operator := range []bool{false, true} {
				a := &homeward.Actor{UserID: "u", OrgID: org, Roles: []homeward.Role{role}, Operator: operator}
				want := org == "provider" && role == homeward.RoleProviderStaff
				if got := MayReadNotes(a, "provider"); got != want {
					t.Errorf("%s of %s (operator %v): %v", role, org, operator, got)
				}
			}
		}
	}
	if MayReadNotes(homeward.SystemActor, "provider") || MayReadNotes(nil, "provider") {
		t.Error("system or nobody reads notes")
	}
	all := &homeward.Actor{OrgID: "provider", Roles: homeward.Roles, Scopes: []homeward.Scope{homeward.ScopeRead}}
	if MayReadNotes(all, "provider") {
		t.Error("a read-only token reads notes")
	}
}

func TestWebhookSigning(t *testing.T) {
	secret := []byte("whsec_test")
	body := []byte(`{"type":"referral.sent"}`)
	sig := Sign(secret, now, body)
	if !strings.HasPrefix(sig, "t=") || !strings.Contains(sig, ",v1=") {
		t.Fatalf("signature %q", sig)
	}
	tests := []struct {
		name   string
		secret []byte
		header string
		body   []byte
		at     time.Time
		ok     bool
	}{
		{"valid", secret, sig, body, now.Add(time.Minute), true},
		{"other secret", []byte("x"), sig, body, now, false},
		{"changed body", secret, sig, []byte(`{"type":"referral.revoked"}`), now, false},
		{"replayed late", secret, sig, body, now.Add(6 * time.Minute), false},
		{"from the future", secret, sig, body, now.Add(-6 * time.Minute), false},
		{"garbage", secret, "v1=abc", body, now, false},
		{"empty", secret, "", body, now, false},
	}
	for _, tt := range tests {
		if got := Verify(tt.secret, tt.header, tt.body, tt.at, 5*time.Minute); got != tt.ok {
			t.Errorf("%s: %v", tt.name, got)
		}
	}
	// The signature is the HMAC of "<t>.<body>", so a partner can check it
	// with any HMAC library.
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(strconv.FormatInt(now.Unix(), 10) + "." + string(body)))
	if want := "t=" + strconv.FormatInt(now.Unix(), 10) + ",v1=" + hex.EncodeToString(m.Sum(nil)); sig != want {
		t.Errorf("signature %s, want %s", sig, want)
	}
}

func TestBackoff(t *testing.T) {
	last := now
	var waits []time.Duration
	for attempts := 1; ; attempts++ {
		next, ok := NextAttempt(attempts, last)
		if !ok {
			if attempts != len(Backoff)+1 {
				t.Errorf("gave up after %d attempts", attempts-1)
			}
			break
		}
		waits = append(waits, next.Sub(last))
		last = next
	}
	for i := 1; i < len(waits); i++ {
		if waits[i] <= waits[i-1] {
			t.Errorf("back-off does not grow: %v", waits)
		}
	}
	if waits[0] != time.Minute || waits[len(waits)-1] != 24*time.Hour {
		t.Errorf("schedule %v", waits)
	}
	if _, ok := NextAttempt(0, now); ok {
		t.Error("attempt 0")
	}
}

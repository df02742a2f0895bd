package demo

import (
	"context"
	"fmt"
	"time"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// seedReferrals fills the provider directory and sends referrals from the
// NGOs to the training and counselling centres in every state, with
// training records, counselling sessions (with private notes) and plans.
func seedReferrals(ctx context.Context, db *sqldb.DB, w *World) error {
	week := []string{"sa", "su", "mo", "tu", "we", "th"}
	hours := []referral.Hours{{Days: week, Opens: "09:00", Closes: "17:00"}}
	offers := []struct {
		org, admin string
		o          referral.Offer
	}{
		{"ttc-dhaka", "admin@ttc-dhaka.demo", referral.Offer{ServiceType: "skills_training", Areas: []string{"BD30"}, Active: true, Hours: hours,
			Description: "Three-month courses in electrical installation, welding, plumbing, tailoring and driving.",
			Capacity:    referral.Capacity{Places: 40, Period: referral.PeriodMonth}, Eligibility: referral.Eligibility{Text: "Returnees aged 18 to 50."},
			Contact: referral.Contact{Name: "Admissions desk", Phone: "+880 2 5500 1100", Email: "admissions@ttc-dhaka.example"}}},
		{"ttc-dhaka", "admin@ttc-dhaka.demo", referral.Offer{ServiceType: "recognition_prior_learning", Areas: []string{"BD30"}, Active: true, Hours: hours,
			Description: "Skills assessment and BTEB certification of skills learnt abroad.", Contact: referral.Contact{Phone: "+880 2 5500 1101"}}},
		{"ttc-comilla", "", referral.Offer{ServiceType: "skills_training", Areas: []string{"BD20"}, Active: true, Hours: hours,
			Capacity: referral.Capacity{Places: 25, Period: referral.PeriodMonth}, Contact: referral.Contact{Phone: "+880 81 600 200"}}},
		{"monjotno", "", referral.Offer{ServiceType: "psychosocial_counselling", Areas: []string{"BD30", "BD60"}, Active: true, Hours: hours,
			Description: "Individual and family counselling by trained counsellors; referral to psychiatrists when needed.",
			Contact:     referral.Contact{Name: "Intake", Phone: "+880 1711 000 333"}}},
		{"monjotno", "", referral.Offer{ServiceType: "family_counselling", Areas: []string{"BD30"}, Active: true, Hours: hours}},
		{"meghna", "", referral.Offer{ServiceType: "job_placement", Areas: []string{"BD30"}, Active: true,
			Eligibility: referral.Eligibility{Text: "Sewing experience welcome.", MinAge: ptr(18), MaxAge: ptr(45)}}},
	}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	for _, x := range offers {
		o := x.o
		o.OrgID = w.Orgs[x.org].ID
		if err := db.CreateOffer(sys, &o); err != nil {
			return fmt.Errorf("offer %s/%s: %w", x.org, o.ServiceType, err)
		}
	}

	shapla := w.Orgs["shapla"]
	cw := homeward.NewContextWithActor(ctx, actorOf(w, "caseworker@shapla.demo", shapla))
	ttc := homeward.NewContextWithActor(ctx, actorOf(w, "staff@ttc-dhaka.demo", w.Orgs["ttc-dhaka"]))
	couns := homeward.NewContextWithActor(ctx, actorOf(w, "counsellor@monjotno.demo", w.Orgs["monjotno"]))
	cases, _, err := db.Search(cw, registry.SearchFilter{Limit: 60})
	if err != nil {
		return err
	}
	// The states each referral is walked to, in turn.
	paths := [][]referral.Transition{
		{},
		{{To: referral.StateAccepted}},
		{{To: referral.StateDeclined, Reason: referral.DeclineNoCapacity}},
		{{To: referral.StateAccepted}, {To: referral.StateInProgress}},
		{{To: referral.StateAccepted}, {To: referral.StateInProgress}, {To: referral.StateCompleted}},
		{{To: referral.StateAccepted}, {To: referral.StateInProgress}, {To: referral.StateNotCompleted, Reason: referral.NotCompletedDropped}},
		{{To: referral.StateRevoked}},
	}
	n := 0
	for _, c := range cases {
		if n >= 2*len(paths) {
			break
		}
		to, service, staff := w.Orgs["ttc-dhaka"], "skills_training", ttc
		if n%2 == 1 {
			to, service, staff = w.Orgs["monjotno"], "psychosocial_counselling", couns
		}
		r, err := db.SendReferral(cw, &referral.Draft{CaseID: c.CaseID, ToOrgID: to.ID, ServiceType: service, Note: "Referred after the needs assessment."})
		if homeward.ErrorCode(err) == homeward.ECONFLICT || homeward.ErrorCode(err) == homeward.EINVALID {
			continue // no consent, ineligible or already referred: as in life
		} else if err != nil {
			return fmt.Errorf("demo referral: %w", err)
		}
		for i, t := range paths[(n/2)%len(paths)] {
			ctx := staff
			if t.To == referral.StateRevoked {
				ctx = cw
			}
			if r, err = db.MoveReferral(ctx, r.ID, r.Version, t); err != nil {
				return fmt.Errorf("demo referral %s: %w", t.To, err)
			}
			if i == 0 && r.State == referral.StateAccepted {
				if err := deliver(staff, db, r); err != nil {
					return fmt.Errorf("demo delivery: %w", err)
				}
			}
		}
		n++
	}
	return nil
}

func ptr(n int) *int { return &n }

// deliver starts the delivery record of an accepted referral.
func deliver(ctx context.Context, db *sqldb.DB, r *referral.Referral) error {
	today := time.Now().UTC().Format(time.DateOnly)
	if r.ServiceType == "skills_training" {
		_, err := db.AddDelivery(ctx, r.ID, referral.DeliveryInput{Training: &referral.Training{Course: "Electrical house wiring", Trade: "Electrician", ISCO: "7411",
			StartDate: today, Hours: 360, EnrolledOn: today, Outcome: referral.TrainingEnrolled}})
		return err
	}
	d, err := db.AddDelivery(ctx, r.ID, referral.DeliveryInput{Counselling: &referral.Counselling{}})
	if err != nil {
		return err
	}
	_, err = db.AddSession(ctx, d.ID, d.Version, referral.SessionInput{Date: today, Type: referral.SessionIndividual, Minutes: 50,
		Notes: "First session: sleep problems since return; agreed weekly sessions."})
	return err
}

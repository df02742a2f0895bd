package demo

import (
	"fmt"
	"strconv"

	"homeward/internal/referral"
	"homeward/internal/registry"
)

// course is a training centre's course.
type course struct{ name, trade, isco string }

var courses = []course{
	{"Electrical house wiring", "Electrician", "7411"},
	{"Industrial sewing machine operation", "Sewing machine operator", "8153"},
	{"Light vehicle driving", "Car driver", "8322"},
	{"Welding (SMAW 2G)", "Welder", "7212"},
	{"Plumbing and pipe fitting", "Plumber", "7126"},
}

// training refers a case of from to provider's course ago days ago and
// walks it to end: accepted, in_progress, overdue (in progress past its
// due date), completed (with a certificate) or dropped (out).
func (s *seeder) training(from, provider string, ago float64, c course, end string) {
	s.at(ago)
	due := 120
	if end == "overdue" {
		due = int(ago) - 15
	}
	r := s.refer(from, provider, "skills_training", due, referral.Draft{})
	s.at(ago - 1)
	s.move(r, s.book.staff[provider], referral.StateAccepted, "", "")
	t := referral.Training{Course: c.name, Trade: c.trade, ISCO: c.isco, StartDate: s.date(2), Hours: 200, EnrolledOn: s.date(0), Outcome: referral.TrainingEnrolled}
	d := s.deliver(r, s.book.staff[provider], referral.DeliveryInput{Training: &t})
	if end == "accepted" {
		return
	}
	s.at(ago - 3)
	s.move(r, s.book.staff[provider], referral.StateInProgress, "", "")
	// Three class days a week up to the end (or today).
	weeks := map[string]int{"in_progress": int(ago-3) / 7, "overdue": int(ago-3) / 7, "completed": 12, "dropped": 3}[end]
	for w := range weeks {
		for _, day := range []int{2, 4, 6} {
			t.Attendance = append(t.Attendance, referral.Attendance{Date: s.date(7*w + day), Hours: 6 - (w+day)%3/2})
		}
	}
	switch end {
	case "completed":
		s.at(ago - 3 - 7*12)
		t.Outcome, t.EndDate, t.CertificateRef = referral.TrainingCompleted, s.date(0), s.book.certPrefix+s.date(0)[:4]+"/"+c.isco+"/"+itoa3(int(ago))
	case "dropped":
		s.at(ago - 3 - 7*3)
		t.Outcome, t.DropOutReason = referral.TrainingDroppedOut, "Took work at a brick kiln to repay the recruitment loan."
	}
	s.update(d, s.book.staff[provider], referral.DeliveryInput{Training: &t})
	switch end { // a completed training completed its referral
	case "dropped":
		s.move(r, s.book.staff[provider], referral.StateNotCompleted, referral.NotCompletedDropped, "Attended three weeks, then stopped coming.")
	}
}

func itoa3(n int) string {
	b := []byte{'0', '0', '0'}
	for i := 2; i >= 0 && n > 0; i, n = i-1, n/10 {
		b[i] = byte('0' + n%10)
	}
	return string(b)
}

// trainings fills both training centres' books.
func (s *seeder) trainings() {
	s.training("shapla", "ttc-dhaka", 6, courses[0], "accepted")
	s.training("shapla", "ttc-dhaka", 25, courses[1], "in_progress")
	s.training("web", "ttc-dhaka", 50, courses[2], "overdue")
	s.training("shapla", "ttc-dhaka", 130, courses[0], "completed")
	s.training("web", "ttc-dhaka", 112, courses[3], "completed")
	s.training("shapla", "ttc-dhaka", 70, courses[4], "dropped")
	s.training("prottyasha", "ttc-comilla", 8, courses[1], "accepted")
	s.training("prottyasha", "ttc-comilla", 30, courses[0], "in_progress")
	s.training("prottyasha", "ttc-comilla", 120, courses[1], "completed")
	s.training("web", "ttc-comilla", 80, courses[2], "dropped")

	// Accepted but never started, now past its due date.
	s.at(40)
	r := s.refer("shapla", "ttc-dhaka", "recognition_prior_learning", 20, referral.Draft{})
	s.at(38)
	s.move(r, staff["ttc-dhaka"], referral.StateAccepted, "", "")
	// Declined and revoked.
	s.at(9)
	r = s.refer("shapla", "ttc-dhaka", "skills_training", 90, referral.Draft{})
	s.at(8)
	s.move(r, staff["ttc-dhaka"], referral.StateDeclined, referral.DeclineNoCapacity, "The March welding batch is full; please refer again in April.")
	s.at(15)
	r = s.refer("prottyasha", "ttc-comilla", "skills_training", 0, referral.Draft{})
	s.at(13)
	s.move(r, staff["ttc-comilla"], referral.StateDeclined, referral.DeclineNotEligible, "Our courses need class eight; we suggest the literacy programme first.")
	s.at(4)
	r = s.refer("shapla", "ttc-dhaka", "skills_training", 0, referral.Draft{})
	s.at(3)
	if r != nil {
		s.move(r, s.sender(r), referral.StateRevoked, "", "The returnee found a job in a garment factory before the course started.")
	}
	// Consent withdrawn: a returnee no longer wants her details shared for
	// referrals; the training centre's open referral closes with it.
	s.at(2)
	r = s.refer("shapla", "ttc-dhaka", "skills_training", 0, referral.Draft{})
	s.at(1)
	if r != nil {
		s.withdrawReferralConsents(r, s.sender(r))
	}
}

// withdrawReferralConsents withdraws, as email, every referral consent of
// r's person still in force.
func (s *seeder) withdrawReferralConsents(r *referral.Referral, email string) {
	if s.err != nil {
		return
	}
	rec, err := s.db.FindRecord(s.as(email), r.PersonID)
	if err != nil {
		s.fail("consent withdrawal", err)
		return
	}
	for _, c := range rec.Consents {
		if c.Purpose == registry.PurposeReferral && c.WithdrawnAt == nil {
			s.fail("consent withdrawal", s.db.WithdrawConsent(s.as(email), c.ID))
		}
	}
}

// sender is the e-mail of the user who sent r.
func (s *seeder) sender(r *referral.Referral) string {
	for e, u := range s.w.Users {
		if u.ID == r.SentBy {
			return e
		}
	}
	return ""
}

// counselling fills Mon Jotno's books: sessions of every type, one with a
// referral for clinical care.
func (s *seeder) counselling() {
	s.counsel("monjotno", "shapla", "sylhet", "National Institute of Mental Health, Dhaka")
	counsellor := staff["monjotno"]
	// Family counselling is offered in Dhaka division only.
	s.at(18)
	r := s.refer("sylhet", "monjotno", "family_counselling", 0, referral.Draft{})
	s.at(17)
	s.move(r, counsellor, referral.StateDeclined, referral.DeclineOutOfArea, "Family sessions are in Dhaka only; individual sessions by phone are possible.")
}

// counsel fills provider's counselling books with referrals from the
// organisations a and b: sessions of every type, one with a referral for
// clinical care to clinic.
func (s *seeder) counsel(provider, a, b, clinic string) {
	counsellor := s.book.staff[provider]
	type sess struct {
		after float64
		typ   referral.SessionType
		note  string
	}
	series := []sess{
		{1, referral.SessionIndividual, "Intake. Sleeps three hours a night since deportation; nightmares about detention. Agreed on weekly sessions."},
		{8, referral.SessionIndividual, "Breathing exercises practised; sleep slightly better."},
		{15, referral.SessionFamily, "With wife and mother: the family's expectations about money; tension eased."},
		{22, referral.SessionRemote, "By phone; client travelling for a job interview."},
		{29, referral.SessionIndividual, "Reports sleeping six hours. Plans to start work next month."},
		{36, referral.SessionGroup, "Returnee peer group, eight participants; shared stories of return."},
	}
	story := func(from string, ago float64, sessions int, end referral.State, due int) {
		s.at(ago)
		r := s.refer(from, provider, "psychosocial_counselling", due, referral.Draft{})
		s.at(ago - 0.5)
		s.move(r, counsellor, referral.StateAccepted, "", "")
		d := s.deliver(r, counsellor, referral.DeliveryInput{Counselling: &referral.Counselling{}})
		for i := range sessions {
			x := series[i]
			s.at(ago - x.after)
			in := referral.SessionInput{Date: s.date(0), Type: x.typ, Minutes: 50, Notes: x.note}
			if i == 2 && end == referral.StateInProgress {
				in.ClinicalReferral, in.ClinicalTo = true, clinic
			}
			s.session(d, counsellor, in)
			if i == 0 && end != referral.StateAccepted && end != referral.StateNotCompleted {
				s.move(r, counsellor, referral.StateInProgress, "", "")
			}
		}
		switch end {
		case referral.StateCompleted:
			s.at(ago - 40)
			s.move(r, counsellor, referral.StateCompleted, "", "")
		case referral.StateNotCompleted:
			s.at(ago - 10)
			s.move(r, counsellor, referral.StateNotCompleted, referral.NotCompletedNoShow, "Did not come to the first two appointments; phone switched off.")
		}
	}
	story(a, 5, 1, referral.StateAccepted, 0)
	story(b, 33, 4, referral.StateInProgress, 0)
	story(a, 60, 5, referral.StateInProgress, 40) // past its due date
	story(b, 100, 6, referral.StateCompleted, 0)
	story(a, 20, 0, referral.StateNotCompleted, 0)
}

// placements fills Meghna Garments' books: a job with its follow-ups, one
// still in its first months, one that ended.
func (s *seeder) placements() {
	hr := staff["meghna"]
	meghna := s.w.Orgs["meghna"]
	story := func(ago float64, wage int64, end referral.State, follow []referral.FollowUp) {
		// An employer is no service provider: the returnee consents to
		// be referred to Meghna by name.
		s.at(ago + 1)
		c := s.nextBornAfter("shapla", s.now.Year()-44)
		s.consent(c, meghna.ID)
		s.at(ago)
		r := s.refer("shapla", "meghna", "job_placement", 0, referral.Draft{CaseID: c.CaseID})
		if end == referral.StateSent {
			return
		}
		s.at(ago - 2)
		s.move(r, hr, referral.StateAccepted, "", "")
		p := referral.Placement{Employer: meghna.Name, EmployerOrgID: meghna.ID, Position: "Sewing machine operator", ISCO: "8153",
			Wage: moneyBDT(wage), WagePer: "month", StartDate: s.date(5)}
		d := s.deliver(r, hr, referral.DeliveryInput{Placement: &p})
		s.at(ago - 5)
		s.move(r, hr, referral.StateInProgress, "", "")
		for _, f := range follow {
			s.at(ago - 5 - float64(len(p.FollowUps)+1)*30)
			f.Date = s.date(0)
			p.FollowUps = append(p.FollowUps, f)
			s.update(d, hr, referral.DeliveryInput{Placement: &p})
		}
		switch end {
		case referral.StateCompleted:
			s.move(r, hr, referral.StateCompleted, "", "")
		case referral.StateNotCompleted:
			s.move(r, hr, referral.StateNotCompleted, referral.ReasonOther, "Left the job after six weeks; wages were paid late.")
		}
	}
	story(2, 0, referral.StateSent, nil)
	story(45, 12500, referral.StateInProgress, nil) // its first check is due
	story(120, 13000, referral.StateCompleted, []referral.FollowUp{{StillEmployed: true, Note: "Works on line 4; overtime paid."},
		{StillEmployed: true, Note: "Promoted to senior operator."}})
	story(95, 12000, referral.StateNotCompleted, []referral.FollowUp{{StillEmployed: false, Note: "Resigned; looking for work in Gazipur."}})
}

// unanswered sends referrals that wait for an answer today, and some that
// nobody answered in time (they expire when the seeding is done).
func (s *seeder) unanswered() {
	for _, x := range []struct {
		from, to, service string
		ago               float64
	}{
		{"shapla", "ttc-dhaka", "skills_training", 0.2}, {"web", "ttc-dhaka", "recognition_prior_learning", 1},
		{"prottyasha", "ttc-comilla", "skills_training", 1.5}, {"web", "ttc-comilla", "skills_training", 3},
		{"sylhet", "monjotno", "psychosocial_counselling", 2}, {"shapla", "monjotno", "psychosocial_counselling", 0.1},
		{"web", "notunshuru", "business_grant_cash", 0.5},
		{"sylhet", "notunshuru", "business_grant_in_kind", 2.5},
		// Never answered: past the week to respond.
		{"shapla", "ttc-dhaka", "skills_training", 14}, {"sylhet", "monjotno", "psychosocial_counselling", 12},
		{"prottyasha", "ttc-comilla", "skills_training", 20},
	} {
		s.at(x.ago)
		s.refer(x.from, x.to, x.service, 0, referral.Draft{})
	}
}

func moneyBDT(n int64) registry.Money { return registry.Money{Amount: n, Currency: "BDT"} }

// nextBornAfter takes org's next unused case of someone born in or after
// year (the employer hires up to 45).
func (s *seeder) nextBornAfter(org string, year int) registry.Summary {
	for _, c := range s.cands[org] {
		if !s.used[c.CaseID] && len(c.DateOfBirth) >= 4 && c.DateOfBirth[:4] >= strconv.Itoa(year) {
			s.used[c.CaseID] = true
			return c
		}
	}
	s.fail("placement", fmt.Errorf("no case of %s born after %d", org, year))
	return registry.Summary{}
}

// consent records the returnee's consent to be referred to one organisation.
func (s *seeder) consent(c registry.Summary, orgID string) {
	if s.err != nil {
		return
	}
	s.fail("consent", s.db.RecordConsent(s.as(s.worker("shapla")), c.PersonID,
		&registry.Consent{Purpose: registry.PurposeReferral, Method: registry.MethodSignedForm, Recipient: registry.Recipient{OrgID: orgID}}))
}

// Course returns demo course n as a fresh enrolment on date (YYYY-MM-DD),
// for seeding trainings beyond the demo.
func Course(n int, date string) referral.Training {
	c := courses[n%len(courses)]
	return referral.Training{Course: c.name, Trade: c.trade, ISCO: c.isco, StartDate: date, Hours: 200, EnrolledOn: date, Outcome: referral.TrainingEnrolled}
}

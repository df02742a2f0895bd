package demo

import (
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// The referral stories of the Iraqi and Pakistani demos, told with the
// Bangladesh demo's seeder: plans in the returnees' own words, agreed or
// still drafts; trainings and counselling walked through every state; a
// declined, a revoked, some waiting and some expired referrals. Follow-up
// surveys come from seedAssessments, as in Bangladesh.

// countryStories is what differs from one country's stories to another's:
// the two registering organisations whose cases are referred, the
// training centre and the counselling centre (organisation keys), the
// clinic a counsellor refers to, plan ideas and a decline note in the
// provider's words (budgets are in the world's currency).
type countryStories struct {
	a, b, trainer, counsellor string
	// national is the national training programme's service type in the
	// country pack's catalogue, which the trainer also offers: agreed
	// plans and some referrals use it.
	national string
	clinic   string
	ideas    []planIdea
	currency string // set by countryBook from the world
	declined string
}

// countryBook makes the story book of a country's demo world.
func countryBook(cw *countryWorld, st countryStories, staff map[string]string, certPrefix string, notes []string, offers []orgOffer) *storyBook {
	st.currency = cw.currency
	return &storyBook{orgs: cw.registrars, staff: staff, fund: st.trainer, offers: offers, certPrefix: certPrefix, notes: notes,
		play: func(s *seeder) { s.tell(st) }}
}

// tell plays st.
func (s *seeder) tell(st countryStories) {
	partners := map[string]string{"trainer": st.trainer, "counsellor": st.counsellor}
	// Plans: each organisation has one still a draft and one agreed, whose
	// training is referred and accepted.
	for oi, org := range []string{st.a, st.b} {
		for i, idea := range st.ideas {
			c, ok := s.next(org)
			if !ok || s.err != nil {
				return
			}
			ago := float64(90 - 20*i - 5*oi)
			s.at(ago)
			p, _ := s.plan(org, c, idea, partners, st.currency)
			if p == nil || i%2 == 1 {
				continue // left a draft
			}
			s.at(ago - 2)
			p, err := s.db.AgreePlan(s.as(s.worker(org)), p.ID, p.Version, referral.Agreement{Method: registry.MethodSignedForm})
			if s.fail("plan agreement", err); err != nil {
				return
			}
			ps := p.Services[0]
			s.at(ago - 3)
			r := s.refer(org, st.trainer, ps.ServiceType, 0, referral.Draft{CaseID: c.CaseID, PlanID: p.ID, PlannedServiceID: ps.ID})
			s.at(ago - 4)
			s.move(r, s.book.staff[st.trainer], referral.StateAccepted, "", "")
		}
	}
	s.training(st.a, st.trainer, 6, courses[0], "accepted")
	s.training(st.b, st.trainer, 25, courses[1], "in_progress")
	s.training(st.a, st.trainer, 50, courses[2], "overdue")
	s.training(st.b, st.trainer, 130, courses[0], "completed")
	s.training(st.a, st.trainer, 112, courses[3], "completed")
	s.training(st.b, st.trainer, 70, courses[4], "dropped")
	s.counsel(st.counsellor, st.a, st.b, st.clinic)

	s.at(9)
	r := s.refer(st.a, st.trainer, "skills_training", 90, referral.Draft{})
	s.at(8)
	s.move(r, s.book.staff[st.trainer], referral.StateDeclined, referral.DeclineNoCapacity, st.declined)
	s.at(4)
	r = s.refer(st.b, st.trainer, "skills_training", 0, referral.Draft{})
	s.at(3)
	if r != nil {
		s.move(r, s.sender(r), referral.StateRevoked, "", "The returnee found work before the course started.")
	}
	s.at(2)
	r = s.refer(st.a, st.counsellor, "psychosocial_counselling", 0, referral.Draft{})
	s.at(1)
	if r != nil {
		s.withdrawReferralConsents(r, s.sender(r))
	}
	// Waiting for an answer today, and never answered (they expire).
	for _, x := range []struct {
		from, to, service string
		ago               float64
	}{
		{st.a, st.trainer, st.national, 0.2}, {st.b, st.counsellor, "psychosocial_counselling", 1},
		{st.a, st.counsellor, "psychosocial_counselling", 12}, {st.b, st.trainer, "skills_training", 14},
	} {
		s.at(x.ago)
		s.refer(x.from, x.to, x.service, 0, referral.Draft{})
	}
}

// iraqHours and pakistanHours are the opening hours of Iraq and Pakistan's providers (Friday
// off in Iraq; Sunday in Pakistan).
var (
	iraqHours     = []referral.Hours{{Days: []string{"sa", "su", "mo", "tu", "we", "th"}, Opens: "08:30", Closes: "15:00"}}
	pakistanHours = []referral.Hours{{Days: []string{"mo", "tu", "we", "th", "fr", "sa"}, Opens: "09:00", Closes: "17:00"}}
)

var iraqBook = countryBook(countryWorlds["IQ"], countryStories{a: "hawkari", b: "daralamal", trainer: "evtc", counsellor: "psc", national: "iq_molsa_vocational_training",
	clinic: "Ibn Rushd Psychiatric Hospital, Baghdad", declined: "The spring welding course is full; please refer again in May.",
	ideas: []planIdea{
		{goals: []referral.Goal{
			{Text: "دەمەوێت کارگەیەکی بچووکی چاککردنەوەی ئۆتۆمبێل لە هەولێر بکەمەوە.", Dimension: "economic"},
			{Text: "دەمەوێت منداڵەکانم بگەڕێنەوە بۆ قوتابخانە.", Dimension: "social"}},
			services: []plannedIdea{{"iq_molsa_vocational_training", "trainer", 750000, 45, "Auto mechanics course before the workshop opens."},
				{"psychosocial_counselling", "counsellor", 0, 30, ""}}},
		{goals: []referral.Goal{
			{Text: "أريد أن أجد عملاً ثابتاً وأن أسدد ديوني.", Dimension: "economic"},
			{Text: "أريد أن أنام جيداً مرة أخرى وأن أشعر بالأمان.", Dimension: "psychosocial"}},
			services: []plannedIdea{{"skills_training", "trainer", 0, 60, ""},
				{"legal_aid_documentation", "", 0, 45, "Replace the unified national card lost abroad."}}},
	}},
	map[string]string{"evtc": "staff@evtc.demo", "psc": "counsellor@bpsc.demo"}, "EVTC/",
	[]string{"Referred after the needs assessment.", "دوای هەڵسەنگاندنی پێداویستییەکان ڕەوانە کرا.", "أُحيل بعد تقييم الاحتياجات."},
	[]orgOffer{
		{"evtc", referral.Offer{ServiceType: "skills_training", Areas: []string{"IQG11", "IQG06", "IQG08", "IQG01", "IQG02"}, Active: true, Hours: iraqHours,
			Description: "Three-month courses in auto mechanics, electrical installation, welding and tailoring.",
			Capacity:    referral.Capacity{Places: 30, Period: referral.PeriodMonth}, Contact: referral.Contact{Name: "Admissions", Phone: "+964 750 000 1100"}}},
		{"evtc", referral.Offer{ServiceType: "iq_molsa_vocational_training", Areas: []string{"IQG11", "IQG06", "IQG08", "IQG01", "IQG02"}, Active: true, Hours: iraqHours,
			Description: "Courses of the Ministry of Labour and Social Affairs' vocational training programme, free for returnees.",
			Capacity:    referral.Capacity{Places: 20, Period: referral.PeriodMonth}, Contact: referral.Contact{Name: "Admissions", Phone: "+964 750 000 1100"}}},
		{"psc", referral.Offer{ServiceType: "psychosocial_counselling", Areas: []string{"IQG08", "IQG11", "IQG06", "IQG01", "IQG02"}, Active: true, Hours: iraqHours,
			Description: "Individual and family counselling in Arabic and Kurdish, in person in Baghdad or by phone.",
			Contact:     referral.Contact{Name: "Intake", Phone: "+964 770 000 3300"}}},
	})

var pakistanBook = countryBook(countryWorlds["PK"], countryStories{a: "roshni", b: "sahara", trainer: "ltsi", counsellor: "sukoon", national: "pk_tevta_skills",
	clinic: "Punjab Institute of Mental Health, Lahore", declined: "The March welding batch is full; please refer again in April.",
	ideas: []planIdea{
		{goals: []referral.Goal{
			{Text: "میں لاہور میں موٹر سائیکل مرمت کی دکان کھولنا چاہتا ہوں۔", Dimension: "economic"},
			{Text: "میں ایجنٹ کے لیے لیا ہوا قرض واپس کرنا چاہتا ہوں۔", Dimension: "economic"}},
			services: []plannedIdea{{"pk_tevta_skills", "trainer", 60000, 45, "Motorcycle mechanics course before the shop opens."},
				{"financial_literacy", "", 0, 30, "Keeping accounts; loan repayment plan."}}},
		{goals: []referral.Goal{
			{Text: "رات کو نیند نہیں آتی؛ میں دوبارہ سکون سے رہنا چاہتا ہوں۔", Dimension: "psychosocial"},
			{Text: "I want my family to accept me again after I came back with nothing.", Dimension: "social"}},
			services: []plannedIdea{{"skills_training", "trainer", 0, 60, ""},
				{"social_protection", "", 0, 60, "Check eligibility for the Benazir Income Support Programme."}}},
	}},
	map[string]string{"ltsi": "staff@ltsi.demo", "sukoon": "counsellor@sukoon.demo"}, "NAVTTC/",
	[]string{"Referred after the needs assessment.", "ضروریات کے جائزے کے بعد ریفر کیا گیا۔", "واپسی کے بعد سے بے روزگار؛ جلد شروع کرنا چاہتے ہیں۔"},
	[]orgOffer{
		{"ltsi", referral.Offer{ServiceType: "skills_training", Areas: []string{"PK5", "PK6"}, Active: true, Hours: pakistanHours,
			Description: "Three-month courses in motorcycle and auto mechanics, electrical installation, welding and tailoring.",
			Capacity:    referral.Capacity{Places: 40, Period: referral.PeriodMonth}, Contact: referral.Contact{Name: "Admissions", Phone: "+92 42 3500 1100"}}},
		{"ltsi", referral.Offer{ServiceType: "pk_tevta_skills", Areas: []string{"PK5", "PK6"}, Active: true, Hours: pakistanHours,
			Description: "TEVTA's free short courses for returnees, taught at the institute.",
			Capacity:    referral.Capacity{Places: 25, Period: referral.PeriodMonth}, Contact: referral.Contact{Name: "Admissions", Phone: "+92 42 3500 1100"}}},
		{"sukoon", referral.Offer{ServiceType: "psychosocial_counselling", Areas: []string{"PK5", "PK6"}, Active: true, Hours: pakistanHours,
			Description: "Individual and family counselling in Urdu, Punjabi and Pashto, in person in Lahore and Peshawar or by phone.",
			Contact:     referral.Contact{Name: "Intake", Phone: "+92 300 000 3300"}}},
	})

// countryBooks are the story books of the demos beyond Bangladesh.
var countryBooks = map[string]*storyBook{"IQ": iraqBook, "PK": pakistanBook}

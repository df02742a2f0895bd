package demo

import (
	"strconv"

	"homeward/internal/referral"
	"homeward/internal/registry"
)

// planIdea is a plan as a returnee might make it with a case worker: goals
// in their own words (English or Bangla) and the services to get there.
type planIdea struct {
	goals    []referral.Goal
	services []plannedIdea
}

// plannedIdea is one planned service. provider is an organisation key, or
// one of "trainer", "counsellor", "employer": the organisation's usual
// partner for that, if it has one.
type plannedIdea struct {
	service, provider string
	budget            int64 // BDT
	days              int   // target date, days after the plan is made
	note              string
}

var planIdeas = []planIdea{
	{goals: []referral.Goal{
		{Text: "I want to open a tailoring shop in the bazar near my house and earn enough that I need not go abroad again.", Dimension: "economic"},
		{Text: "আমার মেয়েকে আবার স্কুলে ভর্তি করাতে চাই।", Dimension: "social"}},
		services: []plannedIdea{{"skills_training", "trainer", 12000, 45, "Tailoring course before the shop opens."},
			{"business_grant_cash", "notunshuru", 60000, 90, "Two sewing machines, cloth stock and three months' rent."}}},
	{goals: []referral.Goal{
		{Text: "আমি বাড়িতে ২০০টি মুরগির একটি খামার শুরু করতে চাই।", Dimension: "economic"},
		{Text: "I want to repay the 1,50,000 taka I borrowed for the visa.", Dimension: "economic"}},
		services: []plannedIdea{{"business_grant_in_kind", "notunshuru", 45000, 60, "Chicks, feed and a shed."},
			{"financial_literacy", "", 0, 30, "Keeping accounts; loan repayment plan."}}},
	{goals: []referral.Goal{
		{Text: "I learnt wiring on building sites in Riyadh; I want a certificate so that contractors here pay me properly.", Dimension: "economic"}},
		services: []plannedIdea{{"skills_training", "trainer", 15000, 60, "Electrical house wiring, with BTEB assessment."},
			{"job_placement", "employer", 0, 120, ""}}},
	{goals: []referral.Goal{
		{Text: "রাতে ঘুম হয় না, সবসময় ভয় লাগে। আমি আবার শান্তিতে থাকতে চাই।", Dimension: "psychosocial"},
		{Text: "I want my family to accept me again after I came back with nothing.", Dimension: "social"}},
		services: []plannedIdea{{"psychosocial_counselling", "counsellor", 0, 30, "Weekly sessions; a woman counsellor."},
			{"social_protection", "", 0, 60, "Check eligibility for the widow allowance."}}},
	{goals: []referral.Goal{
		{Text: "I want to run a small grocery shop with my brother in our village.", Dimension: "economic"},
		{Text: "আমি ঋণ শোধ করে পরিবারের পাশে দাঁড়াতে চাই।", Dimension: "social"}},
		services: []plannedIdea{{"business_grant_cash", "notunshuru", 80000, 75, "Shelving, a refrigerator and first stock."},
			{"financial_literacy", "", 0, 30, ""}}},
	{goals: []referral.Goal{
		{Text: "I want to get back the wages my employer in Oman never paid me.", Dimension: "economic"},
		{Text: "আমার পাসপোর্ট ফেরত পেতে চাই।", Dimension: "social"}},
		services: []plannedIdea{{"legal_aid_documentation", "", 0, 45, "Wage claim through the embassy's labour wing."},
			{"psychosocial_counselling", "counsellor", 0, 30, ""}}},
}

// partners are each organisation's usual providers.
var partners = map[string]map[string]string{
	"shapla":     {"trainer": "ttc-dhaka", "counsellor": "monjotno", "employer": "meghna"},
	"sylhet":     {"counsellor": "monjotno"},
	"prottyasha": {"trainer": "ttc-comilla"},
	"web":        {"trainer": "ttc-comilla"},
}

// planFates says what became of each organisation's plans, in order:
// drafts left past their due date, plans agreed, plans with a grant
// awaiting the supervisor's approval, and approved ones whose grant was
// referred to the enterprise fund.
var planFates = []struct {
	idea int
	fate string
}{{2, "draft"}, {5, "draft"}, {3, "agreed"}, {2, "agreed"}, {0, "awaiting"}, {1, "awaiting"}, {4, "granted"}, {0, "granted"}}

// grantFates are what the fund did with the grants referred to it, in turn.
var grantFates = []string{"requested", "first_tranche", "disbursed", "visited", "rejected", "requested", "first_tranche", "disbursed"}

// plans makes the plans of every registering organisation and follows the
// grants of the approved ones.
func (s *seeder) plans() {
	g := 0
	for oi, o := range demoOrgs {
		for i, pf := range planFates {
			c, ok := s.next(o.key)
			if !ok || s.err != nil {
				return
			}
			ago := float64(118 - 7*i - 2*oi)
			if pf.fate == "granted" { // a grant takes months to pay and visit
				ago = float64(150 - 9*(i-6) - 3*oi)
			}
			s.at(ago)
			worker := s.worker(o.key)
			p, grantAt := s.plan(o.key, c, planIdeas[pf.idea], partners[o.key], "BDT")
			if p == nil || pf.fate == "draft" {
				continue
			}
			var err error
			s.at(ago - 2)
			a := referral.Agreement{Method: registry.MethodSignedForm}
			if i%3 == 0 {
				a = referral.Agreement{Method: registry.MethodVerbalWithWitness, Witness: "Union Parishad member"}
			}
			if p, err = s.db.AgreePlan(s.as(worker), p.ID, p.Version, a); err != nil || pf.fate != "granted" {
				s.fail("plan agreement", err)
				continue
			}
			s.at(ago - 4)
			if p, err = s.db.ApprovePlan(s.as(o.supervisor), p.ID, p.Version, "Budget within the programme ceiling."); err != nil {
				s.fail("plan approval", err)
				continue
			}
			s.at(ago - 5)
			ps := p.Services[grantAt]
			r := s.refer(o.key, "notunshuru", ps.ServiceType, 0, referral.Draft{CaseID: c.CaseID, PlanID: p.ID, PlannedServiceID: ps.ID,
				Note: "Plan approved by the supervisor; business plan attached to the case."})
			s.grant(r, ps, ago-7, grantFates[g%len(grantFates)], g)
			g++
		}
	}
}

// plan makes the plan of idea for case c as org's case worker whose turn
// it is: services go to org's usual partners (by role) or to the named
// provider, budgets in currency. It returns the plan (nil when it failed)
// and the index of the service the enterprise fund pays, -1 for none.
func (s *seeder) plan(org string, c registry.Summary, idea planIdea, partners map[string]string, currency string) (*referral.Plan, int) {
	in := referral.PlanInput{Goals: idea.goals}
	grantAt := -1
	for _, x := range idea.services {
		ps := referral.PlannedService{ServiceType: x.service, TargetDate: s.date(x.days), Note: x.note}
		if p := partners[x.provider]; p != "" {
			ps.ProviderOrgID = s.w.Orgs[p].ID
		} else if org := s.w.Orgs[x.provider]; org != nil {
			ps.ProviderOrgID = org.ID
		}
		if x.budget > 0 {
			ps.Budget = &registry.Money{Amount: x.budget, Currency: currency}
		}
		if x.provider == s.book.fund {
			grantAt = len(in.Services)
		}
		in.Services = append(in.Services, ps)
	}
	worker := s.worker(org)
	s.turn[org]++
	p, err := s.db.CreatePlan(s.as(worker), c.CaseID, in)
	s.fail("plan", err)
	return p, grantAt
}

// grant plays the fund's part: accept, request the grant, have it decided
// by the supervisor (not the requester), pay it and visit the business.
func (s *seeder) grant(r *referral.Referral, ps referral.PlannedService, ago float64, fate string, n int) {
	officer, sup := "officer@notunshuru.demo", "supervisor@notunshuru.demo"
	s.at(ago)
	s.move(r, officer, referral.StateAccepted, "", "")
	amount := ps.Budget.Amount
	first := amount / 2
	g := &referral.Grant{Amount: registry.Money{Amount: amount, Currency: "BDT"}, Purpose: ps.Note,
		Tranches: []referral.Tranche{{Amount: first, PlannedDate: s.date(7)}, {Amount: amount - first, PlannedDate: s.date(60)}}}
	ref := ""
	switch {
	case ps.ServiceType == "business_grant_in_kind":
		g.Channel = referral.ChannelInKind
		ref = "Delivery note NS-DN-" + strconv.Itoa(2400+n)
	case n%3 == 0:
		g.Channel, g.AccountRef = referral.ChannelBKash, "01712-"+strconv.Itoa(480000+n*1313)
		ref = "bKash TrxID 9KQ" + strconv.Itoa(310000+n*77) + "ZP"
	case n%3 == 1:
		g.Channel, g.AccountRef = referral.ChannelNagad, "01819-"+strconv.Itoa(220000+n*911)
		ref = "Nagad TxnID 71A" + strconv.Itoa(880000+n*53)
	default:
		g.Channel, g.AccountRef = referral.ChannelBank, "Sonali Bank 0102-"+strconv.Itoa(3300000+n*17)
		ref = "BEFTN " + strconv.Itoa(55010000+n*3)
	}
	d := s.deliver(r, officer, referral.DeliveryInput{Grant: g})
	if fate == "requested" {
		return
	}
	s.at(ago - 3)
	if fate == "rejected" {
		s.change(d, "grant decision", func() (*referral.Delivery, error) {
			return s.db.DecideGrant(s.as(sup), d.ID, d.Version, false, "The business plan does not show where the customers come from; please revise with the returnee.")
		})
		s.at(ago - 6)
		s.move(r, officer, referral.StateNotCompleted, referral.ReasonOther, "Grant refused at approval; the case worker will revise the business plan.")
		return
	}
	s.change(d, "grant decision", func() (*referral.Delivery, error) {
		return s.db.DecideGrant(s.as(sup), d.ID, d.Version, true, "Approved: plan and budget checked.")
	})
	s.at(ago - 5)
	s.change(d, "tranche", func() (*referral.Delivery, error) {
		return s.db.DisburseTranche(s.as(officer), d.ID, d.Version, 0, ref+"-1")
	})
	s.move(r, officer, referral.StateInProgress, "", "")
	if fate == "first_tranche" {
		return
	}
	income := func(n int64) *int64 { return &n }
	visit := func(days float64, v referral.Visit) {
		s.at(days)
		v.Date = s.date(0)
		if s.err != nil || d == nil {
			return
		}
		in := *d.Grant
		in.Visits = append(append([]referral.Visit(nil), in.Visits...), v)
		s.update(d, officer, referral.DeliveryInput{Grant: &in})
	}
	visit(ago-30, referral.Visit{Trading: true, MonthlyIncome: income(9000), Note: "Shop open six days a week; stock kept in a ledger."})
	if fate == "visited" {
		return
	}
	s.at(ago - 45)
	s.change(d, "tranche", func() (*referral.Delivery, error) {
		return s.db.DisburseTranche(s.as(officer), d.ID, d.Version, 1, ref+"-2")
	})
	visit(ago-75, referral.Visit{Trading: true, MonthlyIncome: income(14500), Note: "ব্যবসা ভালো চলছে; একজন সহকারী রেখেছেন।"})
	s.move(r, officer, referral.StateCompleted, "", "")
}

// PlanGoals returns the goals of demo plan idea n: a returnee's own words
// for seeding plans beyond the demo.
func PlanGoals(n int) []referral.Goal {
	return append([]referral.Goal(nil), planIdeas[n%len(planIdeas)].goals...)
}

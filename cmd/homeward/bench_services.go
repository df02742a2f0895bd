package main

import (
	"context"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/demo"
	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// The services part of bench seed: a realistic share of the bench
// organisation's cases gets a protection screening and a baseline
// sustainability survey, follow-up surveys at 3, 6 and 12 months, a
// reintegration plan agreed with the returnee, referrals to provider
// organisations in every state, and the providers' delivery records
// (trainings, counselling sessions), over the last three years. Every step
// goes through the services, so that timelines, the audit log and the
// indicators see them.
//
// The database clock is one for the whole database, so the steps are
// replayed day by day: the clock is set to a day, and that day's steps of
// every case run on several goroutines (a case's own steps in order), then
// the next day's.

// benchProviders are the bench organisation's partners and what they offer.
var benchProviders = []struct {
	name, email string
	services    []string
}{
	{"Bench Technical Training Centre", "bench-ttc@bench.test", []string{"skills_training", "recognition_prior_learning", "financial_literacy"}},
	{"Bench Counselling Centre", "bench-counselling@bench.test", []string{"psychosocial_counselling"}},
	{"Bench Legal Aid Clinic", "bench-legal@bench.test", []string{"legal_aid_documentation", "social_protection"}},
}

// benchProvider is a provider organisation and its staff member's context.
type benchProvider struct {
	orgID string
	staff context.Context
}

// ensureBenchProviders creates the providers, their staff and offers once
// and returns them by service type.
func ensureBenchProviders(sys context.Context, db *sqldb.DB) (map[string]benchProvider, error) {
	out := map[string]benchProvider{}
	for _, bp := range benchProviders {
		var orgID, userID string
		err := db.Transact(sys, func(tx *sqldb.Tx) error {
			return tx.QueryRow(`SELECT o.id, u.id FROM organisations o JOIN users u ON u.org_id = o.id WHERE o.name = ? AND u.email = ?`, bp.name, bp.email).Scan(&orgID, &userID)
		})
		if err != nil {
			org := &homeward.Organisation{Name: bp.name, Type: homeward.OrgServiceProvider, Country: "BD", Areas: []string{"BD30"}}
			if err := db.CreateOrganisation(sys, org); err != nil {
				return nil, err
			}
			u := &homeward.User{OrgID: org.ID, Email: bp.email, Name: "Bench staff", Roles: []homeward.Role{homeward.RoleProviderStaff}}
			if err := db.CreateUserWithHash(sys, u, "x"); err != nil {
				return nil, err
			}
			for _, st := range bp.services {
				if err := db.CreateOffer(sys, &referral.Offer{OrgID: org.ID, ServiceType: st, Areas: []string{"BD30"}, Active: true}); err != nil {
					return nil, fmt.Errorf("offer %s: %w", st, err)
				}
			}
			orgID, userID = org.ID, u.ID
		}
		staff := homeward.NewContextWithActor(sys, &homeward.Actor{UserID: userID, OrgID: orgID, Roles: []homeward.Role{homeward.RoleProviderStaff}})
		for _, st := range bp.services {
			out[st] = benchProvider{orgID, staff}
		}
	}
	return out, nil
}

// serviceCounts are the steps done, by kind.
type serviceCounts struct {
	screenings, surveys, plans, agreed, consents, referrals, moves, deliveries, sessions, updates atomic.Int64
}

func (c *serviceCounts) sum() int64 {
	return c.screenings.Load() + c.surveys.Load() + c.plans.Load() + c.agreed.Load() + c.consents.Load() + c.referrals.Load() +
		c.moves.Load() + c.deliveries.Load() + c.sessions.Load() + c.updates.Load()
}

// seedStep is one step of a case's story on a day (days after the window's
// start).
type seedStep struct {
	day int
	run func() error
}

// seedStory is a case's story: its steps in order, and what they made.
type seedStory struct {
	caseID, personID string
	steps            []seedStep
	next             int
	failed           bool
	plan             *referral.Plan
}

// benchServices gives the bench organisation's cases that have neither an
// assessment nor a plan their services (additive: a case that has some is
// left alone, so seeding again adds only to new or untouched cases).
func benchServices(sys, actx context.Context, db *sqldb.DB, seed uint64, workers, newest int, out, progress io.Writer) error {
	providers, err := ensureBenchProviders(sys, db)
	if err != nil {
		return err
	}
	org := homeward.ActorFromContext(actx).OrgID
	type row struct{ caseID, personID, status, returnDate string }
	var rows []row
	// newest > 0: the newest cases only (case ids grow with time).
	cases, args := `cases`, []any{org}
	if newest > 0 {
		cases, args = `(SELECT * FROM cases WHERE org_id = ? ORDER BY id DESC LIMIT ?)`, []any{org, newest, org}
	}
	if err := db.Transact(sys, func(tx *sqldb.Tx) error {
		rs, err := tx.Query(`SELECT c.id, c.person_id, c.status, c.return_date FROM `+cases+` c WHERE c.org_id = ?
			AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.person_id = c.person_id)
			AND NOT EXISTS (SELECT 1 FROM plans p WHERE p.case_id = c.id) ORDER BY c.id`, args...)
		if err != nil {
			return err
		}
		defer rs.Close()
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.caseID, &r.personID, &r.status, &r.returnDate); err != nil {
				return err
			}
			rows = append(rows, r)
		}
		return rs.Err()
	}); err != nil {
		return err
	}
	realNow := db.Now
	now := realNow().UTC()
	start := now.AddDate(-3, 0, 0).Truncate(24 * time.Hour)
	lastDay := int(now.Sub(start) / (24 * time.Hour))
	var c serviceCounts
	stories := make([]*seedStory, 0, len(rows))
	for i, r := range rows {
		h := fnv.New64a()
		h.Write([]byte(r.caseID))
		rnd := rand.New(rand.NewPCG(seed, h.Sum64()))
		s := &seedStory{caseID: r.caseID, personID: r.personID}
		planStory(s, rnd, i, r.status, r.returnDate, start, lastDay, actx, db, providers, &c)
		// A case's steps in time order (a plan may come before the first
		// follow-up); the steps that depend on each other are in order
		// already.
		sort.SliceStable(s.steps, func(a, b int) bool { return s.steps[a].day < s.steps[b].day })
		if len(s.steps) > 0 {
			stories = append(stories, s)
		}
	}
	// Day by day.
	byDay := map[int][]*seedStory{}
	total := 0
	for _, s := range stories {
		total += len(s.steps)
		seen := map[int]bool{}
		for _, st := range s.steps {
			if !seen[st.day] {
				seen[st.day] = true
				byDay[st.day] = append(byDay[st.day], s)
			}
		}
	}
	days := make([]int, 0, len(byDay))
	for d := range byDay {
		days = append(days, d)
	}
	sort.Ints(days)
	var clock atomic.Int64 // the day's instant, in microseconds
	var tick atomic.Int64
	db.Now = func() time.Time {
		return time.UnixMicro(clock.Load() + tick.Add(1)).UTC()
	}
	defer func() { db.Now = realNow }()
	expired := 0
	var refused atomic.Int64
	var firstErr error
	var errMu sync.Mutex
	t0 := time.Now()
	lastPrint := t0
	for _, d := range days {
		// Ten in the morning in Dhaka.
		clock.Store(start.AddDate(0, 0, d).Add(4 * time.Hour).UnixMicro())
		tick.Store(0)
		// What nobody answered in time expires that day, as the server's
		// hourly job would have it.
		n, err := expireAll(sys, db)
		if err != nil {
			return err
		}
		expired += n
		ss := byDay[d]
		_, _, _ = concurrently(len(ss), workers, func(i int) error {
			s := ss[i]
			for s.next < len(s.steps) && s.steps[s.next].day == d {
				st := s.steps[s.next]
				s.next++
				if s.failed {
					continue
				}
				if err := st.run(); err != nil {
					s.failed = true
					refused.Add(1)
					errMu.Lock()
					if firstErr == nil {
						firstErr = fmt.Errorf("case %s: %w", s.caseID, err)
					}
					errMu.Unlock()
				}
			}
			return nil
		})
		if time.Since(lastPrint) > 2*time.Second {
			lastPrint = time.Now()
			n := c.sum()
			fmt.Fprintf(progress, "\r%d of %d service steps, %.0f/s   ", n, total, float64(n)/time.Since(t0).Seconds())
		}
	}
	db.Now = realNow
	el := time.Since(t0)
	n, err := expireAll(sys, db)
	if err != nil {
		return err
	}
	expired += n
	steps := c.sum()
	fmt.Fprintf(progress, "\n")
	fmt.Fprintf(out, "services for %d of %d cases without any, over %d days, through the services on %d goroutines: %d steps in %s: %.0f steps/s\n",
		len(stories), len(rows), len(days), workers, steps, el.Round(time.Millisecond), float64(steps)/el.Seconds())
	fmt.Fprintf(out, "  assessments: %d protection screenings, %d sustainability surveys\n", c.screenings.Load(), c.surveys.Load())
	fmt.Fprintf(out, "  plans: %d created, %d agreed; %d referral consents\n", c.plans.Load(), c.agreed.Load(), c.consents.Load())
	fmt.Fprintf(out, "  referrals: %d sent, %d moves, %d expired unanswered\n", c.referrals.Load(), c.moves.Load(), expired)
	fmt.Fprintf(out, "  deliveries: %d records, %d counselling sessions, %d record updates\n", c.deliveries.Load(), c.sessions.Load(), c.updates.Load())
	if err := printServiceTotals(sys, db, org, out); err != nil {
		return err
	}
	if firstErr != nil {
		fmt.Fprintf(out, "  %d steps were refused (their cases' later steps skipped); first: %v\n", refused.Load(), firstErr)
	}
	return nil
}

// expireAll expires every referral past its deadline (ExpireReferrals
// takes a batch at a time).
func expireAll(sys context.Context, db *sqldb.DB) (int, error) {
	total := 0
	for {
		n, err := db.ExpireReferrals(sys)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// printServiceTotals prints what the organisation's cases have, seeded now
// or before.
func printServiceTotals(sys context.Context, db *sqldb.DB, org string, out io.Writer) error {
	return db.Transact(sys, func(tx *sqldb.Tx) error {
		var a, p, d int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM assessments WHERE org_id = ?`, org).Scan(&a); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT COUNT(*) FROM plans WHERE org_id = ?`, org).Scan(&p); err != nil {
			return err
		}
		if err := tx.QueryRow(`SELECT COUNT(*) FROM service_deliveries d JOIN referrals r ON r.id = d.referral_id WHERE r.from_org_id = ?`, org).Scan(&d); err != nil {
			return err
		}
		rs, err := tx.Query(`SELECT state, COUNT(*) FROM referrals WHERE from_org_id = ? GROUP BY state ORDER BY state`, org)
		if err != nil {
			return err
		}
		defer rs.Close()
		states := ""
		for rs.Next() {
			var s string
			var n int
			if err := rs.Scan(&s, &n); err != nil {
				return err
			}
			states += fmt.Sprintf(" %s %d", s, n)
		}
		fmt.Fprintf(out, "  in the database: %d assessments, %d plans, %d deliveries; referrals by state:%s\n", a, p, d, states)
		return rs.Err()
	})
}

// referralFates are what becomes of a referral, weighted.
var referralFates = []struct {
	to     referral.State
	weight int
}{{referral.StateSent, 6}, {referral.StateDeclined, 8}, {referral.StateRevoked, 3}, {referral.StateAccepted, 8},
	{referral.StateInProgress, 20}, {referral.StateCompleted, 42}, {referral.StateNotCompleted, 13}}

func pickFate(r *rand.Rand) referral.State {
	n := r.IntN(100)
	for _, f := range referralFates {
		if n < f.weight {
			return f.to
		}
		n -= f.weight
	}
	return referral.StateCompleted
}

// benchPlanServices are the services a plan picks from.
var benchPlanServices = []string{"skills_training", "skills_training", "psychosocial_counselling", "recognition_prior_learning",
	"financial_literacy", "legal_aid_documentation", "social_protection"}

// planStory plans case n's story: which steps happen on which day, up to
// today (the last day).
func planStory(s *seedStory, r *rand.Rand, n int, status, returnDate string, start time.Time, lastDay int, cw context.Context, db *sqldb.DB,
	providers map[string]benchProvider, c *serviceCounts) {
	dayOf := func(t time.Time) int { return int(t.Sub(start) / (24 * time.Hour)) }
	date := func(day int) string { return start.AddDate(0, 0, day).Format(time.DateOnly) }
	add := func(day int, run func() error) bool {
		if day > lastDay {
			return false
		}
		s.steps = append(s.steps, seedStep{day, run})
		return true
	}
	// The baseline: every case past registration, a fifth of the others.
	if status == string(registry.StatusRegistered) && r.IntN(5) != 0 {
		return
	}
	base := 30 + r.IntN(lastDay-60) // taken up at some point in the window
	if ret, ok := assessment.ParseReturnDate(returnDate); ok && dayOf(ret)+2 >= 0 && dayOf(ret)+2 < lastDay {
		base = dayOf(ret) + 2 + r.IntN(10)
	}
	base = min(base, lastDay)
	risk := 0.15
	if r.IntN(4) == 0 {
		risk = 0.85
	}
	screening := demo.ScreeningAnswers(r, risk)
	add(base, func() error {
		in := assessment.Input{FormID: "protection_screening", Status: assessment.StatusCompleted, Answers: screening, AnsweredOn: date(base)}
		_, err := db.CreateSubmission(cw, s.personID, in)
		if err == nil {
			c.screenings.Add(1)
		}
		return err
	})
	survey := func(day, i int, round string) bool {
		answers := demo.SurveyAnswers(r, demo.LevelsAt(n, i), date(day), round)
		return add(day, func() error {
			_, err := db.CreateSubmission(cw, s.personID, assessment.Input{FormID: assessment.SurveyFormID, Status: assessment.StatusCompleted, Answers: answers})
			if err == nil {
				c.surveys.Add(1)
			}
			return err
		})
	}
	survey(base, 0, "baseline")
	// Follow-ups at 3, 6 and 12 months, fewer at each round.
	for i, f := range []struct {
		months, keep int
		round        string
	}{{3, 80, "m3"}, {6, 75, "m6"}, {12, 70, "m12"}} {
		if r.IntN(100) >= f.keep {
			break
		}
		if !survey(dayOf(start.AddDate(0, 0, base).AddDate(0, f.months, r.IntN(10))), i+1, f.round) {
			break
		}
	}
	// A plan for the cases that got that far.
	switch registry.CaseStatus(status) {
	case registry.StatusPlanAgreed, registry.StatusInServices, registry.StatusMonitoring, registry.StatusClosed:
	default:
		return
	}
	planDay := base + 7 + r.IntN(24)
	var services []referral.PlannedService
	for _, k := range r.Perm(len(benchPlanServices))[:1+r.IntN(3)] {
		st := benchPlanServices[k]
		dup := false
		for _, x := range services {
			dup = dup || x.ServiceType == st
		}
		if !dup {
			services = append(services, referral.PlannedService{ServiceType: st, ProviderOrgID: providers[st].orgID, TargetDate: date(planDay + 30 + r.IntN(90))})
		}
	}
	if !add(planDay, func() error {
		p, err := db.CreatePlan(cw, s.caseID, referral.PlanInput{Goals: demo.PlanGoals(n), Services: services})
		if err == nil {
			s.plan = p
			c.plans.Add(1)
		}
		return err
	}) {
		return
	}
	agreeDay := planDay + 1 + r.IntN(5)
	if !add(agreeDay, func() error {
		p, err := db.AgreePlan(cw, s.plan.ID, s.plan.Version, referral.Agreement{Method: registry.MethodSignedForm})
		if err == nil {
			s.plan = p
			c.agreed.Add(1)
		}
		return err
	}) {
		return
	}
	// Referrals for the planned services: the cases in services or past,
	// and a fifth of those whose plan is just agreed.
	if registry.CaseStatus(status) == registry.StatusPlanAgreed && r.IntN(5) != 0 {
		return
	}
	day := agreeDay + 1 + r.IntN(10)
	if !add(day, func() error {
		err := db.RecordConsent(cw, s.personID, &registry.Consent{Purpose: registry.PurposeReferral, Method: registry.MethodSignedForm,
			Recipient: registry.Recipient{OrgType: string(homeward.OrgServiceProvider)}})
		if err == nil {
			c.consents.Add(1)
		}
		return err
	}) {
		return
	}
	for i := range services {
		day += r.IntN(8)
		referStory(s, r, n+i, services[i].ServiceType, day, date, add, cw, db, providers, c)
	}
}

// referStory plans the referral for the plan's service st, sent on day,
// and what the provider does with it.
func referStory(s *seedStory, r *rand.Rand, n int, st string, day int, date func(int) string, add func(int, func() error) bool, cw context.Context, db *sqldb.DB,
	providers map[string]benchProvider, c *serviceCounts) {
	var ref *referral.Referral
	var del *referral.Delivery
	sent := day
	if !add(sent, func() error {
		var ps referral.PlannedService
		for _, x := range s.plan.Services {
			if x.ServiceType == st {
				ps = x
			}
		}
		d := referral.Draft{CaseID: s.caseID, PlanID: s.plan.ID, PlannedServiceID: ps.ID, ToOrgID: ps.ProviderOrgID, ServiceType: ps.ServiceType,
			Note: "Referred after the needs assessment."}
		var err error
		if ref, err = db.SendReferral(cw, &d); err == nil {
			c.referrals.Add(1)
		}
		return err
	}) {
		return
	}
	staff := func() context.Context { return providers[st].staff }
	move := func(day int, ctx func() context.Context, to referral.State, reason referral.Reason, note string) bool {
		return add(day, func() error {
			out, err := db.MoveReferral(ctx(), ref.ID, ref.Version, referral.Transition{To: to, Reason: reason, Note: note})
			if err == nil {
				ref = out
				c.moves.Add(1)
			}
			return err
		})
	}
	fate := pickFate(r)
	day += 1 + r.IntN(4)
	switch fate {
	case referral.StateSent:
		return
	case referral.StateDeclined:
		reason := []referral.Reason{referral.DeclineNoCapacity, referral.DeclineNotEligible}[r.IntN(2)]
		move(day, staff, referral.StateDeclined, reason, "No place in this intake; please refer again next quarter.")
		return
	case referral.StateRevoked:
		move(day, func() context.Context { return cw }, referral.StateRevoked, "", "The returnee found work before the service started.")
		return
	}
	if !move(day, staff, referral.StateAccepted, "", "") {
		return
	}
	// The delivery record, for the services that keep one.
	kind := referral.KindGeneric
	switch st {
	case "psychosocial_counselling":
		kind = referral.KindCounselling
	case "skills_training", "recognition_prior_learning", "financial_literacy":
		kind = referral.KindTraining
	}
	training := demo.Course(n, date(day))
	if kind != referral.KindGeneric {
		add(day, func() error {
			in := referral.DeliveryInput{Training: &training}
			if kind == referral.KindCounselling {
				in = referral.DeliveryInput{Counselling: &referral.Counselling{}}
			}
			out, err := db.AddDelivery(staff(), ref.ID, in)
			if err == nil {
				del = out
				c.deliveries.Add(1)
			}
			return err
		})
	}
	if fate == referral.StateAccepted {
		return
	}
	day += 2 + r.IntN(7)
	if fate == referral.StateNotCompleted && r.IntN(2) == 0 { // never came
		move(day, staff, referral.StateNotCompleted, referral.NotCompletedNoShow, "Did not come to the first two appointments.")
		return
	}
	if !move(day, staff, referral.StateInProgress, "", "") {
		return
	}
	sessions := 0
	if kind == referral.KindCounselling {
		sessions = 2 + r.IntN(6)
	}
	for k := range sessions {
		sd := day + 7*k
		if !add(sd, func() error {
			out, err := db.AddSession(staff(), del.ID, del.Version, referral.SessionInput{Date: date(sd), Type: referral.SessionIndividual, Minutes: 50,
				Notes: "Session held; coping strategies practised."})
			if err == nil {
				del = out
				c.sessions.Add(1)
			}
			return err
		}) {
			return
		}
	}
	if fate == referral.StateInProgress {
		return
	}
	end := day + 7*sessions + 7 + r.IntN(60)
	// Three class days a week: twelve weeks to complete a course, three
	// before a drop-out.
	weeks := 12
	if fate == referral.StateNotCompleted {
		weeks = 3
	}
	if kind == referral.KindTraining {
		end = day + 7*weeks + 1 + r.IntN(20)
		for w := range weeks {
			for _, d := range []int{0, 2, 4} {
				training.Attendance = append(training.Attendance, referral.Attendance{Date: date(day + 7*w + d), Hours: 6})
			}
		}
	}
	if fate == referral.StateNotCompleted {
		add(end, func() error {
			if del != nil && del.Kind == referral.KindTraining {
				t := training
				t.Outcome, t.DropOutReason = referral.TrainingDroppedOut, "Took work to repay the recruitment loan."
				out, err := db.UpdateDelivery(staff(), del.ID, del.Version, referral.DeliveryInput{Training: &t})
				if err != nil {
					return err
				}
				del = out
				c.updates.Add(1)
			}
			return nil
		})
		move(end, staff, referral.StateNotCompleted, referral.NotCompletedDropped, "Stopped coming.")
		return
	}
	// Completed: a training's certificate completes its referral; the
	// others are completed by hand.
	add(end, func() error {
		if del != nil && del.Kind == referral.KindTraining {
			t := training
			t.Outcome, t.EndDate, t.CertificateRef = referral.TrainingCompleted, date(end), fmt.Sprintf("BTEB/%s/%s/%05d", date(end)[:4], t.ISCO, n%100000)
			out, err := db.UpdateDelivery(staff(), del.ID, del.Version, referral.DeliveryInput{Training: &t})
			if err != nil {
				return err
			}
			del = out
			c.updates.Add(1)
			if out, err := db.FindReferral(cw, ref.ID); err == nil && out.State == referral.StateCompleted {
				ref = out
				return nil
			}
		}
		out, err := db.MoveReferral(staff(), ref.ID, ref.Version, referral.Transition{To: referral.StateCompleted})
		if err == nil {
			ref = out
			c.moves.Add(1)
		}
		return err
	})
}

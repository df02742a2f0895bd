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

// The referral world: the provider directory, a partner system's webhook,
// reintegration plans for a few dozen cases of each NGO and the welfare
// board, and referrals to the training centres, the counselling centre,
// the employer and the enterprise fund in every state — with training
// records (completed with a certificate, dropped out), counselling
// sessions, job placements and business grants (awaiting a supervisor,
// approved, paid in tranches through bKash, Nagad or a bank, visited).
//
// Each step runs with the database clock set to the day it happened, so
// that deadlines, due dates and timelines look lived in: some plans are
// overdue a month after the return, some referrals are past their due
// date and a few were never answered and expired.

// seeder walks the stories. Its first error stops every later step.
type seeder struct {
	db    *sqldb.DB
	w     *World
	base  context.Context
	now   time.Time
	clock time.Time
	err   error
	// cands are each organisation's open cases of people who returned
	// more than eight months ago and consented to referral to service
	// providers, taken in turn.
	cands map[string][]registry.Summary
	used  map[string]bool // case ids taken by a story
	turn  map[string]int  // whose turn it is among an organisation's case workers
	book  *storyBook
}

// storyBook is what the referral stories of one country's demo need: who
// registers and refers, the providers' people, the directory and the
// stories themselves.
type storyBook struct {
	orgs  []demoOrg
	staff map[string]string // provider key → the e-mail of who answers its referrals
	// fund is the provider whose consent makes a case one the stories
	// may refer.
	fund       string
	offers     []orgOffer
	certPrefix string // of training certificates, before the year
	// webhook, when set, is the provider key whose information system
	// follows its referrals while the stories play.
	webhook string
	notes   []string // a case worker's usual notes on a referral
	play    func(s *seeder)
}

// orgOffer is a provider's offer in the directory, by organisation key.
type orgOffer struct {
	org string
	o   referral.Offer
}

// bangladesh is the Bangladesh demo's book.
var bangladesh = &storyBook{orgs: demoOrgs, staff: staff, fund: "notunshuru", offers: bdOffers, certPrefix: "BTEB/", webhook: "ttc-dhaka", notes: notes,
	play: func(s *seeder) {
		s.plans()
		s.trainings()
		s.counselling()
		s.placements()
		s.unanswered()
	}}

// seedReferrals fills the directory, then plays the plan and referral
// stories on a moving clock.
func seedReferrals(ctx context.Context, db *sqldb.DB, w *World, book *storyBook) error {
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	if err := seedOffers(sys, db, w, book.offers); err != nil {
		return err
	}
	realNow := db.Now
	s := &seeder{db: db, w: w, base: ctx, now: realNow().UTC(), cands: map[string][]registry.Summary{}, used: map[string]bool{}, turn: map[string]int{}, book: book}
	s.clock = s.now
	db.Now = func() time.Time { return s.clock }
	defer func() { db.Now = realNow }()
	if err := s.loadCandidates(); err != nil {
		return err
	}
	// TTC Dhaka's management information system follows its referrals.
	hook := &referral.Webhook{URL: webhookURL}
	if book.webhook != "" {
		s.at(150)
		if err := db.CreateWebhook(s.as("admin@"+book.webhook+".demo"), hook); err != nil {
			return fmt.Errorf("demo webhook: %w", err)
		}
	}
	book.play(s)
	if s.err != nil {
		return s.err
	}
	// Back to today: what was not answered in time expires.
	s.clock = s.now
	if _, err := db.ExpireReferrals(sys); err != nil {
		return fmt.Errorf("demo expiry: %w", err)
	}
	// The MIS's address is an example one that never resolves: left
	// active, the demo server would try each queued event and retry it for
	// a day, in vain. So the webhook is stopped as its administrator would
	// stop it: its log keeps every event, failed and never sent, and no
	// new ones are queued.
	if book.webhook == "" {
		return nil
	}
	if err := db.DeleteWebhook(s.as("admin@"+book.webhook+".demo"), hook.ID); err != nil {
		return fmt.Errorf("demo webhook: %w", err)
	}
	return nil
}

// webhookURL is the address of the demo's webhook, TTC Dhaka's management
// information system: an example address (RFC 2606) that never resolves,
// so the webhook is stopped once the stories are told.
const webhookURL = "https://mis.ttc-dhaka.example/homeward/events"

// bdHours are the Bangladesh providers' opening hours.
var bdHours = []referral.Hours{{Days: []string{"sa", "su", "mo", "tu", "we", "th"}, Opens: "09:00", Closes: "17:00"}}

// bdOffers is the Bangladesh providers' directory.
var bdOffers = func(hours []referral.Hours) []orgOffer {
	return []orgOffer{
		{"ttc-dhaka", referral.Offer{ServiceType: "skills_training", Areas: []string{"BD30"}, Active: true, Hours: hours,
			Description: "Three-month courses in electrical installation, welding, plumbing, tailoring and driving.",
			Capacity:    referral.Capacity{Places: 40, Period: referral.PeriodMonth}, Eligibility: referral.Eligibility{Text: "Returnees aged 18 to 50."},
			Contact: referral.Contact{Name: "Admissions desk", Phone: "+880 2 5500 1100", Email: "admissions@ttc-dhaka.example"}}},
		{"ttc-dhaka", referral.Offer{ServiceType: "recognition_prior_learning", Areas: []string{"BD30"}, Active: true, Hours: hours,
			Description: "Skills assessment and BTEB certification of skills learnt abroad.", Contact: referral.Contact{Phone: "+880 2 5500 1101"}}},
		{"ttc-comilla", referral.Offer{ServiceType: "skills_training", Areas: []string{"BD20"}, Active: true, Hours: hours,
			Capacity: referral.Capacity{Places: 25, Period: referral.PeriodMonth}, Contact: referral.Contact{Phone: "+880 81 600 200"}}},
		{"monjotno", referral.Offer{ServiceType: "psychosocial_counselling", Areas: []string{"BD30", "BD60"}, Active: true, Hours: hours,
			Description: "Individual and family counselling by trained counsellors; referral to psychiatrists when needed.",
			Contact:     referral.Contact{Name: "Intake", Phone: "+880 1711 000 333"}}},
		{"monjotno", referral.Offer{ServiceType: "family_counselling", Areas: []string{"BD30"}, Active: true, Hours: hours}},
		{"meghna", referral.Offer{ServiceType: "job_placement", Areas: []string{"BD30"}, Active: true,
			Eligibility: referral.Eligibility{Text: "Sewing experience welcome.", MinAge: ptr(18), MaxAge: ptr(45)}}},
		{"notunshuru", referral.Offer{ServiceType: "business_startup", Areas: []string{"BD20", "BD30", "BD60"}, Active: true, Hours: hours,
			Description: "Start-up grants in cash or in kind for returnees with a business plan, paid in tranches, with business visits for a year.",
			Contact:     referral.Contact{Name: "Grants desk", Phone: "+880 1819 440 550", Email: "grants@notunshuru.example"}}},
	}
}(bdHours)

func seedOffers(sys context.Context, db *sqldb.DB, w *World, offers []orgOffer) error {
	for _, x := range offers {
		o := x.o
		o.OrgID = w.Orgs[x.org].ID
		if err := db.CreateOffer(sys, &o); err != nil {
			return fmt.Errorf("offer %s/%s: %w", x.org, o.ServiceType, err)
		}
	}
	return nil
}

func ptr(n int) *int { return &n }

// loadCandidates picks, for each registering organisation, the cases the
// stories may use.
func (s *seeder) loadCandidates() error {
	fund := s.w.Orgs[s.book.fund].ID
	cutoff := s.now.AddDate(0, -8, 0)
	for _, o := range s.book.orgs {
		ctx := s.as(o.workers[0])
		list, _, err := s.db.Search(ctx, registry.SearchFilter{Limit: 400})
		if err != nil {
			return err
		}
		for _, c := range list {
			if c.Status == registry.StatusClosed {
				continue
			}
			if d, err := registry.ParseDate(c.ReturnDate); err != nil || d.IsZero() || d.Earliest().After(cutoff) {
				continue
			}
			ok, err := s.db.HasConsent(ctx, c.PersonID, registry.PurposeReferral, registry.Recipient{OrgID: fund, OrgType: string(homeward.OrgServiceProvider)})
			if err != nil {
				return err
			}
			if ok {
				s.cands[o.key] = append(s.cands[o.key], c)
			}
			if len(s.cands[o.key]) >= 60 {
				break
			}
		}
	}
	return nil
}

// at sets the clock to days ago (fractions are hours).
func (s *seeder) at(days float64) { s.clock = s.now.Add(-time.Duration(days * float64(24*time.Hour))) }

// date is the calendar date days after the clock (negative: before).
func (s *seeder) date(days int) string { return s.clock.AddDate(0, 0, days).Format(time.DateOnly) }

// as acts as a demo user.
func (s *seeder) as(email string) context.Context {
	u := s.w.Users[email]
	for _, o := range s.w.Orgs {
		if o.ID == u.OrgID {
			return homeward.NewContextWithActor(s.base, actorOf(s.w, email, o))
		}
	}
	return s.base
}

// worker is the case worker of org whose turn it is.
func (s *seeder) worker(org string) string {
	for _, o := range s.book.orgs {
		if o.key == org {
			return o.workers[s.turn[org]%len(o.workers)]
		}
	}
	return ""
}

// next takes org's next unused candidate case.
func (s *seeder) next(org string) (registry.Summary, bool) {
	for _, c := range s.cands[org] {
		if !s.used[c.CaseID] {
			s.used[c.CaseID] = true
			return c, true
		}
	}
	return registry.Summary{}, false
}

func (s *seeder) fail(what string, err error) {
	if err != nil && s.err == nil {
		s.err = fmt.Errorf("demo %s: %w", what, err)
	}
}

// staff are the providers' people who answer referrals and keep records.
var staff = map[string]string{
	"ttc-dhaka": "staff@ttc-dhaka.demo", "ttc-comilla": "staff@ttc-comilla.demo", "monjotno": "counsellor@monjotno.demo",
	"meghna": "hr@meghna.demo", "notunshuru": "officer@notunshuru.demo",
}

// refer sends a referral from org to provider for the next case the
// provider may receive (consent, eligibility, no open duplicate), or for
// d's case when it names one (a planned service's). dueDays is the due
// date after today's clock, 0 for none.
func (s *seeder) refer(org, provider, service string, dueDays int, d referral.Draft) *referral.Referral {
	if s.err != nil {
		return nil
	}
	by := s.worker(org)
	s.turn[org]++
	d.ToOrgID, d.ServiceType = s.w.Orgs[provider].ID, service
	if dueDays > 0 {
		d.DueDate = s.date(dueDays)
	}
	if d.Note == "" {
		d.Note = s.book.notes[s.turn[org]%len(s.book.notes)]
	}
	if d.CaseID != "" {
		r, err := s.db.SendReferral(s.as(by), &d)
		s.fail("referral to "+provider, err)
		return r
	}
	// The first unused case the provider takes; the others stay for later
	// stories.
	for _, c := range s.cands[org] {
		if s.used[c.CaseID] {
			continue
		}
		d.CaseID = c.CaseID
		r, err := s.db.SendReferral(s.as(by), &d)
		if homeward.ErrorCode(err) == homeward.ECONFLICT {
			continue // no consent for this provider, ineligible or full: as in life
		}
		s.used[c.CaseID] = true
		s.fail("referral to "+provider, err)
		return r
	}
	s.fail("referral", fmt.Errorf("no case of %s left to refer to %s", org, provider))
	return nil
}

var notes = []string{
	"Referred after the needs assessment.",
	"Needs assessment done; the returnee asked for this service herself.",
	"মূল্যায়নের পর রেফার করা হলো। সকালে ফোন করলে পাওয়া যায়।",
	"Returned without wages; motivated and available at once.",
	"ফিরে আসার পর থেকে কাজ নেই; দ্রুত শুরু করতে চান।",
}

// move makes a transition as email, updating r.
func (s *seeder) move(r *referral.Referral, email string, to referral.State, reason referral.Reason, note string) {
	if s.err != nil || r == nil {
		return
	}
	out, err := s.db.MoveReferral(s.as(email), r.ID, r.Version, referral.Transition{To: to, Reason: reason, Note: note})
	s.fail("referral "+string(to), err)
	if err == nil {
		*r = *out
	}
}

func (s *seeder) deliver(r *referral.Referral, email string, in referral.DeliveryInput) *referral.Delivery {
	if s.err != nil || r == nil {
		return nil
	}
	d, err := s.db.AddDelivery(s.as(email), r.ID, in)
	s.fail("delivery", err)
	return d
}

// change applies fn to d through the service as email.
func (s *seeder) change(d *referral.Delivery, what string, fn func() (*referral.Delivery, error)) {
	if s.err != nil || d == nil {
		return
	}
	out, err := fn()
	s.fail(what, err)
	if err == nil {
		*d = *out
	}
}

func (s *seeder) update(d *referral.Delivery, email string, in referral.DeliveryInput) {
	s.change(d, "delivery update", func() (*referral.Delivery, error) {
		return s.db.UpdateDelivery(s.as(email), d.ID, d.Version, in)
	})
}

func (s *seeder) session(d *referral.Delivery, email string, in referral.SessionInput) {
	s.change(d, "counselling session", func() (*referral.Delivery, error) {
		return s.db.AddSession(s.as(email), d.ID, d.Version, in)
	})
}

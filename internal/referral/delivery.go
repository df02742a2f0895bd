package referral

import (
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/reference"
	"homeward/internal/registry"
)

// Delivery is the record of a service delivered under a referral, kept by
// the receiving (providing) organisation and read by both sides. Exactly
// one of the kind-specific parts is set, matching the service type's kind.
type Delivery struct {
	ID          string       `json:"id"`
	ReferralID  string       `json:"referral_id"`
	OrgID       string       `json:"org_id"` // the providing organisation
	Kind        Kind         `json:"kind"`
	Training    *Training    `json:"training,omitempty"`
	Grant       *Grant       `json:"grant,omitempty"`
	Counselling *Counselling `json:"counselling,omitempty"`
	Placement   *Placement   `json:"placement,omitempty"`
	Version     int          `json:"version"`
	CreatedBy   string       `json:"created_by"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`
}

// DeliveryInput is what a provider writes: the part for the kind.
type DeliveryInput struct {
	Training    *Training    `json:"training,omitempty"`
	Grant       *Grant       `json:"grant,omitempty"`
	Counselling *Counselling `json:"counselling,omitempty"`
	Placement   *Placement   `json:"placement,omitempty"`
}

// Kind returns the kind of the one part set, or "" when none or several are.
func (in *DeliveryInput) Kind() Kind {
	var k []Kind
	if in.Training != nil {
		k = append(k, KindTraining)
	}
	if in.Grant != nil {
		k = append(k, KindGrant)
	}
	if in.Counselling != nil {
		k = append(k, KindCounselling)
	}
	if in.Placement != nil {
		k = append(k, KindPlacement)
	}
	if len(k) != 1 {
		return ""
	}
	return k[0]
}

// Training is a course: what, where and when, enrolment, attendance and the
// outcome.
type Training struct {
	Course         string          `json:"course"`
	Trade          string          `json:"trade,omitempty"`
	ISCO           string          `json:"isco,omitempty"` // ISCO-08 code of the trade
	StartDate      string          `json:"start_date,omitempty"`
	EndDate        string          `json:"end_date,omitempty"`
	Hours          int             `json:"hours,omitempty"`
	EnrolledOn     string          `json:"enrolled_on,omitempty"`
	Attendance     []Attendance    `json:"attendance,omitempty"`
	Outcome        TrainingOutcome `json:"outcome"`
	DropOutReason  string          `json:"drop_out_reason,omitempty"`
	CertificateRef string          `json:"certificate_ref,omitempty"`
}

// Attendance is the hours attended on one day.
type Attendance struct {
	Date  string `json:"date"`
	Hours int    `json:"hours"`
}

// TrainingOutcome is where a trainee stands.
type TrainingOutcome string

// The training outcomes.
const (
	TrainingEnrolled   TrainingOutcome = "enrolled"
	TrainingCompleted  TrainingOutcome = "completed"
	TrainingDroppedOut TrainingOutcome = "dropped_out"
)

// TrainingOutcomes lists every TrainingOutcome.
var TrainingOutcomes = []TrainingOutcome{TrainingEnrolled, TrainingCompleted, TrainingDroppedOut}

// MinAttendancePercent is the share of a course's planned hours a trainee
// must have attended for the training to be recorded as completed.
const MinAttendancePercent = 80

// HoursToComplete returns the attended hours a training needs to be
// completed: MinAttendancePercent of its planned hours, rounded up; zero
// when no hours are planned (nothing to measure against).
func (t *Training) HoursToComplete() int {
	if t.Hours <= 0 {
		return 0
	}
	return (t.Hours*MinAttendancePercent + 99) / 100
}

// CompletionMoves returns the states a referral passes through when its
// service record says the service was delivered: a training recorded as
// completed completes its referral (starting it first if it was only
// accepted), so that the provider says so once. Other records, and
// referrals in any other state, move nowhere.
func CompletionMoves(r *Referral, d *Delivery) []State {
	if d == nil || d.Training == nil || d.Training.Outcome != TrainingCompleted {
		return nil
	}
	switch r.State {
	case StateAccepted:
		return []State{StateInProgress, StateCompleted}
	case StateInProgress:
		return []State{StateCompleted}
	}
	return nil
}

// AttendedHours sums the attendance.
func (t *Training) AttendedHours() int {
	n := 0
	for _, a := range t.Attendance {
		n += a.Hours
	}
	return n
}

func (t *Training) validate(v *homeward.Validation) {
	t.Course, t.Trade = strings.TrimSpace(t.Course), strings.TrimSpace(t.Trade)
	if t.Course == "" {
		required(v, "training.course")
	}
	text(v, "training.course", t.Course, 200)
	text(v, "training.trade", t.Trade, 200)
	if t.ISCO != "" && reference.OccupationByCode(t.ISCO) == nil {
		v.AddArgs("training.isco", "referral.isco", map[string]any{"value": t.ISCO}, "%q is not an ISCO-08 code.", t.ISCO)
	}
	dates(v, "training.start_date", t.StartDate, "training.end_date", t.EndDate)
	dates(v, "training.enrolled_on", t.EnrolledOn, "", "")
	if t.Hours < 0 || t.Hours > 5000 {
		v.Add("training.hours", "referral.training.hours", "Hours are between 0 and 5000.")
	}
	if len(t.Attendance) > 400 {
		v.Add("training.attendance", "referral.list.too_many", "Too many entries.")
	}
	for i, a := range t.Attendance {
		f := "training.attendance[" + itoa(i) + "]"
		dates(v, f+".date", a.Date, "", "")
		if a.Date == "" {
			required(v, f+".date")
		}
		if a.Hours < 0 || a.Hours > 24 {
			v.Add(f+".hours", "referral.training.day_hours", "A day has between 0 and 24 hours.")
		}
	}
	switch {
	case t.Outcome == "":
		required(v, "training.outcome")
	case !slices.Contains(TrainingOutcomes, t.Outcome):
		choice(v, "training.outcome", string(t.Outcome))
	case t.Outcome == TrainingCompleted && t.AttendedHours() < t.HoursToComplete():
		v.AddArgs("training.outcome", "referral.training.short_attendance",
			map[string]any{"attended": t.AttendedHours(), "hours": t.Hours, "needed": t.HoursToComplete(), "percent": MinAttendancePercent},
			"Only %d of the %d planned hours were attended; completion needs at least %d (%d %%).", t.AttendedHours(), t.Hours, t.HoursToComplete(), MinAttendancePercent)
	case t.Outcome == TrainingDroppedOut && strings.TrimSpace(t.DropOutReason) == "":
		v.Add("training.drop_out_reason", "referral.training.drop_out_reason", "Say why the trainee dropped out.")
	case t.Outcome != TrainingCompleted && t.CertificateRef != "":
		v.Add("training.certificate_ref", "referral.training.certificate", "Only a completed training has a certificate.")
	}
	text(v, "training.drop_out_reason", t.DropOutReason, 500)
	text(v, "training.certificate_ref", t.CertificateRef, 200)
}

// Channel is how a grant is paid.
type Channel string

// The payment channels.
const (
	ChannelBank   Channel = "bank"
	ChannelBKash  Channel = "bkash"
	ChannelNagad  Channel = "nagad"
	ChannelCash   Channel = "cash"
	ChannelInKind Channel = "in_kind"
)

// Channels lists every Channel.
var Channels = []Channel{ChannelBank, ChannelBKash, ChannelNagad, ChannelCash, ChannelInKind}

// GrantStatus is where a grant stands.
type GrantStatus string

// The grant statuses: requested → approved → disbursed (when every tranche
// is paid), or requested → rejected.
const (
	GrantRequested GrantStatus = "requested"
	GrantApproved  GrantStatus = "approved"
	GrantRejected  GrantStatus = "rejected"
	GrantDisbursed GrantStatus = "disbursed"
)

// GrantStatuses lists every GrantStatus.
var GrantStatuses = []GrantStatus{GrantRequested, GrantApproved, GrantRejected, GrantDisbursed}

// Grant is a business start-up grant: requested by one person, approved by
// another (four eyes), paid in tranches, then followed up by visits.
type Grant struct {
	Amount     registry.Money `json:"amount"`
	Channel    Channel        `json:"channel"`
	AccountRef string         `json:"account_ref,omitempty"` // bank account or wallet number
	Purpose    string         `json:"purpose"`               // the business
	Tranches   []Tranche      `json:"tranches"`
	Visits     []Visit        `json:"visits,omitempty"`
	// Kept by Homeward.
	Status       GrantStatus `json:"status"`
	RequestedBy  string      `json:"requested_by"`
	RequestedAt  time.Time   `json:"requested_at"`
	ApprovedBy   string      `json:"approved_by,omitempty"`
	ApprovedAt   *time.Time  `json:"approved_at,omitempty"`
	DecisionNote string      `json:"decision_note,omitempty"`
}

// Tranche is one payment of a grant.
type Tranche struct {
	Amount      int64      `json:"amount"`
	PlannedDate string     `json:"planned_date,omitempty"`
	DisbursedAt *time.Time `json:"disbursed_at,omitempty"`
	DisbursedBy string     `json:"disbursed_by,omitempty"`
	Reference   string     `json:"reference,omitempty"` // transaction id or receipt number
}

// Visit is a business follow-up visit.
type Visit struct {
	Date          string `json:"date"`
	Trading       bool   `json:"trading"`
	MonthlyIncome *int64 `json:"monthly_income,omitempty"`
	Note          string `json:"note,omitempty"`
}

func (g *Grant) validate(v *homeward.Validation) {
	g.Amount.Currency = strings.ToUpper(strings.TrimSpace(g.Amount.Currency))
	g.Purpose, g.AccountRef = strings.TrimSpace(g.Purpose), strings.TrimSpace(g.AccountRef)
	if g.Amount.Amount <= 0 || g.Amount.Amount > 100_000_000 {
		v.Add("grant.amount.amount", "referral.money.amount", "Give an amount above zero.")
	}
	if len(g.Amount.Currency) != 3 {
		v.Add("grant.amount.currency", "referral.money.currency", "Give a three-letter currency code such as BDT.")
	}
	if !slices.Contains(Channels, g.Channel) {
		if g.Channel == "" {
			required(v, "grant.channel")
		} else {
			choice(v, "grant.channel", string(g.Channel))
		}
	}
	if (g.Channel == ChannelBank || g.Channel == ChannelBKash || g.Channel == ChannelNagad) && g.AccountRef == "" {
		v.Add("grant.account_ref", "referral.grant.account_required", "Give the account or wallet number for this channel.")
	}
	text(v, "grant.account_ref", g.AccountRef, 60)
	if g.Purpose == "" {
		required(v, "grant.purpose")
	}
	text(v, "grant.purpose", g.Purpose, 1000)
	if len(g.Tranches) == 0 || len(g.Tranches) > 12 {
		v.Add("grant.tranches", "referral.grant.tranches", "Pay a grant in 1 to 12 tranches.")
	}
	var sum int64
	for i, t := range g.Tranches {
		f := "grant.tranches[" + itoa(i) + "]"
		if t.Amount <= 0 {
			v.Add(f+".amount", "referral.money.amount", "Give an amount above zero.")
		}
		sum += t.Amount
		dates(v, f+".planned_date", t.PlannedDate, "", "")
		text(v, f+".reference", t.Reference, 100)
	}
	if len(g.Tranches) > 0 && sum != g.Amount.Amount {
		v.AddArgs("grant.tranches", "referral.grant.tranche_sum", map[string]any{"sum": sum, "amount": g.Amount.Amount},
			"The tranches add up to %d, not the grant's %d.", sum, g.Amount.Amount)
	}
	visits(v, g.Visits)
}

func visits(v *homeward.Validation, vs []Visit) {
	if len(vs) > 60 {
		v.Add("grant.visits", "referral.list.too_many", "Too many entries.")
	}
	for i, x := range vs {
		f := "grant.visits[" + itoa(i) + "]"
		if x.Date == "" {
			required(v, f+".date")
		}
		dates(v, f+".date", x.Date, "", "")
		if x.MonthlyIncome != nil && *x.MonthlyIncome < 0 {
			v.Add(f+".monthly_income", "referral.money.amount", "Give an amount above zero.")
		}
		text(v, f+".note", x.Note, 1000)
	}
}

// MayDecide reports whether user by may approve or reject the grant: it
// awaits a decision and by did not request it (four eyes). Pages offer the
// decision only to those who may take it.
func (g *Grant) MayDecide(by string) bool {
	return g.Status == GrantRequested && by != "" && by != g.RequestedBy
}

// Approve records the approval of a requested grant by a second person: the
// approver may not be the requester (four eyes).
func (g *Grant) Approve(by, note string, at time.Time) error {
	if g.Status != GrantRequested {
		return homeward.Errorf(homeward.ECONFLICT, "referral.grant.not_requested", "This grant is not awaiting approval.")
	}
	if by == g.RequestedBy {
		return homeward.Errorf(homeward.EFORBIDDEN, "referral.grant.four_eyes", "A grant must be approved by someone other than the person who requested it.")
	}
	t := at
	g.Status, g.ApprovedBy, g.ApprovedAt, g.DecisionNote = GrantApproved, by, &t, strings.TrimSpace(note)
	return nil
}

// Reject records the refusal of a requested grant, by someone other than
// the requester.
func (g *Grant) Reject(by, note string, at time.Time) error {
	if g.Status != GrantRequested {
		return homeward.Errorf(homeward.ECONFLICT, "referral.grant.not_requested", "This grant is not awaiting approval.")
	}
	if by == g.RequestedBy {
		return homeward.Errorf(homeward.EFORBIDDEN, "referral.grant.four_eyes", "A grant must be approved by someone other than the person who requested it.")
	}
	if strings.TrimSpace(note) == "" {
		return homeward.FieldErrorf("note", "referral.grant.reject_note", "Say why the grant is refused.")
	}
	t := at
	g.Status, g.ApprovedBy, g.ApprovedAt, g.DecisionNote = GrantRejected, by, &t, strings.TrimSpace(note)
	return nil
}

// Disburse confirms the payment of tranche i. Only an approved grant pays;
// when the last tranche is paid the grant is disbursed.
func (g *Grant) Disburse(i int, reference, by string, at time.Time) error {
	if g.Status != GrantApproved {
		return homeward.Errorf(homeward.ECONFLICT, "referral.grant.not_approved", "Only an approved grant can be paid.")
	}
	if i < 0 || i >= len(g.Tranches) {
		return homeward.FieldErrorf("tranche", "referral.grant.tranche_unknown", "The grant has no such tranche.")
	}
	t := &g.Tranches[i]
	if t.DisbursedAt != nil {
		return homeward.Errorf(homeward.ECONFLICT, "referral.grant.tranche_paid", "This tranche was already paid.")
	}
	reference = strings.TrimSpace(reference)
	if reference == "" && g.Channel != ChannelCash && g.Channel != ChannelInKind {
		return homeward.FieldErrorf("reference", "referral.grant.reference_required", "Give the transaction reference of the payment.")
	}
	if len([]rune(reference)) > 100 {
		return homeward.FieldErrorf("reference", "error.field.too_long", "This is too long (at most %d characters).", 100)
	}
	at2 := at
	t.DisbursedAt, t.DisbursedBy, t.Reference = &at2, by, reference
	if !slices.ContainsFunc(g.Tranches, func(t Tranche) bool { return t.DisbursedAt == nil }) {
		g.Status = GrantDisbursed
	}
	return nil
}

// Counselling is a series of sessions. Session notes are kept apart and
// only the providing organisation's counsellors read them.
type Counselling struct {
	Sessions []Session `json:"sessions"`
}

// SessionType is the form of a counselling session.
type SessionType string

// The session types.
const (
	SessionIndividual SessionType = "individual"
	SessionGroup      SessionType = "group"
	SessionFamily     SessionType = "family"
	SessionRemote     SessionType = "remote"
)

// SessionTypes lists every SessionType.
var SessionTypes = []SessionType{SessionIndividual, SessionGroup, SessionFamily, SessionRemote}

// Session is one counselling session. Its notes are not part of it.
type Session struct {
	ID               string      `json:"id"`
	Date             string      `json:"date"`
	Type             SessionType `json:"type"`
	CounsellorID     string      `json:"counsellor_id"`
	Minutes          int         `json:"minutes,omitempty"`
	HasNotes         bool        `json:"has_notes"`
	ClinicalReferral bool        `json:"clinical_referral"`
	ClinicalTo       string      `json:"clinical_to,omitempty"` // facility referred to
}

// SessionInput is a session as recorded, with its private notes.
type SessionInput struct {
	Date             string      `json:"date"`
	Type             SessionType `json:"type"`
	Minutes          int         `json:"minutes,omitempty"`
	Notes            string      `json:"notes,omitempty"`
	ClinicalReferral bool        `json:"clinical_referral"`
	ClinicalTo       string      `json:"clinical_to,omitempty"`
}

// Validate checks a session being recorded at now, in the instance's time
// zone: a session held today there is not in the future.
func (s *SessionInput) Validate(now time.Time) error {
	var v homeward.Validation
	if s.Date == "" {
		required(&v, "date")
	} else if d, err := time.Parse(time.DateOnly, s.Date); err != nil {
		v.Add("date", "referral.date.invalid", "Write a date as YYYY-MM-DD.")
	} else if d.Format(time.DateOnly) > homeward.DateOf(now) {
		v.Add("date", "referral.date.future", "This date is in the future.")
	}
	if !slices.Contains(SessionTypes, s.Type) {
		if s.Type == "" {
			required(&v, "type")
		} else {
			choice(&v, "type", string(s.Type))
		}
	}
	if s.Minutes < 0 || s.Minutes > 600 {
		v.Add("minutes", "referral.session.minutes", "A session lasts between 0 and 600 minutes.")
	}
	text(&v, "notes", s.Notes, 20000)
	s.ClinicalTo = strings.TrimSpace(s.ClinicalTo)
	if s.ClinicalReferral && s.ClinicalTo == "" {
		v.Add("clinical_to", "referral.session.clinical_to", "Say where the person was referred for clinical care.")
	}
	text(&v, "clinical_to", s.ClinicalTo, 200)
	return v.Err()
}

// Note is a counsellor's private session note.
type Note struct {
	SessionID string    `json:"session_id"`
	Text      string    `json:"text"`
	By        string    `json:"by"`
	At        time.Time `json:"at"`
}

// Placement is a job placement and its follow-ups.
type Placement struct {
	Employer      string         `json:"employer"`
	EmployerOrgID string         `json:"employer_org_id,omitempty"`
	Position      string         `json:"position"`
	ISCO          string         `json:"isco,omitempty"`
	Wage          registry.Money `json:"wage"`
	WagePer       string         `json:"wage_per"` // month, week, day
	StartDate     string         `json:"start_date"`
	FollowUps     []FollowUp     `json:"follow_ups,omitempty"`
}

// FollowUp is a check on whether the person is still employed.
type FollowUp struct {
	Date          string `json:"date"`
	StillEmployed bool   `json:"still_employed"`
	Note          string `json:"note,omitempty"`
}

// WagePeriods are the periods a wage may be given per.
var WagePeriods = []string{"month", "week", "day"}

func (p *Placement) validate(v *homeward.Validation) {
	p.Employer, p.Position = strings.TrimSpace(p.Employer), strings.TrimSpace(p.Position)
	p.Wage.Currency = strings.ToUpper(strings.TrimSpace(p.Wage.Currency))
	if p.Employer == "" {
		required(v, "placement.employer")
	}
	text(v, "placement.employer", p.Employer, 200)
	if p.EmployerOrgID != "" && !homeward.ValidID(p.EmployerOrgID) {
		choice(v, "placement.employer_org_id", p.EmployerOrgID)
	}
	if p.Position == "" {
		required(v, "placement.position")
	}
	text(v, "placement.position", p.Position, 200)
	if p.ISCO != "" && reference.OccupationByCode(p.ISCO) == nil {
		v.AddArgs("placement.isco", "referral.isco", map[string]any{"value": p.ISCO}, "%q is not an ISCO-08 code.", p.ISCO)
	}
	if p.Wage.Amount <= 0 {
		v.Add("placement.wage.amount", "referral.money.amount", "Give an amount above zero.")
	}
	if len(p.Wage.Currency) != 3 {
		v.Add("placement.wage.currency", "referral.money.currency", "Give a three-letter currency code such as BDT.")
	}
	if !slices.Contains(WagePeriods, p.WagePer) {
		choice(v, "placement.wage_per", p.WagePer)
	}
	if p.StartDate == "" {
		required(v, "placement.start_date")
	}
	dates(v, "placement.start_date", p.StartDate, "", "")
	for i, f := range p.FollowUps {
		fp := "placement.follow_ups[" + itoa(i) + "]"
		if f.Date == "" {
			required(v, fp+".date")
		}
		dates(v, fp+".date", f.Date, "", "")
		text(v, fp+".note", f.Note, 1000)
	}
}

// dates checks one or two YYYY-MM-DD dates, the second not before the first.
func dates(v *homeward.Validation, f1, d1, f2, d2 string) {
	var t1, t2 time.Time
	var err1, err2 error
	if d1 != "" {
		if t1, err1 = time.Parse(time.DateOnly, d1); err1 != nil {
			v.Add(f1, "referral.date.invalid", "Write a date as YYYY-MM-DD.")
		}
	}
	if d2 != "" {
		if t2, err2 = time.Parse(time.DateOnly, d2); err2 != nil {
			v.Add(f2, "referral.date.invalid", "Write a date as YYYY-MM-DD.")
		}
	}
	if d1 != "" && d2 != "" && err1 == nil && err2 == nil && t2.Before(t1) {
		v.Add(f2, "referral.date.order", "The end is before the start.")
	}
}

// NewDelivery builds the first record of a delivery of kind from in,
// requested by by at at. Grants start as requested; counselling starts
// without sessions (they are added one by one with their notes).
func NewDelivery(kind Kind, in DeliveryInput, by string, at time.Time) (*Delivery, error) {
	if kind == KindGeneric {
		return nil, homeward.Errorf(homeward.ECONFLICT, "referral.delivery.generic", "This service type keeps no delivery record; complete the referral instead.")
	}
	if got := in.Kind(); got != kind {
		return nil, homeward.FieldErrorf(string(kind), "referral.delivery.kind", "Send the %s part of the record, and only that part.", kind)
	}
	d := &Delivery{Kind: kind, CreatedBy: by, CreatedAt: at, UpdatedAt: at}
	switch kind {
	case KindTraining:
		d.Training = in.Training
	case KindGrant:
		g := *in.Grant
		g.Status, g.RequestedBy, g.RequestedAt, g.ApprovedBy, g.ApprovedAt, g.DecisionNote = GrantRequested, by, at, "", nil, ""
		for i := range g.Tranches {
			g.Tranches[i].DisbursedAt, g.Tranches[i].DisbursedBy, g.Tranches[i].Reference = nil, "", ""
		}
		d.Grant = &g
	case KindCounselling:
		d.Counselling = &Counselling{Sessions: []Session{}}
	case KindPlacement:
		d.Placement = in.Placement
	}
	return d, d.Validate()
}

// Update applies in to the record. What Homeward keeps (grant status,
// approval, payments; counselling sessions) cannot be changed this way, and
// a grant's amount, channel and tranches are fixed once approved.
func (d *Delivery) Update(in DeliveryInput) error {
	if got := in.Kind(); got != d.Kind {
		return homeward.FieldErrorf(string(d.Kind), "referral.delivery.kind", "Send the %s part of the record, and only that part.", d.Kind)
	}
	switch d.Kind {
	case KindTraining:
		d.Training = in.Training
	case KindPlacement:
		d.Placement = in.Placement
	case KindCounselling:
		return homeward.Errorf(homeward.ECONFLICT, "referral.delivery.sessions_only", "Add counselling sessions one by one.")
	case KindGrant:
		old, g := d.Grant, *in.Grant
		g.Status, g.RequestedBy, g.RequestedAt, g.ApprovedBy, g.ApprovedAt, g.DecisionNote = old.Status, old.RequestedBy, old.RequestedAt, old.ApprovedBy, old.ApprovedAt, old.DecisionNote
		if old.Status != GrantRequested {
			g.Amount.Currency = strings.ToUpper(strings.TrimSpace(g.Amount.Currency))
			if g.Amount != old.Amount || g.Channel != old.Channel || strings.TrimSpace(g.AccountRef) != old.AccountRef || len(g.Tranches) != len(old.Tranches) {
				return homeward.Errorf(homeward.ECONFLICT, "referral.grant.locked", "An approved grant's amount, channel, account and tranches cannot change.")
			}
			for i := range g.Tranches {
				if g.Tranches[i].Amount != old.Tranches[i].Amount {
					return homeward.Errorf(homeward.ECONFLICT, "referral.grant.locked", "An approved grant's amount, channel, account and tranches cannot change.")
				}
			}
		}
		if len(g.Tranches) == len(old.Tranches) {
			for i := range g.Tranches {
				g.Tranches[i].DisbursedAt, g.Tranches[i].DisbursedBy, g.Tranches[i].Reference = old.Tranches[i].DisbursedAt, old.Tranches[i].DisbursedBy, old.Tranches[i].Reference
			}
		} else {
			for i := range g.Tranches {
				g.Tranches[i].DisbursedAt, g.Tranches[i].DisbursedBy, g.Tranches[i].Reference = nil, "", ""
			}
		}
		d.Grant = &g
	}
	return d.Validate()
}

// Validate checks the record's part for its kind.
func (d *Delivery) Validate() error {
	var v homeward.Validation
	switch {
	case d.Kind == KindTraining && d.Training != nil:
		d.Training.validate(&v)
	case d.Kind == KindGrant && d.Grant != nil:
		d.Grant.validate(&v)
	case d.Kind == KindPlacement && d.Placement != nil:
		d.Placement.validate(&v)
	case d.Kind == KindCounselling && d.Counselling != nil:
	default:
		v.Add(string(d.Kind), "referral.delivery.kind", "Send the part of the record for this kind of service, and only that part.")
	}
	return v.Err()
}

// AddSession appends a counselling session by counsellor at now and
// returns it; its notes are stored apart by the caller.
func (d *Delivery) AddSession(in SessionInput, id, counsellor string, now time.Time) (Session, error) {
	if d.Kind != KindCounselling || d.Counselling == nil {
		return Session{}, homeward.Errorf(homeward.ECONFLICT, "referral.session.not_counselling", "Sessions belong to counselling records only.")
	}
	if err := in.Validate(now); err != nil {
		return Session{}, err
	}
	if len(d.Counselling.Sessions) >= 200 {
		return Session{}, homeward.Errorf(homeward.EINVALID, "referral.list.too_many", "Too many entries.")
	}
	s := Session{ID: id, Date: in.Date, Type: in.Type, CounsellorID: counsellor, Minutes: in.Minutes,
		HasNotes: strings.TrimSpace(in.Notes) != "", ClinicalReferral: in.ClinicalReferral, ClinicalTo: in.ClinicalTo}
	d.Counselling.Sessions = append(d.Counselling.Sessions, s)
	return s, nil
}

// MayReadNotes reports whether actor may read the counselling notes of a
// delivery by the providing organisation orgID: its provider staff (the
// counsellors) only — not the referring case worker, not administrators,
// not the operator.
func MayReadNotes(actor *homeward.Actor, orgID string) bool {
	return actor != nil && !actor.System && actor.OrgID == orgID && homeward.Can(actor, homeward.ActCounsellingNotes, homeward.Resource{Type: "counselling_notes", OrgID: orgID})
}

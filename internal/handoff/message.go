package handoff

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// Message types.
const (
	TypeAnnouncement = "announcement"
	TypeFeedback     = "feedback"
)

// Envelope is the body of every handoff message. ID is the sender's
// idempotency key: a message received twice (a retry after a lost
// acknowledgement) is stored once and acknowledged again.
type Envelope struct {
	Type         string        `json:"type"`
	ID           string        `json:"id"`
	SentAt       time.Time     `json:"sent_at"`
	Announcement *Announcement `json:"announcement,omitempty"`
	Feedback     *Feedback     `json:"feedback,omitempty"`
}

// Announcement announces a planned return.
type Announcement struct {
	// SenderOrg is the name of the organisation that prepared the return.
	SenderOrg   string `json:"sender_org"`
	TravelDate  string `json:"travel_date"` // YYYY-MM-DD
	PortOfEntry string `json:"port_of_entry"`
	// Fields lists the parts of the record Person carries: what the
	// person's consent and the agreement both cover.
	Fields  []string `json:"fields"`
	Person  Person   `json:"person"`
	Needs   string   `json:"needs,omitempty"` // pre-departure needs, in the case worker's words
	Urgent  bool     `json:"urgent,omitempty"`
	Message string   `json:"message,omitempty"`
	// Assessments are the pre-departure assessments as structured data,
	// present only when Fields lists FieldAssessments.
	Assessments []Assessment `json:"assessments,omitempty"`
}

// Assessment is one completed pre-departure assessment as it travels: the
// form and version answered, the day, the answers by question name and
// the scores, so that the receiving side can read them without the
// sender's software.
type Assessment struct {
	FormID      string         `json:"form_id"`
	FormVersion string         `json:"form_version"`
	Title       string         `json:"title,omitempty"`
	AnsweredOn  string         `json:"answered_on"`
	Round       string         `json:"round,omitempty"`
	Answers     map[string]any `json:"answers"`
	Score       *Score         `json:"score,omitempty"`
}

// Score is an assessment's scores: by dimension and composite, each in
// [0, 1] or null when too little was answered.
type Score struct {
	Scheme     string              `json:"scheme,omitempty"`
	Dimensions map[string]*float64 `json:"dimensions,omitempty"`
	Composite  *float64            `json:"composite"`
}

// Limits on the assessments one announcement carries.
const (
	MaxAssessments = 20
	maxAnswers     = 300
)

// present lists the fields the announcement carries: the person's and
// the assessments.
func (a *Announcement) present() []string {
	out := a.Person.Present()
	if len(a.Assessments) > 0 {
		out = append(out, FieldAssessments)
	}
	return out
}

// Person is what an announcement says of the person: only the fields the
// announcement lists are present.
type Person struct {
	GivenName          string   `json:"given_name,omitempty"`
	FamilyName         string   `json:"family_name,omitempty"`
	NativeName         string   `json:"full_name_native,omitempty"`
	Sex                string   `json:"sex,omitempty"`
	Age                *int     `json:"age,omitempty"`
	DateOfBirth        string   `json:"date_of_birth,omitempty"`
	Phone              string   `json:"phone,omitempty"`
	District           string   `json:"district,omitempty"`
	AdminArea          string   `json:"admin_area,omitempty"`
	AddressText        string   `json:"address_text,omitempty"`
	Languages          []string `json:"languages,omitempty"`
	Education          string   `json:"education,omitempty"`
	OccupationAbroad   string   `json:"occupation_abroad,omitempty"`
	SectorAbroad       string   `json:"sector_abroad,omitempty"`
	DestinationCountry string   `json:"destination_country,omitempty"`
	ReturnDate         string   `json:"return_date,omitempty"`
	ReturnType         string   `json:"return_type,omitempty"`
	Vulnerabilities    []string `json:"vulnerabilities,omitempty"`
	Disability         *bool    `json:"disability,omitempty"`
	HouseholdSize      *int     `json:"household_size,omitempty"`
	Dependants         *int     `json:"dependants,omitempty"`
	NationalID         string   `json:"national_id,omitempty"`
	Passport           string   `json:"passport,omitempty"`
}

// Feedback tells the sender what became of an announcement.
type Feedback struct {
	// AnnouncementID is the Envelope.ID of the announcement.
	AnnouncementID string    `json:"announcement_id"`
	Status         string    `json:"status"`
	At             time.Time `json:"at"`
	// Milestone and Band are set for StatusSustainability only: the
	// follow-up (6 or 12 months after the return) and the band the
	// person's composite sustainability score fell in — never the score
	// or the answers themselves.
	Milestone int    `json:"milestone,omitempty"`
	Band      string `json:"band,omitempty"`
}

// Feedback statuses.
const (
	StatusReceived   = "received"    // the announcement is an expected arrival
	StatusAccepted   = "accepted"    // an organisation took the case
	StatusDeclined   = "declined"    // no organisation will take it
	StatusArrived    = "arrived"     // met at reception
	StatusPlanAgreed = "plan_agreed" // a reintegration plan was agreed
	// StatusSustainability carries the band of the sustainability score
	// at a follow-up milestone, sent only with the person's consent.
	StatusSustainability = "sustainability"
)

// Statuses lists every feedback status.
var Statuses = []string{StatusReceived, StatusAccepted, StatusDeclined, StatusArrived, StatusPlanAgreed, StatusSustainability}

// Milestones are the follow-ups (months after the return) whose score
// band goes back to the announcing partner.
var Milestones = []int{6, 12}

// Score bands of the composite sustainability score (in [0, 1]): below
// a third, below two thirds, and from two thirds up, the thresholds the
// reintegration sustainability survey reports by.
const (
	BandLow    = "low"
	BandMedium = "medium"
	BandHigh   = "high"
)

// Bands lists every band, lowest first.
var Bands = []string{BandLow, BandMedium, BandHigh}

// ScoreBand returns the band of a composite sustainability score.
func ScoreBand(composite float64) string {
	switch {
	case composite < 0.33:
		return BandLow
	case composite < 0.66:
		return BandMedium
	}
	return BandHigh
}

// BuildPerson copies the named fields from the record as of now: the only
// way case data goes into an announcement.
func BuildPerson(rec *registry.Record, fields []string, now time.Time) Person {
	var rf []referral.Field
	for _, f := range fields {
		if f != FieldPassport && f != FieldAssessments {
			rf = append(rf, referral.Field(f))
		}
	}
	s := referral.Share(rec, rf, now)
	p := Person{GivenName: s.GivenName, FamilyName: s.FamilyName, NativeName: s.NativeName, Sex: string(s.Sex), Age: s.Age, DateOfBirth: s.DateOfBirth,
		Phone: s.Phone, District: s.District, AdminArea: s.AdminArea, AddressText: s.AddressText, Languages: s.Languages, Education: string(s.Education),
		OccupationAbroad: s.OccupationAbroad, SectorAbroad: string(s.SectorAbroad), DestinationCountry: s.DestinationCountry, ReturnDate: s.ReturnDate,
		ReturnType: string(s.ReturnType), Disability: s.Disability, HouseholdSize: s.HouseholdSize, Dependants: s.Dependants, NationalID: s.NationalID}
	for _, v := range s.Vulnerabilities {
		p.Vulnerabilities = append(p.Vulnerabilities, string(v))
	}
	if slices.Contains(fields, FieldPassport) {
		for _, d := range rec.Person.Documents {
			if d.Type == registry.DocPassport && d.Number != "" {
				p.Passport = d.Number
				break
			}
		}
	}
	return p
}

// Present lists the fields the person section actually carries, whatever
// the announcement's list says: what a receiver checks against the
// agreement.
func (p *Person) Present() []string {
	var out []string
	add := func(f string, present bool) {
		if present && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	add(string(referral.FieldName), p.GivenName != "" || p.FamilyName != "" || p.NativeName != "")
	add(string(referral.FieldSex), p.Sex != "")
	add(string(referral.FieldAge), p.Age != nil)
	add(string(referral.FieldDateOfBirth), p.DateOfBirth != "")
	add(string(referral.FieldPhone), p.Phone != "")
	add(string(referral.FieldDistrict), p.District != "")
	add(string(referral.FieldAddress), p.AdminArea != "" || p.AddressText != "")
	add(string(referral.FieldLanguages), len(p.Languages) > 0)
	add(string(referral.FieldEducation), p.Education != "")
	add(string(referral.FieldOccupationAbroad), p.OccupationAbroad != "" || p.SectorAbroad != "")
	add(string(referral.FieldDestinationCountry), p.DestinationCountry != "")
	add(string(referral.FieldReturn), p.ReturnDate != "" || p.ReturnType != "")
	add(string(referral.FieldVulnerabilities), len(p.Vulnerabilities) > 0)
	add(string(referral.FieldDisability), p.Disability != nil)
	add(string(referral.FieldHousehold), p.HouseholdSize != nil || p.Dependants != nil)
	add(string(referral.FieldNationalID), p.NationalID != "")
	add(FieldPassport, p.Passport != "")
	return out
}

// Limits on what a message may hold.
const (
	MaxBody  = 256 << 10 // bytes of one signed message
	maxText  = 4000      // characters of a message or needs
	maxShort = 200       // characters of a port of entry or a name
)

// CheckEnvelope validates a received message against the partner's
// agreement: a known type, an id, and for an announcement a travel date,
// a port of entry, and no field — listed or present — that the agreement
// does not cover. The error says which rule failed; nothing is stored on
// any error.
func CheckEnvelope(e *Envelope, agreement []string) error {
	if !homeward.ValidID(e.ID) {
		return homeward.FieldErrorf("id", "handoff.message.id_invalid", "The message needs an id (a UUID) to be acknowledged by.")
	}
	switch e.Type {
	case TypeAnnouncement:
		a := e.Announcement
		if a == nil || e.Feedback != nil {
			return homeward.FieldErrorf("announcement", "handoff.message.body_mismatch", "The message's body does not match its type.")
		}
		var v homeward.Validation
		if _, err := time.Parse(time.DateOnly, a.TravelDate); err != nil {
			v.Add("announcement.travel_date", "handoff.message.travel_date", "The travel date must be a date (YYYY-MM-DD).")
		}
		if strings.TrimSpace(a.PortOfEntry) == "" {
			v.Add("announcement.port_of_entry", "error.field.required", "This field is required.")
		}
		for _, s := range []struct {
			field, value string
			max          int
		}{{"announcement.port_of_entry", a.PortOfEntry, maxShort}, {"announcement.sender_org", a.SenderOrg, maxShort}, {"announcement.needs", a.Needs, maxText}, {"announcement.message", a.Message, maxText}} {
			if utf8.RuneCountInString(s.value) > s.max {
				v.AddArgs(s.field, "error.field.too_long", map[string]any{"max": s.max}, "This is too long (at most %d characters).", s.max)
			}
		}
		checkAssessments(&v, a.Assessments)
		if err := v.Err(); err != nil {
			return err
		}
		present := a.present()
		for _, f := range append(slices.Clone(a.Fields), present...) {
			if !slices.Contains(agreement, f) {
				return &homeward.Error{Code: homeward.EFORBIDDEN, Key: "handoff.refused.field", Field: "announcement.person", Args: map[string]any{"field": f},
					Message: "The field “" + f + "” is outside the agreement with this instance: nothing was stored."}
			}
		}
		for _, f := range present {
			if !slices.Contains(a.Fields, f) {
				return homeward.FieldErrorf("announcement.fields", "handoff.message.fields_unlisted", "The person carries a field the announcement does not list.")
			}
		}
	case TypeFeedback:
		f := e.Feedback
		if f == nil || e.Announcement != nil {
			return homeward.FieldErrorf("feedback", "handoff.message.body_mismatch", "The message's body does not match its type.")
		}
		if !homeward.ValidID(f.AnnouncementID) {
			return homeward.FieldErrorf("feedback.announcement_id", "handoff.message.id_invalid", "The message needs an id (a UUID) to be acknowledged by.")
		}
		if !slices.Contains(Statuses, f.Status) {
			return &homeward.Error{Code: homeward.EINVALID, Key: "error.field.invalid_choice", Field: "feedback.status", Args: map[string]any{"value": f.Status}, Message: "“" + f.Status + "” is not one of the allowed values."}
		}
		if f.Status == StatusSustainability && (!slices.Contains(Milestones, f.Milestone) || !slices.Contains(Bands, f.Band)) ||
			f.Status != StatusSustainability && (f.Milestone != 0 || f.Band != "") {
			return homeward.FieldErrorf("feedback.band", "handoff.message.band_invalid", "A sustainability feedback carries a milestone (6 or 12) and a band (low, medium, high); other feedback carries neither.")
		}
	default:
		return &homeward.Error{Code: homeward.EINVALID, Key: "error.field.invalid_choice", Field: "type", Args: map[string]any{"value": e.Type}, Message: "“" + e.Type + "” is not one of the allowed values."}
	}
	return nil
}

// checkAssessments bounds the assessments an announcement carries: how
// many, how many answers each, and that each names its form and day.
func checkAssessments(v *homeward.Validation, as []Assessment) {
	if len(as) > MaxAssessments {
		v.AddArgs("announcement.assessments", "handoff.message.too_many_assessments", map[string]any{"max": MaxAssessments}, "An announcement carries at most %d assessments.", MaxAssessments)
		return
	}
	for _, x := range as {
		if _, err := time.Parse(time.DateOnly, x.AnsweredOn); err != nil || strings.TrimSpace(x.FormID) == "" || len(x.FormID) > maxShort || len(x.FormVersion) > maxShort ||
			utf8.RuneCountInString(x.Title) > maxShort || len(x.Round) > maxShort || len(x.Answers) > maxAnswers {
			v.Add("announcement.assessments", "handoff.message.assessment_invalid", "An assessment must name its form and the day it was answered (YYYY-MM-DD), with at most 300 answers.")
			return
		}
	}
}

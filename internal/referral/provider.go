package referral

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"homeward"
	"homeward/internal/reference"
	"homeward/internal/registry"
)

// Offer is one entry of the provider directory: an organisation that
// delivers one service type, where, for whom, with what capacity, and how
// to reach it.
type Offer struct {
	ID          string `json:"id,omitempty"`
	OrgID       string `json:"org_id"`
	OrgName     string `json:"org_name,omitempty"` // filled on read
	OrgType     string `json:"org_type,omitempty"` // filled on read
	ServiceType string `json:"service_type"`
	Description string `json:"description,omitempty"`
	// Areas are the p-codes served (a division serves every district in it).
	Areas       []string    `json:"areas"`
	Eligibility Eligibility `json:"eligibility"`
	Capacity    Capacity    `json:"capacity"`
	Contact     Contact     `json:"contact"`
	Hours       []Hours     `json:"hours,omitempty"`
	Active      bool        `json:"active"`
	PlacesUsed  int         `json:"places_used"`           // filled on read: referrals holding a place this period
	PlacesLeft  *int        `json:"places_left,omitempty"` // filled on read; nil when unlimited
	Version     int         `json:"version"`
	CreatedAt   time.Time   `json:"created_at,omitzero"`
	UpdatedAt   time.Time   `json:"updated_at,omitzero"`
}

// Eligibility says for whom an offer is: in words, and as simple rules that
// are checked when a referral is sent. Empty rules admit everyone.
type Eligibility struct {
	Text            string                   `json:"text,omitempty"`
	Sexes           []registry.Sex           `json:"sexes,omitempty"`
	MinAge          *int                     `json:"min_age,omitempty"`
	MaxAge          *int                     `json:"max_age,omitempty"`
	Districts       []string                 `json:"districts,omitempty"`       // p-codes; the person must live in one
	Vulnerabilities []registry.Vulnerability `json:"vulnerabilities,omitempty"` // the person must have at least one
}

// Period is the period a capacity counts places in.
type Period string

// The capacity periods.
const (
	PeriodMonth   Period = "month"
	PeriodQuarter Period = "quarter"
	PeriodYear    Period = "year"
)

// Periods lists every Period.
var Periods = []Period{PeriodMonth, PeriodQuarter, PeriodYear}

// Capacity is how many people an offer takes per period. Places zero means
// no limit is recorded.
type Capacity struct {
	Places int    `json:"places"`
	Period Period `json:"period,omitempty"`
}

// Start returns the start of the period that contains t (UTC).
func (c Capacity) Start(t time.Time) time.Time {
	t = t.UTC()
	switch c.Period {
	case PeriodYear:
		return time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	case PeriodQuarter:
		return time.Date(t.Year(), (t.Month()-1)/3*3+1, 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// Left returns the places left when used are taken, and false when there
// is no limit.
func (c Capacity) Left(used int) (int, bool) {
	if c.Places <= 0 {
		return 0, false
	}
	return max(0, c.Places-used), true
}

// Contact is how to reach the provider for this service.
type Contact struct {
	Name    string `json:"name,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Email   string `json:"email,omitempty"`
	Address string `json:"address,omitempty"`
}

// Hours is one opening period on some days of the week.
type Hours struct {
	Days   []string `json:"days"`   // mo, tu, we, th, fr, sa, su
	Opens  string   `json:"opens"`  // HH:MM
	Closes string   `json:"closes"` // HH:MM
}

// Weekdays are the day codes of Hours, in the iCalendar BYDAY spelling
// (lower case), Saturday first as the Bangladeshi week starts.
var Weekdays = []string{"sa", "su", "mo", "tu", "we", "th", "fr"}

// Normalize trims and canonicalises the offer.
func (o *Offer) Normalize() {
	o.ServiceType = strings.TrimSpace(o.ServiceType)
	o.Description = strings.TrimSpace(o.Description)
	o.Areas = upperSet(o.Areas)
	o.Eligibility.Text = strings.TrimSpace(o.Eligibility.Text)
	o.Eligibility.Districts = upperSet(o.Eligibility.Districts)
	o.Contact.Name = strings.TrimSpace(o.Contact.Name)
	o.Contact.Phone = strings.TrimSpace(o.Contact.Phone)
	o.Contact.Email = strings.ToLower(strings.TrimSpace(o.Contact.Email))
	o.Contact.Address = strings.TrimSpace(o.Contact.Address)
	if o.Capacity.Places > 0 && o.Capacity.Period == "" {
		o.Capacity.Period = PeriodMonth
	}
	for i := range o.Hours {
		for j, d := range o.Hours[i].Days {
			o.Hours[i].Days[j] = strings.ToLower(strings.TrimSpace(d))
		}
	}
}

func upperSet(in []string) []string {
	out := []string{}
	for _, a := range in {
		a = strings.ToUpper(strings.TrimSpace(a))
		if a != "" && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	return out
}

// Validate checks the offer against the catalogue and reports every problem
// at once.
func (o *Offer) Validate(cat *Catalogue) error {
	var v homeward.Validation
	if o.OrgID == "" {
		required(&v, "org_id")
	}
	if t, ok := cat.Type(o.ServiceType); !ok || !t.Active {
		if o.ServiceType == "" {
			required(&v, "service_type")
		} else {
			choice(&v, "service_type", o.ServiceType)
		}
	}
	text(&v, "description", o.Description, 2000)
	if len(o.Areas) == 0 {
		v.Add("areas", "referral.offer.areas_required", "Name at least one area served (a division, district or upazila p-code).")
	}
	for i, a := range o.Areas {
		if reference.Area(a) == nil {
			v.AddArgs("areas["+itoa(i)+"]", "error.field.invalid_pcode", map[string]any{"value": a}, "%q is not a known administrative area (p-code).", a)
		}
	}
	e := &o.Eligibility
	text(&v, "eligibility.text", e.Text, 2000)
	for i, s := range e.Sexes {
		if !slices.Contains(registry.Sexes, s) {
			choice(&v, "eligibility.sexes["+itoa(i)+"]", string(s))
		}
	}
	for _, a := range []struct {
		f string
		n *int
	}{{"eligibility.min_age", e.MinAge}, {"eligibility.max_age", e.MaxAge}} {
		if a.n != nil && (*a.n < 0 || *a.n > 120) {
			v.Add(a.f, "referral.offer.age_range", "An age limit is between 0 and 120.")
		}
	}
	if e.MinAge != nil && e.MaxAge != nil && *e.MinAge > *e.MaxAge {
		v.Add("eligibility.max_age", "referral.offer.age_order", "The maximum age is below the minimum age.")
	}
	for i, d := range e.Districts {
		if reference.Area(d) == nil {
			v.AddArgs("eligibility.districts["+itoa(i)+"]", "error.field.invalid_pcode", map[string]any{"value": d}, "%q is not a known administrative area (p-code).", d)
		}
	}
	for i, x := range e.Vulnerabilities {
		if !slices.Contains(registry.Vulnerabilities, x) {
			choice(&v, "eligibility.vulnerabilities["+itoa(i)+"]", string(x))
		}
	}
	if o.Capacity.Places < 0 || o.Capacity.Places > 100000 {
		v.Add("capacity.places", "referral.offer.places", "Places are between 0 (no limit) and 100000.")
	}
	if o.Capacity.Period != "" && !slices.Contains(Periods, o.Capacity.Period) {
		choice(&v, "capacity.period", string(o.Capacity.Period))
	}
	text(&v, "contact.name", o.Contact.Name, 200)
	text(&v, "contact.phone", o.Contact.Phone, 40)
	text(&v, "contact.address", o.Contact.Address, 500)
	if o.Contact.Email != "" {
		if a, err := mail.ParseAddress(o.Contact.Email); err != nil || a.Address != o.Contact.Email {
			v.Add("contact.email", "error.field.invalid_email", "This is not a valid e-mail address.")
		}
	}
	if len(o.Hours) > 14 {
		v.Add("hours", "referral.list.too_many", "Too many entries.")
	}
	for i, h := range o.Hours {
		p := "hours[" + itoa(i) + "]"
		if len(h.Days) == 0 {
			required(&v, p+".days")
		}
		for j, d := range h.Days {
			if !slices.Contains(Weekdays, d) {
				choice(&v, p+".days["+itoa(j)+"]", d)
			}
		}
		op, ok1 := clock(h.Opens)
		cl, ok2 := clock(h.Closes)
		if !ok1 {
			v.Add(p+".opens", "referral.offer.time", "Write a time as HH:MM, for example 09:30.")
		}
		if !ok2 {
			v.Add(p+".closes", "referral.offer.time", "Write a time as HH:MM, for example 09:30.")
		}
		if ok1 && ok2 && cl <= op {
			v.Add(p+".closes", "referral.offer.time_order", "Closing time must be after opening time.")
		}
	}
	return v.Err()
}

func clock(s string) (int, bool) {
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != 5 {
		return 0, false
	}
	return t.Hour()*60 + t.Minute(), true
}

func text(v *homeward.Validation, field, s string, maxLen int) {
	if utf8.RuneCountInString(s) > maxLen {
		v.AddArgs(field, "error.field.too_long", map[string]any{"max": maxLen}, "This is too long (at most %d characters).", maxLen)
		return
	}
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\r' && r != '\t' || r == 0x7f {
			v.Add(field, "referral.text.control", "This text contains control characters.")
			return
		}
	}
}

// Serves reports whether the offer covers area (a p-code at any level): the
// area lies within one of the offer's areas, or is a larger area containing
// one of them (a search by division finds district offers).
func (o *Offer) Serves(area string) bool {
	if area == "" {
		return true
	}
	for _, a := range o.Areas {
		if reference.AreaIn(area, a) || reference.AreaIn(a, area) {
			return true
		}
	}
	return false
}

// Ineligible returns why a person with facts f does not meet the offer's
// rules, as catalog messages; nil when they do. Unknown facts (no age, no
// address) do not meet a rule about them.
func (e *Eligibility) Ineligible(f Facts) []registry.Message {
	var out []registry.Message
	if len(e.Sexes) > 0 && !slices.Contains(e.Sexes, f.Sex) {
		out = append(out, registry.Message{Key: "referral.eligibility.sex"})
	}
	if e.MinAge != nil && (f.Age == nil || *f.Age < *e.MinAge) {
		out = append(out, registry.Message{Key: "referral.eligibility.min_age", Args: map[string]any{"age": *e.MinAge}})
	}
	if e.MaxAge != nil && (f.Age == nil || *f.Age > *e.MaxAge) {
		out = append(out, registry.Message{Key: "referral.eligibility.max_age", Args: map[string]any{"age": *e.MaxAge}})
	}
	if len(e.Districts) > 0 && !slices.ContainsFunc(e.Districts, func(d string) bool { return f.District != "" && reference.AreaIn(f.District, d) }) {
		out = append(out, registry.Message{Key: "referral.eligibility.district"})
	}
	if len(e.Vulnerabilities) > 0 && !slices.ContainsFunc(e.Vulnerabilities, func(x registry.Vulnerability) bool { return slices.Contains(f.Vulnerabilities, x) }) {
		out = append(out, registry.Message{Key: "referral.eligibility.vulnerability"})
	}
	return out
}

// OfferFilter narrows the directory.
type OfferFilter struct {
	ServiceType string // this type or a descendant of it
	Area        string // served in this p-code
	OrgID       string
	Query       string // organisation name or description contains
	Inactive    bool   // include inactive offers
	// NoPlaces leaves PlacesLeft and PlacesUsed unset: counting the places
	// taken reads every offer's open referrals, which a list of provider
	// names does not need.
	NoPlaces bool
}

package registry

import (
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/reference"
)

// MigrationEpisode is one stay abroad for work, from departure to the return.
// A person may have several; the latest one's Return is the return the case
// is about.
type MigrationEpisode struct {
	ID                 string             `json:"id,omitempty"`
	PersonID           string             `json:"person_id,omitempty"`
	DestinationCountry string             `json:"destination_country"`         // ISO alpha-2
	OccupationAbroad   string             `json:"occupation_abroad,omitempty"` // ISCO-08 code, any level
	Sector             Sector             `json:"sector,omitempty"`
	Employer           string             `json:"employer,omitempty"`
	DepartureDate      Date               `json:"departure_date,omitzero"`
	EndDate            Date               `json:"end_date,omitzero"` // when work abroad ended
	VisaType           VisaType           `json:"visa_type,omitempty"`
	RecruitmentChannel RecruitmentChannel `json:"recruitment_channel,omitempty"`
	MigrationCost      *Money             `json:"migration_cost,omitempty"`
	DebtOutstanding    *Money             `json:"debt_outstanding,omitempty"` // still owed at registration
	Remittances        *Money             `json:"remittances,omitempty"`      // total sent home during the episode
	Return             *Return            `json:"return,omitempty"`
}

// Money is an amount in whole units of an ISO 4217 currency (migration costs
// and debts are counted in taka or riyal, never in fractions).
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

// Return is how the episode ended: the arrival home.
type Return struct {
	Date         Date       `json:"date,omitzero"`
	PointOfEntry string     `json:"point_of_entry,omitempty"` // a PointOfEntry code
	ReturnType   ReturnType `json:"return_type,omitempty"`
	Reason       string     `json:"reason,omitempty"`
	// Reasons are coded reasons for return, of those in local use (the
	// country pack's return_reasons); Reason adds words of one's own.
	Reasons            []string           `json:"reasons,omitempty"`
	DocumentsOnArrival []ArrivalDocument  `json:"documents_on_arrival,omitempty"`
	ReceptionServices  []ReceptionService `json:"reception_services,omitempty"`
}

// Sector is the economic sector of the work abroad.
type Sector string

// The sectors.
const (
	SectorConstruction  Sector = "construction"
	SectorDomesticWork  Sector = "domestic_work"
	SectorManufacturing Sector = "manufacturing"
	SectorAgriculture   Sector = "agriculture"
	SectorHospitality   Sector = "hospitality"
	SectorCleaning      Sector = "cleaning"
	SectorTransport     Sector = "transport"
	SectorRetail        Sector = "retail"
	SectorSecurity      Sector = "security"
	SectorHealthCare    Sector = "health_care"
	SectorFishing       Sector = "fishing"
	SectorOther         Sector = "other"
)

// Sectors lists every Sector.
var Sectors = []Sector{SectorConstruction, SectorDomesticWork, SectorManufacturing, SectorAgriculture, SectorHospitality, SectorCleaning, SectorTransport, SectorRetail, SectorSecurity, SectorHealthCare, SectorFishing, SectorOther}

// VisaType is the kind of visa or permit the person held abroad.
type VisaType string

// The visa types.
const (
	VisaWorkContract   VisaType = "work_contract"   // employer-sponsored work visa
	VisaFreeVisa       VisaType = "free_visa"       // "azad"/free visa: sponsor without real job
	VisaDomesticWorker VisaType = "domestic_worker" // household worker visa
	VisaSeasonal       VisaType = "seasonal"
	VisaVisit          VisaType = "visit" // tourist, visit, umrah or hajj visa used for work
	VisaStudent        VisaType = "student"
	VisaFamily         VisaType = "family"
	VisaIrregular      VisaType = "irregular" // no valid status
	VisaOther          VisaType = "other"
)

// VisaTypes lists every VisaType.
var VisaTypes = []VisaType{VisaWorkContract, VisaFreeVisa, VisaDomesticWorker, VisaSeasonal, VisaVisit, VisaStudent, VisaFamily, VisaIrregular, VisaOther}

// RecruitmentChannel is how the person found the job abroad.
type RecruitmentChannel string

// The recruitment channels.
const (
	RecruitLicensedAgency RecruitmentChannel = "licensed_agency"
	RecruitSubAgent       RecruitmentChannel = "sub_agent" // dalal / informal intermediary
	RecruitGovernment     RecruitmentChannel = "government"
	RecruitPersonal       RecruitmentChannel = "personal_network" // relatives or friends abroad
	RecruitEmployerDirect RecruitmentChannel = "employer_direct"
	RecruitSelf           RecruitmentChannel = "self"
	RecruitOther          RecruitmentChannel = "other"
)

// RecruitmentChannels lists every RecruitmentChannel.
var RecruitmentChannels = []RecruitmentChannel{RecruitLicensedAgency, RecruitSubAgent, RecruitGovernment, RecruitPersonal, RecruitEmployerDirect, RecruitSelf, RecruitOther}

// ReturnType says how the return came about.
type ReturnType string

// The return types.
const (
	ReturnVoluntary         ReturnType = "voluntary"
	ReturnAssistedVoluntary ReturnType = "assisted_voluntary"
	ReturnDeported          ReturnType = "deported" // deported or otherwise forced
	ReturnCrisisEvacuation  ReturnType = "crisis_evacuation"
	ReturnEndOfContract     ReturnType = "end_of_contract"
)

// ReturnTypes lists every ReturnType: the five above, then those in local
// use that a country pack adds (see ReturnTypesFor).
var ReturnTypes = withPackReturnTypes([]ReturnType{ReturnVoluntary, ReturnAssistedVoluntary, ReturnDeported, ReturnCrisisEvacuation, ReturnEndOfContract})

// ArrivalDocument is a travel document the person held on arrival.
type ArrivalDocument string

// The documents held on arrival.
const (
	ArrivalPassport      ArrivalDocument = "passport"
	ArrivalTravelPermit  ArrivalDocument = "travel_permit" // out-pass or emergency travel document
	ArrivalNationalID    ArrivalDocument = "national_id"
	ArrivalWorkPermit    ArrivalDocument = "work_permit"
	ArrivalDeportOrder   ArrivalDocument = "deportation_order"
	ArrivalNone          ArrivalDocument = "none"
	ArrivalOtherDocument ArrivalDocument = "other"
)

// ArrivalDocuments lists every ArrivalDocument.
var ArrivalDocuments = []ArrivalDocument{ArrivalPassport, ArrivalTravelPermit, ArrivalNationalID, ArrivalWorkPermit, ArrivalDeportOrder, ArrivalNone, ArrivalOtherDocument}

// Normalize tidies the episode in place: country codes (alpha-2 or alpha-3)
// become alpha-2, codes are upper-cased and text trimmed. Values it cannot
// make sense of are left for Validate to report.
func (e *MigrationEpisode) Normalize() {
	if c := reference.CountryByCode(e.DestinationCountry); c != nil {
		e.DestinationCountry = c.Alpha2
	}
	e.OccupationAbroad = strings.TrimSpace(e.OccupationAbroad)
	e.Employer = clean(e.Employer)
	for _, m := range []*Money{e.MigrationCost, e.DebtOutstanding, e.Remittances} {
		if m != nil {
			m.Currency = strings.ToUpper(strings.TrimSpace(m.Currency))
		}
	}
	if r := e.Return; r != nil {
		if poe := PointOfEntryByCode(r.PointOfEntry); poe != nil {
			r.PointOfEntry = poe.Code
		}
		r.Reason = strings.TrimSpace(r.Reason)
		for i, c := range r.Reasons {
			r.Reasons[i] = strings.ToLower(strings.TrimSpace(c))
		}
	}
}

// Validate checks the episode on its own (see ValidateEpisodes for checks
// against the person's date of birth and other episodes).
func (e *MigrationEpisode) Validate(now time.Time) error {
	var v homeward.Validation
	e.validate(&v, "", now)
	return v.Err()
}

func join(prefix, field string) string {
	if prefix == "" {
		return field
	}
	return prefix + "." + field
}

func (e *MigrationEpisode) validate(v *homeward.Validation, p string, now time.Time) {
	if e.DestinationCountry == "" {
		required(v, join(p, "destination_country"))
	} else if c := reference.CountryByCode(e.DestinationCountry); c == nil || c.Alpha2 != e.DestinationCountry {
		v.AddArgs(join(p, "destination_country"), "error.field.invalid_country", map[string]any{"value": e.DestinationCountry}, "“%s” is not a known ISO 3166 country code.", e.DestinationCountry)
	}
	if e.OccupationAbroad != "" && reference.OccupationByCode(e.OccupationAbroad) == nil {
		v.AddArgs(join(p, "occupation_abroad"), "error.field.invalid_isco", map[string]any{"value": e.OccupationAbroad}, "“%s” is not a known ISCO-08 occupation code.", e.OccupationAbroad)
	}
	if e.Sector != "" && !validChoice(e.Sector, Sectors) {
		choiceErr(v, join(p, "sector"), string(e.Sector))
	}
	checkText(v, join(p, "employer"), e.Employer, maxShort)
	if e.VisaType != "" && !validChoice(e.VisaType, VisaTypes) {
		choiceErr(v, join(p, "visa_type"), string(e.VisaType))
	}
	if e.RecruitmentChannel != "" && !validChoice(e.RecruitmentChannel, RecruitmentChannels) {
		choiceErr(v, join(p, "recruitment_channel"), string(e.RecruitmentChannel))
	}
	e.MigrationCost.validate(v, join(p, "migration_cost"))
	e.DebtOutstanding.validate(v, join(p, "debt_outstanding"))
	e.Remittances.validate(v, join(p, "remittances"))

	dep, end := e.DepartureDate, e.EndDate
	checkPastDate(v, join(p, "departure_date"), dep, now, "registry.episode.departure_future", "The departure date is in the future.")
	checkPastDate(v, join(p, "end_date"), end, now, "registry.episode.end_future", "The end date is in the future.")
	if end.Before(dep) {
		v.Add(join(p, "end_date"), "registry.episode.end_before_departure", "The end date is before the departure date.")
	}
	if r := e.Return; r != nil {
		rp := join(p, "return")
		if r.Date.IsZero() {
			required(v, rp+".date")
		}
		checkPastDate(v, rp+".date", r.Date, now, "registry.return.date_future", "The return date is in the future.")
		switch {
		case r.Date.Before(dep):
			v.Add(rp+".date", "registry.return.before_departure", "The return date is before the departure date.")
		case r.Date.Before(end):
			v.Add(rp+".date", "registry.return.before_end", "The return date is before the end of the work abroad.")
		}
		if poe := PointOfEntryByCode(r.PointOfEntry); r.PointOfEntry != "" && (poe == nil || poe.Code != r.PointOfEntry) {
			v.AddArgs(rp+".point_of_entry", "registry.return.point_of_entry", map[string]any{"value": r.PointOfEntry}, "“%s” is not a known airport or land port.", r.PointOfEntry)
		}
		// The return type may be unknown (old spreadsheets); the reception desk requires it.
		if r.ReturnType != "" && !validChoice(r.ReturnType, ReturnTypes) {
			choiceErr(v, rp+".return_type", string(r.ReturnType))
		}
		checkText(v, rp+".reason", r.Reason, maxText)
		for i, code := range r.Reasons {
			if !slices.Contains(ReturnReasons(), code) || slices.Contains(r.Reasons[:i], code) {
				v.AddArgs(idx(rp+".reasons", i), "registry.return.reason_code", map[string]any{"value": code},
					"“%s” is not a reason for return, or is given twice: choose from the list.", code)
			}
		}
		for i, d := range r.DocumentsOnArrival {
			if !validChoice(d, ArrivalDocuments) {
				choiceErr(v, idx(rp+".documents_on_arrival", i), string(d))
			}
		}
		for i, s := range r.ReceptionServices {
			if !validChoice(s, ReceptionServices) {
				choiceErr(v, idx(rp+".reception_services", i), string(s))
			}
		}
	}
}

// checkPastDate rejects an impossible calendar date or one after today, the
// calendar day of now in now's location (the instance's time zone: at 01:00
// in Dhaka it is already tomorrow in UTC's terms, and today is accepted).
func checkPastDate(v *homeward.Validation, field string, d Date, now time.Time, key, msg string) {
	switch {
	case d.IsZero():
	case !d.Valid():
		v.Add(field, "registry.date.invalid_parts", "This is not a real calendar date.")
	case d.AfterTime(now):
		v.Add(field, key, "%s", msg)
	case d.Year < 1900:
		v.Add(field, "registry.date.too_early", "This date is too long ago.")
	}
}

func (m *Money) validate(v *homeward.Validation, field string) {
	if m == nil {
		return
	}
	if m.Amount < 0 {
		v.Add(field+".amount", "registry.money.negative", "The amount cannot be negative.")
	}
	if m.Currency == "" {
		required(v, field+".currency")
	} else if !ValidCurrency(m.Currency) {
		v.AddArgs(field+".currency", "registry.money.currency", map[string]any{"value": m.Currency}, "“%s” is not an ISO 4217 currency code (such as BDT, SAR, USD).", m.Currency)
	}
}

// ValidateEpisodes checks a person's episodes against each other and against
// the date of birth: no departure before birth, and no episode that starts
// before the previous one has returned. Fields are "episodes[i]…" paths. It
// also validates each episode, so callers need not call Validate as well.
func ValidateEpisodes(p *Person, eps []MigrationEpisode, now time.Time) error {
	var v homeward.Validation
	validateEpisodes(&v, p, eps, now)
	return v.Err()
}

func validateEpisodes(v *homeward.Validation, p *Person, eps []MigrationEpisode, now time.Time) {
	dob := p.DateOfBirth
	if dob.AfterTime(now) {
		dob = Date{} // already reported as born in the future; comparing with it only adds noise
	}
	for i := range eps {
		e := &eps[i]
		ep := idx("episodes", i)
		e.validate(v, ep, now)
		if e.DepartureDate.Before(dob) {
			v.Add(ep+".departure_date", "registry.episode.departure_before_birth", "The departure date is before the date of birth.")
		}
		if r := e.Return; r != nil && r.Date.Before(dob) {
			v.Add(ep+".return.date", "registry.return.before_birth", "The return date is before the date of birth.")
		}
		for j := range i {
			if overlap(&eps[j], e) {
				v.AddArgs(ep+".departure_date", "registry.episode.overlap", map[string]any{"index": j + 1}, "This episode overlaps migration episode %d.", j+1)
				break
			}
		}
	}
}

// overlap reports whether two episodes certainly overlap: one departs before
// the other's return and returns after its departure. Unknown dates never overlap.
func overlap(a, b *MigrationEpisode) bool {
	if a.Return == nil || b.Return == nil || a.DepartureDate.IsZero() || b.DepartureDate.IsZero() {
		return false
	}
	return a.DepartureDate.Before(b.Return.Date) && b.DepartureDate.Before(a.Return.Date)
}

// LatestReturn returns the episode with the latest return date, or nil.
func LatestReturn(eps []MigrationEpisode) *MigrationEpisode {
	var best *MigrationEpisode
	for i := range eps {
		e := &eps[i]
		if e.Return == nil || e.Return.Date.IsZero() {
			continue
		}
		if best == nil || best.Return.Date.Earliest().Before(e.Return.Date.Earliest()) {
			best = e
		}
	}
	return best
}

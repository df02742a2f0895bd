package registry

import (
	"strings"
	"time"

	"homeward"
)

// ReceptionService is a service given at the airport or land-port desk.
type ReceptionService string

// The reception services.
const (
	ServiceInformation      ReceptionService = "information"
	ServiceTransport        ReceptionService = "transport"
	ServiceEmergencyCash    ReceptionService = "emergency_cash"
	ServiceMedicalReferral  ReceptionService = "medical_referral"
	ServiceTemporaryShelter ReceptionService = "temporary_shelter"
)

// ReceptionServices lists every ReceptionService.
var ReceptionServices = []ReceptionService{ServiceInformation, ServiceTransport, ServiceEmergencyCash, ServiceMedicalReferral, ServiceTemporaryShelter}

// Reception is the quick arrival registration made at an airport or land-port
// desk, on a phone-sized screen: few fields, most optional. Draft turns it
// into a Person, a MigrationEpisode and a Case marked incomplete, which a
// district case worker completes later.
type Reception struct {
	GivenName          string             `json:"given_name,omitempty"`
	FamilyName         string             `json:"family_name,omitempty"`
	FullNameNative     string             `json:"full_name_native,omitempty"`
	Sex                Sex                `json:"sex"`
	DateOfBirth        Date               `json:"date_of_birth,omitzero"`
	ApproxAge          *int               `json:"approx_age,omitempty"` // when the date of birth is not known
	Phone              string             `json:"phone,omitempty"`      // any local or international form
	DestinationCountry string             `json:"destination_country"`  // the country returned from
	ReturnDate         Date               `json:"return_date,omitzero"` // defaults to the day of reception
	PointOfEntry       string             `json:"point_of_entry,omitempty"`
	ReturnType         ReturnType         `json:"return_type"`
	Services           []ReceptionService `json:"services,omitempty"`
	Notes              string             `json:"notes,omitempty"`
}

// Draft validates the reception and converts it: the person (phone in E.164,
// age turned into a year of birth), one episode with its return, and a case
// in status registered, priority normal (high after a crisis evacuation or
// deportation, which often leave people without means), marked Incomplete.
// defaultCountry is the ISO alpha-2 code for local phone numbers; now is the
// time of reception. Field paths in errors are the Reception's JSON names.
func (r *Reception) Draft(defaultCountry string, now time.Time) (Person, MigrationEpisode, Case, error) {
	var v homeward.Validation
	p := Person{GivenName: r.GivenName, FamilyName: r.FamilyName, FullNameNative: r.FullNameNative, Sex: r.Sex, DateOfBirth: r.DateOfBirth}
	if r.Sex == "" {
		required(&v, "sex")
	}
	if r.ReturnType == "" {
		required(&v, "return_type")
	}
	switch {
	case r.ApproxAge != nil && !r.DateOfBirth.IsZero():
		v.Add("approx_age", "registry.reception.age_and_dob", "Give either the date of birth or the approximate age, not both.")
	case r.ApproxAge != nil && (*r.ApproxAge < 0 || *r.ApproxAge > MaxAge):
		v.AddArgs("approx_age", "registry.age.range", map[string]any{"max": MaxAge}, "The age must be between 0 and %d.", MaxAge)
	case r.ApproxAge != nil:
		p.DateOfBirth = DateFromAge(*r.ApproxAge, now)
	}
	if r.Phone != "" {
		e164, err := ParsePhone(r.Phone, defaultCountry)
		if err != nil {
			_ = v.Merge("phone", err)
		} else {
			p.Phones = []string{e164}
		}
	}
	p.Normalize(defaultCountry)
	var pv homeward.Validation
	p.validate(&pv, now)
	for _, f := range pv.Fields() {
		v.AddArgs(f.Field, f.Key, f.Args, "%s", f.Message) // the person's paths equal the reception's
	}

	ret := &Return{Date: r.ReturnDate, PointOfEntry: r.PointOfEntry, ReturnType: r.ReturnType, ReceptionServices: r.Services}
	if ret.Date.IsZero() {
		ret.Date = DateOf(now)
	}
	e := MigrationEpisode{DestinationCountry: r.DestinationCountry, Return: ret}
	e.Normalize()
	var ev homeward.Validation
	e.validate(&ev, "", now)
	home := strings.ToUpper(strings.TrimSpace(defaultCountry))
	CheckPortCountry(&ev, "return.point_of_entry", ret.PointOfEntry, home)
	CheckReturnTypeCountry(&ev, "return.return_type", ret.ReturnType, home)
	rename := map[string]string{"return.date": "return_date", "return.point_of_entry": "point_of_entry", "return.return_type": "return_type"}
	for _, f := range ev.Fields() {
		if n, ok := rename[f.Field]; ok {
			f.Field = n
		} else if len(f.Field) > len("return.reception_services") && f.Field[:len("return.reception_services")] == "return.reception_services" {
			f.Field = "services" + f.Field[len("return.reception_services"):]
		}
		v.AddArgs(f.Field, f.Key, f.Args, "%s", f.Message)
	}
	if ret.Date.Before(p.DateOfBirth) {
		v.Add("return_date", "registry.return.before_birth", "The return date is before the date of birth.")
	}
	checkText(&v, "notes", r.Notes, maxText)
	if err := v.Err(); err != nil {
		return Person{}, MigrationEpisode{}, Case{}, err
	}
	c := Case{Status: StatusRegistered, Priority: PriorityNormal, Incomplete: true, OpenedAt: now}
	if r.ReturnType == ReturnCrisisEvacuation || r.ReturnType == ReturnDeported {
		c.Priority = PriorityHigh
	}
	if p.DateOfBirth.Precision > PrecisionNone {
		if age, _ := p.DateOfBirth.AgeAt(now); age >= 60 {
			c.Vulnerabilities = append(c.Vulnerabilities, VulnElderly)
		}
	}
	return p, e, c, nil
}

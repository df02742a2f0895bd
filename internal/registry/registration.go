package registry

import (
	"strings"
	"time"

	"homeward"
	"homeward/internal/country"
	"homeward/internal/reference"
)

// Registration is what a case worker submits to register a returnee: the
// person, their migration episodes (at least one, with its return) and the
// consents given. The API decodes it, calls Normalize and Validate, and
// stores it with a new Case in one transaction.
type Registration struct {
	Person   Person             `json:"person"`
	Episodes []MigrationEpisode `json:"episodes"`
	Consents []Consent          `json:"consents,omitempty"`

	// country is the registering organisation's country, set by
	// Normalize: the address must be one of its areas.
	country string
}

// Normalize tidies every part (see Person.Normalize, MigrationEpisode.Normalize).
func (r *Registration) Normalize(defaultCountry string) {
	r.country = strings.ToUpper(strings.TrimSpace(defaultCountry))
	r.Person.Normalize(defaultCountry)
	for i := range r.Episodes {
		r.Episodes[i].Normalize()
	}
}

// Validate checks the whole registration and reports every problem with paths
// such as "person.phones[0]", "episodes[0].return.date" or
// "consents[1].method". A returnee has at least one episode that ended in a
// return.
func (r *Registration) Validate(now time.Time) error {
	var v homeward.Validation
	var pv homeward.Validation
	r.Person.validate(&pv, now)
	CheckAreaCountry(&pv, "address.admin_area", r.Person.Address.AdminArea, r.country)
	_ = v.Merge("person", pv.Err())
	validateEpisodes(&v, &r.Person, r.Episodes, now)
	for i, e := range r.Episodes {
		if e.Return != nil {
			CheckPortCountry(&v, idx("episodes", i)+".return.point_of_entry", e.Return.PointOfEntry, r.country)
			CheckReturnTypeCountry(&v, idx("episodes", i)+".return.return_type", e.Return.ReturnType, r.country)
			CheckReturnReasonsCountry(&v, idx("episodes", i)+".return.reasons", e.Return.Reasons, r.country)
		}
	}
	if LatestReturn(r.Episodes) == nil {
		v.Add("episodes", "registry.registration.return_required", "Record at least one migration episode with its return date.")
	}
	for i := range r.Consents {
		_ = v.Merge(idx("consents", i), r.Consents[i].Validate(now))
	}
	return v.Err()
}

// CheckAreaCountry refuses an administrative area (p-code) of another
// country than the one the registering organisation serves: one instance
// serves one country. Unknown areas and countries without a pack are left
// to the other checks.
func CheckAreaCountry(v *homeward.Validation, field, pcode, home string) {
	area := reference.Area(pcode)
	if area == nil || home == "" || country.Lookup(home) == nil || area.Country == home {
		return
	}
	v.AddArgs(field, "country.area.other_country", map[string]any{"value": area.Code, "area_country": area.Country, "country": home},
		"“%s” is an area of %s; this instance serves %s: choose an area there.", area.Code, area.Country, home)
}

// CheckPortCountry refuses a point of entry (an airport or land crossing)
// of another country than the one the registering organisation serves, as
// CheckAreaCountry does for areas. Unknown codes are left to the episode's
// own check.
func CheckPortCountry(v *homeward.Validation, field, code, home string) {
	poe := PointOfEntryByCode(code)
	if poe == nil || home == "" || country.Lookup(home) == nil || poe.Country == home {
		return
	}
	v.AddArgs(field, "country.port.other_country", map[string]any{"value": poe.Code, "port_country": poe.Country, "country": home},
		"“%s” is a point of entry of another country (%s); this instance serves %s: choose one there.", poe.Code, poe.Country, home)
}

package registry

import (
	"time"

	"homeward"
)

// Registration is what a case worker submits to register a returnee: the
// person, their migration episodes (at least one, with its return) and the
// consents given. The API decodes it, calls Normalize and Validate, and
// stores it with a new Case in one transaction.
type Registration struct {
	Person   Person             `json:"person"`
	Episodes []MigrationEpisode `json:"episodes"`
	Consents []Consent          `json:"consents,omitempty"`
}

// Normalize tidies every part (see Person.Normalize, MigrationEpisode.Normalize).
func (r *Registration) Normalize(defaultCountry string) {
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
	_ = v.Merge("person", pv.Err())
	validateEpisodes(&v, &r.Person, r.Episodes, now)
	if LatestReturn(r.Episodes) == nil {
		v.Add("episodes", "registry.registration.return_required", "Record at least one migration episode with its return date.")
	}
	for i := range r.Consents {
		_ = v.Merge(idx("consents", i), r.Consents[i].Validate(now))
	}
	return v.Err()
}

// Package dedupe puts the duplicate matcher (internal/match) into the
// registry's day-to-day work: the check a registration form asks before
// saving, a per-organisation index that follows the registry, the review
// queue of candidate pairs a supervisor confirms or rejects, and the merge
// plan that joins two records of one person (and can be undone).
//
// Storage (package sqldb) implements Store; this package holds the rules
// and the in-memory indexes, and knows nothing of SQL or HTTP.
package dedupe

import (
	"homeward/internal/match"
	"homeward/internal/registry"
)

// FromPerson converts a registered person into what the matcher compares.
// Every alias and the native-script name go along; phones are in E.164 and
// document numbers normalised already, which the matcher tolerates.
func FromPerson(p *registry.Person) match.Record {
	r := match.Record{
		ID:             p.ID,
		ExternalID:     p.ExternalID,
		GivenName:      p.GivenName,
		FamilyName:     p.FamilyName,
		FullNameNative: p.FullNameNative,
		Aliases:        p.Aliases,
		DOB:            p.DateOfBirth.String(),
		FatherName:     p.FatherName,
		MotherName:     p.MotherName,
		Phones:         p.Phones,
		NationalID:     p.NationalID(),
		Passport:       p.PassportNumber(),
		AdminArea:      p.Address.AdminArea,
		Address:        p.Address.Text,
		Postcode:       p.Address.Postcode,
	}
	switch p.Sex {
	case registry.SexMale:
		r.Sex = "m"
	case registry.SexFemale:
		r.Sex = "f"
	}
	return r
}

package referral

import (
	"slices"
	"time"

	"homeward/internal/reference"
	"homeward/internal/registry"
)

// Shared is what a referral shows the receiving organisation: the fields
// its service type needs, copied from the case when the referral is sent.
// Fields not shared are absent. The receiving organisation reads this copy
// and never the case itself.
type Shared struct {
	CaseNumber         string                   `json:"case_number"`
	Fields             []Field                  `json:"fields"`
	GivenName          string                   `json:"given_name,omitempty"`
	FamilyName         string                   `json:"family_name,omitempty"`
	NativeName         string                   `json:"full_name_native,omitempty"`
	Sex                registry.Sex             `json:"sex,omitempty"`
	Age                *int                     `json:"age,omitempty"`
	DateOfBirth        string                   `json:"date_of_birth,omitempty"`
	Phone              string                   `json:"phone,omitempty"`
	District           string                   `json:"district,omitempty"`
	AdminArea          string                   `json:"admin_area,omitempty"`
	AddressText        string                   `json:"address_text,omitempty"`
	Languages          []string                 `json:"languages,omitempty"`
	Education          registry.Education       `json:"education,omitempty"`
	OccupationAbroad   string                   `json:"occupation_abroad,omitempty"` // ISCO-08
	SectorAbroad       registry.Sector          `json:"sector_abroad,omitempty"`
	DestinationCountry string                   `json:"destination_country,omitempty"`
	ReturnDate         string                   `json:"return_date,omitempty"`
	ReturnType         registry.ReturnType      `json:"return_type,omitempty"`
	Vulnerabilities    []registry.Vulnerability `json:"vulnerabilities,omitempty"`
	Disability         *bool                    `json:"disability,omitempty"`
	HouseholdSize      *int                     `json:"household_size,omitempty"`
	Dependants         *int                     `json:"dependants,omitempty"`
	NationalID         string                   `json:"national_id,omitempty"`
}

// Share copies the fields named by fields from the record (person, latest
// return, case) as of now. It is the only way case data reaches another
// organisation through a referral.
func Share(rec *registry.Record, fields []Field, now time.Time) Shared {
	p := &rec.Person
	s := Shared{Fields: slices.Clone(fields)}
	if rec.Case != nil {
		s.CaseNumber = rec.Case.Number
	}
	latest := registry.LatestReturn(rec.Episodes)
	for _, f := range fields {
		switch f {
		case FieldName:
			s.GivenName, s.FamilyName, s.NativeName = p.GivenName, p.FamilyName, p.FullNameNative
		case FieldSex:
			s.Sex = p.Sex
		case FieldAge:
			if age, ok := p.DateOfBirth.AgeAt(now); ok {
				s.Age = &age
			}
		case FieldDateOfBirth:
			if !p.DateOfBirth.IsZero() {
				s.DateOfBirth = p.DateOfBirth.String()
			}
		case FieldPhone:
			if len(p.Phones) > 0 {
				s.Phone = p.Phones[0]
			}
		case FieldDistrict:
			s.District = DistrictOf(p.Address.AdminArea)
		case FieldAddress:
			s.AdminArea, s.AddressText = p.Address.AdminArea, p.Address.Text
		case FieldLanguages:
			s.Languages = slices.Clone(p.Languages)
		case FieldEducation:
			s.Education = p.Education
		case FieldOccupationAbroad:
			if latest != nil {
				s.OccupationAbroad, s.SectorAbroad = latest.OccupationAbroad, latest.Sector
			}
		case FieldDestinationCountry:
			if latest != nil {
				s.DestinationCountry = latest.DestinationCountry
			}
		case FieldReturn:
			if latest != nil && latest.Return != nil {
				if !latest.Return.Date.IsZero() {
					s.ReturnDate = latest.Return.Date.String()
				}
				s.ReturnType = latest.Return.ReturnType
			}
		case FieldVulnerabilities:
			if rec.Case != nil {
				s.Vulnerabilities = slices.Clone(rec.Case.Vulnerabilities)
			}
		case FieldDisability:
			if p.Disability != nil && p.Disability.Complete() {
				d := p.Disability.HasDisability()
				s.Disability = &d
			}
		case FieldHousehold:
			n, dep := 1+len(p.Household), 0
			for _, m := range p.Household {
				if m.Dependant {
					dep++
				}
			}
			s.HouseholdSize, s.Dependants = &n, &dep
		case FieldNationalID:
			for _, d := range p.Documents {
				if d.Type == registry.DocNationalID {
					s.NationalID = d.Number
					break
				}
			}
		}
	}
	return s
}

// Facts are what eligibility rules look at, taken from the record whether
// or not they are shared.
type Facts struct {
	Sex             registry.Sex
	Age             *int
	District        string
	Vulnerabilities []registry.Vulnerability
}

// FactsOf returns the eligibility facts of a record at now.
func FactsOf(rec *registry.Record, now time.Time) Facts {
	f := Facts{Sex: rec.Person.Sex, District: DistrictOf(rec.Person.Address.AdminArea)}
	if age, ok := rec.Person.DateOfBirth.AgeAt(now); ok {
		f.Age = &age
	}
	if rec.Case != nil {
		f.Vulnerabilities = rec.Case.Vulnerabilities
	}
	return f
}

// DistrictOf returns the district p-code at or above area, or "".
func DistrictOf(area string) string {
	for _, a := range reference.AreaPath(area) {
		if a.Level == "district" {
			return a.Code
		}
	}
	return ""
}

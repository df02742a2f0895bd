package homeward

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// OrgType is the kind of organisation.
type OrgType string

// Organisation types.
const (
	OrgMinistry        OrgType = "ministry"
	OrgWelfareBoard    OrgType = "welfare_board"
	OrgInternational   OrgType = "international"
	OrgNGO             OrgType = "ngo"
	OrgServiceProvider OrgType = "service_provider"
	OrgEmployer        OrgType = "employer"
	OrgPartnerAbroad   OrgType = "partner_abroad"
)

// OrgTypes lists every organisation type in display order.
var OrgTypes = []OrgType{OrgMinistry, OrgWelfareBoard, OrgInternational, OrgNGO, OrgServiceProvider, OrgEmployer, OrgPartnerAbroad}

// Valid reports whether t is a known organisation type.
func (t OrgType) Valid() bool {
	for _, v := range OrgTypes {
		if v == t {
			return true
		}
	}
	return false
}

// Organisation is a tenant: every user acts for one, and every case belongs to
// one. The operator organisation runs the instance and its administrators
// manage the other organisations.
type Organisation struct {
	ID        string   `json:"id"`
	Name      string   `json:"name"`
	ShortName string   `json:"short_name,omitempty"`
	Type      OrgType  `json:"type"`
	Country   string   `json:"country"`
	Areas     []string `json:"areas"` // p-codes where it works
	// TimeZone is the IANA zone ("Asia/Dhaka") whose calendar says which day
	// "today" is for the organisation's users; "" is the instance's zone.
	TimeZone  string    `json:"time_zone,omitempty"`
	Operator  bool      `json:"operator"`
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// ReferenceChecker answers whether codes exist. The reference package
// implements it; the domain takes it as a parameter to stay free of data.
type ReferenceChecker interface {
	CountryExists(alpha2 string) bool
	// AreaCountry returns the ISO alpha-2 country of a p-code, or "" if unknown.
	AreaCountry(pcode string) string
}

// Normalize trims and canonicalises the organisation's fields.
func (o *Organisation) Normalize() {
	o.Name = strings.TrimSpace(o.Name)
	o.ShortName = strings.TrimSpace(o.ShortName)
	o.Country = strings.ToUpper(strings.TrimSpace(o.Country))
	o.TimeZone = strings.TrimSpace(o.TimeZone)
	areas := o.Areas[:0]
	seen := map[string]bool{}
	for _, a := range o.Areas {
		a = strings.ToUpper(strings.TrimSpace(a))
		if a != "" && !seen[a] {
			seen[a] = true
			areas = append(areas, a)
		}
	}
	o.Areas = areas
}

// Validate checks the organisation and reports every problem at once.
func (o *Organisation) Validate(ref ReferenceChecker) error {
	var v Validation
	switch n := utf8.RuneCountInString(o.Name); {
	case n == 0:
		v.Add("name", "error.field.required", "This field is required.")
	case n > 200:
		v.AddArgs("name", "error.field.too_long", map[string]any{"max": 200}, "This is too long (at most %d characters).", 200)
	}
	if utf8.RuneCountInString(o.ShortName) > 40 {
		v.AddArgs("short_name", "error.field.too_long", map[string]any{"max": 40}, "This is too long (at most %d characters).", 40)
	}
	if o.Type == "" {
		v.Add("type", "error.field.required", "This field is required.")
	} else if !o.Type.Valid() {
		v.AddArgs("type", "error.field.invalid_choice", map[string]any{"value": o.Type}, "%q is not one of the allowed values.", o.Type)
	}
	if o.Country == "" {
		v.Add("country", "error.field.required", "This field is required.")
	} else if !ref.CountryExists(o.Country) {
		v.AddArgs("country", "error.field.invalid_country", map[string]any{"value": o.Country}, "%q is not a known ISO 3166 country code.", o.Country)
	}
	if o.TimeZone != "" {
		if _, err := time.LoadLocation(o.TimeZone); err != nil || len(o.TimeZone) > 64 || o.TimeZone == "Local" {
			v.AddArgs("time_zone", "error.field.invalid_time_zone", map[string]any{"value": o.TimeZone}, "%q is not a known time zone (such as Asia/Dhaka).", o.TimeZone)
		}
	}
	for i, a := range o.Areas {
		field := "areas[" + strconv.Itoa(i) + "]"
		switch c := ref.AreaCountry(a); {
		case c == "":
			v.AddArgs(field, "error.field.invalid_pcode", map[string]any{"value": a}, "%q is not a known administrative area (p-code).", a)
		case o.Type != OrgPartnerAbroad && o.Country != "" && c != o.Country:
			v.AddArgs(field, "error.field.pcode_wrong_country", map[string]any{"value": a, "country": o.Country}, "Administrative area %s is not in %s.", a, o.Country)
		}
	}
	return v.Err()
}

// OrganisationFilter narrows FindOrganisations. Nil fields do not filter.
type OrganisationFilter struct {
	ID    *string
	Type  *OrgType
	Area  *string // works in this p-code or one of its ancestors
	Query *string // name contains
	After string  // cursor: the last ID of the previous page
	Limit int
}

// OrganisationUpdate holds the fields an update may change; nil leaves a
// field as it is.
type OrganisationUpdate struct {
	Name      *string   `json:"name"`
	ShortName *string   `json:"short_name"`
	Type      *OrgType  `json:"type"`
	Country   *string   `json:"country"`
	Areas     *[]string `json:"areas"`
	TimeZone  *string   `json:"time_zone"`
}

// OrganisationService manages organisations. Implementations enforce the
// policy for the actor in ctx.
type OrganisationService interface {
	FindOrganisationByID(ctx context.Context, id string) (*Organisation, error)
	FindOrganisations(ctx context.Context, f OrganisationFilter) ([]*Organisation, string, error)
	CreateOrganisation(ctx context.Context, o *Organisation) error
	UpdateOrganisation(ctx context.Context, id string, version int, upd OrganisationUpdate) (*Organisation, error)
}

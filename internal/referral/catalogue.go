// Package referral is the domain of reintegration plans, the service
// catalogue, the provider directory, referrals between organisations and
// the records of services delivered: the types, their validation and the
// rules that need no database (the referral state machine, the minimum
// fields shared with each service type, eligibility and capacity, four-eyes
// approval of grants, who may read counselling notes, webhook signing and
// retry back-off). Storage (internal/sqldb) and the adapters (internal/api,
// internal/web) use these types as they are; JSON tags are snake_case.
//
// Messages are keys of the referral catalog
// (internal/i18n/locales/*/referral.json).
package referral

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/country"
)

// Kind says which delivery record a service type keeps.
type Kind string

// The delivery kinds.
const (
	KindGeneric     Kind = "generic"     // completion only
	KindTraining    Kind = "training"    // course, enrolment, attendance, certificate
	KindGrant       Kind = "grant"       // amount, tranches, four-eyes approval, visits
	KindCounselling Kind = "counselling" // sessions with private notes
	KindPlacement   Kind = "placement"   // employer, position, wage, follow-ups
)

// Kinds lists every Kind.
var Kinds = []Kind{KindGeneric, KindTraining, KindGrant, KindCounselling, KindPlacement}

// Field is one piece of a case that a referral may share with the receiving
// organisation. Only these exist; a service type names the minimum set it
// needs and nothing else of the case leaves the owning organisation.
type Field string

// The shareable fields.
const (
	FieldName               Field = "name"                // given and family name, native-script name
	FieldSex                Field = "sex"                 // recorded sex
	FieldAge                Field = "age"                 // age in years today (not the date of birth)
	FieldDateOfBirth        Field = "date_of_birth"       // as recorded, with its precision
	FieldPhone              Field = "phone"               // first phone number
	FieldDistrict           Field = "district"            // district p-code of the address
	FieldAddress            Field = "address"             // administrative area and address text
	FieldLanguages          Field = "languages"           // spoken languages
	FieldEducation          Field = "education"           // highest level completed
	FieldOccupationAbroad   Field = "occupation_abroad"   // ISCO code and sector of the latest work abroad
	FieldDestinationCountry Field = "destination_country" // country of the latest work abroad
	FieldReturn             Field = "return"              // date and type of the latest return
	FieldVulnerabilities    Field = "vulnerabilities"     // the case's vulnerability flags
	FieldDisability         Field = "disability"          // whether a functional difficulty was reported
	FieldHousehold          Field = "household"           // household size and dependants
	FieldNationalID         Field = "national_id"         // national ID number (for payments, documents)
)

// Fields lists every shareable Field.
var Fields = []Field{FieldName, FieldSex, FieldAge, FieldDateOfBirth, FieldPhone, FieldDistrict, FieldAddress, FieldLanguages,
	FieldEducation, FieldOccupationAbroad, FieldDestinationCountry, FieldReturn, FieldVulnerabilities, FieldDisability,
	FieldHousehold, FieldNationalID}

// ServiceType is one node of the service catalogue tree. A referral names a
// service type; the type decides which delivery record is kept and which
// fields of the case are shared with the receiving organisation.
type ServiceType struct {
	Code   string `json:"code"`
	Parent string `json:"parent,omitempty"`
	Kind   Kind   `json:"kind"`
	// Shared is the minimum set of fields the receiving organisation needs.
	Shared []Field `json:"shared_fields"`
	// Names are labels by language for types added by administrators; the
	// standard set is labelled by the catalog key "referral.service.<code>".
	Names map[string]string `json:"names,omitempty"`
	// Provider names, by language, the national body that provides a
	// type of a country's catalogue ("Ministry of Labour and Social
	// Affairs"); empty for general types.
	Provider map[string]string `json:"provider,omitempty"`
	Active   bool              `json:"active"`
	// Standard marks the starting set shipped with Homeward.
	Standard bool `json:"standard,omitempty"`
}

// Standard returns the starting catalogue of the default country
// (Bangladesh): skills training, business start-up support (cash or
// in-kind grant, business development services), psychosocial counselling,
// recognition of prior learning, job placement, financial literacy and
// financial services, legal aid and documentation, medical care, housing,
// education for children, social protection linkage, family counselling
// and airport/arrival assistance. It is the Bangladesh pack's data.
func Standard() []ServiceType { return CountryServices(country.Lookup(country.Default)) }

// CountryServices returns the service catalogue of a country pack, each
// type marked Standard (shipped with Homeward, not added by an operator);
// a pack without one has the default country's.
func CountryServices(p *country.Pack) []ServiceType {
	if p == nil || len(p.Services) == 0 {
		p = country.Lookup(country.Default)
	}
	out := make([]ServiceType, 0, len(p.Services))
	for _, s := range p.Services {
		t := ServiceType{Code: s.Code, Parent: s.Parent, Kind: Kind(s.Kind), Names: s.Names, Provider: s.Provider, Active: true, Standard: true}
		for _, f := range s.Shared {
			t.Shared = append(t.Shared, Field(f))
		}
		out = append(out, t)
	}
	return out
}

// Catalogue is the service catalogue: a tree of service types.
type Catalogue struct {
	types map[string]ServiceType
	order []string
}

// NewCatalogue returns the catalogue of ts, checked with Validate.
func NewCatalogue(ts []ServiceType) (*Catalogue, error) {
	c := &Catalogue{types: map[string]ServiceType{}}
	for _, t := range ts {
		if _, dup := c.types[t.Code]; !dup {
			c.order = append(c.order, t.Code)
		}
		c.types[t.Code] = t
	}
	return c, c.Validate()
}

// StandardCatalogue returns the catalogue of the standard set.
func StandardCatalogue() *Catalogue {
	c, err := NewCatalogue(Standard())
	if err != nil {
		panic(err) // the standard set is checked by tests
	}
	return c
}

// Types returns every type in catalogue order.
func (c *Catalogue) Types() []ServiceType {
	out := make([]ServiceType, 0, len(c.order))
	for _, code := range c.order {
		out = append(out, c.types[code])
	}
	return out
}

// Type returns the type with code.
func (c *Catalogue) Type(code string) (ServiceType, bool) {
	t, ok := c.types[code]
	return t, ok
}

// Covers reports whether an offer of service type offered covers a referral
// for want: the same type or one of its descendants.
func (c *Catalogue) Covers(offered, want string) bool {
	for code, n := want, 0; code != "" && n <= len(c.types); n++ {
		if code == offered {
			return true
		}
		code = c.types[code].Parent
	}
	return false
}

// Validate checks every type: a code of lower-case letters, digits and
// underscores, a known parent, no cycles, a known kind and known, distinct
// shared fields.
func (c *Catalogue) Validate() error {
	var v homeward.Validation
	for i, code := range c.order {
		t := c.types[code]
		p := "types[" + itoa(i) + "]"
		t.validate(&v, p)
		if t.Parent != "" {
			if _, ok := c.types[t.Parent]; !ok {
				v.AddArgs(p+".parent", "referral.catalogue.parent_unknown", map[string]any{"value": t.Parent}, "There is no service type %q.", t.Parent)
			} else if c.cycle(code) {
				v.Add(p+".parent", "referral.catalogue.cycle", "A service type cannot be its own ancestor.")
			}
		}
	}
	return v.Err()
}

func (c *Catalogue) cycle(code string) bool {
	seen := map[string]bool{}
	for code != "" {
		if seen[code] {
			return true
		}
		seen[code] = true
		code = c.types[code].Parent
	}
	return false
}

// Validate checks one service type on its own.
func (t *ServiceType) Validate() error {
	var v homeward.Validation
	t.validate(&v, "")
	return v.Err()
}

func (t *ServiceType) validate(v *homeward.Validation, p string) {
	join := func(f string) string {
		if p == "" {
			return f
		}
		return p + "." + f
	}
	if !validCode(t.Code) {
		v.Add(join("code"), "referral.catalogue.code", "Use 2 to 40 lower-case letters, digits and underscores, starting with a letter.")
	}
	if t.Parent == t.Code && t.Code != "" {
		v.Add(join("parent"), "referral.catalogue.cycle", "A service type cannot be its own ancestor.")
	}
	if !slices.Contains(Kinds, t.Kind) {
		choice(v, join("kind"), string(t.Kind))
	}
	if len(t.Shared) == 0 {
		v.Add(join("shared_fields"), "referral.catalogue.no_fields", "Name at least one field to share (usually the name and a phone number).")
	}
	seen := map[Field]bool{}
	for i, f := range t.Shared {
		fp := join("shared_fields[" + itoa(i) + "]")
		switch {
		case !slices.Contains(Fields, f):
			choice(v, fp, string(f))
		case seen[f]:
			v.Add(fp, "referral.catalogue.field_twice", "This field is listed twice.")
		}
		seen[f] = true
	}
	for lang, n := range t.Names {
		if strings.TrimSpace(n) == "" || len([]rune(n)) > 100 {
			v.AddArgs(join("names."+lang), "error.field.too_long", map[string]any{"max": 100}, "This is too long (at most %d characters).", 100)
		}
	}
}

func validCode(s string) bool {
	if len(s) < 2 || len(s) > 40 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func choice(v *homeward.Validation, field, value string) {
	v.AddArgs(field, "error.field.invalid_choice", map[string]any{"value": value}, "%q is not one of the allowed values.", value)
}

func required(v *homeward.Validation, field string) {
	v.Add(field, "error.field.required", "This field is required.")
}

func itoa(i int) string { return strconv.Itoa(i) }

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

package referral

import (
	"strings"

	"homeward/internal/reference"
)

// HSDS is the provider directory in the Open Referral Human Services Data
// Specification (HSDS 3.0) object model: organisations, each with its
// services, and each service with its areas, schedules, contacts, phones and
// capacity. Labels are English; service types also carry their code as a
// taxonomy term.
type HSDS struct {
	Organizations []HSDSOrganization `json:"organizations"`
}

// HSDSOrganization is an HSDS organization with its services nested.
type HSDSOrganization struct {
	ID            string        `json:"id"`
	Name          string        `json:"name"`
	AlternateName string        `json:"alternate_name,omitempty"`
	Description   string        `json:"description"`
	Services      []HSDSService `json:"services"`
}

// HSDSService is an HSDS service.
type HSDSService struct {
	ID                     string            `json:"id"`
	OrganizationID         string            `json:"organization_id"`
	Name                   string            `json:"name"`
	Description            string            `json:"description,omitempty"`
	Status                 string            `json:"status"`
	Email                  string            `json:"email,omitempty"`
	EligibilityDescription string            `json:"eligibility_description,omitempty"`
	MinimumAge             *int              `json:"minimum_age,omitempty"`
	MaximumAge             *int              `json:"maximum_age,omitempty"`
	ServiceAreas           []HSDSServiceArea `json:"service_areas"`
	Schedules              []HSDSSchedule    `json:"schedules"`
	Phones                 []HSDSPhone       `json:"phones"`
	Contacts               []HSDSContact     `json:"contacts"`
	Capacities             []HSDSCapacity    `json:"capacities"`
	Attributes             []HSDSAttribute   `json:"attributes"`
}

// HSDSServiceArea is an area a service covers.
type HSDSServiceArea struct {
	ID          string `json:"id"`
	ServiceID   string `json:"service_id"`
	Name        string `json:"name"`
	Description string `json:"description"` // the p-code
	ExtentType  string `json:"extent_type"`
}

// HSDSSchedule is a weekly opening period.
type HSDSSchedule struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id"`
	Freq      string `json:"freq"`
	Byday     string `json:"byday"`
	OpensAt   string `json:"opens_at"`
	ClosesAt  string `json:"closes_at"`
}

// HSDSPhone is a telephone number.
type HSDSPhone struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id"`
	Number    string `json:"number"`
}

// HSDSContact is a named contact.
type HSDSContact struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id"`
	Name      string `json:"name,omitempty"`
	Email     string `json:"email,omitempty"`
}

// HSDSCapacity is the places a service offers per period (HSDS 3.1
// service_capacity).
type HSDSCapacity struct {
	ID        string `json:"id"`
	ServiceID string `json:"service_id"`
	Available int    `json:"available"`
	Maximum   int    `json:"maximum"`
	Unit      string `json:"unit"`
}

// HSDSAttribute links a service to a taxonomy term.
type HSDSAttribute struct {
	ID           string `json:"id"`
	LinkID       string `json:"link_id"`
	LinkType     string `json:"link_type"`
	TaxonomyTerm struct {
		ID       string `json:"id"`
		Code     string `json:"code"`
		Name     string `json:"name"`
		Taxonomy string `json:"taxonomy"`
	} `json:"taxonomy_term"`
}

// ExportHSDS converts offers (with their organisation names filled) to HSDS.
// name labels a service type code in English.
func ExportHSDS(offers []Offer, name func(code string) string) HSDS {
	out := HSDS{Organizations: []HSDSOrganization{}}
	idx := map[string]int{}
	for _, o := range offers {
		i, ok := idx[o.OrgID]
		if !ok {
			i = len(out.Organizations)
			idx[o.OrgID] = i
			out.Organizations = append(out.Organizations, HSDSOrganization{ID: o.OrgID, Name: o.OrgName, Description: o.OrgName, Services: []HSDSService{}})
		}
		s := HSDSService{ID: o.ID, OrganizationID: o.OrgID, Name: name(o.ServiceType), Description: o.Description, Status: "active",
			Email: o.Contact.Email, EligibilityDescription: o.Eligibility.Text, MinimumAge: o.Eligibility.MinAge, MaximumAge: o.Eligibility.MaxAge,
			ServiceAreas: []HSDSServiceArea{}, Schedules: []HSDSSchedule{}, Phones: []HSDSPhone{}, Contacts: []HSDSContact{},
			Capacities: []HSDSCapacity{}, Attributes: []HSDSAttribute{}}
		if !o.Active {
			s.Status = "inactive"
		}
		for _, a := range o.Areas {
			n := a
			if ar := reference.Area(a); ar != nil {
				n = ar.Name("en")
			}
			s.ServiceAreas = append(s.ServiceAreas, HSDSServiceArea{ID: o.ID + ":area:" + a, ServiceID: o.ID, Name: n, Description: a, ExtentType: "other"})
		}
		for i, h := range o.Hours {
			s.Schedules = append(s.Schedules, HSDSSchedule{ID: o.ID + ":schedule:" + itoa(i), ServiceID: o.ID, Freq: "WEEKLY",
				Byday: strings.ToUpper(strings.Join(h.Days, ",")), OpensAt: h.Opens, ClosesAt: h.Closes})
		}
		if o.Contact.Phone != "" {
			s.Phones = append(s.Phones, HSDSPhone{ID: o.ID + ":phone", ServiceID: o.ID, Number: o.Contact.Phone})
		}
		if o.Contact.Name != "" || o.Contact.Email != "" {
			s.Contacts = append(s.Contacts, HSDSContact{ID: o.ID + ":contact", ServiceID: o.ID, Name: o.Contact.Name, Email: o.Contact.Email})
		}
		if o.Capacity.Places > 0 {
			left := o.Capacity.Places
			if o.PlacesLeft != nil {
				left = *o.PlacesLeft
			}
			s.Capacities = append(s.Capacities, HSDSCapacity{ID: o.ID + ":capacity", ServiceID: o.ID, Available: left, Maximum: o.Capacity.Places,
				Unit: "places per " + string(o.Capacity.Period)})
		}
		var at HSDSAttribute
		at.ID, at.LinkID, at.LinkType = o.ID+":type", o.ID, "service"
		at.TaxonomyTerm.ID, at.TaxonomyTerm.Code, at.TaxonomyTerm.Name, at.TaxonomyTerm.Taxonomy = "homeward:"+o.ServiceType, o.ServiceType, name(o.ServiceType), "homeward-service-types"
		s.Attributes = append(s.Attributes, at)
		out.Organizations[i].Services = append(out.Organizations[i].Services, s)
	}
	return out
}

package web

import (
	"net/http"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/reference"
	"homeward/internal/referral"
)

// routesProviders registers the provider directory: search by service
// type and area, with capacity, contact and hours.
func (w *Web) routesProviders() {
	w.handle("GET /providers", w.providerList, true)
	w.routesOffers()
	w.routesCatalogue()
	w.routesHolidays()
}

// ---- the directory ----

type offerRow struct {
	ID, Org, Service, Description, Areas, Places, Capacity, Eligibility string
	Contact                                                             []string
	Hours                                                               []string
	Full, Inactive                                                      bool
}

type providerData struct {
	Type, Area, Query string
	Types             []option
	Rows              []offerRow
	// Manage is set for an administrator of a provider: Mine lists the
	// organisation's own offers, inactive ones too, to edit.
	Manage bool
	Mine   []offerRow
}

func hoursText(lng string, h referral.Hours) string {
	days := make([]string, 0, len(h.Days))
	for _, d := range referral.Weekdays {
		for _, x := range h.Days {
			if x == d {
				days = append(days, i18n.T(lng, "provider.ui.day."+d, nil))
			}
		}
	}
	return strings.Join(days, ", ") + " " + i18n.Digits(lng, h.Opens+"–"+h.Closes)
}

func (w *Web) providerList(rw http.ResponseWriter, r *http.Request) error {
	p := w.newPage(r, "provider.ui.title", nil)
	if !p.Can(string(homeward.ActProviderRead)) {
		return forbidden()
	}
	q := r.URL.Query()
	d := &providerData{Type: q.Get("service_type"), Area: strings.ToUpper(strings.TrimSpace(q.Get("area"))), Query: strings.TrimSpace(q.Get("q"))}
	names, types := w.serviceNames(r, p.Lang)
	for _, t := range types {
		if t.Active {
			d.Types = append(d.Types, option{t.Code, nameOr(names, t.Code)})
		}
	}
	p.Data = d
	if d.Area != "" && reference.Area(d.Area) == nil {
		p.Errors = map[string]string{"area": i18n.T(p.Lang, "error.field.invalid_pcode", map[string]any{"value": d.Area})}
		return w.render(rw, http.StatusBadRequest, "provider_list", p)
	}
	known := d.Type == ""
	for _, t := range types {
		known = known || t.Code == d.Type
	}
	if !known {
		p.Errors = map[string]string{"service_type": i18n.T(p.Lang, "error.field.invalid_choice", map[string]any{"value": d.Type})}
		return w.render(rw, http.StatusBadRequest, "provider_list", p)
	}
	offers, err := w.svc.Referral.FindOffers(r.Context(), referral.OfferFilter{ServiceType: d.Type, Area: d.Area, Query: d.Query})
	if err != nil {
		return err
	}
	if a := homeward.ActorFromContext(r.Context()); mayManageOffers(a) {
		d.Manage = true
		mine, err := w.svc.Referral.FindOffers(r.Context(), referral.OfferFilter{OrgID: a.OrgID, Inactive: true})
		if err != nil {
			return err
		}
		for _, o := range mine {
			d.Mine = append(d.Mine, offerRow{ID: o.ID, Service: nameOr(names, o.ServiceType), Description: o.Description, Inactive: !o.Active})
		}
	}
	for _, o := range offers {
		row := offerRow{ID: o.ID, Org: o.OrgName, Service: nameOr(names, o.ServiceType), Description: o.Description, Eligibility: o.Eligibility.Text}
		areas := make([]string, len(o.Areas))
		for i, a := range o.Areas {
			areas[i] = areaName(p.Lang, a)
		}
		row.Areas = strings.Join(areas, ", ")
		if o.PlacesLeft != nil {
			row.Places = i18n.T(p.Lang, "referral.ui.places_left", map[string]any{"n": i18n.Digits(p.Lang, strconv.Itoa(*o.PlacesLeft))})
			row.Capacity = i18n.T(p.Lang, "provider.ui.capacity", map[string]any{"n": i18n.Digits(p.Lang, strconv.Itoa(o.Capacity.Places)),
				"period": label(p.Lang, "provider.ui.period", string(o.Capacity.Period))})
			row.Full = *o.PlacesLeft == 0
		} else {
			row.Places = i18n.T(p.Lang, "provider.ui.no_limit", nil)
		}
		for _, c := range []string{o.Contact.Name, o.Contact.Phone, o.Contact.Email, o.Contact.Address} {
			if c != "" {
				row.Contact = append(row.Contact, c)
			}
		}
		for _, h := range o.Hours {
			row.Hours = append(row.Hours, hoursText(p.Lang, h))
		}
		d.Rows = append(d.Rows, row)
	}
	return w.render(rw, http.StatusOK, "provider_list", p)
}

package web

import (
	"net/http"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// Offer management: a provider organisation's administrator says which
// services it delivers, where, for whom, with how many places and when it
// is open. The directory (/providers) shows what they enter.

func (w *Web) routesOffers() {
	w.handle("GET /providers/offers/new", w.offerNew, true)
	w.handle("POST /providers/offers", w.offerCreate, true)
	w.handle("GET /providers/offers/{id}/edit", w.offerEdit, true)
	w.handle("POST /providers/offers/{id}", w.offerUpdate, true)
}

// offerHoursRows is how many opening-hours rows the form offers.
const offerHoursRows = 3

type hoursRow struct {
	Index         int
	Days          []string
	Opens, Closes string
}

type offerForm struct {
	New                      bool
	Offer                    *referral.Offer
	Types, Periods           []option
	Sexes, Vulns, Days       []option
	AreasText, DistrictsText string
	MinAge, MaxAge, Places   string
	HoursRows                []hoursRow
	SexSel, VulnSel          []string // the checked boxes
}

func (w *Web) offerFormPage(r *http.Request, o *referral.Offer, isNew bool) *page {
	title := "provider.offer.edit_title"
	if isNew {
		title = "provider.offer.new_title"
	}
	p := w.newPage(r, title, nil)
	f := &offerForm{New: isNew, Offer: o, AreasText: strings.Join(o.Areas, " "), DistrictsText: strings.Join(o.Eligibility.Districts, " ")}
	names, types := w.serviceNames(r, p.Lang)
	for _, t := range types {
		if t.Active || t.Code == o.ServiceType {
			f.Types = append(f.Types, option{t.Code, nameOr(names, t.Code)})
		}
	}
	f.Periods = options(p.Lang, "provider.ui.period", referral.Periods)
	f.Sexes = options(p.Lang, "registry.sex", []registry.Sex{registry.SexFemale, registry.SexMale, registry.SexOther})
	f.Vulns = options(p.Lang, "registry.vulnerability", registry.Vulnerabilities)
	f.Days = options(p.Lang, "provider.ui.day", referral.Weekdays)
	for _, x := range o.Eligibility.Sexes {
		f.SexSel = append(f.SexSel, string(x))
	}
	for _, x := range o.Eligibility.Vulnerabilities {
		f.VulnSel = append(f.VulnSel, string(x))
	}
	if o.Eligibility.MinAge != nil {
		f.MinAge = strconv.Itoa(*o.Eligibility.MinAge)
	}
	if o.Eligibility.MaxAge != nil {
		f.MaxAge = strconv.Itoa(*o.Eligibility.MaxAge)
	}
	if o.Capacity.Places > 0 {
		f.Places = strconv.Itoa(o.Capacity.Places)
	}
	for i := range max(offerHoursRows, len(o.Hours)) {
		row := hoursRow{Index: i}
		if i < len(o.Hours) {
			row.Days, row.Opens, row.Closes = o.Hours[i].Days, o.Hours[i].Opens, o.Hours[i].Closes
		}
		f.HoursRows = append(f.HoursRows, row)
	}
	p.Data = f
	return p
}

// offerFromForm reads the form. Numbers that do not parse are reported as
// field errors; the rest is left to the offer's own validation.
func offerFromForm(r *http.Request, o *referral.Offer) homeward.Validation {
	var v homeward.Validation
	_ = r.ParseForm()
	f := r.PostForm
	o.ServiceType = f.Get("service_type")
	o.Description = f.Get("description")
	o.Areas = strings.FieldsFunc(f.Get("areas"), splitList)
	o.Active = f.Get("active") == "true"
	o.Eligibility = referral.Eligibility{Text: f.Get("eligibility.text"), Districts: strings.FieldsFunc(f.Get("eligibility.districts"), splitList)}
	for _, s := range f["eligibility.sexes"] {
		o.Eligibility.Sexes = append(o.Eligibility.Sexes, registry.Sex(s))
	}
	for _, s := range f["eligibility.vulnerabilities"] {
		o.Eligibility.Vulnerabilities = append(o.Eligibility.Vulnerabilities, registry.Vulnerability(s))
	}
	fv := valuesFromPost(f)
	num := func(field string) *int { return formInt(&v, fv, field) }
	o.Eligibility.MinAge = num("eligibility.min_age")
	o.Eligibility.MaxAge = num("eligibility.max_age")
	o.Capacity = referral.Capacity{Period: referral.Period(f.Get("capacity.period"))}
	if n := num("capacity.places"); n != nil {
		o.Capacity.Places = *n
	}
	if o.Capacity.Places == 0 {
		o.Capacity.Period = ""
	}
	o.Contact = referral.Contact{Name: f.Get("contact.name"), Phone: f.Get("contact.phone"), Email: f.Get("contact.email"), Address: f.Get("contact.address")}
	o.Hours = nil
	for i := range offerHoursRows {
		k := strconv.Itoa(i)
		h := referral.Hours{Days: f["hours_days_"+k], Opens: strings.TrimSpace(f.Get("hours_opens_" + k)), Closes: strings.TrimSpace(f.Get("hours_closes_" + k))}
		if len(h.Days) == 0 && h.Opens == "" && h.Closes == "" {
			continue // an empty row
		}
		o.Hours = append(o.Hours, h)
	}
	return v
}

func splitList(r rune) bool {
	return r == ',' || r == ';' || r == ' ' || r == '\n' || r == '\r' || r == '\t'
}

// offerFailed shows the form again with the reasons.
func (w *Web) offerFailed(rw http.ResponseWriter, r *http.Request, o *referral.Offer, isNew bool, err error) error {
	switch homeward.ErrorCode(err) {
	case homeward.EFORBIDDEN, homeward.ENOTFOUND, homeward.EUNAUTHORIZED:
		return err // the error page, not a form for someone who may not fill it
	}
	p := w.offerFormPage(r, o, isNew)
	status, err := refusal(p, err, nil)
	if err != nil {
		return err
	}
	return w.render(rw, status, "offer_form", p)
}

func (w *Web) offerNew(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if !mayManageOffers(a) {
		return forbidden()
	}
	o := &referral.Offer{OrgID: a.OrgID, Active: true, Capacity: referral.Capacity{Period: referral.PeriodMonth}}
	return w.render(rw, http.StatusOK, "offer_form", w.offerFormPage(r, o, true))
}

func (w *Web) offerCreate(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	o := &referral.Offer{OrgID: a.OrgID}
	v := offerFromForm(r, o)
	if err := v.Err(); err != nil {
		return w.offerFailed(rw, r, o, true, err)
	}
	if err := w.svc.Referral.CreateOffer(r.Context(), o); err != nil {
		return w.offerFailed(rw, r, o, true, err)
	}
	http.Redirect(rw, r, "/providers?ok=provider.offer.created", http.StatusSeeOther)
	return nil
}

func (w *Web) offerEdit(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	o, err := w.svc.Referral.FindOffer(r.Context(), id)
	if err != nil {
		return err
	}
	a := homeward.ActorFromContext(r.Context())
	if !homeward.Can(a, homeward.ActProviderManage, homeward.Resource{Type: "offer", ID: o.ID, OrgID: o.OrgID}) {
		return forbidden()
	}
	return w.render(rw, http.StatusOK, "offer_form", w.offerFormPage(r, o, false))
}

func (w *Web) offerUpdate(rw http.ResponseWriter, r *http.Request) error {
	id, err := pathUUID(r)
	if err != nil {
		return err
	}
	version, _ := strconv.Atoi(r.PostFormValue("version"))
	o := &referral.Offer{ID: id, Version: version}
	v := offerFromForm(r, o)
	if err := v.Err(); err != nil {
		// The form is shown again only to someone who may edit the offer.
		old, ferr := w.svc.Referral.FindOffer(r.Context(), id)
		if ferr != nil {
			return ferr
		}
		if a := homeward.ActorFromContext(r.Context()); !homeward.Can(a, homeward.ActProviderManage, homeward.Resource{Type: "offer", ID: id, OrgID: old.OrgID}) {
			return forbidden()
		}
		o.OrgID = old.OrgID
		return w.offerFailed(rw, r, o, false, err)
	}
	if err := w.svc.Referral.UpdateOffer(r.Context(), id, version, o); err != nil {
		return w.offerFailed(rw, r, o, false, err)
	}
	http.Redirect(rw, r, "/providers?ok=provider.offer.saved", http.StatusSeeOther)
	return nil
}

// mayManageOffers reports whether the actor may add offers for its own
// organisation (the directory shows the buttons).
func mayManageOffers(a *homeward.Actor) bool {
	return homeward.Can(a, homeward.ActProviderManage, homeward.Resource{Type: "offer", OrgID: a.OrgID})
}

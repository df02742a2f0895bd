package web

import (
	"net/http"
	"net/url"
	"strings"

	"homeward"
	"homeward/internal/registry"
)

// receptionData is the arrival desk: a short form and the incomplete cases
// that district case workers still have to complete.
type receptionData struct {
	formKit
	Countries, Points, Sexes, ReturnTypes, Services []option
	Incomplete                                      []peopleRow
	LastCase                                        string
}

func (w *Web) receptionPage(r *http.Request, f formValues) (*page, error) {
	lng := lang(r)
	d := &receptionData{formKit: formKit{Lang: lng, F: f, Errs: map[string]string{}}}
	d.Countries, d.Points = countryOptions(lng), pointOptions(lng, w.country())
	d.Sexes, d.ReturnTypes = options(lng, "registry.sex", registry.Sexes), options(lng, "registry.return_type", registry.ReturnTypesFor(w.country()))
	d.Services = options(lng, "registry.service", registry.ReceptionServices)
	rows, _, _, err := w.search(r, registry.SearchFilter{Limit: 20}, true)
	if err != nil {
		return nil, err
	}
	d.Incomplete = rows
	p := w.newPage(r, "registry.ui.reception.title", d)
	p.Errors = d.Errs
	return p, nil
}

func (w *Web) receptionForm(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActPersonCreate, homeward.Resource{OrgID: a.OrgID}); err != nil {
		return err
	}
	f := newFormValues()
	f.set("return_date", w.clock(r).Today())
	f.set("point_of_entry", "BD-DAC")
	p, err := w.receptionPage(r, f)
	if err != nil {
		return err
	}
	if n, err := registry.ParseCaseNumber(r.URL.Query().Get("case")); err == nil {
		p.Data.(*receptionData).LastCase = n.String()
	}
	return w.render(rw, http.StatusOK, "registry_reception", p)
}

func (w *Web) receptionCreate(rw http.ResponseWriter, r *http.Request) error {
	_ = r.ParseForm()
	f := valuesFromPost(r.PostForm)
	in := &registry.Reception{GivenName: f.V["given_name"], FamilyName: f.V["family_name"], FullNameNative: f.V["full_name_native"],
		Sex: registry.Sex(f.V["sex"]), Phone: homeward.ASCIIDigits(f.V["phone"]), DestinationCountry: f.V["destination_country"],
		PointOfEntry: f.V["point_of_entry"], ReturnType: registry.ReturnType(f.V["return_type"]), Notes: strings.TrimSpace(f.V["notes"])}
	var v homeward.Validation
	now := w.clock(r).Local()
	in.DateOfBirth = formDate(&v, f, "date_of_birth", false, now)
	in.ApproxAge = formInt(&v, f, "approx_age")
	in.ReturnDate = formDate(&v, f, "return_date", false, now)
	for _, s := range registry.ReceptionServices {
		if f.Checked["services="+string(s)] {
			in.Services = append(in.Services, s)
		}
	}
	var rec *registry.Record
	err := v.Err()
	if err == nil {
		rec, err = w.svc.Registry.RegisterReception(r.Context(), in)
	} else if _, _, _, derr := in.Draft(w.country(), now); derr != nil {
		_ = v.Merge("", derr)
		err = v.Err()
	}
	if err != nil {
		p, perr := w.receptionPage(r, f)
		if perr != nil {
			return perr
		}
		if err := registryErrors(p, err, nil); err != nil {
			return err
		}
		return w.render(rw, http.StatusBadRequest, "registry_reception", p)
	}
	http.Redirect(rw, r, "/reception?case="+url.QueryEscape(rec.Case.Number), http.StatusSeeOther)
	return nil
}

package api

import (
	"net/http"

	"homeward"
	"homeward/internal/httpx"
)

func (a *API) listOrganisations(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 500)
	if err != nil {
		return err
	}
	f := homeward.OrganisationFilter{Query: query(r, "q"), Area: query(r, "area"), After: r.URL.Query().Get("cursor"), Limit: limit}
	if t := query(r, "type"); t != nil {
		ot := homeward.OrgType(*t)
		if !ot.Valid() {
			return homeward.FieldErrorf("type", "error.field.invalid_choice", "%q is not one of the allowed values.", *t)
		}
		f.Type = &ot
	}
	list, next, err := a.svc.Orgs.FindOrganisations(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*homeward.Organisation{}
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[*homeward.Organisation]{Items: list, Next: next})
	return nil
}

// organisationInput is the body of a creation.
type organisationInput struct {
	Name      string           `json:"name"`
	ShortName string           `json:"short_name"`
	Type      homeward.OrgType `json:"type"`
	Country   string           `json:"country"`
	Areas     []string         `json:"areas"`
}

func (a *API) createOrganisation(w http.ResponseWriter, r *http.Request) error {
	var in organisationInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	o := &homeward.Organisation{Name: in.Name, ShortName: in.ShortName, Type: in.Type, Country: in.Country, Areas: in.Areas}
	if err := a.svc.Orgs.CreateOrganisation(r.Context(), o); err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(o.Version))
	w.Header().Set("Location", "/api/v1/organisations/"+o.ID)
	httpx.JSON(w, http.StatusCreated, o)
	return nil
}

func (a *API) getOrganisation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	o, err := a.svc.Orgs.FindOrganisationByID(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(o.Version))
	httpx.JSON(w, http.StatusOK, o)
	return nil
}

func (a *API) updateOrganisation(w http.ResponseWriter, r *http.Request) error {
	id, version, upd, err := decodeUpdate[homeward.OrganisationUpdate](a, w, r)
	if err != nil {
		return err
	}
	o, err := a.svc.Orgs.UpdateOrganisation(r.Context(), id, version, upd)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(o.Version))
	httpx.JSON(w, http.StatusOK, o)
	return nil
}

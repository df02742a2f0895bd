package api

import (
	"net/http"
	"strings"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/reference"
)

func (a *API) refAllowed(r *http.Request) error {
	return homeward.Authorize(homeward.ActorFromContext(r.Context()), homeward.ActReferenceRead, homeward.Resource{Type: "reference"})
}

func (a *API) countries(w http.ResponseWriter, r *http.Request) error {
	if err := a.refAllowed(r); err != nil {
		return err
	}
	limit, err := httpx.Limit(r, 500)
	if err != nil {
		return err
	}
	list := reference.SearchCountries(r.URL.Query().Get("q"), limit)
	httpx.JSON(w, http.StatusOK, httpx.Page[*reference.Country]{Items: nonNil(list)})
	return nil
}

var levels = map[string]bool{"division": true, "district": true, "upazila": true, "province": true, "governorate": true}

func (a *API) adminAreas(w http.ResponseWriter, r *http.Request) error {
	if err := a.refAllowed(r); err != nil {
		return err
	}
	limit, err := httpx.Limit(r, 1000)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := reference.AreaFilter{Query: q.Get("q"), Country: strings.ToUpper(q.Get("country")), Level: q.Get("level"), Parent: q.Get("parent"), Limit: limit}
	if f.Country != "" && !(reference.Checker{}).CountryExists(f.Country) {
		return homeward.FieldErrorf("country", "error.field.invalid_country", "%q is not a known ISO 3166 country code.", f.Country)
	}
	if f.Level != "" && !levels[f.Level] {
		return homeward.FieldErrorf("level", "error.field.invalid_choice", "%q is not one of the allowed values.", f.Level)
	}
	if f.Parent != "" && reference.Area(f.Parent) == nil {
		return homeward.FieldErrorf("parent", "error.field.invalid_pcode", "%q is not a known administrative area (p-code).", f.Parent)
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[*reference.AdminArea]{Items: nonNil(reference.SearchAreas(f))})
	return nil
}

func (a *API) adminArea(w http.ResponseWriter, r *http.Request) error {
	if err := a.refAllowed(r); err != nil {
		return err
	}
	area := reference.Area(r.PathValue("code"))
	if area == nil {
		return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"area": area, "path": reference.AreaPath(area.Code)})
	return nil
}

func (a *API) occupations(w http.ResponseWriter, r *http.Request) error {
	if err := a.refAllowed(r); err != nil {
		return err
	}
	limit, err := httpx.Limit(r, 1000)
	if err != nil {
		return err
	}
	list := reference.SearchOccupations(r.URL.Query().Get("q"), r.URL.Query().Get("level"), limit)
	httpx.JSON(w, http.StatusOK, httpx.Page[*reference.Occupation]{Items: nonNil(list)})
	return nil
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

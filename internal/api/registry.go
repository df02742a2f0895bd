package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/reference"
	"homeward/internal/registry"
)

// MaxImportBytes bounds an uploaded import file.
const MaxImportBytes = 200 << 20

func (a *API) routesRegistry() {
	a.handle("POST", "/api/v1/registrations", a.register)
	a.handle("POST", "/api/v1/receptions", a.reception)
	a.handle("GET", "/api/v1/people", a.searchPeople)
	a.handle("GET", "/api/v1/people/{id}", a.getPerson)
	a.handle("PATCH", "/api/v1/people/{id}", a.updatePerson)
	a.handle("POST", "/api/v1/people/{id}/consents", a.recordConsent)
	a.handle("GET", "/api/v1/people/{id}/consent-check", a.consentCheck)
	a.handle("POST", "/api/v1/consents/{id}/withdraw", a.withdrawConsent)
	a.handle("PATCH", "/api/v1/cases/{id}", a.updateCase)
	a.handle("GET", "/api/v1/cases/{id}/timeline", a.timeline)
	a.handle("POST", "/api/v1/imports", a.importFile)
	a.handle("GET", "/api/v1/exports/people", a.exportPeople)
}

func (a *API) register(w http.ResponseWriter, r *http.Request) error {
	var reg registry.Registration
	if err := a.decode(w, r, &reg); err != nil {
		return err
	}
	rec, err := a.svc.Registry.Register(r.Context(), &reg)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(rec.Version))
	w.Header().Set("Location", "/api/v1/people/"+rec.Person.ID)
	httpx.JSON(w, http.StatusCreated, rec)
	return nil
}

func (a *API) reception(w http.ResponseWriter, r *http.Request) error {
	var in registry.Reception
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	rec, err := a.svc.Registry.RegisterReception(r.Context(), &in)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(rec.Version))
	w.Header().Set("Location", "/api/v1/people/"+rec.Person.ID)
	httpx.JSON(w, http.StatusCreated, rec)
	return nil
}

// SearchFilterFromQuery reads a registry search from URL parameters,
// checking each value.
func SearchFilterFromQuery(r *http.Request) (registry.SearchFilter, error) {
	q := r.URL.Query()
	f := registry.SearchFilter{Query: q.Get("q"), District: strings.TrimSpace(q.Get("district")), After: q.Get("cursor"),
		Status: registry.CaseStatus(q.Get("status")), Sex: registry.Sex(q.Get("sex")), ReturnType: registry.ReturnType(q.Get("return_type")),
		AssignedTo: q.Get("assigned_to")}
	var v homeward.Validation
	check := func(field, value string, ok bool) {
		if value != "" && !ok {
			v.AddArgs(field, "error.field.invalid_choice", map[string]any{"value": value}, "%q is not one of the allowed values.", value)
		}
	}
	check("status", string(f.Status), contains(registry.CaseStatuses, f.Status))
	check("sex", string(f.Sex), contains(registry.Sexes, f.Sex))
	check("return_type", string(f.ReturnType), contains(registry.ReturnTypes, f.ReturnType))
	if f.AssignedTo != "" && !homeward.ValidID(f.AssignedTo) {
		check("assigned_to", f.AssignedTo, false)
	}
	if f.District != "" && !validAreaPrefix(f.District) {
		v.AddArgs("district", "error.field.invalid_pcode", map[string]any{"value": f.District}, "%q is not a known administrative area (p-code).", f.District)
	}
	if err := v.Err(); err != nil {
		return f, err
	}
	limit, err := httpx.Limit(r, 500)
	f.Limit = limit
	return f, err
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func (a *API) searchPeople(w http.ResponseWriter, r *http.Request) error {
	f, err := SearchFilterFromQuery(r)
	if err != nil {
		return err
	}
	res, err := a.svc.Registry.SearchPage(r.Context(), f)
	if err != nil {
		return err
	}
	page := searchPage{Items: res.Items, Next: res.Next, More: res.More}
	if res.Counted {
		page.Total = &res.Total
	}
	httpx.JSON(w, http.StatusOK, page)
	return nil
}

// searchPage is httpx.Page with, on a query's first page, how many match:
// exactly up to registry.SearchCountCap, and as a lower bound when More.
type searchPage struct {
	Items []registry.Summary `json:"items"`
	Next  string             `json:"next,omitempty"`
	Total *int               `json:"total,omitempty"`
	More  bool               `json:"more,omitempty"`
}

func (a *API) getPerson(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	rec, err := a.svc.Registry.FindRecord(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(rec.Version))
	httpx.JSON(w, http.StatusOK, rec)
	return nil
}

func (a *API) updatePerson(w http.ResponseWriter, r *http.Request) error {
	id, version, upd, err := decodeUpdate[registry.PersonUpdate](a, w, r)
	if err != nil {
		return err
	}
	rec, err := a.svc.Registry.UpdatePerson(r.Context(), id, version, upd)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(rec.Version))
	httpx.JSON(w, http.StatusOK, rec)
	return nil
}

func (a *API) recordConsent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var c registry.Consent
	if err := a.decode(w, r, &c); err != nil {
		return err
	}
	if err := a.svc.Registry.RecordConsent(r.Context(), id, &c); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, c)
	return nil
}

func (a *API) withdrawConsent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := a.svc.Registry.WithdrawConsent(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) consentCheck(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	purpose := registry.Purpose(q.Get("purpose"))
	if !contains(registry.Purposes, purpose) {
		return homeward.FieldErrorf("purpose", "error.field.invalid_choice", "%q is not one of the allowed values.", purpose)
	}
	to := registry.Recipient{OrgID: q.Get("org_id"), OrgType: q.Get("org_type")}
	ok, err := a.svc.Registry.HasConsent(r.Context(), id, purpose, to)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"consent": ok})
	return nil
}

func (a *API) updateCase(w http.ResponseWriter, r *http.Request) error {
	id, version, upd, err := decodeUpdate[registry.CaseUpdate](a, w, r)
	if err != nil {
		return err
	}
	c, v, err := a.svc.Registry.UpdateCase(r.Context(), id, version, upd)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(v))
	httpx.JSON(w, http.StatusOK, map[string]any{"case": c, "version": v})
	return nil
}

func (a *API) timeline(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	events, err := a.svc.Registry.Timeline(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[registry.TimelineEvent]{Items: events})
	return nil
}

// importFile takes the file as the request body (Content-Type text/csv or
// the XLSX type, or ?format=csv|xlsx) and answers with the report;
// ?dry_run=true validates only.
func (a *API) importFile(w http.ResponseWriter, r *http.Request) error {
	format := registry.Format(r.URL.Query().Get("format"))
	if format == "" {
		switch ct := r.Header.Get("Content-Type"); {
		case strings.HasPrefix(ct, "text/csv"):
			format = registry.FormatCSV
		case strings.Contains(ct, "spreadsheetml"):
			format = registry.FormatXLSX
		}
	}
	if format != registry.FormatCSV && format != registry.FormatXLSX {
		return homeward.FieldErrorf("format", "registry.import.format", "Send a CSV or XLSX file (Content-Type text/csv or the XLSX type, or ?format=csv|xlsx).")
	}
	dry, _ := strconv.ParseBool(r.URL.Query().Get("dry_run"))
	body := http.MaxBytesReader(w, r.Body, MaxImportBytes)
	rep, err := registry.RunImport(r.Context(), a.svc.Registry, body, format, registry.ImportOptions{Now: a.svc.Clock.Local()}, dry, nil, httpx.Locale(r), nil)
	if err != nil {
		if strings.Contains(err.Error(), "request body too large") {
			return &homeward.Error{Code: homeward.ETOOLARGE, Key: "error.body.too_large", Args: map[string]any{"limit": MaxImportBytes},
				Message: fmt.Sprintf("The request is larger than %d bytes.", MaxImportBytes)}
		}
		return err
	}
	httpx.JSON(w, http.StatusOK, rep)
	return nil
}

// exportPeople streams the filtered list as CSV (default) or XLSX
// (?format=xlsx), with an HXL hashtag row when ?hxl=true.
func (a *API) exportPeople(w http.ResponseWriter, r *http.Request) error {
	f, err := SearchFilterFromQuery(r)
	if err != nil {
		return err
	}
	hxl, _ := strconv.ParseBool(r.URL.Query().Get("hxl"))
	return StreamExport(w, r, a.svc.Registry, f, r.URL.Query().Get("format"), hxl)
}

// validAreaPrefix accepts a known p-code at any level.
func validAreaPrefix(code string) bool { return reference.Area(code) != nil }

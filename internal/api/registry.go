package api

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/reference"
	"homeward/internal/registry"
)

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

func contains[T comparable](list []T, v T) bool { return slices.Contains(list, v) }

func (a *API) searchPeople(w http.ResponseWriter, r *http.Request) error {
	f, err := httpx.SearchFilterFromQuery(r)
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
	if err := a.svc.Audit.RecordRead(r.Context(), homeward.RecordRead{Action: "person.read", RecordType: "person", RecordID: rec.Person.ID, OrgID: rec.Person.OrgID,
		Detail: map[string]any{"via": "api"}}); err != nil {
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
	// Whoever may not import is refused before a byte is read (a dry run
	// writes nothing, so the service would not ask).
	actor := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(actor, homeward.ActImport, homeward.Resource{Type: "person", OrgID: actor.OrgID}); err != nil {
		return err
	}
	body := http.MaxBytesReader(w, r.Body, registry.MaxImportBytes)
	rep, err := registry.RunImport(r.Context(), a.svc.Registry, body, format, registry.ImportOptions{Now: a.clock(r).Local()}, dry, nil, httpx.Locale(r), nil)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return httpx.TooLarge(registry.MaxImportBytes)
	} else if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, rep)
	return nil
}

// exportPeople streams the filtered list as CSV (default) or XLSX
// (?format=xlsx), with an HXL hashtag row when ?hxl=true.
func (a *API) exportPeople(w http.ResponseWriter, r *http.Request) error {
	f, err := httpx.SearchFilterFromQuery(r)
	if err != nil {
		return err
	}
	hxl, _ := strconv.ParseBool(r.URL.Query().Get("hxl"))
	return httpx.StreamExport(w, r, a.svc.Registry, f, r.URL.Query().Get("format"), hxl, a.clock(r).Local())
}

// validAreaPrefix accepts a known p-code at any level.
func validAreaPrefix(code string) bool { return reference.Area(code) != nil }

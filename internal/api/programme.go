package api

import (
	"net/http"

	"homeward/internal/httpx"
	"homeward/internal/programme"
)

func (a *API) routesProgramme() {
	a.handle("GET", "/api/v1/programmes", a.listProgrammes)
	a.handle("GET", "/api/v1/cases/{id}/programmes", a.caseProgrammes)
	a.handle("POST", "/api/v1/cases/{id}/programmes", a.enrolCase)
}

// listProgrammes lists the caller's organisation's programmes (?org= for
// the operator's watchers; every organisation's when they leave it out).
func (a *API) listProgrammes(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.Programmes.Programmes(r.Context(), programme.Filter{OrgID: r.URL.Query().Get("org"), Counts: true})
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

func (a *API) caseProgrammes(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	list, err := a.svc.Programmes.Enrolments(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{"items": list})
	return nil
}

// enrolCase enrolls a case in a programme of its organisation:
// {"programme_id": "…"}.
func (a *API) enrolCase(w http.ResponseWriter, r *http.Request) error {
	id, err := actorAndID(r)
	if err != nil {
		return err
	}
	var in struct {
		ProgrammeID string `json:"programme_id"`
	}
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	e, err := a.svc.Programmes.Enrol(r.Context(), id, in.ProgrammeID)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, e)
	return nil
}

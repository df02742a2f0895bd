// Package api serves Homeward's JSON API under /api/v1. Handlers are thin:
// decode, call one service method, render. Authorization happens in the
// services; errors become RFC 9457 problem documents.
package api

import (
	"net/http"
	"strings"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/suggest"
)

// Services are what the API calls (one definition for both edges).
type Services = httpx.Services

// Route is one registered endpoint; the OpenAPI test compares the list with
// the published document.
type Route struct {
	Method, Path string
}

// API is the /api/v1 handler.
type API struct {
	svc     Services
	mux     *http.ServeMux
	routes  []Route
	MaxBody int64
	models  suggest.Models // parsed recommendation models, by version
}

// New returns the API with every route registered.
func New(svc Services) *API {
	a := &API{svc: svc, mux: http.NewServeMux(), MaxBody: httpx.DefaultMaxBody}
	a.handle("GET", "/api/v1/openapi.json", a.openAPI)
	a.handle("GET", "/api/v1/me", a.me)

	a.handle("GET", "/api/v1/organisations", a.listOrganisations)
	a.handle("POST", "/api/v1/organisations", a.createOrganisation)
	a.handle("GET", "/api/v1/organisations/{id}", a.getOrganisation)
	a.handle("PATCH", "/api/v1/organisations/{id}", a.updateOrganisation)

	a.handle("GET", "/api/v1/users", a.listUsers)
	a.handle("POST", "/api/v1/users", a.createUser)
	a.handle("GET", "/api/v1/users/{id}", a.getUser)
	a.handle("PATCH", "/api/v1/users/{id}", a.updateUser)
	a.handle("POST", "/api/v1/users/{id}/password", a.setPassword)
	a.handle("GET", "/api/v1/users/{id}/tokens", a.listTokens)
	a.handle("POST", "/api/v1/users/{id}/tokens", a.createToken)
	a.handle("DELETE", "/api/v1/users/{id}/tokens", a.revokeTokens)
	a.handle("DELETE", "/api/v1/tokens/{id}", a.revokeToken)
	a.handle("GET", "/api/v1/role-grants", a.listRoleGrants)
	a.handle("POST", "/api/v1/role-grants/{id}/approve", a.decideRoleGrant(true))
	a.handle("POST", "/api/v1/role-grants/{id}/reject", a.decideRoleGrant(false))

	a.handle("GET", "/api/v1/audit/events", a.listAudit)
	a.handle("POST", "/api/v1/audit/verify", a.verifyAudit)

	a.handle("GET", "/api/v1/reference/countries", a.countries)
	a.handle("GET", "/api/v1/reference/admin-areas", a.adminAreas)
	a.handle("GET", "/api/v1/reference/admin-areas/{code}", a.adminArea)
	a.handle("GET", "/api/v1/reference/occupations", a.occupations)

	a.routesRegistry()
	a.routesReferral()
	a.routesDedupe()
	a.routesAssessment()
	a.routesIndicator()
	a.routesCredential()
	a.routesProgramme()
	a.routesDataProtection()
	a.routesPrivacy()
	a.routesSignIn()
	a.routesHandoff()

	a.mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		httpx.Error(w, r, homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found."))
	})
	return a
}

// Routes returns the registered endpoints.
func (a *API) Routes() []Route { return append([]Route(nil), a.routes...) }

// handle registers a route. Every route but the OpenAPI document needs a
// signed-in actor (a token or a session); the services then decide what it
// may do.
func (a *API) handle(method, path string, h func(http.ResponseWriter, *http.Request) error) {
	a.routes = append(a.routes, Route{method, path})
	public := path == "/api/v1/openapi.json" || path == "/api/v1/credentials/verify"
	a.mux.HandleFunc(method+" "+path, func(w http.ResponseWriter, r *http.Request) {
		if !public {
			if _, err := requireActor(r); err != nil {
				httpx.Error(w, r, err)
				return
			}
		}
		if err := httpx.CheckCSRF(r); err != nil {
			httpx.Error(w, r, err)
			return
		}
		if err := h(w, r); err != nil {
			httpx.Error(w, r, err)
		}
	})
}

// ServeHTTP serves the API.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	a.mux.ServeHTTP(w, r)
}

func (a *API) decode(w http.ResponseWriter, r *http.Request, v any) error {
	return httpx.DecodeJSON(w, r, v, a.MaxBody)
}

func requireActor(r *http.Request) (*homeward.Actor, error) {
	a := homeward.ActorFromContext(r.Context())
	if a == nil {
		return nil, homeward.Errorf(homeward.EUNAUTHORIZED, "error.unauthorized", "Please sign in.")
	}
	return a, nil
}

func pathID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !homeward.ValidID(id) {
		return "", homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	return id, nil
}

func query(r *http.Request, name string) *string {
	if v := strings.TrimSpace(r.URL.Query().Get(name)); v != "" {
		return &v
	}
	return nil
}

func (a *API) me(w http.ResponseWriter, r *http.Request) error {
	actor, err := requireActor(r)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]any{
		"user_id": actor.UserID, "org_id": actor.OrgID, "name": actor.Name, "email": actor.Email,
		"roles": actor.Roles, "locale": actor.Locale, "digits": actor.Digits, "scopes": actor.Scopes,
	})
	return nil
}

// decodeUpdate reads what every update needs: the record's id from the
// path, the version it was read at from If-Match, and the body.
func decodeUpdate[T any](a *API, w http.ResponseWriter, r *http.Request) (id string, version int, in T, err error) {
	if id, err = pathID(r); err != nil {
		return
	}
	if version, err = httpx.IfMatch(r); err != nil {
		return
	}
	err = a.decode(w, r, &in)
	return
}

// clock returns the instance's clock as the caller sees it: in their
// organisation's time zone when it names one.
func (a *API) clock(r *http.Request) homeward.Clock {
	return a.svc.Clock.For(homeward.ActorFromContext(r.Context()))
}

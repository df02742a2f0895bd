package api

import (
	"net/http"

	"homeward"
	"homeward/internal/httpx"
)

// routesSignIn registers an organisation's sign-in rules (who must have a
// second factor, session time-outs): the same service, rules and audit
// event as the web page. A user's own second factors and sessions belong
// to their browser and have no API: a token manages neither.
func (a *API) routesSignIn() {
	a.handle("GET", "/api/v1/organisations/{id}/signin-policy", a.getSignInPolicy)
	a.handle("PUT", "/api/v1/organisations/{id}/signin-policy", a.putSignInPolicy)
}

func (a *API) getSignInPolicy(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	p, err := a.svc.Security.SignInPolicy(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(p.Version))
	httpx.JSON(w, http.StatusOK, p)
	return nil
}

// putSignInPolicy replaces the rules, If-Match the version read:
// {"second_factor_roles": ["administrator"], "idle_minutes": 30, "absolute_minutes": 720}.
func (a *API) putSignInPolicy(w http.ResponseWriter, r *http.Request) error {
	id, version, in, err := decodeUpdate[struct {
		SecondFactorRoles []homeward.Role `json:"second_factor_roles"`
		IdleMinutes       int             `json:"idle_minutes"`
		AbsoluteMinutes   int             `json:"absolute_minutes"`
	}](a, w, r)
	if err != nil {
		return err
	}
	p := &homeward.SignInPolicy{OrgID: id, SecondFactorRoles: in.SecondFactorRoles, IdleMinutes: in.IdleMinutes, AbsoluteMinutes: in.AbsoluteMinutes, Version: version}
	if err := a.svc.Security.SetSignInPolicy(r.Context(), p); err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(p.Version))
	httpx.JSON(w, http.StatusOK, p)
	return nil
}

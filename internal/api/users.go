package api

import (
	"net/http"
	"time"

	"homeward"
	"homeward/internal/httpx"
)

func (a *API) listUsers(w http.ResponseWriter, r *http.Request) error {
	limit, err := httpx.Limit(r, 500)
	if err != nil {
		return err
	}
	f := homeward.UserFilter{OrgID: query(r, "org_id"), Email: query(r, "email"), After: r.URL.Query().Get("cursor"), Limit: limit}
	if v := query(r, "role"); v != nil {
		role := homeward.Role(*v)
		if !role.Valid() {
			return homeward.FieldErrorf("role", "error.field.invalid_choice", "%q is not one of the allowed values.", *v)
		}
		f.Role = &role
	}
	list, next, err := a.svc.Users.FindUsers(r.Context(), f)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*homeward.User{}
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[*homeward.User]{Items: list, Next: next})
	return nil
}

type userInput struct {
	OrgID    string          `json:"org_id"`
	Email    string          `json:"email"`
	Name     string          `json:"name"`
	Roles    []homeward.Role `json:"roles"`
	Locale   string          `json:"locale"`
	Password string          `json:"password"`
}

func (a *API) createUser(w http.ResponseWriter, r *http.Request) error {
	actor, err := requireActor(r)
	if err != nil {
		return err
	}
	var in userInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if in.OrgID == "" {
		in.OrgID = actor.OrgID
	}
	u := &homeward.User{OrgID: in.OrgID, Email: in.Email, Name: in.Name, Roles: in.Roles, Locale: in.Locale}
	if err := a.svc.Users.CreateUser(r.Context(), u, in.Password); err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(u.Version))
	w.Header().Set("Location", "/api/v1/users/"+u.ID)
	httpx.JSON(w, http.StatusCreated, u)
	return nil
}

func (a *API) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	u, err := a.svc.Users.FindUserByID(r.Context(), id)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(u.Version))
	httpx.JSON(w, http.StatusOK, u)
	return nil
}

func (a *API) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, version, upd, err := decodeUpdate[homeward.UserUpdate](a, w, r)
	if err != nil {
		return err
	}
	u, err := a.svc.Users.UpdateUser(r.Context(), id, version, upd)
	if err != nil {
		return err
	}
	w.Header().Set("ETag", httpx.ETag(u.Version))
	httpx.JSON(w, http.StatusOK, u)
	return nil
}

type passwordInput struct {
	CurrentPassword string `json:"current_password"`
	NewPassword     string `json:"new_password"`
}

func (a *API) setPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in passwordInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	if err := a.svc.Users.SetPassword(r.Context(), id, in.CurrentPassword, in.NewPassword); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listTokens(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	list, err := a.svc.Users.FindTokens(r.Context(), id)
	if err != nil {
		return err
	}
	if list == nil {
		list = []*homeward.APIToken{}
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[*homeward.APIToken]{Items: list})
	return nil
}

type tokenInput struct {
	Name      string           `json:"name"`
	Scopes    []homeward.Scope `json:"scopes"`
	ExpiresAt *time.Time       `json:"expires_at"`
}

func (a *API) createToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	var in tokenInput
	if err := a.decode(w, r, &in); err != nil {
		return err
	}
	t := &homeward.APIToken{Name: in.Name, Scopes: in.Scopes, ExpiresAt: in.ExpiresAt}
	if err := a.svc.Users.CreateToken(r.Context(), id, t); err != nil {
		return err
	}
	httpx.JSON(w, http.StatusCreated, t)
	return nil
}

func (a *API) revokeTokens(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	n, err := a.svc.Users.RevokeTokens(r.Context(), id)
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, map[string]int{"revoked": n})
	return nil
}

func (a *API) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := a.svc.Users.RevokeToken(r.Context(), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (a *API) listRoleGrants(w http.ResponseWriter, r *http.Request) error {
	list, err := a.svc.Grants.FindRoleGrants(r.Context())
	if err != nil {
		return err
	}
	httpx.JSON(w, http.StatusOK, httpx.Page[*homeward.RoleGrant]{Items: list})
	return nil
}

func (a *API) decideRoleGrant(approve bool) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		g, err := a.svc.Grants.DecideRoleGrant(r.Context(), id, approve)
		if err != nil {
			return err
		}
		httpx.JSON(w, http.StatusOK, g)
		return nil
	}
}

package web

import (
	"net/http"
	"time"

	"homeward"
	"homeward/internal/httpx"
)

type loginData struct {
	Email, Next, DemoPassword string
}

func (w *Web) loginForm(rw http.ResponseWriter, r *http.Request) error {
	if homeward.ActorFromContext(r.Context()) != nil {
		http.Redirect(rw, r, "/home", http.StatusSeeOther)
		return nil
	}
	p := w.newPage(r, "login.title", loginData{Next: r.URL.Query().Get("next"), DemoPassword: w.DemoPassword})
	return w.render(rw, http.StatusOK, "login", p)
}

func (w *Web) login(rw http.ResponseWriter, r *http.Request) error {
	email, pw := r.PostFormValue("email"), r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"), "/home")
	token, s, err := w.svc.Auth.Login(withClient(r).Context(), email, pw)
	if err != nil {
		p := w.newPage(r, "login.title", loginData{Email: email, Next: next, DemoPassword: w.DemoPassword})
		if err := formErrors(p, err, nil); err != nil {
			return err
		}
		status := http.StatusUnauthorized
		if homeward.ErrorCode(err) == homeward.ERATELIMIT {
			status = http.StatusTooManyRequests
		}
		return w.render(rw, status, "login", p)
	}
	if s.SecondFactor {
		w.startSecondFactor(rw, r, token, s, next)
		return nil
	}
	w.setSessionCookie(rw, token, s.ExpiresAt)
	http.Redirect(rw, r, next, http.StatusSeeOther)
	return nil
}

func (w *Web) logout(rw http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(httpx.SessionCookie); err == nil {
		if err := w.svc.Auth.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(rw, &http.Cookie{Name: httpx.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: w.SecureCookies, SameSite: http.SameSiteLaxMode})
	http.Redirect(rw, r, "/login", http.StatusSeeOther)
	return nil
}

type homeData struct {
	Org      *homeward.Organisation
	Roles    []homeward.Role
	OrgCount int
	Users    int
	// Skills is how many skills assessments wait for the user (results,
	// sign-off, certificate); -1 when they take no part.
	Skills int
}

func (w *Web) home(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	org, err := w.svc.Orgs.FindOrganisationByID(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	d := homeData{Org: org, Roles: a.Roles, Skills: -1}
	if homeward.Can(a, homeward.ActRPLRead, homeward.Resource{OrgID: a.OrgID}) {
		work, err := w.svc.RPL.RPLWork(r.Context())
		if err != nil {
			return err
		}
		d.Skills = work.Count()
	}
	orgs, _, err := w.svc.Orgs.FindOrganisations(r.Context(), homeward.OrganisationFilter{Limit: 500})
	if err != nil {
		return err
	}
	d.OrgCount = len(orgs)
	if homeward.Can(a, homeward.ActUserRead, homeward.Resource{OrgID: a.OrgID}) {
		users, _, err := w.svc.Users.FindUsers(r.Context(), homeward.UserFilter{Limit: 500})
		if err != nil {
			return err
		}
		d.Users = len(users)
	}
	return w.render(rw, http.StatusOK, "home", w.newPage(r, "home.title", d))
}

func (w *Web) changePassword(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	p, err := w.accountPage(r, nil)
	if err != nil {
		return err
	}
	cur, pw, again := r.PostFormValue("current_password"), r.PostFormValue("password"), r.PostFormValue("password_again")
	if cur == "" {
		err = homeward.FieldErrorf("current_password", "error.field.required", "This field is required.")
	} else if pw != again {
		err = homeward.FieldErrorf("password_again", "error.password.mismatch", "The two new passwords differ.")
	} else {
		err = w.svc.Users.SetPassword(r.Context(), a.UserID, cur, pw)
	}
	if err != nil {
		if err := formErrors(p, err, nil); err != nil {
			return err
		}
		return w.render(rw, http.StatusBadRequest, "account", p)
	}
	// The change ended every session, this one too: sign in again (with
	// the second factor, when the user has one).
	token, s, err := w.svc.Auth.Login(withClient(r).Context(), a.Email, pw)
	if err != nil {
		return err
	}
	if s.SecondFactor {
		w.startSecondFactor(rw, r, token, s, "/account?ok=account.password.changed")
		return nil
	}
	w.setSessionCookie(rw, token, s.ExpiresAt)
	http.Redirect(rw, r, "/account?ok=account.password.changed", http.StatusSeeOther)
	return nil
}

// setSessionCookie sets the session cookie to last until expires by the
// server's clock. It says Max-Age (seconds from now), not Expires: a phone
// whose clock is wrong keeps the session as long as the server does.
func (w *Web) setSessionCookie(rw http.ResponseWriter, token string, expires time.Time) {
	http.SetCookie(rw, &http.Cookie{Name: httpx.SessionCookie, Value: token, Path: "/", HttpOnly: true, Secure: w.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: max(1, int(expires.Sub(w.svc.Clock.Time()).Seconds()))})
}

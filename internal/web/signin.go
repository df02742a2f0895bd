package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
)

// signinCookie carries the token of a sign-in waiting for its second
// factor, between the password step and the code step. It opens nothing
// by itself (see AuthService.LoginSecondFactor).
const signinCookie = "hw_signin"

// enrolPages are all a user may open while their organisation requires a
// second factor they have not set up (homeward.Actor.MustEnrol).
var enrolPages = map[string]bool{
	"GET /account/second-factor": true, "POST /account/totp/begin": true, "POST /account/totp/confirm": true,
	"POST /logout": true, "GET /login": true, "GET /login/code": true, "POST /login": true, "POST /login/code": true,
	"POST /account/passkeys/begin": true, "POST /account/passkeys": true,
}

// enrolPath is where a user who must enrol is sent.
const enrolPath = "/account/second-factor"

func (w *Web) routesSignIn() {
	w.handle("GET /login/code", w.loginCodeForm, false)
	w.handle("POST /login/code", w.loginCode, false)
	w.handle("GET /account/second-factor", w.secondFactorPage, true)
	w.handle("POST /account/totp/begin", w.totpBegin, true)
	w.handle("POST /account/totp/confirm", w.totpConfirm, true)
	w.handle("POST /account/totp/disable", w.totpDisable, true)
	w.handle("POST /account/recovery-codes", w.recoveryCodes, true)
	w.handle("POST /account/sessions/{id}/end", w.sessionEnd, true)
	w.handle("POST /account/sessions/end-others", w.sessionsEndOthers, true)
	w.routesPasskeys()
	w.handle("GET /signin-policy", w.policyForm, true)
	w.handle("POST /signin-policy", w.policySave, true)
	w.flash("account.totp.disabled", "account.session.ended", "account.sessions.ended", "signin.policy.saved")
}

// withClient adds what a new session records of its client.
func withClient(r *http.Request) *http.Request {
	return r.WithContext(homeward.NewContextWithUserAgent(r.Context(), r.UserAgent()))
}

// startSecondFactor keeps the pending sign-in in its cookie and sends the
// browser to the code step.
func (w *Web) startSecondFactor(rw http.ResponseWriter, r *http.Request, token string, s *homeward.Session, next string) {
	http.SetCookie(rw, &http.Cookie{Name: signinCookie, Value: token, Path: "/login", HttpOnly: true, Secure: w.SecureCookies,
		SameSite: http.SameSiteLaxMode, MaxAge: max(1, int(s.ExpiresAt.Sub(w.svc.Clock.Time()).Seconds()))})
	http.Redirect(rw, r, "/login/code?next="+url.QueryEscape(next), http.StatusSeeOther)
}

type loginCodeData struct{ Next string }

func (w *Web) loginCodeForm(rw http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(signinCookie); err != nil || c.Value == "" {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return nil
	}
	p := w.newPage(r, "login.code.title", loginCodeData{Next: localPath(r.URL.Query().Get("next"), "/home")})
	return w.render(rw, http.StatusOK, "login_code", p)
}

func (w *Web) loginCode(rw http.ResponseWriter, r *http.Request) error {
	next := localPath(r.PostFormValue("next"), "/home")
	challenge := ""
	if c, err := r.Cookie(signinCookie); err == nil {
		challenge = c.Value
	}
	token, s, err := w.svc.Auth.LoginSecondFactor(withClient(r).Context(), challenge, r.PostFormValue("code"))
	if err != nil {
		tmpl, status := "login_code", http.StatusUnauthorized
		var p *page
		switch homeward.ErrorCode(err) {
		case homeward.EUNAUTHORIZED: // lapsed: start again
			tmpl, p = "login", w.newPage(r, "login.title", loginData{Next: next, DemoPassword: w.DemoPassword})
		case homeward.ERATELIMIT:
			status = http.StatusTooManyRequests
		}
		if p == nil {
			p = w.newPage(r, "login.code.title", loginCodeData{Next: next})
		}
		if err := formErrors(p, err, nil); err != nil {
			return err
		}
		return w.render(rw, status, tmpl, p)
	}
	http.SetCookie(rw, &http.Cookie{Name: signinCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: w.SecureCookies, SameSite: http.SameSiteLaxMode})
	w.setSessionCookie(rw, token, s.ExpiresAt)
	http.Redirect(rw, r, next, http.StatusSeeOther)
	return nil
}

// sessionRow is a session as the account page lists it.
type sessionRow struct {
	*homeward.Session
	Current bool
	Client  string
	// Created and LastSeen are in the reader's time zone and digits.
	Created, LastSeen string
}

type accountData struct {
	Status   *homeward.SecondFactorStatus
	Passkeys []passkeyRow
	Sessions []sessionRow
	// Codes are recovery codes just made, shown once.
	Codes []string
	// EnrolledOn is the day the authenticator was set up; ResetOn the
	// day the operator removed the last one, when the user has not set up
	// another since.
	EnrolledOn, ResetOn string
	// Digits are the choices of digits (none in a language without its own).
	Digits []digitChoice
}

// day writes t as a date in the reader's time zone and digits.
func (w *Web) day(r *http.Request, t *time.Time) string {
	if t == nil {
		return ""
	}
	loc := w.svc.Clock.For(homeward.ActorFromContext(r.Context())).Location()
	return i18n.Digits(httpx.Locale(r), t.In(loc).Format(time.DateOnly))
}

func (w *Web) accountPage(r *http.Request, d *accountData) (*page, error) {
	if d == nil {
		d = &accountData{}
	}
	var err error
	if d.Status, err = w.svc.Security.SecondFactorStatus(r.Context()); err != nil {
		return nil, err
	}
	list, err := w.svc.Security.FindSessions(r.Context())
	if err != nil {
		return nil, err
	}
	cur := httpx.SessionFrom(r.Context())
	lang, loc := httpx.Locale(r), w.svc.Clock.For(homeward.ActorFromContext(r.Context())).Location()
	when := func(t time.Time) string { return i18n.Digits(lang, t.In(loc).Format("2006-01-02 15:04")) }
	d.EnrolledOn, d.ResetOn = w.day(r, d.Status.EnrolledAt), w.day(r, d.Status.ResetAt)
	d.Digits = digitChoices(lang, homeward.ActorFromContext(r.Context()))
	if d.Passkeys, err = w.passkeyRows(r); err != nil {
		return nil, err
	}
	for _, s := range list {
		d.Sessions = append(d.Sessions, sessionRow{Session: s, Current: cur != nil && cur.ID == s.ID, Client: clientSummary(s.UserAgent),
			Created: when(s.CreatedAt), LastSeen: when(s.LastSeenAt)})
	}
	return w.newPage(r, "account.title", d), nil
}

func (w *Web) account(rw http.ResponseWriter, r *http.Request) error {
	p, err := w.accountPage(r, nil)
	if err != nil {
		return err
	}
	return w.render(rw, http.StatusOK, "account", p)
}

// clientSummary names a browser and system from a User-Agent, as a person
// recognises them ("Chrome on Android"); "" when it names neither.
func clientSummary(ua string) string {
	has := func(s string) bool { return strings.Contains(ua, s) }
	browser := ""
	switch {
	case has("Edg/"):
		browser = "Edge"
	case has("OPR/") || has("Opera"):
		browser = "Opera"
	case has("Firefox/"):
		browser = "Firefox"
	case has("Chrome/") || has("Chromium/") || has("HeadlessChrome/"):
		browser = "Chrome"
	case has("Safari/"):
		browser = "Safari"
	}
	system := ""
	switch {
	case has("Android"):
		system = "Android"
	case has("iPhone") || has("iPad"):
		system = "iOS"
	case has("Windows"):
		system = "Windows"
	case has("Mac OS X") || has("Macintosh"):
		system = "macOS"
	case has("Linux"):
		system = "Linux"
	}
	switch {
	case browser != "" && system != "":
		return browser + " · " + system
	case browser != "":
		return browser
	}
	return system
}

type enrolData struct {
	Status   *homeward.SecondFactorStatus
	Passkeys []passkeyRow
	// Begun: a secret was just made and is shown (QR and text) with the
	// form for its first code.
	Begun  bool
	Secret string
	QR     qrCode
	Codes  []string
	// ResetOn: see accountData.
	ResetOn string
}

func (w *Web) secondFactorPage(rw http.ResponseWriter, r *http.Request) error {
	st, err := w.svc.Security.SecondFactorStatus(r.Context())
	if err != nil {
		return err
	}
	if st.TOTP || st.Passkeys > 0 {
		http.Redirect(rw, r, "/account", http.StatusSeeOther)
		return nil
	}
	return w.render(rw, http.StatusOK, "second_factor", w.newPage(r, "account.totp.title", &enrolData{Status: st, ResetOn: w.day(r, st.ResetAt)}))
}

func (w *Web) totpBegin(rw http.ResponseWriter, r *http.Request) error {
	st, err := w.svc.Security.SecondFactorStatus(r.Context())
	if err != nil {
		return err
	}
	e, err := w.svc.Security.BeginTOTP(r.Context())
	if err != nil {
		if homeward.ErrorCode(err) == homeward.ECONFLICT {
			http.Redirect(rw, r, "/account", http.StatusSeeOther)
			return nil
		}
		return err
	}
	qr, err := newQR(e.URI)
	if err != nil {
		return err
	}
	// The secret in groups of four, as it is typed into an app by hand.
	var groups []string
	for i := 0; i < len(e.Secret); i += 4 {
		groups = append(groups, e.Secret[i:min(i+4, len(e.Secret))])
	}
	d := &enrolData{Status: st, Begun: true, Secret: strings.Join(groups, " "), QR: qr}
	return w.render(rw, http.StatusOK, "second_factor", w.newPage(r, "account.totp.title", d))
}

func (w *Web) totpConfirm(rw http.ResponseWriter, r *http.Request) error {
	st, err := w.svc.Security.SecondFactorStatus(r.Context())
	if err != nil {
		return err
	}
	codes, err := w.svc.Security.ConfirmTOTP(r.Context(), r.PostFormValue("code"))
	if err != nil {
		// The secret stays begun: the app already holds it, and the
		// user types its next code.
		p := w.newPage(r, "account.totp.title", &enrolData{Status: st, Begun: true})
		status, err := refusal(p, err, nil)
		if err != nil {
			return err
		}
		return w.render(rw, status, "second_factor", p)
	}
	st.TOTP = true
	return w.render(rw, http.StatusOK, "second_factor", w.newPage(r, "account.totp.title", &enrolData{Status: st, Codes: codes}))
}

func (w *Web) totpDisable(rw http.ResponseWriter, r *http.Request) error {
	err := w.svc.Security.DisableTOTP(r.Context(), r.PostFormValue("disable_code"))
	if err != nil {
		return w.accountRefused(rw, r, err, map[string]string{"code": "disable_code"})
	}
	http.Redirect(rw, r, "/account?ok=account.totp.disabled", http.StatusSeeOther)
	return nil
}

func (w *Web) recoveryCodes(rw http.ResponseWriter, r *http.Request) error {
	codes, err := w.svc.Security.RegenerateRecoveryCodes(r.Context(), r.PostFormValue("codes_password"))
	if err != nil {
		return w.accountRefused(rw, r, err, map[string]string{"current_password": "codes_password"})
	}
	p, err := w.accountPage(r, &accountData{Codes: codes})
	if err != nil {
		return err
	}
	return w.render(rw, http.StatusOK, "account", p)
}

// accountRefused shows the account page with a refused form's errors,
// the service's field names renamed to the form's.
func (w *Web) accountRefused(rw http.ResponseWriter, r *http.Request, err error, names map[string]string) error {
	p, perr := w.accountPage(r, nil)
	if perr != nil {
		return perr
	}
	status, err := refusal(p, err, func(f string) string {
		if n, ok := names[f]; ok {
			return n
		}
		return f
	})
	if err != nil {
		return err
	}
	return w.render(rw, status, "account", p)
}

func (w *Web) sessionEnd(rw http.ResponseWriter, r *http.Request) error {
	if err := w.svc.Security.EndSession(r.Context(), r.PathValue("id")); err != nil {
		return err
	}
	if cur := httpx.SessionFrom(r.Context()); cur != nil && cur.ID == r.PathValue("id") {
		http.SetCookie(rw, &http.Cookie{Name: httpx.SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: w.SecureCookies, SameSite: http.SameSiteLaxMode})
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return nil
	}
	http.Redirect(rw, r, "/account?ok=account.session.ended", http.StatusSeeOther)
	return nil
}

func (w *Web) sessionsEndOthers(rw http.ResponseWriter, r *http.Request) error {
	cur := httpx.SessionFrom(r.Context())
	if cur == nil {
		return homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	if _, err := w.svc.Security.EndOtherSessions(r.Context(), cur.ID); err != nil {
		return err
	}
	http.Redirect(rw, r, "/account?ok=account.sessions.ended", http.StatusSeeOther)
	return nil
}

type policyData struct {
	Policy *homeward.SignInPolicy
	Roles  []homeward.Role
	Has    map[homeward.Role]bool
	Idle   string
	Abs    string
	Bounds map[string]int
}

func (w *Web) policyPage(r *http.Request, p *homeward.SignInPolicy, idle, abs string) *page {
	d := &policyData{Policy: p, Roles: homeward.Roles, Has: map[homeward.Role]bool{}, Idle: idle, Abs: abs,
		Bounds: map[string]int{"idle_min": homeward.MinIdleMinutes, "idle_max": homeward.MaxIdleMinutes,
			"abs_min": homeward.MinAbsoluteMinutes, "abs_max": homeward.MaxAbsoluteMinutes}}
	for _, role := range p.SecondFactorRoles {
		d.Has[role] = true
	}
	return w.newPage(r, "signin.policy.title", d)
}

func (w *Web) policyForm(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	p, err := w.svc.Security.SignInPolicy(r.Context(), a.OrgID)
	if err != nil {
		return err
	}
	return w.render(rw, http.StatusOK, "signin_policy", w.policyPage(r, p, strconv.Itoa(p.IdleMinutes), strconv.Itoa(p.AbsoluteMinutes)))
}

func (w *Web) policySave(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	p := &homeward.SignInPolicy{OrgID: a.OrgID, SecondFactorRoles: []homeward.Role{}}
	for _, v := range r.PostForm["roles"] {
		if role := homeward.Role(v); !slices.Contains(p.SecondFactorRoles, role) {
			p.SecondFactorRoles = append(p.SecondFactorRoles, role)
		}
	}
	idle, abs := strings.TrimSpace(r.PostFormValue("idle_minutes")), strings.TrimSpace(r.PostFormValue("absolute_minutes"))
	p.IdleMinutes, _ = strconv.Atoi(idle)
	p.AbsoluteMinutes, _ = strconv.Atoi(abs)
	p.Version, _ = strconv.Atoi(r.PostFormValue("version"))
	if err := w.svc.Security.SetSignInPolicy(r.Context(), p); err != nil {
		pg := w.policyPage(r, p, idle, abs)
		status, err := refusal(pg, err, func(f string) string {
			if f == "second_factor_roles" {
				return "roles"
			}
			return f
		})
		if err != nil {
			return err
		}
		return w.render(rw, status, "signin_policy", pg)
	}
	http.Redirect(rw, r, "/signin-policy?ok=signin.policy.saved", http.StatusSeeOther)
	return nil
}

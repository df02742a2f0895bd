package web

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/passkey"
)

// Passkeys: the browser's part is static/passkey.js, which passes the
// options these endpoints give to navigator.credentials and posts the
// answer back as JSON; the pages around them are ordinary forms.
func (w *Web) routesPasskeys() {
	w.handle("POST /account/passkeys/begin", w.passkeyBegin, true)
	w.handle("POST /account/passkeys", w.passkeyFinish, true)
	w.handle("POST /account/passkeys/{id}/remove", w.passkeyRemove, true)
	w.handle("POST /login/passkey/begin", w.passkeyLoginBegin, false)
	w.handle("POST /login/passkey/finish", w.passkeyLoginFinish, false)
	w.flash("account.passkey.added", "account.passkey.removed")
}

// passkeyRow is a passkey as the account page lists it.
type passkeyRow struct {
	*homeward.Passkey
	Created, LastUsed string
}

func (w *Web) passkeyRows(r *http.Request) ([]passkeyRow, error) {
	if !w.Passkeys {
		return nil, nil
	}
	list, err := w.svc.Passkeys.FindPasskeys(r.Context())
	if err != nil {
		return nil, err
	}
	rows := make([]passkeyRow, len(list))
	for i, p := range list {
		rows[i] = passkeyRow{Passkey: p, Created: w.day(r, &p.CreatedAt), LastUsed: w.day(r, p.LastUsedAt)}
	}
	return rows, nil
}

// passkeyJSON answers the script: v as JSON, or the error's status and
// its message in the reader's language.
func (w *Web) passkeyJSON(rw http.ResponseWriter, r *http.Request, v any, err error) error {
	rw.Header().Set("Content-Type", "application/json")
	status := http.StatusOK
	if err != nil {
		status = httpx.StatusOf(err)
		if status == http.StatusInternalServerError {
			return err
		}
		v = map[string]string{"error": i18n.Error(httpx.Locale(r), err)}
	}
	rw.WriteHeader(status)
	return json.NewEncoder(rw).Encode(v)
}

// readAnswer reads the script's JSON body of at most passkey.MaxResponse
// bytes (plus room for the name) into v.
func readAnswer(r *http.Request, v any) error {
	b, err := io.ReadAll(io.LimitReader(r.Body, passkey.MaxResponse+1024))
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) || len(b) > passkey.MaxResponse+1023 {
		return httpx.TooLarge(passkey.MaxResponse)
	} else if err != nil {
		return err
	}
	if json.Unmarshal(b, v) != nil {
		return homeward.Errorf(homeward.EINVALID, "error.passkey.refused", "The passkey was not accepted. Please try again.")
	}
	return nil
}

func (w *Web) passkeyBegin(rw http.ResponseWriter, r *http.Request) error {
	opts, err := w.svc.Passkeys.BeginPasskey(r.Context())
	return w.passkeyJSON(rw, r, json.RawMessage(opts), err)
}

type passkeyPost struct {
	Name   string          `json:"name"`
	Answer json.RawMessage `json:"answer"`
}

func (w *Web) passkeyFinish(rw http.ResponseWriter, r *http.Request) error {
	var in passkeyPost
	if err := readAnswer(r, &in); err != nil {
		return w.passkeyJSON(rw, r, nil, err)
	}
	_, err := w.svc.Passkeys.FinishPasskey(r.Context(), in.Name, in.Answer)
	return w.passkeyJSON(rw, r, map[string]string{"next": "/account?ok=account.passkey.added"}, err)
}

func (w *Web) passkeyRemove(rw http.ResponseWriter, r *http.Request) error {
	if err := w.svc.Passkeys.RemovePasskey(r.Context(), r.PathValue("id"), r.PostFormValue("passkey_password")); err != nil {
		return w.accountRefused(rw, r, err, map[string]string{"current_password": "passkey_password"})
	}
	http.Redirect(rw, r, "/account?ok=account.passkey.removed", http.StatusSeeOther)
	return nil
}

// pendingSignIn is the token of the sign-in waiting for its second step,
// or "" for a sign-in with a passkey alone.
func pendingSignIn(r *http.Request) string {
	if c, err := r.Cookie(signinCookie); err == nil {
		return c.Value
	}
	return ""
}

func (w *Web) passkeyLoginBegin(rw http.ResponseWriter, r *http.Request) error {
	opts, err := w.svc.Passkeys.BeginPasskeyLogin(r.Context(), pendingSignIn(r))
	return w.passkeyJSON(rw, r, json.RawMessage(opts), err)
}

type passkeyLoginPost struct {
	Next   string          `json:"next"`
	Answer json.RawMessage `json:"answer"`
}

func (w *Web) passkeyLoginFinish(rw http.ResponseWriter, r *http.Request) error {
	var in passkeyLoginPost
	if err := readAnswer(r, &in); err != nil {
		return w.passkeyJSON(rw, r, nil, err)
	}
	token, s, err := w.svc.Passkeys.FinishPasskeyLogin(withClient(r).Context(), pendingSignIn(r), in.Answer)
	if err == nil {
		http.SetCookie(rw, &http.Cookie{Name: signinCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: w.SecureCookies, SameSite: http.SameSiteLaxMode})
		w.setSessionCookie(rw, token, s.ExpiresAt)
	}
	return w.passkeyJSON(rw, r, map[string]string{"next": localPath(in.Next, "/home")}, err)
}

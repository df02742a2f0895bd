package httpx

import (
	"context"
	"crypto/subtle"
	"net/http"
	"strings"

	"homeward"
	"homeward/internal/i18n"
)

// SessionCookie is the name of the session cookie.
const SessionCookie = "hw_session"

type sessionKey struct{}

// Authenticate resolves the request's credentials (a Bearer API token, or
// the session cookie) to an actor in the context. It does not refuse
// anonymous requests: handlers and services decide. A presented but invalid
// Bearer token is refused at once, so that a misconfigured client learns why.
func Authenticate(auth homeward.AuthService) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if h := r.Header.Get("Authorization"); h != "" {
				secret, ok := strings.CutPrefix(h, "Bearer ")
				if !ok {
					Error(w, r, homeward.Errorf(homeward.EUNAUTHORIZED, "error.unauthorized", "Please sign in."))
					return
				}
				a, err := auth.TokenActor(ctx, strings.TrimSpace(secret))
				if err != nil {
					Error(w, r, err)
					return
				}
				ctx = homeward.NewContextWithActor(ctx, a)
			} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
				a, s, err := auth.SessionActor(ctx, c.Value)
				switch {
				case err == nil:
					ctx = homeward.NewContextWithActor(ctx, a)
					ctx = context.WithValue(ctx, sessionKey{}, s)
				case homeward.ErrorCode(err) == homeward.EUNAVAILABLE:
					// The session may well be good: say to retry, not
					// to sign in again.
					Error(w, r, err)
					return
				}
			}
			ctx = WithLocale(ctx, pickLocale(r, homeward.ActorFromContext(ctx)))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

// pickLocale chooses the explicit lang cookie, then (for API clients) an
// explicit Accept-Language, then the user's preference, then the browser's
// languages. Browsers always send Accept-Language, so for them the user's
// own choice must come first. A signed-in user's choice of digits then
// joins the tag (i18n.WithDigits), so that everything rendered for them
// with it uses those digits.
func pickLocale(r *http.Request, a *homeward.Actor) string {
	lang := pickLanguage(r, a)
	if a != nil {
		return i18n.WithDigits(lang, a.Digits)
	}
	return lang
}

func pickLanguage(r *http.Request, a *homeward.Actor) string {
	if c, err := r.Cookie("lang"); err == nil && i18n.Supported(c.Value) {
		return c.Value
	}
	if al := r.Header.Get("Accept-Language"); al != "" && r.Header.Get("Authorization") != "" {
		return i18n.Match(al)
	}
	if a != nil && i18n.Supported(a.Locale) {
		return a.Locale
	}
	return i18n.Match(r.Header.Get("Accept-Language"))
}

// SessionFrom returns the browser session of the request, or nil (API
// tokens and anonymous requests have none).
func SessionFrom(ctx context.Context) *homeward.Session {
	s, _ := ctx.Value(sessionKey{}).(*homeward.Session)
	return s
}

// crossOrigin refuses unsafe requests a browser marks as cross-site.
var crossOrigin = http.NewCrossOriginProtection()

// CheckCSRF refuses unsafe requests authenticated by the session cookie
// unless they carry the session's CSRF token (form field csrf_token or
// header X-CSRF-Token). Token-authenticated API calls need none: browsers
// never attach Bearer tokens on their own.
func CheckCSRF(r *http.Request) error {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return nil
	}
	// A browser says where a request comes from (Sec-Fetch-Site, Origin):
	// a cross-site POST is refused even before there is a session, so
	// nobody can sign a visitor in to an account of the attacker's choosing
	// (login CSRF). Clients that send neither header (API tools) pass.
	if err := crossOrigin.Check(r); err != nil {
		return homeward.Errorf(homeward.EFORBIDDEN, "error.csrf", "Your form expired. Please try again.")
	}
	s := SessionFrom(r.Context())
	if s == nil {
		return nil
	}
	// The form field counts only in a form already parsed, within its
	// limit (the web UI's LimitForm): parsing here would read a body of any
	// size, and an API call sends the header.
	got := r.Header.Get("X-CSRF-Token")
	if got == "" && r.PostForm != nil {
		got = r.PostForm.Get("csrf_token")
	}
	if subtle.ConstantTimeCompare([]byte(got), []byte(s.CSRFToken)) != 1 {
		return homeward.Errorf(homeward.EFORBIDDEN, "error.csrf", "Your form expired. Please try again.")
	}
	return nil
}

// Package web serves Homeward's server-rendered HTML user interface
// (html/template and htmx, both embedded). Handlers call the same services
// as the JSON API; every string goes through the message catalog, and the
// page's lang and dir follow the locale.
package web

import (
	"context"
	"sync"

	"bytes"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/suggest"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Services are what the UI calls (one definition for both edges).
type Services = httpx.Services

// Web is the HTML handler.
type Web struct {
	svc Services
	mux *http.ServeMux
	// pages holds one template set per page (layout + page).
	pages map[string]*template.Template
	// SecureCookies marks cookies Secure (behind HTTPS).
	SecureCookies bool
	// PublicURL is where the instance is reached from outside (no trailing
	// slash): printed certificates point their QR code there.
	PublicURL string
	// Passkeys offers passkeys (the server has a WebAuthn relying party).
	Passkeys bool
	// DemoPassword, when set, is shown on the login page.
	DemoPassword string
	// Country is the ISO alpha-2 code of the country the instance serves
	// (its country pack, internal/country); "" is country.Default. Forms
	// offer its areas and points of entry and read local numbers by it.
	Country string
	// Background, when set, is the context of work that outlives its
	// request (imports running on after the upload's answer): ending it
	// stops that work, and Wait waits for it.
	Background context.Context
	// ReportRequested, when set, tells the report builder that a report
	// is waiting.
	ReportRequested func()
	jobs            sync.WaitGroup
	// imp holds the imports in flight and their error reports.
	imp *importState
	// flashKeys are the messages a redirect may ask to show (?ok=key);
	// filled while the routes are set up, read-only afterwards.
	flashKeys map[string]bool
	// recModels caches parsed model versions by their stored id (a
	// version never changes once stored).
	models suggest.Models // parsed recommendation models, by version
}

// New returns the UI with its routes.
func New(svc Services) (*Web, error) {
	w := &Web{svc: svc, mux: http.NewServeMux(), pages: map[string]*template.Template{}, imp: newImportState()}
	w.flash("org.saved", "user.created", "user.disabled", "user.enabled", "account.password.changed", "account.digits.saved")
	w.flash("catalogue.saved", "webhook.ui.deleted", "holiday.saved")
	w.flash("dedupe.ui.decided", "dedupe.ui.merged", "dedupe.ui.unmerged")
	w.flash("provider.offer.created", "provider.offer.saved")
	w.flash("registry.ui.saved", "registry.ui.registered", "registry.ui.case_saved", "registry.ui.consent_saved", "registry.ui.consent_withdrawn_ok", "registry.ui.reception_saved")
	if err := w.parse(); err != nil {
		return nil, err
	}
	static, _ := fs.Sub(staticFS, "static")
	w.mux.Handle("GET /static/", http.StripPrefix("/static/", cacheForever(http.FileServerFS(static))))
	w.mux.HandleFunc("GET /{$}", w.root)
	w.mux.HandleFunc("GET /lang", w.setLang)
	w.handle("GET /login", w.loginForm, false)
	w.handle("POST /login", w.login, false)
	w.handle("POST /logout", w.logout, false)
	w.handle("GET /home", w.home, true)
	w.handle("GET /orgs", w.orgList, true)
	w.handle("GET /orgs/new", w.orgNew, true)
	w.handle("POST /orgs", w.orgCreate, true)
	w.handle("GET /orgs/{id}/edit", w.orgEdit, true)
	w.handle("POST /orgs/{id}", w.orgUpdate, true)
	w.handle("GET /users", w.userList, true)
	w.handle("GET /users/new", w.userNew, true)
	w.handle("POST /users", w.userCreate, true)
	w.handle("POST /users/{id}/state", w.userState, true)
	w.handle("GET /account", w.account, true)
	w.handle("POST /account/password", w.changePassword, true)
	w.handle("POST /account/digits", w.setDigits, true)
	w.routesRegistry()
	w.routesDedupe()
	w.routesAssessment()
	w.routesReferral()
	w.routesReferralStats()
	w.routesIndicator()
	w.routesReport()
	w.routesWebhooks()
	w.routesPlan()
	w.routesDelivery()
	w.routesProviders()
	w.routesTasks()
	w.routesAccounts()
	w.routesAudit()
	w.routesOccupations()
	w.routesSkills()
	w.routesIssuer()
	w.routesVerify()
	w.routesRecommend()
	w.routesSubject()
	w.routesBreakGlass()
	w.routesPrivacy()
	w.routesProgramme()
	w.routesHandoff()
	w.routesSignIn()
	return w, nil
}

func cacheForever(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Asset names carry their version (htmx-2.0.11.min.js); app.css is
		// small and revalidated.
		if strings.Contains(r.URL.Path, "-") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		h.ServeHTTP(w, r)
	})
}

// ServeHTTP serves the UI.
func (w *Web) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	if _, pattern := w.mux.Handler(r); pattern == "" {
		w.noRoute(rw, r)
		return
	}
	w.mux.ServeHTTP(rw, r)
}

// noRoute answers a request no page takes, with the application's own page
// instead of Go's plain text. An address that only takes a form's POST —
// the one the browser shows after a refused form, reloaded or opened from
// history — leads back to the page the form was on, the nearest address
// above it that can be opened. Anything else is not found.
func (w *Web) noRoute(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Cache-Control", "no-store")
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		if w.takes(http.MethodPost, r.URL.Path) {
			for p := path.Dir(r.URL.Path); p != "/" && p != "."; p = path.Dir(p) {
				if w.takes(http.MethodGet, p) {
					http.Redirect(rw, r, p, http.StatusSeeOther)
					return
				}
			}
			http.Redirect(rw, r, "/", http.StatusSeeOther)
			return
		}
		w.errorPage(rw, r, homeward.Errorf(homeward.ENOTFOUND, "error.page.not_found", "There is no page at this address."))
		return
	}
	if w.takes(http.MethodGet, r.URL.Path) || w.takes(http.MethodPost, r.URL.Path) {
		rw.Header().Set("Allow", "GET, POST")
		w.errorPage(rw, r, homeward.Errorf(homeward.EMETHOD, "error.page.method", "This address cannot be used this way."))
		return
	}
	w.errorPage(rw, r, homeward.Errorf(homeward.ENOTFOUND, "error.page.not_found", "There is no page at this address."))
}

// takes reports whether a page is registered for method on urlPath.
func (w *Web) takes(method, urlPath string) bool {
	req := &http.Request{Method: method, URL: &url.URL{Path: urlPath}, Host: "homeward"}
	_, pattern := w.mux.Handler(req)
	return pattern != ""
}

type handlerFunc func(http.ResponseWriter, *http.Request) error

// handle registers a page; signedIn pages send anonymous visitors to the
// login page. Every POST is checked for the session's CSRF token. A form
// post is read whole, up to httpx.MaxFormBody, before anything else looks at
// it: a larger body is refused without being read further.
func (w *Web) handle(pattern string, h handlerFunc, signedIn bool) {
	w.serve(pattern, h, signedIn, 0, nil)
}

// upload registers a signed-in page that takes a file of up to limit bytes
// (plus the form around it). may decides, before a byte of the body is
// read, whether the actor may upload here at all.
func (w *Web) upload(pattern string, h handlerFunc, limit int64, may func(*homeward.Actor) error) {
	w.serve(pattern, h, true, limit, may)
}

// uploadSlack is room for the multipart framing and the small fields
// around an uploaded file.
const uploadSlack = 64 << 10

func (w *Web) serve(pattern string, h handlerFunc, signedIn bool, upload int64, may func(*homeward.Actor) error) {
	w.mux.HandleFunc(pattern, func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Cache-Control", "no-store")
		// ParseMultipartForm may leave files in the temporary directory;
		// net/http removes only those of the request it created, and the
		// middleware hands the handlers a copy, so this one removes them.
		defer httpx.RemoveMultipart(r)
		a := homeward.ActorFromContext(r.Context())
		if signedIn && a == nil {
			http.Redirect(rw, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if signedIn && a != nil && a.MustEnrol && !enrolPages[pattern] {
			// Nothing else until the second factor the organisation
			// requires is set up (the services refuse it too).
			http.Redirect(rw, r, enrolPath, http.StatusSeeOther)
			return
		}
		if may != nil {
			if err := may(a); err != nil {
				w.errorPage(rw, r, err)
				return
			}
		}
		if err := httpx.LimitForm(rw, r, upload); err != nil {
			w.errorPage(rw, r, err)
			return
		}
		if err := httpx.CheckCSRF(r); err != nil {
			w.errorPage(rw, r, err)
			return
		}
		if err := h(rw, r); err != nil {
			w.errorPage(rw, r, err)
		}
	})
}

func (w *Web) parse() error {
	funcs := template.FuncMap{
		"t":       func(lang, key string, kv ...any) string { return i18n.T(lang, key, pairs(kv)) },
		"req":     req,
		"dir":     i18n.Dir,
		"base":    i18n.Base,
		"locales": i18n.Locales,
		"digits":  i18n.Digits,
		// scriptLang tags a name in its own script with its language.
		"currency":   w.currency,
		"scriptLang": i18n.ScriptLang,
		"num":        i18n.Number,
		"dateIn":     dateValue,
		"pair":       func(a, b any) []any { return []any{a, b} },
		"date":       func(lang string, t time.Time) string { return isoText(lang, t.Format(time.DateOnly)) },
		"join":       strings.Join,
		"list":       func(v ...any) []any { return v },
		"providerSelect": func(row int, selected string, opts []option) providerSelect {
			return providerSelect{Row: row, Selected: selected, Options: opts}
		},
		"label": label,
		// districtOptions writes a select's districts, grouped, the one given selected.
		"districtOptions": districtOptionsHTML,
		"printHead": func(lang, css, title, button string) printHead {
			return printHead{Lang: lang, CSS: css, Title: title, Button: button}
		},
		"has": func(list []string, s string) bool {
			for _, x := range list {
				if x == s {
					return true
				}
			}
			return false
		},
		"roleKey":    func(r homeward.Role) string { return "role." + string(r) },
		"orgTypeKey": func(t homeward.OrgType) string { return "orgtype." + string(t) },
		"roleNames": func(lang string, rs []homeward.Role) string {
			names := make([]string, len(rs))
			for i, r := range rs {
				names[i] = i18n.T(lang, "role."+string(r), nil)
			}
			return strings.Join(names, ", ")
		},
	}
	layout, err := templateFS.ReadFile("templates/layout.html")
	if err != nil {
		return err
	}
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		return err
	}
	// partial_*.html define pieces shared by a few pages (the passkey
	// forms); every page can use them.
	var partials []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), "partial_") {
			b, err := templateFS.ReadFile("templates/" + e.Name())
			if err != nil {
				return err
			}
			partials = append(partials, string(b))
		}
	}
	for _, e := range entries {
		name := e.Name()
		if name == "layout.html" || strings.HasPrefix(name, "partial_") {
			continue
		}
		body, err := templateFS.ReadFile("templates/" + name)
		if err != nil {
			return err
		}
		t, err := template.New("layout").Funcs(funcs).Parse(string(layout))
		if err != nil {
			return err
		}
		for _, part := range partials {
			if _, err := t.Parse(part); err != nil {
				return err
			}
		}
		if _, err := t.Parse(string(body)); err != nil {
			return errors.Join(errors.New("template "+name), err)
		}
		w.pages[strings.TrimSuffix(name, ".html")] = t
	}
	return nil
}

// printHead is what the head of a page made to be printed shows
// (partial_print.html).
type printHead struct{ Lang, CSS, Title, Button string }

func pairs(kv []any) map[string]any {
	if len(kv) == 0 {
		return nil
	}
	m := map[string]any{}
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}

// page is the data every template receives.
type page struct {
	Lang   string
	Title  string
	Actor  *homeward.Actor
	CSRF   string
	Path   string
	Flash  string
	Errors map[string]string // field → translated message
	Error  string            // a message for the whole form
	// Summary lists the field errors at the top of the page, each a link
	// to its field; render fills it from Errors unless a handler did.
	Summary []errorLink
	Data    any
	Can     func(action string) bool
	// Passkeys: the server has a WebAuthn relying party (Web.Passkeys).
	Passkeys bool
}

func (w *Web) newPage(r *http.Request, titleKey string, data any) *page {
	lang := httpx.Locale(r)
	p := &page{Lang: lang, Title: i18n.T(lang, titleKey, nil), Actor: homeward.ActorFromContext(r.Context()), Path: r.URL.RequestURI(), Data: data,
		Passkeys: w.Passkeys}
	if s := httpx.SessionFrom(r.Context()); s != nil {
		p.CSRF = s.CSRFToken
	}
	if f := r.URL.Query().Get("ok"); f != "" && w.flashKeys[f] {
		p.Flash = i18n.T(lang, f, nil)
	}
	actor := p.Actor
	p.Can = func(action string) bool {
		return actor != nil && homeward.Can(actor, homeward.Action(action), homeward.Resource{OrgID: actor.OrgID})
	}
	return p
}

// flash lets a redirect show these messages (?ok=key).
func (w *Web) flash(keys ...string) {
	if w.flashKeys == nil {
		w.flashKeys = map[string]bool{}
	}
	for _, k := range keys {
		w.flashKeys[k] = true
	}
}

// refusal shows why a write was refused on the page it came from: field
// errors next to the fields (400, renamed as formErrors does), a conflict,
// stale version or refusal at the top with its own status. Other errors
// are returned, for the error page.
func refusal(p *page, err error, rename func(string) string) (int, error) {
	if formErrors(p, err, rename) == nil {
		return http.StatusBadRequest, nil
	}
	switch homeward.ErrorCode(err) {
	case homeward.ECONFLICT, homeward.EPRECONDITION, homeward.EFORBIDDEN:
		p.Error = i18n.Error(p.Lang, err)
		return httpx.StatusOf(err), nil
	}
	return 0, err
}

// errorLink is one entry of a page's error summary: the message and the
// id of the field it is about.
type errorLink struct{ ID, Text string }

// errorSummary lists field errors in the order of their names, each linked
// to its input (whose id is inputID of its name).
func errorSummary(errs map[string]string) []errorLink {
	keys := make([]string, 0, len(errs))
	for k := range errs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]errorLink, 0, len(keys))
	for _, k := range keys {
		if errs[k] != "" {
			out = append(out, errorLink{ID: inputID(k), Text: errs[k]})
		}
	}
	return out
}

// formErrors fills p from a validation error; other errors are returned.
// An entry's error is shown at its list's input (areas[2] at areas,
// services[1].provider_id at services); rename, when not nil, then gives
// the input's name for a field the form names otherwise than the service
// ("training.course" is "course").
func formErrors(p *page, err error, rename func(string) string) error {
	var e *homeward.Error
	if !errors.As(err, &e) || e.Code != homeward.EINVALID && e.Code != homeward.EUNAUTHORIZED && e.Code != homeward.ERATELIMIT {
		return err
	}
	input := func(field string) string {
		if rename == nil {
			return field
		}
		return rename(field)
	}
	p.Errors = map[string]string{}
	if len(e.Fields) == 0 && e.Field == "" {
		p.Error = i18n.Error(p.Lang, err)
	}
	if e.Field != "" && len(e.Fields) == 0 {
		p.Errors[input(e.Field)] = i18n.Error(p.Lang, err)
	}
	for _, f := range e.Fields {
		field := f.Field
		if i := strings.IndexByte(field, '['); i > 0 {
			field = field[:i]
		}
		field = input(field)
		if _, dup := p.Errors[field]; !dup {
			p.Errors[field] = i18n.FieldMessage(p.Lang, f)
		}
	}
	if p.Error == "" && len(p.Errors) > 1 {
		p.Error = i18n.T(p.Lang, "error.validation", nil)
	}
	return nil
}

func (w *Web) render(rw http.ResponseWriter, status int, name string, p *page) error {
	t, ok := w.pages[name]
	if !ok {
		return errors.New("no template " + name)
	}
	if len(p.Summary) == 0 && len(p.Errors) > 0 {
		p.Summary = errorSummary(p.Errors)
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return err
	}
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Content-Language", p.Lang)
	rw.WriteHeader(status)
	_, err := rw.Write(buf.Bytes())
	return err
}

func (w *Web) errorPage(rw http.ResponseWriter, r *http.Request, err error) {
	status := httpx.StatusOf(err)
	if status == http.StatusInternalServerError {
		httpx.LoggerFrom(r.Context()).Error("internal error", "err", err)
	}
	httpx.RetryLater(rw, r, err)
	if status == http.StatusUnauthorized {
		http.Redirect(rw, r, "/login", http.StatusSeeOther)
		return
	}
	title := "error.page.title"
	switch status {
	case http.StatusNotFound:
		title = "error.page.not_found.title"
	case http.StatusForbidden:
		title = "error.page.forbidden.title"
	case http.StatusMethodNotAllowed:
		title = "error.page.method.title"
	}
	// A way back: the page the visitor came from, when it is one of ours.
	back := ""
	if ref, perr := url.Parse(r.Referer()); perr == nil && ref.Host == r.Host && ref.Path != r.URL.Path && strings.HasPrefix(ref.Path, "/") {
		back = ref.RequestURI()
	}
	p := w.newPage(r, title, errorView{Status: status, Back: back})
	p.Error = i18n.Error(p.Lang, err)
	if rerr := w.render(rw, status, "error", p); rerr != nil {
		http.Error(rw, p.Error, status)
	}
}

func (w *Web) root(rw http.ResponseWriter, r *http.Request) {
	if homeward.ActorFromContext(r.Context()) != nil {
		http.Redirect(rw, r, "/home", http.StatusSeeOther)
		return
	}
	http.Redirect(rw, r, "/login", http.StatusSeeOther)
}

// localPath accepts only same-site paths for redirects: an absolute path
// with no scheme or host, no backslash and no control characters (browsers
// drop tabs and newlines, so "/\t/evil.example" would become
// "//evil.example").
func localPath(s, fallback string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.ContainsRune(s, '\\') {
		return fallback
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return fallback
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return fallback
	}
	return s
}

func (w *Web) setLang(rw http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	if i18n.Supported(to) {
		http.SetCookie(rw, &http.Cookie{Name: "lang", Value: to, Path: "/", MaxAge: 365 * 24 * 3600, SameSite: http.SameSiteLaxMode, Secure: w.SecureCookies})
	}
	http.Redirect(rw, r, localPath(r.URL.Query().Get("back"), "/"), http.StatusSeeOther)
}

func (w *Web) background() context.Context {
	if w.Background != nil {
		return w.Background
	}
	return context.Background()
}

// Wait waits, until ctx ends, for work that outlived its request (imports
// stop soon after Background ends, at the next row).
func (w *Web) Wait(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		w.jobs.Wait()
		w.removeReports()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// errorView is what the error page shows besides the message.
type errorView struct {
	Status int
	Back   string // the referring page on this site, if any
}

// clock returns the instance's clock as the signed-in user sees it: in their
// organisation's time zone when it names one.
func (w *Web) clock(r *http.Request) homeward.Clock {
	return w.svc.Clock.For(homeward.ActorFromContext(r.Context()))
}

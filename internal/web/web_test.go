package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/server"
)

type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T) (*browser, *homewardtest.World) {
	t.Helper()
	return newBrowserWith(t, nil)
}

// newBrowserWith is newBrowser with set run on the world before the
// server is made (to configure its database).
func newBrowserWith(t *testing.T, set func(*homewardtest.World)) (*browser, *homewardtest.World) {
	t.Helper()
	return newBrowserIn(t, "", set)
}

// newBrowserIn is newBrowserWith on an instance serving country (its
// pack's code; "" for the default).
func newBrowserIn(t *testing.T, country string, set func(*homewardtest.World)) (*browser, *homewardtest.World) {
	t.Helper()
	return newBrowserOpts(t, func(w *homewardtest.World, o *server.Options) {
		o.Country = country
		if set != nil {
			set(w)
		}
	})
}

// newBrowserOpts is newBrowser with set run on the world and the server's
// options before the server is made.
func newBrowserOpts(t *testing.T, set func(*homewardtest.World, *server.Options)) (*browser, *homewardtest.World) {
	t.Helper()
	w := homewardtest.NewWorld(t)
	// The server ends as serve ends it: background work (imports) stops
	// and their error reports are removed, so no test leaves files behind.
	bg, stop := context.WithCancel(context.Background())
	opt := server.Options{Logger: slog.New(slog.DiscardHandler), Background: bg}
	set(w, &opt)
	h, err := server.New(w.DB, opt)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(func() {
		srv.Close()
		stop()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := h.Wait(ctx); err != nil {
			t.Errorf("the server's background work did not end: %v", err)
		}
	})
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, base: srv.URL, c: &http.Client{Jar: jar}}, w
}

func (b *browser) get(path string) (int, string) {
	b.t.Helper()
	res, err := b.c.Get(b.base + path)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

func (b *browser) post(path string, form url.Values) (int, string) {
	b.t.Helper()
	res, err := b.c.PostForm(b.base+path, form)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(body)
}

var csrfRe = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func csrf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("page has no CSRF token")
	}
	return m[1]
}

func (b *browser) login(email string) string {
	b.t.Helper()
	status, page := b.post("/login", url.Values{"email": {email}, "password": {homewardtest.Password}})
	if status != 200 || !strings.Contains(page, `id="home-title"`) {
		b.t.Fatalf("login as %s: %d\n%.500s", email, status, page)
	}
	return page
}

func TestLoginPages(t *testing.T) {
	b, w := newBrowser(t)
	if _, page := b.get("/home"); !strings.Contains(page, `id="login-submit"`) {
		t.Fatal("anonymous /home does not lead to the login page")
	}
	status, page := b.post("/login", url.Values{"email": {"nobody@x.test"}, "password": {"wrong"}})
	if status != 401 || !strings.Contains(page, "The e-mail address or password is wrong.") {
		t.Errorf("failed login: %d", status)
	}
	// Bangla, chosen with the language switch.
	b.get("/lang?to=bn&back=/login")
	_, page = b.get("/login")
	if !strings.Contains(page, `<html lang="bn" dir="ltr">`) || !strings.Contains(page, "সাইন ইন করুন") {
		t.Errorf("Bangla login page:\n%.600s", page)
	}
	status, page = b.post("/login", url.Values{"email": {"nobody@x.test"}, "password": {"wrong"}})
	if status != 401 || !strings.Contains(page, "ই-মেইল ঠিকানা বা পাসওয়ার্ড ভুল।") {
		t.Errorf("Bangla failed login: %d", status)
	}
	page = b.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)
	if !strings.Contains(page, "কেস কর্মী") {
		t.Error("home page lacks the translated role")
	}
	// Off-site redirects are refused, in every spelling a browser would
	// turn into another host.
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	for _, back := range []string{"//evil.example/", "/\\evil.example", "/\t/evil.example", "/\n/evil.example", "https://evil.example/", "evil.example", "/%09/evil.example"} {
		res, err := noFollow.Get(b.base + "/lang?to=en&back=" + url.QueryEscape(back))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusSeeOther || (loc != "/" && loc != back) {
			t.Errorf("back=%q: %d %q", back, res.StatusCode, loc)
		}
		if u, err := url.Parse(loc); err != nil || u.Host != "" || strings.ContainsAny(loc, "\\\t\n") {
			t.Errorf("back=%q redirected off-site to %q", back, loc)
		}
	}
	res, err := noFollow.Get(b.base + "/lang?to=en&back=" + url.QueryEscape("/people?q=a b"))
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if loc := res.Header.Get("Location"); loc != "/people?q=a b" && loc != "/people?q=a%20b" {
		t.Errorf("a local path with a query was not kept: %q", loc)
	}
}

func TestFormsNeedCSRF(t *testing.T) {
	b, w := newBrowser(t)
	b.login(w.Users["ngo"][homeward.RoleAdministrator].Email)
	status, _ := b.post("/orgs/"+w.NGO.ID, url.Values{"name": {"Hijacked"}, "version": {"1"}, "type": {"ngo"}, "country": {"BD"}})
	if status != 403 {
		t.Errorf("POST without CSRF token: %d", status)
	}
	o, _ := w.DB.FindOrganisationByID(homewardtest.SystemCtx(), w.NGO.ID)
	if o.Name == "Hijacked" {
		t.Error("CSRF-less form changed the organisation")
	}
}

func TestOrganisationForms(t *testing.T) {
	b, w := newBrowser(t)
	b.login(w.Users["operator"][homeward.RoleAdministrator].Email)
	_, page := b.get("/orgs/new")
	token := csrf(t, page)
	status, page := b.post("/orgs", url.Values{"csrf_token": {token}, "name": {""}, "type": {"ngo"}, "country": {"BD"}, "areas": {"BD3026, BD0000"}})
	if status != 400 || !strings.Contains(page, "This field is required.") || !strings.Contains(page, "“BD0000” is not a known administrative area") {
		t.Errorf("invalid organisation form: %d\n%s", status, page)
	}
	if !strings.Contains(page, `value="BD3026, BD0000"`) && !strings.Contains(page, "BD3026, BD0000") {
		t.Error("the form lost what was typed")
	}
	status, page = b.post("/orgs", url.Values{"csrf_token": {token}, "name": {"Narayanganj Returnee Hub"}, "type": {"ngo"}, "country": {"BD"}, "areas": {"BD3067"}})
	if status != 200 || !strings.Contains(page, "Organisation saved.") || !strings.Contains(page, "Narayanganj Returnee Hub") {
		t.Errorf("create organisation: %d", status)
	}
}

func TestOtherOrganisationIsHidden(t *testing.T) {
	b, w := newBrowser(t)
	b.login(w.Users["ngo"][homeward.RoleAdministrator].Email)
	if status, _ := b.get("/orgs/" + w.Operator.ID + "/edit"); status != 404 {
		t.Errorf("editing another organisation: %d", status)
	}
	if status, _ := b.get("/orgs/" + w.NGO.ID + "/edit"); status != 200 {
		t.Errorf("editing own organisation: %d", status)
	}
	_, page := b.get("/users")
	if strings.Contains(page, w.Users["operator"][homeward.RoleCaseWorker].Email) {
		t.Error("user list shows another organisation's users")
	}
	if status, _ := b.get("/orgs/new"); status != 403 {
		t.Errorf("NGO admin on the new-organisation page: %d", status)
	}
}

func TestUserAdministration(t *testing.T) {
	b, w := newBrowser(t)
	b.login(w.Users["ngo"][homeward.RoleAdministrator].Email)
	_, page := b.get("/users/new")
	token := csrf(t, page)
	status, page := b.post("/users", url.Values{"csrf_token": {token}, "name": {"Rahima"}, "email": {"not-an-email"}, "password": {"short"}, "locale": {"bn"}})
	if status != 400 || !strings.Contains(page, "This is not a valid e-mail address.") || !strings.Contains(page, "Choose at least one role.") {
		t.Errorf("invalid user form: %d\n%s", status, page)
	}
	status, page = b.post("/users", url.Values{"csrf_token": {token}, "name": {"Rahima"}, "email": {"rahima@ngo.test"}, "password": {"a long enough password"}, "roles": {"case_worker", "supervisor"}, "locale": {"bn"}})
	if status != 200 || !strings.Contains(page, "rahima@ngo.test") {
		t.Fatalf("create user: %d", status)
	}
	// A case worker has no user administration.
	b2, _ := &browser{t: t, base: b.base, c: &http.Client{}}, 0
	jar, _ := cookiejar.New(nil)
	b2.c.Jar = jar
	b2.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)
	if status, _ := b2.get("/users"); status != 403 {
		t.Errorf("case worker on /users: %d", status)
	}
}

// A cross-site form cannot sign a visitor in (login CSRF), though a plain
// client and a same-origin browser can.
func TestLoginRefusesCrossSitePost(t *testing.T) {
	b, w := newBrowser(t)
	email := w.Users["ngo"][homeward.RoleCaseWorker].Email
	form := url.Values{"email": {email}, "password": {homewardtest.Password}}
	for _, tc := range []struct {
		name   string
		header map[string]string
		want   int
	}{
		{"cross-site fetch metadata", map[string]string{"Sec-Fetch-Site": "cross-site"}, http.StatusForbidden},
		{"foreign origin", map[string]string{"Origin": "https://evil.example"}, http.StatusForbidden},
		{"same origin", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": b.base}, http.StatusOK},
	} {
		req, _ := http.NewRequest("POST", b.base+"/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range tc.header {
			req.Header.Set(k, v)
		}
		jar, _ := cookiejar.New(nil)
		c := &http.Client{Jar: jar}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		u, _ := url.Parse(b.base)
		signedIn := len(jar.Cookies(u)) > 0
		if res.StatusCode != tc.want || signedIn != (tc.want == http.StatusOK) {
			t.Errorf("%s: status %d, signed in %v", tc.name, res.StatusCode, signedIn)
		}
	}
}

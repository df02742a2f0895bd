package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"regexp"
	"strings"
	"testing"

	"homeward"
)

// Every form says which fields are required: the fields the server refuses
// empty carry the required attribute (which draws the * after their label),
// and the form explains the mark in the user's language.
func TestRequiredFieldsAreMarked(t *testing.T) {
	b, w := newBrowser(t)
	pages := []struct {
		org  string
		role homeward.Role
		path string
		ids  []string // controls that must be marked required
	}{
		{"ngo", homeward.RoleCaseWorker, "/people/new", []string{"person-sex", "episodes-0-destination_country", "episodes-0-return-date"}},
		{"ngo", homeward.RoleCaseWorker, "/reception", []string{}},
		{"ngo", homeward.RoleCaseWorker, "/account", []string{"current_password", "password", "password_again"}},
		{"ngo", homeward.RoleAdministrator, "/users/new", []string{"name", "email", "password"}},
		{"ngo", homeward.RoleAdministrator, "/orgs/" + w.NGO.ID + "/edit", []string{"name", "type", "country"}},
		{"ngo", homeward.RoleAdministrator, "/webhooks", []string{"url"}},
		{"operator", homeward.RoleAdministrator, "/services/new", []string{"code", "name-en"}},
	}
	for _, lang := range []string{"en", "bn"} {
		note := map[string]string{"en": "Fields marked * are required.", "bn": "* চিহ্নিত ঘরগুলো পূরণ করা আবশ্যক।"}[lang]
		for _, pg := range pages {
			c := &browser{t: t, base: b.base, c: &http.Client{}}
			c.c.Jar, _ = cookiejar.New(nil)
			c.login(w.Users[pg.org][pg.role].Email)
			c.get("/lang?to=" + lang)
			status, page := c.get(pg.path)
			if status != 200 {
				t.Errorf("%s %s: %d", lang, pg.path, status)
				continue
			}
			if !strings.Contains(page, note) {
				t.Errorf("%s %s: no note explaining the * mark", lang, pg.path)
			}
			for _, id := range pg.ids {
				re := regexp.MustCompile(`<(?:input|select|textarea) id="` + regexp.QuoteMeta(id) + `"[^>]*\brequired\b`)
				if !re.MatchString(page) {
					t.Errorf("%s %s: #%s is not marked required", lang, pg.path, id)
				}
			}
		}
	}
	// The reception desk's radio groups: sex and how the person returned.
	c := &browser{t: t, base: b.base, c: &http.Client{}}
	c.c.Jar, _ = cookiejar.New(nil)
	c.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)
	_, page := c.get("/reception")
	for _, name := range []string{"sex", "return_type"} {
		if !regexp.MustCompile(`<input type="radio" name="` + name + `"[^>]*\brequired\b`).MatchString(page) {
			t.Errorf("reception: the %s choices are not marked required", name)
		}
	}
}

package e2e

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"homeward"
	"homeward/internal/demo"
)

var crawlLinkRe = regexp.MustCompile(`(?:href|hx-get)="(/[^"#]*)"`)

// On the demo world, every role's home page, menu and what the home page
// loads lead to no page that refuses (403), is missing (404) or fails
// (500), in English and Bangla.
func TestDemoHomeLinksPerRole(t *testing.T) {
	db, w := seedDemo(t)
	base := serveDB(t, db)
	seenRole := map[homeward.Role]bool{}
	for _, u := range w.Users {
		if len(u.Roles) != 1 || seenRole[u.Roles[0]] {
			continue
		}
		seenRole[u.Roles[0]] = true
		for _, lang := range []string{"en", "bn"} {
			get, b := signInHTTP(t, base, u.Email, lang)
			seen := map[string]bool{}
			var queue []string
			add := func(page string) {
				for _, m := range crawlLinkRe.FindAllStringSubmatch(page, -1) {
					link := strings.ReplaceAll(m[1], "&amp;", "&")
					if strings.HasPrefix(link, "/static/") || strings.HasPrefix(link, "/lang") || seen[link] {
						continue
					}
					seen[link] = true
					queue = append(queue, link)
				}
			}
			add(b)
			for i := 0; i < len(queue); i++ {
				status, body := get(queue[i])
				switch status {
				case 403, 404, 500:
					t.Errorf("%s (%s, %s): %s answers %d", u.Email, u.Roles[0], lang, queue[i], status)
				}
				if strings.HasSuffix(queue[i], "/panel") || strings.HasSuffix(queue[i], "/tasks") {
					add(body) // loaded into the home page
				}
			}
		}
	}
	if len(seenRole) != len(homeward.Roles) {
		t.Errorf("demo users cover %d of %d roles", len(seenRole), len(homeward.Roles))
	}
}

// signInHTTP signs in to the demo at base as email in lang over plain HTTP
// and returns a GET for the session and the page the sign-in led to.
func signInHTTP(t *testing.T, base, email, lang string) (get func(path string) (int, string), home string) {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get = func(path string) (int, string) {
		res, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	get("/lang?to=" + lang + "&back=/login")
	res, err := c.PostForm(base+"/login", url.Values{"email": {email}, "password": {demo.Password}})
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	return get, string(b)
}

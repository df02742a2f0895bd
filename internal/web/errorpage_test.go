package web_test

import (
	"net/http"
	"strings"
	"testing"

	"homeward"
)

// TestOwnErrorPages checks that an address no page takes gets the
// application's page — translated, with a way home — never Go's plain text,
// and that opening a form's POST address (a reload after a refused form)
// leads back to the page the form was on.
func TestOwnErrorPages(t *testing.T) {
	b, w := newBrowser(t)
	for _, c := range []struct {
		lang, title string
	}{{"en", "Page not found"}, {"bn", "পাতাটি পাওয়া যায়নি"}} {
		req, _ := http.NewRequest("GET", b.base+"/no/such/page", nil)
		req.Header.Set("Accept-Language", c.lang)
		res, err := b.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body := readAll(t, res)
		if res.StatusCode != 404 || !strings.Contains(body, c.title) || !strings.Contains(body, `id="error-home"`) || !strings.Contains(body, `lang="`+c.lang+`"`) {
			t.Errorf("%s: unknown page: %d\n%.600s", c.lang, res.StatusCode, body)
		}
	}
	cw := b.as(w, "ngo", homeward.RoleSupervisor)
	// A POST-only address opened with GET goes to the nearest page above it.
	id := homeward.NewID()
	res, err := cw.c.Get(cw.base + "/deliveries/" + id + "/decision")
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.Request.URL.Path != "/deliveries/"+id || res.StatusCode == http.StatusMethodNotAllowed {
		t.Errorf("GET of a form's address: %d at %s\n%.300s", res.StatusCode, res.Request.URL.Path, body)
	}
	// A method no page takes: the application's 405, with Allow.
	req, _ := http.NewRequest("DELETE", cw.base+"/people", nil)
	res, err = cw.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if body := readAll(t, res); res.StatusCode != 405 || res.Header.Get("Allow") == "" || !strings.Contains(body, "cannot be opened this way") {
		t.Errorf("DELETE /people: %d %q\n%.600s", res.StatusCode, res.Header.Get("Allow"), body)
	}
	// The way back is the referring page on this site, never another site.
	req, _ = http.NewRequest("GET", cw.base+"/people/nobody-here/x", nil)
	req.Header.Set("Referer", cw.base+"/people?q=rahima")
	res, _ = cw.c.Do(req)
	if body := readAll(t, res); !strings.Contains(body, `href="/people?q=rahima" id="error-back"`) {
		t.Errorf("no way back to the referring page:\n%.800s", body)
	}
	req.Header.Set("Referer", "https://evil.example/people")
	res, _ = cw.c.Do(req)
	if body := readAll(t, res); strings.Contains(body, "evil.example") || strings.Contains(body, `id="error-back"`) {
		t.Errorf("a way back to another site:\n%.800s", body)
	}
}

func readAll(t *testing.T, res *http.Response) string {
	t.Helper()
	defer res.Body.Close()
	var b strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		b.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return b.String()
}

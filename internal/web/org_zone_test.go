package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"homeward"
)

// An organisation's administrator names its time zone; its users' prefilled
// dates follow it, and an unknown zone is refused in their language with
// what was typed kept.
func TestOrganisationTimeZoneForm(t *testing.T) {
	b, w := newBrowser(t)
	// 18:30 UTC: 11 March in Dhaka, still 10 March in Karachi.
	now := time.Date(2026, 3, 10, 18, 30, 0, 0, time.UTC)
	w.DB.Now = func() time.Time { return now }

	cw := &browser{t: t, base: b.base, c: &http.Client{}}
	cw.c.Jar, _ = cookiejar.New(nil)
	cw.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)
	if _, page := cw.get("/people/new"); !strings.Contains(page, "11/03/2026") {
		t.Fatalf("before: the registration form does not prefill Dhaka's today")
	}

	b.login(w.Users["ngo"][homeward.RoleAdministrator].Email)
	_, page := b.get("/orgs/" + w.NGO.ID + "/edit")
	if !strings.Contains(page, `id="time_zone"`) || !strings.Contains(page, "Asia/Dhaka") {
		t.Fatalf("no time zone field naming the instance's zone:\n%s", page)
	}
	token := csrf(t, page)
	form := url.Values{"csrf_token": {token}, "version": {"1"}, "name": {w.NGO.Name}, "type": {"ngo"}, "country": {"BD"},
		"areas": {"BD3026"}, "time_zone": {"Asia/Karachii"}}
	b.get("/lang?to=bn")
	status, page := b.post("/orgs/"+w.NGO.ID, form)
	if status != 400 || !strings.Contains(page, "“Asia/Karachii” কোনো পরিচিত সময় অঞ্চল নয়") || !strings.Contains(page, `value="Asia/Karachii"`) {
		t.Fatalf("unknown zone: %d\n%s", status, page)
	}
	form.Set("time_zone", "Asia/Karachi")
	if status, _ := b.post("/orgs/"+w.NGO.ID, form); status != 200 {
		t.Fatalf("save zone: %d", status)
	}
	// The case worker's next page follows Karachi's calendar.
	if _, page := cw.get("/people/new"); !strings.Contains(page, "10/03/2026") || strings.Contains(page, "11/03/2026") {
		t.Errorf("after: the registration form does not prefill Karachi's today")
	}
}

package web_test

import (
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/sqldb"
)

// Sign-in answers never tell whether an account exists: a known and an
// unknown address are refused, then throttled, alike (issue 12, finding 8).
func TestLoginThrottleTellsNoOneWhoExists(t *testing.T) {
	b, w := newBrowser(t)
	known := w.Users["ngo"][homeward.RoleCaseWorker].Email
	var statuses [2][]int
	var last [2]string
	for i, email := range []string{known, "nobody@shapla.test"} {
		for n := 0; n <= sqldb.AccountFreeFailures; n++ {
			status, page := b.post("/login", url.Values{"email": {email}, "password": {"wrong password"}})
			statuses[i] = append(statuses[i], status)
			last[i] = strings.ReplaceAll(page, email, "EMAIL")
		}
	}
	if got := statuses[0][len(statuses[0])-1]; got != 429 {
		t.Errorf("known account after %d failures: %d", sqldb.AccountFreeFailures, got)
	}
	if !slices.Equal(statuses[0], statuses[1]) {
		t.Errorf("statuses differ: known %v, unknown %v", statuses[0], statuses[1])
	}
	if last[0] != last[1] {
		t.Errorf("the throttled pages differ for a known and an unknown account")
	}
	if !strings.Contains(last[0], "Too many sign-in attempts.") {
		t.Errorf("throttled page: %.300s", last[0])
	}
}

// A provider staff role asked for on the users page waits for a second
// administrator, who approves it on the same page; the one who asked cannot.
func TestRoleGrantPages(t *testing.T) {
	b, w := newBrowser(t)
	second := &homeward.User{OrgID: w.NGO.ID, Email: "second.admin@ngo.test", Name: "Second Admin", Roles: []homeward.Role{homeward.RoleAdministrator}}
	if err := w.DB.CreateUser(w.Ctx("ngo", homeward.RoleAdministrator), second, homewardtest.Password); err != nil {
		t.Fatal(err)
	}
	b.login(w.Users["ngo"][homeward.RoleAdministrator].Email)
	_, page := b.get("/users/new")
	status, page := b.post("/users", url.Values{"csrf_token": {csrf(t, page)}, "name": {"Nasrin"}, "email": {"nasrin@ngo.test"},
		"password": {"a long enough password"}, "roles": {"provider_staff"}, "locale": {"en"}})
	if status != 200 || !strings.Contains(page, "waits for a second administrator") {
		t.Fatalf("create counsellor: %d\n%.2000s", status, page)
	}
	if !strings.Contains(page, `id="role-grants"`) || !strings.Contains(page, "Another administrator decides") || strings.Contains(page, "/approve") {
		t.Errorf("the asking administrator may decide:\n%s", page)
	}
	b2 := &browser{t: t, base: b.base, c: &http.Client{}}
	b2.c.Jar, _ = cookiejar.New(nil)
	b2.post("/login", url.Values{"email": {second.Email}, "password": {homewardtest.Password}})
	_, page = b2.get("/users")
	m := regexp.MustCompile(`action="(/role-grants/[^"]+/approve)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("second administrator sees nothing to approve:\n%s", page)
	}
	// The asking administrator cannot approve by posting directly either.
	_, own := b.get("/users")
	if status, body := b.post(m[1], url.Values{"csrf_token": {csrf(t, own)}}); status != 403 || !strings.Contains(body, "Another administrator must approve") {
		t.Errorf("asking administrator approves: %d\n%.1000s", status, body)
	}
	status, page = b2.post(m[1], url.Values{"csrf_token": {csrf(t, page)}})
	if status != 200 || !strings.Contains(page, "Role granted.") || strings.Contains(page, `id="role-grants"`) {
		t.Errorf("approve: %d\n%.2000s", status, page)
	}
}

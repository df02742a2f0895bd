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

// A lone administrator's second administrator waits for the operator's
// administrator (the lone one cannot approve it, so cannot make an account
// to approve their own requests with). A provider staff role asked for on
// the users page then waits for the second administrator, who approves it
// on the same page; the one who asked cannot.
func TestRoleGrantPages(t *testing.T) {
	b, w := newBrowser(t)
	second := &homeward.User{OrgID: w.NGO.ID, Email: "second.admin@ngo.test", Name: "Second Admin"}
	b.login(w.Users["ngo"][homeward.RoleAdministrator].Email)
	_, page := b.get("/users/new")
	status, page := b.post("/users", url.Values{"csrf_token": {csrf(t, page)}, "name": {second.Name}, "email": {second.Email},
		"password": {homewardtest.Password}, "roles": {"administrator"}, "locale": {"en"}})
	if status != 200 || !strings.Contains(page, "wait for someone else&#39;s approval") || strings.Contains(page, "/approve") {
		t.Fatalf("create a second administrator: %d\n%.2000s", status, page)
	}
	op := &browser{t: t, base: b.base, c: &http.Client{}}
	op.c.Jar, _ = cookiejar.New(nil)
	op.post("/login", url.Values{"email": {w.Users["operator"][homeward.RoleAdministrator].Email}, "password": {homewardtest.Password}})
	_, opPage := op.get("/users")
	am := regexp.MustCompile(`action="(/role-grants/[^"]+/approve)"`).FindStringSubmatch(opPage)
	if am == nil || !strings.Contains(opPage, "Second Admin <span class=\"muted\">(Shapla Returnee Support)</span>") {
		t.Fatalf("the operator's administrator sees no administrator grant to approve:\n%s", opPage)
	}
	_, own := b.get("/users")
	if status, _ := b.post(am[1], url.Values{"csrf_token": {csrf(t, own)}}); status != 403 {
		t.Fatalf("the lone administrator approves their own second administrator: %d", status)
	}
	if status, page := op.post(am[1], url.Values{"csrf_token": {csrf(t, opPage)}}); status != 200 || !strings.Contains(page, "Role granted.") {
		t.Fatalf("operator approves: %d\n%.2000s", status, page)
	}
	_, page = b.get("/users/new")
	status, page = b.post("/users", url.Values{"csrf_token": {csrf(t, page)}, "name": {"Nasrin"}, "email": {"nasrin@ngo.test"},
		"password": {"a long enough password"}, "roles": {"provider_staff"}, "locale": {"en"}})
	if status != 200 || !strings.Contains(page, "wait for someone else&#39;s approval") {
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
	_, own = b.get("/users")
	if status, body := b.post(m[1], url.Values{"csrf_token": {csrf(t, own)}}); status != 403 || !strings.Contains(body, "Another administrator must approve") {
		t.Errorf("asking administrator approves: %d\n%.1000s", status, body)
	}
	status, page = b2.post(m[1], url.Values{"csrf_token": {csrf(t, page)}})
	if status != 200 || !strings.Contains(page, "Role granted.") || strings.Contains(page, `id="role-grants"`) {
		t.Errorf("approve: %d\n%.2000s", status, page)
	}
}

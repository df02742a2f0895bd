package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/i18n"
	"homeward/internal/secondfactor"
)

// signinClock fixes the database's clock at a known instant (in the middle
// of a TOTP step) and returns it to move.
func signinClock(t *testing.T, w *homewardtest.World) *time.Time {
	t.Helper()
	now := time.Date(2026, 11, 23, 10, 0, 5, 0, time.UTC)
	old := w.DB.Now
	w.DB.Now = func() time.Time { return now }
	t.Cleanup(func() { w.DB.Now = old })
	return &now
}

var (
	policyVersionRe = regexp.MustCompile(`name="version" value="(\d+)"`)
	secretRe        = regexp.MustCompile(`<code id="totp-secret">([A-Z2-7 ]+)</code>`)
	recoveryRe      = regexp.MustCompile(`<li><code>([A-Z0-9]{5}-[A-Z0-9]{5})</code></li>`)
)

// enrolWeb sets up an authenticator app for the browser's user through the
// pages and returns its secret and recovery codes.
func enrolWeb(t *testing.T, u *browser, now time.Time) (string, []string) {
	t.Helper()
	_, page := u.get("/account/second-factor")
	status, page := u.post("/account/totp/begin", url.Values{"csrf_token": {csrf(t, page)}})
	m := secretRe.FindStringSubmatch(page)
	if status != 200 || m == nil || !strings.Contains(page, `id="totp-qr"`) {
		t.Fatalf("begin: %d\n%.2000s", status, page)
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code, _ := secondfactor.Code(secret, now)
	status, page = u.post("/account/totp/confirm", url.Values{"csrf_token": {csrf(t, page)}, "code": {code}})
	var codes []string
	for _, m := range recoveryRe.FindAllStringSubmatch(page, -1) {
		codes = append(codes, m[1])
	}
	if status != 200 || len(codes) != secondfactor.RecoveryCodes {
		t.Fatalf("confirm: %d, %d recovery codes\n%.2000s", status, len(codes), page)
	}
	return secret, codes
}

// signInCode signs in with the password, expects the code step, and
// gives code; it returns the answer.
func signInCode(t *testing.T, u *browser, email, code string) (int, string) {
	t.Helper()
	status, page := u.post("/login", url.Values{"email": {email}, "password": {homewardtest.Password}})
	if status != 200 || !strings.Contains(page, `id="code-submit"`) {
		t.Fatalf("password step: %d\n%.1000s", status, page)
	}
	return u.post("/login/code", url.Values{"code": {code}, "next": {"/home"}})
}

// policyVersion is the version of the sign-in rules a page's form edits.
func policyVersion(t *testing.T, page string) string {
	t.Helper()
	m := policyVersionRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the sign-in rules form has no version")
	}
	return m[1]
}

func audited(t *testing.T, w *homewardtest.World, recordID, action string) int {
	t.Helper()
	evs, _, err := w.DB.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{RecordID: &recordID, Action: &action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

// A case worker sets up an authenticator app on the account page (QR code
// and key, confirmed by a first code), then signs in with the password and
// a code; a code used once is refused, a recovery code works once, wrong
// codes are throttled, and removing the app needs a current code.
func TestSecondFactorEnrolAndSignIn(t *testing.T) {
	b, w := newBrowser(t)
	now := signinClock(t, w)
	usr := w.Users["ngo"][homeward.RoleCaseWorker]
	u := b.as(w, "ngo", homeward.RoleCaseWorker)
	if _, page := u.get("/account"); !strings.Contains(page, `id="totp-off"`) || !strings.Contains(page, `id="session-current"`) {
		t.Fatalf("account page before enrolment:\n%.2000s", page)
	}
	// A wrong first code enrols nothing.
	_, page := u.get("/account/second-factor")
	_, page = u.post("/account/totp/begin", url.Values{"csrf_token": {csrf(t, page)}})
	for _, bad := range []string{"", "000000", "12345", strings.Repeat("9", 5000)} {
		status, p := u.post("/account/totp/confirm", url.Values{"csrf_token": {csrf(t, page)}, "code": {bad}})
		if status != 400 || !strings.Contains(p, "The code is wrong or was already used.") {
			t.Errorf("first code %.10q: %d", bad, status)
		}
	}
	if _, page := u.get("/account"); !strings.Contains(page, `id="totp-off"`) {
		t.Fatal("a wrong first code enrolled the app")
	}
	secret, recovery := enrolWeb(t, u, *now)
	if audited(t, w, usr.ID, "auth.totp.enrolled") != 1 {
		t.Error("enrolment not audited")
	}
	if _, page := u.get("/account"); !strings.Contains(page, `id="totp-on"`) || strings.Contains(page, recovery[0]) {
		t.Errorf("account page after enrolment (recovery codes are shown once):\n%.2000s", page)
	}

	// Sign-in asks for the code after the password. The code of the
	// enrolment is still in its window: replayed, refused.
	v := b.fresh()
	enrolCode, _ := secondfactor.Code(secret, *now)
	if status, page := signInCode(t, v, usr.Email, enrolCode); status != 401 || !strings.Contains(page, "The code is wrong or was already used.") {
		t.Fatalf("replayed code: %d\n%.1000s", status, page)
	}
	if _, page := v.get("/home"); strings.Contains(page, `id="home-title"`) {
		t.Fatal("the password alone opened a session")
	}
	*now = now.Add(secondfactor.Period)
	code, _ := secondfactor.Code(secret, *now)
	status, page := v.post("/login/code", url.Values{"code": {code}, "next": {"/home"}})
	if status != 200 || !strings.Contains(page, `id="home-title"`) {
		t.Fatalf("right code: %d\n%.1000s", status, page)
	}
	// The same code once more, on a new sign-in: refused.
	if status, _ := signInCode(t, b.fresh(), usr.Email, code); status != 401 {
		t.Errorf("code used twice: %d", status)
	}

	// A recovery code (typed in lower case, without its dash) works once.
	// (A right code clears the count of wrong ones.)
	typed := strings.ToLower(strings.ReplaceAll(recovery[0], "-", ""))
	if status, page := signInCode(t, b.fresh(), usr.Email, typed); status != 200 || !strings.Contains(page, `id="home-title"`) {
		t.Fatalf("recovery code: %d", status)
	}
	// Wrong codes are throttled like passwords: after five, even the
	// right code waits.
	x := b.fresh()
	signInCode(t, x, usr.Email, "111111")
	for range 4 {
		x.post("/login/code", url.Values{"code": {"111111"}})
	}
	// (The next step's code, accepted for a clock a step ahead.)
	code, _ = secondfactor.Code(secret, now.Add(secondfactor.Period))
	if status, page := x.post("/login/code", url.Values{"code": {code}}); status != 429 || !strings.Contains(page, "Too many sign-in attempts") {
		t.Errorf("right code after five wrong ones: %d\n%.1000s", status, page)
	}
	*now = now.Add(2 * time.Second)
	if status, page := x.post("/login/code", url.Values{"code": {code}}); status != 200 || !strings.Contains(page, `id="home-title"`) {
		t.Errorf("after the wait: %d", status)
	}

	if status, _ := signInCode(t, b.fresh(), usr.Email, recovery[0]); status != 401 {
		t.Errorf("recovery code used twice: %d", status)
	}
	if audited(t, w, usr.ID, "auth.recovery_code.used") != 1 {
		t.Error("recovery code use not audited")
	}
	if _, page := u.get("/account"); !strings.Contains(page, "Unused recovery codes: 9") {
		t.Error("the account page does not count the recovery codes left")
	}

	// New recovery codes need the password and replace the old ones.
	_, page = u.get("/account")
	if status, _ := u.post("/account/recovery-codes", url.Values{"csrf_token": {csrf(t, page)}, "codes_password": {"wrong"}}); status != 400 {
		t.Errorf("new recovery codes with a wrong password: %d", status)
	}
	status, page = u.post("/account/recovery-codes", url.Values{"csrf_token": {csrf(t, page)}, "codes_password": {homewardtest.Password}})
	fresh := recoveryRe.FindAllStringSubmatch(page, -1)
	if status != 200 || len(fresh) != secondfactor.RecoveryCodes {
		t.Fatalf("new recovery codes: %d %d", status, len(fresh))
	}
	if status, _ := signInCode(t, b.fresh(), usr.Email, recovery[1]); status != 401 {
		t.Errorf("an old recovery code after new ones were made: %d", status)
	}

	// Removing the app needs a current code: the password is not one.
	_, page = u.get("/account")
	for _, bad := range []string{"", homewardtest.Password, code, recovery[2]} {
		if status, p := u.post("/account/totp/disable", url.Values{"csrf_token": {csrf(t, page)}, "disable_code": {bad}}); status != 400 || !strings.Contains(p, `id="totp-on"`) {
			t.Errorf("remove with %q: %d", bad, status)
		}
	}
	*now = now.Add(2 * secondfactor.Period)
	code, _ = secondfactor.Code(secret, *now)
	status, page = u.post("/account/totp/disable", url.Values{"csrf_token": {csrf(t, page)}, "disable_code": {code}})
	if status != 200 || !strings.Contains(page, "The authenticator app was removed.") || !strings.Contains(page, `id="totp-off"`) {
		t.Fatalf("remove with a current code: %d\n%.1500s", status, page)
	}
	if audited(t, w, usr.ID, "auth.totp.disabled") != 1 {
		t.Error("removal not audited")
	}
	if b.fresh().login(usr.Email) == "" {
		t.Error("after removal, the password alone")
	}
}

// An organisation administrator requires a second factor of case workers:
// a case worker without one, already signed in, is sent to set it up
// before anything else opens, and once it is set up works as before.
func TestSignInPolicyForcesEnrolment(t *testing.T) {
	b, w := newBrowser(t)
	now := signinClock(t, w)
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	admin := b.as(w, "ngo", homeward.RoleAdministrator)
	_, page := admin.get("/account")
	if !strings.Contains(page, `id="signin-policy-link"`) {
		t.Error("the administrator's account page does not lead to the sign-in rules")
	}
	_, page = admin.get("/signin-policy")
	if !strings.Contains(page, `id="policy-role-case_worker"`) {
		t.Fatalf("policy page:\n%.1500s", page)
	}
	form := url.Values{"csrf_token": {csrf(t, page)}, "version": {policyVersion(t, page)}, "roles": {"case_worker", "administrator"}, "idle_minutes": {"30"}, "absolute_minutes": {"600"}}
	// Saved; the administrator, who required it of themselves too, is
	// sent to set it up at once.
	if status, page := admin.post("/signin-policy", form); status != 200 || !strings.Contains(page, `id="enrol-required"`) {
		t.Fatalf("save policy: %d\n%.1000s", status, page)
	}
	if p, err := w.DB.SignInPolicy(w.Ctx("ngo", homeward.RoleAdministrator), w.NGO.ID); err != nil || len(p.SecondFactorRoles) != 2 || p.AbsoluteMinutes != 600 {
		t.Fatalf("saved policy: %+v %v", p, err)
	}
	if audited(t, w, w.NGO.ID, "auth.policy.update") != 2 { // the fixture's, and this one
		t.Error("policy change not audited")
	}
	for _, path := range []string{"/home", "/people", "/account"} {
		if status, page := cw.get(path); status != 200 || !strings.Contains(page, `id="enrol-required"`) {
			t.Errorf("%s without the required second factor: %d", path, status)
		}
	}
	// Nothing else is allowed in the API either.
	if _, err := w.DB.FindSessions(homeward.NewContextWithActor(w.Ctx("ngo", homeward.RoleCaseWorker), &homeward.Actor{
		UserID: w.Users["ngo"][homeward.RoleCaseWorker].ID, OrgID: w.NGO.ID, MustEnrol: true})); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a user who must enrol lists sessions: %v", err)
	}
	enrolWeb(t, cw, *now)
	if status, page := cw.get("/people"); status != 200 || strings.Contains(page, `id="enrol-required"`) {
		t.Errorf("after enrolment: %d", status)
	}
	// A supervisor, not required, is not sent anywhere.
	if _, page := b.as(w, "ngo", homeward.RoleSupervisor).get("/home"); !strings.Contains(page, `id="home-title"`) {
		t.Error("a role the policy leaves out is sent to enrol")
	}
	if _, page := admin.get("/signin-policy"); !strings.Contains(page, `id="enrol-required"`) {
		t.Error("the administrator is not sent to enrol")
	}
}

// Only an organisation's own administrators set its sign-in rules; bad
// values are refused with a clear message and nothing is saved.
func TestSignInPolicyEdit(t *testing.T) {
	b, w := newBrowser(t)
	signinClock(t, w)
	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	if status, _ := sup.get("/signin-policy"); status != 403 {
		t.Errorf("a supervisor opens the sign-in rules: %d", status)
	}
	_, sp := sup.get("/account")
	if status, _ := sup.post("/signin-policy", url.Values{"csrf_token": {csrf(t, sp)}, "roles": {"case_worker"}, "idle_minutes": {"30"}, "absolute_minutes": {"600"}}); status != 403 {
		t.Errorf("a supervisor saves the sign-in rules: %d", status)
	}
	// The operator's administrator changes the operator's rules, never
	// the NGO's, whatever the form says.
	op := b.as(w, "operator", homeward.RoleAdministrator)
	_, page := op.get("/signin-policy")
	if status, page := op.post("/signin-policy", url.Values{"csrf_token": {csrf(t, page)}, "version": {policyVersion(t, page)}, "org_id": {w.NGO.ID}, "roles": {"case_worker"}, "idle_minutes": {"15"}, "absolute_minutes": {"600"}}); status != 200 || !strings.Contains(page, "The sign-in rules were saved.") {
		t.Fatalf("operator saves its own: %d", status)
	}
	admin := w.Ctx("ngo", homeward.RoleAdministrator)
	if p, err := w.DB.SignInPolicy(admin, w.NGO.ID); err != nil || len(p.SecondFactorRoles) != 0 || p.IdleMinutes != homeward.DefaultIdleMinutes {
		t.Errorf("the NGO's rules changed by another organisation: %+v %v", p, err)
	}
	if p, _ := w.DB.SignInPolicy(w.Ctx("operator", homeward.RoleAdministrator), w.Operator.ID); p.IdleMinutes != 15 {
		t.Errorf("the operator's own rules: %+v", p)
	}

	na := b.as(w, "ngo", homeward.RoleAdministrator)
	_, page = na.get("/signin-policy")
	tok, version := csrf(t, page), policyVersion(t, page)
	for _, tc := range []struct {
		name       string
		form       url.Values
		want, more string
	}{
		{"idle too short", url.Values{"idle_minutes": {"1"}, "absolute_minutes": {"600"}}, "Choose between 5 and 480 minutes.", ""},
		{"not a number", url.Values{"idle_minutes": {"soon"}, "absolute_minutes": {"600"}}, "Choose between 5 and 480 minutes.", ""},
		{"empty", url.Values{}, "Choose between 5 and 480 minutes.", "Choose between 60 and 1440 minutes."},
		{"huge", url.Values{"idle_minutes": {strings.Repeat("9", 4000)}, "absolute_minutes": {"600"}}, "Choose between 5 and 480 minutes.", ""},
		{"idle longer than the session", url.Values{"idle_minutes": {"300"}, "absolute_minutes": {"120"}}, "cannot be longer than the session", ""},
		{"unknown role", url.Values{"roles": {"case_worker", "king"}, "idle_minutes": {"30"}, "absolute_minutes": {"600"}}, "is not one of the allowed values", ""},
	} {
		tc.form.Set("csrf_token", tok)
		tc.form.Set("version", version)
		status, page := na.post("/signin-policy", tc.form)
		if status != 400 || !strings.Contains(page, tc.want) || !strings.Contains(page, tc.more) {
			t.Errorf("%s: %d, want %q", tc.name, status, tc.want)
		}
	}
	if p, _ := w.DB.SignInPolicy(admin, w.NGO.ID); len(p.SecondFactorRoles) != 0 || p.IdleMinutes != homeward.DefaultIdleMinutes {
		t.Errorf("refused forms saved something: %+v", p)
	}
	// Two administrators edit at once: the second is told, not obeyed.
	good := url.Values{"csrf_token": {tok}, "version": {version}, "roles": {"supervisor"}, "idle_minutes": {"20"}, "absolute_minutes": {"600"}}
	if status, _ := na.post("/signin-policy", good); status != 200 {
		t.Fatalf("first save: %d", status)
	}
	good.Set("idle_minutes", "45")
	if status, page := na.post("/signin-policy", good); status != 412 || !strings.Contains(page, "Someone else changed this record") {
		t.Errorf("a save on a stale version: %d", status)
	}
	if p, _ := w.DB.SignInPolicy(admin, w.NGO.ID); p.IdleMinutes != 20 {
		t.Errorf("the stale save overwrote the rules: %+v", p)
	}
}

// Sessions end after the organisation's idle time-out without a request,
// and after its absolute time-out however busy.
func TestSessionTimeouts(t *testing.T) {
	b, w := newBrowser(t)
	now := signinClock(t, w)
	p, err := w.DB.SignInPolicy(w.Ctx("ngo", homeward.RoleAdministrator), w.NGO.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.IdleMinutes, p.AbsoluteMinutes = 10, 60
	if err := w.DB.SetSignInPolicy(w.Ctx("ngo", homeward.RoleAdministrator), p); err != nil {
		t.Fatal(err)
	}
	signedIn := func(u *browser) bool {
		_, page := u.get("/home")
		return strings.Contains(page, `id="home-title"`)
	}
	idle := b.as(w, "ngo", homeward.RoleCaseWorker)
	busy := b.as(w, "ngo", homeward.RoleSupervisor)
	for i := 1; i <= 6; i++ { // 54 minutes, a request each 9
		*now = now.Add(9 * time.Minute)
		if !signedIn(busy) {
			t.Fatalf("a busy session ended after %d minutes", 9*i)
		}
	}
	if signedIn(idle) {
		t.Error("a session idle for 54 minutes is still open")
	}
	*now = now.Add(7 * time.Minute) // 61 minutes after sign-in, 7 idle
	if signedIn(busy) {
		t.Error("a session is open after its absolute time-out")
	}
	// A shorter time-out applies at once to sessions already open.
	fresh := b.as(w, "ngo", homeward.RoleCaseWorker)
	*now = now.Add(6 * time.Minute)
	if !signedIn(fresh) {
		t.Fatal("6 minutes idle under a 10-minute time-out")
	}
	p.IdleMinutes = 5
	if err := w.DB.SetSignInPolicy(w.Ctx("ngo", homeward.RoleAdministrator), p); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(6 * time.Minute)
	if signedIn(fresh) {
		t.Error("the shorter idle time-out did not apply to an open session")
	}
}

// A user sees where they are signed in, ends one session (that browser is
// signed out at its next request), or all others; another user's session
// cannot be ended.
func TestEndSessions(t *testing.T) {
	b, w := newBrowser(t)
	signinClock(t, w)
	usr := w.Users["ngo"][homeward.RoleCaseWorker]
	laptop := b.as(w, "ngo", homeward.RoleCaseWorker)
	phone := b.as(w, "ngo", homeward.RoleCaseWorker)
	office := b.as(w, "ngo", homeward.RoleCaseWorker)
	other := b.as(w, "ngo", homeward.RoleSupervisor)
	_, page := laptop.get("/account")
	ids := regexp.MustCompile(`action="/account/sessions/([0-9a-f]+)/end"`).FindAllStringSubmatch(page, -1)
	if len(ids) != 3 || !strings.Contains(page, `id="sessions-end-others"`) {
		t.Fatalf("%d sessions listed\n%.3000s", len(ids), page)
	}
	cur := regexp.MustCompile(`(?s)id="session-current".*?action="/account/sessions/([0-9a-f]+)/end"`).FindStringSubmatch(page)
	if cur == nil {
		t.Fatal("the current session is not marked")
	}
	var phoneID string
	for _, m := range ids {
		if m[1] != cur[1] && phoneID == "" {
			phoneID = m[1]
		}
	}
	// Another user cannot end it.
	_, op := other.get("/account")
	if status, _ := other.post("/account/sessions/"+phoneID+"/end", url.Values{"csrf_token": {csrf(t, op)}}); status != 404 {
		t.Errorf("another user ends the session: %d", status)
	}
	status, page := laptop.post("/account/sessions/"+phoneID+"/end", url.Values{"csrf_token": {csrf(t, page)}})
	if status != 200 || !strings.Contains(page, "That session was signed out.") {
		t.Fatalf("end a session: %d", status)
	}
	ended := 0
	for _, u := range []*browser{phone, office} {
		if _, p := u.get("/home"); !strings.Contains(p, `id="home-title"`) {
			ended++
		}
	}
	if ended != 1 {
		t.Errorf("%d browsers signed out by ending one session", ended)
	}
	if audited(t, w, usr.ID, "auth.session.end") != 1 {
		t.Error("ending a session not audited")
	}
	// All others: only this browser stays.
	status, page = laptop.post("/account/sessions/end-others", url.Values{"csrf_token": {csrf(t, page)}})
	if status != 200 || !strings.Contains(page, "You were signed out everywhere else.") {
		t.Fatalf("end others: %d", status)
	}
	for name, u := range map[string]*browser{"phone": phone, "office": office} {
		if _, p := u.get("/home"); strings.Contains(p, `id="home-title"`) {
			t.Errorf("%s still signed in", name)
		}
	}
	if _, p := laptop.get("/home"); !strings.Contains(p, `id="home-title"`) {
		t.Error("ending the others signed this browser out")
	}
	if _, p := other.get("/home"); !strings.Contains(p, `id="home-title"`) {
		t.Error("another user's session ended")
	}
	// Ending this browser's own session signs it out.
	_, page = laptop.get("/account")
	if status, page := laptop.post("/account/sessions/"+cur[1]+"/end", url.Values{"csrf_token": {csrf(t, page)}}); status != 200 || !strings.Contains(page, `id="login-submit"`) {
		t.Errorf("end this session: %d", status)
	}
}

// The sign-in pages in Bangla: the code step, the set-up, the account page
// and the sign-in rules show no English catalog message.
func TestSignInPagesInBangla(t *testing.T) {
	b, w := newBrowser(t)
	now := signinClock(t, w)
	english := englishOf(t, "signin.json")
	check := func(name, page string) {
		t.Helper()
		if !strings.Contains(page, `lang="bn"`) {
			t.Errorf("%s is not in Bangla", name)
		}
		for _, e := range english {
			if strings.Contains(page, e) {
				t.Errorf("English on the Bangla %s: %q", name, e)
			}
		}
	}
	admin := b.as(w, "ngo", homeward.RoleAdministrator)
	admin.get("/lang?to=bn")
	_, page := admin.get("/account")
	check("account page", page)
	_, page = admin.get("/signin-policy")
	check("sign-in rules", page)
	_, page = admin.post("/signin-policy", url.Values{"csrf_token": {csrf(t, page)}, "version": {policyVersion(t, page)}, "idle_minutes": {"1"}, "absolute_minutes": {"600"}})
	check("refused sign-in rules", page)
	if !strings.Contains(page, "মিনিটের মধ্যে বেছে নিন") {
		t.Error("the refusal is not in Bangla")
	}
	_, page = admin.get("/account/second-factor")
	check("set-up page", page)
	_, page = admin.post("/account/totp/begin", url.Values{"csrf_token": {csrf(t, page)}})
	check("set-up with its key", page)
	m := secretRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no key shown")
	}
	secret := strings.ReplaceAll(m[1], " ", "")
	code, _ := secondfactor.Code(secret, *now)
	_, page = admin.post("/account/totp/confirm", url.Values{"csrf_token": {csrf(t, page)}, "code": {code}})
	check("recovery codes", page)
	_, page = admin.get("/account")
	check("account page with the app", page)

	v := b.fresh()
	v.get("/lang?to=bn")
	v.post("/login", url.Values{"email": {w.Users["ngo"][homeward.RoleAdministrator].Email}, "password": {homewardtest.Password}})
	_, page = v.get("/login/code")
	check("code step", page)
	status, page := v.post("/login/code", url.Values{"code": {"000000"}})
	check("wrong code", page)
	if status != 401 || !strings.Contains(page, i18n.T("bn", "error.totp.wrong_code", nil)) {
		t.Errorf("wrong code in Bangla: %d", status)
	}
}

// englishOf returns the English messages of a catalog file that have a
// Bangla translation of their own and no placeholders, for pages in Bangla
// to be checked against.
func englishOf(t *testing.T, file string) []string {
	t.Helper()
	var out []string
	for _, k := range i18n.Keys("en") {
		en := i18n.T("en", k, nil)
		if strings.Contains(en, "{") || len(strings.Fields(en)) < 2 || i18n.T("bn", k, nil) == en {
			continue
		}
		if strings.HasPrefix(k, "account.") || strings.HasPrefix(k, "signin.") || strings.HasPrefix(k, "login.code") || strings.HasPrefix(k, "error.totp") || strings.HasPrefix(k, "error.signin") {
			out = append(out, en)
		}
	}
	if len(out) < 20 {
		t.Fatalf("%s: only %d messages to check", file, len(out))
	}
	return out
}

// A user who lost their authenticator and recovery codes asks the
// operator, who removes the factor from the command line (no organisation
// administrator can): the user's sessions end, the password alone signs
// in, and the account page says what happened until a new one is set up.
func TestOperatorResetsSecondFactor(t *testing.T) {
	b, w := newBrowser(t)
	now := signinClock(t, w)
	usr := w.Users["ngo"][homeward.RoleCaseWorker]
	u := b.as(w, "ngo", homeward.RoleCaseWorker)
	enrolWeb(t, u, *now)
	for _, role := range []homeward.Role{homeward.RoleAdministrator, homeward.RoleSupervisor} {
		if err := w.DB.ResetSecondFactor(w.Ctx("ngo", role), usr.ID); homewardtest.Code(err) != homeward.EFORBIDDEN {
			t.Errorf("the organisation's %s resets a second factor: %v", role, err)
		}
	}
	if err := w.DB.ResetSecondFactor(w.Ctx("operator", homeward.RoleAdministrator), usr.ID); err == nil {
		t.Errorf("the operator organisation's administrator resets a second factor: %v", err)
	}
	if err := w.DB.ResetSecondFactor(homewardtest.SystemCtx(), usr.ID); err != nil {
		t.Fatal(err)
	}
	if audited(t, w, usr.ID, "auth.totp.reset") != 1 {
		t.Error("reset not audited")
	}
	if _, page := u.get("/home"); strings.Contains(page, `id="home-title"`) {
		t.Error("the user's session outlived the reset")
	}
	v := b.fresh()
	v.login(usr.Email)
	_, page := v.get("/account")
	if !strings.Contains(page, `id="factor-reset"`) || !strings.Contains(page, "operator on 2026-11-23") || !strings.Contains(page, `id="totp-off"`) {
		t.Fatalf("account page after the reset:\n%.1500s", page[strings.Index(page, "<main"):])
	}
	*now = now.Add(secondfactor.Period)
	enrolWeb(t, v, *now)
	if _, page := v.get("/account"); strings.Contains(page, `id="factor-reset"`) {
		t.Error("the notice outlived the new set-up")
	}
}

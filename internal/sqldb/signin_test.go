package sqldb_test

import (
	"context"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/secondfactor"
	"homeward/internal/sqldb"
)

// fixedClock makes db's clock read *now.
func fixedClock(db *sqldb.DB, start time.Time) *time.Time {
	now := start
	db.Now = func() time.Time { return now }
	return &now
}

// signIn signs in with the password and returns the session's actor
// context and token; the account must not have a second factor.
func signIn(t *testing.T, db *sqldb.DB, email string) (context.Context, string) {
	t.Helper()
	token, s, err := db.Login(context.Background(), email, homewardtest.Password)
	if err != nil || s.SecondFactor {
		t.Fatalf("sign in %s: %v %+v", email, err, s)
	}
	a, _, err := db.SessionActor(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return homeward.NewContextWithActor(context.Background(), a), token
}

// enrolTOTP enrols an authenticator for the signed-in actor of ctx and
// returns its secret and recovery codes.
func enrolTOTP(t *testing.T, db *sqldb.DB, ctx context.Context) (string, []string) {
	t.Helper()
	e, err := db.BeginTOTP(ctx)
	if err != nil {
		t.Fatal(err)
	}
	code, _ := secondfactor.Code(e.Secret, db.Now())
	codes, err := db.ConfirmTOTP(ctx, code)
	if err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if len(codes) != secondfactor.RecoveryCodes {
		t.Fatalf("%d recovery codes", len(codes))
	}
	return e.Secret, codes
}

func auditCount(t *testing.T, db *sqldb.DB, userID, action string) int {
	t.Helper()
	events, _, err := db.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{RecordID: &userID, Action: &action, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return len(events)
}

func TestTOTPSignIn(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	now := fixedClock(db, time.Date(2026, 11, 23, 10, 0, 5, 0, time.UTC))
	u := w.Users["ngo"][homeward.RoleCaseWorker]
	ctx, _ := signIn(t, db, u.Email)

	// Enrolment: a wrong first code is refused and nothing is enrolled.
	e, err := db.BeginTOTP(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.ConfirmTOTP(ctx, "000000"); homewardtest.Code(err) != homeward.EINVALID {
		t.Fatalf("wrong first code: %v", err)
	}
	if st, _ := db.SecondFactorStatus(ctx); st.TOTP {
		t.Fatal("enrolled with a wrong code")
	}
	code, _ := secondfactor.Code(e.Secret, *now)
	recovery, err := db.ConfirmTOTP(ctx, code)
	if err != nil {
		t.Fatal(err)
	}
	if st, _ := db.SecondFactorStatus(ctx); !st.TOTP || st.RecoveryCodesLeft != 10 {
		t.Fatalf("status %+v", st)
	}
	if _, err := db.BeginTOTP(ctx); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("second enrolment over a confirmed one: %v", err)
	}
	if auditCount(t, db, u.ID, "auth.totp.enrolled") != 1 {
		t.Error("enrolment not audited")
	}

	// Sign-in now takes two steps; no session exists after the password.
	challenge, s, err := db.Login(context.Background(), u.Email, homewardtest.Password)
	if err != nil || !s.SecondFactor {
		t.Fatalf("password step: %v %+v", err, s)
	}
	if _, _, err := db.SessionActor(context.Background(), challenge); err == nil {
		t.Fatal("the pending sign-in's token works as a session")
	}
	// The code used at enrolment is still in its window: replayed, refused.
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, code); homewardtest.Code(err) != homeward.EINVALID {
		t.Fatalf("replayed enrolment code: %v", err)
	}
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, "123456"); homewardtest.Code(err) != homeward.EINVALID {
		t.Fatalf("wrong code: %v", err)
	}
	*now = now.Add(secondfactor.Period)
	code, _ = secondfactor.Code(e.Secret, *now)
	token, s, err := db.LoginSecondFactor(context.Background(), challenge, code)
	if err != nil || s.SecondFactor {
		t.Fatalf("second step: %v", err)
	}
	if _, _, err := db.SessionActor(context.Background(), token); err != nil {
		t.Fatalf("session after both steps: %v", err)
	}
	// The challenge is used up; the same code on a new sign-in is a replay.
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, code); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("challenge used twice: %v", err)
	}
	challenge, _, _ = db.Login(context.Background(), u.Email, homewardtest.Password)
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, code); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("code replayed on a new sign-in: %v", err)
	}
	if n := auditCount(t, db, u.ID, "auth.login_failed"); n < 3 {
		t.Errorf("%d refused codes audited", n)
	}

	// A recovery code works once, typed any way.
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, " "+recovery[0][:5]+" "+recovery[0][6:]); err != nil {
		t.Fatalf("recovery code: %v", err)
	}
	challenge, _, _ = db.Login(context.Background(), u.Email, homewardtest.Password)
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, recovery[0]); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("recovery code used twice: %v", err)
	}
	if auditCount(t, db, u.ID, "auth.recovery_code.used") != 1 {
		t.Error("recovery code use not audited")
	}
	if st, _ := db.SecondFactorStatus(ctx); st.RecoveryCodesLeft != 9 {
		t.Errorf("%d recovery codes left", st.RecoveryCodesLeft)
	}
	// Another user's recovery code is no use.
	other, _ := signIn(t, db, w.Users["ngo"][homeward.RoleMEAnalyst].Email)
	_, otherCodes := enrolTOTP(t, db, other)
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, otherCodes[0]); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("another user's recovery code: %v", err)
	}

	// A pending sign-in lapses.
	challenge, _, _ = db.Login(context.Background(), u.Email, homewardtest.Password)
	*now = now.Add(sqldb.ChallengeLife + time.Second)
	code, _ = secondfactor.Code(e.Secret, *now)
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, code); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("lapsed challenge: %v", err)
	}

	// Regenerated codes replace the old ones, and need the password.
	if _, err := db.RegenerateRecoveryCodes(ctx, "wrong password"); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("regenerate with a wrong password: %v", err)
	}
	fresh, err := db.RegenerateRecoveryCodes(ctx, homewardtest.Password)
	if err != nil {
		t.Fatal(err)
	}
	challenge, _, _ = db.Login(context.Background(), u.Email, homewardtest.Password)
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, recovery[1]); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("old recovery code after regenerating: %v", err)
	}
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, fresh[0]); err != nil {
		t.Errorf("new recovery code: %v", err)
	}

	// Disabling needs a current code: the password is not enough.
	if err := db.DisableTOTP(ctx, ""); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("disable without a code: %v", err)
	}
	if err := db.DisableTOTP(ctx, homewardtest.Password); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("disable with the password: %v", err)
	}
	if err := db.DisableTOTP(ctx, fresh[0]); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("disable with a used recovery code: %v", err)
	}
	if st, _ := db.SecondFactorStatus(ctx); !st.TOTP {
		t.Fatal("refused disabling removed the factor")
	}
	if err := db.DisableTOTP(ctx, fresh[1]); err != nil {
		t.Fatalf("disable with a recovery code: %v", err)
	}
	if auditCount(t, db, u.ID, "auth.totp.disabled") != 1 {
		t.Error("disabling not audited")
	}
	if _, s, err := db.Login(context.Background(), u.Email, homewardtest.Password); err != nil || s.SecondFactor {
		t.Errorf("after disabling, the password alone: %v", err)
	}
}

func TestTOTPCodesThrottled(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	now := fixedClock(db, time.Date(2026, 11, 23, 10, 0, 5, 0, time.UTC))
	u := w.Users["ngo"][homeward.RoleCaseWorker]
	ctx, _ := signIn(t, db, u.Email)
	secret, _ := enrolTOTP(t, db, ctx)
	challenge, _, _ := db.Login(context.Background(), u.Email, homewardtest.Password)
	for n := range sqldb.CodeFreeFailures {
		if _, _, err := db.LoginSecondFactor(context.Background(), challenge, "000000"); homewardtest.Code(err) != homeward.EINVALID {
			t.Fatalf("wrong code %d: %v", n, err)
		}
	}
	// The next step's code (accepted for a clock a step ahead) is right,
	// but it must wait.
	code, _ := secondfactor.Code(secret, now.Add(secondfactor.Period))
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, code); homewardtest.Code(err) != homeward.ERATELIMIT {
		t.Fatalf("after %d wrong codes, the right one: %v", sqldb.CodeFreeFailures, err)
	}
	// The wait is per user: a new password step does not reset it.
	challenge, _, _ = db.Login(context.Background(), u.Email, homewardtest.Password)
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, code); homewardtest.Code(err) != homeward.ERATELIMIT {
		t.Fatalf("new challenge during the wait: %v", err)
	}
	*now = now.Add(2 * time.Second)
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, code); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
}

func TestSecondFactorRequired(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	fixedClock(db, time.Date(2026, 11, 23, 10, 0, 5, 0, time.UTC))
	admin := w.Ctx("ngo", homeward.RoleAdministrator)

	// Only the organisation's own administrators read and set its policy.
	p, err := db.SignInPolicy(admin, w.NGO.ID)
	if err != nil || len(p.SecondFactorRoles) != 0 || p.IdleMinutes != homeward.DefaultIdleMinutes {
		t.Fatalf("fixture policy %+v %v", p, err)
	}
	p.SecondFactorRoles = []homeward.Role{homeward.RoleCaseWorker}
	for who, ctx := range map[string]context.Context{
		"operator administrator": w.Ctx("operator", homeward.RoleAdministrator),
		"supervisor":             w.Ctx("ngo", homeward.RoleSupervisor),
	} {
		if err := db.SetSignInPolicy(ctx, p); err == nil {
			t.Errorf("%s changed the NGO's policy", who)
		}
	}
	if err := db.SetSignInPolicy(w.Ctx("operator", homeward.RoleAdministrator), p); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation's administrator: %v", err)
	}
	if _, err := db.SignInPolicy(w.Ctx("operator", homeward.RoleAdministrator), w.NGO.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation's administrator reads: %v", err)
	}
	bad := *p
	bad.IdleMinutes = 1
	if err := db.SetSignInPolicy(admin, &bad); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("idle of a minute: %v", err)
	}
	// A change made on a version another change has passed is refused.
	stale, before := *p, p.Version
	stale.Version--
	if err := db.SetSignInPolicy(admin, &stale); homewardtest.Code(err) != homeward.EPRECONDITION {
		t.Errorf("change on a stale version: %v", err)
	}
	if err := db.SetSignInPolicy(admin, p); err != nil {
		t.Fatal(err)
	}
	stale.Version = before
	if p.Version != before+1 {
		t.Errorf("version %d after a change of version %d", p.Version, before)
	}
	if err := db.SetSignInPolicy(admin, &stale); homewardtest.Code(err) != homeward.EPRECONDITION {
		t.Errorf("change on the version just replaced: %v", err)
	}
	if got, _ := db.SignInPolicy(admin, w.NGO.ID); len(got.SecondFactorRoles) != 1 || got.UpdatedAt == nil {
		t.Errorf("stored %+v", got)
	}

	// A case worker without a second factor can do nothing but enrol.
	cw := w.Users["ngo"][homeward.RoleCaseWorker]
	ctx, token := signIn(t, db, cw.Email)
	a := homeward.ActorFromContext(ctx)
	if !a.MustEnrol {
		t.Fatal("case worker not sent to enrolment")
	}
	if _, _, err := db.FindUsers(ctx, homeward.UserFilter{}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("reading before enrolment: %v", err)
	}
	if _, err := db.FindSessions(ctx); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("sessions before enrolment: %v", err)
	}
	if err := db.CreateToken(ctx, cw.ID, &homeward.APIToken{Name: "x", Scopes: []homeward.Scope{homeward.ScopeRead}}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("token before enrolment: %v", err)
	}
	if st, err := db.SecondFactorStatus(ctx); err != nil || !st.Required {
		t.Errorf("status before enrolment: %+v %v", st, err)
	}
	enrolTOTP(t, db, ctx)
	a, _, err = db.SessionActor(context.Background(), token)
	if err != nil || a.MustEnrol {
		t.Fatalf("after enrolment: %+v %v", a, err)
	}
	if _, err := db.FindSessions(homeward.NewContextWithActor(context.Background(), a)); err != nil {
		t.Errorf("sessions after enrolment: %v", err)
	}
	// Others in the organisation are not touched.
	ctx, _ = signIn(t, db, w.Users["ngo"][homeward.RoleSupervisor].Email)
	if homeward.ActorFromContext(ctx).MustEnrol {
		t.Error("supervisor sent to enrolment")
	}
	// Without a policy of its own, an organisation requires a second
	// factor of administrators, supervisors and counsellors.
	o := &homeward.Organisation{Name: "New Dawn", Type: homeward.OrgServiceProvider, Country: "BD"}
	if err := db.CreateOrganisation(homewardtest.SystemCtx(), o); err != nil {
		t.Fatal(err)
	}
	for _, r := range homeward.Roles {
		u := &homeward.User{OrgID: o.ID, Email: string(r) + "@dawn.test", Name: string(r), Roles: []homeward.Role{r}}
		if err := db.CreateUser(homewardtest.SystemCtx(), u, homewardtest.Password); err != nil {
			t.Fatal(err)
		}
		ctx, _ := signIn(t, db, u.Email)
		want := r == homeward.RoleAdministrator || r == homeward.RoleSupervisor || r == homeward.RoleProviderStaff
		if got := homeward.ActorFromContext(ctx).MustEnrol; got != want {
			t.Errorf("default policy, %s must enrol: %v", r, got)
		}
	}
}

func TestSessionTimeouts(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	start := time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC)
	now := fixedClock(db, start)
	email := w.Users["ngo"][homeward.RoleCaseWorker].Email
	resolves := func(token string) bool {
		_, _, err := db.SessionActor(context.Background(), token)
		return err == nil
	}

	// Idle: used every 29 minutes it lives on; left 31 minutes it ends.
	_, token := signIn(t, db, email)
	for range 10 {
		*now = now.Add(29 * time.Minute)
		if !resolves(token) {
			t.Fatalf("session ended while in use at %s", now.Sub(start))
		}
	}
	*now = now.Add(31 * time.Minute)
	if resolves(token) {
		t.Error("idle session alive after 31 minutes")
	}

	// Absolute: in use all along, it ends 12 hours after sign-in.
	start = *now
	_, token = signIn(t, db, email)
	for now.Sub(start) < 12*time.Hour-20*time.Minute {
		*now = now.Add(20 * time.Minute)
		if !resolves(token) {
			t.Fatalf("session ended at %s", now.Sub(start))
		}
	}
	*now = start.Add(12 * time.Hour)
	if resolves(token) {
		t.Error("session alive at its absolute time-out")
	}

	// The organisation's own time-outs apply at once to live sessions.
	_, token = signIn(t, db, email)
	p, err := db.SignInPolicy(w.Ctx("ngo", homeward.RoleAdministrator), w.NGO.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.IdleMinutes, p.AbsoluteMinutes = 10, 60
	if err := db.SetSignInPolicy(w.Ctx("ngo", homeward.RoleAdministrator), p); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(11 * time.Minute)
	if resolves(token) {
		t.Error("session alive past the new 10-minute idle time-out")
	}
}

func TestSessionsList(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	now := fixedClock(db, time.Date(2026, 11, 23, 8, 0, 0, 0, time.UTC))
	u := w.Users["ngo"][homeward.RoleCaseWorker]
	ctx := homeward.NewContextWithUserAgent(homeward.NewContextWithClientAddr(context.Background(), "203.0.113.9"), "Mozilla/5.0 (X11; Linux x86_64) Chrome/140.0")
	tok1, s1, err := db.Login(ctx, u.Email, homewardtest.Password)
	if err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Minute)
	me, tok2 := signIn(t, db, u.Email)
	_, tok3 := signIn(t, db, u.Email)
	list, err := db.FindSessions(me)
	if err != nil || len(list) != 3 {
		t.Fatalf("%d sessions: %v", len(list), err)
	}
	if last := list[2]; last.ID != s1.ID || last.ClientAddr != "203.0.113.9" || last.UserAgent == "" || !last.CreatedAt.Equal(now.Add(-time.Minute)) {
		t.Errorf("oldest session %+v", last)
	}
	// Another user cannot end my session; it is not found for them.
	colleague, ctok := signIn(t, db, w.Users["ngo"][homeward.RoleSupervisor].Email)
	if err := db.EndSession(colleague, s1.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("colleague ends my session: %v", err)
	}
	if _, _, err := db.SessionActor(context.Background(), tok1); err != nil {
		t.Error("my session ended by a colleague")
	}
	if err := db.EndSession(me, s1.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionActor(context.Background(), tok1); err == nil {
		t.Error("ended session alive")
	}
	// All others: the current one and the colleague's stay.
	_, cur, _ := db.SessionActor(context.Background(), tok2)
	if n, err := db.EndOtherSessions(me, cur.ID); err != nil || n != 1 {
		t.Errorf("ended %d others: %v", n, err)
	}
	for tok, alive := range map[string]bool{tok2: true, tok3: false, ctok: true} {
		if _, _, err := db.SessionActor(context.Background(), tok); (err == nil) != alive {
			t.Errorf("session alive=%v, want %v", err == nil, alive)
		}
	}
	if auditCount(t, db, u.ID, "auth.session.end") != 1 || auditCount(t, db, u.ID, "auth.session.end_others") != 1 {
		t.Error("session ends not audited")
	}
	// An administrator disabling the account ends its sessions.
	admin := w.Ctx("ngo", homeward.RoleAdministrator)
	cur2, _ := db.FindUserByID(admin, u.ID)
	yes := true
	if _, err := db.UpdateUser(admin, u.ID, cur2.Version, homeward.UserUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionActor(context.Background(), tok2); err == nil {
		t.Error("session alive after the account was disabled")
	}
}

// Only the operator (the system actor of the command line) removes another
// user's second factor; it ends their sessions and pending sign-ins, is
// audited, and the user is told until they set up a new one.
func TestResetSecondFactor(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	now := fixedClock(db, time.Date(2026, 11, 23, 10, 0, 5, 0, time.UTC))
	u := w.Users["ngo"][homeward.RoleSupervisor]
	ctx, token := signIn(t, db, u.Email)
	if err := db.ResetSecondFactor(homewardtest.SystemCtx(), u.ID); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("reset without a factor: %v", err)
	}
	secret, _ := enrolTOTP(t, db, ctx)
	challenge, _, _ := db.Login(context.Background(), u.Email, homewardtest.Password)
	for who, c := range map[string]context.Context{
		"own administrator":        w.Ctx("ngo", homeward.RoleAdministrator),
		"operator's administrator": w.Ctx("operator", homeward.RoleAdministrator),
		"the user":                 ctx,
	} {
		if err := db.ResetSecondFactor(c, u.ID); err == nil {
			t.Errorf("%s reset the factor", who)
		}
	}
	if st, _ := db.SecondFactorStatus(ctx); !st.TOTP || st.ResetAt != nil {
		t.Fatalf("refused resets changed the factor: %+v", st)
	}
	if err := db.ResetSecondFactor(homewardtest.SystemCtx(), "no-such-user"); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("unknown user: %v", err)
	}
	if err := db.ResetSecondFactor(homewardtest.SystemCtx(), u.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionActor(context.Background(), token); err == nil {
		t.Error("a session outlived the reset")
	}
	*now = now.Add(secondfactor.Period)
	code, _ := secondfactor.Code(secret, *now)
	if _, _, err := db.LoginSecondFactor(context.Background(), challenge, code); err == nil {
		t.Error("a pending sign-in outlived the reset")
	}
	if auditCount(t, db, u.ID, "auth.totp.reset") != 1 {
		t.Error("reset not audited")
	}
	ctx, _ = signIn(t, db, u.Email)
	if st, _ := db.SecondFactorStatus(ctx); st.TOTP || st.ResetAt == nil || !st.ResetAt.Equal(now.Add(-secondfactor.Period)) {
		t.Errorf("status after the reset: %+v", st)
	}
	enrolTOTP(t, db, ctx)
	if st, _ := db.SecondFactorStatus(ctx); st.ResetAt != nil {
		t.Error("the notice outlived a new set-up")
	}
}

// BenchmarkSessionActor resolves a browser session, as every signed-in
// request does: the session, its organisation's sign-in rules (time-outs,
// second factor required) and the user's factor in one query, plus the
// actor. The clock stands still, so the last-use write (once a minute) is
// left out; it reports the process's CPU time per request too.
func BenchmarkSessionActor(b *testing.B) {
	w := homewardtest.NewWorld(b)
	db := w.DB
	fixedClock(db, time.Date(2026, 11, 23, 10, 0, 5, 0, time.UTC))
	token, _, err := db.Login(context.Background(), w.Users["ngo"][homeward.RoleCaseWorker].Email, homewardtest.Password)
	if err != nil {
		b.Fatal(err)
	}
	cpu0 := cpuTime()
	b.ResetTimer()
	for range b.N {
		if _, _, err := db.SessionActor(context.Background(), token); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N), "cpu-µs/op")
}

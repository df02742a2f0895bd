package sqldb_test

import (
	"bytes"
	"context"
	"encoding/json"
	"slices"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/passkey"
	"homeward/internal/passkey/passkeytest"
	"homeward/internal/sqldb"
)

const passkeyOrigin = passkeytest.Origin

func withPasskeys(t *testing.T, db *sqldb.DB) {
	t.Helper()
	db.Passkeys = passkeytest.RelyingParty()
}

// addPasskey registers a new software authenticator for the actor of ctx.
func addPasskey(t *testing.T, db *sqldb.DB, ctx context.Context, name string) (*passkeytest.Authenticator, *homeward.Passkey) {
	t.Helper()
	opts, err := db.BeginPasskey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := passkeytest.New(passkeyOrigin)
	answer, err := a.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := db.FinishPasskey(ctx, name, answer)
	if err != nil {
		t.Fatalf("registration: %v", err)
	}
	return a, pk
}

// passkeyAnswer begins a sign-in (the second step of pending, or without
// a password) and has a answer it.
func passkeyAnswer(t *testing.T, db *sqldb.DB, pending string, a *passkeytest.Authenticator) []byte {
	t.Helper()
	opts, err := db.BeginPasskeyLogin(context.Background(), pending)
	if err != nil {
		t.Fatal(err)
	}
	answer, err := a.Get(opts)
	if err != nil {
		t.Fatal(err)
	}
	return answer
}

func pendingSignIn(t *testing.T, db *sqldb.DB, email string) string {
	t.Helper()
	pending, s, err := db.Login(context.Background(), email, homewardtest.Password)
	if err != nil || !s.SecondFactor {
		t.Fatalf("password step: %v %+v", err, s)
	}
	return pending
}

func TestPasskeySignIn(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	withPasskeys(t, db)
	now := fixedClock(db, time.Date(2026, 11, 23, 10, 0, 5, 0, time.UTC))
	admin := w.Ctx("ngo", homeward.RoleAdministrator)
	p, err := db.SignInPolicy(admin, w.NGO.ID)
	if err != nil {
		t.Fatal(err)
	}
	p.SecondFactorRoles = []homeward.Role{homeward.RoleCaseWorker}
	if err := db.SetSignInPolicy(admin, p); err != nil {
		t.Fatal(err)
	}
	u := w.Users["ngo"][homeward.RoleCaseWorker]
	ctx, token := signIn(t, db, u.Email)
	if !homeward.ActorFromContext(ctx).MustEnrol {
		t.Fatal("case worker not sent to enrolment")
	}

	// Registration: a name is needed; an answer to no ceremony is refused.
	opts, err := db.BeginPasskey(ctx)
	if err != nil {
		t.Fatal(err)
	}
	a := passkeytest.New(passkeyOrigin)
	answer, err := a.Create(opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.FinishPasskey(ctx, "  ", answer); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("no name: %v", err)
	}
	pk, err := db.FinishPasskey(ctx, " office   laptop ", answer)
	if err != nil || pk.Name != "office laptop" {
		t.Fatalf("registration: %+v %v", pk, err)
	}
	if _, err := db.FinishPasskey(ctx, "again", answer); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("the same registration answered twice: %v", err)
	}
	// The passkey satisfies the organisation's rule.
	if act, _, err := db.SessionActor(context.Background(), token); err != nil || act.MustEnrol {
		t.Fatalf("after a passkey: %+v %v", act, err)
	}
	if st, err := db.SecondFactorStatus(ctx); err != nil || st.Passkeys != 1 || st.TOTP {
		t.Errorf("status %+v %v", st, err)
	}
	if auditCount(t, db, u.ID, "auth.passkey.added") != 1 {
		t.Error("registration not audited")
	}

	// The password now asks for the second step, which the passkey gives.
	pending := pendingSignIn(t, db, u.Email)
	answer = passkeyAnswer(t, db, pending, a)
	tok, s, err := db.FinishPasskeyLogin(context.Background(), pending, answer)
	if err != nil || s.SecondFactor {
		t.Fatalf("passkey second step: %v", err)
	}
	if act, _, err := db.SessionActor(context.Background(), tok); err != nil || act.UserID != u.ID {
		t.Fatalf("session: %+v %v", act, err)
	}
	// The pending sign-in is used up, and so is the answer.
	if _, _, err := db.FinishPasskeyLogin(context.Background(), pending, answer); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("pending sign-in used twice: %v", err)
	}
	if _, _, err := db.FinishPasskeyLogin(context.Background(), "", answer); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("replayed answer: %v", err)
	}
	list, err := db.FindPasskeys(ctx)
	if err != nil || len(list) != 1 || list[0].LastUsedAt == nil || !list[0].LastUsedAt.Equal(*now) {
		t.Fatalf("list %+v %v", list, err)
	}

	// Without a password: the authenticator names the user.
	tok, _, err = db.FinishPasskeyLogin(context.Background(), "", passkeyAnswer(t, db, "", a))
	if err != nil {
		t.Fatalf("sign-in without a password: %v", err)
	}
	if act, _, _ := db.SessionActor(context.Background(), tok); act == nil || act.UserID != u.ID {
		t.Fatal("sign-in without a password opened no session for the user")
	}

	// Another user's passkey, a changed challenge, another origin, an
	// old counter, a lapsed ceremony: refused.
	other := w.Users["ngo"][homeward.RoleSupervisor]
	octx, _ := signIn(t, db, other.Email)
	b, bpk := addPasskey(t, db, octx, "supervisor's key")
	refusals := map[string]func() []byte{
		"another user's passkey": func() []byte { return passkeyAnswer(t, db, pending, b) },
		"changed challenge": func() []byte {
			opts, err := db.BeginPasskeyLogin(context.Background(), pending)
			if err != nil {
				t.Fatal(err)
			}
			opts = bytes.Replace(opts, []byte(`"challenge":"`), []byte(`"challenge":"AAAA`), 1)
			ans, _ := a.Get(opts)
			return ans
		},
		"other origin": func() []byte {
			a.Origin = "https://homeward.test.evil.example"
			defer func() { a.Origin = passkeyOrigin }()
			return passkeyAnswer(t, db, pending, a)
		},
		"old counter": func() []byte {
			a.Counter = 0 // a copy of the key that signed in less often
			return passkeyAnswer(t, db, pending, a)
		},
		"lapsed ceremony": func() []byte {
			ans := passkeyAnswer(t, db, pending, a)
			*now = now.Add(passkey.CeremonyLife + time.Second)
			return ans
		},
		"malformed": func() []byte { return []byte(`{"rawId":`) },
		"huge":      func() []byte { return bytes.Repeat([]byte("x"), passkey.MaxResponse+1) },
	}
	for name, answer := range refusals {
		t.Run(name, func(t *testing.T) {
			*now = now.Add(time.Minute)
			pending = pendingSignIn(t, db, u.Email)
			ans := answer()
			if _, _, err := db.FinishPasskeyLogin(context.Background(), pending, ans); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
				t.Errorf("refused with %v", err)
			}
		})
	}
	var reasons []string
	events, _, err := db.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{RecordID: &u.ID, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		var d map[string]any
		if e.Action == "auth.login_failed" && json.Unmarshal([]byte(e.Detail), &d) == nil && d["second_factor"] == "passkey" {
			reasons = append(reasons, d["reason"].(string))
		}
	}
	if len(reasons) != len(refusals)-2 || !slices.Contains(reasons, "counter") { // the malformed and huge answers name no user
		t.Errorf("refusals audited: %v", reasons)
	}

	// Removal: another user's passkey is not found, a wrong password is
	// refused; removed, the passkey no longer signs in.
	act, _, err := db.SessionActor(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	ctx = homeward.NewContextWithActor(context.Background(), act)
	if err := db.RemovePasskey(ctx, bpk.ID, homewardtest.Password); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another user's passkey removed: %v", err)
	}
	if err := db.RemovePasskey(w.Ctx("operator", homeward.RoleAdministrator), pk.ID, homewardtest.Password); err == nil {
		t.Error("another organisation's administrator removed the passkey")
	}
	if err := db.RemovePasskey(ctx, pk.ID, "wrong password"); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("wrong password: %v", err)
	}
	if err := db.RemovePasskey(ctx, pk.ID, homewardtest.Password); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(time.Minute)
	a.Counter += 10
	if _, _, err := db.FinishPasskeyLogin(context.Background(), "", passkeyAnswer(t, db, "", a)); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("removed passkey signs in: %v", err)
	}
	if _, s, err := db.Login(context.Background(), u.Email, homewardtest.Password); err != nil || s.SecondFactor {
		t.Errorf("second step asked without a factor: %v %+v", err, s)
	}
	if auditCount(t, db, u.ID, "auth.passkey.removed") != 1 {
		t.Error("removal not audited")
	}
}

func TestPasskeysUnavailable(t *testing.T) {
	w := homewardtest.NewWorld(t)
	ctx, _ := signIn(t, w.DB, w.Users["ngo"][homeward.RoleCaseWorker].Email)
	if _, err := w.DB.BeginPasskey(ctx); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("without a relying party: %v", err)
	}
	withPasskeys(t, w.DB)
	if _, err := w.DB.BeginPasskey(context.Background()); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("no actor: %v", err)
	}
}

package sqldb_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/secondfactor"
	"homeward/internal/sqldb"
)

// A user whose only second factor is a passkey makes recovery codes on
// their account page and, having lost the passkey, signs in with one: the
// path is audited, a code works once, a code is no factor of its own (none
// without a passkey or an app; gone with the last passkey), and no
// administrator can reset the passkey away.
func TestPasskeyOnlyRecovery(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	withPasskeys(t, db)
	now := fixedClock(db, time.Date(2026, 11, 23, 10, 0, 5, 0, time.UTC))
	u := w.Users["ngo"][homeward.RoleCaseWorker]
	ctx, _ := signIn(t, db, u.Email)

	// No second factor, no recovery codes.
	if _, err := db.RegenerateRecoveryCodes(ctx, homewardtest.Password); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("codes without a factor: %v", err)
	}
	_, pk := addPasskey(t, db, ctx, "phone")
	if st, err := db.SecondFactorStatus(ctx); err != nil || st.TOTP || st.Passkeys != 1 || st.RecoveryCodesLeft != 0 {
		t.Fatalf("status with a passkey: %+v %v", st, err)
	}
	if _, err := db.RegenerateRecoveryCodes(ctx, "wrong password"); err == nil {
		t.Error("codes made with a wrong password")
	}
	codes, err := db.RegenerateRecoveryCodes(ctx, homewardtest.Password)
	if err != nil || len(codes) != secondfactor.RecoveryCodes {
		t.Fatalf("codes for a passkey-only user: %d %v", len(codes), err)
	}
	if st, _ := db.SecondFactorStatus(ctx); st.RecoveryCodesLeft != len(codes) {
		t.Errorf("codes left %d, want %d", st.RecoveryCodesLeft, len(codes))
	}
	if auditCount(t, db, u.ID, "auth.recovery_codes.regenerated") != 1 {
		t.Error("making the codes not audited")
	}

	// The passkey is lost: the password asks for the second step, where a
	// TOTP-like code is refused (the user has no app) and audited, and a
	// recovery code opens the session, once.
	*now = now.Add(time.Minute)
	pending := pendingSignIn(t, db, u.Email)
	for _, bad := range []string{"123456", "", "AAAA-BBBB-CCCC"} {
		if _, _, err := db.LoginSecondFactor(context.Background(), pending, bad); err == nil {
			t.Errorf("code %q accepted", bad)
		}
	}
	token, s, err := db.LoginSecondFactor(context.Background(), pending, codes[0])
	if err != nil || s == nil || token == "" {
		t.Fatalf("recovery code refused: %v", err)
	}
	if auditCount(t, db, u.ID, "auth.recovery_code.used") != 1 {
		t.Error("recovery code use not audited")
	}
	action := "auth.login"
	events, _, err := db.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{RecordID: &u.ID, Action: &action, Limit: 1})
	if err != nil || len(events) != 1 {
		t.Fatal(events, err)
	}
	var d map[string]any
	if json.Unmarshal([]byte(events[0].Detail), &d); d["second_factor"] != "recovery_code" {
		t.Errorf("sign-in audited as %v", d)
	}
	if auditCount(t, db, u.ID, "auth.login_failed") < 2 {
		t.Error("refused codes not audited")
	}
	if _, _, err := db.LoginSecondFactor(context.Background(), pendingSignIn(t, db, u.Email), codes[0]); err == nil {
		t.Error("a recovery code worked twice")
	}

	// No administrator (own or the operator organisation's) takes the
	// passkey away; only the command line's operator does, audited.
	for who, c := range map[string]context.Context{
		"own administrator":        w.Ctx("ngo", homeward.RoleAdministrator),
		"operator's administrator": w.Ctx("operator", homeward.RoleAdministrator),
		"own supervisor":           w.Ctx("ngo", homeward.RoleSupervisor),
	} {
		if err := db.ResetSecondFactor(c, u.ID); err == nil {
			t.Errorf("%s reset the passkey", who)
		}
	}
	if auditCount(t, db, u.ID, "auth.totp.reset") != 0 {
		t.Error("a refused reset was recorded as done")
	}

	// The last passkey removed, the codes go with it: they are no factor
	// of their own, and the password alone signs in again.
	ctx, _ = signInWith(t, db, u.Email, codes[1])
	if err := db.RemovePasskey(ctx, pk.ID, homewardtest.Password); err != nil {
		t.Fatal(err)
	}
	if st, _ := db.SecondFactorStatus(ctx); st.RecoveryCodesLeft != 0 || st.Passkeys != 0 {
		t.Errorf("after the last passkey: %+v", st)
	}
	if _, s, err := db.Login(context.Background(), u.Email, homewardtest.Password); err != nil || s.SecondFactor {
		t.Errorf("password sign-in after removal: %+v %v", s, err)
	}
}

// signInWith signs in with the password and then code, and returns the
// session's actor context and token.
func signInWith(t *testing.T, db *sqldb.DB, email, code string) (context.Context, string) {
	t.Helper()
	token, _, err := db.LoginSecondFactor(context.Background(), pendingSignIn(t, db, email), code)
	if err != nil {
		t.Fatalf("second step: %v", err)
	}
	a, _, err := db.SessionActor(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return homeward.NewContextWithActor(context.Background(), a), token
}

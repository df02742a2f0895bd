package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"homeward"
	"homeward/internal/password"
	"homeward/internal/secondfactor"
)

// Second factors and sessions (issue 18). The rules of codes live in
// internal/secondfactor; here they are stored: the TOTP secret sealed with
// the at-rest key, the last time step used, recovery codes as digests.

// Code attempts (at sign-in, enrolment, disabling) are throttled like
// password attempts, against the user and the client's address. Whoever
// types codes already knows the password, so the user's ceiling is longer
// than a password's: six digits must not be worth guessing.
const (
	CodeFreeFailures = 5
	CodeMaxDelay     = 15 * time.Minute
)

// TOTPIssuer names the instance in authenticator apps.
const TOTPIssuer = "Homeward"

// policyRow is an organisation's policy as a LEFT JOIN reads it: all NULL
// when the organisation has none of its own.
type policyRow struct {
	roles          sql.NullString
	idle, absolute sql.NullInt64
}

func (r policyRow) policy(orgID string) *homeward.SignInPolicy {
	if !r.roles.Valid {
		return homeward.DefaultSignInPolicy(orgID)
	}
	p := &homeward.SignInPolicy{OrgID: orgID, SecondFactorRoles: splitRoles(r.roles.String),
		IdleMinutes: int(r.idle.Int64), AbsoluteMinutes: int(r.absolute.Int64)}
	p.Normalize()
	return p
}

const policyQuery = `SELECT second_factor_roles, idle_minutes, absolute_minutes, updated_at, version FROM signin_policies WHERE org_id = ?`

func scanPolicy(row *sql.Row, orgID string) (*homeward.SignInPolicy, error) {
	var r policyRow
	var updated time.Time
	var version int
	err := row.Scan(&r.roles, &r.idle, &r.absolute, dbTime{&updated}, &version)
	if err == errNoRows {
		return homeward.DefaultSignInPolicy(orgID), nil
	} else if err != nil {
		return nil, err
	}
	p := r.policy(orgID)
	p.UpdatedAt, p.Version = &updated, version
	return p, nil
}

// orgPolicy reads an organisation's policy within the transaction.
func (tx *Tx) orgPolicy(orgID string) (*homeward.SignInPolicy, error) {
	return scanPolicy(tx.QueryRow(policyQuery, orgID), orgID)
}

// SignInPolicy returns an organisation's sign-in policy, its own or the
// defaults: for its own administrators.
func (db *DB) SignInPolicy(ctx context.Context, orgID string) (*homeward.SignInPolicy, error) {
	if err := homeward.Authorize(homeward.ActorFromContext(ctx), homeward.ActSignInPolicy, homeward.Resource{Type: "signin_policy", ID: orgID, OrgID: orgID}); err != nil {
		return nil, err
	}
	return scanPolicy(db.queryRow(ctx, policyQuery, orgID), orgID)
}

// SetSignInPolicy stores an organisation's sign-in policy: its own
// administrators only. It takes effect at the next request of every
// session: shorter time-outs end sessions already older, and a newly
// required second factor sends those without one to enrolment.
func (db *DB) SetSignInPolicy(ctx context.Context, p *homeward.SignInPolicy) error {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActSignInPolicy, homeward.Resource{Type: "signin_policy", ID: p.OrgID, OrgID: p.OrgID}); err != nil {
		return err
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		by := ""
		if actor != nil {
			by = actor.UserID
		}
		// The defaults are version 1: the first change inserts the row
		// (nothing if another made it first), later ones update the
		// version they were made on (nothing if another changed it).
		var res sql.Result
		var err error
		if p.Version == 1 {
			res, err = tx.Exec(`INSERT INTO signin_policies (org_id, second_factor_roles, idle_minutes, absolute_minutes, updated_at, updated_by, version)
				VALUES (?, ?, ?, ?, ?, ?, 2) ON CONFLICT (org_id) DO NOTHING`,
				p.OrgID, joinRoles(p.SecondFactorRoles), p.IdleMinutes, p.AbsoluteMinutes, tx.now, by)
		} else {
			res, err = tx.Exec(`UPDATE signin_policies SET second_factor_roles = ?, idle_minutes = ?, absolute_minutes = ?, updated_at = ?, updated_by = ?,
				version = version + 1 WHERE org_id = ? AND version = ?`,
				joinRoles(p.SecondFactorRoles), p.IdleMinutes, p.AbsoluteMinutes, tx.now, by, p.OrgID, p.Version)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return staleVersion()
		}
		now := tx.now
		p.UpdatedAt = &now
		p.Version++
		return tx.Audit("auth.policy.update", "signin_policy", p.OrgID, p.OrgID, map[string]any{
			"second_factor_roles": p.SecondFactorRoles, "idle_minutes": p.IdleMinutes, "absolute_minutes": p.AbsoluteMinutes})
	})
}

// selfActor returns the actor managing their own second factors or
// sessions: a signed-in user in a browser session (an API token manages
// neither). enrolling lets through an actor who must still enrol.
func selfActor(ctx context.Context, enrolling bool) (*homeward.Actor, error) {
	a := homeward.ActorFromContext(ctx)
	if a == nil || a.System || a.UserID == "" {
		return nil, homeward.Errorf(homeward.EUNAUTHORIZED, "error.unauthorized", "Please sign in.")
	}
	if a.TokenID != "" {
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	if a.MustEnrol && !enrolling {
		return nil, homeward.RequireScope(a, homeward.ScopeAdmin) // refused: enrol first
	}
	return a, nil
}

// claimCode counts a code attempt for userID before it is checked (see
// claimAttempt), and returns the keys a right code clears.
func (db *DB) claimCode(ctx context.Context, userID string) ([]throttleKey, error) {
	keys := []throttleKey{{"code:" + userID, CodeFreeFailures, CodeMaxDelay}}
	if addr := homeward.ClientAddrFromContext(ctx); addr != "" {
		keys = append(keys, throttleKey{"address:" + addr, AddressFreeFailures, AddressMaxDelay})
	}
	if err := db.claimAttempt(ctx, keys); err != nil {
		return nil, throttledError(err)
	}
	return keys, nil
}

// totpAD binds a sealed TOTP secret to its user: copied onto another
// user's row, it no longer opens.
func totpAD(userID string) []byte { return []byte("homeward totp v1\x00" + userID) }

// errCode is a wrong, replayed or used-up code; the user is told only
// that the code is wrong.
type errCode struct{ reason string }

func (e errCode) Error() string { return e.reason }

func wrongCode() error {
	return homeward.FieldErrorf("code", "error.totp.wrong_code", "The code is wrong or was already used.")
}

// checkCode checks a TOTP code or a recovery code of the user's confirmed
// factor and, when right, uses it up: the TOTP code's time step is stored
// (a conditional update, so that two requests racing with one code cannot
// both pass), the recovery code is marked used. It returns how the user
// proved themselves, "totp" or "recovery_code", or errCode.
func (tx *Tx) checkCode(userID, code string) (string, error) {
	var sealed string
	var last int64
	err := tx.QueryRow(`SELECT secret, last_step FROM totp_factors WHERE user_id = ? AND confirmed_at IS NOT NULL`, userID).Scan(&sealed, &last)
	if err != nil && err != errNoRows {
		return "", err
	}
	// A recovery code stands in for any second factor: a user whose only
	// one is a passkey they lost recovers with it too. Codes exist only
	// while the user has a factor (see dropOrphanRecoveryCodes).
	if rc := secondfactor.NormalizeRecoveryCode(code); rc != "" {
		res, err := tx.Exec(`UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL`, tx.now, userID, password.Digest(rc))
		if err != nil {
			return "", err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return "", errCode{"wrong_recovery_code"}
		}
		return "recovery_code", nil
	}
	if err == errNoRows {
		return "", errCode{"no_factor"}
	}
	secret, err := tx.db.NotesKeys.Open(sealed, totpAD(userID))
	if err != nil {
		return "", err
	}
	step, err := secondfactor.Verify(secret, code, tx.now, last)
	switch {
	case errors.Is(err, secondfactor.ErrReplayed):
		return "", errCode{"replayed_code"}
	case errors.Is(err, secondfactor.ErrWrongCode):
		return "", errCode{"wrong_code"}
	case err != nil:
		return "", err
	}
	res, err := tx.Exec(`UPDATE totp_factors SET last_step = ? WHERE user_id = ? AND last_step < ?`, step, userID, step)
	if err != nil {
		return "", err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return "", errCode{"replayed_code"}
	}
	return "totp", nil
}

// auditCodeFailure records a refused code in its own transaction (the
// checking one rolled back) and returns what the user is told.
func (db *DB) auditCodeFailure(ctx context.Context, action, userID, orgID string, e errCode) error {
	if err := db.Transact(ctx, func(tx *Tx) error {
		return tx.Audit(action, "user", userID, orgID, map[string]any{"reason": e.reason})
	}); err != nil {
		return err
	}
	return wrongCode()
}

// LoginSecondFactor completes a sign-in whose password was right: code is
// a TOTP code (never one already used) or an unused recovery code. Code
// attempts are throttled per user and address; a wrong code leaves the
// pending sign-in open until it lapses (ChallengeLife).
func (db *DB) LoginSecondFactor(ctx context.Context, challenge, code string) (string, *homeward.Session, error) {
	expired := homeward.Errorf(homeward.EUNAUTHORIZED, "error.login.challenge_expired", "Your sign-in has expired. Please start again.")
	if challenge == "" {
		return "", nil, expired
	}
	id := password.Digest(challenge)
	var userID, orgID string
	var expires time.Time
	var disabled bool
	if err := db.queryRow(ctx, `SELECT c.user_id, u.org_id, u.disabled, c.expires_at FROM signin_challenges c JOIN users u ON u.id = c.user_id WHERE c.id = ?`, id).
		Scan(&userID, &orgID, &disabled, dbTime{&expires}); err != nil || disabled || !expires.After(db.Now()) {
		return "", nil, expired
	}
	keys, err := db.claimCode(ctx, userID)
	if err != nil {
		return "", nil, err
	}
	actorCtx := homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: userID, OrgID: orgID})
	token := password.NewSecret("")
	var s *homeward.Session
	err = db.Transact(actorCtx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM signin_challenges WHERE id = ?`, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errCode{"challenge_used"}
		}
		how, err := tx.checkCode(userID, code)
		if err != nil {
			return err
		}
		if how == "recovery_code" {
			var left int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL`, userID).Scan(&left); err != nil {
				return err
			}
			if err := tx.Audit("auth.recovery_code.used", "user", userID, orgID, map[string]any{"left": left}); err != nil {
				return err
			}
		}
		if err := tx.clearThrottle(keys); err != nil {
			return err
		}
		s, err = tx.openSession(token, userID, orgID, map[string]any{"second_factor": how})
		return err
	})
	var e errCode
	if errors.As(err, &e) {
		if e.reason == "challenge_used" {
			return "", nil, expired
		}
		return "", nil, db.auditCodeFailure(actorCtx, "auth.login_failed", userID, orgID, e)
	}
	if err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// SecondFactorStatus describes the actor's second factors and whether
// their organisation requires one.
func (db *DB) SecondFactorStatus(ctx context.Context) (*homeward.SecondFactorStatus, error) {
	a, err := selfActor(ctx, true)
	if err != nil {
		return nil, err
	}
	st := &homeward.SecondFactorStatus{}
	if err := db.queryRow(ctx, `SELECT confirmed_at FROM totp_factors WHERE user_id = ? AND confirmed_at IS NOT NULL`, a.UserID).Scan(dbNullTime{&st.EnrolledAt}); err != nil && err != errNoRows {
		return nil, err
	}
	st.TOTP = st.EnrolledAt != nil
	if err := db.queryRow(ctx, `SELECT (SELECT COUNT(*) FROM passkeys WHERE user_id = ?), (SELECT COUNT(*) FROM recovery_codes WHERE user_id = ? AND used_at IS NULL)`,
		a.UserID, a.UserID).Scan(&st.Passkeys, &st.RecoveryCodesLeft); err != nil {
		return nil, err
	}
	if err := db.queryRow(ctx, `SELECT reset_at FROM second_factor_resets WHERE user_id = ?`, a.UserID).Scan(dbNullTime{&st.ResetAt}); err != nil && err != errNoRows {
		return nil, err
	}
	p, err := scanPolicy(db.queryRow(ctx, policyQuery, a.OrgID), a.OrgID)
	if err != nil {
		return nil, err
	}
	st.Required = p.Requires(a.Roles)
	return st, nil
}

// errNoSealKey refuses to store a TOTP secret in clear.
var errNoSealKey = errors.New("a second factor cannot be stored: no at-rest key is configured (HOMEWARD_NOTES_KEY, --notes-key-file or <data-dir>/notes.key)")

// BeginTOTP makes a new TOTP secret for the actor and stores it sealed,
// unconfirmed, in place of one begun before; refused while one is
// confirmed (disable it first).
func (db *DB) BeginTOTP(ctx context.Context) (*homeward.TOTPEnrolment, error) {
	a, err := selfActor(ctx, true)
	if err != nil {
		return nil, err
	}
	if db.NotesKeys.Primary() == "" {
		return nil, errNoSealKey
	}
	secret, uri, err := secondfactor.NewTOTP(TOTPIssuer, a.Email)
	if err != nil {
		return nil, err
	}
	sealed, err := db.NotesKeys.Seal(secret, totpAD(a.UserID))
	if err != nil {
		return nil, err
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		var confirmed *time.Time
		err := tx.QueryRow(`SELECT confirmed_at FROM totp_factors WHERE user_id = ?`, a.UserID).Scan(dbNullTime{&confirmed})
		if err != nil && err != errNoRows {
			return err
		}
		if confirmed != nil {
			return homeward.Errorf(homeward.ECONFLICT, "error.totp.already", "You already have an authenticator app; remove it first to set up another.")
		}
		if _, err := tx.Exec(`DELETE FROM totp_factors WHERE user_id = ?`, a.UserID); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO totp_factors (user_id, secret, created_at, last_step) VALUES (?, ?, ?, 0)`, a.UserID, sealed, tx.now); err != nil {
			return err
		}
		return tx.Audit("auth.totp.begin", "user", a.UserID, a.OrgID, nil)
	})
	if err != nil {
		return nil, err
	}
	return &homeward.TOTPEnrolment{Secret: secret, URI: uri}, nil
}

// ConfirmTOTP checks the first code of the secret BeginTOTP made and
// enrols it, with new recovery codes (returned once, stored as digests).
func (db *DB) ConfirmTOTP(ctx context.Context, code string) ([]string, error) {
	a, err := selfActor(ctx, true)
	if err != nil {
		return nil, err
	}
	keys, err := db.claimCode(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	codes := secondfactor.NewRecoveryCodes()
	err = db.Transact(ctx, func(tx *Tx) error {
		var sealed string
		err := tx.QueryRow(`SELECT secret FROM totp_factors WHERE user_id = ? AND confirmed_at IS NULL`, a.UserID).Scan(&sealed)
		if err == errNoRows {
			return homeward.Errorf(homeward.ECONFLICT, "error.totp.not_begun", "Start the set-up again.")
		} else if err != nil {
			return err
		}
		secret, err := db.NotesKeys.Open(sealed, totpAD(a.UserID))
		if err != nil {
			return err
		}
		step, err := secondfactor.Verify(secret, code, tx.now, 0)
		if err != nil {
			return errCode{"wrong_code"}
		}
		if _, err := tx.Exec(`UPDATE totp_factors SET confirmed_at = ?, last_step = ? WHERE user_id = ?`, tx.now, step, a.UserID); err != nil {
			return err
		}
		if err := tx.replaceRecoveryCodes(a.UserID, codes); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM second_factor_resets WHERE user_id = ?`, a.UserID); err != nil {
			return err
		}
		if err := tx.clearThrottle(keys); err != nil {
			return err
		}
		return tx.Audit("auth.totp.enrolled", "user", a.UserID, a.OrgID, map[string]any{"recovery_codes": len(codes)})
	})
	var e errCode
	if errors.As(err, &e) {
		return nil, db.auditCodeFailure(ctx, "auth.totp.enrol_failed", a.UserID, a.OrgID, e)
	}
	if err != nil {
		return nil, err
	}
	return codes, nil
}

func (tx *Tx) replaceRecoveryCodes(userID string, codes []string) error {
	if _, err := tx.Exec(`DELETE FROM recovery_codes WHERE user_id = ?`, userID); err != nil {
		return err
	}
	for _, c := range codes {
		if _, err := tx.Exec(`INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)`, userID, password.Digest(c)); err != nil {
			return err
		}
	}
	return nil
}

// checkPassword checks the actor's current password within tx.
func (tx *Tx) checkPassword(userID, pw string) error {
	var hash string
	if err := tx.QueryRow(`SELECT password_hash FROM users WHERE id = ?`, userID).Scan(&hash); err != nil {
		return err
	}
	if ok, _ := password.Verify(pw, hash); !ok {
		return homeward.FieldErrorf("current_password", "error.password.wrong_current", "The current password is wrong.")
	}
	return nil
}

// DisableTOTP removes the actor's TOTP factor and recovery codes. It needs
// a current code (TOTP, never one used before, or an unused recovery
// code); attempts are throttled like codes at sign-in. If their
// organisation requires a second factor, their next request leads to
// enrolment.
func (db *DB) DisableTOTP(ctx context.Context, code string) error {
	a, err := selfActor(ctx, false)
	if err != nil {
		return err
	}
	if strings.TrimSpace(code) == "" {
		return homeward.FieldErrorf("code", "error.totp.proof_needed", "Give a current code from your authenticator app, or a recovery code.")
	}
	keys, err := db.claimCode(ctx, a.UserID)
	if err != nil {
		return err
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		how, err := tx.checkCode(a.UserID, code)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`DELETE FROM totp_factors WHERE user_id = ? AND confirmed_at IS NOT NULL`, a.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return homeward.Errorf(homeward.ECONFLICT, "error.totp.none", "You have no authenticator app to remove.")
		}
		if err := tx.dropOrphanRecoveryCodes(a.UserID); err != nil {
			return err
		}
		if err := tx.clearThrottle(keys); err != nil {
			return err
		}
		return tx.Audit("auth.totp.disabled", "user", a.UserID, a.OrgID, map[string]any{"proof": how})
	})
	var e errCode
	if errors.As(err, &e) {
		return db.auditCodeFailure(ctx, "auth.totp.disable_failed", a.UserID, a.OrgID, e)
	}
	return err
}

// ResetSecondFactor removes the second factor of a user who lost it and
// their recovery codes: the instance's operator only (see
// ActSecondFactorReset), never silently. The user's sessions and pending
// sign-ins end, the reset is audited in their organisation's chain, and
// the user is told on their account page until they set up a new one.
func (db *DB) ResetSecondFactor(ctx context.Context, userID string) error {
	actor := homeward.ActorFromContext(ctx)
	return db.Transact(ctx, func(tx *Tx) error {
		var orgID string
		if err := tx.QueryRow(`SELECT org_id FROM users WHERE id = ?`, userID).Scan(&orgID); err != nil {
			if err := homeward.Authorize(actor, homeward.ActSecondFactorReset, homeward.Resource{Type: "user"}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActSecondFactorReset, homeward.Resource{Type: "user", ID: userID, OrgID: orgID}); err != nil {
			return err
		}
		res, err := tx.Exec(`DELETE FROM totp_factors WHERE user_id = ? AND confirmed_at IS NOT NULL`, userID)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		if res, err = tx.Exec(`DELETE FROM passkeys WHERE user_id = ?`, userID); err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); n+k == 0 {
			return homeward.Errorf(homeward.ECONFLICT, "error.totp.none_for_user", "This user has no second factor.")
		}
		for _, q := range []string{`DELETE FROM recovery_codes WHERE user_id = ?`, `DELETE FROM signin_challenges WHERE user_id = ?`,
			`DELETE FROM sessions WHERE user_id = ?`, `DELETE FROM second_factor_resets WHERE user_id = ?`} {
			if _, err := tx.Exec(q, userID); err != nil {
				return err
			}
		}
		if _, err := tx.Exec(`INSERT INTO second_factor_resets (user_id, reset_at) VALUES (?, ?)`, userID, tx.now); err != nil {
			return err
		}
		return tx.Audit("auth.totp.reset", "user", userID, orgID, nil)
	})
}

// dropOrphanRecoveryCodes removes the user's recovery codes once they
// have no second factor left (neither an authenticator app nor a
// passkey): a code must never become a factor of its own.
func (tx *Tx) dropOrphanRecoveryCodes(userID string) error {
	_, err := tx.Exec(`DELETE FROM recovery_codes WHERE user_id = ?
		AND NOT EXISTS (SELECT 1 FROM totp_factors WHERE user_id = ? AND confirmed_at IS NOT NULL)
		AND NOT EXISTS (SELECT 1 FROM passkeys WHERE user_id = ?)`, userID, userID, userID)
	return err
}

// RegenerateRecoveryCodes replaces the actor's recovery codes (the old
// ones stop working), given their current password. Any second factor
// has them: an authenticator app or, alone, a passkey.
func (db *DB) RegenerateRecoveryCodes(ctx context.Context, pw string) ([]string, error) {
	a, err := selfActor(ctx, false)
	if err != nil {
		return nil, err
	}
	keys, err := db.claimCode(ctx, a.UserID)
	if err != nil {
		return nil, err
	}
	codes := secondfactor.NewRecoveryCodes()
	err = db.Transact(ctx, func(tx *Tx) error {
		if err := tx.checkPassword(a.UserID, pw); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT (SELECT COUNT(*) FROM totp_factors WHERE user_id = ? AND confirmed_at IS NOT NULL) + (SELECT COUNT(*) FROM passkeys WHERE user_id = ?)`,
			a.UserID, a.UserID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return homeward.Errorf(homeward.ECONFLICT, "error.recovery.no_factor", "Set up an authenticator app or a passkey first: recovery codes stand in for one.")
		}
		if err := tx.replaceRecoveryCodes(a.UserID, codes); err != nil {
			return err
		}
		if err := tx.clearThrottle(keys); err != nil {
			return err
		}
		return tx.Audit("auth.recovery_codes.regenerated", "user", a.UserID, a.OrgID, map[string]any{"recovery_codes": len(codes)})
	})
	if err != nil {
		return nil, err
	}
	return codes, nil
}

// FindSessions lists the actor's live sessions, newest first.
func (db *DB) FindSessions(ctx context.Context) ([]*homeward.Session, error) {
	a, err := selfActor(ctx, false)
	if err != nil {
		return nil, err
	}
	p, err := scanPolicy(db.queryRow(ctx, policyQuery, a.OrgID), a.OrgID)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id, created_at, expires_at, last_seen_at, client_addr, user_agent FROM sessions WHERE user_id = ? ORDER BY created_at DESC, id`, a.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	now := db.Now()
	var out []*homeward.Session
	for rows.Next() {
		s := &homeward.Session{UserID: a.UserID}
		var seen *time.Time
		if err := rows.Scan(&s.ID, dbTime{&s.CreatedAt}, dbTime{&s.ExpiresAt}, dbNullTime{&seen}, &s.ClientAddr, &s.UserAgent); err != nil {
			return nil, err
		}
		s.LastSeenAt = s.CreatedAt
		if seen != nil {
			s.LastSeenAt = *seen
		}
		if end := p.SessionExpiry(s.CreatedAt, s.LastSeenAt); end.Before(s.ExpiresAt) {
			s.ExpiresAt = end
		}
		if s.ExpiresAt.After(now) {
			out = append(out, s)
		}
	}
	return out, rows.Err()
}

// EndSession ends one of the actor's own sessions; another's is not found.
func (db *DB) EndSession(ctx context.Context, id string) error {
	a, err := selfActor(ctx, false)
	if err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM sessions WHERE id = ? AND user_id = ?`, id, a.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
		}
		return tx.Audit("auth.session.end", "user", a.UserID, a.OrgID, map[string]any{"session": sessionRef(id)})
	})
}

// EndOtherSessions ends every session of the actor but current.
func (db *DB) EndOtherSessions(ctx context.Context, current string) (int, error) {
	a, err := selfActor(ctx, false)
	if err != nil {
		return 0, err
	}
	var n int64
	err = db.Transact(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ? AND id <> ?`, a.UserID, current)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return tx.Audit("auth.session.end_others", "user", a.UserID, a.OrgID, map[string]any{"ended": n})
	})
	return int(n), err
}

// sessionRef names a session in the audit log by the start of its id (a
// digest of its token), enough to tell sessions apart.
func sessionRef(id string) string { return id[:min(len(id), 12)] }

package sqldb

import (
	"context"
	"encoding/json"
	"errors"

	"homeward"
	"homeward/internal/passkey"
	"homeward/internal/password"
)

// Purposes of a passkey ceremony.
const (
	ceremonyRegister = "register"
	ceremonyLogin    = "login"
)

func (db *DB) relyingParty() (*passkey.RelyingParty, error) {
	if db.Passkeys == nil {
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "error.passkey.unavailable",
			"Passkeys are not set up on this server (the operator sets --rp-id and --rp-origin).")
	}
	return db.Passkeys, nil
}

func passkeyRefused() error {
	return homeward.Errorf(homeward.EUNAUTHORIZED, "error.passkey.refused", "The passkey was not accepted. Please try again.")
}

// account reads the user a ceremony is for, with their passkeys; a
// disabled user has none.
func (tx *Tx) account(userID string) (*passkey.Account, error) {
	a := &passkey.Account{ID: userID}
	var disabled bool
	if err := tx.QueryRow(`SELECT email, name, disabled FROM users WHERE id = ?`, userID).Scan(&a.Name, &a.DisplayName, &disabled); err != nil {
		return nil, err
	}
	if disabled {
		return nil, errNoRows
	}
	rows, err := tx.Query(`SELECT credential FROM passkeys WHERE user_id = ? ORDER BY created_at, id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var js string
		var c passkey.Credential
		if err := rows.Scan(&js); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(js), &c); err != nil {
			return nil, err
		}
		a.Credentials = append(a.Credentials, c)
	}
	return a, rows.Err()
}

// beginCeremony stores c's state until it is answered or lapses, after
// sweeping lapsed ones.
func (tx *Tx) beginCeremony(c *passkey.Ceremony, purpose string, userID any, signin string) error {
	if _, err := tx.Exec(`DELETE FROM passkey_ceremonies WHERE expires_at < ?`, tx.now); err != nil {
		return err
	}
	_, err := tx.Exec(`INSERT INTO passkey_ceremonies (challenge, purpose, user_id, signin, state, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
		c.Challenge, purpose, userID, signin, string(c.State), tx.now.Add(passkey.CeremonyLife))
	return err
}

// takeCeremony finds the live ceremony of purpose that the answer
// answers and uses it up: a challenge is answered once.
func (tx *Tx) takeCeremony(ans *passkey.Answer, purpose string) (userID *string, signin string, state []byte, err error) {
	var st string
	var expires = tx.now
	err = tx.QueryRow(`SELECT user_id, signin, state, expires_at FROM passkey_ceremonies WHERE challenge = ? AND purpose = ?`, ans.Challenge, purpose).
		Scan(&userID, &signin, &st, dbTime{&expires})
	if err != nil {
		return nil, "", nil, err
	}
	res, err := tx.Exec(`DELETE FROM passkey_ceremonies WHERE challenge = ?`, ans.Challenge)
	if err != nil {
		return nil, "", nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 || !expires.After(tx.now) {
		return nil, "", nil, errNoRows
	}
	return userID, signin, []byte(st), nil
}

// BeginPasskey starts registering a passkey for the actor (one who must
// still enrol may: a passkey is a second factor).
func (db *DB) BeginPasskey(ctx context.Context) ([]byte, error) {
	a, err := selfActor(ctx, true)
	if err != nil {
		return nil, err
	}
	rp, err := db.relyingParty()
	if err != nil {
		return nil, err
	}
	var opts []byte
	err = db.Transact(ctx, func(tx *Tx) error {
		acct, err := tx.account(a.UserID)
		if err != nil {
			return err
		}
		c, err := rp.BeginRegistration(acct)
		if err != nil {
			return err
		}
		opts = c.Options
		return tx.beginCeremony(c, ceremonyRegister, a.UserID, "")
	})
	return opts, err
}

// FinishPasskey registers the passkey of the browser's answer to the
// actor's own registration ceremony.
func (db *DB) FinishPasskey(ctx context.Context, name string, answer []byte) (*homeward.Passkey, error) {
	a, err := selfActor(ctx, true)
	if err != nil {
		return nil, err
	}
	if name, err = homeward.NormalizePasskeyName(name); err != nil {
		return nil, err
	}
	rp, err := db.relyingParty()
	if err != nil {
		return nil, err
	}
	ans, err := passkey.Read(answer)
	if err != nil {
		return nil, passkeyRefused()
	}
	var pk *homeward.Passkey
	var reason string
	err = db.Transact(ctx, func(tx *Tx) error {
		owner, _, state, err := tx.takeCeremony(ans, ceremonyRegister)
		if err == errNoRows || (err == nil && (owner == nil || *owner != a.UserID)) {
			reason = "unknown_ceremony"
			return errNoRows
		} else if err != nil {
			return err
		}
		acct, err := tx.account(a.UserID)
		if err != nil {
			return err
		}
		c, err := rp.FinishRegistration(acct, state, answer)
		if err != nil {
			reason = "refused"
			return err
		}
		js, err := json.Marshal(c)
		if err != nil {
			return err
		}
		pk = &homeward.Passkey{ID: passkey.ID(c), Name: name, CreatedAt: tx.now}
		if _, err := tx.Exec(`INSERT INTO passkeys (id, user_id, name, credential, sign_count, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			pk.ID, a.UserID, name, string(js), int64(c.Authenticator.SignCount), tx.now); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM second_factor_resets WHERE user_id = ?`, a.UserID); err != nil {
			return err
		}
		return tx.Audit("auth.passkey.added", "user", a.UserID, a.OrgID, map[string]any{"passkey": pk.ID})
	})
	if reason != "" {
		return nil, db.auditPasskeyFailure(ctx, "auth.passkey.refused", a.UserID, a.OrgID, reason)
	}
	if err != nil {
		return nil, err
	}
	return pk, nil
}

// auditPasskeyFailure records a refused answer in its own transaction
// (the checking one rolled back) and returns what the user is told.
func (db *DB) auditPasskeyFailure(ctx context.Context, action, userID, orgID, reason string) error {
	if err := db.Transact(ctx, func(tx *Tx) error {
		return tx.Audit(action, "user", userID, orgID, map[string]any{"reason": reason, "second_factor": "passkey"})
	}); err != nil {
		return err
	}
	return passkeyRefused()
}

// FindPasskeys lists the actor's passkeys, oldest first.
func (db *DB) FindPasskeys(ctx context.Context) ([]*homeward.Passkey, error) {
	a, err := selfActor(ctx, true)
	if err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id, name, created_at, last_used_at FROM passkeys WHERE user_id = ? ORDER BY created_at, id`, a.UserID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*homeward.Passkey{}
	for rows.Next() {
		p := &homeward.Passkey{}
		if err := rows.Scan(&p.ID, &p.Name, dbTime{&p.CreatedAt}, dbNullTime{&p.LastUsedAt}); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// RemovePasskey removes one of the actor's passkeys, given their current
// password: a session left open must not be enough to take a factor away.
// Another user's passkey is not found.
func (db *DB) RemovePasskey(ctx context.Context, id, pw string) error {
	a, err := selfActor(ctx, false)
	if err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		if err := tx.checkPassword(a.UserID, pw); err != nil {
			return err
		}
		res, err := tx.Exec(`DELETE FROM passkeys WHERE id = ? AND user_id = ?`, id, a.UserID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
		}
		if err := tx.dropOrphanRecoveryCodes(a.UserID); err != nil {
			return err
		}
		return tx.Audit("auth.passkey.removed", "user", a.UserID, a.OrgID, map[string]any{"passkey": id})
	})
}

// pendingUser returns the user of a live pending sign-in.
func (db *DB) pendingUser(ctx context.Context, pending string) (userID, orgID string, err error) {
	var disabled bool
	var expires = db.Now()
	if err := db.queryRow(ctx, `SELECT c.user_id, u.org_id, u.disabled, c.expires_at FROM signin_challenges c JOIN users u ON u.id = c.user_id WHERE c.id = ?`,
		password.Digest(pending)).Scan(&userID, &orgID, &disabled, dbTime{&expires}); err != nil || disabled || !expires.After(db.Now()) {
		return "", "", homeward.Errorf(homeward.EUNAUTHORIZED, "error.login.challenge_expired", "Your sign-in has expired. Please start again.")
	}
	return userID, orgID, nil
}

// BeginPasskeyLogin starts a sign-in with a passkey: the second step of
// the pending sign-in (with one of its user's passkeys), or, with pending
// "", a sign-in without a password (with any passkey the authenticator
// holds for this site).
func (db *DB) BeginPasskeyLogin(ctx context.Context, pending string) ([]byte, error) {
	rp, err := db.relyingParty()
	if err != nil {
		return nil, err
	}
	var userID any
	var acct *passkey.Account
	signin := ""
	if pending != "" {
		uid, _, err := db.pendingUser(ctx, pending)
		if err != nil {
			return nil, err
		}
		userID, signin = uid, password.Digest(pending)
	}
	var opts []byte
	err = db.Transact(homeward.NewContextWithActor(ctx, nil), func(tx *Tx) error {
		if userID != nil {
			if acct, err = tx.account(userID.(string)); err != nil {
				return err
			}
			if len(acct.Credentials) == 0 {
				return homeward.Errorf(homeward.ENOTFOUND, "error.passkey.none", "You have no passkey. Use your code.")
			}
		}
		c, err := rp.BeginLogin(acct)
		if err != nil {
			return err
		}
		opts = c.Options
		return tx.beginCeremony(c, ceremonyLogin, userID, signin)
	})
	return opts, err
}

// FinishPasskeyLogin checks the browser's answer to a sign-in begun by
// BeginPasskeyLogin with the same pending token and opens a session. The
// credential's counter must go up (a replayed answer or a cloned
// authenticator is refused); attempts are throttled like codes.
func (db *DB) FinishPasskeyLogin(ctx context.Context, pending string, answer []byte) (string, *homeward.Session, error) {
	rp, err := db.relyingParty()
	if err != nil {
		return "", nil, err
	}
	ans, err := passkey.Read(answer)
	if err != nil {
		return "", nil, passkeyRefused()
	}
	// The user is the pending sign-in's, or the one the authenticator
	// names; the ceremony must agree (checked in the transaction).
	userID, orgID := ans.UserHandle, ""
	if pending != "" {
		if userID, orgID, err = db.pendingUser(ctx, pending); err != nil {
			return "", nil, err
		}
	} else if err := db.queryRow(ctx, `SELECT org_id FROM users WHERE id = ?`, userID).Scan(&orgID); err != nil {
		return "", nil, passkeyRefused()
	}
	keys, err := db.claimCode(ctx, userID)
	if err != nil {
		return "", nil, err
	}
	actorCtx := homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: userID, OrgID: orgID})
	token := password.NewSecret("")
	var s *homeward.Session
	reason := ""
	err = db.Transact(actorCtx, func(tx *Tx) error {
		owner, signin, state, err := tx.takeCeremony(ans, ceremonyLogin)
		switch {
		case err == errNoRows:
			reason = "unknown_ceremony"
			return err
		case err != nil:
			return err
		case pending != "" && (owner == nil || *owner != userID || signin != password.Digest(pending)),
			pending == "" && (owner != nil || signin != ""):
			reason = "wrong_ceremony"
			return errNoRows
		}
		if pending != "" {
			if _, err := tx.Exec(`DELETE FROM signin_challenges WHERE id = ?`, password.Digest(pending)); err != nil {
				return err
			}
		}
		acct, err := tx.account(userID)
		if err == errNoRows {
			reason = "unknown_user"
			return err
		} else if err != nil {
			return err
		}
		var before int64 = -1
		for _, c := range acct.Credentials {
			if passkey.ID(&c) == ans.CredentialID {
				before = int64(c.Authenticator.SignCount)
			}
		}
		c, err := rp.FinishLogin(acct, state, answer)
		if errors.Is(err, passkey.ErrCounter) {
			reason = "counter"
			return err
		} else if err != nil {
			reason = "refused"
			return err
		}
		js, err := json.Marshal(c)
		if err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE passkeys SET credential = ?, sign_count = ?, last_used_at = ? WHERE id = ? AND user_id = ? AND sign_count = ?`,
			string(js), int64(c.Authenticator.SignCount), tx.now, passkey.ID(c), userID, before)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			reason = "counter"
			return errNoRows
		}
		if err := tx.clearThrottle(keys); err != nil {
			return err
		}
		how := "passkey"
		if pending == "" {
			how = "passkey_only"
		}
		s, err = tx.openSession(token, userID, orgID, map[string]any{"second_factor": how, "passkey": passkey.ID(c)})
		return err
	})
	if reason != "" {
		return "", nil, db.auditPasskeyFailure(actorCtx, "auth.login_failed", userID, orgID, reason)
	}
	if err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// secondFactorSince is the SQL of when the user (the column user) first
// had a second factor — a confirmed TOTP (the query joins totp_factors as
// f) or a passkey — or NULL.
func secondFactorSince(user string) string {
	return `COALESCE(f.confirmed_at, (SELECT MIN(k.created_at) FROM passkeys k WHERE k.user_id = ` + user + `))`
}

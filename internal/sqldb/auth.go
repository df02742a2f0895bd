package sqldb

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/password"
)

// Login throttling: after LockAfter consecutive failures the account locks
// for LockFor, doubling with each further round of failures up to a day.
const (
	LockAfter   = 5
	LockFor     = 15 * time.Minute
	maxLock     = 24 * time.Hour
	SessionLife = 12 * time.Hour
)

func lockDuration(failures int) time.Duration {
	rounds := failures/LockAfter - 1
	d := time.Duration(float64(LockFor) * math.Pow(2, float64(rounds)))
	return min(d, maxLock)
}

// Login checks email and password. On success it opens a session and
// returns its secret token (the cookie value); only the token's digest is
// stored. Failures are counted, audited and lead to a lock-out.
//
// Each attempt first claims a slot by counting itself as a failure in its
// own transaction, and the attempt that reaches LockAfter locks the account
// before its password is even checked; a success resets both. So parallel
// guesses cannot slip past the count: at most LockAfter passwords are
// checked per lock period, however many requests arrive at once.
func (db *DB) Login(ctx context.Context, email, pw string) (string, *homeward.Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	failed := homeward.Errorf(homeward.EUNAUTHORIZED, "error.login.failed", "The e-mail address or password is wrong.")
	var (
		userID, orgID, hash string
		disabled            bool
	)
	err := db.queryRow(ctx, `SELECT id, org_id, password_hash, disabled FROM users WHERE email = ?`, email).
		Scan(&userID, &orgID, &hash, &disabled)
	if err == errNoRows {
		password.SpendTime(pw)
		ctx := homeward.NewContextWithActor(ctx, nil)
		if err := db.Transact(ctx, func(tx *Tx) error {
			return tx.Audit("auth.login_failed", "user", "", "", map[string]any{"reason": "unknown_user"})
		}); err != nil {
			return "", nil, err
		}
		return "", nil, failed
	} else if err != nil {
		return "", nil, err
	}
	actorCtx := homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: userID, OrgID: orgID})
	var (
		failures    int
		lockedUntil *time.Time
		lock        *time.Time
	)
	err = db.Transact(actorCtx, func(tx *Tx) error {
		err := tx.QueryRow(`UPDATE users SET failed_logins = failed_logins + 1
			WHERE id = ? AND (locked_until IS NULL OR locked_until <= ?) RETURNING failed_logins`, userID, tx.now).Scan(&failures)
		if err == errNoRows {
			return tx.QueryRow(`SELECT locked_until FROM users WHERE id = ?`, userID).Scan(dbNullTime{&lockedUntil})
		} else if err != nil {
			return err
		}
		if failures%LockAfter == 0 {
			t := tx.now.Add(lockDuration(failures))
			lock = &t
			_, err = tx.Exec(`UPDATE users SET locked_until = ? WHERE id = ?`, lock, userID)
		}
		return err
	})
	if err != nil {
		return "", nil, err
	}
	if now := db.Now(); lockedUntil != nil && lockedUntil.After(now) {
		password.SpendTime(pw)
		minutes := int(math.Ceil(lockedUntil.Sub(now).Minutes()))
		return "", nil, &homeward.Error{Code: homeward.ERATELIMIT, Key: "error.login.locked", Args: map[string]any{"minutes": minutes},
			Message: "Too many failed attempts. Try again in " + itoa(minutes) + " minutes."}
	}
	ok, _ := password.Verify(pw, hash)
	if !ok || disabled {
		reason := "wrong_password"
		if disabled {
			reason = "disabled"
		}
		err := db.Transact(actorCtx, func(tx *Tx) error {
			return tx.Audit("auth.login_failed", "user", userID, orgID, map[string]any{"reason": reason, "failures": failures, "locked": lock != nil})
		})
		if err != nil {
			return "", nil, err
		}
		if disabled && ok {
			return "", nil, homeward.Errorf(homeward.EUNAUTHORIZED, "error.login.disabled", "This account is disabled.")
		}
		return "", nil, failed
	}
	token := password.NewSecret("")
	s := &homeward.Session{ID: password.Digest(token), UserID: userID, CSRFToken: password.NewSecret("")}
	err = db.Transact(actorCtx, func(tx *Tx) error {
		s.CreatedAt, s.ExpiresAt = tx.now, tx.now.Add(SessionLife)
		if _, err := tx.Exec(`INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
			s.ID, s.UserID, s.CSRFToken, s.CreatedAt, s.ExpiresAt); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE users SET failed_logins = 0, locked_until = NULL, last_login = ? WHERE id = ?`, tx.now, userID); err != nil {
			return err
		}
		// Expired sessions of this user are swept on each login.
		if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ? AND expires_at < ?`, userID, tx.now); err != nil {
			return err
		}
		return tx.Audit("auth.login", "user", userID, orgID, nil)
	})
	if err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// Logout ends the session whose token is given.
func (db *DB) Logout(ctx context.Context, token string) error {
	id := password.Digest(token)
	var userID, orgID string
	if err := db.queryRow(ctx, `SELECT s.user_id, u.org_id FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?`, id).Scan(&userID, &orgID); err != nil {
		return nil // already gone
	}
	ctx = homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: userID, OrgID: orgID})
	return db.Transact(ctx, func(tx *Tx) error {
		if _, err := tx.Exec(`DELETE FROM sessions WHERE id = ?`, id); err != nil {
			return err
		}
		return tx.Audit("auth.logout", "user", userID, orgID, nil)
	})
}

const actorQuery = `SELECT u.id, u.org_id, u.name, u.email, u.locale, u.roles, u.disabled, o.operator FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = ?`

func (db *DB) loadActor(ctx context.Context, userID string) (*homeward.Actor, error) {
	a := &homeward.Actor{}
	var roles string
	var disabled bool
	if err := db.queryRow(ctx, actorQuery, userID).Scan(&a.UserID, &a.OrgID, &a.Name, &a.Email, &a.Locale, &roles, &disabled, &a.Operator); err != nil {
		return nil, err
	}
	if disabled {
		return nil, errNoRows
	}
	a.Roles = splitRoles(roles)
	return a, nil
}

// SessionActor resolves a session token to its actor; expired sessions and
// disabled users are refused.
func (db *DB) SessionActor(ctx context.Context, token string) (*homeward.Actor, *homeward.Session, error) {
	unauth := homeward.Errorf(homeward.EUNAUTHORIZED, "error.unauthorized", "Please sign in.")
	if token == "" {
		return nil, nil, unauth
	}
	s := &homeward.Session{ID: password.Digest(token)}
	if err := db.queryRow(ctx, `SELECT user_id, csrf_token, created_at, expires_at FROM sessions WHERE id = ?`, s.ID).
		Scan(&s.UserID, &s.CSRFToken, dbTime{&s.CreatedAt}, dbTime{&s.ExpiresAt}); err != nil {
		return nil, nil, unauth
	}
	if !s.ExpiresAt.After(db.Now()) {
		return nil, nil, unauth
	}
	a, err := db.loadActor(ctx, s.UserID)
	if err != nil {
		return nil, nil, unauth
	}
	return a, s, nil
}

// tokenTTL bounds how long a resolved API token is reused without reading
// the database again. Changes made through this process (a revoked token, a
// disabled user, new roles) end every cached entry at once (see
// Tx.authChanged); the TTL bounds what another process changes, such as the
// command line against the same database.
const tokenTTL = 2 * time.Second

type cachedToken struct {
	actor homeward.Actor
	gen   int64
	until time.Time
}

// TokenActor resolves an API token to its user's actor, limited to the
// token's scopes. One query reads the token, its user and organisation; a
// partner's stream of requests reuses the answer for up to tokenTTL.
func (db *DB) TokenActor(ctx context.Context, secret string) (*homeward.Actor, error) {
	unauth := homeward.Errorf(homeward.EUNAUTHORIZED, "error.unauthorized", "Please sign in.")
	digest := password.Digest(secret)
	gen := db.authGen.Load()
	if v, ok := db.tokens.Load(digest); ok {
		c := v.(*cachedToken)
		if c.gen == gen && db.Now().Before(c.until) {
			a := c.actor
			a.Roles, a.Scopes = slices.Clone(a.Roles), slices.Clone(a.Scopes)
			return &a, nil
		}
		db.tokens.Delete(digest)
	}
	var id, scopes, roles string
	var expires, revoked, lastUsed *time.Time
	var disabled bool
	a := &homeward.Actor{}
	if err := db.queryRow(ctx, `SELECT t.id, t.scopes, t.expires_at, t.revoked_at, t.last_used_at,
			u.id, u.org_id, u.name, u.email, u.locale, u.roles, u.disabled, o.operator
		FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.org_id
		WHERE t.secret_hash = ?`, digest).
		Scan(&id, &scopes, dbNullTime{&expires}, dbNullTime{&revoked}, dbNullTime{&lastUsed},
			&a.UserID, &a.OrgID, &a.Name, &a.Email, &a.Locale, &roles, &disabled, &a.Operator); err != nil {
		return nil, unauth
	}
	now := db.Now()
	if revoked != nil || expires != nil && !expires.After(now) || disabled {
		return nil, unauth
	}
	a.Roles = splitRoles(roles)
	a.Scopes = splitScopes(scopes)
	a.TokenID = id
	if lastUsed == nil || now.Sub(*lastUsed) > time.Minute {
		// Usage is noted at most once a minute so that reads stay reads. A
		// failure to note it does not refuse the request, but is logged.
		if _, err := db.write.ExecContext(ctx, db.dialect.rebind(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`), db.args([]any{now})[0], id); err != nil {
			db.Logger.Warn("api token last use not recorded", "token", id, "err", err)
		}
	}
	until := now.Add(tokenTTL)
	if expires != nil && expires.Before(until) {
		until = *expires
	}
	c := &cachedToken{actor: *a, gen: gen, until: until}
	c.actor.Roles, c.actor.Scopes = slices.Clone(a.Roles), slices.Clone(a.Scopes)
	db.tokens.Store(digest, c)
	return a, nil
}

// authChanged marks the transaction as changing who may do what (users,
// tokens, organisations): when it commits, cached tokens are read afresh.
func (tx *Tx) authChanged() { tx.authDirty = true }

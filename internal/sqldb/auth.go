package sqldb

import (
	"context"
	"errors"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"homeward"
	"homeward/internal/password"
)

// Sign-in throttling. Every attempt counts against the account named (any
// e-mail address, whether or not an account has it, so that the answer
// never tells who exists) and against the client's address. After a few
// free failures each further one pushes the next allowed attempt back,
// doubling from a second up to a ceiling; failures are forgotten after a
// quiet hour and a success clears the account's count. Nothing locks: the
// account's ceiling is short, so that anyone who knows an address cannot
// keep its owner out for long, while the address's ceiling is long, so
// that one client cannot try many passwords.
const (
	AccountFreeFailures = 5
	AccountMaxDelay     = time.Minute
	AddressFreeFailures = 20
	AddressMaxDelay     = 15 * time.Minute
	throttleQuiet       = time.Hour
	// SessionLife is the absolute time-out of a session in an
	// organisation that has not set its own (see homeward.SignInPolicy).
	SessionLife = homeward.DefaultAbsoluteMinutes * time.Minute
)

// throttleDelay is how long to wait after the failures-th failure.
func throttleDelay(failures, free int, ceiling time.Duration) time.Duration {
	if failures < free {
		return 0
	}
	return min(time.Second<<min(failures-free, 20), ceiling)
}

type throttleKey struct {
	key     string
	free    int
	ceiling time.Duration
}

func throttleKeys(ctx context.Context, email string) []throttleKey {
	keys := []throttleKey{{"account:" + email, AccountFreeFailures, AccountMaxDelay}}
	if addr := homeward.ClientAddrFromContext(ctx); addr != "" {
		keys = append(keys, throttleKey{"address:" + addr, AddressFreeFailures, AddressMaxDelay})
	}
	return keys
}

// errThrottled rolls back a claim that one key refused.
type errThrottled struct{ wait time.Duration }

func (e errThrottled) Error() string { return "throttled" }

// claimAttempt counts an attempt as a failure against every key before the
// password is checked, in one transaction, and refuses it (changing
// nothing) when a key's next allowed attempt is still ahead. Counting first
// means parallel guesses cannot slip past the count; a conditional UPDATE
// makes concurrent claims on PostgreSQL wait for each other.
func (db *DB) claimAttempt(ctx context.Context, keys []throttleKey) error {
	return db.Transact(homeward.NewContextWithActor(ctx, nil), func(tx *Tx) error {
		// Counts nobody added to for a quiet period are forgotten, so
		// that guessed addresses do not pile up.
		if _, err := tx.Exec(`DELETE FROM login_throttle WHERE last_failed_at < ? AND next_at < ?`, tx.now.Add(-throttleQuiet), tx.now); err != nil {
			return err
		}
		for _, k := range keys {
			if _, err := tx.Exec(`INSERT INTO login_throttle (key, failures, next_at, last_failed_at) VALUES (?, 0, ?, ?) ON CONFLICT DO NOTHING`,
				k.key, tx.now, tx.now); err != nil {
				return err
			}
			var failures int
			err := tx.QueryRow(`UPDATE login_throttle SET failures = CASE WHEN last_failed_at < ? THEN 1 ELSE failures + 1 END, last_failed_at = ?
				WHERE key = ? AND next_at <= ? RETURNING failures`, tx.now.Add(-throttleQuiet), tx.now, k.key, tx.now).Scan(&failures)
			if err == errNoRows {
				var next time.Time
				if err := tx.QueryRow(`SELECT next_at FROM login_throttle WHERE key = ?`, k.key).Scan(dbTime{&next}); err != nil {
					return err
				}
				return errThrottled{next.Sub(tx.now)}
			} else if err != nil {
				return err
			}
			if _, err := tx.Exec(`UPDATE login_throttle SET next_at = ? WHERE key = ?`, tx.now.Add(throttleDelay(failures, k.free, k.ceiling)), k.key); err != nil {
				return err
			}
		}
		return nil
	})
}

// throttledError is the answer to an attempt a throttle refused.
func throttledError(err error) error {
	var t errThrottled
	if !errors.As(err, &t) {
		return err
	}
	seconds := max(1, int(math.Ceil(t.wait.Seconds())))
	return &homeward.Error{Code: homeward.ERATELIMIT, Key: "error.login.throttled", Args: map[string]any{"seconds": seconds},
		Message: "Too many sign-in attempts. Try again in " + itoa(seconds) + " seconds."}
}

// ChallengeLife is how long the second step of a sign-in waits for its
// code after the password.
const ChallengeLife = 5 * time.Minute

// Login checks email and password. On success it opens a session and
// returns its secret token (the cookie value); only the token's digest is
// stored. When the user has a second factor, no session is opened yet: the
// answer's Session.SecondFactor is set and the token is that of the pending
// sign-in, which LoginSecondFactor completes. Failures are counted and
// audited, and attempts are throttled (see AccountFreeFailures): a
// throttled attempt is refused with ERATELIMIT before anything is checked,
// the same for every e-mail address; any other failure is the same
// EUNAUTHORIZED whether the account exists or not.
func (db *DB) Login(ctx context.Context, email, pw string) (string, *homeward.Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	failed := homeward.Errorf(homeward.EUNAUTHORIZED, "error.login.failed", "The e-mail address or password is wrong.")
	keys := throttleKeys(ctx, email)
	if err := db.claimAttempt(ctx, keys); err != nil {
		return "", nil, throttledError(err)
	}
	var (
		userID, orgID, hash string
		disabled            bool
		confirmed           *time.Time
	)
	err := db.queryRow(ctx, `SELECT u.id, u.org_id, u.password_hash, u.disabled, `+secondFactorSince("u.id")+` FROM users u
		LEFT JOIN totp_factors f ON f.user_id = u.id WHERE u.email = ?`, email).
		Scan(&userID, &orgID, &hash, &disabled, dbNullTime{&confirmed})
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
	ok, _ := password.Verify(pw, hash)
	if !ok || disabled {
		reason := "wrong_password"
		if disabled {
			reason = "disabled"
		}
		err := db.Transact(actorCtx, func(tx *Tx) error {
			return tx.Audit("auth.login_failed", "user", userID, orgID, map[string]any{"reason": reason})
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
	if confirmed != nil {
		// The password was right; the code decides. Its attempts count
		// against their own key (see claimCode), so the account's count
		// starts again here as after any right password.
		s := &homeward.Session{UserID: userID, SecondFactor: true}
		err = db.Transact(actorCtx, func(tx *Tx) error {
			s.CreatedAt, s.ExpiresAt = tx.now, tx.now.Add(ChallengeLife)
			if _, err := tx.Exec(`DELETE FROM signin_challenges WHERE user_id = ? AND expires_at < ?`, userID, tx.now); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO signin_challenges (id, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)`,
				password.Digest(token), userID, s.CreatedAt, s.ExpiresAt); err != nil {
				return err
			}
			if err := tx.clearThrottle(keys); err != nil {
				return err
			}
			return tx.Audit("auth.login_password", "user", userID, orgID, map[string]any{"second_factor": "asked"})
		})
		if err != nil {
			return "", nil, err
		}
		return token, s, nil
	}
	var s *homeward.Session
	err = db.Transact(actorCtx, func(tx *Tx) error {
		if err := tx.clearThrottle(keys); err != nil {
			return err
		}
		s, err = tx.openSession(token, userID, orgID, nil)
		return err
	})
	if err != nil {
		return "", nil, err
	}
	return token, s, nil
}

// clearThrottle forgets the failures of a right answer. The account's (or
// the code's) count starts again. The address's only takes back this
// attempt, so that many people signing in from one office are not
// throttled, while a client cannot clear its failures by signing in to an
// account of its own between guesses.
func (tx *Tx) clearThrottle(keys []throttleKey) error {
	if _, err := tx.Exec(`DELETE FROM login_throttle WHERE key = ?`, keys[0].key); err != nil {
		return err
	}
	for _, k := range keys[1:] {
		if _, err := tx.Exec(`UPDATE login_throttle SET failures = failures - 1 WHERE key = ? AND failures > 0`, k.key); err != nil {
			return err
		}
	}
	return nil
}

// openSession stores the session of token for a user whose credentials
// were all checked, and audits the sign-in (detail says how).
func (tx *Tx) openSession(token, userID, orgID string, detail map[string]any) (*homeward.Session, error) {
	p, err := tx.orgPolicy(orgID)
	if err != nil {
		return nil, err
	}
	s := &homeward.Session{ID: password.Digest(token), UserID: userID, CSRFToken: password.NewSecret(""),
		CreatedAt: tx.now, LastSeenAt: tx.now, ExpiresAt: tx.now.Add(p.Absolute()),
		ClientAddr: homeward.ClientAddrFromContext(tx.ctx), UserAgent: truncate(homeward.UserAgentFromContext(tx.ctx), 300)}
	if _, err := tx.Exec(`INSERT INTO sessions (id, user_id, csrf_token, created_at, expires_at, last_seen_at, client_addr, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.ID, s.UserID, s.CSRFToken, s.CreatedAt, s.ExpiresAt, s.LastSeenAt, s.ClientAddr, s.UserAgent); err != nil {
		return nil, err
	}
	if _, err := tx.Exec(`UPDATE users SET last_login = ? WHERE id = ?`, tx.now, userID); err != nil {
		return nil, err
	}
	// Expired sessions of this user are swept on each login.
	if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ? AND expires_at < ?`, userID, tx.now); err != nil {
		return nil, err
	}
	return s, tx.Audit("auth.login", "user", userID, orgID, detail)
}

// truncate cuts s to at most n bytes, on a rune boundary.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
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

const actorQuery = `SELECT u.id, u.org_id, u.name, u.email, u.locale, u.digits, u.roles, u.disabled, o.operator, o.time_zone FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = ?`

// zones holds the time zones organisations name, loaded once each.
var zones sync.Map // name → *time.Location

// orgZone returns the time zone an organisation names, or nil for "" (the
// instance's zone) and for a name this machine does not know, which
// validation refuses on the way in.
func orgZone(name string) *time.Location {
	if name == "" {
		return nil
	}
	if v, ok := zones.Load(name); ok {
		return v.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	zones.Store(name, loc)
	return loc
}

func (db *DB) loadActor(ctx context.Context, userID string) (*homeward.Actor, error) {
	a := &homeward.Actor{}
	var roles, zone string
	var disabled bool
	if err := db.queryRow(ctx, actorQuery, userID).Scan(&a.UserID, &a.OrgID, &a.Name, &a.Email, &a.Locale, &a.Digits, &roles, &disabled, &a.Operator, &zone); err != nil {
		return nil, err
	}
	a.Zone = orgZone(zone)
	if disabled {
		return nil, errNoRows
	}
	a.Roles = splitRoles(roles)
	return a, nil
}

// sessionTouch is how often a session's last use is written: reads stay
// reads, and the idle time-out is exact to within this.
const sessionTouch = time.Minute

// SessionActor resolves a session token to its actor. Sessions past their
// organisation's idle or absolute time-out (as set now, not when the
// session began) and disabled users are refused. An actor whose
// organisation requires a second factor of them, and who has none, comes
// back with MustEnrol set.
func (db *DB) SessionActor(ctx context.Context, token string) (*homeward.Actor, *homeward.Session, error) {
	unauth := homeward.Errorf(homeward.EUNAUTHORIZED, "error.unauthorized", "Please sign in.")
	if token == "" {
		return nil, nil, unauth
	}
	s := &homeward.Session{ID: password.Digest(token)}
	var (
		orgID           string
		seen, confirmed *time.Time
		row             policyRow
	)
	if err := db.queryRow(ctx, `SELECT s.user_id, s.csrf_token, s.created_at, s.expires_at, s.last_seen_at, s.client_addr, s.user_agent,
			u.org_id, p.second_factor_roles, p.idle_minutes, p.absolute_minutes, `+secondFactorSince("s.user_id")+`
		FROM sessions s JOIN users u ON u.id = s.user_id LEFT JOIN signin_policies p ON p.org_id = u.org_id
		LEFT JOIN totp_factors f ON f.user_id = s.user_id WHERE s.id = ?`, s.ID).
		Scan(&s.UserID, &s.CSRFToken, dbTime{&s.CreatedAt}, dbTime{&s.ExpiresAt}, dbNullTime{&seen}, &s.ClientAddr, &s.UserAgent,
			&orgID, &row.roles, &row.idle, &row.absolute, dbNullTime{&confirmed}); err != nil {
		return nil, nil, unlessOutage(err, unauth)
	}
	p := row.policy(orgID)
	s.LastSeenAt = s.CreatedAt
	if seen != nil {
		s.LastSeenAt = *seen
	}
	now := db.Now()
	if end := p.SessionExpiry(s.CreatedAt, s.LastSeenAt); end.Before(s.ExpiresAt) {
		s.ExpiresAt = end
	}
	if !s.ExpiresAt.After(now) {
		// Timed out: the row goes (a failure to remove it refuses all
		// the same, and the next sign-in sweeps it).
		if _, err := db.write.ExecContext(ctx, db.dialect.rebind(`DELETE FROM sessions WHERE id = ?`), s.ID); err != nil {
			db.Logger.Warn("expired session not removed", "err", err)
		}
		return nil, nil, unauth
	}
	a, err := db.loadActor(ctx, s.UserID)
	if err != nil {
		return nil, nil, unauth
	}
	a.MustEnrol = confirmed == nil && p.Requires(a.Roles)
	if now.Sub(s.LastSeenAt) >= sessionTouch {
		if _, err := db.write.ExecContext(ctx, db.dialect.rebind(`UPDATE sessions SET last_seen_at = ? WHERE id = ?`), db.args([]any{now})[0], s.ID); err != nil {
			db.Logger.Warn("session use not recorded", "err", err)
		}
		s.LastSeenAt = now
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
	var id, scopes, roles, zone string
	var expires, revoked, lastUsed *time.Time
	var disabled bool
	a := &homeward.Actor{}
	if err := db.queryRow(ctx, `SELECT t.id, t.scopes, t.expires_at, t.revoked_at, t.last_used_at,
			u.id, u.org_id, u.name, u.email, u.locale, u.digits, u.roles, u.disabled, o.operator, o.time_zone
		FROM api_tokens t JOIN users u ON u.id = t.user_id JOIN organisations o ON o.id = u.org_id
		WHERE t.secret_hash = ?`, digest).
		Scan(&id, &scopes, dbNullTime{&expires}, dbNullTime{&revoked}, dbNullTime{&lastUsed},
			&a.UserID, &a.OrgID, &a.Name, &a.Email, &a.Locale, &a.Digits, &roles, &disabled, &a.Operator, &zone); err != nil {
		return nil, unlessOutage(err, unauth)
	}
	a.Zone = orgZone(zone)
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

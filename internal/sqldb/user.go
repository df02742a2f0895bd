package sqldb

import (
	"context"
	"database/sql"
	"slices"
	"strings"

	"homeward"
	"homeward/internal/password"
)

const userColumns = `id, org_id, email, name, roles, locale, digits, disabled, last_login, version, created_at, updated_at`

func scanUser(s interface{ Scan(...any) error }) (*homeward.User, error) {
	u := &homeward.User{}
	var roles string
	if err := s.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &roles, &u.Locale, &u.Digits, &u.Disabled, dbNullTime{&u.LastLogin}, &u.Version, dbTime{&u.CreatedAt}, dbTime{&u.UpdatedAt}); err != nil {
		return nil, err
	}
	u.Roles = splitRoles(roles)
	return u, nil
}

func splitRoles(s string) []homeward.Role {
	var out []homeward.Role
	for _, r := range strings.Split(s, ",") {
		if r != "" {
			out = append(out, homeward.Role(r))
		}
	}
	return out
}

func joinRoles(rs []homeward.Role) string {
	ss := make([]string, len(rs))
	for i, r := range rs {
		ss[i] = string(r)
	}
	return strings.Join(ss, ",")
}

// FindUserByID returns a user the actor may see: their own account, or one
// of their organisation if their role allows; others are not found.
func (db *DB) FindUserByID(ctx context.Context, id string) (*homeward.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if err != nil {
		if err := homeward.Authorize(homeward.ActorFromContext(ctx), homeward.ActUserRead, homeward.Resource{Type: "user"}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(homeward.ActorFromContext(ctx), homeward.ActUserRead, homeward.Resource{Type: "user", ID: u.ID, OrgID: u.OrgID, OwnerID: u.ID}); err != nil {
		return nil, err
	}
	if u.PendingRoles, err = db.pendingRoles(ctx, u.ID); err != nil {
		return nil, err
	}
	return u, nil
}

// UserNames names the users in ids for "who did this": colleagues of the
// actor by name, users of other organisations by their organisation's name.
func (db *DB) UserNames(ctx context.Context, ids []string) (map[string]string, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActUserNames, homeward.Resource{Type: "user"}); err != nil {
		return nil, err
	}
	out := map[string]string{}
	seen := map[string]bool{}
	var args []any
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			args = append(args, id)
		}
	}
	for len(args) > 0 {
		batch := args[:min(len(args), 200)]
		args = args[len(batch):]
		rows, err := db.query(ctx, `SELECT u.id, u.name, u.org_id, o.name FROM users u JOIN organisations o ON o.id = u.org_id
			WHERE u.id IN (?`+strings.Repeat(", ?", len(batch)-1)+`)`, batch...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, name, org, orgName string
			if err := rows.Scan(&id, &name, &org, &orgName); err != nil {
				rows.Close()
				return nil, err
			}
			if actor.System || org == actor.OrgID {
				out[id] = name
			} else {
				out[id] = orgName
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// FindUsers lists users of the actor's organisation (or, for the operator's
// administrators, of the organisation in f.OrgID).
func (db *DB) FindUsers(ctx context.Context, f homeward.UserFilter) ([]*homeward.User, string, error) {
	actor := homeward.ActorFromContext(ctx)
	org := ""
	if actor != nil {
		org = actor.OrgID
	}
	if f.OrgID != nil {
		org = *f.OrgID
	}
	if err := homeward.Authorize(actor, homeward.ActUserRead, homeward.Resource{Type: "user", OrgID: org}); err != nil {
		return nil, "", err
	}
	if err := checkIDCursor(f.After); err != nil {
		return nil, "", err
	}
	q := `SELECT ` + userColumns + ` FROM users WHERE id > ?`
	args := []any{f.After}
	if org != "" {
		q += ` AND org_id = ?`
		args = append(args, org)
	}
	if f.Email != nil {
		q += ` AND email = ?`
		args = append(args, strings.ToLower(strings.TrimSpace(*f.Email)))
	}
	if f.Role != nil {
		// roles are stored sorted and comma-joined; match a whole element.
		q += ` AND (',' || roles || ',') LIKE ?`
		args = append(args, "%,"+string(*f.Role)+",%")
	}
	limit := pageLimit(f.Limit)
	q += ` ORDER BY id LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []*homeward.User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, u)
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, rows.Err()
}

// CreateUser validates and stores u with password. Protected roles among
// u.Roles are not given but asked for, as pending grants that another
// administrator approves (see homeward.AuthorizeUserCreate); u.PendingRoles
// lists them.
func (db *DB) CreateUser(ctx context.Context, u *homeward.User, pw string) error {
	return db.createUser(ctx, u, pw, false)
}

// CreateFirstAdministrator creates the first administrator of an
// organisation that has none (active), with the administrator role alone: the
// bootstrap path of the command line, run by the machine's operator.
func (db *DB) CreateFirstAdministrator(ctx context.Context, u *homeward.User, pw string) error {
	return db.createUser(ctx, u, pw, true)
}

func errFirstAdminOnly() error {
	return homeward.Errorf(homeward.EFORBIDDEN, "error.user.first_admin_only",
		"In another organisation you may create only its first administrator; its other accounts are made by its own administrators.")
}

func (db *DB) createUser(ctx context.Context, u *homeward.User, pw string, firstOnly bool) error {
	if err := homeward.Authorize(homeward.ActorFromContext(ctx), homeward.ActUserCreate, homeward.Resource{Type: "user", OrgID: u.OrgID}); err != nil {
		return err
	}
	// Report every problem at once, the password's among them.
	var v homeward.Validation
	u.Normalize()
	if err := v.Merge("", u.Validate(homeward.Locales)); err != nil {
		return err
	}
	if err := v.Merge("", homeward.ValidatePassword("password", pw)); err != nil {
		return err
	}
	if err := v.Err(); err != nil {
		return err
	}
	return db.insertUser(ctx, u, password.Hash(pw), firstOnly)
}

// CreateUserWithHash stores u with an already hashed password (the demo
// hashes its one shared password once). The rules are CreateUser's.
func (db *DB) CreateUserWithHash(ctx context.Context, u *homeward.User, hash string) error {
	if err := homeward.Authorize(homeward.ActorFromContext(ctx), homeward.ActUserCreate, homeward.Resource{Type: "user", OrgID: u.OrgID}); err != nil {
		return err
	}
	u.Normalize()
	if err := u.Validate(homeward.Locales); err != nil {
		return err
	}
	return db.insertUser(ctx, u, hash, false)
}

func (db *DB) insertUser(ctx context.Context, u *homeward.User, hash string, firstOnly bool) error {
	actor := homeward.ActorFromContext(ctx)
	if firstOnly && !slices.Equal(u.Roles, []homeward.Role{homeward.RoleAdministrator}) {
		return errFirstAdminOnly()
	}
	return db.Transact(ctx, func(tx *Tx) error {
		var exists int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM organisations WHERE id = ?`, u.OrgID).Scan(&exists); err != nil {
			return err
		} else if exists == 0 {
			return homeward.FieldErrorf("org_id", "error.not_found", "Not found.")
		}
		hasAdmin, err := tx.orgHasAdmin(u.OrgID)
		if err != nil {
			return err
		}
		if firstOnly && hasAdmin {
			return errFirstAdminOnly()
		}
		pending, err := homeward.AuthorizeUserCreate(actor, u, hasAdmin)
		if err != nil {
			return err
		}
		u.Roles = slices.DeleteFunc(u.Roles, func(r homeward.Role) bool { return slices.Contains(pending, r) })
		u.ID = homeward.NewID()
		u.CreatedAt, u.UpdatedAt, u.Version = tx.now, tx.now, 1
		_, err = tx.Exec(`INSERT INTO users (id, org_id, email, name, roles, locale, digits, password_hash, disabled, password_changed_at, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			u.ID, u.OrgID, u.Email, u.Name, joinRoles(u.Roles), u.Locale, u.Digits, hash, u.Disabled, tx.now, u.Version, u.CreatedAt, u.UpdatedAt)
		if isUniqueViolation(err) {
			return homeward.FieldErrorf("email", "error.user.email_taken", "A user with this e-mail address already exists.")
		} else if err != nil {
			return err
		}
		if err := tx.Audit("user.create", "user", u.ID, u.OrgID, map[string]any{"roles": u.Roles, "pending_roles": pending}); err != nil {
			return err
		}
		u.PendingRoles = pending
		return tx.requestGrants(u.OrgID, u.ID, pending)
	})
}

// orgHasAdmin reports whether the organisation has an active administrator.
func (tx *Tx) orgHasAdmin(orgID string) (bool, error) {
	var n int
	err := tx.QueryRow(`SELECT COUNT(*) FROM users WHERE org_id = ? AND NOT disabled AND (',' || roles || ',') LIKE ?`,
		orgID, "%,"+string(homeward.RoleAdministrator)+",%").Scan(&n)
	return n > 0, err
}

// requestGrants stores pending grants of roles to the user, asked by the
// transaction's actor; a role already waiting is not asked twice.
func (tx *Tx) requestGrants(orgID, userID string, roles []homeward.Role) error {
	requester := ""
	if tx.actor != nil {
		requester = tx.actor.UserID
	}
	for _, r := range roles {
		id := homeward.NewID()
		res, err := tx.Exec(`INSERT INTO role_grants (id, org_id, user_id, role, state, requested_by, requested_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, id, orgID, userID, string(r), homeward.GrantPending, requester, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			continue
		}
		if err := tx.Audit("role_grant.request", "role_grant", id, orgID, map[string]any{"user_id": userID, "role": r}); err != nil {
			return err
		}
	}
	return nil
}

const pendingRolesQuery = `SELECT role FROM role_grants WHERE user_id = ? AND state = ? ORDER BY role`

func (db *DB) pendingRoles(ctx context.Context, userID string) ([]homeward.Role, error) {
	return roleList(db.query(ctx, pendingRolesQuery, userID, homeward.GrantPending))
}

func roleList(rows *sql.Rows, err error) ([]homeward.Role, error) {
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []homeward.Role
	for rows.Next() {
		var r string
		if err := rows.Scan(&r); err != nil {
			return nil, err
		}
		out = append(out, homeward.Role(r))
	}
	return out, rows.Err()
}

// UpdateUser changes name, roles, locale or disabled state. Users may change
// their own name and locale; roles and state need an administrator.
func (db *DB) UpdateUser(ctx context.Context, id string, version int, upd homeward.UserUpdate) (*homeward.User, error) {
	actor := homeward.ActorFromContext(ctx)
	var u *homeward.User
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		u, err = scanUser(tx.QueryRow(`SELECT `+userColumns+` FROM users WHERE id = ?`, id))
		if err != nil {
			if err := homeward.Authorize(actor, homeward.ActUserUpdate, homeward.Resource{Type: "user"}); err != nil {
				return err
			}
			return notFound(err)
		}
		res := homeward.Resource{Type: "user", ID: u.ID, OrgID: u.OrgID}
		selfEdit := actor != nil && actor.UserID == u.ID && upd.Roles == nil && upd.Disabled == nil
		if !selfEdit {
			if err := homeward.Authorize(actor, homeward.ActUserUpdate, res); err != nil {
				return err
			}
		} else if err := homeward.Authorize(actor, homeward.ActUserRead, homeward.Resource{Type: "user", ID: u.ID, OrgID: u.OrgID, OwnerID: u.ID}); err != nil {
			return err
		} else if err := homeward.RequireScope(actor, homeward.ScopeAdmin); err != nil {
			return err // a token changes its user's profile only with the admin scope
		}
		if u.Version != version {
			return staleVersion()
		}
		var changed []string
		if upd.Name != nil {
			u.Name, changed = *upd.Name, append(changed, "name")
		}
		before := u.Roles
		if upd.Roles != nil {
			u.Roles = append([]homeward.Role{}, *upd.Roles...)
		}
		if upd.Locale != nil {
			u.Locale, changed = *upd.Locale, append(changed, "locale")
		}
		if upd.Digits != nil {
			u.Digits, changed = *upd.Digits, append(changed, "digits")
		}
		if upd.Disabled != nil {
			if *upd.Disabled && actor != nil && actor.UserID == u.ID {
				return homeward.FieldErrorf("disabled", "error.user.self_disable", "You cannot disable your own account.")
			}
			u.Disabled, changed = *upd.Disabled, append(changed, "disabled")
		}
		u.Normalize()
		if err := u.Validate(homeward.Locales); err != nil {
			return err
		}
		var pending []homeward.Role
		if !slices.Equal(before, u.Roles) {
			// Nobody changes their own roles; protected roles wait for a
			// second administrator.
			target := *u
			target.Roles = before
			if pending, err = homeward.AuthorizeRoleChange(actor, &target, u.Roles); err != nil {
				return err
			}
			u.Roles = slices.DeleteFunc(u.Roles, func(r homeward.Role) bool { return slices.Contains(pending, r) })
			changed = append(changed, "roles")
		}
		tx.authChanged()
		r, err := tx.Exec(`UPDATE users SET name = ?, roles = ?, locale = ?, digits = ?, disabled = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			u.Name, joinRoles(u.Roles), u.Locale, u.Digits, u.Disabled, tx.now, u.ID, version)
		if err != nil {
			return err
		}
		if n, _ := r.RowsAffected(); n != 1 {
			return staleVersion()
		}
		if upd.Disabled != nil && *upd.Disabled {
			// A disabled user is signed out everywhere at once.
			if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
				return err
			}
		}
		u.Version++
		u.UpdatedAt = tx.now
		if err := tx.Audit("user.update", "user", u.ID, u.OrgID, map[string]any{"changed": changed, "roles": u.Roles}); err != nil {
			return err
		}
		if err := tx.requestGrants(u.OrgID, u.ID, pending); err != nil {
			return err
		}
		u.PendingRoles, err = roleList(tx.Query(pendingRolesQuery, u.ID, homeward.GrantPending))
		return err
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// SetPassword changes the actor's own password (current must match) or,
// with current empty, resets another user's password (administrators). All
// of the user's sessions end and all of their API tokens are revoked; the
// caller opens a new session if it wants one.
func (db *DB) SetPassword(ctx context.Context, userID, current, pw string) error {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.ValidatePassword("password", pw); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		var orgID, hash, roles string
		if err := tx.QueryRow(`SELECT org_id, password_hash, roles FROM users WHERE id = ?`, userID).Scan(&orgID, &hash, &roles); err != nil {
			if err := homeward.Authorize(actor, homeward.ActUserPassword, homeward.Resource{Type: "user"}); err != nil {
				return err
			}
			return notFound(err)
		}
		self := actor != nil && actor.UserID == userID
		action := "user.password_reset"
		if self && current != "" {
			if err := homeward.RequireScope(actor, homeward.ScopeAdmin); err != nil {
				return err
			}
			if ok, _ := password.Verify(current, hash); !ok {
				return homeward.FieldErrorf("current_password", "error.password.wrong_current", "The current password is wrong.")
			}
			action = "user.password_change"
		} else {
			// A reset by someone else takes the user's protected roles
			// back into pending grants: whoever knows the new password
			// does not read counselling notes without a second
			// administrator's approval.
			target := &homeward.User{ID: userID, OrgID: orgID, Roles: splitRoles(roles)}
			suspend, err := homeward.AuthorizePasswordReset(actor, target)
			if err != nil {
				return err
			}
			if len(suspend) > 0 {
				kept := slices.DeleteFunc(target.Roles, func(r homeward.Role) bool { return slices.Contains(suspend, r) })
				if _, err := tx.Exec(`UPDATE users SET roles = ? WHERE id = ?`, joinRoles(kept), userID); err != nil {
					return err
				}
				if err := tx.requestGrants(orgID, userID, suspend); err != nil {
					return err
				}
			}
		}
		tx.authChanged()
		if _, err := tx.Exec(`UPDATE users SET password_hash = ?, password_changed_at = ?, failed_logins = 0, locked_until = NULL, version = version + 1, updated_at = ? WHERE id = ?`,
			password.Hash(pw), tx.now, tx.now, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return err
		}
		// A new password ends every credential made with the old one: API
		// tokens too (authChanged drops this process's cached tokens at
		// commit; other processes follow within tokenTTL).
		res, err := tx.Exec(`UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, tx.now, userID)
		if err != nil {
			return err
		}
		revoked, _ := res.RowsAffected()
		return tx.Audit(action, "user", userID, orgID, map[string]any{"tokens_revoked": revoked})
	})
}

func (db *DB) tokenOwner(ctx context.Context, userID string) (orgID string, err error) {
	err = db.queryRow(ctx, `SELECT org_id FROM users WHERE id = ?`, userID).Scan(&orgID)
	return orgID, err
}

// CreateToken issues an API token for userID, who must be the actor: a
// token is made only by its owner (an administrator who minted a
// colleague's token could act as them). t.Secret is set; it is shown once.
func (db *DB) CreateToken(ctx context.Context, userID string, t *homeward.APIToken) error {
	actor := homeward.ActorFromContext(ctx)
	orgID, err := db.tokenOwner(ctx, userID)
	if err != nil {
		if err := homeward.Authorize(actor, homeward.ActTokenCreate, homeward.Resource{Type: "api_token"}); err != nil {
			return err
		}
		return notFound(err)
	}
	if err := homeward.Authorize(actor, homeward.ActTokenCreate, homeward.Resource{Type: "api_token", ID: userID, OrgID: orgID, OwnerID: userID}); err != nil {
		return err
	}
	var v homeward.Validation
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		v.Add("name", "error.field.required", "This field is required.")
	}
	if len(t.Scopes) == 0 {
		v.Add("scopes", "error.token.scopes", "Choose at least one scope.")
	}
	for i, s := range t.Scopes {
		known := false
		for _, k := range homeward.Scopes {
			known = known || k == s
		}
		if !known {
			v.AddArgs("scopes["+itoa(i)+"]", "error.token.invalid_scope", map[string]any{"value": s}, "%q is not a known scope.", s)
		} else if !actor.HasScope(s) {
			// A token cannot mint a token with more power than its own.
			v.AddArgs("scopes["+itoa(i)+"]", "error.token.scope_beyond_own", map[string]any{"value": s}, "Your own credentials do not carry the %q scope.", s)
		}
	}
	now := db.Now()
	if t.ExpiresAt != nil && !t.ExpiresAt.After(now) {
		v.Add("expires_at", "error.token.expiry", "The expiry date must be in the future.")
	}
	if err := v.Err(); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		t.ID = homeward.NewID()
		t.UserID = userID
		t.CreatedAt = tx.now
		t.Secret = password.NewSecret("hw_")
		if _, err := tx.Exec(`INSERT INTO api_tokens (id, user_id, name, secret_hash, scopes, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			t.ID, userID, t.Name, password.Digest(t.Secret), joinScopes(t.Scopes), t.CreatedAt, t.ExpiresAt); err != nil {
			return err
		}
		return tx.Audit("token.create", "api_token", t.ID, orgID, map[string]any{"user_id": userID, "scopes": t.Scopes})
	})
}

// RevokeToken revokes a token at once: its owner's, or any of their
// organisation's tokens for an administrator.
func (db *DB) RevokeToken(ctx context.Context, tokenID string) error {
	actor := homeward.ActorFromContext(ctx)
	return db.Transact(ctx, func(tx *Tx) error {
		var userID, orgID string
		if err := tx.QueryRow(`SELECT t.user_id, u.org_id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = ?`, tokenID).Scan(&userID, &orgID); err != nil {
			if err := homeward.Authorize(actor, homeward.ActTokenRevoke, homeward.Resource{Type: "api_token"}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActTokenRevoke, homeward.Resource{Type: "api_token", ID: tokenID, OrgID: orgID, OwnerID: userID}); err != nil {
			return err
		}
		tx.authChanged()
		if _, err := tx.Exec(`UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL`, tx.now, tokenID); err != nil {
			return err
		}
		return tx.Audit("token.revoke", "api_token", tokenID, orgID, map[string]any{"user_id": userID})
	})
}

// RevokeTokens revokes every live token of userID at once and returns how
// many there were: the owner, or an administrator of the owner's
// organisation, who revokes without seeing them.
func (db *DB) RevokeTokens(ctx context.Context, userID string) (int, error) {
	actor := homeward.ActorFromContext(ctx)
	n := 0
	err := db.Transact(ctx, func(tx *Tx) error {
		var orgID string
		if err := tx.QueryRow(`SELECT org_id FROM users WHERE id = ?`, userID).Scan(&orgID); err != nil {
			if err := homeward.Authorize(actor, homeward.ActTokenRevoke, homeward.Resource{Type: "api_token"}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActTokenRevoke, homeward.Resource{Type: "api_token", ID: userID, OrgID: orgID, OwnerID: userID}); err != nil {
			return err
		}
		tx.authChanged()
		res, err := tx.Exec(`UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL`, tx.now, userID)
		if err != nil {
			return err
		}
		revoked, _ := res.RowsAffected()
		n = int(revoked)
		return tx.Audit("token.revoke_all", "user", userID, orgID, map[string]any{"revoked": n})
	})
	return n, err
}

// FindTokens lists the actor's own tokens (never their secrets); other
// users' tokens, administrators' included, are not shown.
func (db *DB) FindTokens(ctx context.Context, userID string) ([]*homeward.APIToken, error) {
	actor := homeward.ActorFromContext(ctx)
	orgID, err := db.tokenOwner(ctx, userID)
	if err != nil {
		if err := homeward.Authorize(actor, homeward.ActTokenRead, homeward.Resource{Type: "api_token"}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, homeward.ActTokenRead, homeward.Resource{Type: "api_token", ID: userID, OrgID: orgID, OwnerID: userID}); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id, user_id, name, scopes, created_at, expires_at, revoked_at, last_used_at FROM api_tokens WHERE user_id = ? ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*homeward.APIToken
	for rows.Next() {
		t := &homeward.APIToken{}
		var scopes string
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &scopes, dbTime{&t.CreatedAt}, dbNullTime{&t.ExpiresAt}, dbNullTime{&t.RevokedAt}, dbNullTime{&t.LastUsedAt}); err != nil {
			return nil, err
		}
		t.Scopes = splitScopes(scopes)
		out = append(out, t)
	}
	return out, rows.Err()
}

func joinScopes(ss []homeward.Scope) string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = string(s)
	}
	return strings.Join(out, ",")
}

func splitScopes(s string) []homeward.Scope {
	var out []homeward.Scope
	for _, p := range strings.Split(s, ",") {
		if p != "" {
			out = append(out, homeward.Scope(p))
		}
	}
	return out
}

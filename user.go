package homeward

import (
	"context"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is a set of duties a user holds within their organisation.
type Role string

// Roles.
const (
	RoleAdministrator Role = "administrator"
	RoleSupervisor    Role = "supervisor"
	RoleCaseWorker    Role = "case_worker"
	RoleProviderStaff Role = "provider_staff"
	RoleMEAnalyst     Role = "me_analyst"
	RoleAuditor       Role = "auditor"
)

// Roles lists every role in display order.
var Roles = []Role{RoleAdministrator, RoleSupervisor, RoleCaseWorker, RoleProviderStaff, RoleMEAnalyst, RoleAuditor}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return slices.Contains(Roles, r) }

// Password rules. Length is what matters (NIST SP 800-63B); composition rules
// only push people to predictable patterns.
const (
	PasswordMinLen = 10
	PasswordMaxLen = 200
)

// User is a person who signs in to Homeward for one organisation.
type User struct {
	ID    string `json:"id"`
	OrgID string `json:"org_id"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Roles []Role `json:"roles"`
	// PendingRoles are protected roles asked for the user and waiting for a
	// second administrator's approval (see RoleGrant); set by reads of one
	// user and by writes.
	PendingRoles []Role `json:"pending_roles,omitempty"`
	Locale       string `json:"locale"`
	// Digits is the user's choice of digits: "" for the language's own,
	// DigitsLatin for 0-9 in every language.
	Digits    string     `json:"digits"`
	Disabled  bool       `json:"disabled"`
	LastLogin *time.Time `json:"last_login,omitempty"`
	Version   int        `json:"version"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
}

// HasRole reports whether u holds r.
func (u *User) HasRole(r Role) bool { return slices.Contains(u.Roles, r) }

// Normalize trims and canonicalises the user's fields.
func (u *User) Normalize() {
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	slices.Sort(u.Roles)
	u.Roles = slices.Compact(u.Roles)
	if u.Locale == "" {
		u.Locale = "en"
	}
}

// Validate checks the user and reports every problem at once. locales lists
// the supported locale tags.
// Locales are the languages a user may choose; internal/i18n has a
// catalog for each (a test keeps the two in step).
var Locales = []string{"en", "bn", "ar", "ckb", "ur"}

// DigitsLatin is the digit preference of a user who reads numbers and dates
// in Latin digits (0-9) in every language; it is the BCP 47 numbering
// system "latn" that the locale tag carries as "-u-nu-latn".
const DigitsLatin = "latn"

// LangBase returns the language of a locale tag without its Unicode
// extension ("bn-u-nu-latn" → "bn"): catalogs and names in several
// languages are keyed by the language alone, while the tag a request
// carries may also say which digits its reader prefers.
func LangBase(tag string) string {
	if i := strings.Index(tag, "-u-"); i >= 0 {
		return tag[:i]
	}
	return tag
}

func (u *User) Validate(locales []string) error {
	var v Validation
	if u.OrgID == "" {
		v.Add("org_id", "error.field.required", "This field is required.")
	}
	if u.Email == "" {
		v.Add("email", "error.field.required", "This field is required.")
	} else if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || len(u.Email) > 254 {
		v.Add("email", "error.field.invalid_email", "This is not a valid e-mail address.")
	}
	switch n := utf8.RuneCountInString(u.Name); {
	case n == 0:
		v.Add("name", "error.field.required", "This field is required.")
	case n > 200:
		v.AddArgs("name", "error.field.too_long", map[string]any{"max": 200}, "This is too long (at most %d characters).", 200)
	}
	if len(u.Roles) == 0 {
		v.Add("roles", "error.user.roles", "Choose at least one role.")
	}
	for i, r := range u.Roles {
		if !r.Valid() {
			v.AddArgs("roles["+strconv.Itoa(i)+"]", "error.field.invalid_choice", map[string]any{"value": r}, "%q is not one of the allowed values.", r)
		}
	}
	if u.Digits != "" && u.Digits != DigitsLatin {
		v.AddArgs("digits", "error.field.invalid_choice", map[string]any{"value": u.Digits}, "%q is not one of the allowed values.", u.Digits)
	}
	if !slices.Contains(locales, u.Locale) {
		v.AddArgs("locale", "error.field.invalid_choice", map[string]any{"value": u.Locale}, "%q is not one of the allowed values.", u.Locale)
	}
	return v.Err()
}

// ValidatePassword checks a new password's length.
func ValidatePassword(field, pw string) error {
	switch n := utf8.RuneCountInString(pw); {
	case n < PasswordMinLen:
		return &Error{Code: EINVALID, Field: field, Key: "error.password.too_short", Args: map[string]any{"min": PasswordMinLen},
			Message: "The password must have at least " + strconv.Itoa(PasswordMinLen) + " characters."}
	case n > PasswordMaxLen:
		return &Error{Code: EINVALID, Field: field, Key: "error.password.too_long", Args: map[string]any{"max": PasswordMaxLen},
			Message: "The password must have at most " + strconv.Itoa(PasswordMaxLen) + " characters."}
	}
	return nil
}

// UserFilter narrows FindUsers.
type UserFilter struct {
	OrgID *string
	Email *string
	Role  *Role
	After string
	Limit int
}

// UserUpdate holds the fields an update may change.
type UserUpdate struct {
	Name     *string `json:"name"`
	Roles    *[]Role `json:"roles"`
	Locale   *string `json:"locale"`
	Digits   *string `json:"digits"` // "" or DigitsLatin
	Disabled *bool   `json:"disabled"`
}

// Scope limits what an API token may do, whatever its user's roles allow.
type Scope string

// Scopes.
const (
	ScopeRead      Scope = "read"      // read records the user may read
	ScopeWrite     Scope = "write"     // create and change records
	ScopeAdmin     Scope = "admin"     // manage users, organisations and tokens
	ScopeAudit     Scope = "audit"     // read and verify the audit log
	ScopeReference Scope = "reference" // reference data only
)

// Scopes lists every scope.
var Scopes = []Scope{ScopeRead, ScopeWrite, ScopeAdmin, ScopeAudit, ScopeReference}

// APIToken is a credential for machine clients. The secret is shown once at
// creation; only its hash is stored.
type APIToken struct {
	ID         string     `json:"id"`
	UserID     string     `json:"user_id"`
	Name       string     `json:"name"`
	Scopes     []Scope    `json:"scopes"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  *time.Time `json:"expires_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	// Secret is set only in the answer to a creation.
	Secret string `json:"secret,omitempty"`
}

// UserService manages users, passwords and tokens. Implementations enforce the
// policy for the actor in ctx.
type UserService interface {
	FindUserByID(ctx context.Context, id string) (*User, error)
	FindUsers(ctx context.Context, f UserFilter) ([]*User, string, error)
	// UserNames names the users in ids as the actor may see them, for
	// "who did this": a colleague (same organisation) by their name, a user
	// of another organisation by that organisation's name only. Unknown ids
	// are left out.
	UserNames(ctx context.Context, ids []string) (map[string]string, error)
	CreateUser(ctx context.Context, u *User, password string) error
	UpdateUser(ctx context.Context, id string, version int, upd UserUpdate) (*User, error)
	// SetPassword resets another user's password (administrators) or, with
	// current set, changes the actor's own.
	SetPassword(ctx context.Context, userID, current, password string) error
	// CreateToken issues a token to userID, who must be the actor: a token
	// is made only by its owner.
	CreateToken(ctx context.Context, userID string, t *APIToken) error
	// RevokeToken revokes one token: the owner's, or any of their
	// organisation's for an administrator.
	RevokeToken(ctx context.Context, tokenID string) error
	// RevokeTokens revokes every token of userID (the owner, or an
	// administrator of their organisation, who never sees the tokens) and
	// returns how many were live.
	RevokeTokens(ctx context.Context, userID string) (int, error)
	// FindTokens lists the actor's own tokens; nobody lists another's.
	FindTokens(ctx context.Context, userID string) ([]*APIToken, error)
}

// Session is a signed-in browser session.
type Session struct {
	ID        string // the secret cookie value is never stored; this is its hash
	UserID    string
	CSRFToken string
	CreatedAt time.Time
	// ExpiresAt is when the session ends at the latest: its absolute
	// time-out, or sooner when left idle (see SignInPolicy).
	ExpiresAt  time.Time
	LastSeenAt time.Time
	// ClientAddr and UserAgent describe the client that signed in, so that
	// its owner recognises it in their list of sessions.
	ClientAddr string
	UserAgent  string
	// SecondFactor is set in Login's answer when the password was right but
	// a second factor is needed: no session exists yet, the token returned
	// is that of the pending sign-in (see AuthService.LoginSecondFactor), and
	// ExpiresAt is when it lapses.
	SecondFactor bool
}

// AuthService checks credentials and resolves them to an actor.
type AuthService interface {
	// Login checks email and password and opens a session; the returned token
	// is the cookie value.
	Login(ctx context.Context, email, password string) (token string, s *Session, err error)
	// LoginSecondFactor completes a sign-in that Login answered with
	// Session.SecondFactor: challenge is the token Login returned, code a
	// TOTP code or a recovery code. It opens the session.
	LoginSecondFactor(ctx context.Context, challenge, code string) (token string, s *Session, err error)
	Logout(ctx context.Context, token string) error
	// SessionActor resolves a session cookie to the signed-in actor.
	SessionActor(ctx context.Context, token string) (*Actor, *Session, error)
	// TokenActor resolves an API token to an actor limited by its scopes.
	TokenActor(ctx context.Context, secret string) (*Actor, error)
}

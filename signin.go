package homeward

import (
	"context"
	"slices"
	"strconv"
	"time"
)

// DefaultSecondFactorRoles are the roles that must sign in with a second
// factor in an organisation whose administrator has not chosen otherwise:
// those who decide who gets which role, who supervise cases, and the
// counsellors (provider staff, who read counselling notes).
var DefaultSecondFactorRoles = []Role{RoleAdministrator, RoleSupervisor, RoleProviderStaff}

// Session time-outs: the defaults of an organisation that has not chosen
// its own, and the bounds an administrator chooses within (in minutes).
const (
	DefaultIdleMinutes     = 30
	DefaultAbsoluteMinutes = 12 * 60
	MinIdleMinutes         = 5
	MaxIdleMinutes         = 8 * 60
	MinAbsoluteMinutes     = 60
	MaxAbsoluteMinutes     = 24 * 60
)

// SignInPolicy is how an organisation's users sign in: which roles need a
// second factor, and when a browser session ends — after IdleMinutes
// without a request, and IdleMinutes or not, AbsoluteMinutes after sign-in.
// API tokens are unaffected: they carry their own expiry and scopes, and
// are made only by a signed-in owner.
type SignInPolicy struct {
	OrgID             string     `json:"org_id"`
	SecondFactorRoles []Role     `json:"second_factor_roles"`
	IdleMinutes       int        `json:"idle_minutes"`
	AbsoluteMinutes   int        `json:"absolute_minutes"`
	UpdatedAt         *time.Time `json:"updated_at,omitempty"` // nil: the defaults, never changed
	// Version counts the changes: 1 for the defaults, never changed. A
	// change names the version it was made on, so that of two
	// administrators editing at once the second is told, not overwritten.
	Version int `json:"version"`
}

// DefaultSignInPolicy returns the policy of an organisation that has not
// set its own.
func DefaultSignInPolicy(orgID string) *SignInPolicy {
	return &SignInPolicy{OrgID: orgID, SecondFactorRoles: slices.Clone(DefaultSecondFactorRoles),
		IdleMinutes: DefaultIdleMinutes, AbsoluteMinutes: DefaultAbsoluteMinutes, Version: 1}
}

// Normalize sorts and de-duplicates the roles.
func (p *SignInPolicy) Normalize() {
	slices.Sort(p.SecondFactorRoles)
	p.SecondFactorRoles = slices.Compact(p.SecondFactorRoles)
	if p.SecondFactorRoles == nil {
		p.SecondFactorRoles = []Role{}
	}
}

// Validate checks the roles and keeps the time-outs within bounds: a
// session idle for more than a working day, or alive for more than a day,
// is a session left open on a shared computer.
func (p *SignInPolicy) Validate() error {
	var v Validation
	for i, r := range p.SecondFactorRoles {
		if !r.Valid() {
			v.AddArgs("second_factor_roles["+strconv.Itoa(i)+"]", "error.field.invalid_choice", map[string]any{"value": r}, "%q is not one of the allowed values.", r)
		}
	}
	if p.IdleMinutes < MinIdleMinutes || p.IdleMinutes > MaxIdleMinutes {
		v.AddArgs("idle_minutes", "error.signin.idle_range", map[string]any{"min": MinIdleMinutes, "max": MaxIdleMinutes},
			"Choose between %d and %d minutes.", MinIdleMinutes, MaxIdleMinutes)
	}
	if p.AbsoluteMinutes < MinAbsoluteMinutes || p.AbsoluteMinutes > MaxAbsoluteMinutes {
		v.AddArgs("absolute_minutes", "error.signin.absolute_range", map[string]any{"min": MinAbsoluteMinutes, "max": MaxAbsoluteMinutes},
			"Choose between %d and %d minutes.", MinAbsoluteMinutes, MaxAbsoluteMinutes)
	} else if p.IdleMinutes > p.AbsoluteMinutes {
		v.Add("idle_minutes", "error.signin.idle_longer", "The idle time-out cannot be longer than the session's whole life.")
	}
	return v.Err()
}

// Requires reports whether a user holding roles must have a second factor.
func (p *SignInPolicy) Requires(roles []Role) bool {
	return slices.ContainsFunc(roles, func(r Role) bool { return slices.Contains(p.SecondFactorRoles, r) })
}

// Idle is the idle time-out.
func (p *SignInPolicy) Idle() time.Duration { return time.Duration(p.IdleMinutes) * time.Minute }

// Absolute is the absolute time-out.
func (p *SignInPolicy) Absolute() time.Duration {
	return time.Duration(p.AbsoluteMinutes) * time.Minute
}

// SessionExpiry returns when a session created at created and last seen at
// seen ends under p.
func (p *SignInPolicy) SessionExpiry(created, seen time.Time) time.Time {
	return minTime(created.Add(p.Absolute()), seen.Add(p.Idle()))
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// SecondFactorStatus is what a user's account page says about their second
// factors.
type SecondFactorStatus struct {
	TOTP bool `json:"totp"`
	// Passkeys counts the user's passkeys (each one a second factor).
	Passkeys   int        `json:"passkeys"`
	EnrolledAt *time.Time `json:"enrolled_at,omitempty"`
	// RecoveryCodesLeft counts the unused recovery codes.
	RecoveryCodesLeft int `json:"recovery_codes_left"`
	// Required: the organisation's policy requires one of the user.
	Required bool `json:"required"`
	// ResetAt is when the instance's operator removed the user's second
	// factor (see ActSecondFactorReset), until they set up a new one.
	ResetAt *time.Time `json:"reset_at,omitempty"`
}

// TOTPEnrolment is a TOTP secret waiting for its first code: shown once as
// a QR code of URI and as text.
type TOTPEnrolment struct {
	Secret string
	URI    string
}

// SecurityService is the signed-in user's own sign-in security — second
// factors and sessions — and an organisation's sign-in policy.
// Implementations enforce the policy for the actor in ctx.
type SecurityService interface {
	// SignInPolicy returns an organisation's policy (its own, or the
	// defaults): the organisation's administrators.
	SignInPolicy(ctx context.Context, orgID string) (*SignInPolicy, error)
	// SetSignInPolicy stores an organisation's policy: its own
	// administrators only.
	SetSignInPolicy(ctx context.Context, p *SignInPolicy) error
	// SecondFactorStatus describes the actor's second factors.
	SecondFactorStatus(ctx context.Context) (*SecondFactorStatus, error)
	// BeginTOTP makes a new TOTP secret for the actor, replacing one not
	// yet confirmed; refused when one is confirmed.
	BeginTOTP(ctx context.Context) (*TOTPEnrolment, error)
	// ConfirmTOTP checks the first code of the secret begun and enrols it,
	// returning the new recovery codes (shown once).
	ConfirmTOTP(ctx context.Context, code string) ([]string, error)
	// DisableTOTP removes the actor's TOTP factor and recovery codes,
	// given a current code from it (or an unused recovery code): a
	// password seen over a shoulder, or a session left open, must not be
	// enough to take the second factor away.
	DisableTOTP(ctx context.Context, code string) error
	// RegenerateRecoveryCodes replaces the actor's recovery codes, given
	// their current password.
	RegenerateRecoveryCodes(ctx context.Context, password string) ([]string, error)
	// FindSessions lists the actor's live browser sessions, newest first.
	FindSessions(ctx context.Context) ([]*Session, error)
	// EndSession ends one of the actor's sessions.
	EndSession(ctx context.Context, id string) error
	// EndOtherSessions ends every session of the actor but the current
	// one (current is its id) and returns how many ended.
	EndOtherSessions(ctx context.Context, current string) (int, error)
}

type userAgentKey struct{}

// NewContextWithUserAgent returns ctx carrying the client's User-Agent, which
// a new session records so that its owner recognises it in their list.
func NewContextWithUserAgent(ctx context.Context, ua string) context.Context {
	return context.WithValue(ctx, userAgentKey{}, ua)
}

// UserAgentFromContext returns the User-Agent in ctx, or "".
func UserAgentFromContext(ctx context.Context) string {
	s, _ := ctx.Value(userAgentKey{}).(string)
	return s
}

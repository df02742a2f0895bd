package homeward

import (
	"context"
	"slices"
	"time"
)

// ProtectedRoles are the roles whose grant opens protected data, and so
// needs a second administrator's approval (four eyes). Today that is
// provider staff alone: they are the counsellors who read counselling notes
// (ActCounsellingNotes) of any counselling delivered by their organisation.
// It is protected in every organisation, not only in those offering
// counselling now, because an organisation may start offering it (or
// receive a counselling referral) after the grant. Administrators, supervisors
// and case workers read their own organisation's records, which is what
// their job is, and never counselling notes; auditors read the audit log,
// which holds no notes.
var ProtectedRoles = []Role{RoleProviderStaff}

// Protected reports whether granting r needs a second administrator.
func (r Role) Protected() bool { return slices.Contains(ProtectedRoles, r) }

// NeedsApproval reports whether an administrator's grant of r waits for
// someone else's approval: the protected roles, and the administrator role
// itself — otherwise a lone administrator could make a second
// administrator account, sign in as it and approve their own requests. An
// administrator grant may also be approved by the operator's
// administrators, since an organisation with one administrator has no one
// else to ask.
func (r Role) NeedsApproval() bool { return r.Protected() || r == RoleAdministrator }

// Role grant states.
const (
	GrantPending  = "pending"
	GrantApproved = "approved"
	GrantRejected = "rejected"
)

// RoleGrant is a protected role (or the administrator role) that an
// administrator asked to give a user of their organisation; the user holds
// it only once another administrator of the same organisation approves (for
// the administrator role, an administrator of the operator may approve too).
type RoleGrant struct {
	ID          string     `json:"id"`
	OrgID       string     `json:"org_id"`
	UserID      string     `json:"user_id"`
	Role        Role       `json:"role"`
	State       string     `json:"state"`
	RequestedBy string     `json:"requested_by"`
	RequestedAt time.Time  `json:"requested_at"`
	DecidedBy   string     `json:"decided_by,omitempty"`
	DecidedAt   *time.Time `json:"decided_at,omitempty"`
}

// RoleGrantService lists and decides pending grants of protected roles.
type RoleGrantService interface {
	// FindRoleGrants lists the grants waiting in the actor's organisation.
	FindRoleGrants(ctx context.Context) ([]*RoleGrant, error)
	// DecideRoleGrant approves (approve true) or rejects a pending grant.
	DecideRoleGrant(ctx context.Context, id string, approve bool) (*RoleGrant, error)
}

func errSelfGrant() error {
	return Errorf(EFORBIDDEN, "error.user.self_grant", "You cannot change your own roles.")
}

// AuthorizeUserCreate decides whether actor may create u, given whether u's
// organisation already has an administrator. It returns the protected roles
// among u.Roles, which the caller stores as pending grants instead of giving
// them. The operator's administrators may create only the first
// administrator of another organisation (roles exactly administrator, while
// it has none); every other account is made by the organisation's own
// administrators. The system actor (bootstrap and maintenance commands)
// passes, with nothing pending.
func AuthorizeUserCreate(actor *Actor, u *User, orgHasAdmin bool) (pending []Role, err error) {
	if err := Authorize(actor, ActUserCreate, Resource{Type: "user", OrgID: u.OrgID}); err != nil {
		return nil, err
	}
	if actor.System {
		return nil, nil
	}
	if u.OrgID != actor.OrgID {
		if orgHasAdmin || !slices.Equal(u.Roles, []Role{RoleAdministrator}) {
			return nil, Errorf(EFORBIDDEN, "error.user.first_admin_only",
				"In another organisation you may create only its first administrator; its other accounts are made by its own administrators.")
		}
		return nil, nil
	}
	for _, r := range u.Roles {
		if r.NeedsApproval() {
			pending = append(pending, r)
		}
	}
	return pending, nil
}

// AuthorizeRoleChange decides whether actor may change target's roles to
// roles. Nobody changes their own roles; only the target's own
// organisation's administrators change them. It returns the protected roles
// being added, which the caller stores as pending grants instead of giving
// them. The system actor passes, with nothing pending.
func AuthorizeRoleChange(actor *Actor, target *User, roles []Role) (pending []Role, err error) {
	if err := Authorize(actor, ActUserUpdate, Resource{Type: "user", ID: target.ID, OrgID: target.OrgID}); err != nil {
		return nil, err
	}
	if actor.System {
		return nil, nil
	}
	if actor.UserID == target.ID {
		return nil, errSelfGrant()
	}
	for _, r := range roles {
		if r.NeedsApproval() && !target.HasRole(r) {
			pending = append(pending, r)
		}
	}
	return pending, nil
}

// AuthorizeGrantDecision decides whether actor may approve or reject g: an
// administrator of g's organisation who neither asked for it nor receives it,
// or, for the administrator role, an administrator of the operator.
func AuthorizeGrantDecision(actor *Actor, g *RoleGrant) error {
	res := Resource{Type: "role_grant", ID: g.ID, OrgID: g.OrgID}
	if g.Role == RoleAdministrator && actor != nil && actor.Operator {
		res.OrgID = actor.OrgID // the operator's administrators decide these anywhere
	}
	if err := Authorize(actor, ActRoleGrantApprove, res); err != nil {
		return err
	}
	if actor.System {
		return nil
	}
	if actor.UserID == g.UserID {
		return errSelfGrant()
	}
	if actor.UserID == g.RequestedBy {
		return Errorf(EFORBIDDEN, "error.grant.own_request", "Another administrator must approve a grant you asked for.")
	}
	return nil
}

// AuthorizePasswordReset decides whether actor may reset target's password
// (not their own change, which needs the current password). It returns the
// protected roles the target holds: a reset by someone else takes them back
// into pending grants asked by the actor, so that an administrator cannot
// reset a counsellor's (or another administrator's) password and sign in as
// them without someone else's approval. The system actor passes, with nothing taken.
func AuthorizePasswordReset(actor *Actor, target *User) (suspend []Role, err error) {
	if err := Authorize(actor, ActUserPassword, Resource{Type: "user", ID: target.ID, OrgID: target.OrgID}); err != nil {
		return nil, err
	}
	if actor.System || actor.UserID == target.ID {
		return nil, nil
	}
	for _, r := range target.Roles {
		if r.NeedsApproval() {
			suspend = append(suspend, r)
		}
	}
	return suspend, nil
}

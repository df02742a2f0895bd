package referral

import (
	"slices"

	"homeward"
)

// Who may do what to a referral: the sending and the receiving organisation
// each act on their own side, under the central policy for their role. The
// decision needs only the actor and the referral, so storage supplies the
// referral and asks here, and the rules are tested without a database.

// Sides returns the sides of r the actor is on.
func Sides(actor *homeward.Actor, r *Referral) []Side {
	if actor == nil {
		return nil
	}
	if actor.System {
		return []Side{SideSystem}
	}
	var out []Side
	if actor.OrgID == r.ToOrgID {
		out = append(out, SideReceiver)
	}
	if actor.OrgID == r.FromOrgID {
		out = append(out, SideSender)
	}
	return out
}

// SideOrg returns the organisation of a side.
func SideOrg(r *Referral, s Side) string {
	if s == SideReceiver {
		return r.ToOrgID
	}
	return r.FromOrgID
}

// AuthorizeSide checks action on r for the actor on one of sides
// (tried in order), answering not-found to everyone else.
func AuthorizeSide(actor *homeward.Actor, action homeward.Action, r *Referral, want ...Side) (Side, error) {
	mine := Sides(actor, r)
	if len(mine) == 0 {
		return "", homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	if mine[0] == SideSystem {
		return SideSystem, nil
	}
	var firstErr error
	for _, s := range want {
		if !slices.Contains(mine, s) {
			continue
		}
		err := homeward.Authorize(actor, action, homeward.Resource{Type: "referral", ID: r.ID, OrgID: SideOrg(r, s)})
		if err == nil {
			return s, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	if firstErr == nil {
		firstErr = homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	return "", firstErr
}

package web

import (
	"net/http"

	"homeward"
)

// routesAccounts registers the approval of protected role grants: the
// users page lists what waits, and another administrator approves or
// rejects it there.
func (w *Web) routesAccounts() {
	w.handle("POST /role-grants/{id}/approve", w.decideGrant(true), true)
	w.handle("POST /role-grants/{id}/reject", w.decideGrant(false), true)
	w.flash("grant.approved", "grant.rejected", "user.created.pending")
}

// grantRow is a pending grant as the users page shows it.
type grantRow struct {
	*homeward.RoleGrant
	UserName, RequesterName string
	// OrgName names another organisation's grant (an administrator grant
	// the operator may decide); empty for the viewer's own.
	OrgName string
	// Mine: the viewer asked for it or receives it, so another
	// administrator must decide.
	Mine bool
}

// pendingGrants returns the grants waiting in the actor's organisation, or
// nil when the actor may not decide grants.
func (w *Web) pendingGrants(r *http.Request, users []*homeward.User) ([]grantRow, error) {
	a := homeward.ActorFromContext(r.Context())
	if w.svc.Grants == nil || !homeward.Can(a, homeward.ActRoleGrantApprove, homeward.Resource{OrgID: a.OrgID}) {
		return nil, nil
	}
	list, err := w.svc.Grants.FindRoleGrants(r.Context())
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	for _, u := range users {
		names[u.ID] = u.Name
	}
	name := func(id string) string {
		if n, ok := names[id]; ok {
			return n
		}
		if u, err := w.svc.Users.FindUserByID(r.Context(), id); err == nil {
			names[id] = u.Name
			return u.Name
		}
		return id
	}
	orgs := map[string]string{}
	orgName := func(id string) string {
		if id == a.OrgID {
			return "" // the page is about the actor's own organisation
		}
		if n, ok := orgs[id]; ok {
			return n
		}
		n := id
		if o, err := w.svc.Orgs.FindOrganisationByID(r.Context(), id); err == nil {
			n = o.Name
		}
		orgs[id] = n
		return n
	}
	var out []grantRow
	for _, g := range list {
		out = append(out, grantRow{RoleGrant: g, UserName: name(g.UserID), RequesterName: name(g.RequestedBy), OrgName: orgName(g.OrgID),
			Mine: g.RequestedBy == a.UserID || g.UserID == a.UserID})
	}
	return out, nil
}

func (w *Web) decideGrant(approve bool) handlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if !homeward.ValidID(id) {
			return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
		}
		if _, err := w.svc.Grants.DecideRoleGrant(r.Context(), id, approve); err != nil {
			return err
		}
		flash := "grant.rejected"
		if approve {
			flash = "grant.approved"
		}
		http.Redirect(rw, r, "/users?ok="+flash, http.StatusSeeOther)
		return nil
	}
}

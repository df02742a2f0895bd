package sqldb_test

import (
	"context"
	"slices"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/referral"
)

func actorCtx(u *homeward.User, operator bool) context.Context {
	return homeward.NewContextWithActor(context.Background(), &homeward.Actor{UserID: u.ID, OrgID: u.OrgID, Name: u.Name, Email: u.Email, Roles: u.Roles, Operator: operator})
}

// A second administrator of the NGO, created by the first.
func secondAdmin(t *testing.T, w *homewardtest.World) *homeward.User {
	t.Helper()
	b := &homeward.User{OrgID: w.NGO.ID, Email: "second.admin@ngo.test", Name: "Second Admin", Roles: []homeward.Role{homeward.RoleAdministrator}}
	if err := w.DB.CreateUser(w.Ctx("ngo", homeward.RoleAdministrator), b, homewardtest.Password); err != nil {
		t.Fatal(err)
	}
	// The NGO has one administrator: the operator's approves the second.
	approveAdminGrant(t, w, b.ID)
	b.Roles, b.PendingRoles = []homeward.Role{homeward.RoleAdministrator}, nil
	return b
}

// approveAdminGrant approves, as the operator's administrator, the pending
// administrator grant of user id.
func approveAdminGrant(t *testing.T, w *homewardtest.World, id string) {
	t.Helper()
	op := w.Ctx("operator", homeward.RoleAdministrator)
	grants, err := w.DB.FindRoleGrants(op)
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range grants {
		if g.UserID == id && g.Role == homeward.RoleAdministrator {
			if _, err := w.DB.DecideRoleGrant(op, g.ID, true); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no pending administrator grant for %s among %+v", id, grants)
}

// Administrators neither make nor see other users' tokens; they revoke them.
func TestTokensOnlyByTheirOwner(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	staff := w.Users["ngo"][homeward.RoleProviderStaff]
	admin := w.Ctx("ngo", homeward.RoleAdministrator)
	tok := &homeward.APIToken{Name: "act as the counsellor", Scopes: []homeward.Scope{homeward.ScopeRead, homeward.ScopeWrite}}
	if err := db.CreateToken(admin, staff.ID, tok); homewardtest.Code(err) != homeward.EFORBIDDEN || tok.Secret != "" {
		t.Fatalf("administrator mints a counsellor's token: %v", err)
	}
	if err := db.CreateToken(w.Ctx("operator", homeward.RoleAdministrator), staff.ID, tok); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Fatalf("operator mints another org's token: %v", err)
	}
	own := &homeward.APIToken{Name: "mine", Scopes: []homeward.Scope{homeward.ScopeRead}}
	if err := db.CreateToken(w.Ctx("ngo", homeward.RoleProviderStaff), staff.ID, own); err != nil {
		t.Fatal(err)
	}
	if _, err := db.FindTokens(admin, staff.ID); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("administrator lists a colleague's tokens: %v", err)
	}
	if list, err := db.FindTokens(w.Ctx("ngo", homeward.RoleProviderStaff), staff.ID); err != nil || len(list) != 1 {
		t.Errorf("owner lists own tokens: %v %v", list, err)
	}
	if err := db.RevokeToken(w.Ctx("operator", homeward.RoleAdministrator), own.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("operator revokes another org's token: %v", err)
	}
	if err := db.RevokeToken(w.Ctx("ngo", homeward.RoleSupervisor), own.ID); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("supervisor revokes a colleague's token: %v", err)
	}
	if err := db.RevokeToken(admin, own.ID); err != nil {
		t.Errorf("administrator revokes: %v", err)
	}
	if _, err := db.TokenActor(context.Background(), own.Secret); err == nil {
		t.Error("revoked token still works")
	}
	// An administrator who knows no token ids revokes them all.
	more := []*homeward.APIToken{{Name: "a", Scopes: []homeward.Scope{homeward.ScopeRead}}, {Name: "b", Scopes: []homeward.Scope{homeward.ScopeRead}}}
	for _, tk := range more {
		if err := db.CreateToken(w.Ctx("ngo", homeward.RoleProviderStaff), staff.ID, tk); err != nil {
			t.Fatal(err)
		}
		if _, err := db.TokenActor(context.Background(), tk.Secret); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.RevokeTokens(w.Ctx("ngo", homeward.RoleSupervisor), staff.ID); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("supervisor revokes all: %v", err)
	}
	if _, err := db.RevokeTokens(w.Ctx("operator", homeward.RoleAdministrator), staff.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("operator revokes all: %v", err)
	}
	if n, err := db.RevokeTokens(admin, staff.ID); err != nil || n != 2 {
		t.Errorf("administrator revokes all: %d %v", n, err)
	}
	for _, tk := range more {
		if _, err := db.TokenActor(context.Background(), tk.Secret); err == nil {
			t.Errorf("token %s survived revoke-all", tk.Name)
		}
	}
}

func TestRoleGrantsNeedASecondAdministrator(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	admin := w.Ctx("ngo", homeward.RoleAdministrator)
	adminUser := w.Users["ngo"][homeward.RoleAdministrator]
	b := secondAdmin(t, w)
	bCtx := actorCtx(b, false)

	// Nobody grants roles to themselves, protected or not.
	for _, r := range []homeward.Role{homeward.RoleProviderStaff, homeward.RoleSupervisor} {
		rs := []homeward.Role{homeward.RoleAdministrator, r}
		if _, err := db.UpdateUser(admin, adminUser.ID, adminUser.Version, homeward.UserUpdate{Roles: &rs}); homewardtest.Code(err) != homeward.EFORBIDDEN {
			t.Errorf("self-grant of %s: %v", r, err)
		}
	}
	if got, _ := db.FindUserByID(admin, adminUser.ID); !slices.Equal(got.Roles, []homeward.Role{homeward.RoleAdministrator}) || len(got.PendingRoles) != 0 {
		t.Fatalf("after refused self-grants: %+v", got)
	}

	// A protected role asked for a colleague waits.
	cw := w.Users["ngo"][homeward.RoleCaseWorker]
	rs := []homeward.Role{homeward.RoleCaseWorker, homeward.RoleProviderStaff}
	u, err := db.UpdateUser(admin, cw.ID, cw.Version, homeward.UserUpdate{Roles: &rs})
	if err != nil {
		t.Fatal(err)
	}
	if u.HasRole(homeward.RoleProviderStaff) || !slices.Equal(u.PendingRoles, []homeward.Role{homeward.RoleProviderStaff}) {
		t.Fatalf("protected role given at once: %+v", u)
	}
	// Asking again while it waits asks nothing more.
	again := []homeward.Role{homeward.RoleProviderStaff, homeward.RoleSupervisor}
	if u, err = db.UpdateUser(admin, cw.ID, u.Version, homeward.UserUpdate{Roles: &again}); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(u.Roles, []homeward.Role{homeward.RoleSupervisor}) || !slices.Equal(u.PendingRoles, []homeward.Role{homeward.RoleProviderStaff}) {
		t.Fatalf("asked twice: %+v", u)
	}
	// The colleague's token does not read notes yet.
	tok := &homeward.APIToken{Name: "t", Scopes: []homeward.Scope{homeward.ScopeRead, homeward.ScopeWrite}}
	if err := db.CreateToken(w.Ctx("ngo", homeward.RoleCaseWorker), cw.ID, tok); err != nil {
		t.Fatal(err)
	}
	if a, err := db.TokenActor(context.Background(), tok.Secret); err != nil || referral.MayReadNotes(a, w.NGO.ID) {
		t.Fatalf("pending grant reads notes: %+v %v", a, err)
	}

	grants, err := db.FindRoleGrants(bCtx)
	if err != nil || len(grants) != 1 || grants[0].UserID != cw.ID || grants[0].RequestedBy != adminUser.ID {
		t.Fatalf("pending grants: %+v %v", grants, err)
	}
	g := grants[0]
	if _, err := db.FindRoleGrants(w.Ctx("ngo", homeward.RoleSupervisor)); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("supervisor lists grants: %v", err)
	}
	if _, err := db.DecideRoleGrant(admin, g.ID, true); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("requester approves own request: %v", err)
	}
	if _, err := db.DecideRoleGrant(w.Ctx("ngo", homeward.RoleCaseWorker), g.ID, true); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("the receiver approves: %v", err)
	}
	if _, err := db.DecideRoleGrant(w.Ctx("operator", homeward.RoleAdministrator), g.ID, true); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("operator approves another org's grant: %v", err)
	}
	got, err := db.DecideRoleGrant(bCtx, g.ID, true)
	if err != nil || got.State != homeward.GrantApproved || got.DecidedBy != b.ID {
		t.Fatalf("second administrator approves: %+v %v", got, err)
	}
	if _, err := db.DecideRoleGrant(bCtx, g.ID, false); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("deciding twice: %v", err)
	}
	// The approved role applies at once, to the cached token too.
	if a, err := db.TokenActor(context.Background(), tok.Secret); err != nil || !referral.MayReadNotes(a, w.NGO.ID) {
		t.Errorf("approved grant: %+v %v", a, err)
	}
	if u, _ := db.FindUserByID(admin, cw.ID); !u.HasRole(homeward.RoleProviderStaff) || len(u.PendingRoles) != 0 {
		t.Errorf("after approval: %+v", u)
	}

	// A grant to an administrator is not decided by that administrator,
	// and a rejected one gives nothing.
	cur, _ := db.FindUserByID(admin, b.ID)
	rs = []homeward.Role{homeward.RoleAdministrator, homeward.RoleProviderStaff}
	if _, err := db.UpdateUser(admin, b.ID, cur.Version, homeward.UserUpdate{Roles: &rs}); err != nil {
		t.Fatal(err)
	}
	grants, _ = db.FindRoleGrants(admin)
	if len(grants) != 1 {
		t.Fatalf("grants: %+v", grants)
	}
	if _, err := db.DecideRoleGrant(bCtx, grants[0].ID, true); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("administrator approves a grant to themselves: %v", err)
	}
	if _, err := db.DecideRoleGrant(admin, grants[0].ID, false); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("requester rejects own request: %v", err)
	}
	if _, err := db.DecideRoleGrant(homewardtest.SystemCtx(), grants[0].ID, false); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.FindUserByID(admin, b.ID); u.HasRole(homeward.RoleProviderStaff) || len(u.PendingRoles) != 0 {
		t.Errorf("after rejection: %+v", u)
	}

	// Creating an account with a protected role asks for it likewise.
	n := &homeward.User{OrgID: w.NGO.ID, Email: "new.counsellor@ngo.test", Name: "New Counsellor", Roles: []homeward.Role{homeward.RoleProviderStaff}}
	if err := db.CreateUser(admin, n, homewardtest.Password); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.FindUserByID(admin, n.ID); len(u.Roles) != 0 || !slices.Equal(u.PendingRoles, []homeward.Role{homeward.RoleProviderStaff}) {
		t.Errorf("created with a protected role: %+v", u)
	}
}

// The operator creates only the first administrator of another
// organisation, and neither changes nor resets its accounts.
func TestOperatorMakesOnlyTheFirstAdministrator(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	op := w.Ctx("operator", homeward.RoleAdministrator)
	// The NGO has an administrator: the operator may add no one there.
	for _, r := range []homeward.Role{homeward.RoleProviderStaff, homeward.RoleAdministrator} {
		u := &homeward.User{OrgID: w.NGO.ID, Email: "planted." + string(r) + "@ngo.test", Name: "Planted", Roles: []homeward.Role{r}}
		if err := db.CreateUser(op, u, homewardtest.Password); homewardtest.Code(err) != homeward.EFORBIDDEN {
			t.Errorf("operator creates %s in the NGO: %v", r, err)
		}
	}
	centre := &homeward.Organisation{Name: "Mon Jotno Counselling Centre", Type: homeward.OrgServiceProvider, Country: "BD"}
	if err := db.CreateOrganisation(op, centre); err != nil {
		t.Fatal(err)
	}
	staff := &homeward.User{OrgID: centre.ID, Email: "staff@centre.test", Name: "Planted", Roles: []homeward.Role{homeward.RoleProviderStaff}}
	if err := db.CreateUser(op, staff, homewardtest.Password); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("operator creates provider staff in a new org: %v", err)
	}
	first := &homeward.User{OrgID: centre.ID, Email: "admin@centre.test", Name: "Centre Admin", Roles: []homeward.Role{homeward.RoleAdministrator}}
	if err := db.CreateUser(op, first, homewardtest.Password); err != nil {
		t.Fatalf("operator creates the first administrator: %v", err)
	}
	second := &homeward.User{OrgID: centre.ID, Email: "admin2@centre.test", Name: "Second", Roles: []homeward.Role{homeward.RoleAdministrator}}
	if err := db.CreateUser(op, second, homewardtest.Password); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("operator creates a second administrator: %v", err)
	}
	// The centre's own administrator makes its other accounts.
	if err := db.CreateUser(actorCtx(first, false), second, homewardtest.Password); err != nil {
		t.Errorf("the centre's administrator: %v", err)
	}
	// Nor does the operator reach into another org's accounts.
	ngoStaff := w.Users["ngo"][homeward.RoleProviderStaff]
	if err := db.SetPassword(op, ngoStaff.ID, "", "a password I now know"); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("operator resets a counsellor's password: %v", err)
	}
	rs := []homeward.Role{homeward.RoleProviderStaff, homeward.RoleSupervisor}
	if _, err := db.UpdateUser(op, ngoStaff.ID, ngoStaff.Version, homeward.UserUpdate{Roles: &rs}); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("operator changes another org's roles: %v", err)
	}

	// The command line's bootstrap path: first administrators only.
	sys := homewardtest.SystemCtx()
	other := &homeward.Organisation{Name: "Dhaka Skills Hub", Type: homeward.OrgServiceProvider, Country: "BD"}
	if err := db.CreateOrganisation(sys, other); err != nil {
		t.Fatal(err)
	}
	notAdmin := &homeward.User{OrgID: other.ID, Email: "x@hub.test", Name: "X", Roles: []homeward.Role{homeward.RoleProviderStaff}}
	if err := db.CreateFirstAdministrator(sys, notAdmin, homewardtest.Password); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("bootstrap creates provider staff: %v", err)
	}
	hubAdmin := &homeward.User{OrgID: other.ID, Email: "admin@hub.test", Name: "Hub Admin", Roles: []homeward.Role{homeward.RoleAdministrator}}
	if err := db.CreateFirstAdministrator(sys, hubAdmin, homewardtest.Password); err != nil {
		t.Fatal(err)
	}
	again := &homeward.User{OrgID: other.ID, Email: "admin2@hub.test", Name: "Hub Admin 2", Roles: []homeward.Role{homeward.RoleAdministrator}}
	if err := db.CreateFirstAdministrator(sys, again, homewardtest.Password); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("bootstrap creates a second administrator: %v", err)
	}
}

// An administrator who resets a counsellor's password does not sign in as
// a counsellor: the protected role waits for a second administrator.
func TestPasswordResetSuspendsProtectedRoles(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	staff := w.Users["ngo"][homeward.RoleProviderStaff]
	if err := db.SetPassword(w.Ctx("ngo", homeward.RoleAdministrator), staff.ID, "", "a password I now know"); err != nil {
		t.Fatal(err)
	}
	tok, _, err := db.Login(context.Background(), staff.Email, "a password I now know")
	if err != nil {
		t.Fatal(err)
	}
	a, _, err := db.SessionActor(context.Background(), tok)
	if err != nil || referral.MayReadNotes(a, w.NGO.ID) {
		t.Fatalf("signed in after a reset as a counsellor: %+v %v", a, err)
	}
	b := secondAdmin(t, w)
	grants, err := db.FindRoleGrants(actorCtx(b, false))
	if err != nil || len(grants) != 1 || grants[0].UserID != staff.ID {
		t.Fatalf("grants after reset: %+v %v", grants, err)
	}
	if _, err := db.DecideRoleGrant(actorCtx(b, false), grants[0].ID, true); err != nil {
		t.Fatal(err)
	}
	if a, _, _ := db.SessionActor(context.Background(), tok); !referral.MayReadNotes(a, w.NGO.ID) {
		t.Error("approved after reset, still no notes")
	}
	// The user's own change keeps their roles.
	if err := db.SetPassword(actorCtx(staff, false), staff.ID, "a password I now know", "my very own password"); err != nil {
		t.Fatal(err)
	}
	if u, _ := db.FindUserByID(actorCtx(staff, false), staff.ID); !u.HasRole(homeward.RoleProviderStaff) {
		t.Errorf("own password change dropped a role: %+v", u)
	}
}

// A lone administrator cannot make an accomplice account: the administrator
// role, given at creation, by a role change or kept through a password reset
// by someone else, waits for another administrator of the organisation or
// the operator's; the lone one never decides it, nor does another
// organisation's administrator (issue 12).
func TestLoneAdministratorCannotMakeAnAccomplice(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	admin := w.Ctx("ngo", homeward.RoleAdministrator)
	accomplice := &homeward.User{OrgID: w.NGO.ID, Email: "accomplice@ngo.test", Name: "Accomplice", Roles: []homeward.Role{homeward.RoleAdministrator}}
	if err := db.CreateUser(admin, accomplice, homewardtest.Password); err != nil {
		t.Fatal(err)
	}
	got, err := db.FindUserByID(admin, accomplice.ID)
	if err != nil || got.HasRole(homeward.RoleAdministrator) || !slices.Equal(got.PendingRoles, []homeward.Role{homeward.RoleAdministrator}) {
		t.Fatalf("created administrator holds the role at once: %+v %v", got, err)
	}
	// A role change to administrator waits too.
	cw := w.Users["ngo"][homeward.RoleCaseWorker]
	rs := []homeward.Role{homeward.RoleCaseWorker, homeward.RoleAdministrator}
	if u, err := db.UpdateUser(admin, cw.ID, cw.Version, homeward.UserUpdate{Roles: &rs}); err != nil || u.HasRole(homeward.RoleAdministrator) {
		t.Fatalf("role change to administrator given at once: %+v %v", u, err)
	}
	// The lone administrator sees the grants but decides none of them.
	grants, err := db.FindRoleGrants(admin)
	if err != nil || len(grants) != 2 {
		t.Fatalf("grants: %+v %v", grants, err)
	}
	for _, g := range grants {
		if _, err := db.DecideRoleGrant(admin, g.ID, true); homewardtest.Code(err) != homeward.EFORBIDDEN {
			t.Errorf("lone administrator approves %s for %s: %v", g.Role, g.UserID, err)
		}
	}
	// Another organisation's administrator (not the operator) cannot even see them.
	other := &homeward.Organisation{Name: "Other NGO", Type: homeward.OrgNGO, Country: "BD"}
	if err := db.CreateOrganisation(homewardtest.SystemCtx(), other); err != nil {
		t.Fatal(err)
	}
	otherAdmin := &homeward.User{OrgID: other.ID, Email: "admin@other.test", Name: "Other", Roles: []homeward.Role{homeward.RoleAdministrator}}
	if err := db.CreateUser(homewardtest.SystemCtx(), otherAdmin, homewardtest.Password); err != nil {
		t.Fatal(err)
	}
	oc := actorCtx(otherAdmin, false)
	if _, err := db.DecideRoleGrant(oc, grants[0].ID, true); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation's administrator decides: %v", err)
	}
	if list, err := db.FindRoleGrants(oc); err != nil || len(list) != 0 {
		t.Errorf("another organisation's administrator lists: %+v %v", list, err)
	}
	// The operator's administrator approves the accomplice... who then
	// has their administrator role suspended again when the first one
	// resets their password (and so could sign in as them).
	approveAdminGrant(t, w, accomplice.ID)
	got, _ = db.FindUserByID(admin, accomplice.ID)
	if !got.HasRole(homeward.RoleAdministrator) {
		t.Fatalf("approved administrator: %+v", got)
	}
	if err := db.SetPassword(admin, accomplice.ID, "", "a password I now know"); err != nil {
		t.Fatal(err)
	}
	got, _ = db.FindUserByID(admin, accomplice.ID)
	if got.HasRole(homeward.RoleAdministrator) || !slices.Contains(got.PendingRoles, homeward.RoleAdministrator) {
		t.Fatalf("after a reset by another administrator: %+v", got)
	}
}

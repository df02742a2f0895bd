package homeward_test

import (
	"slices"
	"testing"

	"homeward"
)

func roles(rs ...homeward.Role) []homeward.Role { return rs }

var (
	ngoAdmin  = &homeward.Actor{UserID: "a1", OrgID: "ngo", Roles: roles(homeward.RoleAdministrator)}
	ngoAdmin2 = &homeward.Actor{UserID: "a2", OrgID: "ngo", Roles: roles(homeward.RoleAdministrator)}
	opAdmin   = &homeward.Actor{UserID: "o1", OrgID: "op", Operator: true, Roles: roles(homeward.RoleAdministrator)}
	ngoSup    = &homeward.Actor{UserID: "s1", OrgID: "ngo", Roles: roles(homeward.RoleSupervisor)}
)

func TestProtectedRoles(t *testing.T) {
	for _, r := range homeward.Roles {
		// Exactly the roles that may read counselling notes.
		want := homeward.Can(&homeward.Actor{OrgID: "o", Roles: roles(r)}, homeward.ActCounsellingNotes, homeward.Resource{OrgID: "o"})
		if r.Protected() != want {
			t.Errorf("%s: protected %v, reads counselling notes %v", r, r.Protected(), want)
		}
	}
}

func TestAuthorizeUserCreate(t *testing.T) {
	tests := []struct {
		name     string
		actor    *homeward.Actor
		user     homeward.User
		hasAdmin bool
		code     string
		pending  []homeward.Role
	}{
		{"own admin creates a case worker", ngoAdmin, homeward.User{OrgID: "ngo", Roles: roles(homeward.RoleCaseWorker)}, true, "", nil},
		{"own admin asks for provider staff", ngoAdmin, homeward.User{OrgID: "ngo", Roles: roles(homeward.RoleCaseWorker, homeward.RoleProviderStaff)}, true, "", roles(homeward.RoleProviderStaff)},
		{"supervisor (wrong role)", ngoSup, homeward.User{OrgID: "ngo", Roles: roles(homeward.RoleCaseWorker)}, true, homeward.EFORBIDDEN, nil},
		{"NGO admin in another org (wrong tenant)", ngoAdmin, homeward.User{OrgID: "other", Roles: roles(homeward.RoleAdministrator)}, false, homeward.ENOTFOUND, nil},
		{"operator makes the first administrator", opAdmin, homeward.User{OrgID: "ngo", Roles: roles(homeward.RoleAdministrator)}, false, "", nil},
		{"operator makes a second administrator", opAdmin, homeward.User{OrgID: "ngo", Roles: roles(homeward.RoleAdministrator)}, true, homeward.EFORBIDDEN, nil},
		{"operator makes provider staff elsewhere", opAdmin, homeward.User{OrgID: "ngo", Roles: roles(homeward.RoleProviderStaff)}, false, homeward.EFORBIDDEN, nil},
		{"operator's first admin with more roles", opAdmin, homeward.User{OrgID: "ngo", Roles: roles(homeward.RoleAdministrator, homeward.RoleProviderStaff)}, false, homeward.EFORBIDDEN, nil},
		{"operator in its own org", opAdmin, homeward.User{OrgID: "op", Roles: roles(homeward.RoleProviderStaff)}, true, "", roles(homeward.RoleProviderStaff)},
		{"system bootstraps anything", homeward.SystemActor, homeward.User{OrgID: "ngo", Roles: roles(homeward.RoleProviderStaff)}, true, "", nil},
	}
	for _, tt := range tests {
		pending, err := homeward.AuthorizeUserCreate(tt.actor, &tt.user, tt.hasAdmin)
		if got := homeward.ErrorCode(err); got != tt.code {
			t.Errorf("%s: code %q, want %q (%v)", tt.name, got, tt.code, err)
		}
		if !slices.Equal(pending, tt.pending) {
			t.Errorf("%s: pending %v, want %v", tt.name, pending, tt.pending)
		}
	}
}

func TestAuthorizeRoleChange(t *testing.T) {
	cw := &homeward.User{ID: "u1", OrgID: "ngo", Roles: roles(homeward.RoleCaseWorker)}
	staff := &homeward.User{ID: "u2", OrgID: "ngo", Roles: roles(homeward.RoleProviderStaff)}
	self := &homeward.User{ID: "a1", OrgID: "ngo", Roles: roles(homeward.RoleAdministrator)}
	tests := []struct {
		name    string
		actor   *homeward.Actor
		target  *homeward.User
		roles   []homeward.Role
		code    string
		pending []homeward.Role
	}{
		{"plain role", ngoAdmin, cw, roles(homeward.RoleSupervisor), "", nil},
		{"protected role waits", ngoAdmin, cw, roles(homeward.RoleCaseWorker, homeward.RoleProviderStaff), "", roles(homeward.RoleProviderStaff)},
		{"keeping a held protected role", ngoAdmin, staff, roles(homeward.RoleProviderStaff, homeward.RoleSupervisor), "", nil},
		{"self-grant", ngoAdmin, self, roles(homeward.RoleAdministrator, homeward.RoleProviderStaff), homeward.EFORBIDDEN, nil},
		{"self-grant of a plain role", ngoAdmin, self, roles(homeward.RoleAdministrator, homeward.RoleSupervisor), homeward.EFORBIDDEN, nil},
		{"wrong role", ngoSup, cw, roles(homeward.RoleSupervisor), homeward.EFORBIDDEN, nil},
		{"operator in another org (wrong tenant)", opAdmin, cw, roles(homeward.RoleProviderStaff), homeward.ENOTFOUND, nil},
	}
	for _, tt := range tests {
		pending, err := homeward.AuthorizeRoleChange(tt.actor, tt.target, tt.roles)
		if got := homeward.ErrorCode(err); got != tt.code {
			t.Errorf("%s: code %q, want %q (%v)", tt.name, got, tt.code, err)
		}
		if !slices.Equal(pending, tt.pending) {
			t.Errorf("%s: pending %v, want %v", tt.name, pending, tt.pending)
		}
	}
}

func TestAuthorizeGrantDecision(t *testing.T) {
	g := &homeward.RoleGrant{ID: "g1", OrgID: "ngo", UserID: "u1", Role: homeward.RoleProviderStaff, RequestedBy: "a1"}
	toAdmin2 := &homeward.RoleGrant{ID: "g2", OrgID: "ngo", UserID: "a2", Role: homeward.RoleProviderStaff, RequestedBy: "a1"}
	tests := []struct {
		name  string
		actor *homeward.Actor
		grant *homeward.RoleGrant
		code  string
	}{
		{"second administrator", ngoAdmin2, g, ""},
		{"the requesting administrator", ngoAdmin, g, homeward.EFORBIDDEN},
		{"the receiving administrator", ngoAdmin2, toAdmin2, homeward.EFORBIDDEN},
		{"a supervisor", ngoSup, g, homeward.EFORBIDDEN},
		{"the operator's administrator", opAdmin, g, homeward.ENOTFOUND},
	}
	for _, tt := range tests {
		if got := homeward.ErrorCode(homeward.AuthorizeGrantDecision(tt.actor, tt.grant)); got != tt.code {
			t.Errorf("%s: code %q, want %q", tt.name, got, tt.code)
		}
	}
}

func TestAuthorizePasswordReset(t *testing.T) {
	staff := &homeward.User{ID: "u2", OrgID: "ngo", Roles: roles(homeward.RoleProviderStaff, homeward.RoleSupervisor)}
	suspend, err := homeward.AuthorizePasswordReset(ngoAdmin, staff)
	if err != nil || !slices.Equal(suspend, roles(homeward.RoleProviderStaff)) {
		t.Errorf("reset of a counsellor: %v %v", suspend, err)
	}
	if _, err := homeward.AuthorizePasswordReset(opAdmin, staff); homeward.ErrorCode(err) != homeward.ENOTFOUND {
		t.Errorf("operator resets another org's counsellor: %v", err)
	}
	if _, err := homeward.AuthorizePasswordReset(ngoSup, staff); homeward.ErrorCode(err) != homeward.EFORBIDDEN {
		t.Errorf("supervisor resets: %v", err)
	}
	if suspend, err := homeward.AuthorizePasswordReset(homeward.SystemActor, staff); err != nil || suspend != nil {
		t.Errorf("command line reset: %v %v", suspend, err)
	}
}

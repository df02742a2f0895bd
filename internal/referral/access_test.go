package referral

import (
	"slices"
	"testing"

	"homeward"
)

// The referral access rules, without a database: each organisation acts on
// its own side, under the policy for its role; anyone else is told the
// referral does not exist.
func TestAuthorizeSide(t *testing.T) {
	r := &Referral{ID: "r1", FromOrgID: "ngo", ToOrgID: "centre"}
	actor := func(org string, role homeward.Role) *homeward.Actor {
		return &homeward.Actor{UserID: "u-" + org, OrgID: org, Roles: []homeward.Role{role}, Scopes: homeward.Scopes}
	}
	tests := []struct {
		name   string
		actor  *homeward.Actor
		action homeward.Action
		want   []Side
		side   Side
		code   string
	}{
		{"sender reads", actor("ngo", homeward.RoleCaseWorker), homeward.ActReferralRead, []Side{SideSender, SideReceiver}, SideSender, ""},
		{"receiver reads", actor("centre", homeward.RoleProviderStaff), homeward.ActReferralRead, []Side{SideSender, SideReceiver}, SideReceiver, ""},
		{"receiver responds", actor("centre", homeward.RoleProviderStaff), homeward.ActReferralRespond, []Side{SideReceiver}, SideReceiver, ""},
		{"sender may not respond", actor("ngo", homeward.RoleCaseWorker), homeward.ActReferralRespond, []Side{SideReceiver}, "", homeward.EFORBIDDEN},
		{"stranger", actor("other", homeward.RoleSupervisor), homeward.ActReferralRead, []Side{SideSender, SideReceiver}, "", homeward.ENOTFOUND},
		{"sender without the role", actor("ngo", homeward.RoleAuditor), homeward.ActReferralRead, []Side{SideSender}, "", homeward.EFORBIDDEN},
		{"nobody signed in", nil, homeward.ActReferralRead, []Side{SideSender}, "", homeward.ENOTFOUND},
		{"system", homeward.SystemActor, homeward.ActReferralRespond, []Side{SideReceiver}, SideSystem, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			side, err := AuthorizeSide(tt.actor, tt.action, r, tt.want...)
			if side != tt.side || homeward.ErrorCode(err) != tt.code && !(tt.code == "" && err == nil) {
				t.Errorf("side %q err %v; want side %q code %q", side, err, tt.side, tt.code)
			}
		})
	}
	// An organisation referring to itself is on both sides.
	self := &Referral{FromOrgID: "ngo", ToOrgID: "ngo"}
	if got := Sides(actor("ngo", homeward.RoleCaseWorker), self); !slices.Equal(got, []Side{SideReceiver, SideSender}) {
		t.Errorf("self-referral sides %v", got)
	}
	if SideOrg(r, SideReceiver) != "centre" || SideOrg(r, SideSender) != "ngo" {
		t.Error("SideOrg")
	}
}

package homeward_test

import (
	"testing"

	"homeward"
)

// The expected policy, written out by hand (not derived from the rules
// table): for each action, the roles that may perform it on a record of
// their own organisation. "self" marks actions a user may do on their own
// account without the role.
var sameOrg = map[homeward.Action][]homeward.Role{
	homeward.ActOrgRead:          homeward.Roles,
	homeward.ActOrgCreate:        {homeward.RoleAdministrator}, // operator only, see below
	homeward.ActOrgUpdate:        {homeward.RoleAdministrator},
	homeward.ActOrgSetType:       {homeward.RoleAdministrator}, // operator only
	homeward.ActUserRead:         {homeward.RoleAdministrator, homeward.RoleSupervisor, homeward.RoleAuditor},
	homeward.ActUserCreate:       {homeward.RoleAdministrator},
	homeward.ActUserUpdate:       {homeward.RoleAdministrator},
	homeward.ActUserPassword:     {homeward.RoleAdministrator},
	homeward.ActUserNames:        homeward.Roles,
	homeward.ActCaseClose:        {homeward.RoleSupervisor},
	homeward.ActTokenCreate:      {}, // the owner only (self), never an administrator
	homeward.ActTokenRead:        {}, // the owner only (self)
	homeward.ActTokenRevoke:      {homeward.RoleAdministrator},
	homeward.ActRoleGrantApprove: {homeward.RoleAdministrator},
	homeward.ActAuditRead:        {homeward.RoleAuditor, homeward.RoleAdministrator},
	homeward.ActAuditVerify:      {homeward.RoleAuditor},
	homeward.ActReferenceRead:    homeward.Roles,
	homeward.ActPersonRead:       {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActPersonCreate:     {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActPersonUpdate:     {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActCaseAssign:       {homeward.RoleSupervisor},
	homeward.ActConsentRecord:    {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActImport:           {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActExport:           {homeward.RoleSupervisor},

	homeward.ActAssessmentRead:  {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActAssessmentWrite: {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActFormRead:        homeward.Roles,
	homeward.ActFormManage:      {homeward.RoleMEAnalyst, homeward.RoleAdministrator}, // operator only
	homeward.ActSchemeManage:    {homeward.RoleMEAnalyst, homeward.RoleAdministrator}, // operator only
	homeward.ActSchemeActivate:  {homeward.RoleAdministrator},                         // operator only

	homeward.ActServiceTypeManage: {homeward.RoleAdministrator}, // operator only
	homeward.ActHolidayManage:     {homeward.RoleAdministrator}, // operator only
	homeward.ActProviderRead:      homeward.Roles,
	homeward.ActProviderManage:    {homeward.RoleAdministrator},
	homeward.ActPlanRead:          {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActPlanWrite:         {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActPlanApprove:       {homeward.RoleSupervisor},
	homeward.ActReferralRead:      {homeward.RoleCaseWorker, homeward.RoleSupervisor, homeward.RoleProviderStaff},
	homeward.ActReferralSend:      {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActReferralRespond:   {homeward.RoleCaseWorker, homeward.RoleSupervisor, homeward.RoleProviderStaff},
	homeward.ActReferralStats:     {homeward.RoleSupervisor},
	homeward.ActDeliveryWrite:     {homeward.RoleCaseWorker, homeward.RoleSupervisor, homeward.RoleProviderStaff},
	homeward.ActGrantApprove:      {homeward.RoleSupervisor},
	homeward.ActCounsellingNotes:  {homeward.RoleProviderStaff},

	homeward.ActDedupeReview: {homeward.RoleSupervisor},
	homeward.ActDedupeMerge:  {homeward.RoleSupervisor},

	homeward.ActIndicatorRead:    {homeward.RoleMEAnalyst, homeward.RoleSupervisor, homeward.RoleAdministrator},
	homeward.ActIndicatorRebuild: {homeward.RoleMEAnalyst, homeward.RoleAdministrator}, // operator only
	homeward.ActResearchExport:   {homeward.RoleMEAnalyst},

	homeward.ActRPLRead:          {homeward.RoleCaseWorker, homeward.RoleSupervisor, homeward.RoleProviderStaff},
	homeward.ActRPLApply:         {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActRPLAssess:        {homeward.RoleCaseWorker, homeward.RoleSupervisor, homeward.RoleProviderStaff},
	homeward.ActRPLSignOff:       {homeward.RoleSupervisor},
	homeward.ActRPLAssessorAdmin: {homeward.RoleAdministrator},
	homeward.ActCredentialRead:   {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActCredentialIssue:  {homeward.RoleSupervisor},
	homeward.ActCredentialRevoke: {homeward.RoleSupervisor},

	homeward.ActAuditReaders:      {homeward.RoleSupervisor, homeward.RoleAuditor},
	homeward.ActRecommendRead:     {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActRecommendModels:   {homeward.RoleSupervisor, homeward.RoleMEAnalyst, homeward.RoleAdministrator},
	homeward.ActRecommendTrain:    {homeward.RoleMEAnalyst, homeward.RoleAdministrator},
	homeward.ActRecommendActivate: {homeward.RoleAdministrator},

	homeward.ActSubjectRequest: {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActSubjectAccess:  {homeward.RoleSupervisor},

	homeward.ActBreakGlass:       {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActBreakGlassReview: {homeward.RoleSupervisor},
	homeward.ActProgrammeRead:    {homeward.RoleAdministrator, homeward.RoleSupervisor, homeward.RoleCaseWorker, homeward.RoleMEAnalyst},
	homeward.ActProgrammeManage:  {homeward.RoleAdministrator},
	homeward.ActProgrammeEnrol:   {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActErasureRequest:   {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActErasureApprove:   {homeward.RoleSupervisor},
	homeward.ActLegalHold:        {homeward.RoleSupervisor, homeward.RoleAdministrator},
	homeward.ActRetentionManage:  {homeward.RoleAdministrator},

	homeward.ActPartnerManage:     {homeward.RoleAdministrator}, // operator only
	homeward.ActHandoffSend:       {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActHandoffReceive:    {homeward.RoleCaseWorker, homeward.RoleSupervisor},
	homeward.ActSignInPolicy:      {homeward.RoleAdministrator}, // own organisation only, the operator's too
	homeward.ActSecondFactorReset: {},                           // the operator's command line (system) only
}

// Actions only the operator organisation's role holders may perform.
var operatorOnly = map[homeward.Action]bool{homeward.ActOrgCreate: true, homeward.ActOrgSetType: true, homeward.ActFormManage: true,
	homeward.ActSchemeManage: true, homeward.ActSchemeActivate: true, homeward.ActServiceTypeManage: true, homeward.ActHolidayManage: true,
	homeward.ActIndicatorRebuild: true, homeward.ActPartnerManage: true}

// Actions whose records of other organisations are visible to every role.
var directory = map[homeward.Action]bool{homeward.ActOrgRead: true, homeward.ActReferenceRead: true, homeward.ActFormRead: true,
	homeward.ActProviderRead: true}

// Actions the operator organisation's role holders may perform across
// organisations.
var operatorReach = map[homeward.Action]bool{
	homeward.ActOrgCreate: true, homeward.ActOrgUpdate: true, homeward.ActOrgSetType: true, homeward.ActUserRead: true, homeward.ActUserCreate: true,
	homeward.ActAuditRead: true, homeward.ActAuditVerify: true,
	homeward.ActProviderManage: true,
	homeward.ActIndicatorRead:  true, homeward.ActResearchExport: true,
	homeward.ActProgrammeRead: true,
}

func has(rs []homeward.Role, r homeward.Role) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}

func TestPolicyEveryRoleEveryAction(t *testing.T) {
	if len(homeward.Actions()) != len(sameOrg) {
		t.Fatalf("policy knows %d actions, the test expects %d: update the expectations", len(homeward.Actions()), len(sameOrg))
	}
	const own, other = "org-own", "org-other"
	for _, action := range homeward.Actions() {
		allowed, ok := sameOrg[action]
		if !ok {
			t.Errorf("no expectation for %s", action)
			continue
		}
		for _, role := range homeward.Roles {
			for _, operator := range []bool{false, true} {
				actor := &homeward.Actor{UserID: "u1", OrgID: own, Roles: []homeward.Role{role}, Operator: operator}

				// Own organisation.
				err := homeward.Authorize(actor, action, homeward.Resource{Type: "x", ID: "r1", OrgID: own})
				want := ""
				if !has(allowed, role) || operatorOnly[action] && !operator {
					want = homeward.EFORBIDDEN
				}
				if got := homeward.ErrorCode(err); got != want {
					t.Errorf("%s as %s (operator=%v) in own org: got %q, want %q", action, role, operator, got, want)
				}

				// Another organisation's record: allowed only for the
				// directory, or for operators with the role; otherwise it
				// does not exist for the actor.
				err = homeward.Authorize(actor, action, homeward.Resource{Type: "x", ID: "r2", OrgID: other})
				want = homeward.ENOTFOUND
				if directory[action] || operator && operatorReach[action] && has(allowed, role) {
					want = ""
				}
				if got := homeward.ErrorCode(err); got != want {
					t.Errorf("%s as %s (operator=%v) in other org: got %q, want %q", action, role, operator, got, want)
				}
			}
		}
	}
}

func TestPolicySelfAndScopes(t *testing.T) {
	cw := &homeward.Actor{UserID: "u1", OrgID: "o1", Roles: []homeward.Role{homeward.RoleCaseWorker}}
	if err := homeward.Authorize(cw, homeward.ActUserRead, homeward.Resource{ID: "u1", OrgID: "o1", OwnerID: "u1"}); err != nil {
		t.Errorf("reading own account: %v", err)
	}
	for _, act := range []homeward.Action{homeward.ActTokenCreate, homeward.ActTokenRead, homeward.ActTokenRevoke} {
		if err := homeward.Authorize(cw, act, homeward.Resource{ID: "u1", OrgID: "o1", OwnerID: "u1"}); err != nil {
			t.Errorf("%s on own tokens: %v", act, err)
		}
		if err := homeward.Authorize(cw, act, homeward.Resource{ID: "u2", OrgID: "o1", OwnerID: "u2"}); homeward.ErrorCode(err) != homeward.EFORBIDDEN {
			t.Errorf("%s on a colleague's tokens: %v", act, err)
		}
	}
	// An administrator revokes a colleague's token but neither makes nor
	// sees one.
	adm := &homeward.Actor{UserID: "a1", OrgID: "o1", Roles: []homeward.Role{homeward.RoleAdministrator}}
	colleague := homeward.Resource{ID: "u2", OrgID: "o1", OwnerID: "u2"}
	if err := homeward.Authorize(adm, homeward.ActTokenRevoke, colleague); err != nil {
		t.Errorf("administrator revokes: %v", err)
	}
	for _, act := range []homeward.Action{homeward.ActTokenCreate, homeward.ActTokenRead} {
		if err := homeward.Authorize(adm, act, colleague); homeward.ErrorCode(err) != homeward.EFORBIDDEN {
			t.Errorf("administrator %s for a colleague: %v", act, err)
		}
	}
	tok := &homeward.Actor{UserID: "u1", OrgID: "o1", Roles: []homeward.Role{homeward.RoleCaseWorker}, Scopes: []homeward.Scope{homeward.ScopeRead}}
	if err := homeward.Authorize(tok, homeward.ActPersonRead, homeward.Resource{OrgID: "o1"}); err != nil {
		t.Errorf("read token reading: %v", err)
	}
	if err := homeward.Authorize(tok, homeward.ActPersonCreate, homeward.Resource{OrgID: "o1"}); homeward.ErrorCode(err) != homeward.EFORBIDDEN {
		t.Errorf("read token writing: %v", err)
	}
	if err := homeward.Authorize(nil, homeward.ActOrgRead, homeward.Resource{}); homeward.ErrorCode(err) != homeward.EUNAUTHORIZED {
		t.Errorf("no actor: %v", err)
	}
	if err := homeward.Authorize(homeward.SystemActor, homeward.ActOrgCreate, homeward.Resource{}); err != nil {
		t.Errorf("system: %v", err)
	}
	if err := homeward.Authorize(cw, homeward.Action("nope"), homeward.Resource{}); homeward.ErrorCode(err) != homeward.EFORBIDDEN {
		t.Errorf("unknown action: %v", err)
	}
	// A user who must enrol a second factor may do nothing else, not even
	// what their roles allow or what is theirs alone.
	enrol := &homeward.Actor{UserID: "a1", OrgID: "o1", Roles: []homeward.Role{homeward.RoleAdministrator}, MustEnrol: true}
	for _, act := range []homeward.Action{homeward.ActOrgRead, homeward.ActUserRead, homeward.ActSignInPolicy} {
		if err := homeward.Authorize(enrol, act, homeward.Resource{OrgID: "o1"}); homeward.ErrorCode(err) != homeward.EFORBIDDEN {
			t.Errorf("%s before enrolment: %v", act, err)
		}
	}
	if err := homeward.Authorize(enrol, homeward.ActTokenCreate, homeward.Resource{OrgID: "o1", OwnerID: "a1"}); homeward.ErrorCode(err) != homeward.EFORBIDDEN {
		t.Errorf("own token before enrolment: %v", err)
	}
	if err := homeward.RequireScope(enrol, homeward.ScopeAdmin); homeward.ErrorCode(err) != homeward.EFORBIDDEN {
		t.Errorf("self-service before enrolment: %v", err)
	}
}

func TestNewID(t *testing.T) {
	prev := ""
	for i := 0; i < 10000; i++ {
		id := homeward.NewID()
		if !homeward.ValidID(id) || id[14] != '7' {
			t.Fatalf("bad id %q", id)
		}
		if id <= prev {
			t.Fatalf("ids not increasing: %s after %s", id, prev)
		}
		prev = id
	}
	for _, bad := range []string{"", "x", "0190c2a1-0000-7000-8000-00000000000G", "0190C2A1-0000-7000-8000-000000000000"} {
		if homeward.ValidID(bad) {
			t.Errorf("ValidID(%q)", bad)
		}
	}
}

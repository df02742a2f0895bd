package homeward

import (
	"context"
	"slices"
	"time"
)

// Actor is who performs an action: a signed-in user, an API token acting for
// its user within its scopes, or the system itself (CLI maintenance, jobs).
type Actor struct {
	UserID   string
	OrgID    string
	Name     string
	Email    string
	Locale   string
	Digits   string // the user's digit preference (User.Digits)
	Roles    []Role
	Operator bool    // the actor's organisation operates the instance
	Scopes   []Scope // nil for sessions; the token's scopes otherwise
	TokenID  string
	System   bool
	// MustEnrol: the actor's organisation requires them to have a second
	// factor and they have none. Until they enrol one, every action is
	// refused (see Authorize); only their own enrolment is open to them.
	MustEnrol bool
	// Zone is the time zone of the actor's organisation when it names one;
	// nil means the instance's (see Clock.For).
	Zone *time.Location
}

// SystemActor acts for maintenance commands run by whoever holds the server;
// it passes every policy check and is recorded as "system" in the audit log.
var SystemActor = &Actor{System: true, Name: "system"}

// HasRole reports whether the actor holds r.
func (a *Actor) HasRole(r Role) bool { return a != nil && slices.Contains(a.Roles, r) }

// HasScope reports whether the actor's credentials carry scope s: a browser
// session carries every scope, an API token only those it was issued with.
func (a *Actor) HasScope(s Scope) bool {
	return a != nil && (a.System || a.Scopes == nil || slices.Contains(a.Scopes, s))
}

// RequireScope returns an error unless the actor's credentials carry s. The
// policy table checks scopes itself; this is for the few self-service
// actions (own profile, own password, own tokens) that have no table row.
func RequireScope(a *Actor, s Scope) error {
	if a != nil && a.MustEnrol {
		return errMustEnrol()
	}
	if !a.HasScope(s) {
		return Errorf(EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	return nil
}

func errMustEnrol() error {
	return Errorf(EFORBIDDEN, "error.signin.enrol_first", "Your organisation requires a second factor: set one up before anything else.")
}

type actorKey struct{}

// NewContextWithActor returns ctx carrying a.
func NewContextWithActor(ctx context.Context, a *Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFromContext returns the actor in ctx, or nil.
func ActorFromContext(ctx context.Context) *Actor {
	a, _ := ctx.Value(actorKey{}).(*Actor)
	return a
}

type requestIDKey struct{}

// NewContextWithRequestID returns ctx carrying the request id that audit
// events and logs record.
func NewContextWithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestIDFromContext returns the request id in ctx, or "".
func RequestIDFromContext(ctx context.Context) string {
	s, _ := ctx.Value(requestIDKey{}).(string)
	return s
}

type clientAddrKey struct{}

// NewContextWithClientAddr returns ctx carrying the address of the client
// that made the request, which sign-in throttling counts attempts by.
func NewContextWithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddrFromContext returns the client's address in ctx, or "".
func ClientAddrFromContext(ctx context.Context) string {
	s, _ := ctx.Value(clientAddrKey{}).(string)
	return s
}

// Action is something an actor may try to do.
type Action string

// Actions. Each has one scope that an API token needs for it.
const (
	ActOrgRead   Action = "org.read"
	ActOrgCreate Action = "org.create"
	ActOrgUpdate Action = "org.update"
	// ActOrgSetType changes an organisation's type (ministry, NGO …): the
	// operator's administrators only, never an organisation's own, since
	// the type decides what an organisation may be trusted with.
	ActOrgSetType   Action = "org.set_type"
	ActUserRead     Action = "user.read"
	ActUserCreate   Action = "user.create"
	ActUserUpdate   Action = "user.update"
	ActUserPassword Action = "user.password" // reset another user's password
	// ActUserNames shows who did something: the names of the actor's
	// colleagues, and for users of another organisation only that
	// organisation's name (see UserService.UserNames).
	ActUserNames Action = "user.names"
	// API tokens: made and listed only by their owner (an administrator
	// who could mint a colleague's token could act as them, counselling
	// notes included); revoked by their owner or an administrator of the
	// owner's organisation.
	ActTokenCreate Action = "token.create"
	ActTokenRead   Action = "token.read"
	ActTokenRevoke Action = "token.revoke"
	// ActRoleGrantApprove approves or rejects a pending grant of a
	// protected role (see ProtectedRoles), and lists those waiting: another
	// administrator of the same organisation (see AuthorizeGrantDecision).
	ActRoleGrantApprove Action = "role_grant.approve"
	ActAuditRead        Action = "audit.read"
	// ActAuditReaders: who opened a record of the organisation.
	ActAuditReaders  Action = "audit.readers"
	ActAuditVerify   Action = "audit.verify"
	ActReferenceRead Action = "reference.read"
	ActPersonRead    Action = "person.read"
	ActPersonCreate  Action = "person.create"
	ActPersonUpdate  Action = "person.update"
	ActCaseAssign    Action = "case.assign"
	// ActCaseClose closes a case: a supervisor's decision (the other
	// moves follow the plan, or are the case worker's).
	ActCaseClose     Action = "case.close"
	ActConsentRecord Action = "consent.record"
	ActImport        Action = "registry.import"
	ActExport        Action = "registry.export"
	// Assessments: filling forms about a person and reading their results
	// and scores; managing the instance-wide form and scoring-scheme
	// catalogue (operator M&E analysts and administrators); activating a
	// scheme version (operator administrators).
	ActAssessmentRead  Action = "assessment.read"
	ActAssessmentWrite Action = "assessment.write"
	ActFormRead        Action = "form.read"
	ActFormManage      Action = "form.manage"
	ActSchemeManage    Action = "scheme.manage"
	ActSchemeActivate  Action = "scheme.activate"
	// Referrals: the service catalogue (operator administrators), the
	// provider directory (visible to all; each organisation's
	// administrators keep their own entries, operator administrators any),
	// plans, referrals and service delivery. Referral actions are checked
	// against the organisation on the actor's side of the referral: the
	// sender's for sending and revoking, the receiver's for responding and
	// recording delivery (see internal/sqldb/referral.go).
	ActServiceTypeManage Action = "service_type.manage"
	// ActHolidayManage adds or removes a public holiday for the instance
	// (its country pack's list is the default).
	ActHolidayManage   Action = "holiday.manage"
	ActProviderRead    Action = "provider.read"
	ActProviderManage  Action = "provider.manage"
	ActPlanRead        Action = "plan.read"
	ActPlanWrite       Action = "plan.write"
	ActPlanApprove     Action = "plan.approve"
	ActReferralRead    Action = "referral.read"
	ActReferralSend    Action = "referral.send"
	ActReferralRespond Action = "referral.respond"
	ActReferralStats   Action = "referral.stats"
	ActDeliveryWrite   Action = "delivery.write"
	ActGrantApprove    Action = "grant.approve"
	// Counselling session notes: the providing organisation's counsellors
	// (provider staff) only — not its administrators or supervisors, not
	// the referring organisation, not the operator.
	ActCounsellingNotes Action = "counselling.notes"
	// Duplicates: reviewing the queue of likely duplicate pairs (confirm,
	// reject, scan) and merging or unmerging two records of one person.
	ActDedupeReview Action = "dedupe.review"
	ActDedupeMerge  Action = "dedupe.merge"
	// Indicators: reading the precomputed results (aggregates only, never
	// a person), rebuilding them, and the de-identified research extract
	// of people whose consent covers research.
	ActIndicatorRead    Action = "indicator.read"
	ActIndicatorRebuild Action = "indicator.rebuild"
	ActResearchExport   Action = "research.export"
	// Recognition of prior learning and certificates: reading assessments
	// and the credentials issued; applying for an assessment; recording
	// results (besides the role, the assessor must be registered for the
	// standard); the second person's sign-off; registering assessors;
	// issuing and revoking certificates.
	ActRPLRead          Action = "rpl.read"
	ActRPLApply         Action = "rpl.apply"
	ActRPLAssess        Action = "rpl.assess"
	ActRPLSignOff       Action = "rpl.sign_off"
	ActRPLAssessorAdmin Action = "rpl.assessors"
	ActCredentialRead   Action = "credential.read"
	ActCredentialIssue  Action = "credential.issue"
	ActCredentialRevoke Action = "credential.revoke"
	// Service recommendations: seeing the suggestions for a person (on the
	// plan page, beside the plan the case worker decides); reading model
	// cards and fairness reports; training a model from the organisation's
	// pseudonymised history or uploading one; activating a model version.
	ActRecommendRead     Action = "recommend.read"
	ActRecommendModels   Action = "recommend.models"
	ActRecommendTrain    Action = "recommend.train"
	ActRecommendActivate Action = "recommend.activate"
	// Subject requests: recording a returnee's request for a copy of what
	// is held on them (and seeing the open ones); producing the copy —
	// which lists who read the record — and marking the request fulfilled.
	ActSubjectRequest Action = "subject.request"
	ActSubjectAccess  Action = "subject.access"
	// Break-glass: time-limited read access to one record of another
	// organisation in an emergency, on a reason; its review afterwards by
	// a supervisor of the organisation that holds the record.
	ActBreakGlass       Action = "breakglass.open"
	ActBreakGlassReview Action = "breakglass.review"
	// Programmes an organisation runs (RAISE, say): seeing them (to enrol
	// a case, or to filter indicators by them); creating and deactivating
	// them (the organisation's administrators, not its supervisors: a
	// programme is a contract with a donor, not casework); enrolling a
	// case of the organisation in one.
	ActProgrammeRead   Action = "programme.read"
	ActProgrammeManage Action = "programme.manage"
	ActProgrammeEnrol  Action = "programme.enrol"
	// Erasure and retention: a case worker or supervisor records a
	// returnee's request to be erased, with a reason; another supervisor
	// of the organisation approves (or refuses) it — never the one who
	// asked (see registry.CheckFourEyes). A supervisor or administrator
	// places and lifts a legal hold, which blocks erasure and retention
	// for the person. Administrators set the retention periods, read the
	// dry-run report and run it.
	ActErasureRequest  Action = "erasure.request"
	ActErasureApprove  Action = "erasure.approve"
	ActLegalHold       Action = "legal_hold.manage"
	ActRetentionManage Action = "retention.manage"
	// Cross-border handoff: registering partner instances abroad, their
	// agreements and keys, and seeing this instance's own signing key
	// (the operator's administrators); announcing a case's return to a
	// partner and seeing its delivery log and feedback (the case's
	// organisation, when the agreement lets it send); deciding on the
	// expected arrivals a partner announced (the receiving organisation).
	ActPartnerManage  Action = "partner.manage"
	ActHandoffSend    Action = "handoff.send"
	ActHandoffReceive Action = "handoff.receive"
	// ActSignInPolicy reads and sets how an organisation's users sign in
	// (who needs a second factor, session time-outs): its own
	// administrators only, never another organisation's. A user's own
	// second factors and sessions are theirs alone and need no role.
	ActSignInPolicy Action = "signin.policy"
	// ActSecondFactorReset removes another user's second factor when they
	// have lost both their authenticator and their recovery codes: the
	// instance's operator only, from the command line (no role allows it,
	// so that an organisation administrator who resets a password cannot
	// also take the factor that guards it). It is audited and the user is
	// told at their next sign-in.
	ActSecondFactorReset Action = "signin.factor_reset"
)

// Resource is the record an action touches. OrgID is the owning
// organisation; OwnerID a user who owns it personally (their own account or
// token), when that matters.
type Resource struct {
	Type    string
	ID      string
	OrgID   string
	OwnerID string
}

type rule struct {
	scope Scope
	roles []Role
	// crossOrg: how an actor may reach records of another organisation.
	crossOrg crossOrg
	// self: the owner of the record may act on it without a role.
	self bool
	// operatorOnly: only the operator organisation's role holders may act.
	operatorOnly bool
}

type crossOrg int

const (
	sameOrgOnly   crossOrg = iota
	anyOrg                 // the directory of organisations: visible to all
	operatorRoles          // operator organisation's holders of the roles
)

var all = Roles

var rules = map[Action]rule{
	ActOrgRead:    {scope: ScopeRead, roles: all, crossOrg: anyOrg},
	ActOrgCreate:  {scope: ScopeAdmin, roles: []Role{RoleAdministrator}, crossOrg: operatorRoles, operatorOnly: true},
	ActOrgUpdate:  {scope: ScopeAdmin, roles: []Role{RoleAdministrator}, crossOrg: operatorRoles},
	ActOrgSetType: {scope: ScopeAdmin, roles: []Role{RoleAdministrator}, crossOrg: operatorRoles, operatorOnly: true},
	ActUserRead:   {scope: ScopeRead, roles: []Role{RoleAdministrator, RoleSupervisor, RoleAuditor}, crossOrg: operatorRoles, self: true},
	// The operator's administrators reach other organisations' accounts
	// only to create their first administrator (see AuthorizeUserCreate);
	// changing or resetting an account is for its own organisation's
	// administrators, so that no one outside can sign in as its counsellors.
	ActUserCreate:       {scope: ScopeAdmin, roles: []Role{RoleAdministrator}, crossOrg: operatorRoles},
	ActUserUpdate:       {scope: ScopeAdmin, roles: []Role{RoleAdministrator}},
	ActUserPassword:     {scope: ScopeAdmin, roles: []Role{RoleAdministrator}},
	ActUserNames:        {scope: ScopeRead, roles: all},
	ActTokenCreate:      {scope: ScopeAdmin, self: true},
	ActTokenRead:        {scope: ScopeAdmin, self: true},
	ActTokenRevoke:      {scope: ScopeAdmin, roles: []Role{RoleAdministrator}, self: true},
	ActRoleGrantApprove: {scope: ScopeAdmin, roles: []Role{RoleAdministrator}},
	ActAuditRead:        {scope: ScopeAudit, roles: []Role{RoleAuditor, RoleAdministrator}, crossOrg: operatorRoles},
	ActAuditReaders:     {scope: ScopeAudit, roles: []Role{RoleSupervisor, RoleAuditor}},
	ActAuditVerify:      {scope: ScopeAudit, roles: []Role{RoleAuditor}, crossOrg: operatorRoles},
	ActReferenceRead:    {scope: ScopeReference, roles: all, crossOrg: anyOrg},
	ActPersonRead:       {scope: ScopeRead, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActPersonCreate:     {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActPersonUpdate:     {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActCaseAssign:       {scope: ScopeWrite, roles: []Role{RoleSupervisor}},
	ActCaseClose:        {scope: ScopeWrite, roles: []Role{RoleSupervisor}},
	ActConsentRecord:    {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActImport:           {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActExport:           {scope: ScopeRead, roles: []Role{RoleSupervisor}},

	ActAssessmentRead:  {scope: ScopeRead, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActAssessmentWrite: {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActFormRead:        {scope: ScopeRead, roles: all, crossOrg: anyOrg},
	ActFormManage:      {scope: ScopeWrite, roles: []Role{RoleMEAnalyst, RoleAdministrator}, operatorOnly: true},
	ActSchemeManage:    {scope: ScopeWrite, roles: []Role{RoleMEAnalyst, RoleAdministrator}, operatorOnly: true},
	ActSchemeActivate:  {scope: ScopeAdmin, roles: []Role{RoleAdministrator}, operatorOnly: true},

	ActServiceTypeManage: {scope: ScopeAdmin, roles: []Role{RoleAdministrator}, operatorOnly: true},
	ActHolidayManage:     {scope: ScopeAdmin, roles: []Role{RoleAdministrator}, operatorOnly: true},
	ActProviderRead:      {scope: ScopeRead, roles: all, crossOrg: anyOrg},
	ActProviderManage:    {scope: ScopeWrite, roles: []Role{RoleAdministrator}, crossOrg: operatorRoles},
	ActPlanRead:          {scope: ScopeRead, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActPlanWrite:         {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActPlanApprove:       {scope: ScopeWrite, roles: []Role{RoleSupervisor}},
	ActReferralRead:      {scope: ScopeRead, roles: []Role{RoleCaseWorker, RoleSupervisor, RoleProviderStaff}},
	ActReferralSend:      {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActReferralRespond:   {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor, RoleProviderStaff}},
	ActReferralStats:     {scope: ScopeRead, roles: []Role{RoleSupervisor}},
	ActDeliveryWrite:     {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor, RoleProviderStaff}},
	ActGrantApprove:      {scope: ScopeWrite, roles: []Role{RoleSupervisor}},
	ActCounsellingNotes:  {scope: ScopeWrite, roles: []Role{RoleProviderStaff}},

	ActDedupeReview: {scope: ScopeWrite, roles: []Role{RoleSupervisor}},
	ActDedupeMerge:  {scope: ScopeWrite, roles: []Role{RoleSupervisor}},

	ActIndicatorRead:    {scope: ScopeRead, roles: []Role{RoleMEAnalyst, RoleSupervisor, RoleAdministrator}, crossOrg: operatorRoles},
	ActIndicatorRebuild: {scope: ScopeAdmin, roles: []Role{RoleMEAnalyst, RoleAdministrator}, operatorOnly: true},
	ActResearchExport:   {scope: ScopeRead, roles: []Role{RoleMEAnalyst}, crossOrg: operatorRoles},

	ActRPLRead:          {scope: ScopeRead, roles: []Role{RoleCaseWorker, RoleSupervisor, RoleProviderStaff}},
	ActRPLApply:         {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActRPLAssess:        {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor, RoleProviderStaff}},
	ActRPLSignOff:       {scope: ScopeWrite, roles: []Role{RoleSupervisor}},
	ActRPLAssessorAdmin: {scope: ScopeAdmin, roles: []Role{RoleAdministrator}},
	ActCredentialRead:   {scope: ScopeRead, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActCredentialIssue:  {scope: ScopeWrite, roles: []Role{RoleSupervisor}},
	ActCredentialRevoke: {scope: ScopeWrite, roles: []Role{RoleSupervisor}},

	ActRecommendRead:     {scope: ScopeRead, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActRecommendModels:   {scope: ScopeRead, roles: []Role{RoleSupervisor, RoleMEAnalyst, RoleAdministrator}},
	ActRecommendTrain:    {scope: ScopeWrite, roles: []Role{RoleMEAnalyst, RoleAdministrator}},
	ActRecommendActivate: {scope: ScopeAdmin, roles: []Role{RoleAdministrator}},

	ActSubjectRequest: {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActSubjectAccess:  {scope: ScopeRead, roles: []Role{RoleSupervisor}},

	ActBreakGlass:       {scope: ScopeRead, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActBreakGlassReview: {scope: ScopeWrite, roles: []Role{RoleSupervisor}},
	ActProgrammeRead:    {scope: ScopeRead, roles: []Role{RoleAdministrator, RoleSupervisor, RoleCaseWorker, RoleMEAnalyst}, crossOrg: operatorRoles},
	ActProgrammeManage:  {scope: ScopeAdmin, roles: []Role{RoleAdministrator}},
	ActProgrammeEnrol:   {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},

	ActErasureRequest:    {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActErasureApprove:    {scope: ScopeWrite, roles: []Role{RoleSupervisor}},
	ActLegalHold:         {scope: ScopeWrite, roles: []Role{RoleSupervisor, RoleAdministrator}},
	ActRetentionManage:   {scope: ScopeAdmin, roles: []Role{RoleAdministrator}},
	ActPartnerManage:     {scope: ScopeAdmin, roles: []Role{RoleAdministrator}, operatorOnly: true},
	ActHandoffSend:       {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActHandoffReceive:    {scope: ScopeWrite, roles: []Role{RoleCaseWorker, RoleSupervisor}},
	ActSignInPolicy:      {scope: ScopeAdmin, roles: []Role{RoleAdministrator}},
	ActSecondFactorReset: {scope: ScopeAdmin},
}

// Actions lists every action the policy knows, for exhaustive tests.
func Actions() []Action {
	out := make([]Action, 0, len(rules))
	for a := range rules {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// Authorize answers whether actor may perform action on res. It returns nil
// when allowed; ENOTFOUND when the record belongs to an organisation the
// actor may not see (so that its existence is not revealed); EFORBIDDEN when
// the actor may see the record but not do this; EUNAUTHORIZED without actor.
// It is the one place where roles, organisations and token scopes meet, and
// every service method calls it before touching data.
func Authorize(actor *Actor, action Action, res Resource) error {
	if actor == nil {
		return Errorf(EUNAUTHORIZED, "error.unauthorized", "Please sign in.")
	}
	if actor.System {
		return nil
	}
	if actor.MustEnrol {
		return errMustEnrol()
	}
	r, ok := rules[action]
	if !ok {
		return Errorf(EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	sameOrg := res.OrgID == "" || res.OrgID == actor.OrgID
	isSelf := r.self && res.OwnerID != "" && res.OwnerID == actor.UserID
	hasRole := slices.ContainsFunc(r.roles, actor.HasRole)
	if !sameOrg {
		reach := r.crossOrg == anyOrg || r.crossOrg == operatorRoles && actor.Operator && hasRole
		if !reach {
			return Errorf(ENOTFOUND, "error.not_found", "Not found.")
		}
	}
	if !hasRole && !isSelf {
		if res.ID != "" && !sameOrg {
			return Errorf(ENOTFOUND, "error.not_found", "Not found.")
		}
		return Errorf(EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	if r.operatorOnly && !actor.Operator {
		return Errorf(EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	if !actor.HasScope(r.scope) {
		return Errorf(EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	return nil
}

// Can is Authorize as a boolean, for showing or hiding UI controls. The
// service still checks.
func Can(actor *Actor, action Action, res Resource) bool { return Authorize(actor, action, res) == nil }

package httpx

import (
	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/dedupe"
	"homeward/internal/handoff"
	"homeward/internal/indicator"
	"homeward/internal/programme"
	"homeward/internal/recommend"
	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/report"
	"homeward/internal/rpl"
)

// Services are what the two edges, the JSON API and the web UI, call: the
// same services, so that a rule is enforced once.
type Services struct {
	Orgs       homeward.OrganisationService
	Users      homeward.UserService
	Grants     homeward.RoleGrantService
	Auth       homeward.AuthService
	Security   homeward.SecurityService
	Passkeys   homeward.PasskeyService
	Audit      homeward.AuditService
	Registry   registry.Service
	Assessment assessment.Service
	Dedupe     *dedupe.Service
	Referral   referral.Service
	Indicators indicator.Service
	Reports    report.Service
	RPL        rpl.Service
	Recommend  recommend.Service
	Subjects   registry.SubjectService
	BreakGlass registry.BreakGlassService
	// Privacy: erasure requests, legal holds and retention.
	Privacy    registry.PrivacyService
	Programmes programme.Service
	Handoff    handoff.Service
	// Clock tells the time and the instance's time zone (the zero Clock is
	// the system clock in UTC).
	Clock homeward.Clock
}

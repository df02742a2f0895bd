// Package recommend ranks reintegration services for one person: how much
// each service is expected to change the person's outcome (by default the
// change in the economic sustainability score at 12 months), learned from
// past cases with a heterogeneous-effect model fitted in Go, or — before
// enough outcomes exist — by transparent needs-based rules.
//
// Safeguards are part of the types: a Profile's protected attributes (Sex,
// District) are never model inputs; they are read only by the fairness
// audit. A Model carries its model card; storage keeps which version an
// administrator activated, and nothing here decides for anyone: suggestions
// are shown to a case worker, who chooses.
//
// Messages (reasons, card texts) are keys of the recommend catalog
// (internal/i18n/locales/*/recommend.json).
package recommend

// The services a model ranks, as the CSV files name them.
const (
	SkillsTraining    = "skills_training"
	BusinessGrant     = "business_grant"
	Counselling       = "psychosocial_counselling"
	RPLCertification  = "rpl_certification"
	JobPlacement      = "job_placement"
	FinancialLiteracy = "financial_literacy"
)

// Services lists every service a model ranks, in a stable order.
var Services = []string{SkillsTraining, BusinessGrant, Counselling, RPLCertification, JobPlacement, FinancialLiteracy}

// CatalogueTypes maps a ranked service to the service catalogue's types
// (internal/referral) that deliver it; the first is the one a suggestion
// adds to a plan.
var CatalogueTypes = map[string][]string{
	SkillsTraining:    {"skills_training"},
	BusinessGrant:     {"business_grant_cash", "business_grant_in_kind", "business_startup", "business_development"},
	Counselling:       {"psychosocial_counselling"},
	RPLCertification:  {"recognition_prior_learning"},
	JobPlacement:      {"job_placement"},
	FinancialLiteracy: {"financial_literacy"},
}

// ServiceOf returns the ranked service a catalogue type delivers, or "".
func ServiceOf(catalogueType string) string {
	for _, s := range Services {
		for _, t := range CatalogueTypes[s] {
			if t == catalogueType {
				return s
			}
		}
	}
	return ""
}

// Education levels as the model reads them.
const (
	EduNone      = "none"
	EduPrimary   = "primary"
	EduSecondary = "secondary"
	EduHigher    = "higher"
)

// Profile is what the model knows of one person at the time services are
// chosen. Sex and District are protected or quasi-identifying: the fairness
// audit reads them, the model never does.
type Profile struct {
	ExternalID          string  `json:"external_id,omitempty"`
	Sex                 string  `json:"sex,omitempty"`      // audit only: female, male, other, unknown
	District            string  `json:"district,omitempty"` // audit only
	Age                 float64 `json:"age"`
	Education           string  `json:"education"`                   // none|primary|secondary|higher
	OccupationAbroad    string  `json:"occupation_abroad,omitempty"` // ISCO-08 code (any level) or a label
	YearsAbroad         float64 `json:"years_abroad"`
	SkillLevel          float64 `json:"skill_level"` // 0–3
	DebtRatio           float64 `json:"debt_ratio"`  // debt still owed ÷ migration cost, ≥ 0
	ReturnType          string  `json:"return_type,omitempty"`
	Urban               bool    `json:"urban"`
	Distress            bool    `json:"distress"`
	BusinessExperience  bool    `json:"business_experience"`
	RSSEconomicBaseline float64 `json:"rss_economic_baseline"` // 0–1
}

// Case is one past case: the profile when services were chosen, the
// services received and the outcome at the follow-up.
type Case struct {
	Profile
	Services []string `json:"services"`
	// Outcome is the economic sustainability score at 12 months (0–1); the
	// effect learned is its change from Profile.RSSEconomicBaseline.
	Outcome float64 `json:"outcome"`
}

// Reason is one feature that raised or lowered an estimate: Key is a catalog
// key ("recommend.reason.<feature>.up" / ".down"), Effect the change it made
// to the expected gain, in score points (positive raised it).
type Reason struct {
	Key     string  `json:"key"`
	Feature string  `json:"feature"`
	Effect  float64 `json:"effect"`
}

// Suggestion is one ranked service for one person.
type Suggestion struct {
	Service string `json:"service"`
	Rank    int    `json:"rank"` // 1 first
	// Gain is the expected change of the outcome (score points, 0–1 scale)
	// compared with not receiving the service; Low and High bound it (a
	// 90 % band).
	Gain float64 `json:"expected_gain"`
	Low  float64 `json:"low"`
	High float64 `json:"high"`
	// Reasons are the few features that moved the estimate most.
	Reasons []Reason `json:"reasons"`
	// Rule is set when the suggestion comes from needs-based rules (cold
	// start, or a model without enough outcomes for this service) rather
	// than from learned effects.
	Rule bool `json:"rule,omitempty"`
}

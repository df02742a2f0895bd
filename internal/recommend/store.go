package recommend

import (
	"context"
	"encoding/json"
	"time"

	"homeward"
)

// The sources of a stored model version.
const (
	SourceTrained  = "trained"  // from the organisation's own pseudonymised history
	SourceUploaded = "uploaded" // trained elsewhere (homeward recommend train) and uploaded
	// SourceSimulated marks a model trained on simulated history (the demo):
	// it shows how suggestions work, not what helps real people.
	SourceSimulated = "simulated"
)

// Stored is one model version kept for an organisation. It suggests
// nothing until an administrator activates it; activating one retires the
// one active before.
type Stored struct {
	ID          string          `json:"id"`
	OrgID       string          `json:"org_id"`
	Version     string          `json:"version"`
	Source      string          `json:"source"`
	Raw         json.RawMessage `json:"-"` // the model as stored
	CreatedBy   string          `json:"created_by"`
	CreatedAt   time.Time       `json:"created_at"`
	ActivatedBy string          `json:"activated_by,omitempty"`
	ActivatedAt *time.Time      `json:"activated_at,omitempty"`
	RetiredAt   *time.Time      `json:"retired_at,omitempty"`
}

// Active reports whether the version is the one suggesting now.
func (s *Stored) Active() bool { return s.ActivatedAt != nil && s.RetiredAt == nil }

// Choice is a case worker's decision beside the suggestions shown: the
// ranking they saw (from ModelVersion, or rules when it is empty), the
// service they chose ("" when none of the suggested), whether that was the
// first suggestion, and why not, in their words.
type Choice struct {
	ID           string       `json:"id"`
	CaseID       string       `json:"case_id"`
	PlanID       string       `json:"plan_id"`
	ModelVersion string       `json:"model_version,omitempty"`
	Suggested    []Suggestion `json:"suggested"`
	Chosen       string       `json:"chosen"`
	Followed     bool         `json:"followed"`
	Reason       string       `json:"reason,omitempty"`
	ChosenBy     string       `json:"chosen_by"`
	ChosenAt     time.Time    `json:"chosen_at"`
}

// MaxReason is the longest reason a case worker may give, in characters.
const MaxReason = 2000

// CheckReason refuses a reason over MaxReason characters.
func CheckReason(reason string) error {
	if len([]rune(reason)) > MaxReason {
		e := homeward.FieldErrorf("reason", "recommend.choice.reason", "A reason is at most %d characters.", MaxReason)
		e.Args = map[string]any{"n": MaxReason}
		return e
	}
	return nil
}

// Service is what the web and API adapters call; internal/sqldb implements
// it, authorising every call (see homeward.ActRecommend*).
type Service interface {
	SaveModel(ctx context.Context, source, version string, raw []byte) (*Stored, error)
	Models(ctx context.Context) ([]Stored, error)
	FindModel(ctx context.Context, id string) (*Stored, error)
	ActiveModel(ctx context.Context) (*Stored, error)
	ActivateModel(ctx context.Context, id string) (*Stored, error)
	RetireModel(ctx context.Context, id string) error
	RecordChoice(ctx context.Context, planID string, c *Choice) error
	Choices(ctx context.Context, caseID string) ([]Choice, error)
	ChoiceStats(ctx context.Context) (map[string][2]int, error)
	RecommendHistory(ctx context.Context, from, to string) ([]Case, error)
}

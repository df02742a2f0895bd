package dedupe

import (
	"context"

	"homeward"
	"homeward/internal/match"
)

// ModelReport is what an organisation's duplicate check believes: the
// active model's weights, where they come from, and the thresholds
// calibrated from the organisation's own decisions and queue.
type ModelReport struct {
	Fingerprint string              `json:"fingerprint"`
	Estimated   bool                `json:"estimated"` // fitted to the registry (else the starting model)
	Records     int                 `json:"records"`   // people in the index
	Model       *match.Model        `json:"model"`
	Levels      []match.LevelReport `json:"levels"`
	Calibration match.Calibration   `json:"calibration"`
}

// Calibration returns the actor's organisation's thresholds, calibrated
// from its pairs (see match.Calibrate). The queue shows open pairs at or
// above its possible threshold, most likely first.
func (s *Service) Calibration(ctx context.Context) (match.Calibration, error) {
	r, err := s.ModelReport(ctx)
	if err != nil {
		return match.Calibration{}, err
	}
	return r.Calibration, nil
}

// ModelReport returns the active model of the actor's organisation.
func (s *Service) ModelReport(ctx context.Context) (*ModelReport, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(ctx)
	if err := homeward.Authorize(actor, homeward.ActDedupeReview, homeward.Resource{Type: "dedupe_pair", OrgID: org}); err != nil {
		return nil, err
	}
	idx, err := s.Indexes.Get(ctx, org, false)
	if err != nil {
		return nil, err
	}
	m := idx.Model()
	var h match.Scores
	if err := s.store.PairScores(ctx, &h); err != nil {
		return nil, err
	}
	return &ModelReport{
		Fingerprint: m.Fingerprint(),
		Estimated:   m.Fingerprint() != match.DefaultModel().Fingerprint(),
		Records:     idx.Len(),
		Model:       m,
		Levels:      m.Report(),
		Calibration: match.Calibrate(m, idx.Len(), &h),
	}, nil
}

package sqldb

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/recommend"
	"homeward/internal/referral"
)

var _ recommend.Service = (*DB)(nil)

const modelColumns = `id, org_id, version, source, model, created_by, created_at, COALESCE(activated_by, ''), activated_at, retired_at`

func scanModel(s scanner) (*recommend.Stored, error) {
	var m recommend.Stored
	var raw string
	if err := s.Scan(&m.ID, &m.OrgID, &m.Version, &m.Source, &raw, &m.CreatedBy, dbTime{&m.CreatedAt}, &m.ActivatedBy,
		dbNullTime{&m.ActivatedAt}, dbNullTime{&m.RetiredAt}); err != nil {
		return nil, err
	}
	m.Raw = json.RawMessage(raw)
	return &m, nil
}

// SaveModel keeps a model version for the actor's organisation: one it
// trained from its own history or one a data office uploaded. raw is the
// model as JSON, checked by the caller (recommend.LoadModel); the version
// suggests nothing until an administrator activates it.
func (db *DB) SaveModel(ctx context.Context, source, version string, raw []byte) (*recommend.Stored, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActRecommendTrain, homeward.Resource{Type: "recommend_model", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	m := &recommend.Stored{ID: homeward.NewID(), OrgID: actorOrg(actor), Version: version, Source: source, Raw: raw, CreatedBy: actorID(actor)}
	err := db.Transact(ctx, func(tx *Tx) error {
		m.CreatedAt = tx.now
		if _, err := tx.Exec(`INSERT INTO recommend_models (id, org_id, version, source, model, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			m.ID, m.OrgID, version, source, string(raw), m.CreatedBy, tx.now); err != nil {
			if isUniqueViolation(err) {
				return homeward.FieldErrorf("model", "recommend.model.exists", "This model version is stored already.")
			}
			return err
		}
		return tx.Audit("recommend.model_saved", "recommend_model", m.ID, m.OrgID, map[string]any{"version": version, "source": source})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Models lists the organisation's model versions, newest first.
func (db *DB) Models(ctx context.Context) ([]recommend.Stored, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActRecommendModels, homeward.Resource{Type: "recommend_model", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+modelColumns+` FROM recommend_models WHERE org_id = ? ORDER BY created_at DESC, id DESC LIMIT 200`, actorOrg(actor))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []recommend.Stored{}
	for rows.Next() {
		m, err := scanModel(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *m)
	}
	return out, rows.Err()
}

// FindModel returns one model version of the actor's organisation.
func (db *DB) FindModel(ctx context.Context, id string) (*recommend.Stored, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActRecommendModels, homeward.Resource{Type: "recommend_model", ID: id, OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	m, err := scanModel(db.queryRow(ctx, `SELECT `+modelColumns+` FROM recommend_models WHERE id = ? AND org_id = ?`, id, actorOrg(actor)))
	if err != nil {
		return nil, notFound(err)
	}
	return m, nil
}

// ActiveModel returns the organisation's active model version, or nil
// when none is active (suggestions then come from the rules). Those who
// see suggestions and those who read model cards may ask.
func (db *DB) ActiveModel(ctx context.Context) (*recommend.Stored, error) {
	actor := homeward.ActorFromContext(ctx)
	res := homeward.Resource{Type: "recommend_model", OrgID: actorOrg(actor)}
	if err := homeward.Authorize(actor, homeward.ActRecommendRead, res); err != nil {
		if homeward.Authorize(actor, homeward.ActRecommendModels, res) != nil {
			return nil, err
		}
	}
	m, err := scanModel(db.queryRow(ctx, `SELECT `+modelColumns+` FROM recommend_models
		WHERE org_id = ? AND activated_at IS NOT NULL AND retired_at IS NULL ORDER BY activated_at DESC LIMIT 1`, actorOrg(actor)))
	if err == errNoRows {
		return nil, nil
	}
	return m, err
}

// ActivateModel makes a model version the one that suggests, retiring the
// one active before. Only an administrator activates, and not a version
// they stored themselves: a second person reads the model card first.
func (db *DB) ActivateModel(ctx context.Context, id string) (*recommend.Stored, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActRecommendActivate, homeward.Resource{Type: "recommend_model", ID: id, OrgID: org}); err != nil {
		return nil, err
	}
	var m *recommend.Stored
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		m, err = scanModel(tx.QueryRow(`SELECT `+modelColumns+` FROM recommend_models WHERE id = ? AND org_id = ?`+db.dialect.forUpdate(), id, org))
		if err != nil {
			return notFound(err)
		}
		if m.CreatedBy == actorID(actor) {
			return homeward.Errorf(homeward.EFORBIDDEN, "recommend.activate.self", "Another administrator activates a model you stored: a second person reads its card first.")
		}
		if m.Active() {
			return homeward.Errorf(homeward.ECONFLICT, "recommend.activate.already", "This model version is active already.")
		}
		if m.RetiredAt != nil {
			return homeward.Errorf(homeward.ECONFLICT, "recommend.activate.retired", "A retired model version is not activated again: train or upload a new one.")
		}
		var previous string
		if err := tx.QueryRow(`SELECT version FROM recommend_models WHERE org_id = ? AND activated_at IS NOT NULL AND retired_at IS NULL`, org).Scan(&previous); err != nil && err != errNoRows {
			return err
		}
		if _, err := tx.Exec(`UPDATE recommend_models SET retired_at = ? WHERE org_id = ? AND activated_at IS NOT NULL AND retired_at IS NULL`, tx.now, org); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE recommend_models SET activated_by = ?, activated_at = ? WHERE id = ?`, actorID(actor), tx.now, id); err != nil {
			return err
		}
		now := tx.now
		m.ActivatedBy, m.ActivatedAt = actorID(actor), &now
		return tx.Audit("recommend.model_activated", "recommend_model", id, org, map[string]any{"version": m.Version, "previous": previous})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// RetireModel stops an active model version from suggesting; the rules
// suggest until another is activated.
func (db *DB) RetireModel(ctx context.Context, id string) error {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActRecommendActivate, homeward.Resource{Type: "recommend_model", ID: id, OrgID: org}); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE recommend_models SET retired_at = ? WHERE id = ? AND org_id = ? AND activated_at IS NOT NULL AND retired_at IS NULL`, tx.now, id, org)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return homeward.Errorf(homeward.ECONFLICT, "recommend.retire.not_active", "Only the active model version can be retired.")
		}
		return tx.Audit("recommend.model_retired", "recommend_model", id, org, nil)
	})
}

// RecordChoice records a case worker's choice beside the suggestions shown
// for the plan's case. The suggestions are those the page showed (the
// caller ranks them again on submit, so that a forged form cannot claim a
// suggestion that was not made).
func (db *DB) RecordChoice(ctx context.Context, planID string, c *recommend.Choice) error {
	actor := homeward.ActorFromContext(ctx)
	if err := recommend.CheckReason(c.Reason); err != nil {
		return err
	}
	c.Reason = strings.TrimSpace(c.Reason)
	return db.Transact(ctx, func(tx *Tx) error {
		var org, caseID string
		if err := tx.QueryRow(`SELECT org_id, case_id FROM plans WHERE id = ?`, planID).Scan(&org, &caseID); err != nil {
			if err := homeward.Authorize(actor, homeward.ActPlanWrite, homeward.Resource{Type: "plan", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActPlanWrite, homeward.Resource{Type: "plan", ID: planID, OrgID: org}); err != nil {
			return err
		}
		if err := homeward.Authorize(actor, homeward.ActRecommendRead, homeward.Resource{Type: "recommend_model", OrgID: org}); err != nil {
			return err
		}
		suggested, err := json.Marshal(c.Suggested)
		if err != nil {
			return err
		}
		c.ID, c.CaseID, c.PlanID, c.ChosenBy, c.ChosenAt = homeward.NewID(), caseID, planID, actorID(actor), tx.now
		c.Followed = len(c.Suggested) > 0 && c.Chosen == c.Suggested[0].Service
		if _, err := tx.Exec(`INSERT INTO recommend_choices (id, org_id, case_id, plan_id, model_version, suggested, chosen, followed, reason, chosen_by, chosen_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, c.ID, org, caseID, planID, c.ModelVersion, string(suggested), c.Chosen, c.Followed, c.Reason, c.ChosenBy, tx.now); err != nil {
			return err
		}
		return tx.Audit("recommend.choice", "case", caseID, org, map[string]any{"model_version": c.ModelVersion, "chosen": c.Chosen, "followed": c.Followed})
	})
}

// Choices lists the choices recorded for a case, newest first.
func (db *DB) Choices(ctx context.Context, caseID string) ([]recommend.Choice, error) {
	actor := homeward.ActorFromContext(ctx)
	var org string
	if err := db.queryRow(ctx, `SELECT org_id FROM cases WHERE id = ?`, caseID).Scan(&org); err != nil {
		org = actorOrg(actor)
	}
	if err := homeward.Authorize(actor, homeward.ActPlanRead, homeward.Resource{Type: "case", ID: caseID, OrgID: org}); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id, plan_id, model_version, suggested, chosen, followed, reason, chosen_by, chosen_at FROM recommend_choices
		WHERE case_id = ? AND org_id = ? ORDER BY chosen_at DESC, id DESC LIMIT 100`, caseID, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []recommend.Choice{}
	for rows.Next() {
		c := recommend.Choice{CaseID: caseID}
		var suggested string
		if err := rows.Scan(&c.ID, &c.PlanID, &c.ModelVersion, &suggested, &c.Chosen, &c.Followed, &c.Reason, &c.ChosenBy, dbTime{&c.ChosenAt}); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(suggested), &c.Suggested); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ChoiceStats counts, per model version, the choices recorded and how
// many followed the first suggestion: how the suggestions are used.
func (db *DB) ChoiceStats(ctx context.Context) (map[string][2]int, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActRecommendModels, homeward.Resource{Type: "recommend_model", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT model_version, followed, COUNT(*) FROM recommend_choices WHERE org_id = ? GROUP BY model_version, followed`, actorOrg(actor))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][2]int{}
	for rows.Next() {
		var v string
		var followed bool
		var n int
		if err := rows.Scan(&v, &followed, &n); err != nil {
			return nil, err
		}
		x := out[v]
		x[0] += n
		if followed {
			x[1] += n
		}
		out[v] = x
	}
	return out, rows.Err()
}

// MaxHistory bounds the cases one training reads.
const MaxHistory = 200_000

// RecommendHistory returns the organisation's past cases that have a
// baseline and a 12-month sustainability survey, pseudonymised: the
// profile as it was at the baseline (no name, identifier, phone or free
// text; no survey after the baseline), the services delivered under the
// case's plans, and the economic score at 12 months. from and to bound the
// baseline's month (YYYY-MM, inclusive; empty for no bound).
func (db *DB) RecommendHistory(ctx context.Context, from, to string) ([]recommend.Case, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActRecommendTrain, homeward.Resource{Type: "recommend_model", OrgID: org}); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT DISTINCT a.person_id FROM assessments a JOIN people p ON p.id = a.person_id
		WHERE a.org_id = ? AND a.form_id = ? AND a.status = ? AND a.round = ? AND p.merged_into IS NULL LIMIT ?`,
		org, assessment.SurveyFormID, string(assessment.StatusCompleted), "m12", MaxHistory)
	if err != nil {
		return nil, err
	}
	var people []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		people = append(people, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	qr, qs := db.readers(ctx)
	out := []recommend.Case{}
	for _, id := range people {
		c, ok, err := db.historyCase(ctx, qr, qs, id, from, to)
		if err != nil {
			return nil, err
		}
		if ok {
			out = append(out, c)
		}
	}
	return out, nil
}

// historyCase builds one pseudonymised past case, or reports false when the
// person lacks a baseline in the period or an outcome.
func (db *DB) historyCase(ctx context.Context, qr func(string, ...any) scanner, qs func(string, ...any) (rowsT, error), personID, from, to string) (recommend.Case, bool, error) {
	rec, err := db.loadRecord(ctx, qr, qs, personID)
	if err != nil {
		return recommend.Case{}, false, err
	}
	rows, err := qs(`SELECT `+submissionColumns+` FROM assessments WHERE person_id = ? AND status = ? ORDER BY answered_on DESC, id DESC`, personID, string(assessment.StatusCompleted))
	if err != nil {
		return recommend.Case{}, false, err
	}
	var all []*assessment.Submission
	for rows.Next() {
		s, err := scanSubmission(rows)
		if err != nil {
			rows.Close()
			return recommend.Case{}, false, err
		}
		all = append(all, s)
	}
	rows.Close()
	outcome, ok := recommend.FollowUp(all)
	if !ok {
		return recommend.Case{}, false, nil
	}
	// The baseline: the survey answered as round "baseline", else the
	// earliest scored one before the 12-month round (all is newest first).
	var baseline *assessment.Submission
	for _, s := range all {
		if s.FormID != assessment.SurveyFormID || s.Score == nil || s.Round == "m12" {
			continue
		}
		if s.Round == "baseline" {
			baseline = s
			break
		}
		baseline = s
	}
	if baseline == nil {
		return recommend.Case{}, false, nil
	}
	month := baseline.AnsweredOn[:min(7, len(baseline.AnsweredOn))]
	if (from != "" && month < from) || (to != "" && month > to) {
		return recommend.Case{}, false, nil
	}
	// What was known when services were chosen: no survey after the
	// baseline, and no other form answered more than 90 days later.
	at, _ := time.Parse(time.DateOnly, baseline.AnsweredOn)
	limit := at.AddDate(0, 0, 90).Format(time.DateOnly)
	var known []*assessment.Submission
	for _, s := range all {
		if (s.FormID == assessment.SurveyFormID && s != baseline) || s.AnsweredOn > limit {
			continue
		}
		known = append(known, s)
	}
	p, _ := recommend.ProfileOf(recommend.Facts{Record: rec, Submissions: known}, at)
	c := recommend.Case{Profile: p, Outcome: outcome, Services: []string{}}
	if rec.Case != nil {
		prows, err := qs(`SELECT `+planColumns+` FROM plans WHERE case_id = ?`, rec.Case.ID)
		if err != nil {
			return recommend.Case{}, false, err
		}
		seen := map[string]bool{}
		for prows.Next() {
			pl, err := scanPlan(prows)
			if err != nil {
				prows.Close()
				return recommend.Case{}, false, err
			}
			for _, s := range pl.Services {
				if svc := recommend.ServiceOf(s.ServiceType); svc != "" && s.Status == referral.ServiceDelivered && !seen[svc] {
					seen[svc] = true
					c.Services = append(c.Services, svc)
				}
			}
		}
		prows.Close()
		if err := prows.Err(); err != nil {
			return recommend.Case{}, false, err
		}
	}
	return c, true, nil
}

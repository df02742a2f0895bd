package sqldb

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

const planColumns = `plan, version, created_at, updated_at`

// scanPlan reads planColumns, then any extra columns into extra.
func scanPlan(s scanner, extra ...any) (*referral.Plan, error) {
	var js string
	var p referral.Plan
	var version int
	var created, updated time.Time
	if err := s.Scan(append([]any{&js, &version, dbTime{&created}, dbTime{&updated}}, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(js), &p); err != nil {
		return nil, err
	}
	p.Version, p.CreatedAt, p.UpdatedAt = version, created, updated
	return &p, nil
}

func planJSON(p *referral.Plan) string {
	c := *p
	c.Version, c.Overdue, c.PersonName, c.CaseNumber = 0, false, "", ""
	b, _ := json.Marshal(c)
	return string(b)
}

func (tx *Tx) loadPlan(id string) (*referral.Plan, error) {
	return scanPlan(tx.QueryRow(`SELECT `+planColumns+` FROM plans WHERE id = ?`+tx.db.dialect.forUpdate(), id))
}

func (tx *Tx) savePlan(p *referral.Plan, version int) error {
	res, err := tx.Exec(`UPDATE plans SET status = ?, plan = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		string(p.Status), planJSON(p), tx.now, p.ID, version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return staleVersion()
	}
	p.Version, p.UpdatedAt = version+1, tx.now
	return nil
}

func (tx *Tx) planEvent(p *referral.Plan, kind string, detail map[string]any) error {
	if err := tx.addEvent(p.OrgID, registry.NewCaseEvent(p.CaseID, registry.EventKind(kind), "", tx.now, detail)); err != nil {
		return err
	}
	if detail == nil {
		detail = map[string]any{}
	}
	detail["status"] = p.Status
	return tx.Audit(kind, "plan", p.ID, p.OrgID, detail)
}

// CreatePlan starts a draft reintegration plan for a case; a case has at
// most one plan that is not closed.
func (db *DB) CreatePlan(ctx context.Context, caseID string, in referral.PlanInput) (*referral.Plan, error) {
	actor := homeward.ActorFromContext(ctx)
	cat, err := db.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	var p *referral.Plan
	err = db.Transact(ctx, func(tx *Tx) error {
		var org, personID, returnDate string
		var opened time.Time
		if err := tx.QueryRow(`SELECT org_id, person_id, return_date, opened_at FROM cases WHERE id = ?`, caseID).Scan(&org, &personID, &returnDate, dbTime{&opened}); err != nil {
			if err := homeward.Authorize(actor, homeward.ActPlanWrite, homeward.Resource{Type: "plan", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActPlanWrite, homeward.Resource{Type: "case", ID: caseID, OrgID: org}); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM plans WHERE case_id = ? AND status <> 'closed'`, caseID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return homeward.Errorf(homeward.ECONFLICT, "referral.plan.exists", "This case already has a plan; change that one.")
		}
		p = &referral.Plan{ID: homeward.NewID(), OrgID: org, CaseID: caseID, PersonID: personID, Status: referral.PlanDraft,
			DueDate: referral.DueDate(returnDate, opened.In(tx.Local().Location())), CreatedBy: actorID(actor), CreatedAt: tx.now, UpdatedAt: tx.now, Version: 1}
		p.Apply(in, homeward.NewID)
		if err := p.Validate(cat); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO plans (id, org_id, case_id, person_id, status, due_date, plan, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			p.ID, p.OrgID, p.CaseID, p.PersonID, string(p.Status), p.DueDate, planJSON(p), tx.now, tx.now); err != nil {
			return err
		}
		return tx.planEvent(p, "plan_created", map[string]any{"services": len(p.Services)})
	})
	if err != nil {
		return nil, err
	}
	p.Overdue = p.IsOverdue(db.local(ctx))
	return p, nil
}

// planForWrite loads a plan in tx and authorizes action on it.
func (db *DB) planForWrite(ctx context.Context, tx *Tx, id string, version int, action homeward.Action) (*referral.Plan, error) {
	actor := homeward.ActorFromContext(ctx)
	p, err := tx.loadPlan(id)
	if err != nil {
		if err := homeward.Authorize(actor, action, homeward.Resource{Type: "plan", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, action, homeward.Resource{Type: "plan", ID: id, OrgID: p.OrgID}); err != nil {
		return nil, err
	}
	if p.Version != version {
		return nil, staleVersion()
	}
	return p, nil
}

// UpdatePlan replaces the goals and services of a plan; a change after
// agreement returns it to draft.
func (db *DB) UpdatePlan(ctx context.Context, id string, version int, in referral.PlanInput) (*referral.Plan, error) {
	cat, err := db.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	var p *referral.Plan
	err = db.Transact(ctx, func(tx *Tx) error {
		if p, err = db.planForWrite(ctx, tx, id, version, homeward.ActPlanWrite); err != nil {
			return err
		}
		if p.Status == referral.PlanClosed {
			return homeward.Errorf(homeward.ECONFLICT, "referral.plan.closed", "This plan is closed.")
		}
		was := p.Status
		if !p.Apply(in, homeward.NewID) {
			return nil
		}
		if err := p.Validate(cat); err != nil {
			return err
		}
		if err := tx.savePlan(p, version); err != nil {
			return err
		}
		return tx.planEvent(p, "plan_updated", map[string]any{"services": len(p.Services), "reopened": was != p.Status})
	})
	if err != nil {
		return nil, err
	}
	p.Overdue = p.IsOverdue(db.local(ctx))
	return p, nil
}

// AgreePlan records the returnee's agreement; a plan with a grant then
// awaits a supervisor's approval.
func (db *DB) AgreePlan(ctx context.Context, id string, version int, a referral.Agreement) (*referral.Plan, error) {
	cat, err := db.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	var p *referral.Plan
	err = db.Transact(ctx, func(tx *Tx) error {
		if p, err = db.planForWrite(ctx, tx, id, version, homeward.ActPlanWrite); err != nil {
			return err
		}
		a.RecordedBy, a.At = actorID(tx.actor), tx.now
		if err := p.Agree(a, cat); err != nil {
			return err
		}
		if err := tx.savePlan(p, version); err != nil {
			return err
		}
		return tx.planEvent(p, "plan_agreed", map[string]any{"method": string(a.Method)})
	})
	if err != nil {
		return nil, err
	}
	p.Overdue = p.IsOverdue(db.local(ctx))
	return p, nil
}

// ApprovePlan records a supervisor's approval of a plan with a grant.
func (db *DB) ApprovePlan(ctx context.Context, id string, version int, note string) (*referral.Plan, error) {
	var p *referral.Plan
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		if p, err = db.planForWrite(ctx, tx, id, version, homeward.ActPlanApprove); err != nil {
			return err
		}
		if err := p.Approve(actorID(tx.actor), note, tx.now); err != nil {
			return err
		}
		if err := tx.savePlan(p, version); err != nil {
			return err
		}
		return tx.planEvent(p, "plan_approved", nil)
	})
	if err != nil {
		return nil, err
	}
	p.Overdue = p.IsOverdue(db.local(ctx))
	return p, nil
}

// FindPlan returns a plan of the actor's organisation.
func (db *DB) FindPlan(ctx context.Context, id string) (*referral.Plan, error) {
	actor := homeward.ActorFromContext(ctx)
	var org string
	if err := db.queryRow(ctx, `SELECT org_id FROM plans WHERE id = ?`, id).Scan(&org); err != nil {
		if err := homeward.Authorize(actor, homeward.ActPlanRead, homeward.Resource{Type: "plan", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, homeward.ActPlanRead, homeward.Resource{Type: "plan", ID: id, OrgID: org}); err != nil {
		return nil, err
	}
	p, err := scanPlan(db.queryRow(ctx, `SELECT `+planColumns+` FROM plans WHERE id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	p.Overdue = p.IsOverdue(db.local(ctx))
	return p, nil
}

// FindPlans lists the plans of the actor's organisation: of one case, in
// one status, or overdue (not in force a month after the return).
func (db *DB) FindPlans(ctx context.Context, f referral.PlanFilter) ([]referral.Plan, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActPlanRead, homeward.Resource{Type: "plan", OrgID: org}); err != nil {
		return nil, err
	}
	now := db.local(ctx)
	limit := f.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	// The person's name and the case number come with each plan, so that
	// lists need no query per row.
	where, args := planWhere(org, f, now)
	rows, err := db.query(ctx, `SELECT pl.plan, pl.version, pl.created_at, pl.updated_at, COALESCE(pe.given_name, ''), COALESCE(pe.family_name, ''), COALESCE(c.number, '')
		FROM plans pl LEFT JOIN cases c ON c.id = pl.case_id LEFT JOIN people pe ON pe.id = c.person_id
		WHERE `+where+` ORDER BY pl.due_date, pl.id LIMIT `+itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []referral.Plan{}
	for rows.Next() {
		var given, family, number string
		p, err := scanPlan(rows, &given, &family, &number)
		if err != nil {
			return nil, err
		}
		p.PersonName, p.CaseNumber = strings.TrimSpace(given+" "+family), number
		p.Overdue = p.IsOverdue(now)
		out = append(out, *p)
	}
	return out, rows.Err()
}

// planWhere is the condition (on plans pl) for org's plans that f selects
// at now, with its arguments.
func planWhere(org string, f referral.PlanFilter, now time.Time) (string, []any) {
	q, args := `pl.org_id = ?`, []any{org}
	if f.CaseID != "" {
		q += ` AND pl.case_id = ?`
		args = append(args, f.CaseID)
	}
	if f.Status != "" {
		q += ` AND pl.status = ?`
		args = append(args, string(f.Status))
	}
	if f.Overdue {
		q += ` AND pl.status IN ('draft', 'awaiting_approval') AND pl.due_date < ?`
		args = append(args, homeward.DateOf(now))
	}
	return q, args
}

// countPlans counts the plans f selects, as FindPlans would list them
// without a limit (the caller is authorized).
func (db *DB) countPlans(ctx context.Context, org string, f referral.PlanFilter) (int, error) {
	where, args := planWhere(org, f, db.local(ctx))
	return db.count(ctx, `plans pl`, where, args...)
}

// linkPlan marks the planned service of a referral being sent as referred.
func (tx *Tx) linkPlan(r *referral.Referral, cat *referral.Catalogue) error {
	p, err := tx.loadPlan(r.PlanID)
	if err != nil || p.CaseID != r.CaseID {
		return homeward.FieldErrorf("plan_id", "referral.plan.other_case", "This plan is not the case's plan.")
	}
	if r.PlannedServiceID == "" {
		return nil
	}
	if s := p.Service(r.PlannedServiceID); s != nil && !cat.Covers(s.ServiceType, r.ServiceType) && !cat.Covers(r.ServiceType, s.ServiceType) {
		return homeward.FieldErrorf("service_type", "referral.plan.service_mismatch", "The referral is for another service than the one planned.")
	}
	if err := p.MarkReferred(r.PlannedServiceID, r.ID); err != nil {
		return err
	}
	return tx.savePlan(p, p.Version)
}

// recordOutcome closes the loop: a final referral for a planned service
// records the delivery (or not) against the plan.
func (tx *Tx) recordOutcome(r *referral.Referral) error {
	if r.PlanID == "" || r.PlannedServiceID == "" || r.State.Open() {
		return nil
	}
	p, err := tx.loadPlan(r.PlanID)
	if err != nil {
		return err
	}
	before, _ := json.Marshal(p.Services)
	p.RecordOutcome(r.PlannedServiceID, r, tx.now)
	after, _ := json.Marshal(p.Services)
	if string(before) == string(after) {
		return nil
	}
	if err := tx.savePlan(p, p.Version); err != nil {
		return err
	}
	if r.State == referral.StateCompleted {
		if err := tx.planEvent(p, "plan_service_delivered", map[string]any{"service": r.ServiceType, "referral_id": r.ID, "org": r.ToOrgName}); err != nil {
			return err
		}
	}
	if p.ServicesDone() {
		return tx.followPlan(p.CaseID, registry.PlanProgress{ServicesDone: true})
	}
	return nil
}

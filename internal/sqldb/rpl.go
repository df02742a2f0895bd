package sqldb

import (
	"context"
	"encoding/json"
	"strings"

	"homeward"
	"homeward/internal/registry"
	"homeward/internal/rpl"
)

// RPLCatalogue is the competency standards assessments are made against.
func (db *DB) RPLCatalogue() *rpl.Catalogue {
	return rpl.Starter()
}

// RPLSubject returns a person's name and latest open case for those who
// read assessments (assessors among them, who may not read the rest of
// the record).
func (db *DB) RPLSubject(ctx context.Context, personID string) (*rpl.Subject, error) {
	actor := homeward.ActorFromContext(ctx)
	s := &rpl.Subject{PersonID: personID}
	var given, family string
	err := db.queryRow(ctx, `SELECT p.org_id, p.given_name, p.family_name, c.id, c.number FROM people p JOIN cases c ON c.person_id = p.id
		WHERE p.id = ? AND p.merged_into IS NULL AND c.merged_into IS NULL ORDER BY c.opened_at DESC LIMIT 1`, personID).Scan(&s.OrgID, &given, &family, &s.CaseID, &s.CaseNumber)
	if err != nil {
		if err := homeward.Authorize(actor, homeward.ActRPLRead, homeward.Resource{Type: "person", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, homeward.ActRPLRead, homeward.Resource{Type: "person", ID: personID, OrgID: s.OrgID}); err != nil {
		return nil, err
	}
	s.Name = strings.TrimSpace(given + " " + family)
	return s, nil
}

// RegisterAssessor registers a user of the administrator's organisation as
// an assessor for a standard, at an assessment centre. No one registers
// themselves: the assessor's results certify people.
func (db *DB) RegisterAssessor(ctx context.Context, userID, standard, centre string) error {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActRPLAssessorAdmin, homeward.Resource{Type: "rpl_assessor", OrgID: actorOrg(actor)}); err != nil {
		return err
	}
	if db.RPLCatalogue().Standard(standard) == nil {
		return homeward.FieldErrorf("standard", "rpl.standard.unknown", "Choose a competency standard from the catalogue.")
	}
	if userID == actorID(actor) {
		return homeward.Errorf(homeward.EFORBIDDEN, "rpl.assessor.self", "Another administrator registers you as an assessor.")
	}
	return db.Transact(ctx, func(tx *Tx) error {
		var org string
		if err := tx.QueryRow(`SELECT org_id FROM users WHERE id = ?`, userID).Scan(&org); err != nil || org != actorOrg(actor) {
			return homeward.FieldErrorf("user_id", "rpl.assessor.user", "Choose a user of your organisation.")
		}
		if _, err := tx.Exec(`INSERT INTO rpl_assessors (org_id, user_id, standard, centre, registered_by, registered_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, user_id, standard) DO UPDATE SET centre = excluded.centre`, org, userID, standard, centre, actorID(actor), tx.now); err != nil {
			return err
		}
		return tx.Audit("rpl.assessor_registered", "user", userID, org, map[string]any{"standard": standard, "centre": centre})
	})
}

// Assessors lists the organisation's registered assessors, for those who
// read assessments and the administrators who register them.
func (db *DB) Assessors(ctx context.Context) ([]rpl.Assessor, error) {
	actor := homeward.ActorFromContext(ctx)
	res := homeward.Resource{Type: "rpl_assessor", OrgID: actorOrg(actor)}
	if err := homeward.Authorize(actor, homeward.ActRPLRead, res); err != nil {
		if homeward.Authorize(actor, homeward.ActRPLAssessorAdmin, res) != nil {
			return nil, err
		}
	}
	rows, err := db.query(ctx, `SELECT a.user_id, u.name, a.standard, a.centre, a.registered_by, a.registered_at FROM rpl_assessors a JOIN users u ON u.id = a.user_id
		WHERE a.org_id = ? ORDER BY u.name, a.standard`, actorOrg(actor))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []rpl.Assessor{}
	for rows.Next() {
		var a rpl.Assessor
		if err := rows.Scan(&a.UserID, &a.Name, &a.Standard, &a.Centre, &a.RegisteredBy, dbTime{&a.RegisteredAt}); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// ApplyRPL opens an RPL assessment of a case's person against a standard,
// with the evidence of experience abroad.
func (db *DB) ApplyRPL(ctx context.Context, caseID, standard string, evidence []rpl.Evidence) (*rpl.Assessment, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := rpl.CheckApplication(db.RPLCatalogue().Standard(standard), evidence); err != nil {
		return nil, err
	}
	var a *rpl.Assessment
	err := db.Transact(ctx, func(tx *Tx) error {
		var org, personID string
		if err := tx.QueryRow(`SELECT org_id, person_id FROM cases WHERE id = ? AND merged_into IS NULL`, caseID).Scan(&org, &personID); err != nil {
			if err := homeward.Authorize(actor, homeward.ActRPLApply, homeward.Resource{Type: "case", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActRPLApply, homeward.Resource{Type: "case", ID: caseID, OrgID: org}); err != nil {
			return err
		}
		a = &rpl.Assessment{OrgID: org, CaseID: caseID, PersonID: personID, Standard: standard, Evidence: nonNilSlice(evidence)}
		return tx.insertRPL(a, map[string]any{"standard": standard, "evidence": len(evidence)})
	})
	return a, err
}

// ReassessRPL opens a re-assessment of a signed-off assessment that found
// gaps (after gap training): the same standard and evidence, pointing back
// at the previous one. One re-assessment per assessment.
func (db *DB) ReassessRPL(ctx context.Context, previousID string) (*rpl.Assessment, error) {
	actor := homeward.ActorFromContext(ctx)
	var a *rpl.Assessment
	err := db.Transact(ctx, func(tx *Tx) error {
		prev, err := tx.loadRPL(previousID)
		if err != nil {
			if err := homeward.Authorize(actor, homeward.ActRPLApply, homeward.Resource{Type: "rpl_assessment", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActRPLApply, homeward.Resource{Type: "rpl_assessment", ID: prev.ID, OrgID: prev.OrgID}); err != nil {
			return err
		}
		if prev.Status != rpl.StatusSignedOff || prev.Decision != rpl.DecisionGapTraining {
			return homeward.Errorf(homeward.ECONFLICT, "rpl.reassess.not_gap", "Only a signed-off assessment that found gaps is assessed again.")
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM rpl_assessments WHERE case_id = ? AND assessment LIKE ?`, prev.CaseID, `%"previous":"`+prev.ID+`"%`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return homeward.Errorf(homeward.ECONFLICT, "rpl.reassess.exists", "A re-assessment was started already.")
		}
		a = &rpl.Assessment{OrgID: prev.OrgID, CaseID: prev.CaseID, PersonID: prev.PersonID, Standard: prev.Standard, Evidence: prev.Evidence, Previous: prev.ID}
		return tx.insertRPL(a, map[string]any{"standard": a.Standard, "previous": prev.ID})
	})
	return a, err
}

// insertRPL stores a new application a (its id, status, version and time
// given here) and puts it on the timeline with detail.
func (tx *Tx) insertRPL(a *rpl.Assessment, detail map[string]any) error {
	a.ID, a.Status, a.Results, a.Version, a.CreatedAt = homeward.NewID(), rpl.StatusApplied, []rpl.UnitResult{}, 1, tx.now
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO rpl_assessments (id, org_id, case_id, person_id, standard, status, assessment, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
		a.ID, a.OrgID, a.CaseID, a.PersonID, a.Standard, string(a.Status), string(b), tx.now, tx.now); err != nil {
		return err
	}
	return tx.rplEvent(a, "rpl_applied", detail)
}

// rplEvent puts an RPL step on the case's timeline and in the audit log.
func (tx *Tx) rplEvent(a *rpl.Assessment, kind string, detail map[string]any) error {
	if err := tx.addEvent(a.OrgID, registry.NewCaseEvent(a.CaseID, registry.EventKind(kind), "", tx.now, detail)); err != nil {
		return err
	}
	detail["status"] = a.Status
	return tx.Audit(kind, "rpl_assessment", a.ID, a.OrgID, detail)
}

// loadRPL reads an assessment in tx.
func (tx *Tx) loadRPL(id string) (*rpl.Assessment, error) {
	var js string
	if err := tx.QueryRow(`SELECT assessment FROM rpl_assessments WHERE id = ?`, id).Scan(&js); err != nil {
		return nil, err
	}
	var a rpl.Assessment
	if err := json.Unmarshal([]byte(js), &a); err != nil {
		return nil, err
	}
	return &a, nil
}

// saveRPL writes a changed assessment back with the next version.
func (tx *Tx) saveRPL(a *rpl.Assessment) error {
	a.Version++
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`UPDATE rpl_assessments SET status = ?, assessment = ?, version = ?, updated_at = ? WHERE id = ?`, string(a.Status), string(b), a.Version, tx.now, a.ID)
	return err
}

// rplForWrite loads an assessment and authorizes action on it, at version.
func (db *DB) rplForWrite(ctx context.Context, tx *Tx, id string, version int, action homeward.Action) (*rpl.Assessment, error) {
	actor := homeward.ActorFromContext(ctx)
	a, err := tx.loadRPL(id)
	if err != nil {
		if err := homeward.Authorize(actor, action, homeward.Resource{Type: "rpl_assessment", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, action, homeward.Resource{Type: "rpl_assessment", ID: id, OrgID: a.OrgID}); err != nil {
		return nil, err
	}
	if a.Version != version {
		return nil, staleVersion()
	}
	return a, nil
}

// RecordRPL records an assessor's results on every unit; the assessor
// (the actor) must be registered for the standard in the organisation.
func (db *DB) RecordRPL(ctx context.Context, id string, version int, results []rpl.UnitResult) (*rpl.Assessment, error) {
	actor := homeward.ActorFromContext(ctx)
	var a *rpl.Assessment
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		if a, err = db.rplForWrite(ctx, tx, id, version, homeward.ActRPLAssess); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM rpl_assessors WHERE org_id = ? AND user_id = ? AND standard = ?`, a.OrgID, actorID(actor), a.Standard).Scan(&n); err != nil {
			return err
		}
		std := db.RPLCatalogue().Standard(a.Standard)
		if std == nil {
			return homeward.FieldErrorf("standard", "rpl.standard.unknown", "Choose a competency standard from the catalogue.")
		}
		if err := a.Record(std, actorID(actor), n > 0, results, tx.now); err != nil {
			return err
		}
		if err := tx.saveRPL(a); err != nil {
			return err
		}
		return tx.rplEvent(a, "rpl_assessed", map[string]any{"standard": a.Standard, "decision": a.Decision, "gaps": len(a.Gaps())})
	})
	return a, err
}

// ScheduleRPL sets the day and centre of an application's assessment.
func (db *DB) ScheduleRPL(ctx context.Context, id string, version int, day, centre string) (*rpl.Assessment, error) {
	var a *rpl.Assessment
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		if a, err = db.rplForWrite(ctx, tx, id, version, homeward.ActRPLApply); err != nil {
			return err
		}
		if err := a.Schedule(day, centre, tx.Local()); err != nil {
			return err
		}
		if err := tx.saveRPL(a); err != nil {
			return err
		}
		return tx.rplEvent(a, "rpl_scheduled", map[string]any{"standard": a.Standard, "day": a.Scheduled})
	})
	return a, err
}

// SignOffRPL is the second person's confirmation of the decision.
func (db *DB) SignOffRPL(ctx context.Context, id string, version int) (*rpl.Assessment, error) {
	actor := homeward.ActorFromContext(ctx)
	var a *rpl.Assessment
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		if a, err = db.rplForWrite(ctx, tx, id, version, homeward.ActRPLSignOff); err != nil {
			return err
		}
		if err := a.SignOff(actorID(actor), tx.now); err != nil {
			return err
		}
		if err := tx.saveRPL(a); err != nil {
			return err
		}
		return tx.rplEvent(a, "rpl_signed_off", map[string]any{"standard": a.Standard, "decision": a.Decision})
	})
	return a, err
}

// RPLWork lists what waits for the actor in their organisation: the
// applications of the standards they assess, the results a second person
// must sign off (not their own), the signed-off assessments of competence
// without a certificate; oldest first, at most 200 of each.
func (db *DB) RPLWork(ctx context.Context) (*rpl.Work, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	res := homeward.Resource{Type: "rpl_assessment", OrgID: org}
	if err := homeward.Authorize(actor, homeward.ActRPLRead, res); err != nil {
		return nil, err
	}
	mine := map[string]bool{}
	rows, err := db.query(ctx, `SELECT standard FROM rpl_assessors WHERE org_id = ? AND user_id = ?`, org, actorID(actor))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			rows.Close()
			return nil, err
		}
		mine[s] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = db.query(ctx, `SELECT a.assessment, p.given_name, p.family_name, c.number FROM rpl_assessments a
		JOIN cases c ON c.id = a.case_id JOIN people p ON p.id = a.person_id
		WHERE a.org_id = ? AND (a.status IN ('applied', 'assessed')
			OR a.status = 'signed_off' AND NOT EXISTS (SELECT 1 FROM credentials k WHERE k.assessment_id = a.id))
		ORDER BY a.updated_at, a.id LIMIT 1000`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	w := &rpl.Work{}
	signs, issues := homeward.Can(actor, homeward.ActRPLSignOff, res), homeward.Can(actor, homeward.ActCredentialIssue, res)
	for rows.Next() {
		var js, given, family string
		it := rpl.WorkItem{Assessment: &rpl.Assessment{}}
		if err := rows.Scan(&js, &given, &family, &it.CaseNumber); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(js), it.Assessment); err != nil {
			return nil, err
		}
		it.Name = strings.TrimSpace(given + " " + family)
		a := it.Assessment
		switch {
		case a.Status == rpl.StatusApplied && mine[a.Standard] && len(w.ToAssess) < 200:
			w.ToAssess = append(w.ToAssess, it)
		case a.Status == rpl.StatusAssessed && signs && a.AssessorID != actorID(actor) && len(w.ToSignOff) < 200:
			w.ToSignOff = append(w.ToSignOff, it)
		case a.Status == rpl.StatusSignedOff && issues && a.Certifiable() == nil && len(w.ToCertify) < 200:
			w.ToCertify = append(w.ToCertify, it)
		}
	}
	return w, rows.Err()
}

// RPLAssessments lists a case's assessments, newest first.
func (db *DB) RPLAssessments(ctx context.Context, caseID string) ([]*rpl.Assessment, error) {
	actor := homeward.ActorFromContext(ctx)
	var org string
	if err := db.queryRow(ctx, `SELECT org_id FROM cases WHERE id = ?`, caseID).Scan(&org); err != nil {
		if err := homeward.Authorize(actor, homeward.ActRPLRead, homeward.Resource{Type: "case", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, homeward.ActRPLRead, homeward.Resource{Type: "case", ID: caseID, OrgID: org}); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT assessment FROM rpl_assessments WHERE case_id = ? AND org_id = ? ORDER BY created_at DESC, id DESC`, caseID, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*rpl.Assessment{}
	for rows.Next() {
		var js string
		if err := rows.Scan(&js); err != nil {
			return nil, err
		}
		var a rpl.Assessment
		if err := json.Unmarshal([]byte(js), &a); err != nil {
			return nil, err
		}
		out = append(out, &a)
	}
	return out, rows.Err()
}

var _ rpl.Service = (*DB)(nil)

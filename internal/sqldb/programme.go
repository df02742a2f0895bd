package sqldb

import (
	"context"
	"strings"

	"homeward"
	"homeward/internal/programme"
	"homeward/internal/registry"
)

// Programmes lists an organisation's programmes (with how many cases each
// has enrolled when f.Counts): the actor's own organisation's, or for the
// operator's watchers f.OrgID's ("" is every organisation's).
func (db *DB) Programmes(ctx context.Context, f programme.Filter) ([]*programme.Programme, error) {
	actor := homeward.ActorFromContext(ctx)
	org := f.OrgID
	if org == "" && !actor.Operator && !actor.System {
		org = actorOrg(actor)
	}
	if err := homeward.Authorize(actor, homeward.ActProgrammeRead, homeward.Resource{Type: "programme", OrgID: org}); err != nil {
		return nil, err
	}
	count := `0`
	if f.Counts {
		count = `(SELECT COUNT(*) FROM case_programmes e WHERE e.programme_id = p.id)`
	}
	q := `SELECT p.id, p.org_id, p.code, p.name_en, p.name_bn, p.donor, p.start_month, p.end_month, p.districts, p.active, p.created_at, ` + count + ` FROM programmes p`
	var args []any
	if org != "" {
		q += ` WHERE p.org_id = ?`
		args = append(args, org)
	}
	rows, err := db.query(ctx, q+` ORDER BY p.active DESC, p.code, p.org_id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*programme.Programme{}
	for rows.Next() {
		p := &programme.Programme{}
		var districts string
		if err := rows.Scan(&p.ID, &p.OrgID, &p.Code, &p.NameEn, &p.NameBn, &p.Donor, &p.Start, &p.End, &districts, &p.Active, dbTime{&p.CreatedAt}, &p.Enrolled); err != nil {
			return nil, err
		}
		p.Districts = splitList(districts)
		out = append(out, p)
	}
	return out, rows.Err()
}

func splitList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Split(s, ",")
}

// CreateProgramme adds a programme to the administrator's organisation. A
// code already used by a programme of the organisation is refused.
func (db *DB) CreateProgramme(ctx context.Context, p *programme.Programme) (*programme.Programme, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActProgrammeManage, homeward.Resource{Type: "programme", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	out := *p
	out.Normalize()
	if err := out.Validate(); err != nil {
		return nil, err
	}
	out.ID, out.OrgID, out.Active, out.Districts = homeward.NewID(), actorOrg(actor), true, nonNilSlice(out.Districts)
	err := db.Transact(ctx, func(tx *Tx) error {
		out.CreatedAt = tx.now
		_, err := tx.Exec(`INSERT INTO programmes (id, org_id, code, name_en, name_bn, donor, start_month, end_month, districts, active, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, out.ID, out.OrgID, out.Code, out.NameEn, out.NameBn, out.Donor, out.Start, out.End,
			strings.Join(out.Districts, ","), true, actorID(actor), tx.now, tx.now)
		if isUniqueViolation(err) {
			e := homeward.FieldErrorf("code", "programme.code_taken", "Your organisation has a programme with the code %s already.", out.Code)
			e.Args = map[string]any{"code": out.Code}
			return e
		} else if err != nil {
			return err
		}
		return tx.Audit("programme.created", "programme", out.ID, out.OrgID, map[string]any{"code": out.Code, "donor": out.Donor, "start": out.Start, "end": out.End})
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// SetProgrammeActive deactivates a programme (no more enrolments; its
// enrolments and figures stay) or activates it again.
func (db *DB) SetProgrammeActive(ctx context.Context, id string, active bool) error {
	actor := homeward.ActorFromContext(ctx)
	return db.Transact(ctx, func(tx *Tx) error {
		var org string
		var was bool
		if err := tx.QueryRow(`SELECT org_id, active FROM programmes WHERE id = ?`, id).Scan(&org, &was); err != nil {
			if err := homeward.Authorize(actor, homeward.ActProgrammeManage, homeward.Resource{Type: "programme", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActProgrammeManage, homeward.Resource{Type: "programme", ID: id, OrgID: org}); err != nil {
			return err
		}
		if was == active {
			return nil
		}
		if _, err := tx.Exec(`UPDATE programmes SET active = ?, updated_at = ? WHERE id = ?`, active, tx.now, id); err != nil {
			return err
		}
		action := "programme.deactivated"
		if active {
			action = "programme.activated"
		}
		return tx.Audit(action, "programme", id, org, nil)
	})
}

// Enrol enrolls a case in a programme. The programme must be an active one
// of the case's own organisation (another organisation's programme is not
// found); a closed case is refused — it receives no more services, and a
// supervisor reopens it first; enrolling twice is a conflict. The
// enrolment is audited and put on the case's timeline.
func (db *DB) Enrol(ctx context.Context, caseID, programmeID string) (*programme.Enrolment, error) {
	actor := homeward.ActorFromContext(ctx)
	var en *programme.Enrolment
	err := db.Transact(ctx, func(tx *Tx) error {
		var org, status string
		if err := tx.QueryRow(`SELECT org_id, status FROM cases WHERE id = ? AND merged_into IS NULL`, caseID).Scan(&org, &status); err != nil {
			if err := homeward.Authorize(actor, homeward.ActProgrammeEnrol, homeward.Resource{Type: "case", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActProgrammeEnrol, homeward.Resource{Type: "case", ID: caseID, OrgID: org}); err != nil {
			return err
		}
		var p programme.Programme
		err := tx.QueryRow(`SELECT id, code, name_en, name_bn, active FROM programmes WHERE id = ? AND org_id = ?`, programmeID, org).Scan(&p.ID, &p.Code, &p.NameEn, &p.NameBn, &p.Active)
		if err != nil {
			if err == errNoRows {
				return homeward.FieldErrorf("programme_id", "programme.unknown", "Choose a programme of the case's organisation.")
			}
			return err
		}
		if !p.Active {
			return homeward.FieldErrorf("programme_id", "programme.inactive", "This programme takes no more enrolments.")
		}
		if registry.CaseStatus(status) == registry.StatusClosed {
			return homeward.Errorf(homeward.ECONFLICT, "programme.case_closed", "A closed case is not enrolled in a programme: reopen it first.")
		}
		_, err = tx.Exec(`INSERT INTO case_programmes (case_id, programme_id, enrolled_at, enrolled_by) VALUES (?, ?, ?, ?)`, caseID, p.ID, tx.now, actorID(actor))
		if isUniqueViolation(err) {
			return homeward.Errorf(homeward.ECONFLICT, "programme.enrolled_already", "The case is enrolled in this programme already.")
		} else if err != nil {
			return err
		}
		en = &programme.Enrolment{CaseID: caseID, ProgrammeID: p.ID, Code: p.Code, NameEn: p.NameEn, NameBn: p.NameBn, EnrolledAt: tx.now, EnrolledBy: actorID(actor)}
		detail := map[string]any{"code": p.Code, "name": p.NameEn}
		if err := tx.addEvent(org, registry.NewCaseEvent(caseID, "programme_enrolled", "", tx.now, detail)); err != nil {
			return err
		}
		return tx.Audit("programme.enrolled", "case", caseID, org, map[string]any{"programme_id": p.ID, "code": p.Code})
	})
	return en, err
}

// Enrolments lists the programmes a case is enrolled in, for those who
// may read the case.
func (db *DB) Enrolments(ctx context.Context, caseID string) ([]*programme.Enrolment, error) {
	actor := homeward.ActorFromContext(ctx)
	var org string
	if err := db.queryRow(ctx, `SELECT org_id FROM cases WHERE id = ?`, caseID).Scan(&org); err != nil {
		if err := homeward.Authorize(actor, homeward.ActPersonRead, homeward.Resource{Type: "case", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, homeward.ActPersonRead, homeward.Resource{Type: "case", ID: caseID, OrgID: org}); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT e.case_id, p.id, p.code, p.name_en, p.name_bn, e.enrolled_at, e.enrolled_by FROM case_programmes e
		JOIN programmes p ON p.id = e.programme_id WHERE e.case_id = ? ORDER BY e.enrolled_at, p.code`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*programme.Enrolment{}
	for rows.Next() {
		e := &programme.Enrolment{}
		if err := rows.Scan(&e.CaseID, &e.ProgrammeID, &e.Code, &e.NameEn, &e.NameBn, dbTime{&e.EnrolledAt}, &e.EnrolledBy); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// caseProgrammes returns the programme codes each case is enrolled in, for
// the indicators (a few bytes per enrolment).
func (db *DB) caseProgrammes(ctx context.Context) (map[string][]string, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT e.case_id, p.code FROM case_programmes e JOIN programmes p ON p.id = e.programme_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string][]string{}
	for rows.Next() {
		var c, code string
		if err := rows.Scan(&c, &code); err != nil {
			return nil, err
		}
		out[c] = append(out[c], code)
	}
	return out, rows.Err()
}

package sqldb

import (
	"context"
	"time"

	"homeward"
	"homeward/internal/registry"
)

var _ registry.SubjectService = (*DB)(nil)

const subjectColumns = `s.id, s.org_id, s.person_id, s.kind, s.received_on, s.due_on, s.channel, s.note, s.status, s.recorded_by, s.recorded_at,
	COALESCE(s.fulfilled_by, ''), s.fulfilled_at`

func scanSubject(sc scanner, extra ...any) (*registry.SubjectRequest, error) {
	var r registry.SubjectRequest
	if err := sc.Scan(append([]any{&r.ID, &r.OrgID, &r.PersonID, &r.Kind, &r.ReceivedOn, &r.DueOn, &r.Channel, &r.Note, &r.Status, &r.RecordedBy,
		dbTime{&r.RecordedAt}, &r.FulfilledBy, dbNullTime{&r.FulfilledAt}}, extra...)...); err != nil {
		return nil, err
	}
	return &r, nil
}

// RecordSubjectRequest records a returnee's request for a copy of what is
// held on them, received on receivedOn (YYYY-MM-DD, empty for today in the
// organisation's time zone), due SubjectDeadlineDays later; on the case's
// timeline and in the audit log.
func (db *DB) RecordSubjectRequest(ctx context.Context, personID, receivedOn, channel, note string) (*registry.SubjectRequest, error) {
	qr, _ := db.readers(ctx)
	org, err := db.personOrg(ctx, qr, personID, homeward.ActSubjectRequest)
	if err != nil {
		return nil, err
	}
	req, err := registry.NewSubjectRequest(receivedOn, db.local(ctx).Format(time.DateOnly), channel, note)
	if err != nil {
		return nil, err
	}
	actor := homeward.ActorFromContext(ctx)
	req.ID, req.OrgID, req.PersonID, req.RecordedBy = homeward.NewID(), org, personID, actorID(actor)
	err = db.Transact(ctx, func(tx *Tx) error {
		req.RecordedAt = tx.now
		if _, err := tx.Exec(`INSERT INTO subject_requests (id, org_id, person_id, kind, received_on, due_on, channel, note, status, recorded_by, recorded_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, req.ID, org, personID, req.Kind, req.ReceivedOn, req.DueOn, req.Channel, req.Note, req.Status, req.RecordedBy, tx.now); err != nil {
			return err
		}
		if err := tx.subjectEvent(personID, org, "registry.timeline.subject_requested", req.DueOn); err != nil {
			return err
		}
		return tx.Audit("subject.request", "person", personID, org, map[string]any{"request": req.ID, "kind": req.Kind, "due_on": req.DueOn})
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// subjectEvent puts a subject request's step on the person's latest case.
func (tx *Tx) subjectEvent(personID, org, key, due string) error {
	var caseID string
	if err := tx.QueryRow(`SELECT id FROM cases WHERE person_id = ? AND org_id = ? ORDER BY opened_at DESC LIMIT 1`, personID, org).Scan(&caseID); err != nil {
		if err == errNoRows {
			return nil
		}
		return err
	}
	return tx.addEvent(org, registry.TimelineEvent{CaseID: caseID, Kind: registry.EventSubjectRequest,
		Summary: registry.Message{Key: key, Args: map[string]any{"due": due}}})
}

// SubjectRequests lists a person's requests, newest first.
func (db *DB) SubjectRequests(ctx context.Context, personID string) ([]registry.SubjectRequest, error) {
	qr, _ := db.readers(ctx)
	org, err := db.personOrg(ctx, qr, personID, homeward.ActSubjectRequest)
	if err != nil {
		return nil, err
	}
	return db.subjectList(ctx, `WHERE s.person_id = ? AND s.org_id = ? ORDER BY s.recorded_at DESC LIMIT 100`, personID, org)
}

// OpenSubjectRequests lists the organisation's open requests, the nearest
// deadline first, with how many there are.
func (db *DB) OpenSubjectRequests(ctx context.Context, limit int) ([]registry.SubjectRequest, int, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActSubjectRequest, homeward.Resource{Type: "subject_request", OrgID: org}); err != nil {
		return nil, 0, err
	}
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM subject_requests WHERE org_id = ? AND status = ?`, org, registry.SubjectOpen).Scan(&n); err != nil {
		return nil, 0, err
	}
	list, err := db.subjectList(ctx, `WHERE s.org_id = ? AND s.status = ? ORDER BY s.due_on, s.id LIMIT ?`, org, registry.SubjectOpen, max(1, min(limit, 200)))
	return list, n, err
}

func (db *DB) subjectList(ctx context.Context, where string, args ...any) ([]registry.SubjectRequest, error) {
	rows, err := db.query(ctx, `SELECT `+subjectColumns+`, p.given_name, p.family_name FROM subject_requests s JOIN people p ON p.id = s.person_id `+where, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := db.local(ctx).Format(time.DateOnly)
	out := []registry.SubjectRequest{}
	for rows.Next() {
		var given, family string
		r, err := scanSubject(rows, &given, &family)
		if err != nil {
			return nil, err
		}
		p := registry.Person{GivenName: given, FamilyName: family}
		r.PersonName = p.DisplayName()
		r.Overdue = r.Status == registry.SubjectOpen && r.DueOn < today
		out = append(out, *r)
	}
	return out, rows.Err()
}

// FulfilSubjectRequest marks a request answered: the copy was produced
// (SubjectAccess must have been called for the person since the request
// was received — the audit log says so) and handed over.
func (db *DB) FulfilSubjectRequest(ctx context.Context, id string) (*registry.SubjectRequest, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActSubjectAccess, homeward.Resource{Type: "subject_request", ID: id, OrgID: org}); err != nil {
		return nil, err
	}
	var req *registry.SubjectRequest
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		req, err = scanSubject(tx.QueryRow(`SELECT `+subjectColumns+` FROM subject_requests s WHERE s.id = ? AND s.org_id = ?`+db.dialect.forUpdate(), id, org))
		if err != nil {
			return notFound(err)
		}
		if req.Status != registry.SubjectOpen {
			return homeward.Errorf(homeward.ECONFLICT, "subject.fulfilled", "This request was answered already.")
		}
		var produced int
		// The copy's audit event may still wait for the sealer
		// (DB.DeferAuditSeal).
		const made = ` WHERE record_type = 'person' AND record_id = ? AND org_id = ? AND action = 'subject.access_export' AND at >= ?`
		if err := tx.QueryRow(`SELECT (SELECT COUNT(*) FROM audit_events`+made+`) + (SELECT COUNT(*) FROM audit_pending`+made+`)`,
			req.PersonID, org, req.RecordedAt, req.PersonID, org, req.RecordedAt).Scan(&produced); err != nil {
			return err
		}
		if produced == 0 {
			return homeward.Errorf(homeward.ECONFLICT, "subject.not_produced", "Produce the copy of the record for the returnee first.")
		}
		now := tx.now
		if _, err := tx.Exec(`UPDATE subject_requests SET status = ?, fulfilled_by = ?, fulfilled_at = ? WHERE id = ?`, registry.SubjectFulfilled, actorID(actor), now, id); err != nil {
			return err
		}
		req.Status, req.FulfilledBy, req.FulfilledAt = registry.SubjectFulfilled, actorID(actor), &now
		if err := tx.subjectEvent(req.PersonID, org, "registry.timeline.subject_fulfilled", req.DueOn); err != nil {
			return err
		}
		return tx.Audit("subject.fulfil", "person", req.PersonID, org, map[string]any{"request": id, "late": db.local(ctx).Format(time.DateOnly) > req.DueOn})
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// RecordSubjectExport records that a copy of everything held on a person
// was produced for them (the subject access document), before it is shown.
func (db *DB) RecordSubjectExport(ctx context.Context, personID, format string) error {
	qr, _ := db.readers(ctx)
	org, err := db.personOrg(ctx, qr, personID, homeward.ActSubjectAccess)
	if err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		return tx.Audit("subject.access_export", "person", personID, org, map[string]any{"format": format})
	})
}

// AllReaders lists everyone who opened a person's record, for the copy the
// person receives (no limit but the log's own, newest first).
func (db *DB) AllReaders(ctx context.Context, personID string) ([]homeward.Reader, error) {
	qr, _ := db.readers(ctx)
	if _, err := db.personOrg(ctx, qr, personID, homeward.ActSubjectAccess); err != nil {
		return nil, err
	}
	return db.Readers(ctx, "person", personID, 200)
}

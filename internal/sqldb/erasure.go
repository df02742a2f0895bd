package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/rpl"
)

var _ registry.PrivacyService = (*DB)(nil)

// notErased keeps erased people (p) out of lists, searches and exports:
// their pseudonymised rows stay for the cases' counts, never to be found.
const notErased = ` AND NOT EXISTS (SELECT 1 FROM erasure_requests er WHERE er.person_id = p.id AND er.status = 'erased')`

const erasureColumns = `e.id, e.org_id, e.person_id, e.reason, e.status, e.requested_by, e.requested_at, COALESCE(e.decided_by, ''), e.decided_at`

func scanErasure(s scanner, extra ...any) (*registry.ErasureRequest, error) {
	var r registry.ErasureRequest
	if err := s.Scan(append([]any{&r.ID, &r.OrgID, &r.PersonID, &r.Reason, &r.Status, &r.RequestedBy, dbTime{&r.RequestedAt}, &r.DecidedBy, dbNullTime{&r.DecidedAt}}, extra...)...); err != nil {
		return nil, err
	}
	return &r, nil
}

// RequestErasure records a returnee's request to be erased, with a reason.
// It waits for another supervisor's decision (DecideErasure). A person
// under legal hold, or with a request already open, is refused.
func (db *DB) RequestErasure(ctx context.Context, personID, reason string) (*registry.ErasureRequest, error) {
	qr, _ := db.readers(ctx)
	org, err := db.personOrg(ctx, qr, personID, homeward.ActErasureRequest)
	if err != nil {
		return nil, err
	}
	if reason, err = registry.CheckReason(reason); err != nil {
		return nil, err
	}
	actor := homeward.ActorFromContext(ctx)
	req := &registry.ErasureRequest{ID: homeward.NewID(), OrgID: org, PersonID: personID, Reason: reason, Status: registry.ErasureRequested, RequestedBy: actorID(actor)}
	err = db.Transact(ctx, func(tx *Tx) error {
		if err := tx.refuseHeld(org, personID); err != nil {
			return err
		}
		var open int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM erasure_requests WHERE person_id = ? AND org_id = ? AND status = ?`, personID, org, registry.ErasureRequested).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return homeward.Errorf(homeward.ECONFLICT, "erasure.open", "An erasure request for this person is waiting for a decision already.")
		}
		req.RequestedAt = tx.now
		if _, err := tx.Exec(`INSERT INTO erasure_requests (id, org_id, person_id, reason, status, requested_by, requested_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			req.ID, org, personID, reason, req.Status, req.RequestedBy, tx.now); err != nil {
			return err
		}
		// The audit event carries ids only: a reason may name people, and
		// an event can never be changed once chained.
		return tx.Audit("erasure.request", "person", personID, org, map[string]any{"request": req.ID})
	})
	if err != nil {
		return nil, err
	}
	return req, nil
}

// DecideErasure approves or refuses an erasure request. The decider must
// be a supervisor of the person's organisation other than the requester;
// approval is refused while a legal hold stands. On approval the person is
// pseudonymised everywhere (erasePerson) in the same transaction, and the
// audit log gains a person.erased event that names only ids — the
// tombstone.
func (db *DB) DecideErasure(ctx context.Context, id string, approve bool) (*registry.ErasureRequest, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActErasureApprove, homeward.Resource{Type: "erasure_request", ID: id, OrgID: org}); err != nil {
		return nil, err
	}
	var req *registry.ErasureRequest
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		req, err = scanErasure(tx.QueryRow(`SELECT `+erasureColumns+` FROM erasure_requests e WHERE e.id = ? AND e.org_id = ?`+db.dialect.forUpdate(), id, org))
		if err != nil {
			return notFound(err)
		}
		if req.Status != registry.ErasureRequested {
			return homeward.Errorf(homeward.ECONFLICT, "erasure.decided", "This request was decided already.")
		}
		if err := registry.CheckFourEyes(req, actorID(actor)); err != nil {
			return err
		}
		now := tx.now
		req.DecidedBy, req.DecidedAt, req.Status = actorID(actor), &now, registry.ErasureRefused
		if approve {
			if err := tx.refuseHeld(org, req.PersonID); err != nil {
				return err
			}
			if err := tx.erasePerson(org, req.PersonID); err != nil {
				return err
			}
			req.Status = registry.ErasureDone
		}
		if _, err := tx.Exec(`UPDATE erasure_requests SET status = ?, decided_by = ?, decided_at = ? WHERE id = ? AND org_id = ?`, req.Status, req.DecidedBy, now, id, org); err != nil {
			return err
		}
		if approve {
			return tx.Audit("person.erased", "person", req.PersonID, org, map[string]any{"request": id, "requested_by": req.RequestedBy})
		}
		return tx.Audit("erasure.refuse", "person", req.PersonID, org, map[string]any{"request": id})
	})
	if err != nil {
		return nil, err
	}
	if approve {
		db.personChanged(org, req.PersonID)
	}
	return req, nil
}

// ErasureRequests lists the organisation's erasure requests (one person's
// when personID is set): open ones first, then newest first.
func (db *DB) ErasureRequests(ctx context.Context, personID string, limit int) ([]registry.ErasureRequest, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if !homeward.Can(actor, homeward.ActErasureApprove, homeward.Resource{Type: "erasure_request", OrgID: org}) {
		if err := homeward.Authorize(actor, homeward.ActErasureRequest, homeward.Resource{Type: "erasure_request", OrgID: org}); err != nil {
			return nil, err
		}
	}
	where, args := `WHERE e.org_id = ?`, []any{org}
	if personID != "" {
		where, args = where+` AND e.person_id = ?`, append(args, personID)
	}
	rows, err := db.query(ctx, `SELECT `+erasureColumns+`, p.given_name, p.family_name FROM erasure_requests e JOIN people p ON p.id = e.person_id `+where+`
		ORDER BY CASE WHEN e.status = 'requested' THEN 0 ELSE 1 END, e.requested_at DESC, e.id LIMIT ?`, append(args, max(1, min(limit, 200)))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []registry.ErasureRequest{}
	for rows.Next() {
		var given, family string
		r, err := scanErasure(rows, &given, &family)
		if err != nil {
			return nil, err
		}
		p := registry.Person{GivenName: given, FamilyName: family}
		r.PersonName = p.DisplayName()
		out = append(out, *r)
	}
	return out, rows.Err()
}

// refuseHeld refuses to erase (or let retention touch) a person under a
// standing legal hold.
func (tx *Tx) refuseHeld(org, personID string) error {
	var n int
	if err := tx.QueryRow(`SELECT COUNT(*) FROM legal_holds WHERE person_id = ? AND org_id = ? AND lifted_at IS NULL`, personID, org).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return homeward.Errorf(homeward.ECONFLICT, "erasure.held", "A legal hold stands on this person: nothing may be erased until it is lifted.")
	}
	return nil
}

// erasePerson removes or pseudonymises everything that identifies a
// person of org: the person record and its documents, phones and names;
// search keys (keys, words, pairs); duplicate pairs and the copies merges
// kept; the case numbers and timelines; free-text answers of assessments;
// the personal fields shared with referrals and their messages;
// counselling notes; webhook deliveries still queued; uploaded evidence
// files; certificates (revoked); consent witnesses; the notes and reasons of subject requests and
// emergency accesses. What counts (sex, district, dates, statuses,
// scores) stays, so indicators keep their numbers. The audit log is not
// touched: its events carry ids and codes, never what is erased here.
func (tx *Tx) erasePerson(org, personID string) error {
	var sex string
	if err := tx.QueryRow(`SELECT sex FROM people WHERE id = ? AND org_id = ?`, personID, org).Scan(&sex); err != nil {
		return notFound(err)
	}
	tombJSON, err := json.Marshal(registry.Person{ID: personID, OrgID: org, Sex: registry.Sex(sex)})
	if err != nil {
		return err
	}
	// The tombstone is stored as every person record is: sealed when a
	// master key is set (it holds nothing identifying, but a row in clear
	// among sealed ones would be taken for one not yet converted).
	tomb, tombKey := string(tombJSON), ""
	if k, err := tx.identKeys(); err == nil {
		if tomb, tombKey, err = k.sealPerson(&registry.Person{ID: personID, OrgID: org, Sex: registry.Sex(sex)}); err != nil {
			return err
		}
	} else if !errors.Is(err, errNoIdentKeys) {
		return err
	}
	cases := `SELECT id FROM cases WHERE person_id = ? AND org_id = ?`
	steps := []struct {
		q    string
		args []any
	}{
		{`UPDATE people SET external_id = '', given_name = '', family_name = '', full_name_native = '', date_of_birth = '', admin_area = '',
			person = ?, seal_key = ?, episodes = '[]', version = version + 1, updated_at = ? WHERE id = ? AND org_id = ?`, []any{tomb, tombKey, tx.now, personID, org}},
		// Lent keys (merge_id set) survive a plain delete by design: they
		// are released first (a '!' before their merge; clearing it would
		// make two lent copies of one key the same key).
		{`UPDATE person_keys SET merge_id = '!' || merge_id WHERE person_id = ? AND org_id = ? AND merge_id <> ''`, []any{personID, org}},
		{`DELETE FROM person_keys WHERE person_id = ? AND org_id = ?`, []any{personID, org}},
		{`DELETE FROM person_words WHERE person_id = ? AND person_id IN (SELECT id FROM people WHERE org_id = ?)`, []any{personID, org}},
		{`DELETE FROM case_events WHERE org_id = ? AND case_id IN (` + cases + `)`, []any{org, personID, org}},
		{`UPDATE cases SET number = 'ERASED-' || id, version = version + 1, updated_at = ? WHERE person_id = ? AND org_id = ?`, []any{tx.now, personID, org}},
		{`DELETE FROM dedupe_pairs WHERE org_id = ? AND (person_a = ? OR person_b = ?)`, []any{org, personID, personID}},
		{`UPDATE dedupe_merges SET merge = '{}' WHERE org_id = ? AND (kept_id = ? OR absorbed_id = ?)`, []any{org, personID, personID}},
		{`UPDATE assessments SET answers = '{}' WHERE person_id = ? AND org_id = ?`, []any{personID, org}},
		{`DELETE FROM counselling_notes WHERE delivery_id IN (SELECT d.id FROM service_deliveries d JOIN referrals r ON r.id = d.referral_id WHERE r.person_id = ? AND r.from_org_id = ?)`, []any{personID, org}},
		{`DELETE FROM rpl_evidence_files WHERE org_id = ? AND assessment_id IN (SELECT id FROM rpl_assessments WHERE person_id = ? AND org_id = ?)`, []any{org, personID, org}},
		{`UPDATE subject_requests SET note = '' WHERE person_id = ? AND org_id = ?`, []any{personID, org}},
		{`UPDATE break_glass SET reason = '', review_note = '' WHERE person_id = ? AND owner_org = ?`, []any{personID, org}},
		{`UPDATE recommend_choices SET reason = '' WHERE org_id = ? AND case_id IN (` + cases + `)`, []any{org, personID, org}},
		// Cross-border handoff: announcements of the person's cases keep
		// no body, and one not yet delivered is never sent; an expected
		// arrival the person was opened from keeps no name, passport or
		// announcement.
		{`UPDATE handoff_outbox SET body = '{}', status = CASE WHEN status = 'pending' THEN 'failed' ELSE status END,
			next_at = NULL, last_error = CASE WHEN status = 'pending' THEN 'person erased' ELSE last_error END
			WHERE org_id = ? AND case_id IN (` + cases + `)`, []any{org, personID, org}},
		{`UPDATE handoff_arrivals SET name_key = '', passport = '', passport_index = '', announcement = '{}' WHERE org_id = ? AND person_id = ?`, []any{org, personID}},
		// A certificate named the person: it is revoked (its status bit
		// set), and the stored copy dropped.
		{`UPDATE credentials SET credential = '{}', revoke_reason = '', revoked_at = COALESCE(revoked_at, ?),
			revoked_by = CASE WHEN revoked_by = '' THEN ? ELSE revoked_by END WHERE person_id = ? AND org_id = ?`, []any{tx.now, actorID(tx.actor), personID, org}},
	}
	for _, s := range steps {
		if _, err := tx.Exec(s.q, s.args...); err != nil {
			return err
		}
	}
	if err := tx.eraseConsents(org, personID); err != nil {
		return err
	}
	// Plans keep their services, statuses and dates; the goals in the
	// person's own words and every note go.
	if err := eraseDocs(tx, `SELECT id, plan FROM plans WHERE person_id = ? AND org_id = ?`,
		`UPDATE plans SET plan = ?, version = version + 1 WHERE id = ? AND org_id = ?`, org, func(p *referral.Plan) {
			for i := range p.Goals {
				p.Goals[i].Text = ""
			}
			for i := range p.Services {
				p.Services[i].Note = ""
			}
			if p.Agreement != nil {
				p.Agreement.Witness = ""
			}
			if p.Approval != nil {
				p.Approval.Note = ""
			}
		}, personID, org); err != nil {
		return err
	}
	// RPL applications keep the standard, results and decision; what the
	// evidence and the assessors' notes said goes.
	if err := eraseDocs(tx, `SELECT id, assessment FROM rpl_assessments WHERE person_id = ? AND org_id = ?`,
		`UPDATE rpl_assessments SET assessment = ?, version = version + 1 WHERE id = ? AND org_id = ?`, org, func(a *rpl.Assessment) {
			for i := range a.Evidence {
				a.Evidence[i].Note = ""
			}
			for i := range a.Results {
				a.Results[i].Note = ""
			}
			a.Version++
		}, personID, org); err != nil {
		return err
	}
	return tx.eraseReferrals(`WHERE person_id = ? AND from_org_id = ?`, personID, org)
}

// idDocs reads the (id, document) rows a query returns, all of them
// before the caller writes (a transaction's rows must be closed first).
func (tx *Tx) idDocs(q string, args ...any) (ids, docs []string, err error) {
	rows, err := tx.Query(q, args...)
	return scanPairs(rows, err)
}

// scanPairs reads every (id, text) row of rows (err: the query's) and
// closes them.
func scanPairs(rows *sql.Rows, err error) (ids, texts []string, _ error) {
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, text string
		if err := rows.Scan(&id, &text); err != nil {
			return nil, nil, err
		}
		ids, texts = append(ids, id), append(texts, text)
	}
	return ids, texts, rows.Err()
}

// eraseConsents drops the witness's name from a person's consents (the
// purposes, recipients and dates stay: they say what was allowed).
func (tx *Tx) eraseConsents(org, personID string) error {
	return eraseDocs(tx, `SELECT id, consent FROM consents WHERE person_id = ? AND org_id = ?`,
		`UPDATE consents SET consent = ? WHERE id = ? AND org_id = ?`, org, func(c *registry.Consent) { c.Witness = "" }, personID, org)
}

// eraseDocs rewrites each JSON document T that sel (id, document; with
// args) returns, with clear applied, through upd (document, id, org).
func eraseDocs[T any](tx *Tx, sel, upd, org string, clear func(*T), args ...any) error {
	ids, docs, err := tx.idDocs(sel, args...)
	if err != nil {
		return err
	}
	for i, id := range ids {
		var d T
		if err := json.Unmarshal([]byte(docs[i]), &d); err != nil {
			return err
		}
		clear(&d)
		b, err := json.Marshal(&d)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(upd, string(b), id, org); err != nil {
			return err
		}
	}
	return nil
}

// eraseReferrals clears what the referrals matching where shared about
// the person (names, phone, address, case number …) and their messages,
// keeping the service, states and dates; and stops the webhook deliveries
// about them still queued.
func (tx *Tx) eraseReferrals(where string, args ...any) error {
	ids, docs, err := tx.idDocs(`SELECT id, referral FROM referrals `+where, args...)
	if err != nil {
		return err
	}
	open := tx.opener()
	for i, id := range ids {
		js, err := open(docs[i], referralAD(id))
		if err != nil {
			return fmt.Errorf("referral %s: %w", id, err)
		}
		var r referral.Referral
		if err := json.Unmarshal([]byte(js), &r); err != nil {
			return err
		}
		r.ID = id
		clearReferral(&r)
		// Stored as every referral is: sealed when a master key is set.
		stored, keyID := referralJSON(&r), ""
		if sealed, k, err := tx.sealReferral(&r); err == nil {
			stored, keyID = sealed, k
		} else if !errors.Is(err, errNoIdentKeys) {
			return err
		}
		if _, err := tx.Exec(`UPDATE referrals SET referral = ?, seal_key = ? WHERE id = ?`, stored, keyID, id); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE webhook_deliveries SET status = 'failed', next_at = NULL, last_error = 'person erased'
			WHERE status = 'pending' AND event LIKE ? ESCAPE '\'`, `%"referral_id":"`+escapeLike(id)+`"%`); err != nil {
			return err
		}
	}
	return nil
}

// clearReferral removes what a referral shared about its person and the
// messages exchanged on it.
func clearReferral(r *referral.Referral) {
	r.Shared = referral.Shared{Sex: r.Shared.Sex, District: r.Shared.District}
	r.Note = ""
	for i := range r.History {
		r.History[i].Note = ""
	}
}

// referralCleared reports whether a referral holds nothing personal any
// more (so that retention does not clear it twice).
func referralCleared(r *referral.Referral) bool {
	if r.Note != "" || r.Shared.CaseNumber != "" || r.Shared.GivenName != "" || r.Shared.FamilyName != "" || r.Shared.Phone != "" || len(r.Shared.Fields) > 0 {
		return false
	}
	for _, h := range r.History {
		if h.Note != "" {
			return false
		}
	}
	return true
}

package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

const holdColumns = `h.id, h.org_id, h.person_id, h.reason, h.placed_by, h.placed_at, COALESCE(h.lifted_by, ''), h.lifted_at, h.lift_reason`

func scanHold(s scanner, extra ...any) (*registry.LegalHold, error) {
	var h registry.LegalHold
	if err := s.Scan(append([]any{&h.ID, &h.OrgID, &h.PersonID, &h.Reason, &h.PlacedBy, dbTime{&h.PlacedAt}, &h.LiftedBy, dbNullTime{&h.LiftedAt}, &h.LiftReason}, extra...)...); err != nil {
		return nil, err
	}
	return &h, nil
}

// PlaceHold puts a legal hold, with a reason, on a person of the actor's
// organisation named by id or by case number: until it is lifted the
// person can be neither erased nor touched by retention.
func (db *DB) PlaceHold(ctx context.Context, person, reason string) (*registry.LegalHold, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActLegalHold, homeward.Resource{Type: "legal_hold", OrgID: org}); err != nil {
		return nil, err
	}
	person = strings.TrimSpace(person)
	var v homeward.Validation
	if _, err := registry.CheckReason(reason); err != nil {
		v.Add("reason", "erasure.reason", "Give the reason (10 to 2000 characters).")
	}
	var personID string
	if person != "" && len(person) <= 64 {
		q, arg := `SELECT c.person_id FROM cases c JOIN people p ON p.id = c.person_id WHERE c.number = ? AND c.org_id = ?`+notErased, strings.ToUpper(person)
		if homeward.ValidID(person) {
			q, arg = `SELECT p.id FROM people p WHERE p.id = ? AND p.org_id = ?`+notErased, person
		}
		if err := db.queryRow(ctx, q, arg, org).Scan(&personID); err != nil && err != errNoRows {
			return nil, err
		}
	}
	if personID == "" {
		v.Add("person", "legal_hold.person", "No person of your organisation has this case number.")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	reason, _ = registry.CheckReason(reason)
	h := &registry.LegalHold{ID: homeward.NewID(), OrgID: org, PersonID: personID, Reason: reason, PlacedBy: actorID(actor)}
	err := db.Transact(ctx, func(tx *Tx) error {
		h.PlacedAt = tx.now
		if _, err := tx.Exec(`INSERT INTO legal_holds (id, org_id, person_id, reason, placed_by, placed_at) VALUES (?, ?, ?, ?, ?, ?)`,
			h.ID, org, personID, reason, h.PlacedBy, tx.now); err != nil {
			return err
		}
		return tx.Audit("legal_hold.place", "person", personID, org, map[string]any{"hold": h.ID})
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// LiftHold lifts a standing hold, with a reason; the lifting is audited.
func (db *DB) LiftHold(ctx context.Context, id, reason string) (*registry.LegalHold, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActLegalHold, homeward.Resource{Type: "legal_hold", ID: id, OrgID: org}); err != nil {
		return nil, err
	}
	reason, err := registry.CheckReason(reason)
	if err != nil {
		return nil, err
	}
	var h *registry.LegalHold
	err = db.Transact(ctx, func(tx *Tx) error {
		var err error
		h, err = scanHold(tx.QueryRow(`SELECT `+holdColumns+` FROM legal_holds h WHERE h.id = ? AND h.org_id = ?`+db.dialect.forUpdate(), id, org))
		if err != nil {
			return notFound(err)
		}
		if !h.Active() {
			return homeward.Errorf(homeward.ECONFLICT, "legal_hold.lifted", "This hold was lifted already.")
		}
		now := tx.now
		h.LiftedBy, h.LiftedAt, h.LiftReason = actorID(actor), &now, reason
		if _, err := tx.Exec(`UPDATE legal_holds SET lifted_by = ?, lifted_at = ?, lift_reason = ? WHERE id = ? AND org_id = ?`, h.LiftedBy, now, reason, id, org); err != nil {
			return err
		}
		return tx.Audit("legal_hold.lift", "person", h.PersonID, org, map[string]any{"hold": id})
	})
	if err != nil {
		return nil, err
	}
	return h, nil
}

// LegalHolds lists the organisation's holds (one person's when personID
// is set), standing ones first, for those who place holds or ask for
// erasure.
func (db *DB) LegalHolds(ctx context.Context, personID string, limit int) ([]registry.LegalHold, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if !homeward.Can(actor, homeward.ActLegalHold, homeward.Resource{Type: "legal_hold", OrgID: org}) {
		if err := homeward.Authorize(actor, homeward.ActErasureRequest, homeward.Resource{Type: "legal_hold", OrgID: org}); err != nil {
			return nil, err
		}
	}
	where, args := `WHERE h.org_id = ?`, []any{org}
	if personID != "" {
		where, args = where+` AND h.person_id = ?`, append(args, personID)
	}
	rows, err := db.query(ctx, `SELECT `+holdColumns+`, COALESCE((SELECT c.number FROM cases c WHERE c.person_id = h.person_id AND c.org_id = h.org_id ORDER BY c.opened_at DESC LIMIT 1), '')
		FROM legal_holds h `+where+` ORDER BY CASE WHEN h.lifted_at IS NULL THEN 0 ELSE 1 END, h.placed_at DESC, h.id LIMIT ?`, append(args, max(1, min(limit, 200)))...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []registry.LegalHold{}
	for rows.Next() {
		var number string
		h, err := scanHold(rows, &number)
		if err != nil {
			return nil, err
		}
		h.CaseNumber = number
		out = append(out, *h)
	}
	return out, rows.Err()
}

// RetentionRules lists the actor's organisation's retention periods.
func (db *DB) RetentionRules(ctx context.Context) ([]registry.RetentionRule, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActRetentionManage, homeward.Resource{Type: "retention_rule", OrgID: org}); err != nil {
		return nil, err
	}
	return db.retentionRules(ctx, org)
}

func (db *DB) retentionRules(ctx context.Context, org string) ([]registry.RetentionRule, error) {
	rows, err := db.query(ctx, `SELECT org_id, kind, years, updated_by, updated_at FROM retention_rules WHERE org_id = ? ORDER BY kind`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []registry.RetentionRule{}
	for rows.Next() {
		var r registry.RetentionRule
		if err := rows.Scan(&r.OrgID, &r.Kind, &r.Years, &r.UpdatedBy, dbTime{&r.UpdatedAt}); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// SetRetentionRules sets the organisation's periods (kind → years; 0
// removes a period: the records are kept). Every one is checked before
// any is written, in one transaction.
func (db *DB) SetRetentionRules(ctx context.Context, years map[string]int) error {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActRetentionManage, homeward.Resource{Type: "retention_rule", OrgID: org}); err != nil {
		return err
	}
	kinds := make([]string, 0, len(years))
	for k, n := range years {
		if err := registry.CheckRetentionRule(k, n); err != nil {
			return err
		}
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return db.Transact(ctx, func(tx *Tx) error {
		for _, kind := range kinds {
			n := years[kind]
			if n == 0 {
				if _, err := tx.Exec(`DELETE FROM retention_rules WHERE org_id = ? AND kind = ?`, org, kind); err != nil {
					return err
				}
			} else if _, err := tx.Exec(`INSERT INTO retention_rules (org_id, kind, years, updated_by, updated_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (org_id, kind) DO UPDATE SET years = excluded.years, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				org, kind, n, actorID(actor), tx.now); err != nil {
				return err
			}
			if err := tx.Audit("retention.rule", "retention_rule", kind, org, map[string]any{"kind": kind, "years": n}); err != nil {
				return err
			}
		}
		return nil
	})
}

// retentionBatch bounds how many records of one kind one run changes per
// organisation; the next run takes the rest.
const retentionBatch = 500

// RunRetention applies the retention periods of the actor's organisation
// (every organisation's when the system runs it, as the server's
// scheduled job does): people whose cases all closed long enough ago are
// pseudonymised as by an erasure, declined referrals are cleared of what
// they shared, old evidence files are deleted. People under a legal hold
// are listed as held and left alone. A dry run reports the same list and
// changes nothing, not even the audit log.
func (db *DB) RunRetention(ctx context.Context, dryRun bool) (*registry.RetentionReport, error) {
	actor := homeward.ActorFromContext(ctx)
	var orgs []string
	if actor != nil && actor.System {
		rows, err := db.query(ctx, `SELECT DISTINCT org_id FROM retention_rules ORDER BY org_id`)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var o string
			if err := rows.Scan(&o); err != nil {
				rows.Close()
				return nil, err
			}
			orgs = append(orgs, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	} else {
		org := actorOrg(actor)
		if err := homeward.Authorize(actor, homeward.ActRetentionManage, homeward.Resource{Type: "retention_rule", OrgID: org}); err != nil {
			return nil, err
		}
		orgs = []string{org}
	}
	rep := &registry.RetentionReport{DryRun: dryRun, At: db.Now(), Items: []registry.RetentionItem{}}
	for _, org := range orgs {
		rules, err := db.retentionRules(ctx, org)
		if err != nil {
			return nil, err
		}
		var items []registry.RetentionItem
		for _, r := range rules {
			found, err := db.retentionDue(ctx, org, r, rep.At)
			if err != nil {
				return nil, err
			}
			items = append(items, found...)
		}
		for _, it := range items {
			if it.Held {
				rep.Held++
			}
		}
		rep.Items = append(rep.Items, items...)
		if dryRun {
			continue
		}
		var done int
		err = db.Transact(ctx, func(tx *Tx) error {
			done = 0
			for _, it := range items {
				if it.Held {
					continue
				}
				applied, err := tx.applyRetention(it)
				if err != nil {
					return err
				}
				if applied {
					done++
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		rep.Done += done
		for _, it := range items {
			if it.RecordType == "person" && !it.Held {
				db.personChanged(org, it.PersonID)
			}
		}
	}
	return rep, nil
}

const heldExpr = `EXISTS (SELECT 1 FROM legal_holds h WHERE h.person_id = %s AND h.lifted_at IS NULL)`

func held(col string) string { return strings.Replace(heldExpr, "%s", col, 1) }

// retentionDue lists the records of org that rule r says are due at now.
func (db *DB) retentionDue(ctx context.Context, org string, r registry.RetentionRule, now time.Time) ([]registry.RetentionItem, error) {
	cutoff := now.AddDate(-r.Years, 0, 0)
	var q string
	item := registry.RetentionItem{OrgID: org, Kind: r.Kind, Years: r.Years}
	switch r.Kind {
	case registry.RetainClosedCase:
		item.RecordType, item.Action = "person", "pseudonymise"
		q = `SELECT p.id, p.id, MAX(c.closed_at), ` + held("p.id") + ` FROM people p JOIN cases c ON c.person_id = p.id
			WHERE p.org_id = ? AND p.merged_into IS NULL` + notErased + `
			GROUP BY p.id HAVING SUM(CASE WHEN c.closed_at IS NULL THEN 1 ELSE 0 END) = 0 AND MAX(c.closed_at) < ? ORDER BY p.id LIMIT ?`
	case registry.RetainDeclinedReferral:
		item.RecordType, item.Action = "referral", "clear"
		q = `SELECT r.id, r.person_id, r.updated_at, ` + held("r.person_id") + `, r.referral FROM referrals r
			WHERE r.from_org_id = ? AND r.state = 'declined' AND r.updated_at < ? ORDER BY r.id LIMIT ?`
	case registry.RetainEvidenceFile:
		item.RecordType, item.Action = "evidence_file", "delete"
		q = `SELECT f.id, a.person_id, f.uploaded_at, ` + held("a.person_id") + ` FROM rpl_evidence_files f JOIN rpl_assessments a ON a.id = f.assessment_id
			WHERE f.org_id = ? AND f.uploaded_at < ? ORDER BY f.id LIMIT ?`
	default:
		return nil, nil
	}
	rows, err := db.query(ctx, q, org, cutoff, retentionBatch)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []registry.RetentionItem
	open := db.opener(ctx)
	for rows.Next() {
		it := item
		dest := []any{&it.RecordID, &it.PersonID, dbTime{&it.Since}, &it.Held}
		var doc string
		if r.Kind == registry.RetainDeclinedReferral {
			dest = append(dest, &doc)
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if doc != "" {
			js, err := open(doc, referralAD(it.RecordID))
			if err != nil {
				return nil, fmt.Errorf("referral %s: %w", it.RecordID, err)
			}
			var ref referral.Referral
			if err := json.Unmarshal([]byte(js), &ref); err != nil {
				return nil, err
			}
			if referralCleared(&ref) {
				continue
			}
		}
		out = append(out, it)
	}
	return out, rows.Err()
}

// applyRetention does what it says, checking the hold again inside the
// transaction (one may have been placed since the list was read). It
// reports false when the record was left.
func (tx *Tx) applyRetention(it registry.RetentionItem) (bool, error) {
	if err := tx.refuseHeld(it.OrgID, it.PersonID); err != nil {
		if homeward.ErrorCode(err) == homeward.ECONFLICT {
			return false, nil
		}
		return false, err
	}
	detail := map[string]any{"retention": it.Kind, "years": it.Years}
	switch it.Kind {
	case registry.RetainClosedCase:
		if err := tx.erasePerson(it.OrgID, it.PersonID); err != nil {
			return false, err
		}
		if _, err := tx.Exec(`INSERT INTO erasure_requests (id, org_id, person_id, reason, status, requested_by, requested_at, decided_by, decided_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			homeward.NewID(), it.OrgID, it.PersonID, "retention: "+it.Kind, registry.ErasureDone, actorID(tx.actor), tx.now, actorID(tx.actor), tx.now); err != nil {
			return false, err
		}
		return true, tx.Audit("person.erased", "person", it.PersonID, it.OrgID, detail)
	case registry.RetainDeclinedReferral:
		if err := tx.eraseReferrals(`WHERE id = ? AND from_org_id = ?`, it.RecordID, it.OrgID); err != nil {
			return false, err
		}
		return true, tx.Audit("retention.clear", "referral", it.RecordID, it.OrgID, detail)
	case registry.RetainEvidenceFile:
		if _, err := tx.Exec(`DELETE FROM rpl_evidence_files WHERE id = ? AND org_id = ?`, it.RecordID, it.OrgID); err != nil {
			return false, err
		}
		return true, tx.Audit("retention.delete", "rpl_evidence", it.RecordID, it.OrgID, detail)
	}
	return false, nil
}

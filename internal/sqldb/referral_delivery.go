package sqldb

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

const deliveryColumns = `d.id, d.delivery, d.version, d.created_at, d.updated_at`

func scanDelivery(s scanner) (*referral.Delivery, error) {
	var id, js string
	var version int
	var created, updated time.Time
	if err := s.Scan(&id, &js, &version, dbTime{&created}, dbTime{&updated}); err != nil {
		return nil, err
	}
	var d referral.Delivery
	if err := json.Unmarshal([]byte(js), &d); err != nil {
		return nil, err
	}
	d.ID, d.Version, d.CreatedAt, d.UpdatedAt = id, version, created, updated
	return &d, nil
}

func deliveryJSON(d *referral.Delivery) string {
	c := *d
	c.Version = 0
	b, _ := json.Marshal(c)
	return string(b)
}

func pendingApproval(d *referral.Delivery) (bool, string) {
	if d.Kind == referral.KindGrant && d.Grant != nil {
		return d.Grant.Status == referral.GrantRequested, d.Grant.RequestedBy
	}
	return false, ""
}

// AddDelivery starts the delivery record of an accepted referral; the
// receiving organisation keeps it.
func (db *DB) AddDelivery(ctx context.Context, referralID string, in referral.DeliveryInput) (*referral.Delivery, error) {
	actor := homeward.ActorFromContext(ctx)
	cat, err := db.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	var d *referral.Delivery
	err = db.Transact(ctx, func(tx *Tx) error {
		r, err := tx.loadReferral(referralID)
		if err != nil {
			return notFound(err)
		}
		if _, err := referral.AuthorizeSide(actor, homeward.ActReferralRead, r, referral.SideReceiver, referral.SideSender); err != nil {
			return err
		}
		if _, err := referral.AuthorizeSide(actor, homeward.ActDeliveryWrite, r, referral.SideReceiver); err != nil {
			return err
		}
		if !slices.Contains(referral.DeliveryStates, r.State) {
			return homeward.Errorf(homeward.ECONFLICT, "referral.delivery.state", "Record delivery once the referral is accepted.")
		}
		st, _ := cat.Type(r.ServiceType)
		if d, err = referral.NewDelivery(st.Kind, in, actorID(actor), tx.now); err != nil {
			return err
		}
		d.ID, d.ReferralID, d.OrgID, d.Version = homeward.NewID(), r.ID, r.ToOrgID, 1
		pending, requester := pendingApproval(d)
		_, err = tx.Exec(`INSERT INTO service_deliveries (id, referral_id, org_id, kind, pending_approval, requested_by, delivery, next_follow_up, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`, d.ID, d.ReferralID, d.OrgID, string(d.Kind), pending, requester, deliveryJSON(d), db.nextFollowUp(d, r.State), tx.now, tx.now)
		if isUniqueViolation(err) {
			return homeward.Errorf(homeward.ECONFLICT, "referral.delivery.exists", "This referral already has a delivery record; change that one.")
		} else if err != nil {
			return err
		}
		if err := tx.deliveryEvent(r, d, "delivery_recorded"); err != nil {
			return err
		}
		return tx.followDelivery(r, d)
	})
	return d, err
}

// deliveryEvent notes a delivery step on the sender's case timeline and in
// the provider's audit log (never personal details).
func (tx *Tx) deliveryEvent(r *referral.Referral, d *referral.Delivery, kind string) error {
	args := map[string]any{"service": r.ServiceType, "org": r.ToOrgName, "kind": string(d.Kind), "referral_id": r.ID}
	if err := tx.addEvent(r.FromOrgID, registry.NewCaseEvent(r.CaseID, registry.EventKind(kind), "", tx.now, args)); err != nil {
		return err
	}
	return tx.Audit(kind, "delivery", d.ID, d.OrgID, map[string]any{"referral_id": r.ID, "kind": d.Kind})
}

// deliveryAndReferral loads a delivery with its referral and authorizes
// action for the actor's side (sides in order).
func (db *DB) deliveryAndReferral(ctx context.Context, tx *Tx, id string, action homeward.Action, want ...referral.Side) (*referral.Delivery, *referral.Referral, error) {
	actor := homeward.ActorFromContext(ctx)
	var rid string
	qr := func(q string, a ...any) scanner { return db.queryRow(ctx, q, a...) }
	if tx != nil {
		qr, _ = tx.readers()
	}
	if err := qr(`SELECT referral_id FROM service_deliveries WHERE id = ?`, id).Scan(&rid); err != nil {
		return nil, nil, notFound(err)
	}
	var r *referral.Referral
	var err error
	if tx != nil {
		r, err = tx.loadReferral(rid)
	} else {
		r, err = scanReferral(db.opener(ctx), db.queryRow(ctx, `SELECT `+referralColumns+referralFrom+` WHERE r.id = ?`, rid))
	}
	if err != nil {
		return nil, nil, err
	}
	if _, err := referral.AuthorizeSide(actor, homeward.ActReferralRead, r, referral.SideReceiver, referral.SideSender); err != nil {
		return nil, nil, err
	}
	if _, err := referral.AuthorizeSide(actor, action, r, want...); err != nil {
		return nil, nil, err
	}
	d, err := scanDelivery(qr(`SELECT `+deliveryColumns+` FROM service_deliveries d WHERE d.id = ?`, id))
	return d, r, err
}

// FindDeliveries returns the delivery records of a referral, to either side.
func (db *DB) FindDeliveries(ctx context.Context, referralID string) ([]referral.Delivery, error) {
	if _, err := db.FindReferral(ctx, referralID); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+deliveryColumns+` FROM service_deliveries d WHERE d.referral_id = ? ORDER BY d.id`, referralID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []referral.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// FindDelivery returns one delivery record, to either side.
func (db *DB) FindDelivery(ctx context.Context, id string) (*referral.Delivery, error) {
	d, _, err := db.deliveryAndReferral(ctx, nil, id, homeward.ActReferralRead, referral.SideReceiver, referral.SideSender)
	return d, err
}

// changeDelivery runs fn on a delivery of the receiving organisation at
// version and stores the result with its timeline entry.
func (db *DB) changeDelivery(ctx context.Context, id string, version int, action homeward.Action, kind string, fn func(tx *Tx, d *referral.Delivery) error) (*referral.Delivery, error) {
	var d *referral.Delivery
	err := db.Transact(ctx, func(tx *Tx) error {
		var r *referral.Referral
		var err error
		if d, r, err = db.deliveryAndReferral(ctx, tx, id, action, referral.SideReceiver); err != nil {
			return err
		}
		if err := r.CheckRecordable(); err != nil {
			return err
		}
		if d.Version != version {
			return staleVersion()
		}
		if err := fn(tx, d); err != nil {
			return err
		}
		pending, requester := pendingApproval(d)
		res, err := tx.Exec(`UPDATE service_deliveries SET pending_approval = ?, requested_by = ?, delivery = ?, next_follow_up = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			pending, requester, deliveryJSON(d), db.nextFollowUp(d, r.State), tx.now, id, version)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return staleVersion()
		}
		d.Version, d.UpdatedAt = version+1, tx.now
		if err := tx.deliveryEvent(r, d, kind); err != nil {
			return err
		}
		return tx.followDelivery(r, d)
	})
	return d, err
}

// followDelivery moves the referral on as its record says (a training
// recorded as completed completes it), when the actor may answer for the
// receiving organisation; the moves are recorded as if made one by one.
func (tx *Tx) followDelivery(r *referral.Referral, d *referral.Delivery) error {
	moves := referral.CompletionMoves(r, d)
	if len(moves) == 0 {
		return nil
	}
	if _, err := referral.AuthorizeSide(tx.actor, homeward.ActReferralRespond, r, referral.SideReceiver); err != nil {
		return nil // someone who may answer for the provider completes it
	}
	for _, to := range moves {
		version := r.Version
		if err := r.Apply(referral.Transition{To: to}, referral.SideReceiver, actorID(tx.actor), tx.now); err != nil {
			return err
		}
		if err := tx.saveReferral(r, version); err != nil {
			return err
		}
		if err := tx.referralEvent(r, r.ToOrgID, map[string]any{"by_record": d.ID}); err != nil {
			return err
		}
		if err := tx.recordOutcome(r); err != nil {
			return err
		}
		if err := tx.enqueueWebhooks(r, "referral."+string(r.State), r.FromOrgID); err != nil {
			return err
		}
	}
	return nil
}

// UpdateDelivery changes a delivery record (training progress, placement
// follow-ups, grant visits).
func (db *DB) UpdateDelivery(ctx context.Context, id string, version int, in referral.DeliveryInput) (*referral.Delivery, error) {
	return db.changeDelivery(ctx, id, version, homeward.ActDeliveryWrite, "delivery_updated", func(_ *Tx, d *referral.Delivery) error { return d.Update(in) })
}

// DecideGrant approves or rejects a requested grant. The decision needs a
// supervisor of the providing organisation who is not the requester.
func (db *DB) DecideGrant(ctx context.Context, id string, version int, approve bool, note string) (*referral.Delivery, error) {
	kind := "grant_rejected"
	if approve {
		kind = "grant_approved"
	}
	return db.changeDelivery(ctx, id, version, homeward.ActGrantApprove, kind, func(tx *Tx, d *referral.Delivery) error {
		if d.Kind != referral.KindGrant || d.Grant == nil {
			return homeward.Errorf(homeward.ECONFLICT, "referral.grant.not_grant", "This record is not a grant.")
		}
		if approve {
			return d.Grant.Approve(actorID(tx.actor), note, tx.now)
		}
		return d.Grant.Reject(actorID(tx.actor), note, tx.now)
	})
}

// DisburseTranche confirms the payment of one tranche of an approved grant.
func (db *DB) DisburseTranche(ctx context.Context, id string, version int, tranche int, reference string) (*referral.Delivery, error) {
	return db.changeDelivery(ctx, id, version, homeward.ActDeliveryWrite, "grant_disbursed", func(tx *Tx, d *referral.Delivery) error {
		if d.Kind != referral.KindGrant || d.Grant == nil {
			return homeward.Errorf(homeward.ECONFLICT, "referral.grant.not_grant", "This record is not a grant.")
		}
		return d.Grant.Disburse(tranche, reference, actorID(tx.actor), tx.now)
	})
}

// AddSession records a counselling session by one of the providing
// organisation's counsellors; its notes are stored apart.
func (db *DB) AddSession(ctx context.Context, deliveryID string, version int, in referral.SessionInput) (*referral.Delivery, error) {
	return db.changeDelivery(ctx, deliveryID, version, homeward.ActCounsellingNotes, "counselling_session", func(tx *Tx, d *referral.Delivery) error {
		s, err := d.AddSession(in, homeward.NewID(), actorID(tx.actor), tx.Local())
		if err != nil {
			return err
		}
		if !s.HasNotes {
			return nil
		}
		id := homeward.NewID()
		sealed, err := tx.db.sealNote(in.Notes, id, d.OrgID, d.ID, s.ID)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO counselling_notes (id, delivery_id, org_id, session_id, note, author_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			id, d.ID, d.OrgID, s.ID, sealed, actorID(tx.actor), tx.now)
		return err
	})
}

// SessionNotes returns the counselling notes of a delivery to the providing
// organisation's counsellors, and records the reading in the audit log.
// The referring organisation sees the sessions but is refused the notes.
func (db *DB) SessionNotes(ctx context.Context, deliveryID string) ([]referral.Note, error) {
	actor := homeward.ActorFromContext(ctx)
	var out []referral.Note
	err := db.Transact(ctx, func(tx *Tx) error {
		var org, rid string
		if err := tx.QueryRow(`SELECT org_id, referral_id FROM service_deliveries WHERE id = ?`, deliveryID).Scan(&org, &rid); err != nil {
			return notFound(err)
		}
		r, err := tx.loadReferral(rid)
		if err != nil {
			return err
		}
		if len(referral.Sides(actor, r)) == 0 {
			return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
		}
		if !referral.MayReadNotes(actor, org) {
			return homeward.Errorf(homeward.EFORBIDDEN, "referral.notes.forbidden", "Only the counsellors of the providing organisation may read session notes.")
		}
		rows, err := tx.Query(`SELECT id, org_id, delivery_id, session_id, note, author_id, created_at FROM counselling_notes WHERE delivery_id = ? ORDER BY created_at, id`, deliveryID)
		if err != nil {
			return err
		}
		out = []referral.Note{}
		for rows.Next() {
			var n referral.Note
			var id, noteOrg, noteDelivery, stored string
			if err := rows.Scan(&id, &noteOrg, &noteDelivery, &n.SessionID, &stored, &n.By, dbTime{&n.At}); err != nil {
				rows.Close()
				return err
			}
			if n.Text, err = db.openNote(stored, id, noteOrg, noteDelivery, n.SessionID); err != nil {
				rows.Close()
				return err
			}
			out = append(out, n)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.Audit("counselling.notes.read", "delivery", deliveryID, org, map[string]any{"notes": len(out)})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// grantsAwaiting selects (in service_deliveries d) the organisation's
// grants awaiting approval that user did not request.
const grantsAwaiting = `d.org_id = ? AND d.pending_approval = ? AND d.requested_by <> ?`

// grantsToApprove lists the organisation's grants awaiting approval that
// user did not request, the oldest first, at most limit.
func (db *DB) grantsToApprove(ctx context.Context, org, user string, limit int) ([]referral.Delivery, error) {
	rows, err := db.query(ctx, `SELECT `+deliveryColumns+` FROM service_deliveries d WHERE `+grantsAwaiting+` ORDER BY d.id LIMIT `+itoa(limit), org, true, user)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []referral.Delivery{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *d)
	}
	return out, rows.Err()
}

// countGrantsToApprove counts what grantsToApprove lists.
func (db *DB) countGrantsToApprove(ctx context.Context, org, user string) (int, error) {
	return db.count(ctx, `service_deliveries d`, grantsAwaiting, org, true, user)
}

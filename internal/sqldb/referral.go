package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// Referrals are visible to two organisations: the sender, which sees the
// whole referral, and the receiver, which sees the referral and the fields
// shared with it — never the case. Every method below works out which side
// the actor is on and authorizes the action against that side's
// organisation; an actor of any other organisation is told the referral
// does not exist.

const referralColumns = `r.referral, r.state, r.version, r.updated_at, f.name, t.name, r.id`
const referralFrom = ` FROM referrals r JOIN organisations f ON f.id = r.from_org_id JOIN organisations t ON t.id = r.to_org_id`

// scanReferral reads referralColumns; open opens the stored referral (see
// DB.opener, Tx.opener): it holds the fields shared, phones and ID numbers
// among them, sealed.
func scanReferral(open opener, s scanner) (*referral.Referral, error) {
	var stored, state, from, to, id string
	var version int
	var updated time.Time
	if err := s.Scan(&stored, &state, &version, dbTime{&updated}, &from, &to, &id); err != nil {
		return nil, err
	}
	js, err := open(stored, referralAD(id))
	if err != nil {
		return nil, fmt.Errorf("referral %s: %w", id, err)
	}
	var r referral.Referral
	if err := json.Unmarshal([]byte(js), &r); err != nil {
		return nil, err
	}
	r.State, r.Version, r.UpdatedAt, r.FromOrgName, r.ToOrgName = referral.State(state), version, updated, from, to
	return &r, nil
}

func referralJSON(r *referral.Referral) string {
	c := *r
	c.FromOrgName, c.ToOrgName, c.Overdue, c.Version = "", "", false, 0
	b, _ := json.Marshal(c)
	return string(b)
}

// view returns r as the actor's side may see it: the receiver does not see
// which case, person or plan it comes from.
func view(r *referral.Referral, s referral.Side, now time.Time) *referral.Referral {
	r.Overdue = r.IsOverdue(now)
	if s == referral.SideReceiver {
		r.CaseID, r.PersonID, r.PlanID, r.PlannedServiceID = "", "", "", ""
	}
	return r
}

func (tx *Tx) loadReferral(id string) (*referral.Referral, error) {
	lock := ""
	if tx.db.dialect == postgres {
		lock = " FOR UPDATE OF r" // the referral, not the organisations joined
	}
	return scanReferral(tx.opener(), tx.QueryRow(`SELECT `+referralColumns+referralFrom+` WHERE r.id = ?`+lock, id))
}

func timelineKind(to referral.State) registry.EventKind {
	return registry.EventKind("referral_" + string(to))
}

// referralEvent puts a referral's step on the sender's case timeline and in
// the audit log of the organisation that acted.
func (tx *Tx) referralEvent(r *referral.Referral, actingOrg string, extra map[string]any) error {
	args := map[string]any{"service": r.ServiceType, "from": r.FromOrgName, "to": r.ToOrgName, "referral_id": r.ID}
	if r.Reason != "" {
		args["reason"] = string(r.Reason)
	}
	if err := tx.addEvent(r.FromOrgID, registry.NewCaseEvent(r.CaseID, timelineKind(r.State), "", tx.now, args)); err != nil {
		return err
	}
	detail := map[string]any{"state": r.State, "service_type": r.ServiceType, "from_org_id": r.FromOrgID, "to_org_id": r.ToOrgID}
	for k, v := range extra {
		detail[k] = v
	}
	if r.Reason != "" {
		detail["reason"] = r.Reason
	}
	return tx.Audit("referral."+string(r.State), "referral", r.ID, actingOrg, detail)
}

// SendReferral sends a case to an organisation for a service. It is refused
// without valid consent for referral to that recipient, to an organisation
// that does not offer the service, when the returnee does not meet the
// offer's rules, beyond the offer's capacity, and when an open referral
// for the same service to the same organisation exists.
func (db *DB) SendReferral(ctx context.Context, d *referral.Draft) (*referral.Referral, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActReferralSend, homeward.Resource{Type: "referral", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	if err := d.Validate(db.local(ctx)); err != nil {
		return nil, err
	}
	cat, err := db.catalogue(ctx)
	if err != nil {
		return nil, err
	}
	st, ok := cat.Type(d.ServiceType)
	if !ok || !st.Active {
		return nil, homeward.FieldErrorf("service_type", "error.field.invalid_choice", "%q is not one of the allowed values.", d.ServiceType)
	}
	var out *referral.Referral
	err = db.Transact(ctx, func(tx *Tx) error {
		var caseOrg, personID string
		if err := tx.QueryRow(`SELECT org_id, person_id FROM cases WHERE id = ?`, d.CaseID).Scan(&caseOrg, &personID); err != nil {
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActReferralSend, homeward.Resource{Type: "case", ID: d.CaseID, OrgID: caseOrg}); err != nil {
			return err
		}
		var toName, toType string
		if err := tx.QueryRow(`SELECT name, type FROM organisations WHERE id = ?`, d.ToOrgID).Scan(&toName, &toType); err != nil {
			if err == errNoRows {
				return homeward.FieldErrorf("to_org_id", "referral.org_unknown", "There is no such organisation.")
			}
			return err
		}
		if d.ToUserID != "" {
			var n int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM users WHERE id = ? AND org_id = ? AND NOT disabled`, d.ToUserID, d.ToOrgID).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return homeward.FieldErrorf("to_user_id", "referral.send.user_unknown", "This person does not work for the receiving organisation.")
			}
		}
		qr, qs := tx.readers()
		rec, err := db.loadRecord(ctx, qr, qs, personID)
		if err != nil {
			return err
		}
		if _, ok := registry.ConsentValid(rec.Consents, registry.PurposeReferral, registry.Recipient{OrgID: d.ToOrgID, OrgType: toType}, tx.now); !ok {
			return &homeward.Error{Code: homeward.ECONFLICT, Key: "referral.send.no_consent", Field: "to_org_id", Args: map[string]any{"org": toName},
				Message: "The returnee has not given consent to be referred to " + toName + "; record their consent first."}
		}
		offer, err := tx.offerFor(cat, d.ToOrgID, d.ServiceType)
		if err != nil {
			return err
		}
		if offer == nil {
			return &homeward.Error{Code: homeward.ECONFLICT, Key: "referral.send.not_offered", Field: "service_type", Args: map[string]any{"org": toName},
				Message: toName + " does not offer this service."}
		}
		if reasons := offer.Eligibility.Ineligible(referral.FactsOf(rec, tx.Local())); len(reasons) > 0 {
			e := &homeward.Error{Code: homeward.ECONFLICT, Key: "referral.send.ineligible", Message: "The returnee does not meet the provider's eligibility rules."}
			for _, m := range reasons {
				e.Fields = append(e.Fields, homeward.FieldError{Field: "eligibility", Key: m.Key, Args: m.Args, Message: "The returnee does not meet the provider's eligibility rules."})
			}
			return e
		}
		if offer.Capacity.Places > 0 {
			if err := tx.lockOffers(d.ToOrgID); err != nil {
				return err
			}
		}
		used, err := db.placesUsed(ctx, qr, cat, offer)
		if err != nil {
			return err
		}
		if left, limited := offer.Capacity.Left(used); limited && left == 0 {
			return &homeward.Error{Code: homeward.ECONFLICT, Key: "referral.send.full", Field: "to_org_id", Args: map[string]any{"org": toName},
				Message: toName + " has no places left for this service in this period."}
		}
		var open int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM referrals WHERE person_id = ? AND service_type = ? AND to_org_id = ? AND state IN ('sent', 'accepted', 'in_progress')`,
			personID, d.ServiceType, d.ToOrgID).Scan(&open); err != nil {
			return err
		}
		if open > 0 {
			return homeward.Errorf(homeward.ECONFLICT, "referral.send.duplicate", "An open referral for this service to this organisation exists already.")
		}
		var fromName, fromCountry string
		if err := tx.QueryRow(`SELECT name, country FROM organisations WHERE id = ?`, caseOrg).Scan(&fromName, &fromCountry); err != nil {
			return err
		}
		cal, err := tx.workCalendar(fromCountry)
		if err != nil {
			return err
		}
		r := &referral.Referral{ID: homeward.NewID(), FromOrgID: caseOrg, FromOrgName: fromName, ToOrgID: d.ToOrgID, ToOrgName: toName, ToUserID: d.ToUserID,
			ServiceType: d.ServiceType, CaseID: d.CaseID, PersonID: personID, PlanID: d.PlanID, PlannedServiceID: d.PlannedServiceID,
			State: referral.StateSent, Note: d.Note, SentBy: actorID(actor), SentAt: tx.now, RespondBy: d.Deadline(tx.Local(), cal).UTC(), DueDate: d.DueDate,
			Shared:  referral.Share(rec, st.Shared, tx.Local()),
			History: []referral.Step{{To: referral.StateSent, By: actorID(actor), At: tx.now}}, Version: 1, UpdatedAt: tx.now}
		if d.PlanID != "" {
			if err := tx.linkPlan(r, cat); err != nil {
				return err
			}
		}
		var toUser, planID any
		if r.ToUserID != "" {
			toUser = r.ToUserID
		}
		if r.PlanID != "" {
			planID = r.PlanID
		}
		sealed, keyID, err := tx.sealReferral(r)
		if err != nil {
			return err
		}
		_, err = tx.Exec(`INSERT INTO referrals (id, from_org_id, to_org_id, to_user_id, case_id, person_id, plan_id, service_type, state, respond_by, due_date, referral, seal_key, version, sent_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
			r.ID, r.FromOrgID, r.ToOrgID, toUser, r.CaseID, r.PersonID, planID, r.ServiceType, string(r.State), r.RespondBy, r.DueDate, sealed, keyID, tx.now, tx.now)
		if isUniqueViolation(err) {
			return homeward.Errorf(homeward.ECONFLICT, "referral.send.duplicate", "An open referral for this service to this organisation exists already.")
		} else if err != nil {
			return err
		}
		if err := tx.referralEvent(r, caseOrg, map[string]any{"shared_fields": st.Shared}); err != nil {
			return err
		}
		if err := tx.enqueueWebhooks(r, "referral.sent", r.ToOrgID); err != nil {
			return err
		}
		out = view(r, referral.SideSender, tx.Local())
		return nil
	})
	return out, err
}

// lockOffers locks the offers of a provider for the rest of the
// transaction, so that sends to it count its used places one after the
// other: two sends for the last place cannot both see it free. (Places are
// counted from the referrals themselves, and offers of one provider may
// overlap through the catalogue's hierarchy, hence all of them, in a fixed
// order.) SQLite's write transactions are exclusive already.
func (tx *Tx) lockOffers(orgID string) error {
	if tx.db.dialect != postgres {
		return nil
	}
	_, err := tx.Exec(`SELECT id FROM provider_offers WHERE org_id = ? ORDER BY id FOR UPDATE`, orgID)
	return err
}

// offerFor returns the organisation's active offer covering service,
// the most specific first, or nil.
func (tx *Tx) offerFor(cat *referral.Catalogue, orgID, service string) (*referral.Offer, error) {
	rows, err := tx.Query(`SELECT `+offerColumns+` FROM provider_offers o JOIN organisations g ON g.id = o.org_id WHERE o.org_id = ? AND o.active = ?`, orgID, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var best *referral.Offer
	depth := func(code string) int {
		n := 0
		for t, ok := cat.Type(code); ok && t.Parent != ""; t, ok = cat.Type(t.Parent) {
			n++
		}
		return n
	}
	for rows.Next() {
		o, err := scanOffer(rows)
		if err != nil {
			return nil, err
		}
		if cat.Covers(o.ServiceType, service) && (best == nil || depth(o.ServiceType) > depth(best.ServiceType)) {
			best = o
		}
	}
	return best, rows.Err()
}

// FindReferral returns a referral to either side: whole to the sender, the
// shared fields only to the receiver.
func (db *DB) FindReferral(ctx context.Context, id string) (*referral.Referral, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActReferralRead, homeward.Resource{Type: "referral", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	r, err := scanReferral(db.opener(ctx), db.queryRow(ctx, `SELECT `+referralColumns+referralFrom+` WHERE r.id = ?`, id))
	if err != nil {
		return nil, notFound(err)
	}
	side, err := referral.AuthorizeSide(actor, homeward.ActReferralRead, r, referral.SideSender, referral.SideReceiver)
	if err != nil {
		return nil, err
	}
	return view(r, side, db.local(ctx)), nil
}

// overdueSQL selects referrals that need attention at ? (time) and ? (date).
// The open states come first on their own, so that the organisation's
// (org, state, id) indexes read only its open referrals: inside the OR they
// were checked on every referral it ever sent or received (at a million
// people the home page's task card took 60 ms, most of it here).
const overdueSQL = `r.state IN ('sent', 'accepted', 'in_progress') AND ((r.state = 'sent' AND r.respond_by <= ?) OR (r.state IN ('accepted', 'in_progress') AND r.due_date <> '' AND r.due_date < ?))`

// referralWhere is the condition (on referrals r) for the referrals of org
// that f selects at now, the cursor aside, with its arguments.
func referralWhere(org string, f referral.ReferralFilter, now time.Time) (string, []any) {
	var q string
	var args []any
	switch f.Box {
	case referral.Inbox:
		q = `r.to_org_id = ?`
		args = append(args, org)
	case referral.Outbox:
		q = `r.from_org_id = ?`
		args = append(args, org)
	default:
		q = `(r.to_org_id = ? OR r.from_org_id = ?)`
		args = append(args, org, org)
	}
	if f.State != "" {
		q += ` AND r.state = ?`
		args = append(args, string(f.State))
	}
	if f.ServiceType != "" {
		q += ` AND r.service_type = ?`
		args = append(args, f.ServiceType)
	}
	if f.CaseID != "" {
		q += ` AND r.case_id = ? AND r.from_org_id = ?`
		args = append(args, f.CaseID, org)
	}
	if f.OrgID != "" {
		q += ` AND (r.to_org_id = ? OR r.from_org_id = ?)`
		args = append(args, f.OrgID, f.OrgID)
	}
	if f.Overdue {
		q += ` AND ` + overdueSQL
		args = append(args, now, homeward.DateOf(now))
	}
	return q, args
}

// countReferrals counts the referrals f selects, as FindReferrals would
// list them page after page (the caller is authorized).
// count counts the rows of from (a table and its alias) where the
// condition holds: the total of a task list shown in part.
func (db *DB) count(ctx context.Context, from, where string, args ...any) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM `+from+` WHERE `+where, args...).Scan(&n)
	return n, err
}

func (db *DB) countReferrals(ctx context.Context, org string, f referral.ReferralFilter) (int, error) {
	where, args := referralWhere(org, f, db.local(ctx))
	return db.count(ctx, `referrals r`, where, args...)
}

// FindReferrals lists the referrals the actor's organisation sent or
// received, newest first.
func (db *DB) FindReferrals(ctx context.Context, f referral.ReferralFilter) ([]referral.Referral, string, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActReferralRead, homeward.Resource{Type: "referral", OrgID: org}); err != nil {
		return nil, "", err
	}
	if err := checkIDCursor(f.After); err != nil {
		return nil, "", err
	}
	now := db.local(ctx)
	where, args := referralWhere(org, f, now)
	q := `SELECT ` + referralColumns + referralFrom + ` WHERE ` + where
	if f.After != "" {
		q += ` AND r.id < ?`
		args = append(args, f.After)
	}
	limit := pageLimit(f.Limit)
	q += ` ORDER BY r.id DESC LIMIT ` + itoa(limit+1)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []referral.Referral{}
	open := db.opener(ctx)
	for rows.Next() {
		r, err := scanReferral(open, rows)
		if err != nil {
			return nil, "", err
		}
		side := referral.SideSender
		if r.ToOrgID == org {
			side = referral.SideReceiver
		}
		out = append(out, *view(r, side, now))
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// MoveReferral applies a transition for the actor's side: the receiver
// accepts, declines, starts and completes (or not), the sender revokes.
// Completing (or ending) a referral made for a planned service records the
// outcome against the plan.
func (db *DB) MoveReferral(ctx context.Context, id string, version int, t referral.Transition) (*referral.Referral, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActReferralRead, homeward.Resource{Type: "referral", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	var out *referral.Referral
	err := db.Transact(ctx, func(tx *Tx) error {
		r, err := tx.loadReferral(id)
		if err != nil {
			return notFound(err)
		}
		if _, err := referral.AuthorizeSide(actor, homeward.ActReferralRead, r, referral.SideSender, referral.SideReceiver); err != nil {
			return err
		}
		// The side that makes this move, if the actor is on it; otherwise
		// the actor's own side (and the state machine says no).
		want := referral.Sides(actor, r)
		action := homeward.ActReferralRespond
		if mover, ok := referral.Mover(r.State, t.To); ok && slices.Contains(want, mover) {
			want = []referral.Side{mover}
		}
		if want[0] == referral.SideSender {
			action = homeward.ActReferralSend
		}
		side, err := referral.AuthorizeSide(actor, action, r, want...)
		if err != nil {
			return err
		}
		if r.Version != version {
			return staleVersion()
		}
		if r.Expired(tx.now) && t.To != referral.StateExpired {
			return homeward.Errorf(homeward.ECONFLICT, "referral.expired", "The time to answer this referral has run out; it has expired.")
		}
		if err := r.Apply(t, side, actorID(actor), tx.now); err != nil {
			return err
		}
		if err := tx.saveReferral(r, version); err != nil {
			return err
		}
		acting := referral.SideOrg(r, side)
		if side == referral.SideSystem {
			acting = r.FromOrgID
		}
		if err := tx.referralEvent(r, acting, nil); err != nil {
			return err
		}
		if r.State == referral.StateAccepted || r.State == referral.StateInProgress {
			if err := tx.followPlan(r.CaseID, registry.PlanProgress{ReferralAccepted: true}); err != nil {
				return err
			}
		}
		if err := tx.recordOutcome(r); err != nil {
			return err
		}
		other := r.ToOrgID
		if side == referral.SideReceiver {
			other = r.FromOrgID
		}
		if err := tx.enqueueWebhooks(r, "referral."+string(r.State), other); err != nil {
			return err
		}
		out = view(r, side, tx.Local())
		return nil
	})
	return out, err
}

func (tx *Tx) saveReferral(r *referral.Referral, version int) error {
	sealed, keyID, err := tx.sealReferral(r)
	if err != nil {
		return err
	}
	res, err := tx.Exec(`UPDATE referrals SET state = ?, referral = ?, seal_key = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
		string(r.State), sealed, keyID, tx.now, r.ID, version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return staleVersion()
	}
	r.Version, r.UpdatedAt = version+1, tx.now
	// A referral that ends unfinished ends its record's follow-ups (no
	// state leads back, so the other moves leave them as they are).
	if !slices.Contains(referral.DeliveryStates, r.State) {
		if _, err := tx.Exec(`UPDATE service_deliveries SET next_follow_up = NULL WHERE referral_id = ? AND next_follow_up IS NOT NULL`, r.ID); err != nil {
			return err
		}
	}
	return nil
}

// ExpireReferrals moves every referral not answered by its deadline to
// expired, as the system, each with its audit event and timeline entry.
func (db *DB) ExpireReferrals(ctx context.Context) (int, error) {
	actor := homeward.ActorFromContext(ctx)
	if actor == nil || !actor.System {
		return 0, homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	rows, err := db.query(ctx, `SELECT id, version FROM referrals WHERE state = 'sent' AND respond_by <= ? ORDER BY id LIMIT 500`, db.Now())
	if err != nil {
		return 0, err
	}
	type due struct {
		id      string
		version int
	}
	var list []due
	for rows.Next() {
		var d due
		if err := rows.Scan(&d.id, &d.version); err != nil {
			rows.Close()
			return 0, err
		}
		list = append(list, d)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	n := 0
	for _, d := range list {
		_, err := db.MoveReferral(ctx, d.id, d.version, referral.Transition{To: referral.StateExpired})
		switch homeward.ErrorCode(err) {
		case "":
			n++
		case homeward.EPRECONDITION, homeward.ECONFLICT: // answered meanwhile
		default:
			return n, err
		}
	}
	return n, nil
}

// ReferralStats counts the referrals the actor's organisation sent (by
// state and by provider) and received (by state), for supervisors.
func (db *DB) ReferralStats(ctx context.Context) (*referral.Stats, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActReferralStats, homeward.Resource{Type: "referral", OrgID: org}); err != nil {
		return nil, err
	}
	now := db.local(ctx)
	st := &referral.Stats{Sent: referral.Counts{ByState: map[referral.State]int{}}, Received: referral.Counts{ByState: map[referral.State]int{}}, ByOrg: []referral.ProviderCount{}}
	rows, err := db.query(ctx, `SELECT r.from_org_id, r.to_org_id, t.name, r.state, COUNT(*), SUM(CASE WHEN `+overdueSQL+` THEN 1 ELSE 0 END)
		FROM referrals r JOIN organisations t ON t.id = r.to_org_id WHERE r.from_org_id = ? OR r.to_org_id = ?
		GROUP BY r.from_org_id, r.to_org_id, t.name, r.state ORDER BY t.name, r.to_org_id`, now, homeward.DateOf(now), org, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	idx := map[string]int{}
	for rows.Next() {
		var from, to, name, state string
		var n, overdue int
		if err := rows.Scan(&from, &to, &name, &state, &n, &overdue); err != nil {
			return nil, err
		}
		s := referral.State(state)
		if from == org {
			st.Sent.ByState[s] += n
			st.Sent.Total += n
			st.Sent.Overdue += overdue
			i, ok := idx[to]
			if !ok {
				i = len(st.ByOrg)
				idx[to] = i
				st.ByOrg = append(st.ByOrg, referral.ProviderCount{OrgID: to, OrgName: name, ByState: map[referral.State]int{}})
			}
			st.ByOrg[i].ByState[s] += n
			st.ByOrg[i].Total += n
		}
		if to == org {
			st.Received.ByState[s] += n
			st.Received.Total += n
			st.Received.Overdue += overdue
		}
	}
	return st, rows.Err()
}

// Tasks returns what waits for the actor, by what their roles may do:
// referrals to answer, overdue referrals of either side, overdue plans,
// plans and grants awaiting a supervisor (never a grant they requested),
// and the provider's follow-ups that are due; the first perGroup of each
// kind, with the count of each.
func (db *DB) Tasks(ctx context.Context, perGroup int) (*referral.Tasks, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	t := &referral.Tasks{AwaitingResponse: []referral.Referral{}, OverdueReferrals: []referral.Referral{}, OverduePlans: []referral.Plan{},
		PlansToApprove: []referral.Plan{}, GrantsToApprove: []referral.Delivery{}, FollowUpsDue: []referral.DueFollowUp{}}
	if actor == nil {
		return nil, homeward.Errorf(homeward.EUNAUTHORIZED, "error.unauthorized", "Please sign in.")
	}
	n := perGroup
	if n < 1 || n > referral.MaxTasks {
		n = referral.MaxTasks
	}
	// Each list is read with one more than it shows: only a list that
	// overflows needs its count asked for.
	referrals := func(f referral.ReferralFilter) ([]referral.Referral, int, error) {
		f.Limit = n + 1
		list, _, err := db.FindReferrals(ctx, f)
		return firstN(list, n, err, func() (int, error) { return db.countReferrals(ctx, org, f) })
	}
	plans := func(f referral.PlanFilter) ([]referral.Plan, int, error) {
		f.Limit = n + 1
		list, err := db.FindPlans(ctx, f)
		return firstN(list, n, err, func() (int, error) { return db.countPlans(ctx, org, f) })
	}
	res := homeward.Resource{Type: "task", OrgID: org}
	var err error
	if homeward.Can(actor, homeward.ActReferralRespond, res) {
		if t.AwaitingResponse, t.Counts.AwaitingResponse, err = referrals(referral.ReferralFilter{Box: referral.Inbox, State: referral.StateSent}); err != nil {
			return nil, err
		}
	}
	if homeward.Can(actor, homeward.ActReferralRead, res) {
		if t.OverdueReferrals, t.Counts.OverdueReferrals, err = referrals(referral.ReferralFilter{Overdue: true}); err != nil {
			return nil, err
		}
	}
	if homeward.Can(actor, homeward.ActPlanRead, res) {
		if t.OverduePlans, t.Counts.OverduePlans, err = plans(referral.PlanFilter{Overdue: true}); err != nil {
			return nil, err
		}
	}
	if homeward.Can(actor, homeward.ActPlanApprove, res) {
		if t.PlansToApprove, t.Counts.PlansToApprove, err = plans(referral.PlanFilter{Status: referral.PlanAwaitingApproval}); err != nil {
			return nil, err
		}
	}
	if homeward.Can(actor, homeward.ActGrantApprove, res) {
		user := actorID(actor)
		list, err := db.grantsToApprove(ctx, org, user, n+1)
		if t.GrantsToApprove, t.Counts.GrantsToApprove, err = firstN(list, n, err, func() (int, error) { return db.countGrantsToApprove(ctx, org, user) }); err != nil {
			return nil, err
		}
	}
	if homeward.Can(actor, homeward.ActDeliveryWrite, res) {
		list, err := db.followUpsDue(ctx, org, n+1)
		if t.FollowUpsDue, t.Counts.FollowUpsDue, err = firstN(list, n, err, func() (int, error) { return db.countFollowUpsDue(ctx, org) }); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// firstN takes a list read (with err) with a limit of n+1 and returns its
// first n items and how many there are in all: the list's length, or, when
// it overflowed, what count finds (at least what was read).
func firstN[T any](list []T, n int, err error, count func() (int, error)) ([]T, int, error) {
	if err != nil || len(list) <= n {
		return list, len(list), err
	}
	c, err := count()
	return list[:n], max(c, len(list)), err
}

package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/handoff"
	"homeward/internal/registry"
)

// AnnounceReturn announces the planned return of a person of the actor's
// organisation to a partner abroad: the fields the person's handoff
// consent for that partner lists and the agreement covers, and nothing
// else. The signed message waits in the outbox for the background loop,
// which delivers it with retries; its id is the idempotency key.
func (db *DB) AnnounceReturn(ctx context.Context, personID string, in handoff.AnnounceInput) (*handoff.Outgoing, error) {
	actor := homeward.ActorFromContext(ctx)
	rec, err := db.FindRecord(ctx, personID)
	if err != nil {
		return nil, err
	}
	org := rec.Person.OrgID
	if err := homeward.Authorize(actor, homeward.ActHandoffSend, homeward.Resource{Type: "person", ID: personID, OrgID: org}); err != nil {
		return nil, err
	}
	if rec.Case == nil {
		return nil, homeward.Errorf(homeward.ECONFLICT, "handoff.announce.no_case", "This person has no case to announce.")
	}
	p, err := partnerByID(func(q string, a ...any) scanner { return db.queryRow(ctx, q, a...) }, in.PartnerID)
	if err != nil {
		return nil, homeward.FieldErrorf("partner_id", "handoff.announce.partner_unknown", "Choose a partner your organisation may announce returns to.")
	}
	if err := db.partnerDetails(ctx, p); err != nil {
		return nil, err
	}
	if !p.MaySend(org) {
		return nil, homeward.FieldErrorf("partner_id", "handoff.announce.partner_unknown", "Choose a partner your organisation may announce returns to.")
	}
	now := db.Now()
	var v homeward.Validation
	if d, err := time.Parse(time.DateOnly, in.TravelDate); err != nil {
		v.Add("travel_date", "handoff.message.travel_date", "The travel date must be a date (YYYY-MM-DD).")
	} else if d.Before(time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).AddDate(0, 0, -1)) {
		v.Add("travel_date", "handoff.announce.travel_past", "The travel date has passed.")
	}
	in.PortOfEntry, in.Needs, in.Message = strings.TrimSpace(in.PortOfEntry), strings.TrimSpace(in.Needs), strings.TrimSpace(in.Message)
	if in.PortOfEntry == "" {
		v.Add("port_of_entry", "error.field.required", "This field is required.")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	consent, ok := registry.ConsentValid(rec.Consents, registry.PurposeHandoff, registry.Recipient{Partner: p.ID}, now)
	if !ok {
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "handoff.announce.no_consent", "The person has not agreed to their return being announced to this partner: record their consent first.")
	}
	fields := handoff.Allowed(consent, p.Fields)
	if len(fields) == 0 {
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "handoff.announce.no_fields", "Nothing the person agreed to share is covered by the agreement with this partner.")
	}
	var assessments []handoff.Assessment
	if slices.Contains(fields, handoff.FieldAssessments) {
		if assessments, err = db.handoffAssessments(ctx, org, personID); err != nil {
			return nil, err
		}
	}
	env := handoff.Envelope{Type: handoff.TypeAnnouncement, ID: homeward.NewID(), SentAt: now.UTC(), Announcement: &handoff.Announcement{
		SenderOrg: db.OrganisationName(ctx, org), TravelDate: in.TravelDate, PortOfEntry: in.PortOfEntry, Fields: fields,
		Person: handoff.BuildPerson(rec, fields, now), Needs: in.Needs, Urgent: in.Urgent, Message: in.Message, Assessments: assessments}}
	if err := handoff.CheckEnvelope(&env, p.Fields); err != nil {
		return nil, err
	}
	body, err := json.Marshal(env)
	if err != nil {
		return nil, err
	}
	if len(body) > handoff.MaxBody {
		return nil, homeward.Errorf(homeward.ETOOLARGE, "handoff.announce.too_large", "The announcement is too long: shorten the needs or the message.")
	}
	out := &handoff.Outgoing{ID: env.ID, PartnerID: p.ID, PartnerName: p.Name, OrgID: org, CaseID: rec.Case.ID, Kind: handoff.TypeAnnouncement, Status: handoff.OutPending, Envelope: env}
	err = db.Transact(ctx, func(tx *Tx) error {
		out.CreatedAt = tx.now
		if err := tx.enqueueHandoff(out, body); err != nil {
			return err
		}
		return tx.Audit("handoff.announce", "case", rec.Case.ID, org, map[string]any{"message_id": env.ID, "partner_id": p.ID, "partner": p.Name,
			"fields": fields, "consent_id": consent.ID, "person_id": personID})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func (tx *Tx) enqueueHandoff(out *handoff.Outgoing, body []byte) error {
	_, err := tx.Exec(`INSERT INTO handoff_outbox (id, partner_id, org_id, case_id, kind, body, status, next_at, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		out.ID, out.PartnerID, out.OrgID, out.CaseID, out.Kind, string(body), handoff.OutPending, tx.now, tx.now, actorID(tx.actor))
	return err
}

// HandoffLog lists the messages sent for a case of the actor's
// organisation, newest first, each with its delivery log and the
// feedback received.
func (db *DB) HandoffLog(ctx context.Context, caseID string) ([]handoff.Outgoing, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActHandoffSend, homeward.Resource{Type: "case", OrgID: org}); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT o.id, o.partner_id, p.name, o.org_id, o.case_id, o.kind, o.body, o.status, o.attempts, o.last_status, o.last_error, o.next_at, o.created_at, o.delivered_at
		FROM handoff_outbox o JOIN partners p ON p.id = o.partner_id WHERE o.org_id = ? AND o.case_id = ? AND o.kind = ? ORDER BY o.created_at DESC, o.id DESC`, org, caseID, handoff.TypeAnnouncement)
	if err != nil {
		return nil, err
	}
	var out []handoff.Outgoing
	for rows.Next() {
		var o handoff.Outgoing
		var body string
		if err := rows.Scan(&o.ID, &o.PartnerID, &o.PartnerName, &o.OrgID, &o.CaseID, &o.Kind, &body, &o.Status, &o.Attempts, &o.LastStatus, &o.LastError,
			dbNullTime{&o.NextAt}, dbTime{&o.CreatedAt}, dbNullTime{&o.DeliveredAt}); err != nil {
			rows.Close()
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &o.Envelope); err != nil {
			rows.Close()
			return nil, err
		}
		o.Log, o.Feedback = []handoff.Attempt{}, []handoff.Received{}
		out = append(out, o)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		o := &out[i]
		arows, err := db.query(ctx, `SELECT attempt, at, status_code, error FROM handoff_attempts WHERE message_id = ? ORDER BY attempt`, o.ID)
		if err != nil {
			return nil, err
		}
		for arows.Next() {
			var a handoff.Attempt
			if err := arows.Scan(&a.Attempt, dbTime{&a.At}, &a.StatusCode, &a.Error); err != nil {
				arows.Close()
				return nil, err
			}
			o.Log = append(o.Log, a)
		}
		arows.Close()
		frows, err := db.query(ctx, `SELECT status, at, received_at, milestone, band FROM handoff_feedback WHERE org_id = ? AND announcement_id = ? ORDER BY at, received_at`, org, o.ID)
		if err != nil {
			return nil, err
		}
		for frows.Next() {
			var f handoff.Received
			if err := frows.Scan(&f.Status, dbTime{&f.At}, dbTime{&f.ReceivedAt}, &f.Milestone, &f.Band); err != nil {
				frows.Close()
				return nil, err
			}
			o.Feedback = append(o.Feedback, f)
		}
		frows.Close()
	}
	return out, nil
}

// handoffLease hides a claimed message from other workers while it is
// being sent (see claimLease).
const handoffLease = 5 * time.Minute

// permanentRefusal reports whether a partner's answer refuses the message
// itself (malformed, outside the agreement, too large): sending it again
// cannot help. An unknown key (401) is retried: the partner's
// administrator may not have confirmed our key yet.
func permanentRefusal(status int) bool {
	return status == 400 || status == 403 || status == 413 || status == 422
}

// DeliverHandoffs sends the outbox messages that are due (system only),
// each claimed first so that two workers never send one together, signed
// with the instance's key by send, and records the attempt: delivered on
// a 2xx answer; given up at once when the partner refuses the message
// itself (see permanentRefusal); otherwise retried on the back-off
// schedule.
func (db *DB) DeliverHandoffs(ctx context.Context, send func(context.Context, *handoff.Outbound) (int, error)) (int, error) {
	actor := homeward.ActorFromContext(ctx)
	if actor == nil || !actor.System {
		return 0, homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	var one int
	if err := db.queryRow(ctx, `SELECT 1 FROM handoff_outbox o JOIN partners p ON p.id = o.partner_id WHERE o.status = ? AND o.next_at <= ? AND p.status = ? LIMIT 1`,
		handoff.OutPending, db.Now(), handoff.PartnerActive).Scan(&one); err == errNoRows {
		return 0, nil
	} else if err != nil {
		return 0, err
	}
	bg := context.WithoutCancel(ctx)
	sent := 0
	for range deliverBatch {
		if err := ctx.Err(); err != nil {
			return sent, err
		}
		var m handoff.Outbound
		var attempts int
		var nextAt time.Time
		var found bool
		err := db.Transact(ctx, func(tx *Tx) error {
			lock := ""
			if db.dialect == postgres {
				lock = " FOR UPDATE OF o SKIP LOCKED"
			}
			var base, body string
			err := tx.QueryRow(`SELECT o.id, p.base_url, o.body, o.attempts, o.next_at FROM handoff_outbox o JOIN partners p ON p.id = o.partner_id
				WHERE o.status = ? AND o.next_at <= ? AND p.status = ? ORDER BY o.next_at, o.id LIMIT 1`+lock, handoff.OutPending, tx.now, handoff.PartnerActive).Scan(&m.ID, &base, &body, &attempts, dbTime{&nextAt})
			if err == errNoRows {
				return nil
			} else if err != nil {
				return err
			}
			key, k, err := db.instanceSigner(tx)
			if err != nil {
				return err
			}
			m.URL, m.Body, m.Key, m.KeyID = (&handoff.Partner{BaseURL: base}).InboxURL(), []byte(body), key, k.KeyID
			found = true
			_, err = tx.Exec(`UPDATE handoff_outbox SET next_at = ? WHERE id = ?`, tx.now.Add(handoffLease), m.ID)
			return err
		})
		if err != nil || !found {
			return sent, err
		}
		at := db.Now()
		status, sendErr := send(ctx, &m)
		if sendErr != nil && ctx.Err() != nil {
			_ = db.Transact(bg, func(tx *Tx) error {
				_, err := tx.Exec(`UPDATE handoff_outbox SET next_at = ? WHERE id = ? AND status = ? AND attempts = ?`, nextAt, m.ID, handoff.OutPending, attempts)
				return err
			})
			return sent, ctx.Err()
		}
		msg := ""
		if sendErr != nil {
			status, msg = 0, sendErr.Error()
			if len(msg) > 300 {
				msg = strings.ToValidUTF8(msg[:300], "")
			}
		}
		n := attempts + 1
		var q string
		var args []any
		switch next, retry := handoff.NextAttempt(n, at); {
		case sendErr == nil && status >= 200 && status < 300:
			q, args = `UPDATE handoff_outbox SET status = ?, attempts = ?, last_status = ?, last_error = '', next_at = NULL, delivered_at = ?`, []any{handoff.OutDelivered, n, status, at}
			sent++
		case sendErr == nil && permanentRefusal(status), !retry:
			q, args = `UPDATE handoff_outbox SET status = ?, attempts = ?, last_status = ?, last_error = ?, next_at = NULL`, []any{handoff.OutFailed, n, status, msg}
		default:
			q, args = `UPDATE handoff_outbox SET attempts = ?, last_status = ?, last_error = ?, next_at = ?`, []any{n, status, msg, next}
		}
		err = db.Transact(bg, func(tx *Tx) error {
			res, err := tx.Exec(q+` WHERE id = ? AND status = ? AND attempts = ?`, append(args, m.ID, handoff.OutPending, attempts)...)
			if err != nil {
				return err
			}
			if c, _ := res.RowsAffected(); c != 1 {
				return nil
			}
			_, err = tx.Exec(`INSERT INTO handoff_attempts (id, message_id, attempt, at, status_code, error) VALUES (?, ?, ?, ?, ?, ?)`, homeward.NewID(), m.ID, n, at, status, msg)
			return err
		})
		if err != nil {
			return sent, err
		}
	}
	return sent, nil
}

// ReceiveHandoff stores a verified message from a partner (system only):
// an announcement as an expected arrival of the partner's receiving
// organisation (the operator's, to triage, when the agreement names
// none), acknowledged with "received" feedback; feedback on one of our
// announcements to that partner. A message already received (same
// partner, same id) is not stored again: dup is true. The caller has
// checked the envelope against the agreement.
func (db *DB) ReceiveHandoff(ctx context.Context, p *handoff.Partner, keyID string, env *handoff.Envelope) (dup bool, err error) {
	actor := homeward.ActorFromContext(ctx)
	if actor == nil || !actor.System {
		return false, homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		switch env.Type {
		case handoff.TypeAnnouncement:
			org := p.ReceiveOrg
			if org == "" {
				var err error
				if org, err = operatorOrg(tx); err != nil {
					return err
				}
			}
			a := env.Announcement
			body, err := json.Marshal(a)
			if err != nil {
				return err
			}
			id := homeward.NewID()
			// Sealed as people's records are; the passport is found by its
			// blind index only.
			k, err := tx.identKeys()
			if err != nil {
				return err
			}
			sealed, err := k.ring.Seal(string(body), arrivalAD(id))
			if err != nil {
				return err
			}
			res, err := tx.Exec(`INSERT INTO handoff_arrivals (id, partner_id, org_id, message_id, state, travel_date, port_of_entry, name_key, passport, passport_index, announcement, seal_key, received_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, '', ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				id, p.ID, org, env.ID, handoff.ArrivalExpected, a.TravelDate, a.PortOfEntry, arrivalNameKey(&a.Person), k.passportIndex(a.Person.Passport), sealed, k.current, tx.now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				dup = true
				return nil
			}
			if err := tx.Audit("handoff.received", "handoff_arrival", id, org, map[string]any{"partner_id": p.ID, "message_id": env.ID, "key_id": keyID, "fields": a.Fields}); err != nil {
				return err
			}
			return tx.queueFeedback(p.ID, org, id, env.ID, handoff.StatusReceived)
		case handoff.TypeFeedback:
			f := env.Feedback
			var org string
			if err := tx.QueryRow(`SELECT org_id FROM handoff_outbox WHERE id = ? AND partner_id = ? AND kind = ?`, f.AnnouncementID, p.ID, handoff.TypeAnnouncement).Scan(&org); err != nil {
				if err == errNoRows {
					return homeward.FieldErrorf("feedback.announcement_id", "handoff.refused.unknown_announcement", "No announcement of ours to this partner has this id.")
				}
				return err
			}
			res, err := tx.Exec(`INSERT INTO handoff_feedback (id, partner_id, org_id, announcement_id, message_id, status, at, received_at, milestone, band) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				homeward.NewID(), p.ID, org, f.AnnouncementID, env.ID, f.Status, f.At, tx.now, f.Milestone, f.Band)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				dup = true
				return nil
			}
			detail := map[string]any{"partner_id": p.ID, "message_id": env.ID, "status": f.Status, "key_id": keyID}
			if f.Milestone != 0 {
				detail["milestone"], detail["band"] = f.Milestone, f.Band
			}
			return tx.Audit("handoff.feedback_received", "handoff_message", f.AnnouncementID, org, detail)
		}
		return homeward.Errorf(homeward.EINVALID, "error.field.invalid_choice", "Unknown message type.")
	})
	return dup, err
}

// queueFeedback puts a feedback message on an announcement received into
// the outbox, for the partner that sent it.
func (tx *Tx) queueFeedback(partnerID, org, arrivalID, announcementID, status string) error {
	return tx.queueFeedbackMsg(partnerID, org, arrivalID, &handoff.Feedback{AnnouncementID: announcementID, Status: status})
}

// queueFeedbackMsg queues feedback f (its At set to now) on an
// announcement received, for the partner that sent it.
func (tx *Tx) queueFeedbackMsg(partnerID, org, arrivalID string, f *handoff.Feedback) error {
	f.At = tx.now
	env := handoff.Envelope{Type: handoff.TypeFeedback, ID: homeward.NewID(), SentAt: tx.now, Feedback: f}
	body, err := json.Marshal(env)
	if err != nil {
		return err
	}
	out := &handoff.Outgoing{ID: env.ID, PartnerID: partnerID, OrgID: org, CaseID: arrivalID, Kind: handoff.TypeFeedback}
	if err := tx.enqueueHandoff(out, body); err != nil {
		return err
	}
	detail := map[string]any{"message_id": env.ID, "status": f.Status, "partner_id": partnerID}
	if f.Milestone != 0 {
		detail["milestone"], detail["band"] = f.Milestone, f.Band
	}
	return tx.Audit("handoff.feedback", "handoff_arrival", arrivalID, org, detail)
}

// arrivalNameKey is what reception searches an expected arrival's name
// by: every name key, each between spaces.
func arrivalNameKey(p *handoff.Person) string {
	keys := registry.NameKeys(&registry.Person{GivenName: p.GivenName, FamilyName: p.FamilyName, FullNameNative: p.NativeName})
	if len(keys) == 0 {
		return ""
	}
	return " " + strings.Join(keys, " | ") + " "
}

// AuditHandoffRefusal records a message the inbox refused, in the
// operator's audit chain: who it claimed to be from (a key id, a
// partner when known, the source address) and why, and how many more
// like it were counted rather than audited one by one. Nothing of the
// message itself is kept.
func (db *DB) AuditHandoffRefusal(ctx context.Context, r handoff.Refusal) error {
	return db.Transact(ctx, func(tx *Tx) error {
		op, err := operatorOrg(tx)
		if err != nil {
			return err
		}
		detail := map[string]any{"key_id": r.KeyID, "reason": r.Reason}
		if r.Source != "" {
			detail["source"] = r.Source
		}
		if r.Repeated > 0 {
			detail["repeated"] = r.Repeated
		}
		if r.Summary {
			detail["summary"] = true
		}
		return tx.Audit("handoff.refused", "partner", r.PartnerID, op, detail)
	})
}

const arrivalColumns = `a.id, a.partner_id, p.name, p.country, a.org_id, a.message_id, a.state, a.travel_date, a.port_of_entry, a.announcement, a.received_at,
	a.decided_at, COALESCE(a.decided_by, ''), COALESCE(a.person_id, ''), COALESCE(a.case_id, '')`

// arrivalAD binds a sealed announcement to its handoff_arrivals row.
func arrivalAD(id string) []byte { return []byte("homeward arrival\x00" + id) }

// passportIndex is the blind index of a passport number ("" for none).
func (k *identKeys) passportIndex(passport string) string {
	if doc := registry.NormalizeDocumentNumber(passport); doc != "" {
		return k.blind(kindBlindDoc, doc)
	}
	return ""
}

func scanArrival(s scanner, open opener) (*handoff.Arrival, error) {
	var a handoff.Arrival
	var stored string
	if err := s.Scan(&a.ID, &a.PartnerID, &a.PartnerName, &a.Country, &a.OrgID, &a.MessageID, &a.State, &a.TravelDate, &a.PortOfEntry, &stored, dbTime{&a.ReceivedAt},
		dbNullTime{&a.DecidedAt}, &a.DecidedBy, &a.PersonID, &a.CaseID); err != nil {
		return nil, err
	}
	body, err := open(stored, arrivalAD(a.ID))
	if err != nil {
		return nil, fmt.Errorf("arrival %s: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(body), &a.Announcement); err != nil {
		return nil, err
	}
	a.Passport = registry.NormalizeDocumentNumber(a.Announcement.Person.Passport)
	return &a, nil
}

// Arrivals lists the expected arrivals of the actor's organisation in a
// state ("" for all), soonest travel first; q, when given, finds them by
// passport number or by name, as the reception desk does.
func (db *DB) Arrivals(ctx context.Context, state, q string) ([]handoff.Arrival, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActHandoffReceive, homeward.Resource{Type: "handoff_arrival", OrgID: org}); err != nil {
		return nil, err
	}
	query, args := `SELECT `+arrivalColumns+` FROM handoff_arrivals a JOIN partners p ON p.id = a.partner_id WHERE a.org_id = ?`, []any{org}
	if state != "" {
		query, args = query+` AND a.state = ?`, append(args, state)
	}
	if q = strings.TrimSpace(q); q != "" {
		doc, name := registry.NormalizeDocumentNumber(q), registry.NameKey(q)
		if doc != "" {
			k, err := db.identKeys(ctx)
			if err != nil {
				return nil, err
			}
			doc = k.passportIndex(doc)
		}
		switch {
		case doc != "" && name != "":
			query, args = query+` AND (a.passport_index = ? OR a.name_key LIKE ?)`, append(args, doc, "% "+likeEscape(name)+"%")
		case doc != "":
			query, args = query+` AND a.passport_index = ?`, append(args, doc)
		case name != "":
			query, args = query+` AND a.name_key LIKE ?`, append(args, "% "+likeEscape(name)+"%")
		default:
			return []handoff.Arrival{}, nil
		}
	}
	rows, err := db.query(ctx, query+` ORDER BY a.travel_date, a.received_at, a.id LIMIT 500`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []handoff.Arrival{}
	open := db.opener(ctx)
	for rows.Next() {
		a, err := scanArrival(rows, open)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// likeEscape keeps a searched name from acting as a LIKE pattern.
func likeEscape(s string) string {
	return strings.NewReplacer("%", "", "_", "").Replace(s)
}

// Arrival returns one expected arrival of the actor's organisation, with
// the feedback sent on it.
func (db *DB) Arrival(ctx context.Context, id string) (*handoff.Arrival, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActHandoffReceive, homeward.Resource{Type: "handoff_arrival", OrgID: org}); err != nil {
		return nil, err
	}
	a, err := scanArrival(db.queryRow(ctx, `SELECT `+arrivalColumns+` FROM handoff_arrivals a JOIN partners p ON p.id = a.partner_id WHERE a.id = ? AND a.org_id = ?`, id, org), db.opener(ctx))
	if err != nil {
		return nil, notFound(err)
	}
	_, qs := db.readers(ctx)
	sent, err := sentFeedback(qs, org, id)
	for _, f := range sent {
		a.Feedback = append(a.Feedback, f.Status)
		a.Sent = append(a.Sent, f)
	}
	return a, err
}

// DecideArrival accepts or declines an expected arrival for the actor's
// organisation. Accepting opens an incomplete case (as the reception
// desk does) from what the announcement carries, the passport among the
// person's documents so that reception finds them by it; both send the
// decision back to the partner.
func (db *DB) DecideArrival(ctx context.Context, id string, accept bool) (*handoff.Arrival, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	a, err := db.Arrival(ctx, id)
	if err != nil {
		return nil, err
	}
	if accept {
		if err := homeward.Authorize(actor, homeward.ActPersonCreate, homeward.Resource{Type: "person", OrgID: org}); err != nil {
			return nil, err
		}
	}
	if a.State != handoff.ArrivalExpected {
		return nil, homeward.Errorf(homeward.ECONFLICT, "handoff.arrival.decided", "This arrival was already accepted or declined.")
	}
	var rec *registry.Record
	err = db.Transact(ctx, func(tx *Tx) error {
		state, status := handoff.ArrivalDeclined, handoff.StatusDeclined
		var personID, caseID any
		if accept {
			state, status = handoff.ArrivalAccepted, handoff.StatusAccepted
			country, err := db.orgCountry(ctx, org)
			if err != nil {
				return err
			}
			p, ep, c, err := arrivalReception(a, country, db.local(ctx)).Draft(country, db.local(ctx))
			if err != nil {
				return err
			}
			p.OrgID = org
			if a.Passport != "" {
				p.Documents = append(p.Documents, registry.Document{Type: registry.DocPassport, Number: a.Announcement.Person.Passport})
			}
			reg := &registry.Registration{Person: p, Episodes: []registry.MigrationEpisode{ep}}
			if rec, err = tx.register(reg, &c, country, nil); err != nil {
				return err
			}
			if err := tx.addEvent(org, registry.NewCaseEvent(c.ID, registry.EventReception, "", tx.now, map[string]any{"point": a.PortOfEntry, "handoff": a.PartnerName})); err != nil {
				return err
			}
			personID, caseID = rec.Person.ID, rec.Case.ID
		}
		res, err := tx.Exec(`UPDATE handoff_arrivals SET state = ?, decided_at = ?, decided_by = ?, person_id = ?, case_id = ? WHERE id = ? AND org_id = ? AND state = ?`,
			state, tx.now, actorID(tx.actor), personID, caseID, id, org, handoff.ArrivalExpected)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return homeward.Errorf(homeward.ECONFLICT, "handoff.arrival.decided", "This arrival was already accepted or declined.")
		}
		if err := tx.Audit("handoff.arrival_"+state, "handoff_arrival", id, org, map[string]any{"partner_id": a.PartnerID, "case_id": caseID}); err != nil {
			return err
		}
		return tx.queueFeedback(a.PartnerID, org, id, a.MessageID, status)
	})
	if err != nil {
		return nil, err
	}
	if rec != nil {
		db.personChanged(org, rec.Person.ID)
	}
	return db.Arrival(ctx, id)
}

// arrivalReception is the reception record an accepted announcement
// opens: what it carries of the person, the return on the travel date at
// its port of entry, from the partner's country (accepted ahead of the
// journey, the return is dated today until the case is completed).
func arrivalReception(a *handoff.Arrival, country string, today time.Time) *registry.Reception {
	p := &a.Announcement.Person
	r := &registry.Reception{GivenName: p.GivenName, FamilyName: p.FamilyName, FullNameNative: p.NativeName, Sex: registry.Sex(p.Sex), Phone: p.Phone,
		DestinationCountry: a.Country, PointOfEntry: a.PortOfEntry, ReturnType: registry.ReturnType(p.ReturnType),
		Notes: a.Announcement.Needs}
	// A port the registry does not know (the partner wrote it in its own
	// words), or one of another country than the receiving organisation's,
	// is kept in the notes, for whoever completes the case.
	if poe := registry.PointOfEntryByCode(r.PointOfEntry); poe == nil || (country != "" && poe.Country != country) {
		r.PointOfEntry = ""
		r.Notes = strings.TrimSpace(a.PortOfEntry + "\n" + r.Notes)
	}
	if r.Sex == "" {
		r.Sex = registry.SexUnknown
	}
	if r.ReturnType == "" {
		r.ReturnType = registry.ReturnAssistedVoluntary
	}
	if d, err := registry.ParseDate(p.DateOfBirth); err == nil && p.DateOfBirth != "" {
		r.DateOfBirth = d
	} else if p.Age != nil {
		age := *p.Age
		r.ApproxAge = &age
	}
	if d, err := registry.ParseDate(a.TravelDate); err == nil && a.TravelDate <= today.Format(time.DateOnly) {
		r.ReturnDate = d
	}
	return r
}

// SendArrivalFeedback tells the partner what became of a person it
// announced: arrived (met at reception) or plan agreed. Only an accepted
// arrival has anything to tell, and each status is sent once.
func (db *DB) SendArrivalFeedback(ctx context.Context, id, status string) error {
	a, err := db.Arrival(ctx, id)
	if err != nil {
		return err
	}
	if status != handoff.StatusArrived && status != handoff.StatusPlanAgreed {
		return &homeward.Error{Code: homeward.EINVALID, Key: "error.field.invalid_choice", Field: "status", Args: map[string]any{"value": status}, Message: "“" + status + "” is not one of the allowed values."}
	}
	if a.State != handoff.ArrivalAccepted {
		return homeward.Errorf(homeward.ECONFLICT, "handoff.arrival.not_accepted", "Accept the arrival before telling the partner about it.")
	}
	if slices.Contains(a.Feedback, status) {
		return homeward.Errorf(homeward.ECONFLICT, "handoff.arrival.feedback_sent", "The partner was already told this.")
	}
	return db.Transact(ctx, func(tx *Tx) error {
		return tx.queueFeedback(a.PartnerID, a.OrgID, id, a.MessageID, status)
	})
}

// ExportHandoffFile signs an announcement of the actor's organisation as
// a file for a partner without a reachable inbox: the same signed
// message, valid for handoff.FileValidity, with a fresh nonce.
func (db *DB) ExportHandoffFile(ctx context.Context, messageID string) (*handoff.File, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActHandoffSend, homeward.Resource{Type: "handoff_message", OrgID: org}); err != nil {
		return nil, err
	}
	var f *handoff.File
	err := db.Transact(ctx, func(tx *Tx) error {
		var base, body, caseID string
		if err := tx.QueryRow(`SELECT p.base_url, o.body, o.case_id FROM handoff_outbox o JOIN partners p ON p.id = o.partner_id WHERE o.id = ? AND o.org_id = ? AND o.kind = ?`,
			messageID, org, handoff.TypeAnnouncement).Scan(&base, &body, &caseID); err != nil {
			return notFound(err)
		}
		key, k, err := db.instanceSigner(tx)
		if err != nil {
			return err
		}
		m := &handoff.Outbound{ID: messageID, URL: (&handoff.Partner{BaseURL: base}).InboxURL(), Body: []byte(body), Key: key, KeyID: k.KeyID}
		req, err := handoff.SignedRequestFor(ctx, m, tx.now, handoff.FileValidity)
		if err != nil {
			return err
		}
		f = handoff.NewFile(req.Method, req.URL.String(), req.Header, m.Body)
		return tx.Audit("handoff.exported", "case", caseID, org, map[string]any{"message_id": messageID})
	})
	return f, err
}

// ImportHandoffFile receives a signed file carried from a partner, as the
// inbox receives a message (the signature, digest, replay cache and
// agreement checked, refusals audited), valid for handoff.FileValidity.
// The actor must be one who receives arrivals; what the file holds goes
// to the organisation the partner's agreement names.
func (db *DB) ImportHandoffFile(ctx context.Context, raw []byte) (*handoff.Ack, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActHandoffReceive, homeward.Resource{Type: "handoff_arrival", OrgID: actorOrg(actor)}); err != nil {
		return nil, err
	}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	rc := &handoff.Receiver{Store: db, Now: db.Now}
	if len(raw) > handoff.MaxBody+16<<10 {
		return nil, rc.Refused(sys, nil, "", homeward.Errorf(homeward.ETOOLARGE, "handoff.refused.too_large", "The message is over the size limit."))
	}
	m, body, err := handoff.ReadFile(raw)
	if err != nil {
		return nil, rc.Refused(sys, nil, "", err)
	}
	// The file was signed for this instance's inbox, wherever it came
	// from.
	if !strings.HasSuffix(m.TargetURI, handoff.InboxPath) || db.PublicURL != "" && m.TargetURI != strings.TrimRight(db.PublicURL, "/")+handoff.InboxPath {
		return nil, rc.Refused(sys, nil, "", homeward.FieldErrorf("file", "handoff.file.elsewhere", "This file was signed for another instance."))
	}
	return rc.Receive(sys, m, body, handoff.FileValidity)
}

package sqldb

import (
	"context"
	"strings"
	"time"

	"homeward"
	"homeward/internal/registry"
)

var _ registry.BreakGlassService = (*DB)(nil)

const breakGlassColumns = `b.id, b.requester_id, b.requester_org, b.person_id, b.owner_org, b.reason, b.granted_at, b.expires_at,
	COALESCE(b.reviewed_by, ''), b.reviewed_at, b.review_note`

func scanBreakGlass(s scanner, extra ...any) (*registry.BreakGlass, error) {
	var b registry.BreakGlass
	if err := s.Scan(append([]any{&b.ID, &b.RequesterID, &b.RequesterOrg, &b.PersonID, &b.OwnerOrg, &b.Reason, dbTime{&b.GrantedAt}, dbTime{&b.ExpiresAt},
		&b.ReviewedBy, dbNullTime{&b.ReviewedAt}, &b.ReviewNote}, extra...)...); err != nil {
		return nil, err
	}
	return &b, nil
}

// OpenBreakGlass grants the actor read access, for BreakGlassHours, to the
// one record of another organisation that the identifier names exactly (a
// case number, a phone number read in the actor's country, a document
// number). The reason is kept; the grant is in both organisations' audit
// chains and waits for review by a supervisor of the organisation that
// holds the record. An identifier that names no record, or several
// people, grants nothing.
func (db *DB) OpenBreakGlass(ctx context.Context, identifier, reason string) (*registry.BreakGlass, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActBreakGlass, homeward.Resource{Type: "break_glass", OrgID: org}); err != nil {
		return nil, err
	}
	identifier, reason, err := registry.CheckBreakGlass(identifier, reason)
	if err != nil {
		return nil, err
	}
	found, err := db.breakGlassFind(ctx, org, identifier)
	if err != nil {
		return nil, err
	}
	switch len(found) {
	case 0:
		return nil, homeward.Errorf(homeward.ENOTFOUND, "breakglass.none", "No record of another organisation has this identifier. Check it, or try the case number.")
	case 1:
	default:
		return nil, homeward.Errorf(homeward.ECONFLICT, "breakglass.several", "Several people of other organisations have this identifier: give their case number.")
	}
	b := &registry.BreakGlass{ID: homeward.NewID(), RequesterID: actorID(actor), RequesterOrg: org, PersonID: found[0][0], OwnerOrg: found[0][1], Reason: reason}
	err = db.Transact(ctx, func(tx *Tx) error {
		b.GrantedAt, b.ExpiresAt = tx.now, tx.now.Add(registry.BreakGlassHours*time.Hour)
		if _, err := tx.Exec(`INSERT INTO break_glass (id, requester_id, requester_org, person_id, owner_org, reason, granted_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			b.ID, b.RequesterID, org, b.PersonID, b.OwnerOrg, reason, b.GrantedAt, b.ExpiresAt); err != nil {
			return err
		}
		// Ids only: the reason is free text that may name the person, and
		// a chained event can never be erased (the grant keeps it).
		detail := map[string]any{"grant": b.ID, "person_id": b.PersonID, "owner_org": b.OwnerOrg, "requester_org": org, "expires_at": b.ExpiresAt}
		if err := tx.Audit("breakglass.open", "person", b.PersonID, org, detail); err != nil {
			return err
		}
		return tx.Audit("breakglass.open", "person", b.PersonID, b.OwnerOrg, detail)
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

// breakGlassFind returns [person_id, org_id] of the people of other
// organisations the identifier names exactly (each organisation's key
// index is asked in turn: there are few organisations, many keys).
func (db *DB) breakGlassFind(ctx context.Context, org, id string) ([][2]string, error) {
	seen := map[string]bool{}
	var out [][2]string
	add := func(rows rowsT, err error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var p, o string
			if err := rows.Scan(&p, &o); err != nil {
				return err
			}
			if o != org && !seen[p] {
				seen[p] = true
				out = append(out, [2]string{p, o})
			}
		}
		return rows.Err()
	}
	_, qs := db.readers(ctx)
	if err := add(qs(`SELECT c.person_id, c.org_id FROM cases c JOIN people p ON p.id = c.person_id WHERE c.number = ? AND p.merged_into IS NULL`, strings.ToUpper(id))); err != nil {
		return nil, err
	}
	country, err := db.orgCountry(ctx, org)
	if err != nil {
		return nil, err
	}
	// Phones and documents are found by their blind indexes.
	bk, err := db.readKeys(ctx)
	if err != nil {
		return nil, err
	}
	var keys [][2]string
	if d := registry.NormalizeDocumentNumber(id); d != "" && bk != nil {
		keys = append(keys, [2]string{kindBlindDoc, bk.blind(kindBlindDoc, d)})
	}
	if ph, err := registry.ParsePhone(id, country); err == nil && bk != nil {
		keys = append(keys, [2]string{kindBlindPhone, bk.blind(kindBlindPhone, ph)})
	}
	if len(keys) == 0 {
		return out, nil
	}
	orgs, err := qs(`SELECT id FROM organisations WHERE id <> ?`, org)
	if err != nil {
		return nil, err
	}
	var others []string
	for orgs.Next() {
		var o string
		if err := orgs.Scan(&o); err != nil {
			orgs.Close()
			return nil, err
		}
		others = append(others, o)
	}
	orgs.Close()
	for _, o := range others {
		for _, k := range keys {
			if err := add(qs(`SELECT k.person_id, k.org_id FROM person_keys k JOIN people p ON p.id = k.person_id
				WHERE k.org_id = ? AND k.kind = ? AND k.value = ? AND p.merged_into IS NULL`, o, k[0], k[1])); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

// BreakGlassRecord returns the record an emergency access opens, to the
// user it was granted to, while it lasts; each opening is an audited read
// in the chain of the organisation that holds the record.
func (db *DB) BreakGlassRecord(ctx context.Context, id string) (*registry.Record, *registry.BreakGlass, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActBreakGlass, homeward.Resource{Type: "break_glass", OrgID: actorOrg(actor)}); err != nil {
		return nil, nil, err
	}
	b, err := scanBreakGlass(db.queryRow(ctx, `SELECT `+breakGlassColumns+` FROM break_glass b WHERE b.id = ? AND b.requester_id = ?`, id, actorID(actor)))
	if err != nil {
		return nil, nil, notFound(err)
	}
	if !b.Active(db.Now()) {
		return nil, b, homeward.Errorf(homeward.EFORBIDDEN, "breakglass.expired", "This emergency access has ended. Ask again, with a reason, if you still need the record.")
	}
	qr, qs := db.readers(ctx)
	rec, err := db.loadRecord(ctx, qr, qs, b.PersonID)
	if err != nil {
		return nil, nil, err
	}
	if err := db.RecordRead(ctx, homeward.RecordRead{Action: "person.read", RecordType: "person", RecordID: b.PersonID, OrgID: b.OwnerOrg,
		Detail: map[string]any{"via": "break_glass", "grant": b.ID, "requester_org": b.RequesterOrg}}); err != nil {
		return nil, nil, err
	}
	return rec, b, nil
}

// BreakGlassList lists the emergency accesses that concern the actor's
// organisation — to its records, or by its users — newest first (of one
// person when personID is given; only those not yet reviewed when asked),
// with how many there are. Supervisors see them all; other users see
// those to their organisation's records (marked on the record) and their own.
func (db *DB) BreakGlassList(ctx context.Context, personID string, unreviewedOnly bool, limit int) ([]registry.BreakGlass, int, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	res := homeward.Resource{Type: "break_glass", OrgID: org}
	review := homeward.Can(actor, homeward.ActBreakGlassReview, res)
	if !review && !homeward.Can(actor, homeward.ActBreakGlass, res) && !homeward.Can(actor, homeward.ActPersonRead, res) {
		return nil, 0, homeward.Authorize(actor, homeward.ActBreakGlassReview, res)
	}
	where := ` WHERE (b.owner_org = ? OR b.requester_org = ?)`
	args := []any{org, org}
	if !review {
		where = ` WHERE (b.owner_org = ? OR b.requester_id = ?)`
		args = []any{org, actorID(actor)}
	}
	if personID != "" {
		where += ` AND b.person_id = ?`
		args = append(args, personID)
	}
	if unreviewedOnly {
		where += ` AND b.reviewed_at IS NULL`
	}
	var n int
	if err := db.queryRow(ctx, `SELECT COUNT(*) FROM break_glass b`+where, args...).Scan(&n); err != nil {
		return nil, 0, err
	}
	rows, err := db.query(ctx, `SELECT `+breakGlassColumns+`, u.name, ro.name, oo.name, p.given_name, p.family_name FROM break_glass b
		JOIN users u ON u.id = b.requester_id JOIN organisations ro ON ro.id = b.requester_org JOIN organisations oo ON oo.id = b.owner_org
		JOIN people p ON p.id = b.person_id`+where+` ORDER BY b.granted_at DESC, b.id DESC LIMIT ?`, append(args, max(1, min(limit, 200)))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	out := []registry.BreakGlass{}
	for rows.Next() {
		var given, family string
		var b *registry.BreakGlass
		var rn, ron, oon string
		if b, err = scanBreakGlass(rows, &rn, &ron, &oon, &given, &family); err != nil {
			return nil, 0, err
		}
		p := registry.Person{GivenName: given, FamilyName: family}
		b.RequesterName, b.RequesterOrgName, b.OwnerOrgName = rn, ron, oon
		// The requesting organisation learns the name only while the access
		// lasts or from its own records; the list shows it to the owner.
		if b.OwnerOrg == org || b.Active(db.Now()) {
			b.PersonName = p.DisplayName()
		}
		out = append(out, *b)
	}
	return out, n, rows.Err()
}

// ReviewBreakGlass records a supervisor's review of an emergency access to
// a record of their organisation, with a note.
func (db *DB) ReviewBreakGlass(ctx context.Context, id, note string) error {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActBreakGlassReview, homeward.Resource{Type: "break_glass", ID: id, OrgID: org}); err != nil {
		return err
	}
	note = strings.TrimSpace(note)
	if n := len([]rune(note)); n == 0 || n > 2000 {
		return homeward.FieldErrorf("note", "breakglass.review_note", "Say what the review found (at most 2000 characters).")
	}
	return db.Transact(ctx, func(tx *Tx) error {
		b, err := scanBreakGlass(tx.QueryRow(`SELECT `+breakGlassColumns+` FROM break_glass b WHERE b.id = ? AND b.owner_org = ?`+db.dialect.forUpdate(), id, org))
		if err != nil {
			return notFound(err)
		}
		if b.ReviewedAt != nil {
			return homeward.Errorf(homeward.ECONFLICT, "breakglass.reviewed", "This emergency access was reviewed already.")
		}
		if _, err := tx.Exec(`UPDATE break_glass SET reviewed_by = ?, reviewed_at = ?, review_note = ? WHERE id = ?`, actorID(actor), tx.now, note, id); err != nil {
			return err
		}
		return tx.Audit("breakglass.review", "person", b.PersonID, org, map[string]any{"grant": id})
	})
}

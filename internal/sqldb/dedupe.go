package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"math"
	"strings"
	"sync"
	"time"

	"homeward"
	"homeward/internal/dedupe"
	"homeward/internal/match"
	"homeward/internal/registry"
)

var _ dedupe.Store = (*DB)(nil)

// Timeline event kinds of the duplicate workflow (their summaries are in
// the dedupe catalog as registry.timeline.<kind>).
const (
	EventDuplicateConfirmed registry.EventKind = "duplicate_confirmed"
	EventDuplicateRejected  registry.EventKind = "duplicate_rejected"
	EventDuplicateReopened  registry.EventKind = "duplicate_reopened"
	EventMerged             registry.EventKind = "merged"
	EventUnmerged           registry.EventKind = "unmerged"
)

// movedTables are the tables whose rows belong to a person through a
// person_id column and an id primary key: a merge moves the absorbed
// person's rows to the kept person and an unmerge moves them back.
// Capabilities that add such a table add it here.
var movedTables = []string{"cases", "consents", "assessments", "plans", "referrals"}

// personHooks holds each DB's OnPersonChanged function.
var personHooks sync.Map // *DB → func(orgID, personID string)

// OnPersonChanged sets fn to be called after a transaction that registered,
// updated or imported people of an organisation has committed (personID is
// "" when an import changed several). The duplicate index uses it to stay
// current; fn must be quick and must not write.
func (db *DB) OnPersonChanged(fn func(orgID, personID string)) { personHooks.Store(db, fn) }

func (db *DB) personChanged(orgID, personID string) {
	if fn, ok := personHooks.Load(db); ok {
		fn.(func(string, string))(orgID, personID)
	}
}

// OrgCountry returns the ISO alpha-2 country of an organisation.
func (db *DB) OrgCountry(ctx context.Context, orgID string) (string, error) {
	return db.orgCountry(ctx, orgID)
}

// People calls fn for each person of org updated at or after since, oldest
// update first, for the duplicate index and scan.
func (db *DB) People(ctx context.Context, orgID string, since time.Time, fn func(dedupe.Stored) error) error {
	return db.people(ctx, orgID, since, true, fn)
}

// ScanPeople is People without reading the people's records along: each
// is read on its own when Person is called (the scan compares most people
// as its index holds them already, and reading every record again cost it
// a second pass over the whole table).
func (db *DB) ScanPeople(ctx context.Context, orgID string, since time.Time, fn func(dedupe.Stored) error) error {
	return db.people(ctx, orgID, since, false, fn)
}

func (db *DB) people(ctx context.Context, orgID string, since time.Time, records bool, fn func(dedupe.Stored) error) error {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActPersonRead, homeward.Resource{Type: "person", OrgID: orgID}); err != nil {
		return err
	}
	// An erased person is gone from duplicate detection as a merged one is.
	record := `p.person`
	if !records {
		record = `''`
	}
	q := `SELECT p.id, p.version, p.merged_into IS NOT NULL OR EXISTS (SELECT 1 FROM erasure_requests er WHERE er.person_id = p.id AND er.status = 'erased'),
		p.updated_at, ` + record + ` FROM people p WHERE p.org_id = ?`
	args := []any{orgID}
	if !since.IsZero() {
		q += ` AND p.updated_at >= ?`
		args = append(args, since)
	}
	keys, err := db.readKeys(ctx)
	if err != nil {
		return err
	}
	rows, err := db.query(ctx, q+` ORDER BY p.updated_at, p.id`, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		s := dedupe.Stored{OrgID: orgID}
		var pj string
		if err := rows.Scan(&s.ID, &s.Version, &s.Merged, dbTime{&s.UpdatedAt}, &pj); err != nil {
			return err
		}
		id := s.ID
		s.Person = func() (*registry.Person, error) {
			p := &registry.Person{}
			if !records {
				if err := db.queryRow(ctx, `SELECT person FROM people WHERE id = ? AND org_id = ?`, id, orgID).Scan(&pj); err != nil {
					return nil, notFound(err)
				}
			}
			return p, db.openPerson(ctx, keys, pj, id, p)
		}
		if err := fn(s); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanOrgsQuery gives each organisation its people's latest change, one
// probe of people_org_updated each, and its scan watermark. (It read every
// person's index entry once, every 30 s: two seconds at a million.)
const scanOrgsQuery = `SELECT o.id, (SELECT MAX(updated_at) FROM people WHERE people.org_id = o.id), s.scanned_to
	FROM organisations o LEFT JOIN dedupe_scans s ON s.org_id = o.id ORDER BY o.id`

// ScanOrgs lists the organisations with people changed since their scan
// watermark (or never scanned). Only the system asks.
func (db *DB) ScanOrgs(ctx context.Context) ([]string, error) {
	if a := homeward.ActorFromContext(ctx); a == nil || !a.System {
		return nil, homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "You are not allowed to do this.")
	}
	rows, err := db.query(ctx, scanOrgsQuery)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var org string
		var last, scanned *time.Time
		if err := rows.Scan(&org, dbNullTime{&last}, dbNullTime{&scanned}); err != nil {
			return nil, err
		}
		// Rows that committed late carry an earlier time: look again for a
		// while after the watermark passed them.
		if last != nil && (scanned == nil || last.After(scanned.Add(-2*time.Minute))) {
			out = append(out, org)
		}
	}
	return out, rows.Err()
}

// ClaimScan takes the organisation's scan lease for owner.
func (db *DB) ClaimScan(ctx context.Context, orgID, owner string, lease time.Duration) (since, now time.Time, ok bool, err error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActDedupeReview, homeward.Resource{Type: "dedupe_scan", ID: orgID, OrgID: orgID}); err != nil {
		return since, now, false, err
	}
	err = db.Transact(ctx, func(tx *Tx) error {
		now = tx.now
		if _, err := tx.Exec(`INSERT INTO dedupe_scans (org_id) VALUES (?) ON CONFLICT (org_id) DO NOTHING`, orgID); err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE dedupe_scans SET locked_by = ?, locked_until = ?, last_run_at = ?
			WHERE org_id = ? AND (locked_by = '' OR locked_by = ? OR locked_until < ?)`, owner, tx.now.Add(lease), tx.now, orgID, owner, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return nil
		}
		ok = true
		var scanned *time.Time
		if err := tx.QueryRow(`SELECT scanned_to FROM dedupe_scans WHERE org_id = ?`, orgID).Scan(dbNullTime{&scanned}); err != nil {
			return err
		}
		if scanned != nil {
			since = *scanned
		}
		return nil
	})
	return since, now, ok, err
}

// RenewScan extends owner's lease of org's scan (see dedupe.Store).
func (db *DB) RenewScan(ctx context.Context, orgID, owner string, lease time.Duration) (bool, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActDedupeReview, homeward.Resource{Type: "dedupe_scan", ID: orgID, OrgID: orgID}); err != nil {
		return false, err
	}
	held := false
	err := db.Transact(ctx, func(tx *Tx) error {
		res, err := tx.Exec(`UPDATE dedupe_scans SET locked_until = ? WHERE org_id = ? AND locked_by = ?`, tx.now.Add(lease), orgID, owner)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		held = n == 1
		return err
	})
	return held, err
}

// ReleaseScan gives up owner's lease of org's scan at once (a scan that
// stopped before it was done, at shutdown for one), so that another process
// need not wait for the lease to run out; the watermark stays.
func (db *DB) ReleaseScan(ctx context.Context, orgID, owner string) error {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActDedupeReview, homeward.Resource{Type: "dedupe_scan", ID: orgID, OrgID: orgID}); err != nil {
		return err
	}
	return db.Transact(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE dedupe_scans SET locked_by = '', locked_until = NULL WHERE org_id = ? AND locked_by = ?`, orgID, owner)
		return err
	})
}

// CountPeople counts the people of org updated at or after since (all of
// them when since is zero): what a scan is about to check.
func (db *DB) CountPeople(ctx context.Context, orgID string, since time.Time) (int, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActPersonRead, homeward.Resource{Type: "person", OrgID: orgID}); err != nil {
		return 0, err
	}
	q := `SELECT COUNT(*) FROM people WHERE org_id = ?`
	args := []any{orgID}
	if !since.IsZero() {
		q += ` AND updated_at >= ?`
		args = append(args, since)
	}
	var n int
	err := db.queryRow(ctx, q, args...).Scan(&n)
	return n, err
}

// SavePairs stores what a scan found and moves or renews its lease.
func (db *DB) SavePairs(ctx context.Context, orgID, owner string, found []dedupe.Found, done bool, upTo time.Time, lease time.Duration) (int, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActDedupeReview, homeward.Resource{Type: "dedupe_scan", ID: orgID, OrgID: orgID}); err != nil {
		return 0, err
	}
	raised := 0
	err := db.Transact(ctx, func(tx *Tx) error {
		raised = 0
		var holder string
		if err := tx.QueryRow(`SELECT locked_by FROM dedupe_scans WHERE org_id = ?`+db.dialect.forUpdate(), orgID).Scan(&holder); err != nil {
			return notFound(err)
		}
		if holder != owner {
			return homeward.Errorf(homeward.ECONFLICT, "dedupe.scan.lease", "Another process took over this organisation's scan.")
		}
		for _, f := range found {
			ej, err := json.Marshal(f.Explanation)
			if err != nil {
				return err
			}
			var id string
			var status dedupe.Status
			var score float64
			err = tx.QueryRow(`SELECT id, status, score FROM dedupe_pairs WHERE org_id = ? AND person_a = ? AND person_b = ?`, orgID, f.A, f.B).Scan(&id, &status, &score)
			switch {
			case err == errNoRows:
				if _, err := tx.Exec(`INSERT INTO dedupe_pairs (id, org_id, person_a, person_b, score, decision, explanation, status, created_at, updated_at)
					VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)`, homeward.NewID(), orgID, f.A, f.B, f.Score, f.Decision.String(), string(ej), tx.now, tx.now); err != nil {
					return err
				}
				raised++
			case err != nil:
				return err
			case status == dedupe.StatusOpen && math.Abs(score-f.Score) > 1e-9:
				// Rescoring is not an edit: the version stays, so that a
				// supervisor's decision in progress is not refused.
				if _, err := tx.Exec(`UPDATE dedupe_pairs SET score = ?, decision = ?, explanation = ?, updated_at = ? WHERE id = ?`,
					f.Score, f.Decision.String(), string(ej), tx.now, id); err != nil {
					return err
				}
			}
		}
		if done {
			if _, err := tx.Exec(`UPDATE dedupe_scans SET scanned_to = ?, locked_by = '', locked_until = NULL, pairs_raised = pairs_raised + ? WHERE org_id = ?`,
				upTo, raised, orgID); err != nil {
				return err
			}
		} else if _, err := tx.Exec(`UPDATE dedupe_scans SET locked_until = ?, pairs_raised = pairs_raised + ? WHERE org_id = ?`, tx.now.Add(lease), raised, orgID); err != nil {
			return err
		}
		if raised == 0 {
			return nil
		}
		return tx.Audit("dedupe.scan", "dedupe_scan", orgID, orgID, map[string]any{"raised": raised})
	})
	return raised, err
}

const pairColumns = `id, org_id, person_a, person_b, score, decision, explanation, status, note, decided_by, decided_at, COALESCE(merge_id, ''), version, created_at, updated_at`

func scanPair(s scanner) (*dedupe.Pair, error) {
	p := &dedupe.Pair{}
	var ej string
	if err := s.Scan(&p.ID, &p.OrgID, &p.PersonA, &p.PersonB, &p.Score, &p.Decision, &ej, &p.Status, &p.Note, &p.DecidedBy,
		dbNullTime{&p.DecidedAt}, &p.MergeID, &p.Version, dbTime{&p.CreatedAt}, dbTime{&p.UpdatedAt}); err != nil {
		return nil, err
	}
	if ej != "" && ej != "null" && ej != "{}" {
		e, err := dedupe.DecodeExplanation([]byte(ej))
		if err != nil {
			return nil, err
		}
		p.Explanation = e
	}
	return p, nil
}

// ListPairs lists the review queue of the actor's organisation, highest
// score first. Open pairs whose people were merged away meanwhile are
// left out.
func (db *DB) ListPairs(ctx context.Context, f dedupe.PairFilter) ([]dedupe.Pair, string, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActDedupeReview, homeward.Resource{Type: "dedupe_pair", OrgID: org}); err != nil {
		return nil, "", err
	}
	if err := checkIDCursor(f.After); err != nil {
		return nil, "", err
	}
	if f.Status == "" {
		f.Status = dedupe.StatusOpen
	}
	where := `d.org_id = ? AND d.status = ?`
	args := []any{org, string(f.Status)}
	if f.Status == dedupe.StatusOpen || f.Status == dedupe.StatusSame {
		where += ` AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id IN (d.person_a, d.person_b) AND p.merged_into IS NOT NULL)`
	}
	if f.PersonID != "" {
		where += ` AND (d.person_a = ? OR d.person_b = ?)`
		args = append(args, f.PersonID, f.PersonID)
	}
	if f.MinScore > 0 {
		where += ` AND d.score >= ?`
		args = append(args, f.MinScore)
	}
	if f.After != "" {
		var score float64
		if err := db.queryRow(ctx, `SELECT score FROM dedupe_pairs WHERE id = ? AND org_id = ?`, f.After, org).Scan(&score); err != nil {
			return nil, "", homeward.FieldErrorf("cursor", "error.cursor", "The page cursor is not valid.")
		}
		where += ` AND (d.score < ? OR (d.score = ? AND d.id < ?))`
		args = append(args, score, score, f.After)
	}
	limit := pageLimit(f.Limit)
	args = append(args, limit+1)
	rows, err := db.query(ctx, `SELECT `+pairColumns+` FROM dedupe_pairs d WHERE `+where+` ORDER BY d.score DESC, d.id DESC LIMIT ?`, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	out := []dedupe.Pair{}
	for rows.Next() {
		p, err := scanPair(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, *p)
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

// pairFor loads a pair (locked, in a transaction) and checks action on it;
// pairs of other organisations are not found.
func pairFor(ctx context.Context, qr func(string, ...any) scanner, lock, id string, action homeward.Action) (*dedupe.Pair, error) {
	actor := homeward.ActorFromContext(ctx)
	p, err := scanPair(qr(`SELECT `+pairColumns+` FROM dedupe_pairs WHERE id = ?`+lock, id))
	if err != nil {
		if err := homeward.Authorize(actor, action, homeward.Resource{Type: "dedupe_pair", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	return p, homeward.Authorize(actor, action, homeward.Resource{Type: "dedupe_pair", ID: id, OrgID: p.OrgID})
}

// FindPair returns one pair of the review queue.
func (db *DB) FindPair(ctx context.Context, id string) (*dedupe.Pair, error) {
	qr, _ := db.readers(ctx)
	return pairFor(ctx, qr, "", id, homeward.ActDedupeReview)
}

// DecidePair records a supervisor's decision: the same person, different
// people (remembered: the scan never raises the pair again) or open again.
func (db *DB) DecidePair(ctx context.Context, id string, version int, status dedupe.Status, note string) (*dedupe.Pair, error) {
	var p *dedupe.Pair
	err := db.Transact(ctx, func(tx *Tx) error {
		qr, _ := tx.readers()
		var err error
		if p, err = pairFor(ctx, qr, db.dialect.forUpdate(), id, homeward.ActDedupeReview); err != nil {
			return err
		}
		if p.Version != version {
			return staleVersion()
		}
		was := p.Status
		if err := p.Decide(status, strings.TrimSpace(note), actorID(tx.actor), tx.now); err != nil {
			return err
		}
		if was == p.Status {
			return nil
		}
		if _, err := tx.Exec(`UPDATE dedupe_pairs SET status = ?, note = ?, decided_by = ?, decided_at = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`,
			string(p.Status), p.Note, p.DecidedBy, p.DecidedAt, tx.now, id, version); err != nil {
			return err
		}
		p.Version, p.UpdatedAt = version+1, tx.now
		kind := map[dedupe.Status]registry.EventKind{dedupe.StatusSame: EventDuplicateConfirmed, dedupe.StatusDifferent: EventDuplicateRejected, dedupe.StatusOpen: EventDuplicateReopened}[p.Status]
		for _, pair := range [][2]string{{p.PersonA, p.PersonB}, {p.PersonB, p.PersonA}} {
			if err := tx.eventOnCases(pair[0], p.OrgID, kind, map[string]any{"other": tx.personName(pair[1]), "pair": p.ID}); err != nil {
				return err
			}
		}
		return tx.Audit("dedupe.decide", "dedupe_pair", id, p.OrgID, map[string]any{"status": p.Status, "from": was, "person_a": p.PersonA, "person_b": p.PersonB})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// personName returns a person's display name, for timeline summaries.
func (tx *Tx) personName(id string) string {
	var pj string
	if err := tx.QueryRow(`SELECT person FROM people WHERE id = ?`, id).Scan(&pj); err != nil {
		return ""
	}
	var p registry.Person
	if err := tx.openPerson(pj, id, &p); err != nil {
		return ""
	}
	return p.DisplayName()
}

// eventOnCases adds an event to every case of a person.
func (tx *Tx) eventOnCases(personID, org string, kind registry.EventKind, args map[string]any) error {
	ids, err := tx.ids(`SELECT id FROM cases WHERE person_id = ? ORDER BY opened_at`, personID)
	if err != nil {
		return err
	}
	for _, c := range ids {
		if err := tx.addEvent(org, registry.NewCaseEvent(c, kind, "", tx.now, args)); err != nil {
			return err
		}
	}
	return nil
}

func (tx *Tx) ids(q string, args ...any) ([]string, error) {
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// snapshot reads a person as stored, locked for the transaction.
func (tx *Tx) snapshot(id string) (dedupe.Snapshot, *string, error) {
	var s dedupe.Snapshot
	var pj, ej string
	var merged *string
	if err := tx.QueryRow(`SELECT person, episodes, version, merged_into FROM people WHERE id = ?`+tx.db.dialect.forUpdate(), id).Scan(&pj, &ej, &s.Version, &merged); err != nil {
		return s, nil, notFound(err)
	}
	if err := tx.openPerson(pj, id, &s.Person); err != nil {
		return s, nil, err
	}
	if err := json.Unmarshal([]byte(ej), &s.Episodes); err != nil {
		return s, nil, err
	}
	return s, merged, nil
}

// refreshCaseFacts copies the person's facts onto every case of theirs.
func (tx *Tx) refreshCaseFacts(p *registry.Person, eps []registry.MigrationEpisode) error {
	rd, rt, dest, dist := caseFacts(p, eps)
	if _, err := tx.Exec(`UPDATE cases SET return_date = ?, return_type = ?, destination_country = ?, district = ?, sex = ?, updated_at = ? WHERE person_id = ?`,
		rd, rt, dest, dist, string(p.Sex), tx.now, p.ID); err != nil {
		return err
	}
	// The return date and the surveys a merge moved set the tasks.
	return tx.refreshCaseTasks(p.ID)
}

func inList(n int) string { return "(" + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + ")" }

func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// MergePair merges the pair's two people: the plan's kept person takes the
// other's cases, consents and assessments, their identifiers (search still
// finds the kept person by them) and the fields the plan says; the absorbed
// person stays, marked as merged into the kept one, with a full snapshot in
// dedupe_merges so that Unmerge can restore both.
func (db *DB) MergePair(ctx context.Context, pairID string, version int, plan dedupe.MergePlan) (*dedupe.Merge, error) {
	var m *dedupe.Merge
	err := db.Transact(ctx, func(tx *Tx) error {
		qr, _ := tx.readers()
		p, err := pairFor(ctx, qr, db.dialect.forUpdate(), pairID, homeward.ActDedupeMerge)
		if err != nil {
			return err
		}
		if p.Version != version {
			return staleVersion()
		}
		if err := p.CanMerge(); err != nil {
			return err
		}
		if err := plan.Validate(p); err != nil {
			return err
		}
		keptID, absID := plan.Keep, p.Other(plan.Keep)
		kept, km, err := tx.snapshot(keptID)
		if err != nil {
			return err
		}
		abs, am, err := tx.snapshot(absID)
		if err != nil {
			return err
		}
		if km != nil || am != nil {
			return homeward.Errorf(homeward.ECONFLICT, "dedupe.merge.already", "One of these people is already merged into someone else.")
		}
		person, eps, prov := plan.Apply(kept, abs)
		if err := person.Validate(tx.Local()); err != nil {
			return err
		}
		m = &dedupe.Merge{ID: homeward.NewID(), OrgID: p.OrgID, PairID: p.ID, KeptID: keptID, AbsorbedID: absID, Plan: plan, Provenance: prov,
			KeptBefore: kept, Absorbed: abs, Moved: map[string][]string{}, MergedBy: actorID(tx.actor), MergedAt: tx.now}
		// The kept person's own case (if any) takes in the absorbed
		// person's cases: they move with the person but stay marked, so
		// that the kept person keeps one case whose timeline shows both.
		var keptCase string
		if err := tx.QueryRow(`SELECT id FROM cases WHERE person_id = ? AND merged_into IS NULL ORDER BY opened_at DESC LIMIT 1`, keptID).Scan(&keptCase); err != nil && err != errNoRows {
			return err
		}
		if keptCase != "" {
			if _, err := tx.Exec(`UPDATE cases SET merged_into = ? WHERE person_id = ? AND merged_into IS NULL`, keptCase, absID); err != nil {
				return err
			}
		}
		// The absorbed person's records move to the kept person.
		for _, t := range movedTables {
			ids, err := tx.ids(`SELECT id FROM `+t+` WHERE person_id = ? ORDER BY id`, absID)
			if err != nil {
				return err
			}
			if len(ids) == 0 {
				continue
			}
			m.Moved[t] = ids
			if _, err := tx.Exec(`UPDATE `+t+` SET person_id = ? WHERE person_id = ?`, keptID, absID); isUniqueViolation(err) {
				return homeward.Errorf(homeward.ECONFLICT, "dedupe.merge.clash", "Both records have an open referral for the same service to the same provider; close one of them first.")
			} else if err != nil {
				return err
			}
		}
		// So do their search keys, lent: keys lent by an earlier merge into
		// the absorbed person travel on with that merge's mark.
		carried, err := tx.ids(`SELECT DISTINCT merge_id FROM person_keys WHERE person_id = ? AND merge_id <> '' ORDER BY merge_id`, absID)
		if err != nil {
			return err
		}
		if len(carried) > 0 {
			m.Moved["merges"] = carried
		}
		if _, err := tx.Exec(`UPDATE person_keys SET person_id = ?, merge_id = CASE WHEN merge_id = '' THEN ? ELSE merge_id END WHERE person_id = ?`, keptID, m.ID, absID); err != nil {
			return err
		}
		if err := tx.updatePerson(&registry.Registration{Person: person, Episodes: eps}, nil, kept.Version); err != nil {
			return err
		}
		if err := tx.refreshCaseFacts(&person, eps); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE people SET merged_into = ?, version = version + 1, updated_at = ? WHERE id = ?`, keptID, tx.now, absID); err != nil {
			return err
		}
		mj, err := json.Marshal(m)
		if err != nil {
			return err
		}
		sealed, keyID, err := tx.sealMerge(mj, m.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO dedupe_merges (id, org_id, pair_id, kept_id, absorbed_id, merge, seal_key, merged_by, merged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.ID, m.OrgID, p.ID, keptID, absID, sealed, keyID, m.MergedBy, tx.now); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE dedupe_pairs SET status = 'merged', merge_id = ?, decided_by = ?, decided_at = ?, version = version + 1, updated_at = ? WHERE id = ?`,
			m.ID, m.MergedBy, tx.now, tx.now, p.ID); err != nil {
			return err
		}
		args := map[string]any{"kept": person.DisplayName(), "absorbed": abs.Person.DisplayName(), "merge": m.ID}
		if err := tx.eventOnCases(keptID, p.OrgID, EventMerged, args); err != nil {
			return err
		}
		fields := make([]string, 0, len(prov))
		for f := range prov {
			fields = append(fields, f)
		}
		return tx.Audit("person.merge", "person", keptID, p.OrgID, map[string]any{"absorbed": absID, "merge_id": m.ID, "pair_id": p.ID,
			"moved": movedCounts(m.Moved), "from_absorbed": len(fields)})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func movedCounts(moved map[string][]string) map[string]int {
	out := map[string]int{}
	for t, ids := range moved {
		out[t] = len(ids)
	}
	return out
}

// Unmerge undoes a merge: the absorbed person's records and identifiers go
// back to them, the kept person loses what came from the absorbed one, and
// the pair is open again.
func (db *DB) Unmerge(ctx context.Context, mergeID string) (*dedupe.Merge, error) {
	var m *dedupe.Merge
	err := db.Transact(ctx, func(tx *Tx) error {
		var err error
		if m, err = db.mergeFor(ctx, tx.QueryRow, db.dialect.forUpdate(), mergeID, homeward.ActDedupeMerge); err != nil {
			return err
		}
		if m.UndoneAt != nil {
			return homeward.Errorf(homeward.ECONFLICT, "dedupe.unmerge.undone", "This merge has been undone already.")
		}
		cur, km, err := tx.snapshot(m.KeptID)
		if err != nil {
			return err
		}
		abs, am, err := tx.snapshot(m.AbsorbedID)
		if err != nil {
			return err
		}
		if km != nil {
			return homeward.Errorf(homeward.ECONFLICT, "dedupe.unmerge.later", "The kept person was merged again later; undo that merge first.")
		}
		if am == nil || *am != m.KeptID {
			return homeward.Errorf(homeward.ECONFLICT, "dedupe.unmerge.state", "These records are no longer merged as this merge left them.")
		}
		for _, t := range movedTables {
			ids := m.Moved[t]
			for len(ids) > 0 {
				n := min(len(ids), 500)
				if _, err := tx.Exec(`UPDATE `+t+` SET person_id = ? WHERE id IN `+inList(n), append([]any{m.AbsorbedID}, anys(ids[:n])...)...); err != nil {
					return err
				}
				ids = ids[n:]
			}
		}
		// The cases are the absorbed person's own again: those the merge
		// took into the kept person's case. A case an earlier merge took
		// into another of the absorbed person's stays in it (clearing it
		// too left the person with two open cases, found twice).
		if _, err := tx.Exec(`UPDATE cases SET merged_into = NULL WHERE person_id = ? AND org_id = ? AND merged_into IS NOT NULL
			AND merged_into NOT IN (SELECT id FROM cases WHERE person_id = ? AND org_id = ?)`, m.AbsorbedID, m.OrgID, m.AbsorbedID, m.OrgID); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE person_keys SET person_id = ?, merge_id = '' WHERE merge_id = ? AND merge_id <> ''`, m.AbsorbedID, m.ID); err != nil {
			return err
		}
		if c := m.Moved["merges"]; len(c) > 0 {
			if _, err := tx.Exec(`UPDATE person_keys SET person_id = ? WHERE merge_id <> '' AND merge_id IN `+inList(len(c)), append([]any{m.AbsorbedID}, anys(c)...)...); err != nil {
				return err
			}
		}
		person, eps := m.Revert(cur)
		person.ID, person.OrgID = m.KeptID, m.OrgID
		if err := tx.updatePerson(&registry.Registration{Person: person, Episodes: eps}, nil, cur.Version); err != nil {
			return err
		}
		if err := tx.refreshCaseFacts(&person, eps); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE people SET merged_into = NULL, version = version + 1, updated_at = ? WHERE id = ?`, tx.now, m.AbsorbedID); err != nil {
			return err
		}
		if err := tx.refreshSearchWords(m.AbsorbedID); err != nil {
			return err
		}
		abs.Person.ID = m.AbsorbedID
		if err := tx.refreshCaseFacts(&abs.Person, abs.Episodes); err != nil {
			return err
		}
		now := tx.now
		m.UndoneBy, m.UndoneAt = actorID(tx.actor), &now
		mj, err := json.Marshal(m)
		if err != nil {
			return err
		}
		sealed, keyID, err := tx.sealMerge(mj, m.ID)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE dedupe_merges SET merge = ?, seal_key = ?, undone_by = ?, undone_at = ? WHERE id = ?`, sealed, keyID, m.UndoneBy, tx.now, m.ID); err != nil {
			return err
		}
		if m.PairID != "" {
			if _, err := tx.Exec(`UPDATE dedupe_pairs SET status = 'open', merge_id = NULL, decided_by = '', decided_at = NULL, version = version + 1, updated_at = ? WHERE id = ?`, tx.now, m.PairID); err != nil {
				return err
			}
		}
		args := map[string]any{"kept": person.DisplayName(), "absorbed": abs.Person.DisplayName(), "merge": m.ID}
		for _, id := range []string{m.KeptID, m.AbsorbedID} {
			if err := tx.eventOnCases(id, m.OrgID, EventUnmerged, args); err != nil {
				return err
			}
		}
		return tx.Audit("person.unmerge", "person", m.KeptID, m.OrgID, map[string]any{"absorbed": m.AbsorbedID, "merge_id": m.ID, "moved": movedCounts(m.Moved)})
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

func (db *DB) mergeFor(ctx context.Context, qr func(string, ...any) *sql.Row, lock, id string, action homeward.Action) (*dedupe.Merge, error) {
	actor := homeward.ActorFromContext(ctx)
	var mj, org string
	if err := qr(`SELECT org_id, merge FROM dedupe_merges WHERE id = ?`+lock, id).Scan(&org, &mj); err != nil {
		if err := homeward.Authorize(actor, action, homeward.Resource{Type: "dedupe_merge", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, action, homeward.Resource{Type: "dedupe_merge", ID: id, OrgID: org}); err != nil {
		return nil, err
	}
	js, err := db.openMerge(ctx, mj, id)
	if err != nil {
		return nil, err
	}
	m := &dedupe.Merge{}
	return m, json.Unmarshal(js, m)
}

// FindMerge returns a merge with its snapshots.
func (db *DB) FindMerge(ctx context.Context, id string) (*dedupe.Merge, error) {
	return db.mergeFor(ctx, func(q string, a ...any) *sql.Row { return db.queryRow(ctx, q, a...) }, "", id, homeward.ActPersonRead)
}

// ListMerges lists the merges a person took part in, newest first.
func (db *DB) ListMerges(ctx context.Context, personID string) ([]dedupe.Merge, error) {
	qr, _ := db.readers(ctx)
	if _, err := db.personOrg(ctx, qr, personID, homeward.ActPersonRead); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT id, merge FROM dedupe_merges WHERE kept_id = ? OR absorbed_id = ? ORDER BY merged_at DESC, id DESC`, personID, personID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []dedupe.Merge{}
	for rows.Next() {
		var id, mj string
		if err := rows.Scan(&id, &mj); err != nil {
			return nil, err
		}
		js, err := db.openMerge(ctx, mj, id)
		if err != nil {
			return nil, err
		}
		var m dedupe.Merge
		if err := json.Unmarshal(js, &m); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CountPairs counts the actor's organisation's pairs by status, leaving out
// open and confirmed pairs of people merged since, as ListPairs does.
func (db *DB) CountPairs(ctx context.Context) (map[dedupe.Status]int, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActDedupeReview, homeward.Resource{Type: "dedupe_pair", OrgID: org}); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT d.status, COUNT(*) FROM dedupe_pairs d WHERE d.org_id = ?
		AND (d.status NOT IN (?, ?) OR NOT EXISTS (SELECT 1 FROM people p WHERE p.id IN (d.person_a, d.person_b) AND p.merged_into IS NOT NULL))
		GROUP BY d.status`, org, string(dedupe.StatusOpen), string(dedupe.StatusSame))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[dedupe.Status]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[dedupe.Status(s)] = n
	}
	return out, rows.Err()
}

// PairScores counts the scores of the actor's organisation's pairs, open
// and decided, into h (for calibrating the thresholds). Pairs are read as
// a stream; only the histogram is kept.
func (db *DB) PairScores(ctx context.Context, h *match.Scores) error {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActDedupeReview, homeward.Resource{Type: "dedupe_pair", OrgID: org}); err != nil {
		return err
	}
	rows, err := db.query(ctx, `SELECT d.score, d.status FROM dedupe_pairs d WHERE d.org_id = ?
		AND (d.status NOT IN (?, ?) OR NOT EXISTS (SELECT 1 FROM people p WHERE p.id IN (d.person_a, d.person_b) AND p.merged_into IS NOT NULL))`,
		org, string(dedupe.StatusOpen), string(dedupe.StatusSame))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var score float64
		var status string
		if err := rows.Scan(&score, &status); err != nil {
			return err
		}
		switch dedupe.Status(status) {
		case dedupe.StatusOpen:
			h.Add(score, false, false)
		case dedupe.StatusSame, dedupe.StatusMerged:
			h.Add(score, true, true)
		case dedupe.StatusDifferent:
			h.Add(score, true, false)
		}
	}
	return rows.Err()
}

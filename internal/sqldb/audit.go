package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"homeward"
)

// errNoAuditKey refuses to write an audit event that nobody could verify
// against rewriting.
var errNoAuditKey = fmt.Errorf("%w: audit events cannot be written: no audit key is configured (HOMEWARD_AUDIT_KEY, --audit-key-file or <data-dir>/audit.key)", homeward.ErrAuditKey)

func appendAudit(tx *Tx, action, recordType, recordID, orgID string, detail any) error {
	e, err := newAuditEvent(tx, action, recordType, recordID, orgID, detail)
	if err != nil {
		return err
	}
	if tx.db.DeferAuditSeal {
		return tx.deferAudit(e)
	}
	if err := tx.link(e); err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO audit_events (`+auditColumnsIn+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, auditValues(e)...); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	return nil
}

// auditColumnsIn names the columns an appended event fills, in the order
// of auditValues.
const auditColumnsIn = `chain, seq, at, actor_id, org_id, action, record_type, record_id, request_id, detail, prev_hash, key_id, hash`

// auditValues returns what an appended event stores (see auditColumnsIn).
func auditValues(e *homeward.AuditEvent) []any {
	return []any{e.Chain, e.Seq, e.At, e.ActorID, e.OrgID, e.Action, e.RecordType, e.RecordID, e.RequestID, e.Detail, e.PrevHash, e.KeyID, e.Hash}
}

// sealAudit makes the next event of orgID's chain for the transaction's
// actor and advances the chain's head in the transaction (written at
// commit); the caller inserts the event, before any other event of the
// chain is sealed (so that a batch of events is inserted in one statement
// and still chains exactly as one at a time would).
func sealAudit(tx *Tx, action, recordType, recordID, orgID string, detail any) (*homeward.AuditEvent, error) {
	e, err := newAuditEvent(tx, action, recordType, recordID, orgID, detail)
	if err != nil {
		return nil, err
	}
	return e, tx.link(e)
}

// newAuditEvent makes an event of orgID's chain for the transaction's
// actor, not yet linked into the chain (see Tx.link and deferAudit).
func newAuditEvent(tx *Tx, action, recordType, recordID, orgID string, detail any) (*homeward.AuditEvent, error) {
	if tx.db.AuditKeys.Primary() == nil {
		return nil, errNoAuditKey
	}
	e := &homeward.AuditEvent{
		Chain: homeward.ChainFor(orgID), At: tx.now, OrgID: orgID, Action: action,
		RecordType: recordType, RecordID: recordID, RequestID: homeward.RequestIDFromContext(tx.ctx),
	}
	switch a := tx.actor; {
	case a == nil:
		e.ActorID = "anonymous"
	case a.System:
		e.ActorID = "system"
	default:
		e.ActorID = a.UserID
		if a.TokenID != "" {
			e.ActorID += "/token:" + a.TokenID
		}
	}
	if detail != nil {
		b, err := json.Marshal(detail)
		if err != nil {
			return nil, fmt.Errorf("audit detail: %w", err)
		}
		e.Detail = string(b)
	}
	return e, nil
}

// link makes e the next event of its chain: it takes the chain's head (on
// PostgreSQL the row lock serialises concurrent appends to one chain),
// gives e the next sequence number and the head's hash, seals it with the
// primary audit key and moves the head in the transaction (written once,
// at commit: flushHeads).
func (tx *Tx) link(e *homeward.AuditEvent) error {
	key := tx.db.AuditKeys.Primary()
	if key == nil {
		return errNoAuditKey
	}
	head, err := tx.takeHead(e.Chain)
	if err != nil {
		return err
	}
	e.Seq, e.PrevHash = head.seq+1, head.hash
	e.Seal(key)
	tx.heads[e.Chain] = &txHead{seq: e.Seq, hash: e.Hash, stored: head.stored}
	return nil
}

// takeHead returns chain's head as the transaction has it, reading it
// first if needed (creating it on first use): the no-op upsert returns the
// current head and, on PostgreSQL, locks its row until commit, so appends
// to one chain are serialised.
func (tx *Tx) takeHead(chain string) (*txHead, error) {
	if h := tx.heads[chain]; h != nil {
		return h, nil
	}
	h := &txHead{}
	if err := tx.QueryRow(`INSERT INTO audit_heads (chain, seq, hash) VALUES (?, 0, '')
		ON CONFLICT (chain) DO UPDATE SET chain = excluded.chain RETURNING seq, hash`, chain).Scan(&h.seq, &h.hash); err != nil {
		return nil, fmt.Errorf("audit head: %w", err)
	}
	h.stored = h.seq
	tx.heads[chain] = h
	return h, nil
}

// txHead is an audit chain's last sequence number and hash, or (caseNumber)
// the last case number given under a prefix, with (stored) the sequence
// number or counter the database holds. A transaction keeps them in memory
// and writes each once, at commit; values are replaced, never changed in
// place, so that a group can restore a failed job's copy.
type txHead struct {
	seq        int64
	hash       string
	caseNumber bool
	stored     int64 // the head's sequence number or the counter's value in the database
}

// flushHeads writes the audit chain heads and case number counters the
// transaction advanced.
func (tx *Tx) flushHeads() error {
	for key, h := range tx.heads {
		if h.seq == h.stored {
			continue
		}
		if h.caseNumber {
			if _, err := tx.Exec(`UPDATE case_numbers SET last = ? WHERE prefix = ?`, h.seq, strings.TrimPrefix(key, caseNumberKey)); err != nil {
				return fmt.Errorf("case number: %w", err)
			}
			continue
		}
		if err := writeHead(tx, key, h.seq, h.hash); err != nil {
			return err
		}
	}
	return nil
}

func writeHead(tx *Tx, chain string, seq int64, hash string) error {
	if _, err := tx.Exec(`UPDATE audit_heads SET seq = ?, hash = ? WHERE chain = ?`, seq, hash, chain); err != nil {
		return fmt.Errorf("audit head: %w", err)
	}
	return nil
}

const auditColumns = `id, chain, seq, at, actor_id, org_id, action, record_type, record_id, request_id, detail, prev_hash, key_id, hash`

func scanAudit(s interface{ Scan(...any) error }) (*homeward.AuditEvent, error) {
	e := &homeward.AuditEvent{}
	err := s.Scan(&e.ID, &e.Chain, &e.Seq, dbTime{&e.At}, &e.ActorID, &e.OrgID, &e.Action, &e.RecordType, &e.RecordID, &e.RequestID, &e.Detail, &e.PrevHash, &e.KeyID, &e.Hash)
	return e, err
}

// FindAuditEvents lists audit events, newest first. Auditors and
// administrators see their organisation's events; those of the operator
// organisation may see all.
func (db *DB) FindAuditEvents(ctx context.Context, f homeward.AuditFilter) ([]*homeward.AuditEvent, string, error) {
	actor := homeward.ActorFromContext(ctx)
	org := ""
	if f.OrgID != nil {
		org = *f.OrgID
	} else if actor != nil && !actor.System && !actor.Operator {
		org = actor.OrgID
	}
	if err := homeward.Authorize(actor, homeward.ActAuditRead, homeward.Resource{Type: "audit", OrgID: org}); err != nil {
		return nil, "", err
	}
	q := `SELECT ` + auditColumns + ` FROM audit_events WHERE 1=1`
	var args []any
	if org != "" {
		q += ` AND org_id = ?`
		args = append(args, org)
	}
	if f.RecordType != nil {
		q += ` AND record_type = ?`
		args = append(args, *f.RecordType)
	}
	if f.RecordID != nil {
		q += ` AND record_id = ?`
		args = append(args, *f.RecordID)
	}
	if f.ActorID != nil {
		q += ` AND actor_id = ?`
		args = append(args, *f.ActorID)
	}
	if f.Action != nil {
		q += ` AND action = ?`
		args = append(args, *f.Action)
	}
	if f.Since != nil {
		q += ` AND at >= ?`
		args = append(args, f.Since.UTC())
	}
	if f.Until != nil {
		q += ` AND at < ?`
		args = append(args, f.Until.UTC())
	}
	if f.After != "" {
		id, err := parseIntCursor(f.After)
		if err != nil {
			return nil, "", err
		}
		q += ` AND id < ?`
		args = append(args, id)
	}
	limit := pageLimit(f.Limit)
	q += ` ORDER BY id DESC LIMIT ?`
	args = append(args, limit+1)
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var out []*homeward.AuditEvent
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = fmt.Sprint(out[limit-1].ID)
	}
	return out, next, nil
}

// VerifyAudit walks every chain in order and reports, per chain, the first
// event that was changed, deleted, reordered or rewritten without the audit
// key, and chains whose newest events were removed (as far as the heads
// show: see VerifyAuditCheckpoint).
func (db *DB) VerifyAudit(ctx context.Context) (*homeward.AuditReport, error) {
	rep, _, err := db.verifyAudit(ctx, nil)
	return rep, err
}

// VerifyAuditCheckpoint is VerifyAudit that also compares every chain with
// a checkpoint (see AuditCheckpoint), after checking its signature: events
// deleted from the end of a chain, and chains replaced or removed since
// the checkpoint, are reported.
func (db *DB) VerifyAuditCheckpoint(ctx context.Context, cp *homeward.AuditCheckpoint) (*homeward.AuditReport, error) {
	if err := homeward.VerifyCheckpoint(db.AuditKeys, cp); err != nil {
		return nil, err
	}
	rep, _, err := db.verifyAudit(ctx, cp)
	return rep, err
}

// AuditCheckpoint verifies the whole log and, if it is intact, returns a
// checkpoint of every chain's head signed with the primary audit key (the
// report says what is wrong otherwise, and the checkpoint is nil). Only the
// system and the operator's staff may make one: it covers every chain.
func (db *DB) AuditCheckpoint(ctx context.Context) (*homeward.AuditCheckpoint, *homeward.AuditReport, error) {
	actor := homeward.ActorFromContext(ctx)
	if actor == nil || !(actor.System || actor.Operator) {
		return nil, nil, homeward.Errorf(homeward.EFORBIDDEN, "error.forbidden", "Only the operator may anchor the audit log.")
	}
	key := db.AuditKeys.Primary()
	if key == nil {
		return nil, nil, errNoAuditKey
	}
	rep, heads, err := db.verifyAudit(ctx, nil)
	if err != nil || !rep.OK() {
		return nil, rep, err
	}
	return homeward.SignCheckpoint(key, db.Now(), heads), rep, nil
}

type chainHeadRow struct {
	seq   int64
	hash  string
	keyID string
}

// auditHeads reads every chain's recorded head with the key id of the event
// it names.
func (db *DB) auditHeads(ctx context.Context) (map[string]chainHeadRow, []string, error) {
	heads := map[string]chainHeadRow{}
	rows, err := db.query(ctx, `SELECT h.chain, h.seq, h.hash, COALESCE(e.key_id, '') FROM audit_heads h
		LEFT JOIN audit_events e ON e.chain = h.chain AND e.seq = h.seq ORDER BY h.chain`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var chains []string
	for rows.Next() {
		var c string
		var h chainHeadRow
		if err := rows.Scan(&c, &h.seq, &h.hash, &h.keyID); err != nil {
			return nil, nil, err
		}
		heads[c] = h
		chains = append(chains, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	return heads, chains, nil
}

// checkHeadKeys returns a clear error when a chain's newest event is keyed
// with a key the keyring lacks: the wrong key is configured.
func (db *DB) checkHeadKeys(heads map[string]chainHeadRow) error {
	for _, h := range heads {
		if h.keyID != "" && db.AuditKeys.Key(h.keyID) == nil {
			have := "none"
			if k := db.AuditKeys.Primary(); k != nil {
				have = k.ID()
			}
			return fmt.Errorf("%w: the audit log is keyed with audit key %s, but the configured audit key is %s: give the key this database was written with (--audit-key-file, HOMEWARD_AUDIT_KEY or <data-dir>/audit.key); if it is the right key, the log was altered",
				homeward.ErrAuditKey, h.keyID, have)
		}
	}
	return nil
}

// CheckAuditKeys returns an error naming the audit key the log's chains
// are keyed with when the configured keys do not include it, so that a
// process with the wrong key (a new key file on a restored database) stops
// before it writes events nobody can verify together.
func (db *DB) CheckAuditKeys(ctx context.Context) error {
	heads, _, err := db.auditHeads(ctx)
	if err != nil {
		return err
	}
	return db.checkHeadKeys(heads)
}

// KeyLegacyAudit binds the events written before the audit key existed:
// while no chain is keyed yet, it appends one keyed audit.key.introduced
// event to every chain, all in one transaction, whose MAC covers the
// unkeyed prefix. Once any chain is keyed it does nothing, so that a chain
// rewritten without the key later is reported, never legitimised. It
// returns the number of chains it keyed.
func (db *DB) KeyLegacyAudit(ctx context.Context) (int, error) {
	key := db.AuditKeys.Primary()
	if key == nil {
		return 0, errNoAuditKey
	}
	heads, chains, err := db.auditHeads(ctx)
	if err != nil {
		return 0, err
	}
	var todo []string
	for _, c := range chains {
		h := heads[c]
		if h.keyID != "" {
			return 0, nil
		}
		if h.seq > 0 {
			todo = append(todo, c)
		}
	}
	if len(todo) == 0 {
		return 0, nil
	}
	ctx = homeward.NewContextWithActor(ctx, homeward.SystemActor)
	err = db.Transact(ctx, func(tx *Tx) error {
		for _, c := range todo {
			org := c
			if c == homeward.SystemChain {
				org = ""
			}
			if err := appendAudit(tx, "audit.key.introduced", "audit", c, org, map[string]any{"key_id": key.ID(), "unkeyed_events": heads[c].seq}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(todo), nil
}

// verifyAudit walks the chains the actor may see, compared with cp if it
// is not nil, and returns the report and the heads it walked to.
func (db *DB) verifyAudit(ctx context.Context, cp *homeward.AuditCheckpoint) (*homeward.AuditReport, []homeward.ChainHead, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActAuditVerify, homeward.Resource{Type: "audit", OrgID: orgUnlessOperator(actor)}); err != nil {
		return nil, nil, err
	}
	// The chains named by events are read before the heads: a head is
	// written in the transaction that adds a chain's events, so every chain
	// found here has its head in the read below, even while others write.
	rows, err := db.query(ctx, `SELECT DISTINCT chain FROM audit_events`)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var eventChains []string
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, nil, err
		}
		eventChains = append(eventChains, c)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	rows.Close()
	heads, chains, err := db.auditHeads(ctx)
	if err != nil {
		return nil, nil, err
	}
	if db.afterAuditHeads != nil {
		db.afterAuditHeads()
	}
	if err := db.checkHeadKeys(heads); err != nil {
		return nil, nil, err
	}
	// Once any chain is keyed, every chain was given a keyed event (see
	// KeyLegacyAudit), so a chain with none was written without the key.
	anyKeyed := false
	for _, h := range heads {
		anyKeyed = anyKeyed || h.keyID != ""
	}
	// Chains present in events but without a head are reported too.
	for _, c := range eventChains {
		if _, ok := heads[c]; !ok {
			heads[c] = chainHeadRow{seq: -1}
			chains = append(chains, c)
		}
	}
	visible := func(c string) bool {
		return actor == nil || actor.System || actor.Operator || c == actor.OrgID
	}
	report := &homeward.AuditReport{Problems: []homeward.AuditProblem{}}
	expect := map[string]*homeward.ChainHead{}
	if cp != nil {
		at := cp.At
		report.Checkpoint = &at
		for i := range cp.Chains {
			h := &cp.Chains[i]
			expect[h.Chain] = h
			if _, ok := heads[h.Chain]; !ok && h.Seq > 0 && visible(h.Chain) {
				report.Problems = append(report.Problems, homeward.AuditProblem{Chain: h.Chain, Kind: "truncated",
					Text: fmt.Sprintf("the chain is gone: the checkpoint recorded %d events", h.Seq)})
			}
		}
	}
	var walked []homeward.ChainHead
	for _, c := range chains {
		if !visible(c) {
			continue
		}
		v := &homeward.ChainVerifier{Chain: c, Keys: db.AuditKeys, RequireKeyed: anyKeyed, Expect: expect[c]}
		if err := db.walkChain(ctx, v, heads[c].seq); err != nil {
			return nil, nil, err
		}
		h := heads[c]
		v.Finish(h.seq, h.hash)
		report.Chains++
		report.Events += v.Count
		report.Unkeyed += v.Unkeyed
		if v.Problem != nil {
			report.Problems = append(report.Problems, *v.Problem)
		}
		walked = append(walked, v.Head())
	}
	if err := db.checkPending(ctx, report, visible); err != nil {
		return nil, nil, err
	}
	return report, walked, nil
}

// walkChain feeds v the events of its chain in order, up to the head's
// sequence number read before (upTo; every event if negative): events
// appended since belong to a newer head, and counting them would report a
// log being written to as truncated.
func (db *DB) walkChain(ctx context.Context, v *homeward.ChainVerifier, upTo int64) error {
	if upTo < 0 {
		upTo = math.MaxInt64
	}
	rows, err := db.query(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE chain = ? AND seq <= ? ORDER BY seq, id`, v.Chain, upTo)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanAudit(rows)
		if err != nil {
			return err
		}
		v.Check(e)
	}
	return rows.Err()
}

func orgUnlessOperator(a *homeward.Actor) string {
	if a == nil || a.System || a.Operator {
		return ""
	}
	return a.OrgID
}

var errNoRows = sql.ErrNoRows

func notFound(err error) error {
	if errors.Is(err, errNoRows) {
		return homeward.Errorf(homeward.ENOTFOUND, "error.not_found", "Not found.")
	}
	return err
}

// AuditActivity sums each user's audit events from since to until: how
// many, over how many records, how many exports and downloads, and how
// many outside working hours in loc, busiest first, each with the flags
// that make it unusual (see homeward.AuditActivity). An auditor sees their
// organisation's users; the operator's, everyone's. The events are read
// once, as a stream of three short columns.
func (db *DB) AuditActivity(ctx context.Context, since, until time.Time, loc *time.Location) ([]*homeward.AuditActivity, error) {
	actor := homeward.ActorFromContext(ctx)
	org := ""
	if actor != nil && !actor.System && !actor.Operator {
		org = actor.OrgID
	}
	if err := homeward.Authorize(actor, homeward.ActAuditRead, homeward.Resource{Type: "audit", OrgID: org}); err != nil {
		return nil, err
	}
	q := `SELECT actor_id, org_id, at, action, record_type, record_id FROM audit_events WHERE at >= ? AND at < ? AND actor_id NOT IN ('', 'system')`
	args := []any{since.UTC(), until.UTC()}
	if org != "" {
		q += ` AND org_id = ?`
		args = append(args, org)
	}
	rows, err := db.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type key struct{ actor, org string }
	acts := map[key]*homeward.AuditActivity{}
	records := map[key]map[string]struct{}{}
	// opened[k][day] holds the records a user opened on a local day.
	opened := map[key]map[string]map[string]struct{}{}
	for rows.Next() {
		var k key
		var at time.Time
		var action, rtype, rid string
		if err := rows.Scan(&k.actor, &k.org, dbTime{&at}, &action, &rtype, &rid); err != nil {
			return nil, err
		}
		a := acts[k]
		if a == nil {
			a = &homeward.AuditActivity{ActorID: k.actor, OrgID: k.org}
			acts[k], records[k] = a, map[string]struct{}{}
		}
		a.Events++
		if rid != "" {
			records[k][rtype+"/"+rid] = struct{}{}
		}
		if strings.Contains(action, "export") || strings.Contains(action, "download") {
			a.Exports++
		}
		local := at.In(loc)
		if h := local.Hour(); h < 7 || h >= 20 || local.Weekday() == time.Friday {
			a.OffHours++
		}
		if action == "person.read" {
			a.Opened++
			day := local.Format(time.DateOnly)
			if opened[k] == nil {
				opened[k] = map[string]map[string]struct{}{}
			}
			if opened[k][day] == nil {
				opened[k][day] = map[string]struct{}{}
			}
			opened[k][day][rid] = struct{}{}
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]*homeward.AuditActivity, 0, len(acts))
	perOrg := map[string][]int{}
	readers := map[string][]int{}
	for k, a := range acts {
		a.Records = len(records[k])
		out = append(out, a)
		perOrg[a.OrgID] = append(perOrg[a.OrgID], a.Events)
		for _, recs := range opened[k] {
			a.BusiestDay = max(a.BusiestDay, len(recs))
		}
		if a.BusiestDay > 0 {
			readers[a.OrgID] = append(readers[a.OrgID], a.BusiestDay)
		}
	}
	readMedian := map[string]float64{}
	for o, ns := range readers {
		readMedian[o] = medianOf(ns)
	}
	median := map[string]float64{}
	for o, ns := range perOrg {
		slices.Sort(ns)
		m := float64(ns[len(ns)/2])
		if len(ns)%2 == 0 {
			m = float64(ns[len(ns)/2-1]+ns[len(ns)/2]) / 2
		}
		median[o] = m
	}
	for _, a := range out {
		if len(perOrg[a.OrgID]) > 1 && float64(a.Events) > 3*median[a.OrgID] && a.Events > 50 {
			a.Flags = append(a.Flags, "many")
		}
		if len(readers[a.OrgID]) > 1 && a.BusiestDay >= 20 && float64(a.BusiestDay) > 3*readMedian[a.OrgID] {
			a.Flags = append(a.Flags, "reads")
		}
		if a.Exports >= 5 {
			a.Flags = append(a.Flags, "exports")
		}
		if a.Events >= 10 && 3*a.OffHours > a.Events {
			a.Flags = append(a.Flags, "off_hours")
		}
	}
	slices.SortFunc(out, func(x, y *homeward.AuditActivity) int {
		return cmp.Or(cmp.Compare(min(len(y.Flags), 1), min(len(x.Flags), 1)), cmp.Compare(y.Events, x.Events), cmp.Compare(x.ActorID, y.ActorID))
	})
	return out, nil
}

// medianOf returns the median of ns (sorted in place).
func medianOf(ns []int) float64 {
	slices.Sort(ns)
	if len(ns)%2 == 0 {
		return float64(ns[len(ns)/2-1]+ns[len(ns)/2]) / 2
	}
	return float64(ns[len(ns)/2])
}

package sqldb

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"homeward"
)

// Deferred sealing (issue 19). Linking an event into its chain needs the
// chain's head, and on PostgreSQL that row stays locked until the
// transaction commits: every write of an organisation then waits for the one
// before it to commit, across every node. With DB.DeferAuditSeal a
// transaction instead inserts its events into audit_pending, committed with
// the rest of its work, and SealPendingAudit links them, oldest first, in a
// transaction of its own that moves them into audit_events and advances the
// heads. One sealer runs at a time (an advisory lock on PostgreSQL, the
// single writer on SQLite), so the heads are only ever waited for by
// sealers and by the few writers that still seal inline (imports, the
// command line). A crash before the sealer's commit leaves the events
// pending for the next sealer; none is lost or sealed twice.

// DefaultUnsealedAfter is how long an event may wait in audit_pending before
// verification reports it: far longer than a running sealer takes.
const DefaultUnsealedAfter = time.Minute

// auditSealLock is the PostgreSQL advisory lock the sealers share.
const auditSealLock = 7243191

// pendingColumns names the columns of audit_pending an event fills, in the
// order of pendingValues.
const pendingColumns = `chain, at, actor_id, org_id, action, record_type, record_id, request_id, detail`

func pendingValues(e *homeward.AuditEvent) []any {
	return []any{e.Chain, e.At, e.ActorID, e.OrgID, e.Action, e.RecordType, e.RecordID, e.RequestID, e.Detail}
}

// deferAudit stores e for the sealer, in the transaction.
func (tx *Tx) deferAudit(e *homeward.AuditEvent) error {
	if _, err := tx.Exec(`INSERT INTO audit_pending (`+pendingColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, pendingValues(e)...); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	return nil
}

// SealPendingAudit links up to limit pending audit events, oldest first,
// into their chains in one transaction, and returns how many it linked: 0
// also when another process is sealing (PostgreSQL). Call it again while it
// returns limit.
func (db *DB) SealPendingAudit(ctx context.Context, limit int) (int, error) {
	if db.AuditKeys.Primary() == nil {
		return 0, errNoAuditKey
	}
	n := 0
	err := db.Transact(homeward.NewContextWithActor(ctx, homeward.SystemActor), func(tx *Tx) error {
		n = 0
		if db.dialect == postgres {
			var mine bool
			if err := tx.QueryRow(`SELECT pg_try_advisory_xact_lock(?)`, auditSealLock).Scan(&mine); err != nil || !mine {
				return err
			}
		}
		events, err := tx.pendingAudit(limit)
		if err != nil || len(events) == 0 {
			return err
		}
		// Heads are taken in chain order, so that a sealer and an inline
		// writer holding several heads never wait for each other in a cycle.
		var chains []string
		for _, e := range events {
			chains = append(chains, e.Chain)
		}
		slices.Sort(chains)
		for _, c := range slices.Compact(chains) {
			if _, err := tx.takeHead(c); err != nil {
				return err
			}
		}
		vals := make([]any, 0, 13*len(events))
		ids := make([]any, 0, len(events))
		for _, e := range events {
			ids = append(ids, e.ID)
			if err := tx.link(e); err != nil {
				return err
			}
			vals = append(vals, auditValues(e)...)
		}
		if err := tx.writeRows("audit_events", auditColumnsIn, vals); err != nil {
			return fmt.Errorf("audit seal: %w", err)
		}
		if _, err := tx.Exec(`DELETE FROM audit_pending WHERE id IN (?`+strings.Repeat(", ?", len(ids)-1)+`)`, ids...); err != nil {
			return fmt.Errorf("audit seal: %w", err)
		}
		n = len(events)
		if db.beforeSealCommit != nil {
			return db.beforeSealCommit()
		}
		return nil
	})
	return n, err
}

// pendingAudit reads up to limit pending events, oldest first.
func (tx *Tx) pendingAudit(limit int) ([]*homeward.AuditEvent, error) {
	rows, err := tx.Query(`SELECT id, `+pendingColumns+` FROM audit_pending ORDER BY id LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*homeward.AuditEvent
	for rows.Next() {
		e := &homeward.AuditEvent{}
		if err := rows.Scan(&e.ID, &e.Chain, dbTime{&e.At}, &e.ActorID, &e.OrgID, &e.Action, &e.RecordType, &e.RecordID, &e.RequestID, &e.Detail); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RunAuditSealer seals pending audit events every interval until ctx ends,
// reporting failures to fail (a database that is down is retried at the
// next tick).
func (db *DB) RunAuditSealer(ctx context.Context, interval time.Duration, fail func(error)) {
	const batch = 500
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		// A read first: most ticks find nothing, and on SQLite a write
		// transaction would take the writer's turn for it.
		var pending bool
		err := db.queryRow(ctx, `SELECT EXISTS (SELECT 1 FROM audit_pending)`).Scan(&pending)
		if err != nil && ctx.Err() == nil {
			fail(err)
		}
		for pending {
			n, err := db.SealPendingAudit(ctx, batch)
			if err != nil && ctx.Err() == nil {
				fail(err)
			}
			if err != nil || n < batch {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// checkPending adds to report the chains whose pending events have waited
// longer than db.UnsealedAfter (a problem: no sealer runs, or it fails) and
// counts the others as pending.
func (db *DB) checkPending(ctx context.Context, report *homeward.AuditReport, visible func(string) bool) error {
	rows, err := db.query(ctx, `SELECT chain, COUNT(*), MIN(at) FROM audit_pending GROUP BY chain ORDER BY chain`)
	if err != nil {
		return err
	}
	defer rows.Close()
	limit := cmp.Or(db.UnsealedAfter, DefaultUnsealedAfter)
	now := db.Now()
	for rows.Next() {
		var chain string
		var n int64
		var oldest time.Time
		if err := rows.Scan(&chain, &n, dbTime{&oldest}); err != nil {
			return err
		}
		if !visible(chain) {
			continue
		}
		if age := now.Sub(oldest); age > limit {
			report.Problems = append(report.Problems, homeward.AuditProblem{Chain: chain, Kind: "unsealed",
				Text: fmt.Sprintf("%d events not linked into the chain, the oldest for %v (more than %v): no sealer is running, or it fails", n, age.Round(time.Second), limit)})
			continue
		}
		report.Pending += n
	}
	return rows.Err()
}

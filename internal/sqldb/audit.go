package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"homeward"
)

func appendAudit(tx *Tx, action, recordType, recordID, orgID string, detail any) error {
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
			return fmt.Errorf("audit detail: %w", err)
		}
		e.Detail = string(b)
	}
	// Take the chain's head, creating it on first use. On PostgreSQL the row
	// lock serialises concurrent appends to one chain.
	var seq int64
	head := tx.heads[e.Chain]
	if head != nil {
		seq, e.PrevHash = head.seq, head.hash
	} else {
		// The no-op upsert returns the current head and, on PostgreSQL,
		// locks its row until commit, so appends to one chain are serialised.
		if err := tx.QueryRow(`INSERT INTO audit_heads (chain, seq, hash) VALUES (?, 0, '')
			ON CONFLICT (chain) DO UPDATE SET chain = excluded.chain RETURNING seq, hash`, e.Chain).Scan(&seq, &e.PrevHash); err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
	}
	e.Seq = seq + 1
	e.Hash = e.ComputeHash()
	if _, err := tx.Exec(`INSERT INTO audit_events (chain, seq, at, actor_id, org_id, action, record_type, record_id, request_id, detail, prev_hash, hash)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		e.Chain, e.Seq, e.At, e.ActorID, e.OrgID, e.Action, e.RecordType, e.RecordID, e.RequestID, e.Detail, e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("audit append: %w", err)
	}
	// The head is written once, at commit (flushHeads).
	tx.heads[e.Chain] = &txHead{seq: e.Seq, hash: e.Hash}
	return nil
}

// txHead is an audit chain's last sequence number and hash, or (caseNumber)
// the last case number given under a prefix. A transaction keeps them in memory
// and writes each once, at commit; values are replaced, never changed in
// place, so that a group can restore a failed job's copy.
type txHead struct {
	seq        int64
	hash       string
	caseNumber bool
}

// flushHeads writes the audit chain heads and case number counters the
// transaction advanced.
func (tx *Tx) flushHeads() error {
	for key, h := range tx.heads {
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

const auditColumns = `id, chain, seq, at, actor_id, org_id, action, record_type, record_id, request_id, detail, prev_hash, hash`

func scanAudit(s interface{ Scan(...any) error }) (*homeward.AuditEvent, error) {
	e := &homeward.AuditEvent{}
	err := s.Scan(&e.ID, &e.Chain, &e.Seq, dbTime{&e.At}, &e.ActorID, &e.OrgID, &e.Action, &e.RecordType, &e.RecordID, &e.RequestID, &e.Detail, &e.PrevHash, &e.Hash)
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
// event that was changed, deleted or reordered, and chains whose newest
// events were removed.
func (db *DB) VerifyAudit(ctx context.Context) (*homeward.AuditReport, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActAuditVerify, homeward.Resource{Type: "audit", OrgID: orgUnlessOperator(actor)}); err != nil {
		return nil, err
	}
	heads := map[string][2]any{}
	rows, err := db.query(ctx, `SELECT chain, seq, hash FROM audit_heads ORDER BY chain`)
	if err != nil {
		return nil, err
	}
	var chains []string
	for rows.Next() {
		var c, h string
		var s int64
		if err := rows.Scan(&c, &s, &h); err != nil {
			rows.Close()
			return nil, err
		}
		heads[c] = [2]any{s, h}
		chains = append(chains, c)
	}
	rows.Close()
	// Chains present in events but without a head are reported too.
	rows, err = db.query(ctx, `SELECT DISTINCT chain FROM audit_events`)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			rows.Close()
			return nil, err
		}
		if _, ok := heads[c]; !ok {
			heads[c] = [2]any{int64(-1), ""}
			chains = append(chains, c)
		}
	}
	rows.Close()
	report := &homeward.AuditReport{Problems: []homeward.AuditProblem{}}
	for _, c := range chains {
		if actor != nil && !actor.System && !actor.Operator && c != actor.OrgID {
			continue
		}
		v := &homeward.ChainVerifier{Chain: c}
		rows, err := db.query(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE chain = ? ORDER BY seq, id`, c)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			e, err := scanAudit(rows)
			if err != nil {
				rows.Close()
				return nil, err
			}
			v.Check(e)
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return nil, err
		}
		rows.Close()
		h := heads[c]
		v.Finish(h[0].(int64), h[1].(string))
		report.Chains++
		report.Events += v.Count
		if v.Problem != nil {
			report.Problems = append(report.Problems, *v.Problem)
		}
	}
	return report, nil
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

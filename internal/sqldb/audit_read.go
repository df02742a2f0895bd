package sqldb

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"homeward"
)

// RecordRead appends a read of protected data to the audit log, in the
// chain of the organisation that holds the record, before the data is
// shown: a read that cannot be recorded is refused. On SQLite it shares a
// commit with other small writes (TransactGrouped), so that opening a page
// costs little more than reading it.
func (db *DB) RecordRead(ctx context.Context, e homeward.RecordRead) error {
	actor := homeward.ActorFromContext(ctx)
	if actor == nil {
		return homeward.Errorf(homeward.EUNAUTHORIZED, "error.unauthorized", "Sign in first.")
	}
	if !strings.HasSuffix(e.Action, ".read") && !strings.HasSuffix(e.Action, ".search") {
		return fmt.Errorf("sqldb: %q is not a read", e.Action)
	}
	var detail any
	if len(e.Detail) > 0 {
		detail = e.Detail
	}
	return db.TransactGrouped(ctx, func(tx *Tx) error {
		return tx.Audit(e.Action, e.RecordType, e.RecordID, e.OrgID, detail)
	})
}

// Readers lists who opened a record (person.read, assessment.read, and the
// searches that returned it), newest first, for the supervisors and
// auditors of the record's organisation.
func (db *DB) Readers(ctx context.Context, recordType, recordID string, limit int) ([]homeward.Reader, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActAuditReaders, homeward.Resource{Type: "audit", OrgID: org}); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	rows, err := db.query(ctx, `SELECT actor_id, at, action, detail FROM audit_events
		WHERE record_type = ? AND record_id = ? AND org_id = ? AND action IN ('person.read', 'assessment.read')
		ORDER BY at DESC, seq DESC LIMIT ?`, recordType, recordID, org, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []homeward.Reader{}
	for rows.Next() {
		var r homeward.Reader
		var detail string
		var at time.Time
		if err := rows.Scan(&r.ActorID, dbTime{&at}, &r.Action, &detail); err != nil {
			return nil, err
		}
		r.At = at
		var d struct {
			Via string `json:"via"`
		}
		if detail != "" && json.Unmarshal([]byte(detail), &d) == nil {
			r.Via = d.Via
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

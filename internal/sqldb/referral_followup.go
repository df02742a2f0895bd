package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"homeward/internal/referral"
)

// nextFollowUp is the value of service_deliveries.next_follow_up for d, a
// record of a referral in state s: the date of its next follow-up, or NULL
// when none is expected. Every write of a delivery record stores it, and a
// referral that ends unfinished clears it (see Tx.saveReferral), so that
// the follow-ups due are one indexed range.
func (db *DB) nextFollowUp(d *referral.Delivery, s referral.State) any {
	return nextFollowUpIn(d, s, db.zone())
}

// nextFollowUpIn is nextFollowUp in time zone loc. The migration that fills
// in the column runs before a caller can set DB.Zone, so it uses
// homeward.DefaultZone.
func nextFollowUpIn(d *referral.Delivery, s referral.State, loc *time.Location) any {
	if due, ok := d.NextFollowUpIn(s, loc); ok {
		return due
	}
	return nil
}

// followUpDue selects (in service_deliveries d) the organisation's records
// whose next follow-up is due by a date.
const followUpDue = `d.org_id = ? AND d.next_follow_up <= ?`

// followUpsDue lists the organisation's grants and job placements whose
// next follow-up is due by today (in the instance's time zone), the most
// overdue first, at most limit.
func (db *DB) followUpsDue(ctx context.Context, org string, limit int) ([]referral.DueFollowUp, error) {
	today := db.today(ctx)
	rows, err := db.query(ctx, `SELECT `+deliveryColumns+`, d.next_follow_up FROM service_deliveries d
		WHERE `+followUpDue+` ORDER BY d.next_follow_up, d.id LIMIT `+itoa(limit), org, today)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []referral.DueFollowUp{}
	for rows.Next() {
		var due string
		d, err := scanDelivery(scanWith{rows, []any{&due}})
		if err != nil {
			return nil, err
		}
		out = append(out, referral.DueFollowUp{Delivery: *d, Due: due})
	}
	return out, rows.Err()
}

// countFollowUpsDue counts what followUpsDue lists.
func (db *DB) countFollowUpsDue(ctx context.Context, org string) (int, error) {
	return db.count(ctx, `service_deliveries d`, followUpDue, org, db.today(ctx))
}

// scanWith scans a row into the destinations a scan function gives,
// followed by more of the caller's.
type scanWith struct {
	s    scanner
	more []any
}

func (w scanWith) Scan(dest ...any) error { return w.s.Scan(append(dest, w.more...)...) }

// backfillNextFollowUp fills in next_follow_up (migration 9) for the
// delivery records written before it, by the rule every write now applies.
// Only grants and job placements have follow-ups. It reads in batches by id:
// a transaction's connection cannot write while a result is open on it.
func backfillNextFollowUp(ctx context.Context, tx *sql.Tx, d dialect) error {
	const batch = 500
	after := ""
	for {
		rows, err := tx.QueryContext(ctx, d.rebind(`SELECT d.id, d.delivery, r.state FROM service_deliveries d JOIN referrals r ON r.id = d.referral_id
			WHERE d.kind IN ('grant', 'placement') AND d.id > ? ORDER BY d.id LIMIT `+itoa(batch)), after)
		if err != nil {
			return err
		}
		type due struct{ id, date string }
		var dues []due
		n := 0
		for rows.Next() {
			var id, js, state string
			if err := rows.Scan(&id, &js, &state); err != nil {
				rows.Close()
				return err
			}
			n, after = n+1, id
			var del referral.Delivery
			if err := json.Unmarshal([]byte(js), &del); err != nil {
				rows.Close()
				return fmt.Errorf("delivery record %s: %w", id, err)
			}
			if date, ok := nextFollowUpIn(&del, referral.State(state), defaultZone).(string); ok {
				dues = append(dues, due{id, date})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, x := range dues {
			if _, err := tx.ExecContext(ctx, d.rebind(`UPDATE service_deliveries SET next_follow_up = ? WHERE id = ?`), x.date, x.id); err != nil {
				return err
			}
		}
		if n < batch {
			return nil
		}
	}
}

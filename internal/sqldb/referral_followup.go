package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"homeward/internal/referral"
)

// maxFollowUps bounds the follow-ups listed as tasks.
const maxFollowUps = 50

// nextFollowUp is the value of service_deliveries.next_follow_up for d, a
// record of a referral in state s: the date of its next follow-up, or NULL
// when none is expected. Every write of a delivery record stores it, and a
// referral that ends unfinished clears it (see Tx.saveReferral), so that
// the follow-ups due are one indexed range.
func nextFollowUp(d *referral.Delivery, s referral.State) any {
	if due, ok := d.NextFollowUpIn(s); ok {
		return due
	}
	return nil
}

// followUpsDue lists the organisation's grants and job placements whose
// next follow-up (referral.Delivery.NextFollowUp) is due by today, for
// referrals that did not end unfinished, the most overdue first. The rule
// reads the records themselves, so the query only narrows to the kinds
// and referral states that can have one.
func (db *DB) followUpsDue(ctx context.Context, org string) ([]referral.DueFollowUp, error) {
	rows, err := db.query(ctx, `SELECT `+deliveryColumns+` FROM service_deliveries d JOIN referrals r ON r.id = d.referral_id
		WHERE d.org_id = ? AND d.kind IN ('grant', 'placement') AND r.state IN ('accepted', 'in_progress', 'completed') ORDER BY d.id LIMIT 2000`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	today := db.Now().UTC().Format(time.DateOnly)
	out := []referral.DueFollowUp{}
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return nil, err
		}
		if due, ok := d.NextFollowUp(); ok && due <= today {
			out = append(out, referral.DueFollowUp{Delivery: *d, Due: due})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b referral.DueFollowUp) int { return strings.Compare(a.Due, b.Due) })
	if len(out) > maxFollowUps {
		out = out[:maxFollowUps]
	}
	return out, nil
}

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
			if date, ok := nextFollowUp(&del, referral.State(state)).(string); ok {
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

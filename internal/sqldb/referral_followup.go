package sqldb

import (
	"context"
	"slices"
	"strings"
	"time"

	"homeward/internal/referral"
)

// maxFollowUps bounds the follow-ups listed as tasks.
const maxFollowUps = 50

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

package sqldb

import (
	"homeward/internal/registry"
)

// followPlan lets the case move on by itself, in the transaction of the
// event that moves it (a referral accepted, the plan's last outcome
// recorded): the registry's rule decides; the move is saved, put on the
// timeline and audited in the case's organisation.
func (tx *Tx) followPlan(caseID string, p registry.PlanProgress) error {
	if caseID == "" {
		return nil
	}
	c, version, err := scanCase(tx.QueryRow(`SELECT `+caseColumns+` FROM cases c WHERE c.id = ?`+tx.db.dialect.forUpdate(), caseID))
	if err != nil {
		return err
	}
	from := c.Status
	ev, moved := c.FollowPlan(p, tx.now)
	if !moved {
		return nil
	}
	res, err := tx.Exec(`UPDATE cases SET status = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ?`, string(c.Status), tx.now, caseID, version)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return staleVersion()
	}
	if err := tx.addEvent(c.OrgID, ev); err != nil {
		return err
	}
	return tx.Audit("case.status_followed", "case", caseID, c.OrgID, map[string]any{"from": from, "to": c.Status, "because": ev.Summary.Args["because"]})
}

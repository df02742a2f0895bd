package sqldb

import (
	"fmt"
	"strings"

	"homeward/internal/registry"
)

// numberSlot stands for the case number in the timeline event written by
// openCaseAudited's one statement, which replaces it with the number it
// takes (the event holds ids, times and the number, nothing a user typed).
const numberSlot = "{{case-number}}"

// openCaseAudited opens a registration's case with its timeline event and
// the registration's audit event (ids only, never the case number: an
// erased person's number must not stay in the chain, which can never be
// changed).
//
// On PostgreSQL every registration of an organisation waits for the
// organisation's audit chain head and the series' case number counter,
// both locked to commit, so what counts is how many round trips they are
// held for. There the head is taken first (lockOrder) and the audit event
// sealed, then one statement numbers the case, inserts it, its event and
// the audit event and advances the head: the counter is held for that
// statement and the commit, the head for one statement more.
//
// Measured with bench register --database (one node, 8 clients, 10,000
// registrations, alternated): 946 and 977/s, p99 35.7 and 32.1 ms, with a
// statement each (case, event, audit) after the counter's; 1,265 and
// 1,227/s, p99 20.0 and 21.9 ms with this one. (On three nodes sharing
// two cores an earlier session saw no better p99 and took it out; there the
// processes' competition for the cores outweighs the round trips.)
func (tx *Tx) openCaseAudited(c *registry.Case, p *registry.Person, pp *preparedPerson, country string) error {
	// The audit event's detail, once the case has its id (caseValues).
	detail := func() map[string]any { return map[string]any{"case_id": c.ID} }
	prefix, alpha3, year := tx.caseSeries(country)
	if tx.db.dialect != postgres || tx.heads[caseNumberKey+prefix] != nil {
		if err := tx.openCase(c, p, pp, country); err != nil {
			return err
		}
		if err := tx.addEvent(p.OrgID, registry.NewCaseEvent(c.ID, registry.EventCaseOpened, "", tx.now, map[string]any{"number": c.Number})); err != nil {
			return err
		}
		return tx.Audit("person.register", "person", p.ID, p.OrgID, detail())
	}
	cv := tx.caseValues(c, "", p, pp)
	e, err := newAuditEvent(tx, "person.register", "person", p.ID, p.OrgID, detail())
	if err != nil {
		return err
	}
	// The audit event is inserted pending (deferred sealing), or sealed
	// here and the head moved in the same statement.
	audit := `audit_pending (` + pendingColumns + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?))`
	auditArgs := pendingValues(e)
	if !tx.db.DeferAuditSeal {
		if err := tx.link(e); err != nil {
			return err
		}
		audit = `audit_events (` + auditColumnsIn + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)),
		h AS (
			UPDATE audit_heads SET seq = ?, hash = ? WHERE chain = ?)`
		auditArgs = append(auditValues(e), e.Seq, e.Hash, e.Chain)
	}
	ev, err := tx.eventValues(p.OrgID, registry.NewCaseEvent(c.ID, registry.EventCaseOpened, "", tx.now, map[string]any{"number": numberSlot}))
	if err != nil {
		return err
	}
	// The number as registry.FormatCaseNumber writes it: the series, then
	// the counter in at least six digits.
	series := strings.TrimSuffix(registry.FormatCaseNumber(alpha3, year, 0), "000000")
	args := []any{prefix, cv[0], series}
	args = append(args, cv[2:]...)
	args = append(args, ev[:6]...)
	args = append(args, ev[6], numberSlot)
	args = append(args, auditArgs...)
	var last int64
	var number string
	err = tx.QueryRow(`WITH n AS (
			INSERT INTO case_numbers (prefix, last) VALUES (?, 1)
			ON CONFLICT (prefix) DO UPDATE SET last = case_numbers.last + 1 RETURNING last),
		c AS (
			INSERT INTO cases (`+newCaseColumns+`) VALUES (?,
				(SELECT ? || CASE WHEN n.last < 1000000 THEN lpad(n.last::text, 6, '0') ELSE n.last::text END FROM n),
				?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?) RETURNING number),
		ev AS (
			INSERT INTO case_events (id, case_id, org_id, kind, at, actor_id, event)
			VALUES (?, ?, ?, ?, ?, ?, replace(?, ?, (SELECT number FROM c)))),
		a AS (
			INSERT INTO `+audit+`
		SELECT n.last, c.number FROM n, c`, args...).Scan(&last, &number)
	if err != nil {
		return fmt.Errorf("open case: %w", err)
	}
	c.Number = registry.FormatCaseNumber(alpha3, year, int(last))
	if number != c.Number {
		return fmt.Errorf("open case: stored number %q, want %q", number, c.Number)
	}
	// Both are written: nothing is left for the commit, and a later number
	// or event of the transaction goes on from here.
	tx.heads[caseNumberKey+prefix] = &txHead{seq: last, stored: last, caseNumber: true}
	if !tx.db.DeferAuditSeal {
		tx.heads[e.Chain] = &txHead{seq: e.Seq, hash: e.Hash, stored: e.Seq}
	}
	return nil
}

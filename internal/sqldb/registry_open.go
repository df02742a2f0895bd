package sqldb

import (
	"homeward/internal/registry"
)

// openCaseAudited opens a registration's case with its timeline event and
// the registration's audit event (ids only, never the case number: an
// erased person's number must not stay in the chain, which can never be
// changed).
//
// It comes last in a registration, so that on PostgreSQL the series' case
// number counter, locked to commit, is held for as few statements as
// possible. (A one-statement form that numbered the case and inserted its
// rows together was measured against this one, alternated on three nodes,
// and gave no better p99 (issue 19); it was removed.)
func (tx *Tx) openCaseAudited(c *registry.Case, p *registry.Person, pp *preparedPerson, country string) error {
	if err := tx.openCase(c, p, pp, country); err != nil {
		return err
	}
	if err := tx.addEvent(p.OrgID, registry.NewCaseEvent(c.ID, registry.EventCaseOpened, "", tx.now, map[string]any{"number": c.Number})); err != nil {
		return err
	}
	return tx.Audit("person.register", "person", p.ID, p.OrgID, map[string]any{"case_id": c.ID})
}

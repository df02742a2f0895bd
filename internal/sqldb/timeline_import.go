package sqldb

import (
	"context"
	"slices"

	"homeward"
	"homeward/internal/registry"
)

// TimelineImportMax is the most events ImportTimeline takes in one call
// (one transaction): callers with more send them in batches.
const TimelineImportMax = 20_000

// ImportTimeline appends events kept elsewhere (a previous case
// management system's history, say) to the timelines of the actor's
// organisation's cases, in one transaction: with COPY on PostgreSQL and
// multi-row INSERTs on SQLite, as the batched import writes its rows. Every
// event must name a case of the organisation, a kind and a time; a batch
// with one that does not is refused whole. One audit event records the
// batch. Events keep their time and actor (the importer when none is
// given) and get new ids.
func (db *DB) ImportTimeline(ctx context.Context, events []registry.TimelineEvent) error {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(actor)
	if err := homeward.Authorize(actor, homeward.ActImport, homeward.Resource{Type: "case", OrgID: org}); err != nil {
		return err
	}
	if len(events) == 0 {
		return nil
	}
	if len(events) > TimelineImportMax {
		e := homeward.Errorf(homeward.EINVALID, "registry.timeline_import.too_many", "At most %d events can be imported at once.", TimelineImportMax)
		e.Args = map[string]any{"max": TimelineImportMax}
		return e
	}
	var cases []string
	for i, ev := range events {
		if ev.CaseID == "" || ev.Kind == "" || ev.At.IsZero() {
			e := homeward.Errorf(homeward.EINVALID, "registry.timeline_import.incomplete", "Event %d has no case, kind or time.", i+1)
			e.Args = map[string]any{"n": i + 1}
			return e
		}
		cases = append(cases, ev.CaseID)
	}
	slices.Sort(cases)
	cases = slices.Compact(cases)
	return db.bulkTransact()(ctx, func(tx *Tx) error {
		// Every case named is the organisation's (checked in the
		// transaction, so a case cannot move away meanwhile).
		args := append([]any{org}, anys(cases)...)
		var mine int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM cases WHERE org_id = ? AND id IN `+inList(len(cases)), args...).Scan(&mine); err != nil {
			return err
		}
		if mine != len(cases) {
			e := homeward.Errorf(homeward.ENOTFOUND, "registry.timeline_import.case", "%d of the cases named are not your organisation's.", len(cases)-mine)
			e.Args = map[string]any{"n": len(cases) - mine}
			return e
		}
		vals := make([]any, 0, 7*len(events))
		for _, ev := range events {
			v, err := tx.eventValues(org, ev)
			if err != nil {
				return err
			}
			vals = append(vals, v...)
		}
		if err := tx.writeRows("case_events", `id, case_id, org_id, kind, at, actor_id, event`, vals); err != nil {
			return err
		}
		return tx.Audit("registry.timeline_imported", "organisation", org, org, map[string]any{"events": len(events), "cases": len(cases)})
	})
}

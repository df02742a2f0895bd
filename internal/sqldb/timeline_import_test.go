package sqldb_test

import (
	"fmt"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// A timeline kept elsewhere is appended to the organisation's cases whole
// (more events than one statement or COPY chunk holds), in time order on
// the case's timeline, audited once; a batch naming another organisation's
// case, an incomplete event or too many events is refused whole, and only
// importers may import.
func TestImportTimeline(t *testing.T) {
	w := homewardtest.NewWorld(t)
	ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
	mine, err := w.DB.Register(ctx, reg("T1", 1))
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := w.DB.Register(w.Ctx("operator", homeward.RoleCaseWorker), reg("T2", 2))
	if err != nil {
		t.Fatal(err)
	}
	caseID := mine.Case.ID
	before, err := w.DB.Timeline(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2024, 3, 1, 10, 0, 0, 0, time.UTC)
	const n = 150 // over insertMany's largest statement (64 rows), and not a multiple of it
	var evs []registry.TimelineEvent
	for i := range n {
		// Newest first, to show the timeline orders them by time.
		ev := registry.NewCaseEvent(caseID, registry.EventStatusChanged, "", at.Add(time.Duration(n-i)*time.Hour), map[string]any{"from": "registered", "to": fmt.Sprint(i)})
		if i == 0 {
			ev.Actor = "legacy-user-7"
		}
		evs = append(evs, ev)
	}
	audits := func() int {
		t.Helper()
		var c int
		q := `SELECT COUNT(*) FROM audit_events WHERE action = 'registry.timeline_imported' AND org_id = ?`
		if w.DB.Dialect() == "postgres" {
			q = `SELECT COUNT(*) FROM audit_events WHERE action = 'registry.timeline_imported' AND org_id = $1`
		}
		if err := sqldb.RawDB(t, w.DB).QueryRow(q, w.NGO.ID).Scan(&c); err != nil {
			t.Fatal(err)
		}
		return c
	}

	// Refused whole: nothing of these batches is written.
	bad := func(mutate func([]registry.TimelineEvent) []registry.TimelineEvent) []registry.TimelineEvent {
		cp := append([]registry.TimelineEvent(nil), evs...)
		return mutate(cp)
	}
	huge := make([]registry.TimelineEvent, sqldb.TimelineImportMax+1)
	for i := range huge {
		huge[i] = evs[0]
	}
	for _, c := range []struct {
		name   string
		events []registry.TimelineEvent
		code   string
	}{
		{"another organisation's case", bad(func(e []registry.TimelineEvent) []registry.TimelineEvent {
			e[7].CaseID = theirs.Case.ID
			return e
		}), homeward.ENOTFOUND},
		{"a case that does not exist", bad(func(e []registry.TimelineEvent) []registry.TimelineEvent {
			e[3].CaseID = "no-such-case"
			return e
		}), homeward.ENOTFOUND},
		{"no kind", bad(func(e []registry.TimelineEvent) []registry.TimelineEvent {
			e[9].Kind = ""
			return e
		}), homeward.EINVALID},
		{"no time", bad(func(e []registry.TimelineEvent) []registry.TimelineEvent {
			e[n-1].At = time.Time{}
			return e
		}), homeward.EINVALID},
		{"no case", bad(func(e []registry.TimelineEvent) []registry.TimelineEvent {
			e[0].CaseID = ""
			return e
		}), homeward.EINVALID},
		{"too many", huge, homeward.EINVALID},
	} {
		if err := w.DB.ImportTimeline(ctx, c.events); homewardtest.Code(err) != c.code {
			t.Errorf("%s: got %v, want %s", c.name, err, c.code)
		}
	}
	for _, r := range []homeward.Role{homeward.RoleMEAnalyst, homeward.RoleProviderStaff, homeward.RoleAuditor} {
		if err := w.DB.ImportTimeline(w.Ctx("ngo", r), evs); homewardtest.Code(err) != homeward.EFORBIDDEN {
			t.Errorf("%s: got %v, want forbidden", r, err)
		}
	}
	if tl, _ := w.DB.Timeline(ctx, caseID); len(tl) != len(before) {
		t.Fatalf("refused batches wrote events: %d, was %d", len(tl), len(before))
	}
	if err := w.DB.ImportTimeline(ctx, nil); err != nil {
		t.Fatalf("empty batch: %v", err)
	}
	if got := audits(); got != 0 {
		t.Fatalf("refused or empty batches were audited: %d", got)
	}

	if err := w.DB.ImportTimeline(ctx, evs); err != nil {
		t.Fatal(err)
	}
	tl, err := w.DB.Timeline(ctx, caseID)
	if err != nil {
		t.Fatal(err)
	}
	if len(tl) != len(before)+n {
		t.Fatalf("timeline has %d events, want %d", len(tl), len(before)+n)
	}
	// The imported events are older than the registration's, oldest first.
	ids := map[string]bool{}
	for i, ev := range tl[:n] {
		want := evs[n-1-i]
		if !ev.At.Equal(want.At) || ev.Kind != want.Kind || ev.Summary.Args["to"] != want.Summary.Args["to"] {
			t.Fatalf("event %d: %+v, want %+v", i, ev, want)
		}
		wantActor := homeward.ActorFromContext(ctx).UserID
		if i == n-1 {
			wantActor = "legacy-user-7"
		}
		if ev.Actor != wantActor {
			t.Errorf("event %d: actor %q, want %q", i, ev.Actor, wantActor)
		}
		if ev.ID == "" || ids[ev.ID] {
			t.Fatalf("event %d: id %q missing or repeated", i, ev.ID)
		}
		ids[ev.ID] = true
	}
	if got := audits(); got != 1 {
		t.Errorf("%d audit events for the batch, want 1", got)
	}
	// The other organisation's case is untouched.
	if tl, err := w.DB.Timeline(w.Ctx("operator", homeward.RoleCaseWorker), theirs.Case.ID); err != nil || len(tl) != len(before) {
		t.Errorf("the other organisation's case has %d events (%v), want %d", len(tl), err, len(before))
	}
}

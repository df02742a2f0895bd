package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// benchEventKinds are the kinds of the generated timeline events, with
// their weights (out of 100) and the arguments their summaries take, in
// the proportions a case's history has: status changes, notes and
// referral steps often; flags and priority changes seldom.
var benchEventKinds = []struct {
	kind   registry.EventKind
	weight int
	args   func(r *rand.Rand) map[string]any
}{
	{registry.EventStatusChanged, 14, func(r *rand.Rand) map[string]any {
		s := []string{"registered", "assessed", "plan_agreed", "in_services", "monitoring"}
		i := r.IntN(len(s) - 1)
		return map[string]any{"from": s[i], "to": s[i+1]}
	}},
	{registry.EventNote, 16, nil},
	{registry.EventAssigned, 5, func(*rand.Rand) map[string]any { return map[string]any{"worker": "Bench case worker"} }},
	{registry.EventPriorityChanged, 2, func(*rand.Rand) map[string]any { return map[string]any{"from": "normal", "to": "high"} }},
	{registry.EventFlagAdded, 2, func(*rand.Rand) map[string]any { return map[string]any{"flag": "medical"} }},
	{registry.EventConsentRecorded, 5, func(*rand.Rand) map[string]any { return map[string]any{"purpose": "referral"} }},
	{assessment.EventCompleted, 9, func(r *rand.Rand) map[string]any {
		return map[string]any{"form": []string{"rss", "protection_screening"}[r.IntN(2)], "version": "1"}
	}},
	{assessment.EventScored, 6, func(r *rand.Rand) map[string]any {
		f := func() string { return fmt.Sprintf("%.2f", r.Float64()) }
		return map[string]any{"economic": f(), "social": f(), "psychosocial": f(), "composite": f(), "scheme": "rss"}
	}},
	{"plan_created", 3, nil},
	{"plan_updated", 4, nil},
	{"referral_sent", 8, benchReferralArgs},
	{"referral_accepted", 6, benchReferralArgs},
	{"referral_in_progress", 5, benchReferralArgs},
	{"referral_completed", 4, benchReferralArgs},
	{"delivery_recorded", 6, benchReferralArgs},
	{"counselling_session", 5, func(*rand.Rand) map[string]any { return map[string]any{"org": "Bench Counselling Centre"} }},
}

func benchReferralArgs(r *rand.Rand) map[string]any {
	bp := benchProviders[r.IntN(len(benchProviders))]
	svc := bp.services[r.IntN(len(bp.services))]
	return map[string]any{"to": bp.name, "org": bp.name, "service": svc}
}

// benchEvents appends generated timeline events to the bench
// organisation's cases (bench seed makes them) through
// sqldb.ImportTimeline, as a previous system's history would come in: a
// case gets about --events ÷ cases of them, between its return (or three
// years ago) and now, in time order. This is the fast way to a database
// of the size (10,000,000 events); the events are realistic in
// kind, size and spread, but no records stand behind them.
func benchEvents(ctx context.Context, p *program, args []string) error {
	fs := p.flagSet("bench events", "bench events --events N [--data-dir DIR | --database postgres://…]")
	open := benchDBFlags(fs, "data", "directory of the SQLite database")
	total := fs.Int("events", 1_000_000, "timeline events to add, spread over the seeded organisation's cases")
	seed := fs.Uint64("seed", 1, "random seed")
	db, sys, actx, err := openBenchAs(ctx, p, fs, args, open)
	if err != nil {
		return err
	}
	defer db.Close()
	org := homeward.ActorFromContext(actx).OrgID
	type benchCase struct {
		id       string
		returned time.Time
	}
	var cases []benchCase
	now := db.Now().UTC()
	earliest := now.AddDate(-3, 0, 0)
	if err := db.Transact(sys, func(tx *sqldb.Tx) error {
		rows, err := tx.Query(`SELECT id, return_date FROM cases WHERE org_id = ? AND merged_into IS NULL ORDER BY id`, org)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c benchCase
			var ret string
			if err := rows.Scan(&c.id, &ret); err != nil {
				return err
			}
			c.returned = earliest
			if t, err := time.Parse("2006-01-02", ret); err == nil && t.After(earliest) && t.Before(now) {
				c.returned = t
			}
			cases = append(cases, c)
		}
		return rows.Err()
	}); err != nil {
		return err
	}
	if len(cases) == 0 {
		return fmt.Errorf("bench events: no cases (run homeward bench seed first)")
	}
	weights := 0
	for _, k := range benchEventKinds {
		weights += k.weight
	}
	r := rand.New(rand.NewPCG(*seed, 17))
	mean := max(1, *total/len(cases))
	// Batches are made while the one before is written.
	batches := make(chan []registry.TimelineEvent, 2)
	go func() {
		defer close(batches)
		batch := make([]registry.TimelineEvent, 0, sqldb.TimelineImportMax)
		made := 0
		for i := 0; made < *total; i = (i + 1) % len(cases) {
			c := cases[i]
			// Between half and one and a half times the mean.
			k := min(*total-made, mean/2+r.IntN(mean+1))
			span := now.Sub(c.returned)
			for j := range k {
				w := r.IntN(weights)
				ki := 0
				for w >= benchEventKinds[ki].weight {
					w -= benchEventKinds[ki].weight
					ki++
				}
				kind := benchEventKinds[ki]
				var a map[string]any
				if kind.args != nil {
					a = kind.args(r)
				}
				// In time order along the case's span, a little jitter.
				at := c.returned.Add(time.Duration(float64(span) * (float64(j) + r.Float64()) / float64(k))).Truncate(time.Second)
				batch = append(batch, registry.NewCaseEvent(c.id, kind.kind, "", at, a))
				if len(batch) == cap(batch) {
					select {
					case batches <- batch:
					case <-ctx.Done():
						return
					}
					batch = make([]registry.TimelineEvent, 0, sqldb.TimelineImportMax)
				}
			}
			made += k
		}
		if len(batch) > 0 {
			select {
			case batches <- batch:
			case <-ctx.Done():
			}
		}
	}()
	start := time.Now()
	written := 0
	for b := range batches {
		if err := db.ImportTimeline(actx, b); err != nil {
			return err
		}
		written += len(b)
		el := time.Since(start)
		fmt.Fprintf(p.stderr, "\r%d events, %.0f/s   ", written, float64(written)/el.Seconds())
	}
	el := time.Since(start)
	fmt.Fprintln(p.stderr)
	var inAll int64
	if err := db.Transact(sys, func(tx *sqldb.Tx) error {
		return tx.QueryRow(`SELECT COUNT(*) FROM case_events WHERE org_id = ?`, org).Scan(&inAll)
	}); err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "%s: added %d timeline events to %d cases in %s: %.0f events/s; the organisation's cases now have %d events\n",
		db.Dialect(), written, min(len(cases), (written+mean-1)/mean), el.Round(time.Millisecond), float64(written)/el.Seconds(), inAll)
	return nil
}

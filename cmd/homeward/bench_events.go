package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/reference"
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
	research := fs.Float64("research", 0.6, "share of the cases' people who consented to anonymised research (recorded for those with no such consent yet)")
	places := fs.Bool("places", true, "give the cases that have no district an upazila (weighted to the districts most migrants come from) and an opening day over the last three years")
	seed := fs.Uint64("seed", 1, "random seed")
	db, sys, actx, err := openBenchAs(ctx, p, fs, args, open)
	if err != nil {
		return err
	}
	defer db.Close()
	org := homeward.ActorFromContext(actx).OrgID
	type benchCase struct {
		id, person string
		returned   time.Time
	}
	var cases []benchCase
	now := db.Now().UTC()
	earliest := now.AddDate(-3, 0, 0)
	if err := db.Transact(sys, func(tx *sqldb.Tx) error {
		rows, err := tx.Query(`SELECT id, person_id, return_date FROM cases WHERE org_id = ? AND merged_into IS NULL ORDER BY id`, org)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c benchCase
			var ret string
			if err := rows.Scan(&c.id, &c.person, &ret); err != nil {
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
	if *places {
		t0 := time.Now()
		n, err := benchPlaces(sys, db, org, *seed)
		if err != nil {
			return err
		}
		fmt.Fprintf(p.stdout, "%d cases given an upazila and an opening day over the last three years in %s\n", n, time.Since(t0).Round(time.Millisecond))
	}
	if *research > 0 {
		var people []string
		for i, c := range cases {
			// Spread over the cases (7919 is prime to 1000: every
			// thousand cases take each residue once).
			if float64(i*7919%1000) < *research*1000 {
				people = append(people, c.person)
			}
		}
		t0 := time.Now()
		n, err := benchResearchConsents(sys, actx, db, people)
		if err != nil {
			return err
		}
		fmt.Fprintf(p.stdout, "research consent recorded for %d people (%d had it already) in %s\n", n, len(people)-n, time.Since(t0).Round(time.Millisecond))
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

// benchResearchConsents records, for those of people who have none, a
// signed consent to anonymised research, written directly in batches (the
// consent service records one person at a time, which at a million people
// takes too long for a bench). It returns how many it recorded.
func benchResearchConsents(sys, actx context.Context, db *sqldb.DB, people []string) (int, error) {
	a := homeward.ActorFromContext(actx)
	have := map[string]bool{}
	if err := db.Transact(sys, func(tx *sqldb.Tx) error {
		ids, err := benchIDs(tx, `SELECT person_id FROM consents WHERE org_id = ? AND purpose = ? AND withdrawn_at IS NULL`, a.OrgID, string(registry.PurposeResearch))
		for _, id := range ids {
			have[id] = true
		}
		return err
	}); err != nil {
		return 0, err
	}
	var todo []string
	for _, p := range people {
		if !have[p] {
			todo = append(todo, p)
		}
	}
	const rowsPerInsert, perTx = 200, 20_000
	for lo := 0; lo < len(todo); lo += perTx {
		batch := todo[lo:min(lo+perTx, len(todo))]
		err := db.Transact(sys, func(tx *sqldb.Tx) error {
			for i := 0; i < len(batch); i += rowsPerInsert {
				chunk := batch[i:min(i+rowsPerInsert, len(batch))]
				var q strings.Builder
				q.WriteString(`INSERT INTO consents (id, person_id, org_id, purpose, consent, recorded_at) VALUES `)
				args := make([]any, 0, 6*len(chunk))
				for j, pid := range chunk {
					if j > 0 {
						q.WriteString(", ")
					}
					q.WriteString("(?, ?, ?, ?, ?, ?)")
					at := db.Now().UTC()
					c := registry.Consent{ID: homeward.NewID(), PersonID: pid, OrgID: a.OrgID, Purpose: registry.PurposeResearch,
						Method: registry.MethodSignedForm, RecordedBy: a.UserID, RecordedAt: at}
					js, err := json.Marshal(c)
					if err != nil {
						return err
					}
					args = append(args, c.ID, pid, a.OrgID, string(c.Purpose), string(js), at)
				}
				if _, err := tx.Exec(q.String(), args...); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return len(todo), nil
}

// benchMigrantDistricts are the districts most returnees come from
// (BMET's departures by district), weighted four times the others.
var benchMigrantDistricts = []string{"BD2019", "BD2015", "BD2012", "BD2013", "BD3093", "BD3026", "BD2075", "BD3068", "BD3048", "BD3059", "BD2030", "BD6091"}

// benchPlaces gives the organisation's cases without a district one of
// 256 upazilas (their people the upazila as address, the cases its
// district) and an opening day in one of the last 36 months, both by two
// hex digits of the case id, so that the dashboards' district, upazila
// and month filters have something to narrow. It returns the cases changed.
func benchPlaces(sys context.Context, db *sqldb.DB, org string, seed uint64) (int64, error) {
	var ups []string
	var weights []int
	total := 0
	for _, a := range reference.SearchAreas(reference.AreaFilter{Country: "BD", Level: "upazila"}) {
		if !strings.HasPrefix(a.Code, a.ParentCode) {
			continue // a few upazilas have no p-code yet (see bgd_admin.csv)
		}
		w := 1
		if slices.Contains(benchMigrantDistricts, a.ParentCode) {
			w = 4
		}
		ups, weights = append(ups, a.Code), append(weights, w)
		total += w
	}
	if len(ups) == 0 {
		return 0, fmt.Errorf("bench events: no upazilas in the reference data")
	}
	r := rand.New(rand.NewPCG(seed, 256))
	now := db.Now().UTC()
	var upCase, distCase, openCase strings.Builder
	var upArgs, distArgs, openArgs []any
	for b := range 256 {
		w := r.IntN(total)
		i := 0
		for w >= weights[i] {
			w -= weights[i]
			i++
		}
		hex := fmt.Sprintf("%02x", b)
		upCase.WriteString(" WHEN ? THEN ?")
		upArgs = append(upArgs, hex, ups[i])
		distCase.WriteString(" WHEN ? THEN ?")
		distArgs = append(distArgs, hex, ups[i][:6])
		openCase.WriteString(" WHEN ? THEN ?")
		day := now.AddDate(0, -(b % 36), -r.IntN(28)).Truncate(time.Hour).Add(time.Duration(r.IntN(8)) * time.Hour)
		openArgs = append(openArgs, hex, day)
	}
	var changed int64
	err := db.Transact(sys, func(tx *sqldb.Tx) error {
		// People first, while their cases still have no district.
		if _, err := tx.Exec(`UPDATE people SET admin_area = CASE (SELECT substr(c.id, 35, 2) FROM cases c WHERE c.person_id = people.id ORDER BY c.id LIMIT 1)`+upCase.String()+` ELSE admin_area END
			WHERE org_id = ? AND EXISTS (SELECT 1 FROM cases c WHERE c.person_id = people.id AND c.district = '')`, append(upArgs, org)...); err != nil {
			return err
		}
		res, err := tx.Exec(`UPDATE cases SET district = CASE substr(id, 35, 2)`+distCase.String()+` ELSE district END,
			opened_at = CASE substr(id, 33, 2)`+openCase.String()+` ELSE opened_at END
			WHERE org_id = ? AND district = ''`, append(append(distArgs, openArgs...), org)...)
		if err != nil {
			return err
		}
		changed, err = res.RowsAffected()
		return err
	})
	return changed, err
}

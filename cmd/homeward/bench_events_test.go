package main

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"homeward"
	"homeward/internal/sqldb"
)

// bench events spreads the events asked for over the seeded cases (every
// one of them a case of the bench organisation, in its time span), records
// research consent for the share asked once, and bench indicators then
// reads the dashboard as every watching role, writes the research extract
// (with the consented people in it) and times registrations.
func TestBenchEventsAndDashboards(t *testing.T) {
	dir := t.TempDir()
	if out, err := run(t, nil, "", "bench", "seed", "--people", "120", "--services=false", "--data-dir", dir); err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	ctx := context.Background()
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	count := func(q string) int {
		t.Helper()
		db, err := openBenchDB(ctx, "", dir)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.Transact(sys, func(tx *sqldb.Tx) error { return tx.QueryRow(q).Scan(&n) }); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	before := count(`SELECT COUNT(*) FROM case_events`)
	cases := count(`SELECT COUNT(*) FROM cases`)
	out, err := run(t, nil, "", "bench", "events", "--events", "2500", "--research", "0.5", "--data-dir", dir)
	if err != nil {
		t.Fatalf("events: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`sqlite: added 2500 timeline events to \d+ cases in \S+: \d+ events/s`).MatchString(out) {
		t.Errorf("events output:\n%s", out)
	}
	if got := count(`SELECT COUNT(*) FROM case_events`) - before; got != 2500 {
		t.Errorf("%d events added, want 2500", got)
	}
	// Spread over the cases: all of them have some (about 20 each).
	if got := count(`SELECT COUNT(DISTINCT case_id) FROM case_events WHERE kind NOT IN ('case_opened', 'imported')`); got != cases {
		t.Errorf("%d of %d cases got events", got, cases)
	}
	if got := count(`SELECT COUNT(*) FROM case_events e JOIN cases c ON c.id = e.case_id WHERE e.org_id <> c.org_id`); got != 0 {
		t.Errorf("%d events under another organisation than their case's", got)
	}
	research := count(`SELECT COUNT(*) FROM consents WHERE purpose = 'research_anonymised'`)
	if research < cases*2/5 || research > cases*3/5 {
		t.Errorf("research consent for %d of %d people, want about half", research, cases)
	}
	// Again: no one gets a second research consent.
	if out, err := run(t, nil, "", "bench", "events", "--events", "10", "--research", "0.5", "--data-dir", dir); err != nil || !strings.Contains(out, "research consent recorded for 0 people") {
		t.Errorf("second run: %v\n%s", err, out)
	}

	out, err = run(t, nil, "", "bench", "indicators", "--n", "3", "--workers", "2", "--writes", "6", "--data-dir", dir)
	if err != nil {
		t.Fatalf("indicators: %v\n%s", err, out)
	}
	for _, w := range benchWatchers {
		if n := strings.Count(out, "dashboard page, "+w.label+","); n != 7 {
			t.Errorf("%d dashboard pages measured as %s, want 7:\n%s", n, w.label, out)
		}
	}
	for _, re := range []string{
		`research export \S+ in \S+ \(\d+ MB written\): \d+ people with research consent`,
		`research export memory: Go heap in use \d+ MB before, peak \d+ MB during`,
		`registrations, no rebuild running: 6 by 2 writers`,
		`registrations while a full rebuild ran \(\S+\): \d+ by 2 writers`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("indicators output lacks %s:\n%s", re, out)
		}
	}
	if m := regexp.MustCompile(`(\d+) people with research consent`).FindStringSubmatch(out); m == nil || m[1] == "0" {
		t.Errorf("the research extract had nobody in it:\n%s", out)
	}
}

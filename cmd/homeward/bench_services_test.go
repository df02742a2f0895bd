package main

import (
	"context"
	"regexp"
	"testing"

	"homeward"
	"homeward/internal/sqldb"
)

// bench seed gives a realistic share of the cases assessments, plans,
// referrals in every state and deliveries, through the services: the
// timeline and the audit log see them, and so do the indicators.
func TestBenchSeedServices(t *testing.T) {
	dir := t.TempDir()
	out, err := run(t, nil, "", "bench", "seed", "--people", "300", "--workers", "4", "--data-dir", dir)
	if err != nil {
		t.Fatalf("seed: %v\n%s", err, out)
	}
	for _, re := range []string{
		`services for \d+ of \d+ cases without any, over \d+ days, through the services on 4 goroutines: \d+ steps in \S+: \d+ steps/s`,
		`assessments: \d+ protection screenings, \d+ sustainability surveys`,
		`referrals: \d+ sent, \d+ moves, \d+ expired unanswered`,
		`in the database: \d+ assessments, \d+ plans, \d+ deliveries; referrals by state:`,
		`not seeded: business grants, job placements`,
	} {
		if !regexp.MustCompile(re).MatchString(out) {
			t.Errorf("seed output lacks %s:\n%s", re, out)
		}
	}
	if regexp.MustCompile(`refused`).MatchString(out) {
		t.Errorf("some steps were refused:\n%s", out)
	}
	ctx := context.Background()
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	count := func(db *sqldb.DB, q string, args ...any) float64 {
		t.Helper()
		var n float64
		if err := db.Transact(sys, func(tx *sqldb.Tx) error { return tx.QueryRow(q, args...).Scan(&n) }); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	db, err := openBenchDB(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	cases := count(db, `SELECT COUNT(*) FROM cases`)
	share := func(what string, n, lo, hi float64) {
		t.Helper()
		if n/cases < lo || n/cases > hi {
			t.Errorf("%s: %v of %v cases, want a share between %v and %v", what, n, cases, lo, hi)
		}
	}
	share("baseline surveys", count(db, `SELECT COUNT(DISTINCT person_id) FROM assessments WHERE round = 'baseline' AND status = 'completed'`), .55, .85)
	share("screenings", count(db, `SELECT COUNT(DISTINCT person_id) FROM assessments WHERE form_id = 'protection_screening'`), .55, .85)
	share("follow-up surveys", count(db, `SELECT COUNT(DISTINCT person_id) FROM assessments WHERE round IN ('m3', 'm6', 'm12')`), .2, .8)
	share("agreed plans", count(db, `SELECT COUNT(*) FROM plans WHERE status <> 'draft'`), .35, .65)
	referred := count(db, `SELECT COUNT(DISTINCT case_id) FROM referrals`)
	share("referred cases", referred, .25, .55)
	if per := count(db, `SELECT COUNT(*) FROM referrals`) / referred; per < 1 || per > 3 {
		t.Errorf("%v referrals per referred case, want 1 to 3", per)
	}
	for _, state := range []string{"accepted", "in_progress", "completed", "not_completed", "declined"} {
		if n := count(db, `SELECT COUNT(*) FROM referrals WHERE state = ?`, state); n == 0 {
			t.Errorf("no referral is %s", state)
		}
	}
	if n := count(db, `SELECT COUNT(*) FROM referrals WHERE plan_id IS NULL`); n > 0 {
		t.Errorf("%v referrals are not linked to their plan", n)
	}
	for _, kind := range []string{"training", "counselling"} {
		if n := count(db, `SELECT COUNT(*) FROM service_deliveries WHERE kind = ?`, kind); n == 0 {
			t.Errorf("no %s delivery", kind)
		}
	}
	if n := count(db, `SELECT COUNT(*) FROM counselling_notes`); n == 0 {
		t.Error("no counselling session notes")
	}
	// Through the services: on the timelines and in the audit log, spread
	// over the years before today.
	if n := count(db, `SELECT COUNT(*) FROM case_events WHERE kind = 'referral_completed'`); n == 0 {
		t.Error("no completed referral on a timeline")
	}
	if n := count(db, `SELECT COUNT(*) FROM audit_events WHERE action = 'assessment.create'`); n == 0 {
		t.Error("no assessment in the audit log")
	}
	years := count(db, `SELECT COUNT(DISTINCT substr(answered_on, 1, 4)) FROM assessments`)
	if years < 3 {
		t.Errorf("assessments answered in %v calendar years, want 3 or more", years)
	}
	db.Close()

	if out, err := run(t, nil, "", "indicators", "rebuild", "--data-dir", dir); err != nil {
		t.Fatalf("indicators rebuild: %v\n%s", err, out)
	}
	db, err = openBenchDB(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"referrals_sent", "referrals_accepted", "services_completed", "score_composite_baseline", "score_composite_m6", "employed_m6"} {
		if n := count(db, `SELECT COALESCE(SUM(numerator), 0) FROM indicator_values WHERE code = ? AND by_fields = ''`, code); n <= 0 {
			t.Errorf("indicator %s: %v, want more than 0", code, n)
		}
	}
	before := count(db, `SELECT COUNT(*) FROM referrals`) + count(db, `SELECT COUNT(*) FROM assessments`)
	db.Close()

	// Seeding again with the same seed changes nothing.
	out, err = run(t, nil, "", "bench", "seed", "--people", "300", "--workers", "4", "--data-dir", dir)
	if err != nil {
		t.Fatalf("second seed: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`services for 0 of \d+ cases without any`).MatchString(out) {
		t.Errorf("second seed output: %s", out)
	}
	db, err = openBenchDB(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if after := count(db, `SELECT COUNT(*) FROM referrals`) + count(db, `SELECT COUNT(*) FROM assessments`); after != before {
		t.Errorf("a second seed changed the services: %v records, then %v", before, after)
	}
}

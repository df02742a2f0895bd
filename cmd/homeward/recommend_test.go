package main

import (
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"homeward/internal/recommend"
)

// simulate → train → rank gives the exact header and one row per service
// per person, rank 1 first.
func TestRecommendCommandRoundTrip(t *testing.T) {
	dir := t.TempDir()
	history, model, out := filepath.Join(dir, "h.csv"), filepath.Join(dir, "m.json"), filepath.Join(dir, "r.csv")
	if msg, err := run(t, nil, "", "recommend", "simulate", "--people", "800", "--out", history, "--seed", "4"); err != nil {
		t.Fatalf("simulate: %v\n%s", err, msg)
	}
	msg, err := run(t, nil, "", "recommend", "train", "--history", history, "--out", model, "--from", "2024-01", "--to", "2025-12")
	if err != nil {
		t.Fatalf("train: %v\n%s", err, msg)
	}
	if !strings.Contains(msg, "learned from 800 cases from 2024-01..2025-12") || !strings.Contains(msg, "tolerance 5 percentage points") {
		t.Errorf("card summary: %s", msg)
	}
	// An organisation's own tolerance is used by the audit and kept on the card.
	strict := filepath.Join(dir, "strict.json")
	if msg, err := run(t, nil, "", "recommend", "train", "--history", history, "--out", strict, "--fairness-tolerance", "2.5"); err != nil || !strings.Contains(msg, "tolerance 2.5 percentage points") {
		t.Fatalf("train with a tolerance: %v\n%s", err, msg)
	}
	f, err := os.Open(strict)
	if err != nil {
		t.Fatal(err)
	}
	m, err := recommend.LoadModel(f)
	f.Close()
	if err != nil || m.Card.Fairness == nil || m.Card.Fairness.Tolerance != 0.025 {
		t.Fatalf("the card's tolerance: %v %+v", err, m.Card.Fairness)
	}
	people := filepath.Join(dir, "people.csv")
	in := "external_id,sex,age,education,occupation_abroad,years_abroad,skill_level,debt_ratio,return_type,urban,distress,business_experience,rss_economic_baseline,extra\n" +
		"P1,female,26,secondary,9111,3,1,0.9,deported,0,1,0,0.3,x\n" +
		"P2,male,41,higher,7411,8,3,0,end_of_contract,1,0,1,0.5,y\n"
	if err := os.WriteFile(people, []byte(in), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"--model", model, "--out", out, people}, {people, "--out", out}} {
		if msg, err := run(t, nil, "", append([]string{"recommend", "rank"}, args...)...); err != nil {
			t.Fatalf("rank %v: %v\n%s", args, err, msg)
		}
		b, _ := os.ReadFile(out)
		if !strings.HasPrefix(string(b), "external_id,service,rank,expected_gain,reasons\n") {
			t.Fatalf("header: %q", strings.SplitN(string(b), "\n", 2)[0])
		}
		rows, err := csv.NewReader(strings.NewReader(string(b))).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 1+2*len(recommend.Services) {
			t.Fatalf("%d rows", len(rows))
		}
		if rows[1][0] != "P1" || rows[1][2] != "1" || rows[6][2] != "6" || rows[7][0] != "P2" || rows[1][4] == "" || strings.Contains(rows[1][4], "recommend.") {
			t.Errorf("rows: %v", rows[1:])
		}
	}
}

func TestRecommendCommandErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("external_id,sex,age,education,occupation_abroad,years_abroad,skill_level,debt_ratio,return_type,urban,distress,business_experience,rss_economic_baseline\nP1,male,abc,none,9111,1,0,0,other,0,0,0,0.1\n"), 0o600)
	msg, err := run(t, nil, "", "recommend", "rank", bad)
	if err == nil || !strings.Contains(err.Error(), `line 2, column "age": "abc" is not a number`) {
		t.Errorf("bad age: %v\n%s", err, msg)
	}
	if _, err := run(t, nil, "", "recommend"); exitCode(err) != 2 {
		t.Errorf("no subcommand: %v", err)
	}
	if _, err := run(t, nil, "", "recommend", "train"); exitCode(err) != 2 {
		t.Errorf("train without flags: %v", err)
	}
	for _, tol := range []string{"0", "-1", "50.5", "NaN"} {
		_, err := run(t, nil, "", "recommend", "train", "--history", bad, "--out", filepath.Join(dir, "m.json"), "--fairness-tolerance", tol)
		if exitCode(err) != 2 || !strings.Contains(err.Error(), "percentage points") {
			t.Errorf("tolerance %s: %v", tol, err)
		}
	}
}

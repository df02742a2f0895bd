package match_test

import (
	"encoding/csv"
	"os"
	"testing"

	"homeward/internal/match"
)

// readFake1000 reads Splink's fake_1000 set (1,000 records of 251 people,
// with typos, swapped names and missing values; see testdata/README.md):
// first name, surname, date of birth and city map to the registry's fields;
// the e-mail address has no field of its own and is left out.
func readFake1000(t testing.TB) ([]match.Record, map[string]string) {
	t.Helper()
	f, err := os.Open("testdata/fake_1000.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	var recs []match.Record
	ent := map[string]string{}
	for {
		row, err := cr.Read()
		if err != nil {
			break
		}
		r := match.Record{ID: row[col["unique_id"]], GivenName: row[col["first_name"]], FamilyName: row[col["surname"]],
			DOB: row[col["dob"]], Address: row[col["city"]]}
		recs = append(recs, r)
		ent[r.ID] = row[col["cluster"]]
	}
	return recs, ent
}

// TestSplinkFake1000 measures the matcher on Splink's small demonstration
// set and guards the level reached.
func TestSplinkFake1000(t *testing.T) {
	recs, ent := readFake1000(t)
	res, truePairs, m, mp := dedupeEvaluated(t, recs, ent)
	queue := 0
	for _, p := range res.Pairs {
		if p.Decision == match.Possible {
			queue++
		}
	}
	t.Logf("Splink fake_1000: %d records, %d true pairs, %d candidate pairs, %d compared; queue %d", len(recs), truePairs, res.CandidatePairs, res.Comparisons, queue)
	t.Logf("fake_1000 match-only:     P=%.4f R=%.4f F1=%.4f", m.P, m.R, m.F1)
	t.Logf("fake_1000 match+possible: P=%.4f R=%.4f F1=%.4f", mp.P, mp.R, mp.F1)
	if m.P < 0.95 {
		t.Errorf("fake_1000 match-only P=%.4f, want ≥ 0.95", m.P)
	}
}

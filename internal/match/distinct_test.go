package match_test

import (
	"context"
	"os"
	"strconv"
	"testing"

	"homeward/internal/match"
	"homeward/internal/match/gen"
)

// distinctRegistry measures the matcher on a registry where every record is
// a different person (siblings, spouses and neighbours share addresses,
// parents and phones): every pair it raises is a false alarm.
func distinctRegistry(t *testing.T, n int) {
	reg := gen.Generate(gen.Config{Records: n, Distinct: true, Sibling: 0.1, Neighbours: 0.3, Seed: 21})
	res, err := match.Dedupe(context.Background(), reg.Records, match.Options{})
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*match.Record{}
	for i := range reg.Records {
		byID[reg.Records[i].ID] = &reg.Records[i]
	}
	var matches, possibles, strongDisagree int
	for _, p := range res.Pairs {
		switch p.Decision {
		case match.Match:
			matches++
			a, b := byID[p.A], byID[p.B]
			if disagreeStrongly(a, b) {
				strongDisagree++
			}
		case match.Possible:
			possibles++
		}
	}
	t.Logf("distinct %d: %d candidate pairs, %d compared in %v; %d match, %d possible (%.2f per 200 people); %d matches with two strong identifiers disagreeing",
		n, res.CandidatePairs, res.Comparisons, res.Elapsed, matches, possibles, float64(matches+possibles)*200/float64(n), strongDisagree)
	logModel(t, res.Model)
	if matches > 0 {
		t.Errorf("distinct %d: %d pairs of different people decided as matches, want none", n, matches)
	}
	if limit := n / 200; matches+possibles > limit {
		t.Errorf("distinct %d: %d pairs for review, want at most %d (1 per 200 people)", n, matches+possibles, limit)
	}
	if strongDisagree > 0 {
		t.Errorf("distinct %d: %d matches where two strong identifiers disagree", n, strongDisagree)
	}
}

// disagreeStrongly reports whether two of national ID, passport and full
// date of birth are present on both records and different.
func disagreeStrongly(a, b *match.Record) bool {
	n := 0
	if a.NationalID != "" && b.NationalID != "" && a.NationalID != b.NationalID {
		n++
	}
	if a.Passport != "" && b.Passport != "" && a.Passport != b.Passport {
		n++
	}
	if len(a.DOB) == 10 && len(b.DOB) == 10 && a.DOB != b.DOB {
		n++
	}
	return n >= 2
}

func TestDistinctRegistryRaisesNoMatches(t *testing.T) {
	n := 20_000
	if testing.Short() {
		n = 5_000
	}
	if s := os.Getenv("HOMEWARD_MATCH_DISTINCT"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	distinctRegistry(t, n)
}

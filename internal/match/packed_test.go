package match_test

import (
	"fmt"
	"testing"

	"homeward/internal/match"
	"homeward/internal/match/gen"
)

// A packed record unpacks to the record packed: with names and strings in
// the preparer's tables, without tables (every string inline), and into a
// prepared record that held another one (its slices reused). Packed, a
// registry's record takes about a hundred bytes.
func TestPackedRecordSize(t *testing.T) {
	reg := gen.Generate(gen.Config{Records: 3000, Seed: 7})
	reg.Records = append(reg.Records, match.Record{ID: "edge", GivenName: "Ånna-Maria", FamilyName: "O'Neil", DOB: "0990",
		Aliases: []string{"Anna Oneil", "A. M. O'Neil"}, Phones: []string{"+880 1712-345678", "01812345678", "12"},
		NationalID: "19901234567890123", Passport: "bn 0123456", Address: "House 12, Rd 7, Vill. Charpara", Postcode: "8130", AdminArea: "BD4087"})
	for _, tables := range []bool{true, false} {
		k := match.NewPacker(tables)
		total := 0
		for _, r := range reg.Records {
			n, d := k.RoundTrip(r)
			total += n
			if d != "" {
				t.Fatalf("tables=%v %s: %s", tables, r.ID, d)
			}
		}
		avg := total / len(reg.Records)
		t.Logf("tables=%v: %d bytes per packed record", tables, avg)
		if tables && avg > 150 {
			t.Errorf("%d bytes per packed record, want at most 150", avg)
		}
	}
}

// Records replaced and removed leave garbage in the arena until it is
// compacted: after compactions the index holds exactly the live records,
// finds them by ID and gives the candidates an index built afresh from
// the same records gives; also when IDs share their hash in the ID map.
func TestCompactKeepsRecords(t *testing.T) {
	defer match.SetCompactMin(64 << 10)()
	for _, collide := range []bool{false, true} {
		t.Run(fmt.Sprint("collide=", collide), func(t *testing.T) {
			if collide {
				// Every ID hashes alike: all but one are found through
				// the map of colliding IDs.
				defer match.CollideIDs()()
			}
			testCompactKeepsRecords(t)
		})
	}
}

// An index that freezes its postings every few hundred keys, while its
// records are added, replaced and removed, gives the candidates an index
// that never froze gives (see frozen.go).
func TestFrozenPostings(t *testing.T) {
	reg := gen.Generate(gen.Config{Records: 3000, Seed: 5})
	build := func(freezeAt int) *match.Index {
		defer match.SetFreezeMin(freezeAt)()
		x := match.NewIndex(match.IndexOptions{})
		for round := range 2 {
			for k, r := range reg.Records {
				if round == 1 && k%3 != 0 {
					continue
				}
				r.Phones = append(r.Phones, fmt.Sprintf("0171%07d", k*round))
				if err := x.Add(r); err != nil {
					t.Fatal(err)
				}
			}
		}
		for k := 0; k < len(reg.Records); k += 5 {
			x.Remove(reg.Records[k].ID)
		}
		return x
	}
	frozen, plain := build(300), build(1<<30)
	if frozen.Freezes() < 10 || plain.Freezes() != 0 {
		t.Fatalf("%d and %d freezes, want at least 10 and none", frozen.Freezes(), plain.Freezes())
	}
	if frozen.SlabCopies() < 1 || plain.SlabCopies() != 0 {
		t.Fatalf("the lists' slab compacted %d and %d times, want at least once and never", frozen.SlabCopies(), plain.SlabCopies())
	}
	for _, r := range reg.Records {
		sameCandidates(t, r.ID, frozen.Candidates(r), plain.Candidates(r))
	}
	// The slab's slots left behind are counted as the lists change (for
	// compaction), never by walking them.
	for _, x := range []*match.Index{frozen, plain} {
		if kept, walked := x.ListDead(); kept != walked {
			t.Errorf("the slab's slots left behind counted %d; the lists leave %d", kept, walked)
		}
	}
	t.Logf("%d freezes, %d compactions of the lists", frozen.Freezes(), frozen.SlabCopies())
}

func testCompactKeepsRecords(t *testing.T) {
	reg := gen.Generate(gen.Config{Records: 2000, Seed: 3})
	x := match.NewIndex(match.IndexOptions{})
	for round := range 3 {
		for k, r := range reg.Records {
			r.Address = fmt.Sprintf("%s, round %d", r.Address, round)
			if err := x.AddTagged(r, uint32(round*10000+k)); err != nil {
				t.Fatal(err)
			}
		}
	}
	for k := 0; k < len(reg.Records); k += 2 {
		x.Remove(reg.Records[k].ID)
	}
	if x.Compactions() == 0 {
		t.Fatal("no compaction after replacing every record twice and removing half")
	}
	fresh := match.NewIndex(match.IndexOptions{})
	for k, r := range reg.Records {
		r.Address = fmt.Sprintf("%s, round %d", r.Address, 2)
		tag, ok := x.Tag(r.ID)
		if k%2 == 0 {
			if ok {
				t.Fatalf("%s removed but still in the index", r.ID)
			}
			continue
		}
		if !ok || tag != uint32(20000+k) {
			t.Fatalf("%s: tag %d, %v; want %d", r.ID, tag, ok, 20000+k)
		}
		if err := fresh.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if x.Len() != fresh.Len() {
		t.Fatalf("%d records, want %d", x.Len(), fresh.Len())
	}
	for k := 1; k < len(reg.Records); k += 2 {
		r := reg.Records[k]
		r.Address = fmt.Sprintf("%s, round %d", r.Address, 2)
		sameCandidates(t, r.ID, x.Candidates(r), fresh.Candidates(r))
	}
	t.Logf("%d compactions", x.Compactions())
}

// sameCandidates fails t unless got lists want's candidates of id, with
// the same scores, in the same order.
func sameCandidates(t *testing.T, id string, got, want []match.Candidate) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d candidates, want %d", id, len(got), len(want))
	}
	for j := range got {
		if got[j].ID != want[j].ID || got[j].Score != want[j].Score {
			t.Fatalf("%s: candidate %d is %s (%.6f), want %s (%.6f)", id, j, got[j].ID, got[j].Score, want[j].ID, want[j].Score)
		}
	}
}

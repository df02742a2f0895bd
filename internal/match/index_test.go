package match

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestIndex(t *testing.T) {
	x := NewIndex(IndexOptions{})
	people := []Record{
		{ID: "a", GivenName: "Md. Rafiqul", FamilyName: "Islam", DOB: "1985-03-12", FatherName: "Abdul Karim", Phones: []string{"01712345678"}, Passport: "BN0123456", Sex: "m", Address: "Vill. Charpara, Kashiani", Postcode: "8130"},
		{ID: "b", GivenName: "Jahangir", FamilyName: "Alam", DOB: "1990-07-25", FatherName: "Habib Alam", Sex: "m", Postcode: "1200"},
		{ID: "c", GivenName: "Rahima", FamilyName: "Khatun", DOB: "1979", FatherName: "Nurul Huq", Sex: "f"},
	}
	for i := 0; i < 200; i++ {
		people = append(people, Record{ID: fmt.Sprint("f", i), GivenName: []string{"Kamal", "Jamal", "Sohel", "Rubel"}[i%4], FamilyName: []string{"Hossain", "Ahmed", "Sarkar"}[i%3],
			DOB: fmt.Sprintf("%d-%02d-%02d", 1960+i%40, 1+i%12, 1+i%28), FatherName: "Father " + fmt.Sprint(i), Sex: "m"})
	}
	for _, r := range people {
		if err := x.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.Add(Record{GivenName: "no id"}); err == nil {
		t.Error("Add without ID must fail")
	}
	// The example: a new registration of the same man.
	q := Record{ID: "new", GivenName: "Rafiqul Islam", FamilyName: "Mohammad", DOB: "1985", FatherName: "Md. Abdul Kareem", Phones: []string{"01898765432"}, Passport: "EB0123456", Sex: "m", Address: "Charpara village"}
	cs := x.Candidates(q)
	if len(cs) == 0 || cs[0].ID != "a" {
		t.Fatalf("Candidates = %+v, want a first", cs)
	}
	if cs[0].Explanation == nil || len(cs[0].Explanation.Fields) == 0 {
		t.Fatal("candidate without explanation")
	}
	en := strings.Join(cs[0].Explanation.Sentences("en"), "\n")
	bn := strings.Join(cs[0].Explanation.Sentences("bn"), "\n")
	if !strings.Contains(en, "Father's name") || !strings.Contains(bn, "পিতার নাম") {
		t.Errorf("explanations lack the father's name:\n%s\n%s", en, bn)
	}
	t.Logf("explanation:\n%s\n%s", en, bn)
	for _, c := range x.Candidates(Record{GivenName: "Jahangir", FamilyName: "Alam", DOB: "1990-07-25", FatherName: "Habib Alam"}) {
		if c.ID == "a" {
			t.Error("a different person was returned")
		}
	}
	if !x.Remove("a") || x.Remove("a") {
		t.Error("Remove must report whether the record was there")
	}
	for _, c := range x.Candidates(q) {
		if c.ID == "a" {
			t.Error("removed record still returned")
		}
	}
	if x.Len() != len(people)-1 {
		t.Errorf("Len = %d, want %d", x.Len(), len(people)-1)
	}
	// Replacing a record by ID keeps one copy.
	_ = x.Add(people[1])
	if x.Len() != len(people)-1 {
		t.Errorf("re-adding changed Len to %d", x.Len())
	}
	if e, ok := x.Explain(people[1], "b"); !ok || e.Decision != Match {
		t.Errorf("Explain(b, b) = %+v, %v; want a match", e, ok)
	}
}

// Candidates may run while records are added and removed (go test -race).
func TestIndexConcurrent(t *testing.T) {
	x := NewIndex(IndexOptions{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				id := fmt.Sprint(w, "-", i)
				_ = x.Add(Record{ID: id, GivenName: "Kamal", FamilyName: "Hossain", DOB: "1980"})
				x.Candidates(Record{GivenName: "Kamal", FamilyName: "Hossain", DOB: "1980-02-03"})
				if i%3 == 0 {
					x.Remove(id)
				}
			}
		}()
	}
	wg.Wait()
	if x.Len() != 4*(200-67) {
		t.Errorf("Len = %d, want %d", x.Len(), 4*(200-67))
	}
}

// A common name fills oversized postings; a record that shares only a rare
// key with the query (a phone, a passport) must still be gathered, and one
// that shares only the common keys must not be (the other keys find it
// when it agrees on more). A name key of medium length brings the records
// that share a second key with the query, and only those.
func TestGatherKeepsRareKeys(t *testing.T) {
	x := NewIndex(IndexOptions{MaxScan: 16, RareKey: 4})
	for i := 0; i < 100; i++ {
		_ = x.Add(Record{ID: fmt.Sprint("c", i), GivenName: "Md. Rafiqul", FamilyName: "Islam", DOB: fmt.Sprintf("%d-%02d-%02d", 1960+i%40, 1+i%12, 1+i%28),
			FatherName: fmt.Sprint("Abdul ", []string{"Karim", "Jalil", "Malek", "Hamid", "Latif"}[i%5]), Sex: "m", Postcode: "8130"})
	}
	// Shares the phone only: other name, father, year and postcode.
	_ = x.Add(Record{ID: "phone", GivenName: "Sohel", FamilyName: "Rana", DOB: "1990", FatherName: "Nurul Huq", Phones: []string{"01712345678"}})
	// Shares the passport only.
	_ = x.Add(Record{ID: "passport", GivenName: "Kamal", FamilyName: "Uddin", DOB: "1970", FatherName: "Shafiq", Passport: "BN0123456"})
	// Shares the (oversized) name and nothing else.
	_ = x.Add(Record{ID: "common", GivenName: "Md. Rafiqul", FamilyName: "Islam", DOB: "1977", FatherName: "Zahir Raihan", Postcode: "1200"})
	// Share the family name and the given name's initial (a key of 10:
	// medium); six of them the birth year too (another medium key).
	given := []string{"Jamal", "Jasim", "Jahid", "Jewel", "Jony", "Jibon", "Jakir", "Jalal", "Jubel", "Jinnat"}
	for i, g := range given {
		year := 1980
		if i >= 6 {
			year = 1960 + i
		}
		_ = x.Add(Record{ID: fmt.Sprint("u", i), GivenName: g, FamilyName: "Uddin", DOB: fmt.Sprint(year), FatherName: fmt.Sprint("Father ", i), Postcode: fmt.Sprint(1000 + i)})
	}
	gather := func(q Record) map[string]bool {
		p := (&preparer{v: x.prep.v}).prepare(&q)
		got := map[string]bool{}
		for _, i := range x.gather(blockKeys(&p, nil), signature(&p), nil) {
			got[x.recID(i)] = true
		}
		return got
	}
	got := gather(Record{ID: "q", GivenName: "Md. Rafiqul", FamilyName: "Islam", DOB: "1985-03-12", FatherName: "Habib Ullah",
		Phones: []string{"+880 1712-345678"}, Passport: "BN0123456", Postcode: "9999"})
	for _, id := range []string{"phone", "passport"} {
		if !got[id] {
			t.Errorf("%s shares a rare key with the query but was not gathered", id)
		}
	}
	if got["common"] {
		t.Error("common shares only oversized keys and no signature part beyond them, yet was gathered")
	}
	if n := len(got); n > 10 {
		t.Errorf("gathered %d of 103 records: the oversized postings were not filtered", n)
	}
	got = gather(Record{ID: "q2", GivenName: "Jubayer", FamilyName: "Uddin", DOB: "1980", FatherName: "Zakir", Postcode: "2000"})
	for i := range given {
		if want := i < 6; got[fmt.Sprint("u", i)] != want {
			t.Errorf("u%d gathered = %v, want %v (shares a second key: %v)", i, !want, want, want)
		}
	}
}

// A key's posting moves between a lone slot and a list as records come
// and go.
func TestPostings(t *testing.T) {
	x := NewIndex(IndexOptions{})
	const k = 42 << 2
	var one [1]uint32
	get := func() []uint32 {
		ps := slices.Clone(x.posting(k, &one))
		slices.Sort(ps)
		return ps
	}
	steps := []struct {
		add  bool
		slot uint32
		want []uint32
	}{
		{true, 1, []uint32{1}}, {true, 2, []uint32{1, 2}}, {true, 3, []uint32{1, 2, 3}},
		{false, 2, []uint32{1, 3}}, {false, 1, []uint32{3}}, {false, 3, nil},
		{true, 4, []uint32{4}}, {true, 5, []uint32{4, 5}}, {false, 4, []uint32{5}}, {true, 6, []uint32{5, 6}},
	}
	for _, freeze := range []bool{false, true} {
		x = NewIndex(IndexOptions{})
		x.postAdd(k+4, 9) // another key, frozen beside it
		for n, s := range steps {
			if s.add {
				x.postAdd(k, s.slot)
			} else {
				x.postRemove(k, s.slot)
			}
			if got := get(); !slices.Equal(got, s.want) {
				t.Fatalf("freeze=%v step %d: posting %v, want %v", freeze, n, got, s.want)
			}
			if kept, walked := x.ListDead(); kept != walked {
				t.Fatalf("freeze=%v step %d: the slab's slots left behind counted %d, found %d", freeze, n, kept, walked)
			}
			if freeze {
				// Frozen, the posting reads the same, and the map is empty.
				x.post.freeze()
				if got := get(); !slices.Equal(got, s.want) || len(x.post.m) != 0 {
					t.Fatalf("frozen after step %d: posting %v, want %v; %d keys left in the map", n, got, s.want, len(x.post.m))
				}
				// An emptied key is not kept.
				if keys := 1 + min(len(s.want), 1); len(x.post.fz.keys) != keys {
					t.Fatalf("frozen after step %d: %d keys, want %d", n, len(x.post.fz.keys), keys)
				}
			}
		}
		if len(x.lists) != 1 {
			t.Errorf("freeze=%v: %d lists made, want 1 (a freed list is reused)", freeze, len(x.lists))
		}
		if ps := x.posting(k+4, &one); !slices.Equal(ps, []uint32{9}) {
			t.Errorf("freeze=%v: the other key's posting is %v", freeze, ps)
		}
		if freeze && x.post.freezes != len(steps) {
			t.Errorf("%d freezes, want %d", x.post.freezes, len(steps))
		}
	}
}

// A record's tag follows the record: set by AddTagged, replaced with it,
// 0 after a plain Add, gone with Remove; a slot reused after a removal
// holds the new record's tag, not the old one's.
func TestIndexTags(t *testing.T) {
	x := NewIndex(IndexOptions{})
	add := func(id string, tag uint32) {
		t.Helper()
		if err := x.AddTagged(Record{ID: id, GivenName: "Rahima " + id, FamilyName: "Khatun", DOB: "1979"}, tag); err != nil {
			t.Fatal(err)
		}
	}
	tag := func(id string) string {
		v, ok := x.Tag(id)
		return fmt.Sprint(v, ok)
	}
	add("a", 3)
	add("b", 7)
	if got := tag("a") + " " + tag("b") + " " + tag("c"); got != "3 true 7 true 0 false" {
		t.Errorf("tags: %s", got)
	}
	add("a", 4)
	if got := tag("a"); got != "4 true" {
		t.Errorf("a replaced: %s", got)
	}
	x.Remove("b")
	if got := tag("b"); got != "0 false" {
		t.Errorf("b removed: %s", got)
	}
	add("c", 9) // in b's slot
	if err := x.Add(Record{ID: "d", GivenName: "Karim"}); err != nil {
		t.Fatal(err)
	}
	if got := tag("c") + " " + tag("d"); got != "9 true 0 true" {
		t.Errorf("c in a reused slot, d untagged: %s", got)
	}
}

// A keyTable answers as a Go map does through any mix of sets and
// deletions, frozen or not: a frozen key set again changes in place, a
// frozen key deleted is gone until set again, and a freeze keeps exactly
// the keys with a value, sorted.
func TestKeyTable(t *testing.T) {
	defer SetFreezeMin(50)()
	r := rand.New(rand.NewPCG(1, 2))
	var tab keyTable
	want := map[uint64]uint32{}
	for op := range 20_000 {
		k := uint64(r.IntN(400)) * 0x9e3779b97f4a7c15 // spread over the directory
		switch r.IntN(3) {
		case 0:
			tab.del(k)
			delete(want, k)
		default:
			v := uint32(r.IntN(1 << 31))
			tab.set(k, v)
			want[k] = v
		}
		if tab.len() != len(want) {
			t.Fatalf("op %d: len %d, want %d", op, tab.len(), len(want))
		}
		wv, wok := want[k]
		if v, ok := tab.get(k); ok != wok || v != wv {
			t.Fatalf("op %d: get %x = %d %v, want %d %v", op, k, v, ok, wv, wok)
		}
		if op%1000 == 999 {
			for k, v := range want {
				if got, ok := tab.get(k); !ok || got != v {
					t.Fatalf("op %d: get %x = %d %v, want %d", op, k, got, ok, v)
				}
			}
			tab.freeze()
			if len(tab.m) != 0 || tab.dead != 0 || len(tab.fz.keys) != len(want) || !slices.IsSorted(tab.fz.keys) {
				t.Fatalf("op %d: frozen: %d in the map, %d dead, %d keys (want %d), sorted %v", op, len(tab.m), tab.dead, len(tab.fz.keys), len(want), slices.IsSorted(tab.fz.keys))
			}
		}
	}
	if tab.freezes < 30 {
		t.Errorf("%d freezes: the table hardly froze", tab.freezes)
	}
}

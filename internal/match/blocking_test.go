package match

import (
	"context"
	"fmt"
	"testing"
)

func sharesBlock(a, b *prepared) bool {
	ka, kb := blockKeys(a, nil), blockKeys(b, nil)
	for _, x := range ka {
		for _, y := range kb {
			if x == y {
				return true
			}
		}
	}
	return false
}

// A duplicate with one bad field (or several) still shares a block.
func TestBlockingRecall(t *testing.T) {
	base := Record{GivenName: "Md. Rafiqul", FamilyName: "Islam", DOB: "1985-03-12", FatherName: "Abdul Karim",
		Phones: []string{"01712345678"}, NationalID: "1234567890", Passport: "BN0123456", Postcode: "8130", Address: "House 12, Vill. Charpara"}
	dups := map[string]Record{
		"family typo":         func(r Record) Record { r.FamilyName = "Islma"; return r }(base),
		"given and family":    func(r Record) Record { r.GivenName, r.FamilyName = "Rofikul", "Eslam"; return r }(base),
		"reordered":           func(r Record) Record { r.GivenName, r.FamilyName = "Rafiqul Islam", "Mohammad"; return r }(base),
		"new phone, no DOB":   func(r Record) Record { r.Phones, r.DOB = []string{"01898765432"}, ""; return r }(base),
		"only documents left": {GivenName: "X", FamilyName: "Y", NationalID: "1234567890"},
		"renewed passport":    {GivenName: "Z", Passport: "EB0123456"},
	}
	p := newPreparer(nil)
	a := p.prepare(&base)
	for name, r := range dups {
		b := p.prepare(&r)
		if !sharesBlock(&a, &b) {
			t.Errorf("%s: no shared blocking key", name)
		}
	}
	stranger := Record{GivenName: "Jahangir", FamilyName: "Alam", DOB: "1990-07-25", FatherName: "Habib Alam", Phones: []string{"01555555555"}, Postcode: "1200"}
	b := p.prepare(&stranger)
	if sharesBlock(&a, &b) {
		t.Error("an unrelated record shares a block")
	}
}

// Oversized blocks (a very common name) are searched by a window, so the
// number of comparisons stays near-linear, and each pair is compared once.
func TestBlockingCost(t *testing.T) {
	var recs []Record
	for i := 0; i < 3000; i++ {
		recs = append(recs, Record{
			ID: fmt.Sprint(i), GivenName: "Mohammad Rafiqul", FamilyName: "Islam", DOB: fmt.Sprintf("%d-%02d-%02d", 1960+i%40, 1+i%12, 1+i%28),
			Phones: []string{fmt.Sprintf("0171%07d", i)},
		})
	}
	b := &batch{opt: Options{MaxBlock: 50, Window: 5}, nA: len(recs)}
	b.opt.defaults()
	b.prepareAll(recs)
	b.block()
	seen := map[[2]uint32]bool{}
	var n int
	for _, g := range b.groups {
		b.pairs(g, func(i, j uint32) {
			n++
			k := [2]uint32{min(i, j), max(i, j)}
			if seen[k] && !g.big {
				t.Errorf("pair %v compared twice", k)
			}
			seen[k] = true
		})
	}
	if n > 3000*5*8 {
		t.Errorf("%d comparisons for 3000 records sharing one name; want near-linear", n)
	}
	if _, err := Dedupe(context.Background(), recs, Options{MaxBlock: 50, Window: 5}); err != nil {
		t.Fatal(err)
	}
}

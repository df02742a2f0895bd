package indicator

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// benchRecords makes n records of src with the spread of a national
// registry: 64 districts of 8 upazilas each, 20 destinations, 36 months,
// two organisations.
func benchRecords(src string, n int) []*Record {
	rnd := rand.New(rand.NewPCG(1, 2))
	var recs []*Record
	for range n {
		d := rnd.IntN(64)
		r := &Record{OrgID: fmt.Sprintf("org-%d", rnd.IntN(2)), Dates: map[string]time.Time{}, Fields: map[string]string{
			"sex": []string{"female", "male", "unknown"}[rnd.IntN(3)], "age_group": AgeGroups[rnd.IntN(len(AgeGroups))],
			"district": fmt.Sprintf("BD%04d", d), "upazila": fmt.Sprintf("BD%04d%02d", d, rnd.IntN(8)),
			"destination": fmt.Sprintf("C%02d", rnd.IntN(20)), "return_type": fmt.Sprintf("rt%d", rnd.IntN(5)),
			"plan_30d": []string{"yes", "no"}[rnd.IntN(2)], "status": "registered"},
			Numbers: map[string]*float64{},
			Multi:   map[string][]string{"programme": [][]string{nil, {"RAISE"}, {"RAISE", "SKILL"}}[rnd.IntN(3)]}}
		for _, f := range Sources[src].Dates {
			r.Dates[f] = time.Date(2024, time.Month(1+rnd.IntN(36)), 1+rnd.IntN(28), 0, 0, 0, 0, time.UTC)
		}
		recs = append(recs, r)
	}
	return recs
}

// BenchmarkAggregatorCases aggregates 20,000 cases into the standard
// case indicators and reads their cells.
func BenchmarkAggregatorCases(b *testing.B) {
	var defs []*Definition
	for _, d := range Standard() {
		if d.Source == "cases" {
			defs = append(defs, d)
		}
	}
	recs := benchRecords("cases", 20_000)
	b.ReportAllocs()
	var cells int
	for b.Loop() {
		a := NewAggregator(defs, time.UTC)
		for _, r := range recs {
			a.Add(r)
		}
		cells = len(a.Cells())
	}
	b.ReportMetric(float64(cells), "cells")
}

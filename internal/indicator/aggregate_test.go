package indicator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// naiveCells counts records into cells the plain way (every indicator,
// every combination, every record), for the shared-counter aggregator to
// agree with.
func naiveCells(defs []*Definition, loc *time.Location, recs []*Record) map[string]string {
	out := map[string]*Cell{}
	for _, r := range recs {
		for _, d := range defs {
			at := r.Dates[d.Period]
			if at.IsZero() {
				continue
			}
			inDen := d.Denominator == nil || d.Denominator.Pass(r)
			inNum := d.Numerator.Pass(r) && inDen
			if !inDen || d.Denominator == nil && !inNum {
				continue
			}
			val := 1.0
			if d.Unit == Mean || d.Unit == Amount || d.Unit == Median {
				if r.Numbers[d.Value] == nil {
					continue
				}
				val = *r.Numbers[d.Value]
			}
			for _, by := range Combinations(d.By) {
				for _, v := range valueTuples(r, by) {
					k := strings.Join([]string{d.Code, r.OrgID, at.In(loc).Format("2006-01"), strings.Join(by, ","), v}, "/")
					c := out[k]
					if c == nil {
						c = &Cell{}
						out[k] = c
					}
					c.Denominator++
					if inNum {
						c.Numerator += val
						if d.Unit == Median {
							if c.Spread == nil {
								c.Spread = map[int]float64{}
							}
							c.Spread[int(math.Floor(val))]++
						}
					}
				}
			}
		}
	}
	got := map[string]string{}
	for k, c := range out {
		got[k] = fmt.Sprint(c.Numerator, c.Denominator, EncodeSpread(c.Spread))
	}
	return got
}

// The standard set over random records of every source gives the same
// cells as counting each indicator on its own, in the table's key order.
func TestAggregatorAgreesWithCountingAlone(t *testing.T) {
	rnd := rand.New(rand.NewPCG(7, 17))
	pick := func(vs ...string) string { return vs[rnd.IntN(len(vs))] }
	bySource := map[string][]*Definition{}
	for _, d := range Standard() {
		bySource[d.Source] = append(bySource[d.Source], d)
	}
	loc := time.FixedZone("BDT", 6*3600)
	for src, defs := range bySource {
		var recs []*Record
		for range 400 {
			day := func() time.Time {
				if rnd.IntN(8) == 0 {
					return time.Time{}
				}
				return time.Date(2026, time.Month(1+rnd.IntN(3)), 1+rnd.IntN(28), rnd.IntN(24), 0, 0, 0, time.UTC)
			}
			r := &Record{OrgID: pick("a", "b"), Dates: map[string]time.Time{}, Fields: map[string]string{}, Numbers: map[string]*float64{},
				Multi: map[string][]string{"programme": [][]string{nil, {"RAISE"}, {"RAISE", "SKILL"}}[rnd.IntN(3)]}}
			for _, f := range Sources[src].Dates {
				r.Dates[f] = day()
			}
			for _, f := range Sources[src].Fields {
				if f != "programme" {
					r.Fields[f] = pick("", "x", "yes", "no", "female", "male", "completed", "accepted", "baseline", "m6", "m12", "regular_job", "self_employed")
				}
			}
			for _, f := range Sources[src].Numbers {
				if rnd.IntN(5) > 0 {
					v := float64(rnd.IntN(40)) / 3
					r.Numbers[f] = &v
				}
			}
			recs = append(recs, r)
		}
		a := NewAggregator(defs, loc)
		for _, r := range recs {
			a.Add(r)
		}
		cells := a.Cells()
		got := map[string]string{}
		for _, c := range cells {
			got[strings.Join([]string{c.Code, c.OrgID, c.Period, c.ByFields, c.ByValues}, "/")] = fmt.Sprint(c.Numerator, c.Denominator, EncodeSpread(c.Spread))
		}
		want := naiveCells(defs, loc, recs)
		if len(want) == 0 || len(cells) != len(got) || fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s: %d cells, want %d", src, len(got), len(want))
		}
		if !slices.IsSortedFunc(cells, func(x, y *Cell) int {
			return strings.Compare(x.Code+"\x00"+x.ByFields+"\x00"+x.Period+"\x00"+x.OrgID+"\x00"+x.ByValues, y.Code+"\x00"+y.ByFields+"\x00"+y.Period+"\x00"+y.OrgID+"\x00"+y.ByValues)
		}) {
			t.Errorf("%s: cells not in the table's key order", src)
		}
	}
}

package indicator

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"
)

// Aggregator accumulates the cells of a set of indicators of one source as
// its records stream past. A rebuild passes every record through every
// indicator and every combination of its disaggregations (a million cases
// make tens of millions of cell updates), so:
//   - the indicators placed in a month by the same date share their
//     cells' lookups: a record finds one group of counters per
//     combination of its values and adds to each indicator's counter in
//     it;
//   - an organisation, a month and each field's values are numbered as
//     they are first seen, so that a group is found by a key of small
//     integers, made without allocating, and the texts of a cell (its
//     month, its values joined by '|') are made once per cell, when the
//     cells are read, never per record;
//   - the counters of a date's groups live in two flat slices, a group's
//     at its number times the definitions of the date.
type Aggregator struct {
	defs   []*Definition
	loc    *time.Location
	combos []aggCombo // every distinct combination of the definitions
	dates  []aggDate  // the definitions by the date that places them
	// fields are the disaggregations of any combination; values numbers
	// each field's values (by the field's position), names reads them back.
	fields []string
	values []map[string]int32
	names  [][]string
	orgs   map[string]int32
	orgIDs []string
	// per record: each field's value numbers (made when first needed),
	// and how each definition of a date counts it
	ids    [][]int32
	made   []bool
	counts []aggCount
}

type aggCombo struct {
	by     []string
	fields string // the fields joined by commas
	pos    []int  // the fields' positions in Aggregator.fields
}

// aggDate is a date field and the definitions it places in months: their
// combinations, for each combination the definitions (as positions in
// defs) broken down by it, and the groups of counters.
type aggDate struct {
	field  string
	defs   []int
	combos []int
	slots  [][]int
	groups map[aggKey]int32
	keys   []aggKey  // by group number
	num    []float64 // group g's counter of slot s at g×len(defs)+s
	den    []float64
	spread map[int]map[int]float64 // a median's, by the same place
}

// aggKey finds a group of counters of a date: a combination, an
// organisation, a month (year×12 + month−1) and the record's values of
// the combination's fields (−1 where it has fewer than two).
type aggKey struct {
	combo, org, month int32
	v                 [MaxBy]int32
}

type aggCount struct {
	in, inNum bool
	val       float64
}

// NewAggregator returns an aggregator for defs (all of one source), whose
// months are those of loc's calendar.
func NewAggregator(defs []*Definition, loc *time.Location) *Aggregator {
	a := &Aggregator{defs: defs, loc: loc, orgs: map[string]int32{}}
	comboIndex, dateIndex := map[string]int{}, map[string]int{}
	for i, d := range defs {
		di, ok := dateIndex[d.Period]
		if !ok {
			di = len(a.dates)
			dateIndex[d.Period] = di
			a.dates = append(a.dates, aggDate{field: d.Period, groups: map[aggKey]int32{}})
		}
		dt := &a.dates[di]
		slot := len(dt.defs)
		dt.defs = append(dt.defs, i)
		for _, by := range Combinations(d.By) {
			f := strings.Join(by, ",")
			j, ok := comboIndex[f]
			if !ok {
				j = len(a.combos)
				comboIndex[f] = j
				c := aggCombo{by: by, fields: f}
				for _, field := range by {
					p := slices.Index(a.fields, field)
					if p < 0 {
						p = len(a.fields)
						a.fields = append(a.fields, field)
						a.values = append(a.values, map[string]int32{})
						a.names = append(a.names, nil)
					}
					c.pos = append(c.pos, p)
				}
				a.combos = append(a.combos, c)
			}
			k := slices.Index(dt.combos, j)
			if k < 0 {
				k = len(dt.combos)
				dt.combos = append(dt.combos, j)
				dt.slots = append(dt.slots, nil)
			}
			dt.slots[k] = append(dt.slots[k], slot)
		}
	}
	a.ids = make([][]int32, len(a.fields))
	a.made = make([]bool, len(a.fields))
	a.counts = make([]aggCount, len(defs))
	return a
}

// Combinations returns every choice of at most MaxBy of by, each sorted,
// the empty choice first.
func Combinations(by []string) [][]string {
	s := slices.Clone(by)
	sort.Strings(s)
	out := [][]string{{}}
	for i := range s {
		out = append(out, []string{s[i]})
	}
	for i := range s {
		for j := i + 1; j < len(s); j++ {
			out = append(out, []string{s[i], s[j]})
		}
	}
	return out
}

// valueIDs returns the numbers of r's values of the field at position p
// (several for a Multi field), made once per record.
func (a *Aggregator) valueIDs(r *Record, p int) []int32 {
	if a.made[p] {
		return a.ids[p]
	}
	ids := a.ids[p][:0]
	field := a.fields[p]
	if vs, ok := r.Multi[field]; ok {
		if len(vs) == 0 {
			ids = append(ids, a.valueID(p, ""))
		}
		for _, v := range vs {
			ids = append(ids, a.valueID(p, v))
		}
	} else {
		ids = append(ids, a.valueID(p, r.Fields[field]))
	}
	a.ids[p], a.made[p] = ids, true
	return ids
}

func (a *Aggregator) valueID(p int, v string) int32 {
	id, ok := a.values[p][v]
	if !ok {
		id = int32(len(a.names[p]))
		a.values[p][v] = id
		a.names[p] = append(a.names[p], v)
	}
	return id
}

// Add counts r into every indicator and combination it belongs to; it keeps
// nothing of r, which the caller may refill for the next record.
func (a *Aggregator) Add(r *Record) {
	clear(a.made)
	org, ok := a.orgs[r.OrgID]
	if !ok {
		org = int32(len(a.orgIDs))
		a.orgs[r.OrgID] = org
		a.orgIDs = append(a.orgIDs, r.OrgID)
	}
	for di := range a.dates {
		dt := &a.dates[di]
		at := r.Dates[dt.field]
		if at.IsZero() {
			continue
		}
		counted := false
		for slot, i := range dt.defs {
			c, ok := a.counting(a.defs[i], r)
			a.counts[slot] = c
			counted = counted || ok
		}
		if !counted {
			continue
		}
		y, m, _ := at.In(a.loc).Date()
		key := aggKey{org: org, month: int32(y*12 + int(m) - 1)}
		for k, j := range dt.combos {
			slots := dt.slots[k]
			if !slices.ContainsFunc(slots, func(s int) bool { return a.counts[s].in }) {
				continue
			}
			// One cell per combination of the record's values: a case
			// in two programmes is in both programmes' cells, and in the
			// total (no field) once.
			key.combo, key.v = int32(j), [MaxBy]int32{-1, -1}
			switch pos := a.combos[j].pos; len(pos) {
			case 0:
				a.count(dt, key, slots)
			case 1:
				for _, v := range a.valueIDs(r, pos[0]) {
					key.v[0] = v
					a.count(dt, key, slots)
				}
			default:
				second := a.valueIDs(r, pos[1])
				for _, v := range a.valueIDs(r, pos[0]) {
					key.v[0] = v
					for _, w := range second {
						key.v[1] = w
						a.count(dt, key, slots)
					}
				}
			}
		}
	}
}

// count adds the record counted in a.counts to the group of key, for the
// definitions in slots.
func (a *Aggregator) count(dt *aggDate, key aggKey, slots []int) {
	n := len(dt.defs)
	g, ok := dt.groups[key]
	if !ok {
		g = int32(len(dt.keys))
		dt.groups[key] = g
		dt.keys = append(dt.keys, key)
		dt.num = append(dt.num, make([]float64, n)...)
		dt.den = append(dt.den, make([]float64, n)...)
	}
	base := int(g) * n
	for _, s := range slots {
		c := a.counts[s]
		if !c.in {
			continue
		}
		dt.den[base+s]++
		if !c.inNum {
			continue
		}
		dt.num[base+s] += c.val
		if a.defs[dt.defs[s]].Unit == Median {
			if dt.spread == nil {
				dt.spread = map[int]map[int]float64{}
			}
			sp := dt.spread[base+s]
			if sp == nil {
				sp = map[int]float64{}
				dt.spread[base+s] = sp
			}
			sp[int(math.Floor(c.val))]++
		}
	}
}

// counting says whether d counts r and how: every record it counts is in
// its denominator; inNum those in its numerator too, adding val.
func (a *Aggregator) counting(d *Definition, r *Record) (aggCount, bool) {
	// Without a denominator (counts, amounts) only the numerator's
	// records count; with one, its records are the denominator and
	// those of them that pass the numerator too are the numerator.
	inDen := d.Denominator == nil || d.Denominator.Pass(r)
	inNum := d.Numerator.Pass(r) && inDen
	if !inDen || d.Denominator == nil && !inNum {
		return aggCount{}, false
	}
	val := 1.0
	if d.Unit == Mean || d.Unit == Amount || d.Unit == Median {
		v := r.Numbers[d.Value]
		if v == nil {
			return aggCount{}, false // no value: neither counted nor averaged
		}
		val = *v
	}
	return aggCount{true, inNum, val}, true
}

// valueTuples returns r's values of the fields by, joined by '|', one
// string per combination (several only where a Multi field has several).
func valueTuples(r *Record, by []string) []string {
	out := []string{""}
	for i, f := range by {
		vs := r.Values(f)
		next := make([]string, 0, len(out)*len(vs))
		for _, o := range out {
			for _, v := range vs {
				if i > 0 {
					next = append(next, o+"|"+v)
				} else {
					next = append(next, v)
				}
			}
		}
		out = next
	}
	return out
}

// Cells returns the accumulated cells, each indicator's in the order of
// the aggregate table's key (fields, month, organisation, values), which
// is the order a B-tree takes them in fastest; the indicators in code
// order. The groups are sorted once (several indicators share each, so
// they are fewer than the cells) and each indicator's cells are read off
// them in that order.
func (a *Aggregator) Cells() []*Cell {
	var out []*Cell
	_ = a.EachCell(func(c *Cell) error {
		out = append(out, c)
		return nil
	})
	return out
}

// EachCell passes the accumulated cells to fn in the order Cells returns
// them, each fn's to keep, and stops at fn's first error.
func (a *Aggregator) EachCell(fn func(*Cell) error) error {
	// The ranks of the combinations' field lists and of the
	// organisations, in text order.
	comboRank := make([]int, len(a.combos))
	byFields := make([]int, len(a.combos))
	for i := range byFields {
		byFields[i] = i
	}
	slices.SortFunc(byFields, func(x, y int) int { return strings.Compare(a.combos[x].fields, a.combos[y].fields) })
	for r, i := range byFields {
		comboRank[i] = r
	}
	orgRank := make([]int, len(a.orgIDs))
	byOrg := make([]int, len(a.orgIDs))
	for i := range byOrg {
		byOrg[i] = i
	}
	slices.SortFunc(byOrg, func(x, y int) int { return strings.Compare(a.orgIDs[x], a.orgIDs[y]) })
	for r, i := range byOrg {
		orgRank[i] = r
	}
	months := map[int32]string{}
	type group struct {
		g      int32
		values string
	}
	byDate := make([][]group, len(a.dates))
	for di := range a.dates {
		dt := &a.dates[di]
		gs := make([]group, len(dt.keys))
		for g, k := range dt.keys {
			gs[g] = group{int32(g), a.valueText(k)}
			if _, ok := months[k.month]; !ok {
				months[k.month] = fmt.Sprintf("%04d-%02d", k.month/12, k.month%12+1)
			}
		}
		slices.SortFunc(gs, func(x, y group) int {
			kx, ky := &dt.keys[x.g], &dt.keys[y.g]
			if c := cmp.Compare(comboRank[kx.combo], comboRank[ky.combo]); c != 0 {
				return c
			}
			if c := cmp.Compare(kx.month, ky.month); c != 0 {
				return c
			}
			if c := cmp.Compare(orgRank[kx.org], orgRank[ky.org]); c != 0 {
				return c
			}
			return strings.Compare(x.values, y.values)
		})
		byDate[di] = gs
	}
	type place struct{ date, slot int }
	places := make([]place, 0, len(a.defs))
	for di := range a.dates {
		for s := range a.dates[di].defs {
			places = append(places, place{di, s})
		}
	}
	slices.SortFunc(places, func(x, y place) int {
		return strings.Compare(a.defs[a.dates[x.date].defs[x.slot]].Code, a.defs[a.dates[y.date].defs[y.slot]].Code)
	})
	const block = 4096
	var cells []Cell
	for _, pl := range places {
		dt := &a.dates[pl.date]
		d, n := a.defs[dt.defs[pl.slot]], len(dt.defs)
		for _, e := range byDate[pl.date] {
			at := int(e.g)*n + pl.slot
			if dt.den[at] == 0 {
				continue
			}
			k := &dt.keys[e.g]
			if len(cells) == cap(cells) {
				cells = make([]Cell, 0, block) // cells in blocks: fewer allocations
			}
			cells = append(cells, Cell{Code: d.Code, OrgID: a.orgIDs[k.org], Period: months[k.month], ByFields: a.combos[k.combo].fields, ByValues: e.values,
				Numerator: dt.num[at], Denominator: dt.den[at], Spread: dt.spread[at]})
			if err := fn(&cells[len(cells)-1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// valueText returns the values of a group's key joined by '|'.
func (a *Aggregator) valueText(k aggKey) string {
	pos := a.combos[k.combo].pos
	switch len(pos) {
	case 0:
		return ""
	case 1:
		return a.names[pos[0]][k.v[0]]
	}
	return a.names[pos[0]][k.v[0]] + "|" + a.names[pos[1]][k.v[1]]
}

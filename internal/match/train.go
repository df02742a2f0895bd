package match

import (
	"math/rand/v2"
	"slices"
	"sort"
)

// session is one EM training run over pairs that agree on a key: the fields
// the key is built from are ignored (every pair agrees on them), the others
// get their m estimated.
type session struct {
	key    func(p *prepared) string
	ignore []Field
}

var sessions = []session{
	{ // same name: estimates dates, parents, documents, contact, address
		key: func(p *prepared) string {
			if len(p.full) == 0 {
				return ""
			}
			return p.full[0].phon
		},
		ignore: []Field{FieldGivenName, FieldFamilyName, FieldFullName, FieldNativeName, FieldSex},
	},
	{ // same birth date: estimates names and everything else
		key: func(p *prepared) string {
			if p.dob.Prec != PrecDay || p.dob.IsPlaceholder() {
				return ""
			}
			return p.dob.String()
		},
		ignore: []Field{FieldDOB},
	},
}

// trainM estimates m probabilities by EM over pairs sampled uniformly from
// each training session's groups, with u held at init.U, and averages each
// field's estimates over the sessions that did not ignore it. Fields no
// session could estimate keep init's values.
func trainM(init *Model, preps []prepared, side func(uint32) bool, link bool, st *Stats, pairs int, seed uint64) [NumFields][maxLevels]float64 {
	var sum [NumFields][maxLevels]float64
	var cnt [NumFields]int
	for si, s := range sessions {
		pats := samplePairs(s.key, preps, side, link, st, pairs/2, seed+uint64(si))
		var total float64
		for _, c := range pats {
			total += c
		}
		if total < 50 {
			continue // too few pairs to learn from
		}
		var opt EMOptions
		opt.FixU, opt.MaxIter = true, 200
		prior := init.M
		opt.PriorM, opt.PriorStrength = &prior, priorStrength
		for _, f := range s.ignore {
			opt.Ignore[f] = true
		}
		res := EM(pats, init, opt)
		for f := Field(0); f < NumFields; f++ {
			if opt.Ignore[f] {
				continue
			}
			var seen float64
			for k, c := range pats {
				if unpack(k)[f] > 0 {
					seen += c
				}
			}
			if seen < 20 {
				continue // the field is (almost) always missing here
			}
			for l := range res.M[f] {
				sum[f][l] += res.M[f][l]
			}
			cnt[f]++
		}
	}
	m := init.M
	for f := Field(0); f < NumFields; f++ {
		if cnt[f] == 0 {
			continue
		}
		for l := range m[f] {
			m[f][l] = sum[f][l] / float64(cnt[f])
		}
	}
	boundM(&m)
	return m
}

// samplePairs draws up to n pairs uniformly from the pairs of records that
// share key (across sides when linking) and counts their comparison vectors.
func samplePairs(key func(*prepared) string, preps []prepared, side func(uint32) bool, link bool, st *Stats, n int, seed uint64) Patterns {
	groups := map[string][]uint32{}
	for i := range preps {
		if k := key(&preps[i]); k != "" {
			groups[k] = append(groups[k], uint32(i))
		}
	}
	type grp struct {
		a, b []uint32 // for a dedupe, b is nil and pairs come from a
	}
	var gs []grp
	var cum []float64
	var total float64
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic for a given seed
	for _, k := range keys {
		m := groups[k]
		var g grp
		var pairs float64
		if link {
			for _, r := range m {
				if side(r) {
					g.b = append(g.b, r)
				} else {
					g.a = append(g.a, r)
				}
			}
			pairs = float64(len(g.a)) * float64(len(g.b))
		} else {
			g.a = m
			pairs = float64(len(m)) * float64(len(m)-1) / 2
		}
		if pairs == 0 {
			continue
		}
		total += pairs
		gs = append(gs, g)
		cum = append(cum, total)
	}
	pats := Patterns{}
	if total == 0 {
		return pats
	}
	rng := rand.New(rand.NewPCG(seed, 0x51ab))
	if total <= float64(n) {
		// Few enough to take them all.
		for _, g := range gs {
			if link {
				for _, i := range g.a {
					for _, j := range g.b {
						pats.Add(compare(&preps[i], &preps[j], st))
					}
				}
				continue
			}
			for x := range g.a {
				for y := x + 1; y < len(g.a); y++ {
					pats.Add(compare(&preps[g.a[x]], &preps[g.a[y]], st))
				}
			}
		}
		return pats
	}
	for k := 0; k < n; k++ {
		gi, _ := slices.BinarySearch(cum, rng.Float64()*total)
		if gi >= len(gs) {
			gi = len(gs) - 1
		}
		g := gs[gi]
		var i, j uint32
		if link {
			i, j = g.a[rng.IntN(len(g.a))], g.b[rng.IntN(len(g.b))]
		} else {
			x, y := rng.IntN(len(g.a)), rng.IntN(len(g.a)-1)
			if y >= x {
				y++
			}
			i, j = g.a[x], g.a[y]
		}
		pats.Add(compare(&preps[i], &preps[j], st))
	}
	return pats
}

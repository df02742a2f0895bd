package match

import (
	"math"
	"math/rand/v2"
)

// Patterns counts comparison vectors: EM works on distinct patterns, so a
// million compared pairs cost no more than the few thousand patterns they
// show.
type Patterns map[uint64]float64

// Add counts one comparison vector.
func (p Patterns) Add(v Vector) { p[v.pack()]++ }

// EMResult is what EM estimated.
type EMResult struct {
	M, U       [NumFields][maxLevels]float64
	Lambda     float64 // share of the compared pairs that match
	Iterations int
}

// EM estimates m and u probabilities and the share of matches among the
// pairs counted in pats, starting from init (its M and U; U usually from
// random pairs). Each field's levels are treated as conditionally
// independent given match status, as Fellegi–Sunter assumes.
func EM(pats Patterns, init *Model, maxIter int) EMResult {
	type row struct {
		v Vector
		n float64
	}
	rows := make([]row, 0, len(pats))
	var total float64
	for k, n := range pats {
		rows = append(rows, row{unpack(k), n})
		total += n
	}
	res := EMResult{M: init.M, U: init.U, Lambda: 0.1}
	if total == 0 {
		return res
	}
	const alpha = 0.5 // pseudo-count: no level becomes impossible
	for it := 0; it < maxIter; it++ {
		res.Iterations = it + 1
		var cm, cu [NumFields][maxLevels]float64
		var sumG float64
		for _, r := range rows {
			lm, lu := math.Log(res.Lambda), math.Log(1-res.Lambda)
			for f := Field(0); f < NumFields; f++ {
				if l := r.v[f]; l > 0 {
					lm += math.Log(res.M[f][l])
					lu += math.Log(res.U[f][l])
				}
			}
			g := 1 / (1 + math.Exp(lu-lm))
			sumG += g * r.n
			for f := Field(0); f < NumFields; f++ {
				if l := r.v[f]; l > 0 {
					cm[f][l] += g * r.n
					cu[f][l] += (1 - g) * r.n
				}
			}
		}
		newLambda := math.Min(math.Max(sumG/total, 1e-9), 1-1e-9)
		var delta float64
		for f := Field(0); f < NumFields; f++ {
			n := len(levels[f])
			var sm, su float64
			for l := 1; l < n; l++ {
				sm += cm[f][l]
				su += cu[f][l]
			}
			for l := 1; l < n; l++ {
				m := (cm[f][l] + alpha) / (sm + alpha*float64(n-1))
				u := (cu[f][l] + alpha) / (su + alpha*float64(n-1))
				delta = math.Max(delta, math.Abs(m-res.M[f][l]))
				res.M[f][l], res.U[f][l] = m, u
			}
		}
		delta = math.Max(delta, math.Abs(newLambda-res.Lambda))
		res.Lambda = newLambda
		if delta < 1e-5 {
			break
		}
	}
	return res
}

// randomU estimates u probabilities from n random pairs drawn by pick: two
// records chosen at random are almost never the same person, so the levels
// they show are what chance alone produces.
func randomU(n int, pick func(r *rand.Rand) (a, b *prepared), st *Stats, seed uint64) [NumFields][maxLevels]float64 {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	var counts [NumFields][maxLevels]float64
	for i := 0; i < n; i++ {
		a, b := pick(rng)
		if a == nil {
			continue
		}
		v := compare(a, b, st)
		for f := range v {
			counts[f][v[f]]++
		}
	}
	var u [NumFields][maxLevels]float64
	for f := Field(0); f < NumFields; f++ {
		L := len(levels[f])
		var s float64
		for l := 1; l < L; l++ {
			s += counts[f][l]
		}
		for l := 1; l < L; l++ {
			// Half a count keeps unseen levels possible but rare; a floor of
			// one in ten million stops a small sample from claiming more.
			u[f][l] = math.Max((counts[f][l]+0.5)/(s+0.5*float64(L-1)), 1e-7)
		}
		if s == 0 {
			u[f] = DefaultModel().U[f]
		}
	}
	return u
}

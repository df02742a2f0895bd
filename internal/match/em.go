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

// EMOptions control one EM run.
type EMOptions struct {
	MaxIter int             // default 100
	FixU    bool            // keep init's U (estimated from random pairs)
	FixM    bool            // keep init's M (estimate only the share of matches)
	Ignore  [NumFields]bool // fields left out (those the training pairs were chosen by)
	Lambda  float64         // starting share of matches (default 0.1)
	// PriorM, when set, smooths the m estimates towards it with the
	// weight of PriorStrength pairs (see bounds.go); otherwise every
	// level gets a pseudo-count of one half.
	PriorM        *[NumFields][maxLevels]float64
	PriorStrength float64
}

// EM estimates m and u probabilities and the share of matches among the
// pairs counted in pats, starting from init's M and U. Each field's levels
// are treated as conditionally independent given match status, as
// Fellegi–Sunter assumes. Ignored fields keep init's values.
func EM(pats Patterns, init *Model, opt EMOptions) EMResult {
	maxIter := opt.MaxIter
	if maxIter <= 0 {
		maxIter = 100
	}
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
	if opt.Lambda > 0 {
		res.Lambda = opt.Lambda
	}
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
				if l := r.v[f]; l > 0 && !opt.Ignore[f] {
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
			if opt.Ignore[f] {
				continue
			}
			n := len(levels[f])
			var sm, su float64
			for l := 1; l < n; l++ {
				sm += cm[f][l]
				su += cu[f][l]
			}
			for l := 1; l < n; l++ {
				m := (cm[f][l] + alpha) / (sm + alpha*float64(n-1))
				if opt.PriorM != nil {
					m = (cm[f][l] + opt.PriorStrength*opt.PriorM[f][l]) / (sm + opt.PriorStrength)
				}
				u := (cu[f][l] + alpha) / (su + alpha*float64(n-1))
				if !opt.FixM {
					delta = math.Max(delta, math.Abs(m-res.M[f][l]))
					res.M[f][l] = m
				}
				if !opt.FixU {
					res.U[f][l] = u
				}
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
	prior := DefaultModel().U
	const priorPairs = 100 // the default u counts as this many observed pairs
	for f := Field(0); f < NumFields; f++ {
		L := len(levels[f])
		var s float64
		for l := 1; l < L; l++ {
			s += counts[f][l]
		}
		for l := 1; l < L; l++ {
			// The prior keeps unseen levels possible but rare and carries a
			// small registry; a floor of one in ten million stops a small
			// sample from claiming more.
			u[f][l] = math.Max((counts[f][l]+priorPairs*prior[f][l])/(s+priorPairs), 1e-7)
		}
	}
	return u
}

// mixture estimates the shares of matches and of same-household pairs among
// the pairs counted in pats, with m and u held: a match shows Π m, a
// household pair Π m over the household fields and Π u elsewhere, an
// unrelated pair Π u.
func mixture(pats Patterns, m *Model, maxIter int) (lambdaM, lambdaH float64) {
	type row struct {
		lm, lh, lu float64
		n          float64
	}
	rows := make([]row, 0, len(pats))
	var total float64
	for k, c := range pats {
		v := unpack(k)
		var r row
		r.n = c
		for f := Field(0); f < NumFields; f++ {
			l := v[f]
			if l == 0 {
				continue
			}
			lm, lu := math.Log(m.M[f][l]), math.Log(m.U[f][l])
			r.lm += lm
			r.lu += lu
			if householdFields[f] {
				r.lh += lm
			} else {
				r.lh += lu
			}
		}
		rows = append(rows, r)
		total += c
	}
	lambdaM, lambdaH = 0.1, 0.05
	if total == 0 {
		return 0, 0
	}
	for it := 0; it < maxIter; it++ {
		var sm, sh float64
		for _, r := range rows {
			a := math.Log(lambdaM) + r.lm
			b := math.Log(lambdaH) + r.lh
			c := math.Log(1-lambdaM-lambdaH) + r.lu
			mx := math.Max(a, math.Max(b, c))
			ea, eb, ec := math.Exp(a-mx), math.Exp(b-mx), math.Exp(c-mx)
			z := ea + eb + ec
			sm += r.n * ea / z
			sh += r.n * eb / z
		}
		nm := math.Max(sm/total, 1e-9)
		nh := math.Max(sh/total, 1e-9)
		if nm+nh > 0.999 {
			s := 0.999 / (nm + nh)
			nm, nh = nm*s, nh*s
		}
		done := math.Abs(nm-lambdaM) < 1e-7 && math.Abs(nh-lambdaH) < 1e-7
		lambdaM, lambdaH = nm, nh
		if done {
			break
		}
	}
	return lambdaM, lambdaH
}

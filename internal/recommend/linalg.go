package recommend

import (
	"errors"
	"math"
)

// design is a dense row-major matrix of n rows of d columns; column 0 is the
// intercept (all ones) and is not penalised.
type design struct {
	n, d int
	x    []float64
}

func (m *design) row(i int) []float64 { return m.x[i*m.d : (i+1)*m.d] }

// newDesign builds a design from rows, prepending the intercept column.
func newDesign(rows [][]float64) *design {
	if len(rows) == 0 {
		return &design{}
	}
	d := len(rows[0]) + 1
	m := &design{n: len(rows), d: d, x: make([]float64, len(rows)*d)}
	for i, r := range rows {
		row := m.row(i)
		row[0] = 1
		copy(row[1:], r)
	}
	return m
}

// gram returns XᵀWX + λI (intercept unpenalised) and XᵀWy for the rows in
// idx (all rows when idx is nil); w nil means unit weights.
func (m *design) gram(idx []int, w, y []float64, lambda float64) ([]float64, []float64) {
	d := m.d
	a := make([]float64, d*d)
	b := make([]float64, d)
	add := func(i int) {
		r := m.row(i)
		wi := 1.0
		if w != nil {
			wi = w[i]
		}
		if wi == 0 {
			return
		}
		for j := 0; j < d; j++ {
			v := wi * r[j]
			if v == 0 {
				continue
			}
			b[j] += v * y[i]
			aj := a[j*d : j*d+j+1]
			for k, rk := range r[:j+1] {
				aj[k] += v * rk
			}
		}
	}
	if idx == nil {
		for i := 0; i < m.n; i++ {
			add(i)
		}
	} else {
		for _, i := range idx {
			add(i)
		}
	}
	for j := 0; j < d; j++ {
		for k := 0; k < j; k++ {
			a[k*d+j] = a[j*d+k]
		}
		if j > 0 {
			a[j*d+j] += lambda
		}
	}
	a[0] += 1e-9 // keeps an all-zero design solvable
	return a, b
}

var errNotPD = errors.New("recommend: matrix is not positive definite")

// cholesky factors the symmetric positive-definite d×d matrix a in place
// into its lower triangle L (a = LLᵀ).
func cholesky(a []float64, d int) error {
	for j := 0; j < d; j++ {
		s := a[j*d+j]
		for k := 0; k < j; k++ {
			s -= a[j*d+k] * a[j*d+k]
		}
		if s <= 0 || math.IsNaN(s) {
			return errNotPD
		}
		l := math.Sqrt(s)
		a[j*d+j] = l
		for i := j + 1; i < d; i++ {
			t := a[i*d+j]
			for k := 0; k < j; k++ {
				t -= a[i*d+k] * a[j*d+k]
			}
			a[i*d+j] = t / l
		}
	}
	return nil
}

// cholSolve solves LLᵀx = b for the factor from cholesky; b is overwritten.
func cholSolve(l []float64, d int, b []float64) []float64 {
	for i := 0; i < d; i++ {
		s := b[i]
		for k := 0; k < i; k++ {
			s -= l[i*d+k] * b[k]
		}
		b[i] = s / l[i*d+i]
	}
	for i := d - 1; i >= 0; i-- {
		s := b[i]
		for k := i + 1; k < d; k++ {
			s -= l[k*d+i] * b[k]
		}
		b[i] = s / l[i*d+i]
	}
	return b
}

// ridge fits y ≈ Xβ on the rows idx with penalty λ on every coefficient but
// the intercept.
func ridge(m *design, idx []int, y []float64, lambda float64) ([]float64, error) {
	a, b := m.gram(idx, nil, y, lambda)
	if err := cholesky(a, m.d); err != nil {
		return nil, err
	}
	return cholSolve(a, m.d, b), nil
}

// ridgeSandwich fits a ridge regression on all rows and returns the
// coefficients and their heteroskedasticity-robust (sandwich) covariance
// A⁻¹(Σ rᵢ² xᵢxᵢᵀ)A⁻¹ with A = XᵀX + λI, so that a band for xᵀβ widens
// where the data are thin.
func ridgeSandwich(m *design, y []float64, lambda float64) ([]float64, []float64, error) {
	a, b := m.gram(nil, nil, y, lambda)
	if err := cholesky(a, m.d); err != nil {
		return nil, nil, err
	}
	beta := cholSolve(a, m.d, b)
	r2 := make([]float64, m.n)
	for i := range r2 {
		r := y[i] - dot(m.row(i), beta)
		r2[i] = r * r
	}
	meat, _ := m.gram(nil, r2, make([]float64, m.n), 0)
	meat[0] -= 1e-9
	d := m.d
	// inv = A⁻¹ column by column.
	inv := make([]float64, d*d)
	for j := 0; j < d; j++ {
		e := make([]float64, d)
		e[j] = 1
		col := cholSolve(a, d, e)
		for i := 0; i < d; i++ {
			inv[i*d+j] = col[i]
		}
	}
	cov := mul(mul(inv, meat, d), inv, d)
	return beta, cov, nil
}

func mul(a, b []float64, d int) []float64 {
	c := make([]float64, d*d)
	for i := 0; i < d; i++ {
		for k := 0; k < d; k++ {
			v := a[i*d+k]
			if v == 0 {
				continue
			}
			for j := 0; j < d; j++ {
				c[i*d+j] += v * b[k*d+j]
			}
		}
	}
	return c
}

// logistic fits P(y=1) = σ(xᵀβ) with an L2 penalty λ by Newton's method
// (iteratively reweighted least squares) on the rows idx, starting from
// start (nil: zero), until no coefficient moves by 1e-4.
func logistic(m *design, idx []int, y []float64, lambda float64, start []float64) ([]float64, error) {
	beta := make([]float64, m.d)
	copy(beta, start)
	w := make([]float64, m.n)
	z := make([]float64, m.n)
	for iter := 0; iter < 25; iter++ {
		for _, i := range idx {
			eta := dot(m.row(i), beta)
			p := sigmoid(eta)
			wi := math.Max(p*(1-p), 1e-6)
			w[i] = wi
			z[i] = eta + (y[i]-p)/wi
		}
		a, b := m.gram(idx, w, z, lambda)
		if err := cholesky(a, m.d); err != nil {
			return nil, err
		}
		next := cholSolve(a, m.d, b)
		delta := 0.0
		for j := range next {
			delta = math.Max(delta, math.Abs(next[j]-beta[j]))
		}
		beta = next
		if delta < 1e-4 {
			break
		}
	}
	return beta, nil
}

func sigmoid(t float64) float64 { return 1 / (1 + math.Exp(-t)) }

func dot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

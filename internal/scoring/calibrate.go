package scoring

import (
	"fmt"
	"math"
	"sort"
	"time"

	"homeward"
)

// CalibrateOptions tunes Calibrate.
type CalibrateOptions struct {
	// Version of the new scheme; default "<old version>-pca.<YYYYMMDD>".
	Version string
	// Now dates the new version and its description; default time.Now().
	Now time.Time
}

// Calibration is the outcome of Calibrate: a new scheme version for review
// (nothing is activated) and how well one component summarizes the data.
type Calibration struct {
	Scheme *Scheme `json:"scheme"`
	// Rows is the number of answer sets used.
	Rows int `json:"rows"`
	// Dimensions reports the indicator-level analysis of each dimension.
	Dimensions []ComponentReport `json:"dimensions"`
	// Composite reports the analysis of the dimension scores that sets the
	// dimension weights (nil with a single dimension).
	Composite *ComponentReport `json:"composite,omitempty"`
	Warnings  []string         `json:"warnings,omitempty"`
}

// ComponentReport describes the first principal component of one analysis.
type ComponentReport struct {
	ID string `json:"id"`
	// VarianceExplained is the first eigenvalue of the correlation matrix
	// over its trace: the share of the standardized variance the component
	// captures.
	VarianceExplained float64 `json:"variance_explained"`
	// Rows is the number of answer sets with at least one answered input.
	Rows int `json:"rows"`
	// Loadings are the component's coefficients (unit eigenvector) by input
	// id, sign-fixed so that they sum to a positive number.
	Loadings map[string]float64 `json:"loadings"`
	// Weights are the derived weights by input id.
	Weights map[string]float64 `json:"weights"`
}

// Calibrate derives weights from collected answers by principal component
// analysis, the method behind the published reintegration sustainability
// scoring. For each dimension it scores every answer set with the current
// scheme, fills an unanswered indicator with that indicator's mean,
// standardizes each indicator, and takes the first eigenvector of the
// indicators' correlation matrix (found with the Jacobi eigenvalue method).
// Indicator weights are the eigenvector's coefficients, negative ones set to
// zero (with a warning: such an indicator moves against the others, check its
// scores), rescaled to average 1 and rounded to three decimals. An indicator
// that does not vary in the data carries no information; it keeps the mean
// weight, with a warning. Dimension weights come the same way from the
// dimension scores computed with the new indicator weights.
//
// The result is a new version of the scheme that has been validated; it is
// for review, and nothing uses it until someone activates it.
func Calibrate(s *Scheme, rows []map[string]any, opts CalibrateOptions) (*Calibration, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.Version == "" {
		opts.Version = s.Version + "-pca." + opts.Now.UTC().Format("20060102")
	}
	// Indicator scores for every row; NaN marks unanswered.
	var v homeward.Validation
	type key struct{ d, i int }
	scores := map[key][]float64{}
	for di, d := range s.Dimensions {
		for ii := range d.Indicators {
			scores[key{di, ii}] = make([]float64, len(rows))
		}
	}
	for r, ans := range rows {
		for di, d := range s.Dimensions {
			for ii, in := range d.Indicators {
				sc, ok, err := in.score(ans[in.ID])
				if err != nil {
					v.Merge(fmt.Sprintf("rows[%d]", r), err)
				}
				if !ok || err != nil {
					sc = math.NaN()
				}
				scores[key{di, ii}][r] = sc
			}
		}
	}
	if err := v.Err(); err != nil {
		return nil, err
	}

	out := &Calibration{Rows: len(rows)}
	ns := cloneScheme(s)
	dimScores := make([][]float64, len(s.Dimensions)) // per dimension, per row; NaN = no score
	for di, d := range s.Dimensions {
		ids := make([]string, len(d.Indicators))
		cols := make([][]float64, len(d.Indicators))
		for ii, in := range d.Indicators {
			ids[ii] = in.ID
			cols[ii] = scores[key{di, ii}]
		}
		rep, weights, warn, err := component(d.ID, ids, cols)
		if err != nil {
			return nil, err
		}
		out.Warnings = append(out.Warnings, warn...)
		out.Dimensions = append(out.Dimensions, rep)
		for ii := range ns.Dimensions[di].Indicators {
			ns.Dimensions[di].Indicators[ii].Weight = weights[ii]
		}
		// Dimension scores with the new weights, as Score computes them.
		dimScores[di] = make([]float64, len(rows))
		for r := range rows {
			total, answered, sum := 0.0, 0.0, 0.0
			for ii := range d.Indicators {
				w := weights[ii]
				total += w
				if x := cols[ii][r]; !math.IsNaN(x) {
					answered += w
					sum += w * x
				}
			}
			dimScores[di][r] = math.NaN()
			if answered > 0 && answered/total+coverageEpsilon >= s.MinCoverage {
				dimScores[di][r] = sum / answered
			}
		}
	}
	if len(s.Dimensions) > 1 {
		ids := make([]string, len(s.Dimensions))
		for di, d := range s.Dimensions {
			ids[di] = d.ID
		}
		rep, weights, warn, err := component("composite", ids, dimScores)
		if err != nil {
			return nil, err
		}
		out.Warnings = append(out.Warnings, warn...)
		out.Composite = &rep
		for di := range ns.Dimensions {
			ns.Dimensions[di].Weight = weights[di]
		}
	}
	ns.Version = opts.Version
	ns.Description = fmt.Sprintf("Weights derived by principal component analysis from %d answer sets on %s, starting from %s %s; variance explained by the first component: %s. For review: nothing uses this version until an administrator activates it.",
		len(rows), opts.Now.UTC().Format("2006-01-02"), s.ID, s.Version, varianceSummary(out))
	if err := ns.Validate(); err != nil {
		return nil, fmt.Errorf("scoring: calibrated scheme does not validate: %w", err)
	}
	out.Scheme = ns
	return out, nil
}

func varianceSummary(c *Calibration) string {
	s := ""
	for i, d := range c.Dimensions {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%s %.0f%%", d.ID, 100*d.VarianceExplained)
	}
	if c.Composite != nil {
		s += fmt.Sprintf(", composite %.0f%%", 100*c.Composite.VarianceExplained)
	}
	return s
}

func cloneScheme(s *Scheme) *Scheme {
	n := *s
	n.Dimensions = make([]Dimension, len(s.Dimensions))
	for i, d := range s.Dimensions {
		n.Dimensions[i] = d
		n.Dimensions[i].Indicators = append([]Indicator(nil), d.Indicators...)
	}
	return &n
}

// component runs PCA on columns (NaN = missing) and returns the report and
// the derived weights in column order.
func component(id string, ids []string, cols [][]float64) (ComponentReport, []float64, []string, error) {
	rep := ComponentReport{ID: id, Loadings: map[string]float64{}, Weights: map[string]float64{}}
	p := len(cols)
	weights := make([]float64, p)
	var warn []string
	if p == 1 {
		weights[0] = 1
		rep.VarianceExplained = 1
		rep.Weights[ids[0]] = 1
		rep.Loadings[ids[0]] = 1
		return rep, weights, nil, nil
	}
	n := len(cols[0])
	// Rows with at least one answered input.
	var use []int
	for r := 0; r < n; r++ {
		for j := 0; j < p; j++ {
			if !math.IsNaN(cols[j][r]) {
				use = append(use, r)
				break
			}
		}
	}
	rep.Rows = len(use)
	if len(use) < 3 || len(use) <= p {
		return rep, nil, nil, homeward.FieldErrorf(id, "assessment.calibrate.too_few_rows",
			"%s: %d usable answer sets are too few to calibrate %d inputs (need more than the number of inputs, and at least 3).", id, len(use), p)
	}
	if len(use) < 10*p {
		warn = append(warn, fmt.Sprintf("%s: only %d answer sets for %d inputs; ten per input is the usual minimum for stable weights", id, len(use), p))
	}
	// Standardize with mean imputation; constant columns are left out.
	var z [][]float64
	var varying []int
	for j := 0; j < p; j++ {
		mean, cnt := 0.0, 0
		for _, r := range use {
			if x := cols[j][r]; !math.IsNaN(x) {
				mean += x
				cnt++
			}
		}
		if cnt == 0 {
			warn = append(warn, fmt.Sprintf("%s: %s is never answered; it keeps the mean weight", id, ids[j]))
			continue
		}
		mean /= float64(cnt)
		col := make([]float64, len(use))
		ss := 0.0
		for k, r := range use {
			x := cols[j][r]
			if math.IsNaN(x) {
				x = mean
			}
			col[k] = x - mean
			ss += col[k] * col[k]
		}
		sd := math.Sqrt(ss / float64(len(use)))
		if sd < 1e-12 {
			warn = append(warn, fmt.Sprintf("%s: %s does not vary in the data; it keeps the mean weight", id, ids[j]))
			continue
		}
		for k := range col {
			col[k] /= sd
		}
		z = append(z, col)
		varying = append(varying, j)
	}
	q := len(varying)
	if q < 2 {
		return rep, nil, warn, homeward.FieldErrorf(id, "assessment.calibrate.no_variation",
			"%s: fewer than two inputs vary in the data, so there is nothing to derive weights from.", id)
	}
	corr := make([][]float64, q)
	for a := 0; a < q; a++ {
		corr[a] = make([]float64, q)
		for b := 0; b <= a; b++ {
			s := 0.0
			for k := range z[a] {
				s += z[a][k] * z[b][k]
			}
			corr[a][b] = s / float64(len(use))
			corr[b][a] = corr[a][b]
		}
	}
	vals, vecs := jacobiEigen(corr)
	best := 0
	for i := range vals {
		if vals[i] > vals[best] {
			best = i
		}
	}
	trace := 0.0
	for i := range vals {
		trace += vals[i]
	}
	rep.VarianceExplained = vals[best] / trace
	load := make([]float64, q)
	sum := 0.0
	for a := 0; a < q; a++ {
		load[a] = vecs[a][best]
		sum += load[a]
	}
	if sum < 0 {
		for a := range load {
			load[a] = -load[a]
		}
	}
	raw := make([]float64, p)
	for j := range raw {
		raw[j] = math.NaN()
	}
	pos := 0.0
	for a, j := range varying {
		rep.Loadings[ids[j]] = round(load[a], 4)
		if load[a] < 0 {
			warn = append(warn, fmt.Sprintf("%s: %s loads negatively (%.2f) and gets weight 0; check that its scores run in the same direction as the others", id, ids[j], load[a]))
			raw[j] = 0
			continue
		}
		raw[j] = load[a]
		pos += load[a]
	}
	if pos <= 0 {
		return rep, nil, warn, homeward.FieldErrorf(id, "assessment.calibrate.no_variation", "%s: no input loads positively on the first component.", id)
	}
	mean := pos / float64(q)
	for j := range raw {
		if math.IsNaN(raw[j]) {
			raw[j] = mean // left out: constant or never answered
		}
	}
	total := 0.0
	for _, w := range raw {
		total += w
	}
	for j := range raw {
		weights[j] = round(raw[j]*float64(p)/total, 3)
		rep.Weights[ids[j]] = weights[j]
	}
	sort.Strings(warn)
	return rep, weights, warn, nil
}

func round(x float64, places int) float64 {
	s := math.Pow(10, float64(places))
	return math.Round(x*s) / s
}

// jacobiEigen diagonalizes the symmetric matrix a with cyclic Jacobi
// rotations. It returns the eigenvalues and a matrix whose columns are the
// matching unit eigenvectors. a is not modified.
func jacobiEigen(a [][]float64) ([]float64, [][]float64) {
	n := len(a)
	m := make([][]float64, n)
	v := make([][]float64, n)
	for i := range a {
		m[i] = append([]float64(nil), a[i]...)
		v[i] = make([]float64, n)
		v[i][i] = 1
	}
	for sweep := 0; sweep < 100; sweep++ {
		off := 0.0
		for i := 0; i < n; i++ {
			for j := i + 1; j < n; j++ {
				off += m[i][j] * m[i][j]
			}
		}
		if off < 1e-22 {
			break
		}
		for p := 0; p < n; p++ {
			for q := p + 1; q < n; q++ {
				if math.Abs(m[p][q]) < 1e-300 {
					continue
				}
				theta := (m[q][q] - m[p][p]) / (2 * m[p][q])
				t := 1 / (math.Abs(theta) + math.Sqrt(theta*theta+1))
				if theta < 0 {
					t = -t
				}
				c := 1 / math.Sqrt(t*t+1)
				s := t * c
				for k := 0; k < n; k++ { // rotate columns p and q
					mkp, mkq := m[k][p], m[k][q]
					m[k][p] = c*mkp - s*mkq
					m[k][q] = s*mkp + c*mkq
				}
				for k := 0; k < n; k++ { // rotate rows p and q
					mpk, mqk := m[p][k], m[q][k]
					m[p][k] = c*mpk - s*mqk
					m[q][k] = s*mpk + c*mqk
				}
				for k := 0; k < n; k++ {
					vkp, vkq := v[k][p], v[k][q]
					v[k][p] = c*vkp - s*vkq
					v[k][q] = s*vkp + c*vkq
				}
			}
		}
	}
	vals := make([]float64, n)
	for i := range vals {
		vals[i] = m[i][i]
	}
	return vals, v
}

package recommend

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"time"
)

// Options tune Train. The zero value is usable once Now is set.
type Options struct {
	// Now stamps the model (TrainedAt, Version); the package never reads
	// the clock itself.
	Now time.Time
	// From and To (YYYY-MM) describe the period the cases come from, for the
	// model card.
	From, To string
	// MinTreated is the fewest cases that received a service for its effect
	// to be learned (default 30); below it the service falls back to Rules.
	MinTreated int
	// Folds is the number of cross-fitting folds (2–5, default 3).
	Folds int
	// Lambda is the ridge penalty on standardised features (default 3).
	Lambda float64
	// HoldOut is the share of cases kept aside for the card's validation
	// figures (default 0.2; negative: none).
	HoldOut float64
	// Seed makes the folds and the hold-out split reproducible.
	Seed uint64
	// FairnessTolerance is the audit's largest difference of rates
	// (suggested first minus need) between a group and everyone before the
	// group is warned about, a share in (0, MaxTolerance]; zero means
	// DefaultTolerance. An organisation sets it from its own policy; the
	// card records the one used.
	FairnessTolerance float64
}

func (o *Options) defaults() {
	if o.MinTreated <= 0 {
		o.MinTreated = 30
	}
	if o.Folds < 2 || o.Folds > 5 {
		o.Folds = 3
	}
	if o.Lambda <= 0 {
		o.Lambda = 3
	}
	if o.HoldOut == 0 {
		o.HoldOut = 0.2
	}
}

// MinCases is the fewest cases Train accepts.
const MinCases = 50

// Propensity clipping bounds.
const (
	minPropensity = 0.05
	maxPropensity = 0.95
)

// z90 is the normal quantile of a two-sided 90 % band.
const z90 = 1.6449

// MethodDR names the method of models Train fits.
const MethodDR = "dr-learner/v1: cross-fitted doubly-robust pseudo-outcomes (logistic propensity clipped to [0.05, 0.95]; ridge outcome models with and without the service, the other services received as covariates), linear ridge effect model, 90% sandwich band"

// Effect is the learned effect of one service: τ(x) = Coef·[1, z], with z
// the standardised features, and Cov the covariance of Coef.
type Effect struct {
	Treated int       `json:"treated"`
	Coef    []float64 `json:"coef"` // intercept first, then one per feature
	Cov     []float64 `json:"cov"`  // (1+d)×(1+d), row-major
}

// Model is a trained service-effect model with its card. It is plain data:
// json.Marshal stores it and LoadModel reads it back.
type Model struct {
	Version   string    `json:"version"`
	TrainedAt time.Time `json:"trained_at"`
	Method    string    `json:"method"`
	Encoder   Encoder   `json:"encoder"`
	// Effects holds the services with a learned effect; the others are
	// ranked by Rules.
	Effects map[string]*Effect `json:"effects"`
	// RuleScale puts a fallback service's need score on the scale of the
	// learned gains (the mean learned top gain in the training cases), so
	// that a pressing need ranks among the learned services.
	RuleScale float64 `json:"rule_scale"`
	Card      Card    `json:"card"`
}

// Card is the model card: what the model was learned from, how it was
// checked, and what it cannot do.
type Card struct {
	DataFrom string         `json:"data_from,omitempty"` // YYYY-MM
	DataTo   string         `json:"data_to,omitempty"`
	Cases    int            `json:"cases"`
	Treated  map[string]int `json:"treated"`
	// Fallback lists the services with too few outcomes, ranked by rules.
	Fallback   []string   `json:"fallback"`
	Outcome    string     `json:"outcome"`
	Features   []string   `json:"features"`  // model inputs
	Protected  []string   `json:"protected"` // read by the audit only
	Validation Validation `json:"validation"`
	Fairness   *Fairness  `json:"fairness,omitempty"`
	Limits     []string   `json:"limits"` // catalog keys recommend.limit.*
}

// Validation holds figures computed on cases held out of training.
type Validation struct {
	HeldOut int `json:"held_out"`
	// RMSE is each service's outcome-model error (score points) on the
	// held-out cases.
	RMSE map[string]float64 `json:"rmse"`
	// PolicyValue is the doubly-robust estimate, on held-out cases, of the
	// mean gain from giving each person the service a policy picks:
	// "model" (its top suggestion), "rules" and "usual" (the service most
	// often given, Usual, to everyone).
	PolicyValue map[string]float64 `json:"policy_value"`
	Usual       string             `json:"usual"`
}

// Outcome is how the card names the learned outcome.
const Outcome = "rss_economic_12m − rss_economic_baseline"

// Limit keys every card carries.
var baseLimits = []string{"recommend.limit.observational", "recommend.limit.linear", "recommend.limit.combination",
	"recommend.limit.band", "recommend.limit.protected", "recommend.limit.simulated_check"}

// data is the training data in matrix form.
type data struct {
	z       [][]float64 // standardised features
	treated [][]bool    // [case][service index]
	y       []float64   // outcome change
}

func newData(enc *Encoder, cases []Case) *data {
	d := &data{z: make([][]float64, len(cases)), treated: make([][]bool, len(cases)), y: make([]float64, len(cases))}
	for i, c := range cases {
		d.z[i] = enc.Encode(c.Profile)
		t := make([]bool, len(Services))
		for _, s := range c.Services {
			if k := indexOf(Services, s); k >= 0 {
				t[k] = true
			}
		}
		d.treated[i] = t
		d.y[i] = c.Outcome - c.RSSEconomicBaseline
	}
	return d
}

// nuisanceDesign is [1, z, the other services received] for service k.
func (d *data) nuisanceDesign(k int) *design {
	rows := make([][]float64, len(d.z))
	for i, z := range d.z {
		r := make([]float64, 0, len(z)+len(Services)-1)
		r = append(r, z...)
		for j, t := range d.treated[i] {
			if j != k {
				r = append(r, flag(t))
			}
		}
		rows[i] = r
	}
	return newDesign(rows)
}

// nuisance are the models a pseudo-outcome needs: the propensity of the
// service and the outcome with (mu1) and without (mu0) it.
type nuisance struct{ prop, mu1, mu0 []float64 }

func fitNuisance(m *design, t, y []float64, idx []int, lambda float64, start []float64) (*nuisance, error) {
	var on, off []int
	for _, i := range idx {
		if t[i] == 1 {
			on = append(on, i)
		} else {
			off = append(off, i)
		}
	}
	if len(on) < 2 || len(off) < 2 {
		return nil, errors.New("recommend: too few cases on one side")
	}
	var nu nuisance
	var err error
	if nu.prop, err = logistic(m, idx, t, 1, start); err != nil {
		return nil, fmt.Errorf("propensity: %w", err)
	}
	if nu.mu1, err = ridge(m, on, y, lambda); err != nil {
		return nil, fmt.Errorf("outcome with the service: %w", err)
	}
	if nu.mu0, err = ridge(m, off, y, lambda); err != nil {
		return nil, fmt.Errorf("outcome without the service: %w", err)
	}
	return &nu, nil
}

// pseudo is the doubly-robust pseudo-outcome of row i.
func (nu *nuisance) pseudo(row []float64, t, y float64) float64 {
	e := clamp(sigmoid(dot(row, nu.prop)), minPropensity, maxPropensity)
	m1, m0 := dot(row, nu.mu1), dot(row, nu.mu0)
	if t == 1 {
		return m1 - m0 + (y-m1)/e
	}
	return m1 - m0 - (y-m0)/(1-e)
}

// Train fits a model to past cases: for each service with at least
// opt.MinTreated treated cases, a doubly-robust learner (DR-learner) of the
// effect on the outcome change; the other services fall back to Rules. A
// share of the cases (opt.HoldOut) is kept aside to fill the card's
// validation figures, after which the model is refitted on every case.
func Train(cases []Case, opt Options) (*Model, error) {
	opt.defaults()
	if err := CheckTolerance(opt.FairnessTolerance); err != nil {
		return nil, err
	}
	if len(cases) < MinCases {
		return nil, fmt.Errorf("recommend: %d cases; training needs at least %d", len(cases), MinCases)
	}
	r := rand.New(rand.NewPCG(opt.Seed, 0x5eed))
	order := r.Perm(len(cases))
	var val Validation
	if nh := int(opt.HoldOut * float64(len(cases))); opt.HoldOut > 0 && nh >= 20 && len(cases)-nh >= MinCases {
		train, held := make([]Case, 0, len(cases)-nh), make([]Case, 0, nh)
		for k, i := range order {
			if k < nh {
				held = append(held, cases[i])
			} else {
				train = append(train, cases[i])
			}
		}
		m, err := fit(train, opt, r)
		if err != nil {
			return nil, err
		}
		if val, err = m.validate(train, held, opt); err != nil {
			return nil, fmt.Errorf("recommend: validation: %w", err)
		}
	}
	m, err := fit(cases, opt, r)
	if err != nil {
		return nil, err
	}
	m.Card.Validation = val
	m.Card.Fairness = Audit(func(p Profile) []Suggestion { return []Suggestion{m.Top(p)} }, Profiles(cases), NeedScore, opt.FairnessTolerance)
	m.Version = m.version()
	return m, nil
}

// fit learns the effects from cases.
func fit(cases []Case, opt Options, r *rand.Rand) (*Model, error) {
	raw := make([][]float64, len(cases))
	for i, c := range cases {
		raw[i] = rawFeatures(c.Profile)
	}
	m := &Model{TrainedAt: opt.Now.UTC(), Method: MethodDR, Encoder: fitEncoder(raw), Effects: map[string]*Effect{}}
	d := newData(&m.Encoder, cases)
	m.Card = Card{DataFrom: opt.From, DataTo: opt.To, Cases: len(cases), Treated: map[string]int{}, Outcome: Outcome,
		Features: FeatureNames(), Protected: slices.Clone(Protected), Fallback: []string{}}
	fold := make([]int, len(cases))
	for k, i := range r.Perm(len(cases)) {
		fold[i] = k % opt.Folds
	}
	final := newDesign(d.z)
	for k, s := range Services {
		t := make([]float64, len(cases))
		n := 0
		for i := range t {
			if d.treated[i][k] {
				t[i], n = 1, n+1
			}
		}
		m.Card.Treated[s] = n
		if n < opt.MinTreated || len(cases)-n < opt.MinTreated {
			m.Card.Fallback = append(m.Card.Fallback, s)
			continue
		}
		nd := d.nuisanceDesign(k)
		gamma := make([]float64, len(cases))
		var start []float64 // each fold's propensity starts from the last one's
		for f := 0; f < opt.Folds; f++ {
			var in, out []int
			for i := range cases {
				if fold[i] == f {
					out = append(out, i)
				} else {
					in = append(in, i)
				}
			}
			nu, err := fitNuisance(nd, t, d.y, in, opt.Lambda, start)
			if err != nil {
				return nil, fmt.Errorf("recommend: %s, fold %d: %w", s, f+1, err)
			}
			start = nu.prop
			for _, i := range out {
				gamma[i] = nu.pseudo(nd.row(i), t[i], d.y[i])
			}
		}
		coef, cov, err := ridgeSandwich(final, gamma, opt.Lambda)
		if err != nil {
			return nil, fmt.Errorf("recommend: %s effect: %w", s, err)
		}
		m.Effects[s] = &Effect{Treated: n, Coef: coef, Cov: cov}
	}
	m.Card.Limits = slices.Clone(baseLimits)
	if len(m.Card.Fallback) > 0 {
		m.Card.Limits = append(m.Card.Limits, "recommend.limit.fallback")
	}
	m.RuleScale = m.meanTopGain(d)
	return m, nil
}

// meanTopGain is the mean over the cases of the largest learned gain (0.1
// when none is positive or no effect was learned).
func (m *Model) meanTopGain(d *data) float64 {
	if len(m.Effects) == 0 || len(d.z) == 0 {
		return 0.1
	}
	sum := 0.0
	for _, z := range d.z {
		best := math.Inf(-1)
		for _, e := range m.Effects {
			best = math.Max(best, e.Coef[0]+dot(e.Coef[1:], z))
		}
		sum += best
	}
	if v := sum / float64(len(d.z)); v > 0 {
		return v
	}
	return 0.1
}

// validate fills the held-out figures: outcome-model errors and the
// doubly-robust value of the model's, the rules' and the usual policy, all
// with nuisance models fitted on the training cases.
func (m *Model) validate(train, held []Case, opt Options) (Validation, error) {
	v := Validation{HeldOut: len(held), RMSE: map[string]float64{}, PolicyValue: map[string]float64{}}
	dt, dh := newData(&m.Encoder, train), newData(&m.Encoder, held)
	usual, most := "", -1
	for k, s := range Services {
		n := 0
		for _, t := range dt.treated {
			if t[k] {
				n++
			}
		}
		if n > most {
			usual, most = s, n
		}
	}
	v.Usual = usual
	all := make([]int, len(train))
	for i := range all {
		all[i] = i
	}
	gamma := map[string][]float64{} // held-out pseudo-outcomes per service
	for k, s := range Services {
		t := make([]float64, len(train))
		for i := range t {
			t[i] = flag(dt.treated[i][k])
		}
		nu, err := fitNuisance(dt.nuisanceDesign(k), t, dt.y, all, opt.Lambda, nil)
		if err != nil {
			continue // too few cases to estimate: no figure for this service
		}
		hd := dh.nuisanceDesign(k)
		g := make([]float64, len(held))
		sse := 0.0
		for i := range held {
			th := flag(dh.treated[i][k])
			g[i] = nu.pseudo(hd.row(i), th, dh.y[i])
			mu := nu.mu0
			if th == 1 {
				mu = nu.mu1
			}
			e := dh.y[i] - dot(hd.row(i), mu)
			sse += e * e
		}
		v.RMSE[s] = math.Sqrt(sse / float64(len(held)))
		gamma[s] = g
	}
	policies := map[string]func(Profile) string{
		"model": func(p Profile) string { return m.Top(p).Service },
		"rules": func(p Profile) string { return Rules(p, nil)[0].Service },
		"usual": func(Profile) string { return usual },
	}
	for name, choose := range policies {
		sum := 0.0
		for i, c := range held {
			if g, ok := gamma[choose(c.Profile)]; ok {
				sum += g[i]
			}
		}
		v.PolicyValue[name] = sum / float64(len(held))
	}
	return v, nil
}

// version is "rm-" + the training date + a short hash of the learned
// numbers, so that two different models never share a version.
func (m *Model) version() string {
	h := sha256.New()
	b, _ := json.Marshal(struct {
		E   Encoder
		Eff map[string]*Effect
		R   float64
	}{m.Encoder, m.Effects, m.RuleScale})
	h.Write(b)
	return "rm-" + m.TrainedAt.Format("20060102") + "-" + hex.EncodeToString(h.Sum(nil))[:8]
}

// Rank returns one suggestion per eligible service (nil: all of Services;
// unknown codes are skipped), highest expected gain first. A learned
// service's Gain is the estimated effect for p with a 90 % band and the
// three features that moved it most; a fallback service is ranked by its
// rule (Rule set).
func (m *Model) Rank(p Profile, eligible []string) []Suggestion {
	if eligible == nil {
		eligible = Services
	}
	z := m.Encoder.Encode(p)
	var out []Suggestion
	for _, s := range eligible {
		if indexOf(Services, s) < 0 || slices.ContainsFunc(out, func(g Suggestion) bool { return g.Service == s }) {
			continue
		}
		e, ok := m.Effects[s]
		if !ok {
			sg, _ := ruleSuggestion(p, s)
			sg.Gain *= m.RuleScale
			sg.Low, sg.High = sg.Gain, sg.Gain
			out = append(out, sg)
			continue
		}
		out = append(out, m.suggest(p, s, e, z))
	}
	sortSuggestions(out)
	return out
}

// Top returns the first suggestion of Rank(p, nil) without its band and
// reasons (for audits and evaluations over many people).
func (m *Model) Top(p Profile) Suggestion {
	z := m.Encoder.Encode(p)
	var best Suggestion
	for i, s := range Services {
		var g Suggestion
		if e, ok := m.Effects[s]; ok {
			g = Suggestion{Service: s, Gain: e.Coef[0] + dot(e.Coef[1:], z)}
		} else {
			g, _ = ruleSuggestion(p, s)
			g.Gain *= m.RuleScale
			g.Low, g.High = g.Gain, g.Gain
		}
		if i == 0 || g.Gain > best.Gain {
			best = g
		}
	}
	best.Rank = 1
	return best
}

func (m *Model) suggest(p Profile, s string, e *Effect, z []float64) Suggestion {
	d := len(z) + 1
	x := append([]float64{1}, z...)
	gain := e.Coef[0] + dot(e.Coef[1:], z) // as Top computes it, to the last bit
	v := 0.0
	for i := 0; i < d; i++ {
		v += x[i] * dot(e.Cov[i*d:(i+1)*d], x)
	}
	se := math.Sqrt(math.Max(v, 0))
	contrib := map[string]float64{}
	var sources []string
	for j, f := range features {
		if _, ok := contrib[f.source]; !ok {
			sources = append(sources, f.source)
		}
		contrib[f.source] += e.Coef[j+1] * z[j]
	}
	sort.SliceStable(sources, func(a, b int) bool { return math.Abs(contrib[sources[a]]) > math.Abs(contrib[sources[b]]) })
	reasons := []Reason{}
	for _, src := range sources[:min(3, len(sources))] {
		c := contrib[src]
		if c == 0 {
			break
		}
		dir := "up"
		if c < 0 {
			dir = "down"
		}
		reasons = append(reasons, Reason{Key: "recommend.reason." + m.Encoder.reasonLabel(src, p) + "." + dir, Feature: src, Effect: c})
	}
	return Suggestion{Service: s, Gain: gain, Low: gain - z90*se, High: gain + z90*se, Reasons: reasons}
}

// MaxModelBytes is the largest model file LoadModel reads.
const MaxModelBytes = 8 << 20

// LoadModel reads a model stored with json.Marshal and checks it with
// Validate; a file over MaxModelBytes is refused before it is parsed.
func LoadModel(r io.Reader) (*Model, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxModelBytes+1))
	if err != nil {
		return nil, fmt.Errorf("recommend: reading model: %w", err)
	}
	if len(b) > MaxModelBytes {
		e := inputErr("recommend.model.too_large", map[string]any{"limit": MaxModelBytes}, "the model file is larger than %d bytes", MaxModelBytes)
		e.TooLarge = true
		return nil, e
	}
	var m Model
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, inputErr("recommend.model.invalid", map[string]any{"detail": err.Error()}, "the model file is not a valid model: %v", err)
	}
	if err := m.Validate(); err != nil {
		return nil, err
	}
	return &m, nil
}

// Validate checks that m can rank: the features are this version's,
// encoder and coefficient lengths match them, services are known and every
// number is finite.
func (m *Model) Validate() error {
	bad := func(format string, a ...any) error {
		msg := fmt.Sprintf(format, a...)
		return inputErr("recommend.model.invalid", map[string]any{"detail": msg}, "the model file is not a valid model: %s", msg)
	}
	if m.Version == "" || m.Method == "" {
		return bad("no version or method")
	}
	names := FeatureNames()
	if !slices.Equal(m.Encoder.Features, names) {
		return bad("its features (%s) are not this version's (%s)", strings.Join(m.Encoder.Features, ","), strings.Join(names, ","))
	}
	d := len(names)
	if len(m.Encoder.Means) != d || len(m.Encoder.Scales) != d {
		return bad("%d means and %d scales for %d features", len(m.Encoder.Means), len(m.Encoder.Scales), d)
	}
	if !finite(m.Encoder.Means) || !finite(m.Encoder.Scales) || !finite([]float64{m.RuleScale}) {
		return bad("a number in the encoder is not finite")
	}
	for _, s := range m.Encoder.Scales {
		if s <= 0 {
			return bad("a scale is not positive")
		}
	}
	for s, e := range m.Effects {
		if indexOf(Services, s) < 0 {
			return bad("unknown service %q", s)
		}
		if e == nil || len(e.Coef) != d+1 || len(e.Cov) != (d+1)*(d+1) {
			return bad("service %q: coefficients do not match the %d features", s, d)
		}
		if !finite(e.Coef) || !finite(e.Cov) {
			return bad("service %q: a coefficient is not finite", s)
		}
	}
	return nil
}

func finite(xs []float64) bool {
	for _, x := range xs {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return false
		}
	}
	return true
}

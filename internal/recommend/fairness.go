package recommend

import (
	"encoding/csv"
	"io"
	"math"
	"sort"
	"strconv"
)

// Fairness is the audit of a ranking across groups of people.
type Fairness struct {
	Groups    []Group   `json:"groups"`
	Warnings  []Warning `json:"warnings"`
	Tolerance float64   `json:"tolerance"`
}

// Group is one group's figures: the mean expected gain of its top
// suggestion, the share of its people each service is suggested first to,
// and the share whose rule-based need for each service is high.
type Group struct {
	Dimension      string             `json:"dimension"` // "all", "sex", "age_group" or "district"
	Value          string             `json:"value"`
	People         int                `json:"people"`
	MeanTopGain    float64            `json:"mean_top_gain"`
	SuggestedFirst map[string]float64 `json:"suggested_first"`
	Need           map[string]float64 `json:"need"`
}

// Warning is one group that diverges from everyone: Key is a catalog key
// (recommend.warn.gain or recommend.warn.rate), Got the group's figure and
// Overall everyone's (for a rate: suggested-first rate minus need rate).
type Warning struct {
	Dimension string  `json:"dimension"`
	Value     string  `json:"value"`
	Key       string  `json:"key"`
	Service   string  `json:"service,omitempty"`
	Got       float64 `json:"got"`
	Overall   float64 `json:"overall"`
}

// Audit thresholds.
const (
	// DefaultTolerance is the largest difference of rates (suggested first
	// minus need) from everyone's before a group is warned about.
	DefaultTolerance = 0.05
	// MaxTolerance is the largest tolerance an organisation may set: past
	// it the audit would hide even a service never suggested to a group
	// that needs it as much as everyone.
	MaxTolerance = 0.5
	// GainTolerance is the largest relative difference of a group's mean
	// top gain from everyone's.
	GainTolerance = 0.2
	// MinGroup is the smallest group warned about (smaller ones are
	// reported only).
	MinGroup = 20
)

// CheckTolerance refuses a fairness tolerance outside [0, MaxTolerance]
// (zero stands for DefaultTolerance) or not a number.
func CheckTolerance(t float64) error {
	if math.IsNaN(t) || t < 0 || t > MaxTolerance {
		return inputErr("recommend.tolerance.range", map[string]any{"max": MaxTolerance * 100},
			"the fairness tolerance must be more than 0 and at most %g percentage points", MaxTolerance*100)
	}
	return nil
}

// AgeGroup returns the audit's age group of an age.
func AgeGroup(age float64) string {
	switch {
	case age < 25:
		return "18-24"
	case age < 35:
		return "25-34"
	case age < 45:
		return "35-44"
	case age < 55:
		return "45-54"
	}
	return "55+"
}

type tally struct {
	people      int
	gain        float64
	first, need map[string]float64
}

// Audit ranks every person with rank and compares, by sex, age group and
// district, the mean gain of the top suggestion and the rate each service
// is suggested first with the rate of high need for it (need(p, s) ≥
// HighNeed; NeedScore is the usual need). tolerance ≤ 0 means
// DefaultTolerance. Groups under MinGroup people are reported, not warned
// about.
func Audit(rank func(Profile) []Suggestion, people []Profile, need func(Profile, string) float64, tolerance float64) *Fairness {
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	type key struct{ dim, val string }
	tallies := map[key]*tally{}
	var order []key
	add := func(k key, top *Suggestion, p Profile) {
		t := tallies[k]
		if t == nil {
			t = &tally{first: map[string]float64{}, need: map[string]float64{}}
			tallies[k] = t
			order = append(order, k)
		}
		t.people++
		if top != nil {
			t.gain += top.Gain
			t.first[top.Service]++
		}
		for _, s := range Services {
			if need(p, s) >= HighNeed {
				t.need[s]++
			}
		}
	}
	for _, p := range people {
		var top *Suggestion
		if sg := rank(p); len(sg) > 0 {
			top = &sg[0]
		}
		sex := p.Sex
		if sex == "" {
			sex = "unknown"
		}
		district := p.District
		if district == "" {
			district = "unknown"
		}
		add(key{"all", "all"}, top, p)
		add(key{"sex", sex}, top, p)
		add(key{"age_group", AgeGroup(p.Age)}, top, p)
		add(key{"district", district}, top, p)
	}
	dimOrder := map[string]int{"all": 0, "sex": 1, "age_group": 2, "district": 3}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].dim != order[j].dim {
			return dimOrder[order[i].dim] < dimOrder[order[j].dim]
		}
		return order[i].val < order[j].val
	})
	f := &Fairness{Groups: []Group{}, Warnings: []Warning{}, Tolerance: tolerance}
	for _, k := range order {
		t := tallies[k]
		n := float64(t.people)
		g := Group{Dimension: k.dim, Value: k.val, People: t.people, MeanTopGain: t.gain / n,
			SuggestedFirst: map[string]float64{}, Need: map[string]float64{}}
		for _, s := range Services {
			g.SuggestedFirst[s] = t.first[s] / n
			g.Need[s] = t.need[s] / n
		}
		f.Groups = append(f.Groups, g)
	}
	if len(f.Groups) == 0 {
		return f
	}
	all := f.Groups[0]
	for _, g := range f.Groups[1:] {
		if g.People < MinGroup {
			continue
		}
		if math.Abs(g.MeanTopGain-all.MeanTopGain) > GainTolerance*math.Abs(all.MeanTopGain) {
			f.Warnings = append(f.Warnings, Warning{Dimension: g.Dimension, Value: g.Value, Key: "recommend.warn.gain", Got: g.MeanTopGain, Overall: all.MeanTopGain})
		}
		for _, s := range Services {
			got, overall := g.SuggestedFirst[s]-g.Need[s], all.SuggestedFirst[s]-all.Need[s]
			if math.Abs(got-overall) > tolerance {
				f.Warnings = append(f.Warnings, Warning{Dimension: g.Dimension, Value: g.Value, Key: "recommend.warn.rate", Service: s, Got: got, Overall: overall})
			}
		}
	}
	return f
}

// WriteCSV writes the audit as a CSV report: one row per group and service
// (dimension, value, people, mean_top_gain, service, suggested_first, need,
// warning), the warning being the catalog key when the row is warned about.
func (f *Fairness) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"dimension", "value", "people", "mean_top_gain", "service", "suggested_first", "need", "warning"}); err != nil {
		return err
	}
	num := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	for _, g := range f.Groups {
		for _, s := range Services {
			warn := ""
			for _, wn := range f.Warnings {
				if wn.Dimension == g.Dimension && wn.Value == g.Value && (wn.Service == s || wn.Service == "" && warn == "") {
					warn = wn.Key
				}
			}
			if err := cw.Write([]string{g.Dimension, g.Value, strconv.Itoa(g.People), num(g.MeanTopGain), s, num(g.SuggestedFirst[s]), num(g.Need[s]), warn}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

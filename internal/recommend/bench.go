package recommend

import (
	"fmt"
	"time"
)

// PolicyScore is a policy's normalised value (see NormalisedValue) overall
// and for women and men.
type PolicyScore struct {
	Policy              string
	Overall, Women, Men float64
}

// Gap is the women's normalised value minus the men's.
func (s PolicyScore) Gap() float64 { return s.Women - s.Men }

// BenchResult is one world's benchmark: the model trained on a simulated
// history and the policies scored on a fresh population of the same world.
type BenchResult struct {
	World    string
	History  int
	Took     time.Duration // training time
	Model    *Model
	Policies []PolicyScore // model, rules, usual
}

// Bench simulates n past cases of w, trains a model on them and scores, on
// n fresh people of the same world against its true effects, the model's
// top suggestion, the rules' and what was usually given. clock times the
// training (time.Now in the command; anything in tests).
func Bench(w World, n int, seed uint64, now time.Time, clock func() time.Time) (*BenchResult, error) {
	history, truth := Simulate(w, n, seed)
	start := clock()
	m, err := Train(history, Options{Now: now, Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("recommend: bench %s: %w", w.Name, err)
	}
	res := &BenchResult{World: w.Name, History: n, Took: clock().Sub(start), Model: m}
	fresh, _ := Simulate(w, n, seed+1)
	people := Profiles(fresh)
	var women, men []Profile
	for _, p := range people {
		switch p.Sex {
		case "female":
			women = append(women, p)
		case "male":
			men = append(men, p)
		}
	}
	policies := []struct {
		name   string
		choose func(Profile) string
	}{
		{"model", func(p Profile) string { return m.Top(p).Service }},
		{"rules", func(p Profile) string { return Rules(p, nil)[0].Service }},
		{"usual", w.Usual},
	}
	for _, pol := range policies {
		res.Policies = append(res.Policies, PolicyScore{Policy: pol.name,
			Overall: NormalisedValue(people, pol.choose, truth),
			Women:   NormalisedValue(women, pol.choose, truth),
			Men:     NormalisedValue(men, pol.choose, truth)})
	}
	return res, nil
}

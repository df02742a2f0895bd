package scoring

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestJacobiEigen(t *testing.T) {
	a := [][]float64{{4, 1, 2}, {1, 3, 0.5}, {2, 0.5, 5}}
	vals, vecs := jacobiEigen(a)
	for k := range vals {
		for i := range a {
			av := 0.0
			for j := range a {
				av += a[i][j] * vecs[j][k]
			}
			if math.Abs(av-vals[k]*vecs[i][k]) > 1e-9 {
				t.Fatalf("A v != λ v for eigenpair %d", k)
			}
		}
	}
	if sum := vals[0] + vals[1] + vals[2]; math.Abs(sum-12) > 1e-9 {
		t.Errorf("trace %v, want 12", sum)
	}
}

// synthetic draws answer sets for the issue's scheme plus a noisy third
// indicator: food security and debt follow one latent factor, "noise" does
// not, so calibration must weight noise least.
func synthetic(n int, seed uint64) []map[string]any {
	r := rand.New(rand.NewPCG(seed, 7))
	rows := make([]map[string]any, n)
	for i := range rows {
		latent := r.NormFloat64()
		food := "sometimes"
		switch x := latent + 0.4*r.NormFloat64(); {
		case x > 0.5:
			food = "never"
		case x < -0.5:
			food = "often"
		}
		debt := math.Max(0, 1-latent+0.4*r.NormFloat64())
		noise := []string{"a", "b", "c"}[r.IntN(3)]
		rows[i] = map[string]any{"food_security": food, "debt_ratio": debt, "noise": noise}
		if i%10 == 0 {
			delete(rows[i], "noise") // some missing answers
		}
	}
	return rows
}

const calibrationScheme = `{"id": "t", "version": "1", "min_coverage": 0.5, "dimensions": [
 {"id": "economic", "weight": 1, "indicators": [
   {"id": "food_security", "weight": 1, "scores": {"never": 1, "sometimes": 0.5, "often": 0}},
   {"id": "debt_ratio", "weight": 1, "bands": [{"upto": 0, "score": 1}, {"upto": 1, "score": 0.5}, {"upto": null, "score": 0}]},
   {"id": "noise", "weight": 1, "scores": {"a": 1, "b": 0.5, "c": 0}}]},
 {"id": "social", "weight": 1, "indicators": [
   {"id": "constant", "weight": 1, "scores": {"same": 1}},
   {"id": "food_twice", "weight": 1, "scores": {"never": 1, "sometimes": 0.5, "often": 0}},
   {"id": "debt_twice", "weight": 1, "bands": [{"upto": 1, "score": 1}, {"upto": null, "score": 0}]}]}]}`

func TestCalibrate(t *testing.T) {
	s := mustParse(t, calibrationScheme)
	rows := synthetic(400, 1)
	for _, r := range rows {
		r["constant"] = "same"
		r["food_twice"] = r["food_security"]
		r["debt_twice"] = r["debt_ratio"]
	}
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	cal, err := Calibrate(s, rows, CalibrateOptions{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	ns := cal.Scheme
	if ns.Version != "1-pca.20260501" || !strings.Contains(ns.Description, "400 answer sets") {
		t.Errorf("version %q description %q", ns.Version, ns.Description)
	}
	if err := ns.Validate(); err != nil {
		t.Fatal(err)
	}
	w := map[string]float64{}
	for _, d := range ns.Dimensions {
		sum := 0.0
		for _, in := range d.Indicators {
			w[in.ID] = in.Weight
			sum += in.Weight
		}
		if math.Abs(sum-float64(len(d.Indicators))) > 0.01 {
			t.Errorf("%s: weights sum to %v, want %d (mean 1)", d.ID, sum, len(d.Indicators))
		}
	}
	if !(w["noise"] < w["food_security"] && w["noise"] < w["debt_ratio"]) {
		t.Errorf("noise not weighted least: %v", w)
	}
	ve := cal.Dimensions[0].VarianceExplained
	if !(ve > 1.0/3 && ve < 1) {
		t.Errorf("variance explained %v", ve)
	}
	if cal.Composite == nil || cal.Composite.VarianceExplained < 0.5 {
		t.Errorf("composite report %+v", cal.Composite)
	}
	found := false
	for _, warn := range cal.Warnings {
		found = found || strings.Contains(warn, "constant does not vary")
	}
	if !found {
		t.Errorf("no warning about the constant indicator: %v", cal.Warnings)
	}
	if s.Dimensions[0].Indicators[0].Weight != 1 || s.Version != "1" {
		t.Error("Calibrate modified the original scheme")
	}
	if _, err := ns.Score(rows[0]); err != nil {
		t.Errorf("new scheme does not score: %v", err)
	}
}

func TestCalibrateRejects(t *testing.T) {
	s := mustParse(t, calibrationScheme)
	if _, err := Calibrate(s, synthetic(2, 1), CalibrateOptions{}); err == nil {
		t.Error("calibrated from 2 rows")
	}
	rows := synthetic(50, 2)
	rows[7]["food_security"] = "daily"
	_, err := Calibrate(s, rows, CalibrateOptions{})
	if got := fieldKeys(t, err); got["rows[7].food_security"] != "assessment.score.unknown_choice" {
		t.Errorf("errors %v", got)
	}
}

func TestScoreCLI(t *testing.T) {
	dir := t.TempDir()
	scheme := filepath.Join(dir, "s.json")
	os.WriteFile(scheme, []byte(issueExample), 0o600)
	answers := filepath.Join(dir, "a.json")
	os.WriteFile(answers, []byte(`{"food_security": "sometimes", "debt_ratio": 0.5}`), 0o600)

	var out, errOut bytes.Buffer
	if err := ScoreCLI(context.Background(), []string{"--scheme", scheme, answers}, nil, &out, &errOut); err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	var got map[string]any
	if err := json.Unmarshal(out.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := `{"composite":0.5,"coverage":{"economic":1},"dimensions":{"economic":0.5}}`
	if b, _ := json.Marshal(got); string(b) != want {
		t.Errorf("output %s, want %s", b, want)
	}

	// Full precision: the printed numbers read back as the very floats
	// Score computed (4 decimals used to be printed).
	out.Reset()
	if err := ScoreCLI(context.Background(), []string{"--scheme", scheme}, strings.NewReader(`{"food_security": "never", "debt_ratio": 0.5}`), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	var precise struct {
		Dimensions map[string]*float64 `json:"dimensions"`
		Composite  *float64            `json:"composite"`
	}
	if err := json.Unmarshal(out.Bytes(), &precise); err != nil {
		t.Fatal(err)
	}
	s, err := ParseScheme(strings.NewReader(issueExample))
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.Score(map[string]any{"food_security": "never", "debt_ratio": 0.5}) // (1 + 2×0.5) ÷ 3 = ⅔
	if err != nil {
		t.Fatal(err)
	}
	if precise.Composite == nil || res.Composite == nil || *precise.Composite != *res.Composite || *precise.Composite == round(*res.Composite, 4) {
		t.Errorf("composite printed as %v, computed %v", deref(precise.Composite), deref(res.Composite))
	}

	out.Reset()
	if err := ScoreCLI(context.Background(), []string{"--scheme", scheme}, strings.NewReader(`{"debt_ratio": 2}`), &out, &errOut); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"economic": null`) || !strings.Contains(out.String(), `"composite": null`) {
		t.Errorf("low coverage output: %s", out.String())
	}

	errOut.Reset()
	err = ScoreCLI(context.Background(), []string{"--scheme", scheme, "-"}, strings.NewReader(`{"food_security": "always"}`), &out, &errOut)
	if err == nil || !strings.Contains(errOut.String(), "food_security") {
		t.Errorf("bad answer: %v %q", err, errOut.String())
	}

	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(strings.Replace(issueExample, `"weight": 2`, `"weight": -2`, 1)), 0o600)
	errOut.Reset()
	err = ScoreCLI(context.Background(), []string{"--scheme", bad, answers}, nil, &out, &errOut)
	if err == nil || !strings.Contains(errOut.String(), "dimensions[0].indicators[1].weight: A weight must be zero or more") {
		t.Errorf("bad scheme: %v %q", err, errOut.String())
	}
}

func TestCalibrateCLI(t *testing.T) {
	dir := t.TempDir()
	scheme := filepath.Join(dir, "s.json")
	os.WriteFile(scheme, []byte(calibrationScheme), 0o600)
	rows := synthetic(120, 3)
	var jl bytes.Buffer
	csv := "food_security,debt_ratio,noise,constant,food_twice,debt_twice\n"
	for _, r := range rows {
		r["constant"], r["food_twice"], r["debt_twice"] = "same", r["food_security"], r["debt_ratio"]
		b, _ := json.Marshal(r)
		jl.Write(append(b, '\n'))
		noise, _ := r["noise"].(string)
		csv += strings.Join([]string{r["food_security"].(string), strconvF(r["debt_ratio"].(float64)), noise, "same", r["food_security"].(string), strconvF(r["debt_ratio"].(float64))}, ",") + "\n"
	}
	for name, content := range map[string]string{"a.jsonl": jl.String(), "a.csv": csv} {
		in := filepath.Join(dir, name)
		os.WriteFile(in, []byte(content), 0o600)
		outFile := filepath.Join(dir, "new-"+name+".json")
		var out, errOut bytes.Buffer
		if err := CalibrateCLI(context.Background(), []string{"--scheme", scheme, "--answers", in, "--out", outFile, "--version", "2"}, nil, &out, &errOut); err != nil {
			t.Fatalf("%s: %v %s", name, err, errOut.String())
		}
		if !strings.Contains(out.String(), "economic: variance explained") || !strings.Contains(out.String(), "composite: variance explained") {
			t.Errorf("%s: report %s", name, out.String())
		}
		f, _ := os.Open(outFile)
		ns, err := ParseScheme(f)
		f.Close()
		if err != nil || ns.Version != "2" {
			t.Errorf("%s: written scheme %v %v", name, ns, err)
		}
	}
	var out, errOut bytes.Buffer
	if err := CalibrateCLI(context.Background(), []string{"--scheme", scheme}, nil, &out, &errOut); err == nil {
		t.Error("missing flags accepted")
	}
}

func strconvF(f float64) string { b, _ := json.Marshal(f); return string(b) }

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

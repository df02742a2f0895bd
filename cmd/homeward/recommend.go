package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"homeward/internal/i18n"
	"homeward/internal/recommend"
)

func init() {
	commands["recommend"] = command{"recommend train, rank, simulate, bench: suggest services from past outcomes", cmdRecommend}
}

const recommendUsage = "Usage: homeward recommend train|rank|simulate|bench [flags] (homeward recommend SUBCOMMAND --help)"

func cmdRecommend(ctx context.Context, p *program, args []string) error {
	sub, rest := subcommand(args)
	switch sub {
	case "train":
		return recommendTrain(p, rest)
	case "rank":
		return recommendRank(p, rest)
	case "simulate":
		return recommendSimulate(p, rest)
	case "bench":
		return recommendBench(p, rest)
	}
	fmt.Fprintln(p.stderr, recommendUsage)
	return helpOrUsage(sub, "recommend needs a subcommand: train, rank, simulate or bench")
}

func recommendTrain(p *program, args []string) error {
	var history, out, from, to string
	var minTreated int
	var tolerance float64
	fs := p.flagSet("recommend train", "recommend train --history HISTORY.csv --out MODEL.json [--from YYYY-MM --to YYYY-MM]\n\nLearns how much each service changes the economic sustainability score at 12 months, person by\nperson, from past cases (a doubly-robust learner), and writes the model with its card.")
	fs.StringVar(&history, "history", "", "past cases (CSV: the profile columns, services, rss_economic_12m)")
	fs.StringVar(&out, "out", "", "the model file to write (JSON)")
	fs.StringVar(&from, "from", "", "first month the cases come from (YYYY-MM), for the model card")
	fs.StringVar(&to, "to", "", "last month the cases come from (YYYY-MM), for the model card")
	fs.IntVar(&minTreated, "min-treated", 30, "fewest cases that received a service for its effect to be learned")
	fs.Float64Var(&tolerance, "fairness-tolerance", recommend.DefaultTolerance*100, "the fairness audit warns about a group whose suggested-first rate, less its need, differs from everyone's by more than this many percentage points (more than 0, at most 50)")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	if history == "" || out == "" {
		return usageError{"recommend train needs --history and --out"}
	}
	for _, m := range []string{from, to} {
		if _, err := time.Parse("2006-01", m); m != "" && err != nil {
			return usageError{fmt.Sprintf("%q is not a month (YYYY-MM)", m)}
		}
	}
	if tolerance <= 0 || recommend.CheckTolerance(tolerance/100) != nil {
		return usageError{fmt.Sprintf("--fairness-tolerance %g: give more than 0 and at most %g percentage points", tolerance, recommend.MaxTolerance*100)}
	}
	f, err := os.Open(history)
	if err != nil {
		return err
	}
	cases, err := recommend.ReadCases(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", history, err)
	}
	m, err := recommend.Train(cases, recommend.Options{Now: time.Now(), From: from, To: to, MinTreated: minTreated, FairnessTolerance: tolerance / 100})
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(out, b); err != nil {
		return err
	}
	fmt.Fprintln(p.stdout, cardSummary(m, out))
	return nil
}

// cardSummary is one paragraph on a trained model.
func cardSummary(m *recommend.Model, out string) string {
	var b strings.Builder
	period := ""
	if m.Card.DataFrom != "" || m.Card.DataTo != "" {
		period = fmt.Sprintf(" from %s..%s", m.Card.DataFrom, m.Card.DataTo)
	}
	fmt.Fprintf(&b, "Model %s written to %s: learned from %d cases%s; outcome %s.", m.Version, out, m.Card.Cases, period, m.Card.Outcome)
	var learned []string
	for _, s := range recommend.Services {
		if _, ok := m.Effects[s]; ok {
			learned = append(learned, fmt.Sprintf("%s (%d received it)", s, m.Card.Treated[s]))
		}
	}
	if len(learned) > 0 {
		fmt.Fprintf(&b, " Effects learned for %s.", strings.Join(learned, ", "))
	}
	if len(m.Card.Fallback) > 0 {
		fmt.Fprintf(&b, " Too few outcomes, ranked by rules: %s.", strings.Join(m.Card.Fallback, ", "))
	}
	if v := m.Card.Validation; v.HeldOut > 0 {
		fmt.Fprintf(&b, " On %d held-out cases the estimated mean gain of the model's first suggestion is %.4f, of the rules' %.4f, of giving everyone %s %.4f.",
			v.HeldOut, v.PolicyValue["model"], v.PolicyValue["rules"], v.Usual, v.PolicyValue["usual"])
	}
	if f := m.Card.Fairness; f != nil {
		fmt.Fprintf(&b, " Fairness audit (sex, age group, district; inputs exclude %s; tolerance %g percentage points): %d warnings.", strings.Join(m.Card.Protected, " and "), f.Tolerance*100, len(f.Warnings))
	}
	return b.String()
}

func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".recommend-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // gone after the rename
	_, err = tmp.Write(b)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return err
}

func recommendRank(p *program, args []string) error {
	var modelPath, out string
	fs := p.flagSet("recommend rank", "recommend rank [--model MODEL.json] [--out FILE.csv] PEOPLE.csv\n\nRanks every service for each person of PEOPLE.csv (external_id and the profile columns) and writes\nexternal_id,service,rank,expected_gain,reasons, rank 1 first. Without --model the needs-based rules rank.")
	fs.StringVar(&modelPath, "model", "", "a model written by recommend train (default: rank by the rules)")
	fs.StringVar(&out, "out", "", "write the CSV to this file (default: standard output)")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	if len(p.args) != 1 {
		return usageError{"recommend rank needs one PEOPLE.csv file"}
	}
	rank := recommend.Rules
	if modelPath != "" {
		f, err := os.Open(modelPath)
		if err != nil {
			return err
		}
		m, err := recommend.LoadModel(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", modelPath, err)
		}
		rank = m.Rank
		fmt.Fprintf(p.stderr, "ranking with model %s\n", m.Version)
	} else {
		fmt.Fprintln(p.stderr, "no --model: ranking by the needs-based rules (priority scores, not estimated gains)")
	}
	f, err := os.Open(p.args[0])
	if err != nil {
		return err
	}
	people, err := recommend.ReadProfiles(f)
	f.Close()
	if err != nil {
		return fmt.Errorf("%s: %w", p.args[0], err)
	}
	if out == "" {
		return writeRanking(p.stdout, people, rank)
	}
	var b strings.Builder
	if err := writeRanking(&b, people, rank); err != nil {
		return err
	}
	return writeFileAtomic(out, []byte(b.String()))
}

// writeRanking writes one row per eligible service per person.
func writeRanking(w io.Writer, people []recommend.Profile, rank func(recommend.Profile, []string) []recommend.Suggestion) error {
	cw := csv.NewWriter(w)
	if err := cw.Write([]string{"external_id", "service", "rank", "expected_gain", "reasons"}); err != nil {
		return err
	}
	for _, person := range people {
		for _, s := range rank(person, nil) {
			var reasons []string
			for _, r := range s.Reasons {
				reasons = append(reasons, i18n.T("en", r.Key, nil))
			}
			if err := cw.Write([]string{person.ExternalID, s.Service, strconv.Itoa(s.Rank), strconv.FormatFloat(s.Gain, 'f', 4, 64), strings.Join(reasons, "; ")}); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

func recommendSimulate(p *program, args []string) error {
	var n int
	var out, world string
	var seed uint64
	fs := p.flagSet("recommend simulate", "recommend simulate --people N --out HISTORY.csv [--world default|alt] [--seed S]\n\nWrites a simulated history of returnees, the services a biased past policy gave them and their outcomes.")
	fs.IntVar(&n, "people", 5000, "how many past cases")
	fs.StringVar(&out, "out", "", "the history CSV to write")
	fs.StringVar(&world, "world", "default", "the simulated world: default or alt")
	fs.Uint64Var(&seed, "seed", 1, "the random seed")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	if out == "" || n <= 0 || n > recommend.MaxCSVRows {
		return usageError{fmt.Sprintf("recommend simulate needs --out and --people between 1 and %d", recommend.MaxCSVRows)}
	}
	w, err := recommend.WorldNamed(world)
	if err != nil {
		return usageError{err.Error()}
	}
	history, _ := recommend.Simulate(w, n, seed)
	var b strings.Builder
	if err := recommend.WriteCases(&b, history); err != nil {
		return err
	}
	if err := writeFileAtomic(out, []byte(b.String())); err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "%d simulated cases of the %s world written to %s\n", n, w.Name, out)
	return nil
}

func recommendBench(p *program, args []string) error {
	var n int
	var world string
	var seed uint64
	fs := p.flagSet("recommend bench", "recommend bench [--people 20000] [--world default|alt|both] [--seed S]\n\nFor each world: simulates a history, trains a model on it and scores, on a fresh population of the\nsame world against its true effects, the model's first suggestion, the rules' and what was usually\ngiven, as normalised policy values (0 = a random service, 1 = the best service for everyone).")
	fs.IntVar(&n, "people", 20000, "past cases to train on (and people to evaluate)")
	fs.StringVar(&world, "world", "both", "default, alt or both")
	fs.Uint64Var(&seed, "seed", 1, "the random seed")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	if n < recommend.MinCases || n > recommend.MaxCSVRows {
		return usageError{fmt.Sprintf("--people must be between %d and %d", recommend.MinCases, recommend.MaxCSVRows)}
	}
	names := []string{world}
	if world == "both" {
		names = []string{"default", "alt"}
	}
	for _, name := range names {
		w, err := recommend.WorldNamed(name)
		if err != nil {
			return usageError{err.Error()}
		}
		res, err := recommend.Bench(w, n, seed, time.Now(), time.Now)
		if err != nil {
			return err
		}
		fmt.Fprintf(p.stdout, "world %s: trained on %d simulated cases in %s (model %s)\n", res.World, res.History, res.Took.Round(time.Millisecond), res.Model.Version)
		fmt.Fprintf(p.stdout, "  %-22s %8s %8s %8s %9s\n", "normalised value", "overall", "women", "men", "gap(w-m)")
		labels := map[string]string{"model": "model top suggestion", "rules": "rules only", "usual": "usually given"}
		for _, s := range res.Policies {
			fmt.Fprintf(p.stdout, "  %-22s %8.3f %8.3f %8.3f %+9.3f\n", labels[s.Policy], s.Overall, s.Women, s.Men, s.Gap())
		}
		m := res.Policies[0]
		verdict := "meets"
		if m.Overall < 0.85 || m.Gap() > 0.05 || m.Gap() < -0.05 {
			verdict = "misses"
		}
		fmt.Fprintf(p.stdout, "  target (model ≥ 0.85 overall, |gap| ≤ 0.05): %s\n", verdict)
	}
	return nil
}

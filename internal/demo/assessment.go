package demo

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"homeward"
	"homeward/internal/assessment"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// Levels are how well someone is doing in each dimension of the
// sustainability survey, from 0 (worst) to 1 (best).
type Levels struct{ Economic, Social, Psychosocial float64 }

// pick chooses among choices ordered best first, nearer the best the higher
// level is, with a little noise.
func pick(r *rand.Rand, level float64, choices ...string) string {
	x := (1-level)*float64(len(choices)-1) + r.NormFloat64()*0.28
	i := int(math.Round(x))
	return choices[max(0, min(len(choices)-1, i))]
}

// SurveyAnswers returns a complete, valid set of answers to the built-in
// sustainability survey (form rss) for someone at the given levels, given
// on date (YYYY-MM-DD) in round (baseline, m3, m6, m12).
func SurveyAnswers(r *rand.Rand, l Levels, date, round string) map[string]any {
	e, s, p := l.Economic, l.Social, l.Psychosocial
	debt := math.Max(0, math.Round((1-e)*14+r.NormFloat64()*2))
	a := map[string]any{
		"round":                   round,
		"interview_date":          date,
		"income_source":           pick(r, e, "regular_job", "self_employed", "casual_work", "support", "none"),
		"food_security":           pick(r, e, "never", "sometimes", "often"),
		"debt_months":             debt,
		"productive_assets":       pick(r, e, "enough", "some", "none"),
		"work_access":             pick(r, e, "yes", "difficult", "no"),
		"economic_satisfaction":   pick(r, e, "very_satisfied", "satisfied", "neutral", "dissatisfied", "very_dissatisfied"),
		"housing":                 pick(r, s, "adequate", "insecure", "inadequate", "none"),
		"school_age_children":     pick(r, 0.5, "yes", "no"),
		"access_health":           pick(r, s, "yes", "difficult", "no"),
		"access_documentation":    pick(r, s, "all", "some", "none"),
		"access_justice":          pick(r, s, "yes", "difficult", "no"),
		"access_water":            pick(r, s, "always", "sometimes", "never"),
		"support_network":         pick(r, p, "several", "one", "none"),
		"community_participation": pick(r, p, "often", "sometimes", "never"),
		"safety_belonging":        pick(r, p, "yes", "partly", "no"),
		"distress":                pick(r, p, "never", "sometimes", "often", "always"),
		"discrimination":          pick(r, p, "never", "sometimes", "often"),
		"migrate_again":           pick(r, p, "no", "maybe", "yes"),
	}
	if a["school_age_children"] == "yes" {
		a["access_education"] = pick(r, s, "all", "some", "none")
	}
	if a["migrate_again"] != "no" {
		a["migrate_reason"] = pick(r, e, "choice", "necessity")
	}
	return a
}

// ScreeningAnswers returns answers to the built-in protection screening;
// risk from 0 to 1 makes indicators of trafficking, violence and urgent
// medical need more likely.
func ScreeningAnswers(r *rand.Rand, risk float64) map[string]any {
	yes := func(p float64) string {
		if r.Float64() < p {
			return "yes"
		}
		return "no"
	}
	a := map[string]any{
		"consent":            "yes",
		"deceived":           yes(risk * 0.9),
		"documents_withheld": yes(risk * 0.8),
		"unpaid":             yes(risk * 0.7),
		"violence_abroad":    yes(risk * 0.5),
		"threats_now":        yes(risk * 0.2),
		"urgent_medical":     yes(risk * 0.3),
		"self_harm":          yes(risk * 0.1),
		"gbv":                yes(risk * 0.15),
	}
	a["could_leave"] = "yes"
	if r.Float64() < risk*0.6 {
		a["could_leave"] = "no"
	}
	if a["urgent_medical"] == "yes" {
		a["urgent_medical_details"] = "Untreated injury from work abroad"
	}
	for _, k := range []string{"threats_now", "self_harm", "gbv", "documents_withheld", "unpaid"} {
		if a[k] == "yes" {
			a["wants_referral"] = "yes"
		}
	}
	return a
}

// trajectory is how one demo returnee fares over time: a starting point and
// a change per follow-up round.
type trajectory struct{ start, step Levels }

var trajectories = []trajectory{
	{Levels{0.25, 0.45, 0.35}, Levels{0.15, 0.08, 0.12}}, // steady recovery
	{Levels{0.45, 0.6, 0.3}, Levels{0.1, 0.05, -0.05}},   // economy up, distress lingers
	{Levels{0.3, 0.35, 0.5}, Levels{-0.04, 0.02, -0.08}}, // struggling
	{Levels{0.6, 0.7, 0.6}, Levels{0.08, 0.05, 0.08}},    // doing well
	{Levels{0.2, 0.3, 0.25}, Levels{0.2, 0.15, 0.18}},    // strong turnaround
	{Levels{0.5, 0.4, 0.45}, Levels{-0.1, 0.0, -0.12}},   // relapsing
	{Levels{0.35, 0.55, 0.4}, Levels{0.05, 0.05, 0.05}},  // slow gains
	{Levels{0.4, 0.25, 0.55}, Levels{0.12, 0.12, -0.02}}, // housing improves
	{Levels{0.15, 0.3, 0.2}, Levels{0.1, 0.1, 0.1}},      // very vulnerable, improving
	{Levels{0.55, 0.65, 0.35}, Levels{0.02, 0.02, 0.12}}, // psychosocial support working
	{Levels{0.3, 0.45, 0.3}, Levels{0.13, -0.03, 0.1}},   // mixed
	{Levels{0.45, 0.5, 0.5}, Levels{0.0, 0.0, 0.0}},      // flat
}

func (l Levels) add(d Levels, n float64) Levels {
	c := func(x float64) float64 { return math.Max(0.02, math.Min(0.98, x)) }
	return Levels{c(l.Economic + d.Economic*n), c(l.Social + d.Social*n), c(l.Psychosocial + d.Psychosocial*n)}
}

// seedAssessments gives the demo returnees a protection screening and a
// baseline sustainability survey soon after return, and the follow-up
// surveys their return date has brought due (most of them; a few are left
// due or overdue so that case workers have tasks), entered by each NGO's
// case worker. It is deterministic.
func seedAssessments(ctx context.Context, db *sqldb.DB, w *World, orgs []Org) error {
	r := rand.New(rand.NewPCG(5, 2026))
	now := db.Now()
	n := 0
	for _, d := range orgs {
		var cw *homeward.User
		for _, du := range d.Users {
			if u := w.Users[du.Email]; u != nil && u.HasRole(homeward.RoleCaseWorker) {
				cw = u
				break
			}
		}
		if cw == nil {
			continue
		}
		actx := homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: cw.ID, OrgID: cw.OrgID, Name: cw.Name, Email: cw.Email, Roles: cw.Roles, Locale: cw.Locale})
		people, _, err := db.Search(actx, registry.SearchFilter{Limit: 500})
		if err != nil {
			return err
		}
		for _, p := range spread(people, now, assessedPerOrg) {
			returned, _ := assessment.ParseReturnDate(p.ReturnDate)
			k := n
			n++
			// Screening at reception, a day after return.
			risk := 0.15
			if n%4 == 1 {
				risk = 0.85
			}
			screened := dateAfter(returned, 0, 1, now)
			in := assessment.Input{FormID: "protection_screening", Status: assessment.StatusCompleted, Answers: ScreeningAnswers(r, risk), AnsweredOn: screened}
			if _, err := db.CreateSubmission(actx, p.PersonID, in); err != nil {
				return fmt.Errorf("demo screening for %s: %w", p.CaseNumber, err)
			}
			// Baseline within the first fortnight, then follow-ups at 3, 6
			// and 12 months while they have come; every fifth returnee's
			// latest follow-up is left undone.
			rounds := []struct {
				months int
				round  string
			}{{0, "baseline"}, {3, "m3"}, {6, "m6"}, {12, "m12"}}
			for i, rd := range rounds {
				on := returned.AddDate(0, rd.months, 4+r.IntN(10))
				if rd.months == 0 {
					on = returned.AddDate(0, 0, 2+r.IntN(10))
				}
				if on.After(now) {
					break
				}
				if i > 0 && n%5 == 0 && (i == len(rounds)-1 || returned.AddDate(0, rounds[i+1].months, 0).After(now)) {
					break
				}
				answers := SurveyAnswers(r, LevelsAt(k, i), on.Format(time.DateOnly), rd.round)
				in := assessment.Input{FormID: assessment.SurveyFormID, Status: assessment.StatusCompleted, Answers: answers}
				if _, err := db.CreateSubmission(actx, p.PersonID, in); err != nil {
					return fmt.Errorf("demo survey for %s: %w", p.CaseNumber, err)
				}
			}
		}
	}
	return nil
}

// assessedPerOrg bounds how many returnees of each organisation get demo
// assessments, which keeps the demo's start fast.
const assessedPerOrg = 20

// spread picks up to n complete registrations with a past return date,
// evenly over the range of return dates, so that every stage shows: new
// arrivals with a baseline only, and earlier ones with follow-ups.
func spread(people []registry.Summary, now time.Time, n int) []registry.Summary {
	var ok []registry.Summary
	for _, p := range people {
		if r, has := assessment.ParseReturnDate(p.ReturnDate); has && !p.Incomplete && !r.After(now) {
			ok = append(ok, p)
		}
	}
	sort.SliceStable(ok, func(i, j int) bool { return ok[i].ReturnDate < ok[j].ReturnDate })
	if len(ok) <= n {
		return ok
	}
	out := make([]registry.Summary, 0, n)
	for i := range n {
		out = append(out, ok[i*len(ok)/n])
	}
	return out
}

// dateAfter returns returned plus months and days, as a date no later than
// now.
func dateAfter(returned time.Time, months, days int, now time.Time) string {
	t := returned.AddDate(0, months, days)
	if t.After(now) {
		t = now
	}
	return strings.TrimSpace(t.Format(time.DateOnly))
}

// LevelsAt returns how returnee n of the demo's trajectories is doing at
// follow-up i (0 for the baseline): for seeding surveys beyond the demo.
func LevelsAt(n, i int) Levels {
	tr := trajectories[n%len(trajectories)]
	return tr.start.add(tr.step, float64(i))
}

package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"homeward"
	"homeward/internal/demo"
	"homeward/internal/i18n"
)

// A case worker of an NGO fills the reintegration sustainability survey in
// Bangla in the browser: skip logic shows the education question once she
// says there are school-age children, the survey completes with scores,
// and the person's chart draws them.
func TestCaseWorkerFillsSurveyInBangla(t *testing.T) {
	chromiumPath(t)
	db, w := seedDemo(t)
	cw := w.Users["caseworker@shapla.demo"]
	actx := homeward.NewContextWithActor(context.Background(), &homeward.Actor{UserID: cw.ID, OrgID: cw.OrgID, Roles: cw.Roles})
	returned := db.Now().AddDate(0, 0, -40)
	js := fmt.Sprintf(`{"person":{"given_name":"Nazmul","family_name":"Hoque","full_name_native":"নাজমুল হক","sex":"male","date_of_birth":"1988",
		"address":{"admin_area":"BD302602"}},
		"episodes":[{"destination_country":"QA","departure_date":"2020-01","return":{"date":%q,"return_type":"voluntary","point_of_entry":"BD-DAC"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`, returned.Format(time.DateOnly))
	rec := registerJSON(t, db, actx, js)
	srvURL := serveDB(t, db)
	ctx := browser(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(srvURL+"/lang?to=bn&back=/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "caseworker@shapla.demo"),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		submitThen("login-submit", "home-title"),
		chromedp.Navigate(srvURL+"/people/"+rec.Person.ID+"/assessments"),
		chromedp.WaitVisible(chromedp.ID("start-assessment")),
		chromedp.SetValue(chromedp.ID("form_id"), "rss"),
		submitThen("start-assessment", "assessment-form"),
	)
	if err != nil {
		t.Fatalf("start the survey: %v", err)
	}
	title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("fill-title")))
	if title != "টেকসই পুনঃএকীকরণ জরিপ" {
		t.Errorf("survey title %q", title)
	}
	hidden, _ := chromedp.Run(ctx, chromedp.Evaluate[bool]("document.getElementById('q-access_education').hidden"))
	if !hidden {
		t.Error("the education question shows before it is relevant")
	}

	answers := demo.SurveyAnswers(rand.New(rand.NewPCG(11, 3)), demo.Levels{Economic: 0.4, Social: 0.6, Psychosocial: 0.5}, returned.AddDate(0, 0, 3).Format(time.DateOnly), "baseline")
	answers["school_age_children"] = "yes"
	answers["access_education"] = "some"
	// Typed in Bangla digits.
	steps := surveySteps(answers, func(n string) string { return strings.Map(func(r rune) rune { return '০' + (r - '0') }, n) })
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("answer: %v", err)
	}
	screenshot(t, ctx, "survey-bn")
	err = chromedp.Do(ctx,
		submitThen("complete", "result-scores"),
	)
	if err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("complete: %v\n%.3000s", err, html)
	}
	scores, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("result-scores")))
	if !strings.Contains(scores, "অর্থনৈতিক") || !strings.ContainsAny(scores, "০১২৩৪৫৬৭৮৯") {
		t.Errorf("scores in Bangla: %q", scores)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.ID("link-chart")),
		chromedp.WaitVisible(chromedp.CSS("#score-chart svg")),
	)
	if err != nil {
		t.Fatalf("chart: %v", err)
	}
	desc, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.querySelector('#score-chart svg title').textContent"))
	if want := i18n.T("bn", "assessment.chart.title", nil); desc != want {
		t.Errorf("chart title %q", desc)
	}
	markers, _ := chromedp.Run(ctx, chromedp.Evaluate[int]("document.querySelectorAll('#score-chart svg circle').length"))
	if markers < 1 {
		t.Errorf("the chart has no economic marker")
	}
	screenshot(t, ctx, "scores-bn")

	// The follow-up schedule now counts from the baseline: nothing is due.
	ov, err := db.PersonOverview(actx, rec.Person.ID)
	if err != nil || len(ov.Scores) != 1 {
		t.Fatalf("overview: %+v, %v", ov, err)
	}
	keys := make([]string, 0, len(ov.Scores[0].Dimensions))
	for k := range ov.Scores[0].Dimensions {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	if strings.Join(keys, ",") != "economic,psychosocial,social" {
		t.Errorf("dimensions %v", keys)
	}
}

// surveySteps answers the sustainability survey's questions in form order,
// so that skip logic has its inputs first; numbers are typed as digits
// writes them.
func surveySteps(answers map[string]any, digits func(string) string) []chromedp.Action[chromedp.Void] {
	order := []string{"round", "interview_date", "income_source", "food_security", "debt_months", "productive_assets", "work_access", "economic_satisfaction",
		"housing", "school_age_children", "access_education", "access_health", "access_documentation", "access_justice", "access_water",
		"support_network", "community_participation", "safety_belonging", "distress", "discrimination", "migrate_again", "migrate_reason"}
	var steps []chromedp.Action[chromedp.Void]
	for _, name := range order {
		v, ok := answers[name]
		if !ok {
			continue
		}
		switch x := v.(type) {
		case string:
			if name == "interview_date" {
				steps = append(steps, chromedp.SetValue(chromedp.ID("a-"+name), x))
				continue
			}
			id := "a-" + name + "-" + x
			steps = append(steps, chromedp.WaitVisible(chromedp.ID(id)), chromedp.Click(chromedp.ID(id)))
		case float64:
			steps = append(steps, chromedp.SendKeys(chromedp.ID("a-"+name), digits(fmt.Sprint(int(x)))))
		}
	}
	return steps
}

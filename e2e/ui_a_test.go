package e2e

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/assessment"
	"homeward/internal/demo"
	"homeward/internal/referral"
	"homeward/internal/sqldb"
)

// uiaWorld is the demo world with a returnee of Shapla who was referred to
// TTC Dhaka twice, for a cash grant and for skills training; the centre
// accepted both and has recorded nothing yet.
type uiaWorld struct {
	url, personID      string
	grantRef, trainRef string
	db                 *sqldb.DB
	cw, staff          context.Context
}

func startUIAWorld(t *testing.T) uiaWorld {
	t.Helper()
	chromiumPath(t)
	ctx := context.Background()
	db, w := seedDemo(t)
	ttc, shapla := w.Orgs["ttc-dhaka"], w.Orgs["shapla"]
	actor := func(email string, org *homeward.Organisation) context.Context {
		u := w.Users[email]
		return homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: u.ID, OrgID: org.ID, Name: u.Name, Email: u.Email, Roles: u.Roles, Locale: "en"})
	}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	// TTC Dhaka offers training already; it offers grants here too.
	if err := db.CreateOffer(sys, &referral.Offer{OrgID: ttc.ID, ServiceType: "business_grant_cash", Areas: []string{"BD30"}, Active: true}); err != nil {
		t.Fatal(err)
	}
	js := fmt.Sprintf(`{"person":{"given_name":"Shirin","family_name":"Begum","sex":"female","date_of_birth":"1990-05-02",
		"address":{"admin_area":"BD302602"}},
		"episodes":[{"destination_country":"SA","sector":"domestic_work","departure_date":"2021-03","return":{"date":%q,"return_type":"end_of_contract","point_of_entry":"BD-DAC"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"},{"purpose":"referral","method":"signed_form","recipient":{"org_id":%q}}]}`,
		homewardtest.Today(db, -5), ttc.ID)
	cw := actor("caseworker2@shapla.demo", shapla)
	staff := actor("staff@ttc-dhaka.demo", ttc)
	rec := registerJSON(t, db, cw, js)
	accepted := func(svc string) string {
		r, err := db.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: ttc.ID, ServiceType: svc})
		if err != nil {
			t.Fatal(err)
		}
		if r, err = db.MoveReferral(staff, r.ID, r.Version, referral.Transition{To: referral.StateAccepted}); err != nil {
			t.Fatal(err)
		}
		return r.ID
	}
	u := uiaWorld{personID: rec.Person.ID, grantRef: accepted("business_grant_cash"), trainRef: accepted("skills_training"), db: db, cw: cw, staff: staff}
	u.url = serveDB(t, db)
	return u
}

// uiaSteps runs a story's parts within 20 seconds each and reports the
// page the browser stopped on.
func uiaSteps(t *testing.T, ctx context.Context) func(part string, steps ...chromedp.Action[chromedp.Void]) {
	return func(part string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: %v\nat %s\n%.3000s", part, err, loc, html)
		}
	}
}

func evalString(t *testing.T, ctx context.Context, js string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return s
}

// A provider's staff request a grant whose tranches do not add up: the
// form comes back with everything typed, the error next to the tranches
// and a summary at the top whose link names and reaches the field; the
// required fields are marked. Then in Bangla, the same.
func TestGrantFormKeepsWhatWasTyped(t *testing.T) {
	for _, lang := range []string{"en", "bn"} {
		t.Run(lang, func(t *testing.T) {
			u := startUIAWorld(t)
			ctx := browser(t)
			if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
				t.Fatal(err)
			}
			do := uiaSteps(t, ctx)
			do("open the grant form",
				chromedp.Navigate(u.url+"/lang?to="+lang+"&back=/login"),
				signIn("staff@ttc-dhaka.demo"),
				chromedp.Navigate(u.url+"/referrals/"+u.grantRef+"/delivery"),
				chromedp.WaitVisible(chromedp.ID("grant-form")),
			)
			req := evalString(t, ctx, `['amount','currency','channel','purpose','tranche-0'].map(id => document.getElementById(id).required ? id : '').join(',') + '|' +
				getComputedStyle(document.querySelector('label[for=amount]'), '::after').content`)
			if !strings.HasPrefix(req, "amount,currency,channel,purpose,tranche-0|") || !strings.Contains(req, "*") {
				t.Errorf("required fields and their mark: %q", req)
			}
			do("request with tranches that do not add up",
				chromedp.SendKeys(chromedp.ID("amount"), "25000"),
				chromedp.SetValue(chromedp.ID("channel"), "cash"),
				chromedp.SendKeys(chromedp.ID("purpose"), "Tailoring shop"),
				chromedp.SendKeys(chromedp.ID("tranche-0"), "20000"),
				chromedp.SendKeys(chromedp.ID("tranche-date-0"), "15/01/2027"),
				chromedp.SendKeys(chromedp.ID("tranche-1"), "4000"),
				click("grant-request"),
				chromedp.WaitVisible(chromedp.ID("error-summary")),
				settled,
			)
			kept := evalString(t, ctx, `['amount','channel','purpose','tranche-0','tranche-date-0','tranche-1'].map(id => document.getElementById(id).value).join('|')`)
			if kept != "25000|cash|Tailoring shop|20000|15/01/2027|4000" {
				t.Errorf("the form kept %q", kept)
			}
			summary := evalString(t, ctx, `document.querySelector('#error-summary h2').textContent + '|' + document.querySelector('#error-summary a').getAttribute('href') + '|' + document.querySelector('#error-summary a').textContent`)
			want := map[string][]string{"en": {"There is a problem", "#tranches", "Tranches: ", "add up to"}, "bn": {"একটি সমস্যা আছে", "#tranches", "কিস্তি"}}[lang]
			for _, w := range want {
				if !strings.Contains(summary, w) {
					t.Errorf("summary %q lacks %q", summary, w)
				}
			}
			near := evalString(t, ctx, `document.querySelector('#tranches .field-error') ? document.querySelector('#tranches .field-error').textContent : ''`)
			if near == "" {
				t.Error("no error next to the tranches")
			}
			screenshot(t, ctx, "grant-errors-"+lang)
			do("correct and request",
				chromedp.Clear(chromedp.ID("tranche-1")),
				chromedp.SendKeys(chromedp.ID("tranche-1"), "5000"),
				click("grant-request"),
				chromedp.WaitVisible(chromedp.ID("grant-amount")),
			)
		})
	}
}

// A case worker completes a survey with questions left unanswered, then
// after someone else saved the draft: both times the answers stay as typed
// and the reason is shown; the summary links to the unanswered questions.
func TestAssessmentKeepsAnswersWhenCompleteFails(t *testing.T) {
	for _, lang := range []string{"en", "bn"} {
		t.Run(lang, func(t *testing.T) {
			u := startUIAWorld(t)
			sub, err := u.db.CreateSubmission(u.cw, u.personID, assessment.Input{FormID: "rss", Answers: map[string]any{}, Status: assessment.StatusDraft})
			if err != nil {
				t.Fatal(err)
			}
			ctx := browser(t)
			if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
				t.Fatal(err)
			}
			do := uiaSteps(t, ctx)
			do("open the draft",
				chromedp.Navigate(u.url+"/lang?to="+lang+"&back=/login"),
				signIn("caseworker2@shapla.demo"),
				chromedp.Navigate(u.url+"/assessments/"+sub.ID),
				chromedp.WaitVisible(chromedp.ID("assessment-form")),
				click("a-round-baseline"),
				chromedp.SendKeys(chromedp.ID("a-debt_months"), "৪"),
				submitThen("complete", "error-summary"),
				settled,
			)
			kept := evalString(t, ctx, `document.getElementById('a-debt_months').value + '|' + document.getElementById('a-round-baseline').checked`)
			if kept != "4|true" && kept != "৪|true" {
				t.Errorf("answers after a refused completion: %q", kept)
			}
			href := evalString(t, ctx, `[...document.querySelectorAll('#error-summary a')].map(a => a.getAttribute('href')).join(' ')`)
			if !strings.Contains(href, "#a-income_source") {
				t.Errorf("summary links %q", href)
			}
			screenshot(t, ctx, "assessment-errors-"+lang)

			// Someone else saves the draft meanwhile.
			if _, err := u.db.UpdateSubmission(u.cw, sub.ID, sub.Version, assessment.Input{Answers: map[string]any{}, Status: assessment.StatusDraft}); err != nil {
				t.Fatal(err)
			}
			do("complete a stale draft", submitThen("complete", "form-error"), settled)
			kept = evalString(t, ctx, `document.getElementById('a-debt_months').value + '|' + document.getElementById('a-round-baseline').checked`)
			if kept != "4|true" && kept != "৪|true" {
				t.Errorf("answers after a stale completion: %q", kept)
			}
		})
	}
}

// Dates are typed and shown day first in both languages, whatever the
// browser's locale: a training's dates typed as 15/01/2027 (in Bangla
// digits in bn) are stored as ISO dates and shown again as typed, with the
// format named at the field; the survey's date question is a plain text
// input, not the browser's date picker.
func TestDatesAreDayFirst(t *testing.T) {
	for _, lang := range []string{"en", "bn"} {
		t.Run(lang, func(t *testing.T) {
			u := startUIAWorld(t)
			ctx := browser(t)
			if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
				t.Fatal(err)
			}
			do := uiaSteps(t, ctx)
			start, enrolled := "03/02/2027", "1/2/2027"
			if lang == "bn" {
				start, enrolled = "০৩/০২/২০২৭", "১/২/২০২৭"
			}
			do("enrol with day-first dates",
				chromedp.Navigate(u.url+"/lang?to="+lang+"&back=/login"),
				signIn("staff@ttc-dhaka.demo"),
				chromedp.Navigate(u.url+"/referrals/"+u.trainRef+"/delivery"),
				chromedp.WaitVisible(chromedp.ID("training-form")),
			)
			format := evalString(t, ctx, `document.querySelector('label[for=start_date] .date-format').textContent + '|' + document.getElementById('start_date').placeholder + '|' + document.getElementById('start_date').type`)
			want := map[string]string{"en": "(dd/mm/yyyy)|dd/mm/yyyy|text", "bn": "(দিন/মাস/বছর)|দিন/মাস/বছর|text"}[lang]
			if format != want {
				t.Errorf("format at the field = %q, want %q", format, want)
			}
			do("save",
				chromedp.SendKeys(chromedp.ID("course"), "Tailoring"),
				chromedp.SendKeys(chromedp.ID("start_date"), start),
				chromedp.SendKeys(chromedp.ID("enrolled_on"), enrolled),
				chromedp.SendKeys(chromedp.ID("end_date"), "31/02/2027"),
				click("training-save"),
				chromedp.WaitVisible(chromedp.ID("error-summary")),
				settled,
			)
			msg := evalString(t, ctx, `document.querySelector('#end_date + .field-error') ? document.querySelector('#end_date + .field-error').textContent : ''`)
			if !strings.Contains(msg, map[string]string{"en": "dd/mm/yyyy", "bn": "দিন/মাস/বছর"}[lang]) {
				t.Errorf("the error at a wrong date = %q", msg)
			}
			if v := evalString(t, ctx, `document.getElementById('start_date').value`); v != start {
				t.Errorf("start date kept as %q", v)
			}
			do("correct the end date",
				chromedp.Clear(chromedp.ID("end_date")),
				chromedp.SendKeys(chromedp.ID("end_date"), "30/06/2027"),
				click("training-save"),
				chromedp.WaitVisible(chromedp.ID("training-outcome")),
				settled,
			)
			ds, err := u.db.FindDeliveries(u.staff, u.trainRef)
			if err != nil || len(ds) != 1 {
				t.Fatalf("deliveries: %v, %v", ds, err)
			}
			tr := ds[0].Training
			if tr.StartDate != "2027-02-03" || tr.EnrolledOn != "2027-02-01" || tr.EndDate != "2027-06-30" {
				t.Errorf("stored %s %s %s, want ISO dates", tr.StartDate, tr.EnrolledOn, tr.EndDate)
			}
			shown := evalString(t, ctx, `document.getElementById('start_date').value + '|' + document.getElementById('end_date').value`)
			if want := map[string]string{"en": "03/02/2027|30/06/2027", "bn": "০৩/০২/২০২৭|৩০/০৬/২০২৭"}[lang]; shown != want {
				t.Errorf("dates shown again as %q, want %q", shown, want)
			}
			screenshot(t, ctx, "training-dates-"+lang)

			// The survey's date question.
			sub, err := u.db.CreateSubmission(u.cw, u.personID, assessment.Input{FormID: "rss", Answers: map[string]any{"interview_date": homewardtest.Today(u.db, 0)}, Status: assessment.StatusDraft})
			if err != nil {
				t.Fatal(err)
			}
			do("the survey", signOut, signIn("caseworker2@shapla.demo"), chromedp.Navigate(u.url+"/assessments/"+sub.ID), chromedp.WaitVisible(chromedp.ID("a-interview_date")))
			got := evalString(t, ctx, `document.getElementById('a-interview_date').type + '|' + document.getElementById('a-interview_date').value`)
			today := dayFirst(homewardtest.Today(u.db, 0), lang)
			if got != "text|"+today {
				t.Errorf("survey date input = %q, want text|%s", got, today)
			}
			// Lists show dates the same way: her return date in the people list.
			do("the people list", chromedp.Navigate(u.url+"/people?q=Shirin"), chromedp.WaitVisible(chromedp.ID("results")), settled)
			if rows := evalString(t, ctx, `document.getElementById('results').textContent`); !strings.Contains(rows, dayFirst(homewardtest.Today(u.db, -5), lang)) {
				t.Errorf("the people list does not show the return date day first (%s): %.300s", dayFirst(homewardtest.Today(u.db, -5), lang), rows)
			}
		})
	}
}

// dayFirst writes an ISO date as dd/mm/yyyy in lang's digits.
func dayFirst(iso, lang string) string {
	s := iso[8:] + "/" + iso[5:7] + "/" + iso[:4]
	if lang == "bn" {
		s = strings.Map(func(r rune) rune {
			if r >= '0' && r <= '9' {
				return '০' + (r - '0')
			}
			return r
		}, s)
	}
	return s
}

// A provider's staff pick the trade's occupation by typing "driver": the
// suggestion list offers the ISCO-08 unit groups, plain words that fit
// several ask to pick one, the one picked is stored as its code. Recording
// the training as completed after 6 of 360 planned hours is refused with
// the reason; once the hours are there, recording the completion also
// completes the referral.
func TestTrainingOccupationAndCompletion(t *testing.T) {
	for _, lang := range []string{"en", "bn"} {
		t.Run(lang, func(t *testing.T) {
			u := startUIAWorld(t)
			ctx := browser(t)
			if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
				t.Fatal(err)
			}
			do := uiaSteps(t, ctx)
			do("type an occupation",
				chromedp.Navigate(u.url+"/lang?to="+lang+"&back=/login"),
				signIn("staff@ttc-dhaka.demo"),
				chromedp.Navigate(u.url+"/referrals/"+u.trainRef+"/delivery"),
				chromedp.WaitVisible(chromedp.ID("training-form")),
				chromedp.SendKeys(chromedp.ID("course"), "Driving"),
				chromedp.SendKeys(chromedp.ID("isco"), "driver"),
			)
			found, err := chromedp.Run(ctx, chromedp.Poll[bool](`[...document.querySelectorAll('#isco-options option')].some(o => o.value === '8322 Car, taxi and van drivers')`))
			if err != nil || !found {
				html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.ID("isco-options")))
				t.Fatalf("no suggestion for driver: %v\n%s", err, html)
			}
			do("save with the plain word", click("training-save"), chromedp.WaitVisible(chromedp.ID("error-summary")), settled)
			msg := evalString(t, ctx, `document.querySelector('#isco ~ .field-error').textContent`)
			if want := map[string]string{"en": "pick one from the list", "bn": "তালিকা থেকে একটি বেছে নিন"}[lang]; !strings.Contains(msg, want) || !strings.Contains(msg, "driver") {
				t.Errorf("error for a plain word = %q", msg)
			}
			do("pick and complete after 6 of 360 hours",
				chromedp.SetValue(chromedp.ID("isco"), "8322 Car, taxi and van drivers"),
				chromedp.SendKeys(chromedp.ID("hours"), "360"),
				chromedp.SetValue(chromedp.ID("outcome"), "completed"),
				chromedp.SendKeys(chromedp.ID("day_date"), dayFirst(homewardtest.Today(u.db, 0), "en")),
				chromedp.SendKeys(chromedp.ID("day_hours"), "6"),
				click("training-save"),
				chromedp.WaitVisible(chromedp.ID("error-summary")),
				settled,
			)
			msg = evalString(t, ctx, `document.querySelector('#outcome ~ .field-error').textContent`)
			if want := map[string]string{"en": "Only 6 of the 360 planned hours", "bn": "পরিকল্পিত ৩৬০ ঘণ্টার মধ্যে মাত্র ৬ ঘণ্টা"}[lang]; !strings.Contains(msg, want) {
				t.Errorf("error for a short attendance = %q", msg)
			}
			screenshot(t, ctx, "training-short-"+lang)
			if ds, _ := u.db.FindDeliveries(u.staff, u.trainRef); len(ds) != 0 {
				t.Fatalf("a record was written: %+v", ds)
			}
			do("complete a 6-hour course",
				chromedp.Clear(chromedp.ID("hours")),
				chromedp.SendKeys(chromedp.ID("hours"), "6"),
				click("training-save"),
				chromedp.WaitVisible(chromedp.ID("training-outcome")),
				settled,
			)
			if v := evalString(t, ctx, `document.getElementById('isco') ? document.getElementById('isco').value : ''`); v != "" && v != "8322 Car, taxi and van drivers" {
				t.Errorf("occupation shown as %q", v)
			}
			ds, err := u.db.FindDeliveries(u.staff, u.trainRef)
			if err != nil || len(ds) != 1 || ds[0].Training.ISCO != "8322" {
				t.Fatalf("stored: %+v %v", ds, err)
			}
			ref, err := u.db.FindReferral(u.staff, u.trainRef)
			if err != nil || ref.State != referral.StateCompleted {
				t.Errorf("the referral is %v (%v), want completed by the record", ref.State, err)
			}
		})
	}
}

// A case worker starts a screening by mistake and discards it; the
// screening does not ask again the sex and age the record gives. A
// 3-month survey taken 5 days after return completes with a warning, and
// the window is kept; one unanswered question is "1 answer", not
// "1 answers".
func TestAssessmentDraftsAndFollowUpWindow(t *testing.T) {
	for _, lang := range []string{"en", "bn"} {
		t.Run(lang, func(t *testing.T) {
			u := startUIAWorld(t)
			ctx := browser(t)
			if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
				t.Fatal(err)
			}
			do := uiaSteps(t, ctx)
			do("start a screening",
				chromedp.Navigate(u.url+"/lang?to="+lang+"&back=/login"),
				signIn("caseworker2@shapla.demo"),
				chromedp.Navigate(u.url+"/people/"+u.personID+"/assessments"),
				chromedp.WaitVisible(chromedp.ID("start-assessment")),
				chromedp.SetValue(chromedp.ID("form_id"), "vulnerability_screening"),
				click("start-assessment"),
				chromedp.WaitVisible(chromedp.ID("assessment-form")),
			)
			age := homewardtest.Today(u.db, 0)
			wantAge := 2026 - 1990
			if age[5:] < "05-02" {
				wantAge--
			}
			if y := age[:4]; y != "2026" {
				wantAge += int(y[3]-'6') + 10*int(y[2]-'2')
			}
			known := evalString(t, ctx, `document.getElementById('a-age').value + '|' + document.getElementById('a-sex-female').checked`)
			if known != fmt.Sprint(wantAge)+"|true" {
				t.Errorf("the record's age and sex in the new screening: %q, want %d|true", known, wantAge)
			}
			do("discard it",
				click("discard-draft"),
				chromedp.WaitVisible(chromedp.ID("start-assessment")),
				settled,
			)
			flash := evalString(t, ctx, `document.querySelector('.flash') ? document.querySelector('.flash').textContent : ''`)
			if want := map[string]string{"en": "The draft was discarded.", "bn": "খসড়াটি বাদ দেওয়া হয়েছে।"}[lang]; flash != want {
				t.Errorf("flash %q", flash)
			}
			if n := evalString(t, ctx, `String(document.querySelectorAll('#drafts li').length)`); n != "0" {
				t.Errorf("%s drafts left", n)
			}

			// A 3-month survey, 5 days after return, one answer missing.
			answers := demo.SurveyAnswers(rand.New(rand.NewPCG(5, 7)), demo.Levels{Economic: 0.5, Social: 0.5, Psychosocial: 0.5}, homewardtest.Today(u.db, 0), "m3")
			housing := answers["housing"].(string)
			delete(answers, "housing")
			sub, err := u.db.CreateSubmission(u.cw, u.personID, assessment.Input{FormID: "rss", Answers: answers, Status: assessment.StatusDraft})
			if err != nil {
				t.Fatal(err)
			}
			do("open the survey",
				chromedp.Navigate(u.url+"/assessments/"+sub.ID),
				chromedp.WaitVisible(chromedp.ID("round-schedule")),
			)
			sched := evalString(t, ctx, `document.getElementById('round-schedule').textContent`)
			if want := map[string]string{"en": "3-month follow-up: open from", "bn": "৩ মাসের ফলো-আপ"}[lang]; !strings.Contains(sched, want) || !strings.Contains(sched, dayFirst(homewardtest.Today(u.db, -5), lang)) {
				t.Errorf("the survey does not say when the rounds open: %q", sched)
			}
			do("complete with one answer missing",
				click("complete"),
				chromedp.WaitVisible(chromedp.ID("form-error")),
				settled,
			)
			msg := evalString(t, ctx, `document.getElementById('form-error').textContent`)
			if want := map[string]string{"en": "1 answer needs attention.", "bn": "১টি উত্তরে মনোযোগ দরকার।"}[lang]; msg != want {
				t.Errorf("one missing answer: %q, want %q", msg, want)
			}
			do("answer and complete",
				click("a-housing-"+housing),
				click("complete"),
				chromedp.WaitVisible(chromedp.ID("round-window")),
			)
			warn := evalString(t, ctx, `document.getElementById('round-window').textContent`)
			if want := map[string]string{"en": "Taken early: the 3-month follow-up", "bn": "আগেভাগে নেওয়া: ৩ মাসের ফলো-আপ"}[lang]; !strings.Contains(warn, want) {
				t.Errorf("window warning %q", warn)
			}
			screenshot(t, ctx, "survey-early-"+lang)
			got, err := u.db.FindSubmission(u.cw, sub.ID)
			if err != nil || got.Status != assessment.StatusCompleted || got.Window != assessment.WindowEarly {
				t.Errorf("stored: %v %v %v", got.Status, got.Window, err)
			}
		})
	}
}

// overflowJS lists what is wider than the screen: the page, or a table,
// form or card wider than its box; "" when everything fits.
const overflowJS = `(() => {
	const out = [];
	if (document.documentElement.scrollWidth > window.innerWidth) out.push('page ' + document.documentElement.scrollWidth);
	for (const el of document.querySelectorAll('.reg-table, form, .card')) {
		if (el.scrollWidth > el.clientWidth + 1) out.push((el.id || el.className) + ' ' + el.scrollWidth + '>' + el.clientWidth);
	}
	if (out.length) {
		// Name the innermost elements that stick out of the screen.
		const wide = [...document.querySelectorAll('main *')].filter(e => { const r = e.getBoundingClientRect();
			return r.width > 0 && (r.left < -1 || r.right > window.innerWidth + 1) && ![...e.children].some(c => c.getBoundingClientRect().width >= r.width); });
		out.push('at ' + wide.slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + Math.round(e.getBoundingClientRect().width)).join('; '));
	}
	return out.join(', ');
})()`

// On a 360 px phone the header is one line with a menu (a <details>, no
// script), lists are cards that need no sideways scrolling, and the plan
// editor stacks its fields; in English and in Bangla.
func TestPhoneLayout(t *testing.T) {
	for _, lang := range []string{"en", "bn"} {
		t.Run(lang, func(t *testing.T) {
			u := startUIAWorld(t)
			ctx := browser(t)
			if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
				t.Fatal(err)
			}
			do := uiaSteps(t, ctx)
			do("sign in on a phone",
				chromedp.EmulateViewport(360, 740),
				chromedp.Navigate(u.url+"/lang?to="+lang+"&back=/login"),
				chromedp.WaitVisible(chromedp.ID("email")),
				chromedp.SendKeys(chromedp.ID("email"), "caseworker2@shapla.demo"),
				chromedp.SendKeys(chromedp.ID("password"), demo.Password),
				click("login-submit"),
				chromedp.WaitVisible(chromedp.ID("home-title")),
				settled,
			)
			pages := []struct{ name, path, wait string }{
				{"home", "/home", "home-title"},
				{"people", "/people", "results"},
				{"referrals", "/referrals", "main"},
				{"plan", "/people/" + u.personID + "/plan", "plan-form"},
			}
			for _, pg := range pages {
				do("open "+pg.name, chromedp.Navigate(u.url+pg.path), chromedp.WaitVisible(chromedp.ID(pg.wait)), settled)
				screenshot(t, ctx, "phone-"+pg.name+"-"+lang)
				header, _ := chromedp.Run(ctx, chromedp.Evaluate[float64](`document.querySelector('header.bar').getBoundingClientRect().height`))
				if header > 64 {
					t.Errorf("%s: the header is %v px high, more than one line", pg.name, header)
				}
				over, _ := chromedp.Run(ctx, chromedp.Evaluate[string](overflowJS))
				if over != "" {
					t.Errorf("%s: wider than the phone: %s", pg.name, over)
				}
			}
			// Cards: each row of the people list is a card with its column names.
			do("people as cards", chromedp.Navigate(u.url+"/people"), chromedp.WaitVisible(chromedp.ID("results")), settled)
			card := evalString(t, ctx, `(() => { const tr = document.querySelector('#results tbody tr'); const td = tr && tr.querySelector('td[data-label]');
				return tr ? getComputedStyle(tr).display + '|' + (td ? td.getAttribute('data-label') : '') : 'none'; })()`)
			if !strings.HasPrefix(card, "grid|") || strings.HasSuffix(card, "|") {
				t.Errorf("a row of the people list on a phone: %q, want a card (grid) with its column's name", card)
			}
			// The menu opens and leads on.
			do("the menu",
				chromedp.Navigate(u.url+"/home"), chromedp.WaitVisible(chromedp.ID("home-title")), settled,
				chromedp.Click(chromedp.CSS(`#nav-menu > summary`)),
				chromedp.WaitVisible(chromedp.CSS(`#nav-menu a[href="/referrals"]`)),
			)
			screenshot(t, ctx, "phone-menu-"+lang)
			do("follow a menu link", chromedp.Click(chromedp.CSS(`#nav-menu a[href="/referrals"]`)), chromedp.WaitVisible(chromedp.ID("main")), settled)
			if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/referrals") {
				t.Errorf("the menu led to %s", loc)
			}
		})
	}
}

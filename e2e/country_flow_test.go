package e2e

import (
	"context"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"homeward/homewardtest"
	"homeward/internal/demo"
	"homeward/internal/i18n"
	"homeward/internal/sqldb"
)

// countryFlow is one case worker's day on an Iraqi or Pakistani instance:
// the returnee they register, the provider they refer to for service, and
// that provider's user, all in the case worker's language.
type countryFlow struct {
	person                   rtlPerson
	worker, district, goal   string
	service, provider, staff string // service type, provider's name, its user
}

var countryFlows = map[string][]countryFlow{
	// A case worker in Erbil in Sorani refers to the Erbil training
	// centre; one in Baghdad in Arabic to the counselling centre.
	"IQ": {
		{person: rtlPerson{"ckb", "Hemin", "Rasul", "هێمن ڕەسووڵ", "A12345678", "Hemin Rasul"}, worker: "caseworker@hawkari.demo", district: "IQG11Q02",
			goal: "دەمەوێت وەرکشۆپێکی چاککردنەوەی ئۆتۆمبێل بکەمەوە.", service: "skills_training", provider: "Erbil Vocational Training Centre", staff: "staff@evtc.demo"},
		{person: rtlPerson{"ar", "Karrar", "Al-Saadi", "كرار الساعدي", "B23456789", "Karar Saadi"}, worker: "caseworker@daralamal.demo", district: "IQG08Q03",
			goal: "أريد أن أنام جيداً مرة أخرى.", service: "psychosocial_counselling", provider: "Baghdad Psychosocial Support Centre", staff: "counsellor@bpsc.demo"},
	},
	// A case worker in Lahore in Urdu refers to the Lahore institute.
	"PK": {
		{person: rtlPerson{"ur", "Waqas", "Butt", "وقاص بٹ", "AB1234567", "Waqas Butt"}, worker: "caseworker@roshni.demo", district: "PK617",
			goal: "میں موٹر سائیکل مرمت کی دکان کھولنا چاہتا ہوں۔", service: "skills_training", provider: "Lahore Technical Skills Institute", staff: "staff@ltsi.demo"},
	},
}

// startCountryDemo serves the demo world of country code as an instance
// of that country.
func startCountryDemo(t *testing.T, code string) (string, *sqldb.DB) {
	t.Helper()
	db := homewardtest.Open(t)
	if _, err := demo.SeedCountry(context.Background(), db, code); err != nil {
		t.Fatal(err)
	}
	return serveCountry(t, db, code), db
}

// On a real Iraqi instance a case worker of Erbil works in Sorani and one
// of Baghdad in Arabic; on a Pakistani one a case worker of Lahore works in
// Urdu. Each, on a 360 px phone, registers a returnee with a native-script
// name, finds them by the Latin spelling, fills the sustainability survey
// (numbers in the language's own digits) and sees the scores, agrees a plan
// with a goal in the returnee's words and refers its service to the
// country's provider, whose user accepts the referral in the same
// language. Every page is right to left, fits the phone and a desktop
// screen, and shows no untranslated catalog text.
func TestRTLCountryCaseWorkerEndToEnd(t *testing.T) {
	for _, code := range []string{"IQ", "PK"} {
		t.Run(code, func(t *testing.T) {
			url, db := startCountryDemo(t, code)
			ctx := browser(t)
			if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
				t.Fatal(err)
			}
			for _, f := range countryFlows[code] {
				inst := rtlInstances[code]
				inst.Worker, inst.District = f.worker, f.district
				runCountryFlow(t, ctx, url, db, inst, f)
			}
		})
	}
}

func runCountryFlow(t *testing.T, ctx context.Context, url string, db *sqldb.DB, inst rtlInstance, f countryFlow) {
	lang := f.person.lang
	do := uiaSteps(t, ctx)
	// check fails on a page that is not right to left in lang, is wider
	// than the phone, shows catalog text untranslated, or has a serious
	// accessibility fault.
	check := func(where string) {
		t.Helper()
		rtlLayout(t, ctx, lang+" "+where, lang)
		axeCheck(t, ctx, lang+" "+where)
		if over := evalString(t, ctx, overflowJS); over != "" {
			t.Errorf("%s %s: wider than the phone: %s", lang, where, over)
		}
		// And on a desktop screen.
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
			t.Fatalf("%s %s: %v", lang, where, err)
		}
		if over := evalString(t, ctx, overflowJS); over != "" {
			t.Errorf("%s %s: wider than a desktop screen: %s", lang, where, over)
		}
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(360, 800)); err != nil {
			t.Fatalf("%s %s: %v", lang, where, err)
		}
		untranslatedOnPage(t, ctx, lang+" "+where, lang)
	}
	do("sign in", chromedp.EmulateViewport(360, 800), chromedp.Navigate(url+"/lang?to="+lang+"&back=/login"), signIn(inst.Worker))
	check("home")
	// The returnee consents to be referred to service providers.
	number, personURL := registerRTL(t, ctx, url, inst, f.person,
		waitFor(`(() => { const c = document.querySelector('input[name="consent.purpose"][value="referral"]'); if (!c.checked) c.click(); return c.checked; })()`),
		chromedp.SetValue(chromedp.ID("consent-referral_org_type"), "service_provider"),
		chromedp.SetValue(chromedp.ID("consent-method"), "signed_form"),
	)
	check("person page")
	findRTL(t, ctx, url, f.person, number)

	// The sustainability survey, numbers typed in the language's digits.
	answers := demo.SurveyAnswers(rand.New(rand.NewPCG(21, 4)), demo.Levels{Economic: 0.3, Social: 0.5, Psychosocial: 0.4}, homewardtest.Today(db, -1), "baseline")
	do("start the survey",
		chromedp.Navigate(personURL+"/assessments"),
		chromedp.WaitVisible(chromedp.ID("start-assessment")),
		chromedp.SetValue(chromedp.ID("form_id"), "rss"),
		submitThen("start-assessment", "assessment-form"),
	)
	check("survey")
	do("answer", surveySteps(answers, func(n string) string { return i18n.Digits(lang, n) })...)
	do("complete", submitThen("complete", "result-scores"))
	scores := evalString(t, ctx, `document.getElementById('result-scores').textContent`)
	if econ := i18n.T(lang, "assessment.dimension.economic", nil); !strings.Contains(scores, econ) || !strings.ContainsAny(scores, "٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹") {
		t.Errorf("%s: scores %q, want the economic score (%s) in native digits", lang, scores, econ)
	}
	check("scores")
	screenshot(t, ctx, "country-scores-"+lang)

	// A plan with one goal and the provider's service, agreed.
	do("plan form",
		chromedp.Navigate(personURL+"/plan"),
		chromedp.WaitVisible(chromedp.ID("plan-form")),
		chromedp.SendKeys(chromedp.ID("goal-0"), f.goal),
		chromedp.SetValue(chromedp.ID("goal-dim-0"), "economic"),
		chromedp.SetValue(chromedp.ID("svc-type-0"), f.service),
		waitFor(`document.getElementById('svc-type-0').dispatchEvent(new Event('change', {bubbles: true}))`),
		waitFor(`[...document.querySelectorAll('#svc-provider-0 option')].some(o => o.textContent.startsWith(`+jsString(f.provider)+`))`),
		settled,
		waitFor(`(() => { const s = document.getElementById('svc-provider-0');
			for (const o of s.options) if (o.textContent.startsWith(`+jsString(f.provider)+`)) { s.value = o.value; return true; } return false; })()`),
	)
	check("plan form")
	if cur := evalString(t, ctx, `document.getElementById('svc-currency-0').value`); cur != inst.Currency {
		t.Errorf("%s: a budget is in %q by default, want the country's %s", lang, cur, inst.Currency)
	}
	do("save the plan", click("plan-save"), chromedp.WaitVisible(chromedp.ID("plan-agree")))
	do("agree the plan", chromedp.SetValue(chromedp.ID("agree-method"), "signed_form"), click("plan-agree-submit"),
		waitText("plan-status", i18n.T(lang, "referral.plan_status.active", nil)))
	if g := evalString(t, ctx, `document.getElementById('plan-goals').textContent`); !strings.Contains(g, f.goal) {
		t.Errorf("%s: goals %q", lang, g)
	}
	check("agreed plan")
	screenshot(t, ctx, "country-plan-"+lang)

	// Refer the planned service.
	svc := evalString(t, ctx, `(document.querySelector('[id^="refer-svc-"]') || {}).id || ''`)
	if svc == "" {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("%s: the agreed plan offers no referral:\n%.3000s", lang, html)
	}
	do("refer", click(svc), waitText("referral-state", i18n.T(lang, "referral.state.sent", nil)))
	check("referral sent")
	refURL, _ := chromedp.Run(ctx, chromedp.Location())
	refURL, _, _ = strings.Cut(refURL, "?")

	// The provider's user accepts, in the same language.
	do("provider signs in", phoneSignOut, chromedp.Navigate(url+"/lang?to="+lang+"&back=/login"), signIn(f.staff),
		chromedp.Navigate(refURL), chromedp.WaitVisible(chromedp.ID("shared-fields")))
	check("provider's view")
	do("accept", click("do-accepted"), waitText("referral-state", i18n.T(lang, "referral.state.accepted", nil)))
	check("referral accepted")
	screenshot(t, ctx, "country-accepted-"+lang)
	do("sign out", phoneSignOut)
}

// phoneSignOut signs out on a phone, where the sign-out button of the wide
// header is hidden (the menu has its own).
var phoneSignOut = chromedp.Steps(settled, waitFor(`(document.getElementById('logout').click(), true)`), chromedp.WaitVisible(chromedp.ID("login-submit")))

// waitText waits until the element id shows want (spaces trimmed).
func waitText(id, want string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(settled, waitFor(`((document.getElementById(`+jsString(id)+`) || {}).textContent || '').trim() === `+jsString(want)))
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string { return strconv.Quote(s) }

package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// A case worker sees the suggestions of the active model on a plan page,
// with their reasons, chooses one and gives a reason; the data officer
// and the administrator read the model card and its fairness check; the
// returnee opts out by withdrawing the agreement, and the suggestions go.
func TestCaseWorkerChoosesSuggestedService(t *testing.T) {
	db, w := seedDemo(t)
	base := serveDB(t, db)
	cwUser := w.Users["caseworker@shapla.demo"]
	cw := homeward.NewContextWithActor(t.Context(), &homeward.Actor{UserID: cwUser.ID, OrgID: cwUser.OrgID, Roles: cwUser.Roles})
	plans, err := db.FindPlans(cw, referral.PlanFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var plan *referral.Plan
	for i := range plans {
		if plans[i].Status == referral.PlanDraft {
			plan = &plans[i]
			break
		}
	}
	if plan == nil {
		t.Fatal("Shapla has no draft plan in the demo")
	}

	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	do := uiaSteps(t, ctx)
	do("the case worker opens the plan",
		chromedp.Navigate(base+"/login"),
		signIn("caseworker@shapla.demo"),
		chromedp.Navigate(base+"/plans/"+plan.ID),
		chromedp.WaitVisible(chromedp.ID("suggest-form")),
	)
	screenshot(t, ctx, "suggestions")
	source, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('suggest-source').innerText`))
	if err != nil || !strings.Contains(source, "মডেল") && !strings.Contains(source, "model") {
		t.Fatalf("suggestions are not ranked by the model: %q %v", source, err)
	}
	reasons, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#suggest-list ul.reasons li').length`))
	if err != nil || reasons == 0 {
		t.Fatalf("no reasons shown: %d %v", reasons, err)
	}
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#suggest-list input[name=service]:not([disabled])')][0].value`))
	if err != nil || first == "" {
		t.Fatalf("no service to choose: %v", err)
	}
	do("she chooses the first suggestion with a reason",
		chromedp.Click(chromedp.CSS(`#suggest-list input[value="`+first+`"]`)),
		chromedp.SendKeys(chromedp.ID("suggest-reason"), "Agreed with the returnee"),
		chromedp.Click(chromedp.ID("suggest-submit")),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
	)
	cs, err := db.Choices(cw, plan.CaseID)
	if err != nil || len(cs) != 1 || cs[0].Chosen != first || cs[0].Reason != "Agreed with the returnee" || cs[0].ModelVersion == "" {
		t.Fatalf("choice recorded: %+v %v", cs, err)
	}

	do("the data officer reads the model card and its fairness check",
		signOut,
		signIn("data@shapla.demo"),
		chromedp.Navigate(base+"/recommend"),
		chromedp.WaitVisible(chromedp.ID("rec-models")),
		chromedp.Click(chromedp.CSS("#rec-models tbody a")),
		chromedp.WaitVisible(chromedp.ID("rec-fair-groups")),
	)
	screenshot(t, ctx, "model-card")
	followed, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.getElementById('rec-card-protected').innerText`))
	if err != nil || !strings.Contains(followed, "sex") {
		t.Errorf("the card does not name sex as protected: %q %v", followed, err)
	}

	// The returnee opts out: the case worker withdraws the agreement.
	rec, err := db.FindRecord(cw, plan.PersonID)
	if err != nil {
		t.Fatal(err)
	}
	var consentID string
	for _, c := range rec.Consents {
		if c.Purpose == registry.PurposeSuggestions && c.WithdrawnAt == nil {
			consentID = c.ID
		}
	}
	if consentID == "" {
		t.Fatal("the demo returnee has no agreement to suggestions")
	}
	do("the case worker records the opt-out",
		signOut,
		signIn("caseworker@shapla.demo"),
		chromedp.Navigate(base+"/people/"+plan.PersonID),
		chromedp.Click(chromedp.CSS(`form[action$="/consents/`+consentID+`/withdraw"] button`)),
		chromedp.WaitVisible(chromedp.CSS("p.flash")),
		chromedp.Navigate(base+"/plans/"+plan.ID),
		chromedp.WaitVisible(chromedp.ID("suggest-no-consent")),
	)
}

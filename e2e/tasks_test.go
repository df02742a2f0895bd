package e2e

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/referral"
)

// The staff of a training centre with six referrals to answer (in the
// demo world, two, and four more sent for grants) see five on the home
// page's card, in Bangla, with the count and a link to see all six on the
// task page.
func TestHomeTaskCardSeeAll(t *testing.T) {
	ctx := context.Background()
	db, w := seedDemo(t)
	ttc, shapla := w.Orgs["ttc-dhaka"], w.Orgs["shapla"]
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	if err := db.CreateOffer(sys, &referral.Offer{OrgID: ttc.ID, ServiceType: "business_grant_cash", Areas: []string{"BD30"}, Active: true}); err != nil {
		t.Fatal(err)
	}
	u := w.Users["caseworker2@shapla.demo"]
	cw := homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: u.ID, OrgID: shapla.ID, Name: u.Name, Email: u.Email, Roles: u.Roles, Locale: "en"})
	for i := range 4 {
		js := fmt.Sprintf(`{"person":{"given_name":"Morium","family_name":"Akter","sex":"female","date_of_birth":"1994",
			"documents":[{"type":"national_id","number":"%d","issuing_country":"BD"}],"address":{"admin_area":"BD302602"}},
			"episodes":[{"destination_country":"SA","return":{"date":%q,"return_type":"end_of_contract"}}],
			"consents":[{"purpose":"registration_case_management","method":"signed_form"},{"purpose":"referral","method":"signed_form","recipient":{"org_id":%q}}]}`,
			9988776650+i, homewardtest.Today(db, -20), ttc.ID)
		rec := registerJSON(t, db, cw, js)
		if _, err := db.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: ttc.ID, ServiceType: "business_grant_cash"}); err != nil {
			t.Fatal(err)
		}
	}
	srvURL := serveDB(t, db)

	bctx := browser(t)
	count := func(sel string) int {
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](`document.querySelectorAll('`+sel+`').length`))
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	text := func(id string) string {
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(s)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate(srvURL+"/"), signIn("staff@ttc-dhaka.demo"),
		chromedp.WaitVisible(chromedp.ID("tasks-awaiting_response-all")), settled); err != nil {
		t.Fatal(err)
	}
	if n := count(`#home-task-list #tasks-awaiting_response li`); n != 5 {
		t.Errorf("the card lists %d referrals to answer, want 5", n)
	}
	if s := text("tasks-awaiting_response-count"); s != "৬" {
		t.Errorf("the card counts %q referrals to answer, want ৬", s)
	}
	if s := text("tasks-awaiting_response-all"); s != "সব ৬টি দেখুন" {
		t.Errorf("the card's link says %q", s)
	}
	if err := chromedp.Do(bctx, chromedp.ScrollIntoView(chromedp.ID("tasks-page"))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, bctx, "home-task-card-bn")

	if err := chromedp.Do(bctx, click("tasks-awaiting_response-all"), chromedp.WaitVisible(chromedp.ID("tasks-title"))); err != nil {
		t.Fatal(err)
	}
	if n := count(`#tasks #tasks-awaiting_response li`); n != 6 {
		t.Errorf("the task page lists %d referrals to answer, want 6", n)
	}
	if loc, _ := chromedp.Run(bctx, chromedp.Location()); !strings.HasSuffix(loc, "/tasks#tasks-awaiting_response") {
		t.Errorf("the link led to %s", loc)
	}
	if count(`#tasks-awaiting_response-all, #tasks-awaiting_response-shown`) != 0 {
		t.Error("the task page, listing all six, offers more")
	}
	screenshot(t, bctx, "task-page-bn")
}

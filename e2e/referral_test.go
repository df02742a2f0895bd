package e2e

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/demo"
	"homeward/internal/password"
	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// referralDemo serves the demo world with, in addition, a returnee of
// Shapla who consented to be referred to TTC Dhaka, and at TTC Dhaka a
// supervisor and a cash grant (requested by the centre's staff) awaiting
// approval.
type referralDemo struct {
	url, personID, grantID string
	db                     *sqldb.DB
}

func startReferralDemo(t *testing.T) referralDemo {
	t.Helper()
	ctx := context.Background()
	db, w := seedDemo(t)
	ttc, shapla := w.Orgs["ttc-dhaka"], w.Orgs["shapla"]
	actor := func(email string, org *homeward.Organisation) context.Context {
		u := w.Users[email]
		return homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: u.ID, OrgID: org.ID, Name: u.Name, Email: u.Email, Roles: u.Roles, Locale: "en"})
	}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	sup := &homeward.User{OrgID: ttc.ID, Email: "supervisor@ttc-dhaka.demo", Name: "Rashida Akter", Roles: []homeward.Role{homeward.RoleSupervisor}, Locale: "en"}
	if err := db.CreateUserWithHash(sys, sup, password.Hash(demo.Password)); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateOffer(sys, &referral.Offer{OrgID: ttc.ID, ServiceType: "business_grant_cash", Areas: []string{"BD30"}, Active: true}); err != nil {
		t.Fatal(err)
	}
	js := fmt.Sprintf(`{"person":{"given_name":"Morium","family_name":"Akter","sex":"female","date_of_birth":"1994",
		"phones":["01713-222333"],"documents":[{"type":"national_id","number":"9988776655","issuing_country":"BD"}],
		"address":{"admin_area":"BD302602","text":"Road 4, Private House"}},
		"episodes":[{"destination_country":"SA","sector":"domestic_work","departure_date":"2021-03","return":{"date":%q,"return_type":"end_of_contract","point_of_entry":"BD-DAC"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"},{"purpose":"referral","method":"signed_form","recipient":{"org_id":%q}}]}`,
		homewardtest.Today(db, -20), ttc.ID)
	cw := actor("caseworker2@shapla.demo", shapla)
	rec := registerJSON(t, db, cw, js)
	grantID := requestGrant(t, db, cw, actor("staff@ttc-dhaka.demo", ttc), rec.Case.ID, ttc.ID)
	srvURL := serveDB(t, db)
	return referralDemo{url: srvURL, personID: rec.Person.ID, grantID: grantID, db: db}
}

// requestGrant refers the case for a cash grant, which the centre's staff
// accept and request.
func requestGrant(t *testing.T, db *sqldb.DB, cw, staff context.Context, caseID, orgID string) string {
	t.Helper()
	r, err := db.SendReferral(cw, &referral.Draft{CaseID: caseID, ToOrgID: orgID, ServiceType: "business_grant_cash"})
	if err != nil {
		t.Fatal(err)
	}
	if r, err = db.MoveReferral(staff, r.ID, r.Version, referral.Transition{To: referral.StateAccepted}); err != nil {
		t.Fatal(err)
	}
	d, err := db.AddDelivery(staff, r.ID, referral.DeliveryInput{Grant: &referral.Grant{Amount: registry.Money{Amount: 25000, Currency: "BDT"},
		Channel: referral.ChannelCash, Purpose: "Tailoring shop", Tranches: []referral.Tranche{{Amount: 25000}}}})
	if err != nil {
		t.Fatal(err)
	}
	return d.ID
}

func signIn(email string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		submitThen("login-submit", "home-title"),
	)
}

var signOut = submitThen("logout", "login-submit")

// settled waits until htmx has swapped and settled the page: a click on a
// node that a swap is about to replace would be lost.
var settled = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	_, err := chromedp.Poll[bool](`document.readyState === 'complete' && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping, .htmx-added')`)(ctx, t)
	return err
})

// click clicks the element with id once the page has settled.
func click(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(settled, chromedp.Click(chromedp.ID(id)))
}

// submitThen clicks the submit button id of a form that loads a new page
// (a whole one, or a boosted form's swap of the body) and waits until the
// new page shows the element want. The old page is marked first, so an
// element of the same id on it does not count; and the check is retried while the old document's
// script context is torn down by the navigation ("Cannot find context with
// specified id"), which a plain WaitVisible reports as an error.
func submitThen(id, want string) chromedp.Action[chromedp.Void] {
	return submitWait(chromedp.ID(id), "#"+id, `document.getElementById(`+strconv.Quote(want)+`)`, "#"+want)
}

// submitCSS is submitThen for a button and an element found by CSS
// selectors.
func submitCSS(button, want string) chromedp.Action[chromedp.Void] {
	return submitWait(chromedp.CSS(button), button, `document.querySelector(`+strconv.Quote(want)+`)`, want)
}

func submitWait[S chromedp.Selectable](button S, buttonName, wantJS, wantName string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(settled, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		// The old page's main element is marked: a new page, loaded or
		// swapped in by a boosted form, comes with a main of its own.
		if _, err := chromedp.Evaluate[bool](`(document.querySelector('main') || document.body).setAttribute('data-hw-old', ''), true`)(ctx, t); err != nil {
			return err
		}
		if _, err := chromedp.Click(button)(ctx, t); err != nil {
			return err
		}
		js := `!document.querySelector('[data-hw-old]') && document.readyState === 'complete' && !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping') && !!` + wantJS
		for {
			if ok, err := chromedp.Evaluate[bool](js)(ctx, t); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s after submitting %s: %w", wantName, buttonName, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	}))
}

// A case worker of an NGO refers a returnee to a training centre; the
// centre's staff see only the shared fields, accept, enrol her and record
// the completion; the case worker sees the loop closed. A supervisor of the
// centre approves a grant that the staff requested.
func TestReferralTrainingLoop(t *testing.T) {
	d := startReferralDemo(t)
	ctx := browser(t)
	// The browser starts with the first action on its own context: a
	// step's shorter-lived context must not be the one that owns it.
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	// do runs the steps of one part of the story within 20 seconds; when
	// they do not finish it reports the page the browser stopped on.
	do := func(part string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
			t.Fatalf("%s: %v\nat %s\n%.3000s", part, err, loc, html)
		}
	}
	text := func(id string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
		if err != nil {
			t.Fatalf("text of #%s: %v", id, err)
		}
		return strings.TrimSpace(s)
	}

	// The case worker refers her from the person page.
	do("person page",
		chromedp.Navigate(d.url+"/lang?to=en&back=/login"),
		signIn("caseworker2@shapla.demo"),
		chromedp.Navigate(d.url+"/people/"+d.personID),
		chromedp.WaitVisible(chromedp.ID("refer-offer")),
	)
	offer, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { for (const g of document.querySelectorAll('#refer-offer optgroup'))
		for (const o of g.querySelectorAll('option')) if (o.textContent.startsWith('Technical Training Centre Dhaka') && g.label === 'Skills training') return o.value; return ''; })()`))
	if err != nil || offer == "" {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.ID("refer-offer")))
		t.Fatalf("no TTC Dhaka training offer (%v):\n%s", err, html)
	}
	do("refer",
		chromedp.SetValue(chromedp.ID("refer-offer"), offer),
		chromedp.SendKeys(chromedp.ID("refer-note"), "Wants to learn tailoring."),
		click("refer-submit"),
		chromedp.WaitVisible(chromedp.ID("referral-state")),
	)
	if s := text("referral-state"); s != "Sent" {
		t.Errorf("state after sending = %q", s)
	}
	refURL, _ := chromedp.Run(ctx, chromedp.Location())
	screenshot(t, ctx, "referral-sent")

	// The centre's staff: only the shared fields, then accept and enrol.
	do("provider's view", signOut, signIn("staff@ttc-dhaka.demo"), chromedp.Navigate(refURL), chromedp.WaitVisible(chromedp.ID("shared-fields")))
	page, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
	if !strings.Contains(page, "Morium Akter") || !strings.Contains(page, "Wants to learn tailoring.") {
		t.Error("the provider does not see the name or the note")
	}
	for _, secret := range []string{"9988776655", "Road 4, Private House", `id="ref-person"`} {
		if strings.Contains(page, secret) {
			t.Errorf("the provider sees %q, which is not shared", secret)
		}
	}
	do("accept and enrol",
		click("do-accepted"),
		chromedp.WaitVisible(chromedp.ID("ref-delivery")),
		click("ref-delivery"),
		chromedp.WaitVisible(chromedp.ID("training-form")),
		chromedp.SendKeys(chromedp.ID("course"), "Tailoring and dress-making"),
		chromedp.SendKeys(chromedp.ID("enrolled_on"), homewardtest.Today(d.db, 0)),
		chromedp.SendKeys(chromedp.ID("hours"), "6"),
		click("training-save"),
		chromedp.WaitVisible(chromedp.ID("training-outcome")),
	)
	if s := text("training-outcome"); s != "Enrolled" {
		t.Errorf("outcome after enrolment = %q", s)
	}
	// Completion with the day attended and the certificate: recording it
	// completes the referral too (the provider is asked once).
	do("record completion",
		chromedp.SetValue(chromedp.ID("outcome"), "completed"),
		chromedp.SendKeys(chromedp.ID("certificate_ref"), "BTEB-7741"),
		chromedp.SendKeys(chromedp.ID("day_date"), homewardtest.Today(d.db, 0)),
		chromedp.SendKeys(chromedp.ID("day_hours"), "6"),
		click("training-save"),
		chromedp.WaitVisible(chromedp.ID("training-certificate")),
		click("delivery-referral"),
		chromedp.WaitVisible(chromedp.ID("referral-state")),
	)
	if s := text("referral-state"); s != "Completed" {
		t.Errorf("state after the completion was recorded = %q", s)
	}
	screenshot(t, ctx, "referral-provider-completed")

	// The case worker sees the loop closed.
	do("case worker's view", signOut, signIn("caseworker2@shapla.demo"), chromedp.Navigate(refURL), chromedp.WaitVisible(chromedp.ID("referral-state")))
	if s := text("referral-state"); s != "Completed" {
		t.Errorf("the case worker sees state %q", s)
	}
	do("case worker's service record", click("ref-delivery"), chromedp.WaitVisible(chromedp.ID("training-certificate")))
	if s := text("training-outcome"); s != "Completed" || text("training-certificate") != "BTEB-7741" {
		t.Errorf("the case worker sees outcome %q", s)
	}
	screenshot(t, ctx, "referral-loop-closed")

	// The centre's supervisor approves the grant the staff requested, from her tasks.
	do("approve the grant",
		signOut, signIn("supervisor@ttc-dhaka.demo"),
		chromedp.WaitVisible(chromedp.CSS(`#home-task-list a[href="/deliveries/`+d.grantID+`"]`)),
		settled,
		chromedp.Click(chromedp.CSS(`#home-task-list a[href="/deliveries/`+d.grantID+`"]`)),
		chromedp.WaitVisible(chromedp.ID("grant-approve")),
		chromedp.SendKeys(chromedp.ID("decision-note"), "Business plan checked."),
		click("grant-approve"),
		chromedp.WaitVisible(chromedp.ID("grant-approver")),
	)
	if s := text("delivery-status"); s != "Approved" {
		t.Errorf("grant status = %q", s)
	}
	screenshot(t, ctx, "grant-approved")
}

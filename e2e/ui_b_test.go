package e2e

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"homeward"
	"homeward/internal/i18n"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// The auditor's home leads to the audit screen: the events of the log,
// filtered by record type, and the state of the hash chains — in Bangla
// (the demo auditor's language) and in English.
func TestAuditorAuditScreen(t *testing.T) {
	url := startDemo(t)
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/login"),
		signIn("auditor@ministry.demo"),
		click("home-audit"),
		chromedp.WaitVisible(chromedp.ID("audit-events")),
	)
	if err != nil {
		t.Fatalf("audit screen: %v", err)
	}
	lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang"))
	if lang != "bn" {
		if err := chromedp.Do(ctx, click("lang-bn"), chromedp.WaitVisible(chromedp.ID("lang-en"))); err != nil {
			t.Fatal(err)
		}
	}
	title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("audit-title")))
	if title != "নিরীক্ষা-লগ" {
		t.Errorf("Bangla title = %q", title)
	}
	rows, _ := chromedp.Run(ctx, chromedp.Evaluate[int]("document.querySelectorAll('#audit-events tbody tr').length"))
	if rows == 0 {
		t.Fatal("no audit events listed")
	}
	if err := chromedp.Do(ctx, click("audit-verify"), chromedp.WaitVisible(chromedp.ID("audit-chain-ok"))); err != nil {
		t.Fatalf("verify: %v", err)
	}
	ok, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("audit-chain-ok")))
	if !strings.Contains(ok, "অক্ষত") {
		t.Errorf("Bangla chain status = %q", ok)
	}
	if err := chromedp.Do(ctx, click("lang-en"), chromedp.WaitVisible(chromedp.ID("audit-chain-ok"))); err != nil {
		t.Fatalf("English: %v", err)
	}
	ok, _ = chromedp.Run(ctx, chromedp.Text(chromedp.ID("audit-chain-ok")))
	if !strings.Contains(ok, "intact") {
		t.Errorf("English chain status = %q", ok)
	}
	// Filter by a record type. The list shown before is marked, so that the
	// wait is for the filtered list that replaces it, not the old one.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('audit-events').dataset.old = '1', true`)); err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("audit-record-type"), "organisation"),
		click("audit-filter-submit"),
		chromedp.WaitNotPresent(chromedp.CSS(`#audit-events[data-old]`)),
		chromedp.WaitVisible(chromedp.ID("audit-events")),
	)
	if err != nil {
		t.Fatalf("filter: %v", err)
	}
	types, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...new Set([...document.querySelectorAll('#audit-events tbody td:nth-child(5) code')].map(c => c.textContent))].join(',')`))
	if types != "organisation" && types != "" {
		t.Errorf("filtered record types = %q", types)
	}
}

// A case worker opens a returnee whose referral was accepted: the timeline
// names the service as the catalogue does and the provider that acted, in
// English and in Bangla — no service codes, no "a colleague".
func TestTimelineShowsNames(t *testing.T) {
	db, w := seedDemo(t)
	url := serveDB(t, db)
	cwUser := w.Users["caseworker2@shapla.demo"]
	cw := homeward.NewContextWithActor(context.Background(), &homeward.Actor{UserID: cwUser.ID, OrgID: cwUser.OrgID, Name: cwUser.Name, Roles: cwUser.Roles})
	refs, _, err := db.FindReferrals(cw, referral.ReferralFilter{Box: referral.Outbox, State: referral.StateAccepted, Limit: 1})
	if err != nil || len(refs) == 0 {
		t.Fatalf("no accepted referral in the demo: %v", err)
	}
	ref := refs[0]
	ctx := browser(t)
	err = chromedp.Do(ctx,
		chromedp.Navigate(url+"/login"),
		signIn(cwUser.Email),
		chromedp.Navigate(url+"/people/"+ref.PersonID),
		chromedp.WaitVisible(chromedp.ID("timeline")),
	)
	if err != nil {
		t.Fatalf("person page: %v", err)
	}
	for _, lang := range []string{"en", "bn"} {
		if cur, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang")); cur != lang {
			if err := chromedp.Do(ctx, click("lang-"+lang), chromedp.WaitVisible(chromedp.ID("timeline"))); err != nil {
				t.Fatal(err)
			}
		}
		text, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("timeline")))
		service := i18n.T(lang, "referral.service."+ref.ServiceType, nil)
		if !strings.Contains(text, service) || !strings.Contains(text, ref.ToOrgName) {
			t.Errorf("%s timeline lacks %q or %q:\n%s", lang, service, ref.ToOrgName, text)
		}
		for _, bad := range []string{ref.ServiceType, i18n.T(lang, "registry.ui.case.colleague", nil)} {
			if strings.Contains(text, bad) {
				t.Errorf("%s timeline shows %q", lang, bad)
			}
		}
		screenshot(t, ctx, "timeline-names-"+lang)
	}
}

// A provider accepts a referral in the browser; the sender's case moves
// into services by itself: on the record (with the move on the timeline)
// and in the list, in English and in Bangla.
func TestCaseStatusFollowsReferral(t *testing.T) {
	db, w := seedDemo(t)
	url := serveDB(t, db)
	cwUser := w.Users["caseworker2@shapla.demo"]
	cw := homeward.NewContextWithActor(context.Background(), &homeward.Actor{UserID: cwUser.ID, OrgID: cwUser.OrgID, Name: cwUser.Name, Roles: cwUser.Roles})
	var ref referral.Referral
	var rec *registry.Record
	for after := ""; ; {
		refs, next, err := db.FindReferrals(cw, referral.ReferralFilter{Box: referral.Outbox, State: referral.StateSent, After: after, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range refs {
			if r.Expired(db.Now()) {
				continue
			}
			got, err := db.FindRecord(cw, r.PersonID)
			if err != nil {
				t.Fatal(err)
			}
			if s := got.Case.Status; s == registry.StatusRegistered || s == registry.StatusAssessed || s == registry.StatusPlanAgreed {
				ref, rec = r, got
				break
			}
		}
		if rec != nil || next == "" {
			break
		}
		after = next
	}
	if rec == nil {
		t.Fatal("the demo has no open referral of a case before services")
	}
	var staff string
	for _, u := range w.Users {
		if u.OrgID == ref.ToOrgID && u.HasRole(homeward.RoleProviderStaff) {
			staff = u.Email
		}
	}
	if staff == "" {
		t.Fatalf("no provider staff at %s", ref.ToOrgName)
	}
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/login"),
		signIn(staff),
		chromedp.Navigate(url+"/referrals/"+ref.ID),
		chromedp.WaitVisible(chromedp.ID("do-accepted")),
		click("do-accepted"),
		chromedp.WaitVisible(chromedp.CSS("#referral-state.state-accepted")),
		signOut,
		signIn(cwUser.Email),
		chromedp.Navigate(url+"/people/"+rec.Person.ID),
		chromedp.WaitVisible(chromedp.ID("case-status")),
	)
	if err != nil {
		t.Fatalf("accept and open the case: %v", err)
	}
	for _, lang := range []string{"en", "bn"} {
		if cur, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang")); cur != lang {
			if err := chromedp.Do(ctx, click("lang-"+lang), chromedp.WaitVisible(chromedp.ID("case-status"))); err != nil {
				t.Fatal(err)
			}
		}
		want := i18n.T(lang, "registry.status.in_services", nil)
		if s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("case-status"))); !strings.Contains(s, want) {
			t.Errorf("%s record status = %q, want %q", lang, s, want)
		}
		moved := i18n.T(lang, "ui_b.because.referral_accepted", nil)
		if s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("timeline"))); !strings.Contains(s, moved) {
			t.Errorf("%s timeline lacks the move:\n%s", lang, s)
		}
		screenshot(t, ctx, "case-follows-plan-"+lang)
	}
	err = chromedp.Do(ctx,
		chromedp.Navigate(url+"/people?q="+rec.Case.Number),
		chromedp.WaitVisible(chromedp.ID("results")),
	)
	if err != nil {
		t.Fatalf("list: %v", err)
	}
	if s, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("results"))); !strings.Contains(s, i18n.T("bn", "registry.status.in_services", nil)) {
		t.Errorf("list status:\n%s", s)
	}
}

// Referring offers the enterprise fund for the cash grant its "business
// start-up" offer covers (in English and Bangla), and in the plan editor
// choosing a service narrows the provider list to that service's providers.
func TestReferAndPlanServices(t *testing.T) {
	db, w := seedDemo(t)
	url := serveDB(t, db)
	cwUser := w.Users["caseworker2@shapla.demo"]
	cw := homeward.NewContextWithActor(context.Background(), &homeward.Actor{UserID: cwUser.ID, OrgID: cwUser.OrgID, Name: cwUser.Name, Roles: cwUser.Roles})
	plans, err := db.FindPlans(cw, referral.PlanFilter{Status: referral.PlanDraft})
	if err != nil || len(plans) == 0 {
		t.Fatalf("no draft plan in the demo: %v", err)
	}
	pl := plans[0]
	ctx := browser(t)
	err = chromedp.Do(ctx,
		chromedp.Navigate(url+"/login"),
		signIn(cwUser.Email),
		chromedp.Navigate(url+"/people/"+pl.PersonID+"/referrals"),
		chromedp.WaitVisible(chromedp.ID("refer-offer")),
	)
	if err != nil {
		t.Fatalf("referral form: %v", err)
	}
	groups := `[...document.querySelectorAll('#refer-offer optgroup')].map(g => g.label + ': ' + [...g.querySelectorAll('option')].map(o => o.textContent).join(', ')).join('\n')`
	for _, lang := range []string{"en", "bn"} {
		if cur, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang")); cur != lang {
			if err := chromedp.Do(ctx, click("lang-"+lang), chromedp.WaitVisible(chromedp.ID("refer-offer"))); err != nil {
				t.Fatal(err)
			}
		}
		got, _ := chromedp.Run(ctx, chromedp.Evaluate[string](groups))
		want := i18n.T(lang, "referral.service.business_grant_cash", nil) + ": Notun Shuru Enterprise Fund"
		if !strings.Contains(got, want) {
			t.Errorf("%s: the cash grant is hidden:\n%s", lang, got)
		}
	}
	err = chromedp.Do(ctx,
		click("lang-en"),
		chromedp.WaitVisible(chromedp.ID("refer-offer")),
		chromedp.Navigate(url+"/plans/"+pl.ID),
		chromedp.WaitVisible(chromedp.ID("plan-form")),
	)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	// The blank line at the end: choose counselling, and only the
	// counselling centre remains.
	row, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#plan-service-rows tr.plan-svc').length - 1`))
	sel := "svc-type-" + strconv.Itoa(row)
	prov := "svc-provider-" + strconv.Itoa(row)
	before, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#`+prov+` option').length`))
	err = chromedp.Do(ctx, settled, chromedp.SetValue(chromedp.ID(sel), "psychosocial_counselling"))
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('`+sel+`').dispatchEvent(new Event('change', {bubbles: true}))`))
	}
	if err == nil {
		_, err = chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelectorAll('#`+prov+` option').length < `+strconv.Itoa(before)))
	}
	if err != nil {
		t.Fatalf("choose a service: %v", err)
	}
	names, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll('#`+prov+` option')].map(o => o.textContent).filter(Boolean).join(', ')`))
	if names != "Mon Jotno Counselling Centre" {
		t.Errorf("providers of counselling = %q (of %d before)", names, before-1)
	}
}

// A supervisor sees how many pairs wait in the duplicate queue and confirms
// two obvious ones at once, in Bangla and in English.
func TestDuplicateQueueBulkConfirm(t *testing.T) {
	url := startDemo(t)
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/login"),
		signIn("supervisor@shapla.demo"),
		chromedp.Navigate(url+"/duplicates"),
		chromedp.WaitVisible(chromedp.ID("dup-count")),
	)
	if err != nil {
		t.Fatalf("queue: %v", err)
	}
	for _, lang := range []string{"bn", "en"} {
		if cur, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang")); cur != lang {
			if err := chromedp.Do(ctx, click("lang-"+lang), chromedp.WaitVisible(chromedp.ID("dup-count"))); err != nil {
				t.Fatal(err)
			}
		}
		count, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("dup-count")))
		btn, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("dup-confirm-chosen")))
		if !strings.Contains(count, strings.Split(i18n.T(lang, "ui_b.dedupe.count.open", map[string]any{"n": "|"}), "|")[1]) || btn != i18n.T(lang, "ui_b.dedupe.confirm_chosen", nil) {
			t.Errorf("%s: count %q, button %q", lang, count, btn)
		}
	}
	// "Choose all" chooses every pair of the page, and clears them again;
	// choosing some shows it half-ticked.
	chosen := func() string {
		s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const r = [...document.querySelectorAll('#dup-bulk input[name=pair]')];
			const all = document.getElementById('dup-choose-all');
			return r.filter(x => x.checked).length + '/' + r.length + ' ' + all.checked + ' ' + all.indeterminate + ' ' + all.hidden; })()`))
		return s
	}
	if got := chosen(); !strings.HasPrefix(got, "0/") || !strings.HasSuffix(got, " false false false") {
		t.Fatalf("choose-all at first: %s", got)
	}
	if err := chromedp.Do(ctx, click("dup-choose-all")); err != nil {
		t.Fatal(err)
	}
	if got := chosen(); strings.HasPrefix(got, "0/") || got[:strings.Index(got, "/")] != got[strings.Index(got, "/")+1:strings.Index(got, " ")] || !strings.HasSuffix(got, " true false false") {
		t.Errorf("after choose-all: %s", got)
	}
	if err := chromedp.Do(ctx, click("dup-choose-all"), click("dup-choose-0")); err != nil {
		t.Fatal(err)
	}
	if got := chosen(); !strings.HasPrefix(got, "1/") || !strings.HasSuffix(got, " false true false") {
		t.Errorf("after clearing and choosing one: %s", got)
	}
	if err := chromedp.Do(ctx, click("dup-choose-0")); err != nil {
		t.Fatal(err)
	}
	before, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("dup-count")))
	screenshot(t, ctx, "dedupe-bulk-before")
	err = chromedp.Do(ctx,
		click("dup-choose-0"),
		click("dup-choose-1"),
		click("dup-confirm-chosen"),
		chromedp.WaitVisible(chromedp.ID("dup-bulk-result")),
	)
	if err != nil {
		t.Fatalf("bulk confirm: %v", err)
	}
	done, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("dup-bulk-result")))
	if done != "2 pairs confirmed as the same person." {
		t.Errorf("result = %q", done)
	}
	after, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("dup-count")))
	if after == before {
		t.Errorf("count unchanged: %q", after)
	}
	screenshot(t, ctx, "dedupe-bulk-after")
}

// A supervisor merges a returnee registered twice. Before: two people in
// the list, two records. After: one person in the list, one case whose
// timeline holds both histories (the absorbed one's marked), and the
// absorbed record's old address leads to the kept record with a banner —
// in English and in Bangla. Screenshots before and after.
func TestMergeLeavesOnePersonOneCase(t *testing.T) {
	db, w := seedDemo(t)
	url := serveDB(t, db)
	supUser := w.Users["supervisor@shapla.demo"]
	sup := homeward.NewContextWithActor(context.Background(), &homeward.Actor{UserID: supUser.ID, OrgID: supUser.OrgID, Name: supUser.Name, Roles: supUser.Roles})
	ctx := browser(t)
	err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/login"),
		signIn(supUser.Email),
		chromedp.Navigate(url+"/duplicates"),
		chromedp.WaitVisible(chromedp.ID("dup-list")),
	)
	if err != nil {
		t.Fatalf("queue: %v", err)
	}
	if cur, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang")); cur != "en" {
		if err := chromedp.Do(ctx, click("lang-en"), chromedp.WaitVisible(chromedp.ID("dup-list"))); err != nil {
			t.Fatal(err)
		}
	}
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll('#dup-list tbody tr')].find(r => r.textContent.includes('Rafikul') && r.textContent.includes('Rafiqul')).querySelector('a.dup-review').getAttribute('href')`))
	if err != nil || !strings.HasPrefix(href, "/duplicates/") {
		t.Fatalf("the Rafiqul pair is not in the queue: %q %v", href, err)
	}
	pair, err := db.FindPair(sup, strings.TrimPrefix(href, "/duplicates/"))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := db.FindRecord(sup, pair.PersonA)
	b, _ := db.FindRecord(sup, pair.PersonB)
	rows := func(q string) int {
		t.Helper()
		if err := chromedp.Do(ctx, chromedp.Navigate(url+"/people?q="+q), chromedp.WaitVisible(chromedp.ID("results"))); err != nil {
			t.Fatalf("search: %v", err)
		}
		n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#results a.person-name').length`))
		return n
	}
	if n := rows("Islam+Rafi"); n < 2 {
		t.Logf("before the merge the list shows %d", n)
	}
	screenshot(t, ctx, "merge-before-list")
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"/people/"+b.Person.ID), chromedp.WaitVisible(chromedp.ID("timeline"))); err != nil {
		t.Fatal(err)
	}
	screenshot(t, ctx, "merge-before-record")
	_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('timeline').scrollIntoView({block: 'center'}) || true`))
	screenshot(t, ctx, "merge-before-timeline")
	err = chromedp.Do(ctx,
		chromedp.Navigate(url+href),
		chromedp.WaitVisible(chromedp.ID("dup-same")),
		click("dup-same"),
		chromedp.WaitVisible(chromedp.ID("dup-merge")),
		click("dup-merge"),
		chromedp.WaitVisible(chromedp.ID("dup-unmerge")),
	)
	if err != nil {
		t.Fatalf("merge: %v", err)
	}
	kept, gone := a, b
	if r, _ := db.FindRecord(sup, a.Person.ID); r.MergedInto != "" {
		kept, gone = b, a
	}
	if n := rows(url2q(gone.Case.Number)); n != 1 {
		t.Errorf("after the merge the absorbed case number lists %d people", n)
	}
	screenshot(t, ctx, "merge-after-list")
	for _, lang := range []string{"en", "bn"} {
		if cur, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang")); cur != lang {
			if err := chromedp.Do(ctx, click("lang-"+lang), chromedp.WaitVisible(chromedp.ID("main"))); err != nil {
				t.Fatal(err)
			}
		}
		err = chromedp.Do(ctx, chromedp.Navigate(url+"/people/"+gone.Person.ID), chromedp.WaitVisible(chromedp.ID("merged-banner")))
		if err != nil {
			t.Fatalf("%s: old address: %v", lang, err)
		}
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		if !strings.Contains(loc, "/people/"+kept.Person.ID) {
			t.Errorf("%s: old address led to %s", lang, loc)
		}
		banner, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("merged-banner")))
		if want := i18n.T(lang, "ui_b.merge.redirected", map[string]any{"name": gone.Person.DisplayName()}); banner != want {
			t.Errorf("%s banner = %q, want %q", lang, banner, want)
		}
		number, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("case")))
		if !strings.Contains(number, kept.Case.Number) {
			t.Errorf("%s: the kept record shows another case:\n%s", lang, number)
		}
		marked, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#timeline li.merged-event').length`))
		own, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#timeline li:not(.merged-event)').length`))
		mark, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('#timeline li.merged-event .tag') || {}).textContent || ''`))
		if marked == 0 || own == 0 || mark != i18n.T(lang, "ui_b.merge.from", map[string]any{"number": gone.Case.Number}) {
			t.Errorf("%s timeline: %d own, %d marked (%q)", lang, own, marked, mark)
		}
		screenshot(t, ctx, "merge-after-record-"+lang)
		_, _ = chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#timeline li.merged-event') || document.body).scrollIntoView({block: 'center'}) || true`))
		screenshot(t, ctx, "merge-after-timeline-"+lang)
	}
}

// url2q escapes a case number for a query string.
func url2q(s string) string { return strings.ReplaceAll(s, " ", "+") }

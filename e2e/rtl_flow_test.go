package e2e

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// rtlInstance is what the right-to-left flows need of the instance they
// run on: the demo's case worker, a district, a destination, the
// case-number prefix and a passport the country's rules accept.
type rtlInstance struct {
	Worker, District, Destination, CasePrefix, PassportCountry, Currency string
}

var rtlInstances = map[string]rtlInstance{
	"BD": {Worker: "caseworker2@shapla.demo", District: "BD3067", Destination: "JO", CasePrefix: "BGD-"},
	"IQ": {Worker: "caseworker@hawkari.demo", District: "IQG11Q02", Destination: "DE", CasePrefix: "IRQ-", PassportCountry: "IQ", Currency: "IQD"},
	"PK": {Worker: "caseworker@roshni.demo", District: "PK617", Destination: "SA", CasePrefix: "PAK-", PassportCountry: "PK", Currency: "PKR"},
}

// rtlPerson is a returnee a right-to-left flow registers: the language of
// the case worker, names in Latin and native script, a passport number and
// what to search for to find them.
type rtlPerson struct{ lang, given, family, native, passport, search string }

// layoutJS says the page's language, direction and whether it fits the
// screen: "ar rtl fits", or "... overflow 420" (RTL overflow runs off the
// left, where no scroll bar shows it).
const layoutJS = `document.documentElement.lang.split('-')[0] + ' ' + document.documentElement.dir + ' ' + (document.documentElement.scrollWidth > window.innerWidth ? 'overflow ' + document.documentElement.scrollWidth : 'fits')`

// rtlLayout fails unless the page is in lang, right to left, and fits.
func rtlLayout(t *testing.T, ctx context.Context, where, lang string) {
	t.Helper()
	if got, want := evalString(t, ctx, layoutJS), lang+" rtl fits"; got != want {
		t.Errorf("%s: %q, want %q", where, got, want)
	}
}

// registerRTL registers p through the form in p's language on a phone,
// with more steps on the form before saving, and returns the case number
// and the person page's address.
func registerRTL(t *testing.T, ctx context.Context, url string, inst rtlInstance, p rtlPerson, more ...chromedp.Action[chromedp.Void]) (number, personURL string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.EmulateViewport(360, 800),
		chromedp.Navigate(url+"/lang?to="+p.lang+"&back=/people/new"),
		chromedp.WaitVisible(chromedp.ID("person-given_name")),
	)
	if err != nil {
		t.Fatalf("%s: registration form: %v", p.lang, err)
	}
	rtlLayout(t, ctx, p.lang+" registration form", p.lang)
	issuer := inst.PassportCountry
	if issuer == "" {
		issuer = inst.Destination
	}
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("person-given_name"), p.given),
		chromedp.SendKeys(chromedp.ID("person-family_name"), p.family),
		chromedp.SendKeys(chromedp.ID("person-full_name_native"), p.native),
		chromedp.SetValue(chromedp.ID("person-sex"), "male"),
		chromedp.SendKeys(chromedp.ID("person-date_of_birth"), "1990"),
		chromedp.SetValue(chromedp.ID("person-documents-0-type"), "passport"),
		chromedp.SendKeys(chromedp.ID("person-documents-0-number"), p.passport),
		chromedp.SetValue(chromedp.ID("person-documents-0-issuing_country"), issuer),
		chromedp.SetValue(chromedp.ID("person-address-district"), inst.District),
		chromedp.SetValue(chromedp.ID("episodes-0-destination_country"), inst.Destination),
		chromedp.SetValue(chromedp.ID("episodes-0-return-date"), "2025-09-14"),
		chromedp.SetValue(chromedp.ID("episodes-0-return-return_type"), "end_of_contract"),
		chromedp.Steps(more...),
		click("person-save"),
	)
	if err != nil {
		t.Fatalf("%s: register: %v", p.lang, err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`!!document.querySelector('#case-number, #form-error')`)); err != nil {
		t.Fatalf("%s: after saving: %v", p.lang, err)
	}
	if e := evalString(t, ctx, `(document.querySelector('#form-error') || {}).textContent || ''`); e != "" {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("%s: the form was refused: %s\n%.3000s", p.lang, e, html)
	}
	number, _ = chromedp.Run(ctx, chromedp.Text(chromedp.ID("case-number")))
	if !strings.HasPrefix(number, inst.CasePrefix) {
		t.Errorf("%s: case number %q", p.lang, number)
	}
	rtlLayout(t, ctx, p.lang+" person page", p.lang)
	iso := evalString(t, ctx, `Array.from(document.querySelectorAll('bdi.doc-number')).map(e => e.dir + ':' + e.textContent).join(',')`)
	if iso != "ltr:"+p.passport {
		t.Errorf("%s: passport number shown as %q, want it isolated left to right", p.lang, iso)
	}
	screenshot(t, ctx, "rtl-person-"+p.lang)
	personURL, _ = chromedp.Run(ctx, chromedp.Location())
	personURL, _, _ = strings.Cut(personURL, "?")
	return number, personURL
}

// findRTL searches the people list for p.search and fails unless the
// case number shows among the results.
func findRTL(t *testing.T, ctx context.Context, url string, p rtlPerson, number string) {
	t.Helper()
	err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/people"),
		chromedp.WaitVisible(chromedp.ID("q")),
		chromedp.SendKeys(chromedp.ID("q"), p.search),
	)
	if err != nil {
		t.Fatalf("%s: search: %v", p.lang, err)
	}
	found, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const rows = document.querySelectorAll('#results tbody tr');
		return Array.from(rows).some(r => r.textContent.includes('`+number+`')); })()`))
	if err != nil || !found {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.ID("results")))
		t.Errorf("%s: searching %q did not find %s: %v\n%.800s", p.lang, p.search, number, err, html)
	}
	rtlLayout(t, ctx, p.lang+" search", p.lang)
}

// A case worker working in Arabic, then Sorani, then Urdu registers a
// returnee with a name in Arabic script and a Latin passport number, finds
// them by the Latin spelling of that name, and sees every page right to
// left, with the passport number isolated from the text around it and
// nothing wider than a phone's screen.
func TestRTLCaseWorkerRegistersAndFinds(t *testing.T) {
	inst := rtlInstances["BD"]
	url := startDemo(t)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"/login"), signIn(inst.Worker)); err != nil {
		t.Fatalf("sign in: %v", err)
	}
	for _, p := range []rtlPerson{
		{"ar", "Dilshad", "Aziz", "كاروان جبار", "A1234567", "Karwan Jabbar"},
		{"ckb", "Rebin", "Salim", "ڕێبین سەلیم", "B2345678", "ريبين سليم"},
		{"ur", "Imtiaz", "Ahmad", "شہزاد اقبال", "C3456789", "Shahzad Iqbal"},
	} {
		number, _ := registerRTL(t, ctx, url, inst, p)
		findRTL(t, ctx, url, p, number)
	}
}

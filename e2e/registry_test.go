package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"homeward/internal/demo"
)

// A case worker, working in Bangla, registers a returnee through the form,
// lands on the person page with a case number, and finds the person again
// with the live search (typed in Bangla script). The reception desk fits a
// 360 px wide phone.
func TestRegisterAndFindInBangla(t *testing.T) {
	url := startDemo(t)
	ctx := browser(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "caseworker2@shapla.demo"),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		// Each click loads a new page: the wait is for the new one (a
		// WaitVisible after a click can be asked of the page being left).
		submitThen("login-submit", "home-title"),
		submitThen("lang-bn", "lang-en"),
		submitThen("nav-people", "people-new"),
		submitThen("people-new", "person-given_name"),
	)
	if err != nil {
		t.Fatalf("reach the registration form: %v", err)
	}
	title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("person-form-title")))
	if title != "প্রত্যাগত নিবন্ধন করুন" {
		t.Errorf("form title = %q", title)
	}
	// First without a sex and with a return in the future: errors in Bangla, input kept.
	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("person-given_name"), "Nasrin"),
		chromedp.SendKeys(chromedp.ID("person-family_name"), "Sultana"),
		chromedp.SendKeys(chromedp.ID("person-full_name_native"), "নাসরিন সুলতানা"),
		chromedp.SendKeys(chromedp.ID("person-date_of_birth"), "1992"),
		chromedp.SendKeys(chromedp.ID("person-phones"), "01719-998877"),
		chromedp.SetValue(chromedp.ID("person-address-district"), "BD3067"),
		chromedp.SetValue(chromedp.ID("episodes-0-destination_country"), "JO"),
		chromedp.SetValue(chromedp.ID("episodes-0-return-date"), "2099-01-01"),
		chromedp.SetValue(chromedp.ID("episodes-0-return-return_type"), "end_of_contract"),
		submitThen("person-save", "form-error"),
	)
	if err != nil {
		t.Fatalf("submit with errors: %v", err)
	}
	page, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.ID("person-form")))
	for _, s := range []string{"ফেরার তারিখটি ভবিষ্যতের", `value="Nasrin"`} {
		if !strings.Contains(page, s) {
			t.Errorf("form after errors lacks %q", s)
		}
	}
	screenshot(t, ctx, "registry-form-errors-bn")
	err = chromedp.Do(ctx,
		chromedp.SetValue(chromedp.ID("person-sex"), "female"),
		chromedp.SetValue(chromedp.ID("episodes-0-return-date"), "2025-09-14"),
		submitThen("person-save", "case-number"),
	)
	if err != nil {
		t.Fatalf("register: %v", err)
	}
	number, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("case-number")))
	if !strings.HasPrefix(number, "BGD-") {
		t.Errorf("case number = %q", number)
	}
	screenshot(t, ctx, "registry-person-bn")

	// Find her again: the live search swaps the results while typing.
	err = chromedp.Do(ctx,
		submitThen("nav-people", "q"),
		chromedp.SendKeys(chromedp.ID("q"), "নাসরিন সুল"),
	)
	if err != nil {
		t.Fatalf("search: %v", err)
	}
	found, err := chromedp.Run(ctx, chromedp.Poll[bool](`(() => { const rows = document.querySelectorAll('#results tbody tr');
		return rows.length === 1 && rows[0].textContent.includes('Nasrin Sultana') && rows[0].textContent.includes('`+number+`'); })()`))
	if err != nil || !found {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.ID("results")))
		t.Fatalf("live search did not find her: %v\n%.800s", err, html)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(loc, "q=") {
		t.Errorf("the search is not in the address bar: %s", loc)
	}
	screenshot(t, ctx, "registry-search-bn")

	// The reception desk on a phone: nothing wider than the screen.
	err = chromedp.Do(ctx, chromedp.EmulateViewport(360, 740), chromedp.Navigate(url+"/reception"), chromedp.WaitVisible(chromedp.ID("reception-save")))
	if err != nil {
		t.Fatalf("reception desk: %v", err)
	}
	width, _ := chromedp.Run(ctx, chromedp.Evaluate[float64]("document.documentElement.scrollWidth"))
	if width > 360 {
		t.Errorf("the reception desk is %v px wide on a 360 px screen", width)
	}
	screenshot(t, ctx, "registry-reception-360")
}

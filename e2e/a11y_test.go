package e2e

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"homeward/internal/demo"
	"homeward/internal/i18n"
)

// axeSource is axe-core 4.14.1 (MPL-2.0, e2e/testdata/axe-LICENSE.txt),
// the accessibility engine browsers' own audits use; `npm pack axe-core@4.14.1`
// gives the same file.
//
//go:embed testdata/axe-4.14.1.min.js
var axeSource string

// axeViolation is one rule a page breaks, as axe reports it.
type axeViolation struct {
	ID     string `json:"id"`
	Impact string `json:"impact"`
	Help   string `json:"help"`
	Nodes  []struct {
		Target []any `json:"target"`
	} `json:"nodes"`
}

// TestAccessibility runs axe-core on the pages a case worker and a provider
// use most, in every language users may choose (English, Bangla, and the
// right-to-left Arabic, Sorani and Urdu), on a desktop and a 360 px phone,
// and fails on any serious or critical finding.
func TestAccessibility(t *testing.T) {
	url := startDemo(t)
	ctx := browser(t)
	login := func(email string) {
		t.Helper()
		if err := chromedp.Do(ctx,
			chromedp.Navigate(url+"/login"),
			chromedp.WaitVisible(chromedp.ID("email")),
			chromedp.SendKeys(chromedp.ID("email"), email),
			chromedp.SendKeys(chromedp.ID("password"), demo.Password),
			submitThen("login-submit", "home-title"),
		); err != nil {
			t.Fatalf("login %s: %v", email, err)
		}
	}
	pages := []string{"/home", "/people", "/people/new", "/reception", "/referrals", "/plans", "/tasks", "/duplicates", "/assessments", "/indicators", "/indicators/districts", "/reports", "/account"}
	login("supervisor@shapla.demo")
	for _, l := range i18n.Locales() {
		lang := l.Tag
		if err := chromedp.Do(ctx, chromedp.Navigate(url+"/lang?to="+lang+"&back=/home"), chromedp.WaitVisible(chromedp.ID("home-title"))); err != nil {
			t.Fatal(err)
		}
		for _, w := range []int64{1280, 360} {
			if err := chromedp.Do(ctx, chromedp.EmulateViewport(w, 800)); err != nil {
				t.Fatal(err)
			}
			for _, p := range pages {
				if err := chromedp.Do(ctx, chromedp.Navigate(url+p), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				where := fmt.Sprintf("%s %s %dpx", p, lang, w)
				axeCheck(t, ctx, where)
				// Right to left where the language reads so, and nothing
				// wider than the screen (RTL overflow runs off the left).
				layout := evalString(t, ctx, `document.documentElement.lang + ' ' + document.documentElement.dir + ' ' + (document.documentElement.scrollWidth > window.innerWidth ? 'overflow ' + document.documentElement.scrollWidth : 'fits')`)
				if want := lang + " " + i18n.Dir(lang) + " fits"; layout != want {
					t.Errorf("%s: %q, want %q", where, layout, want)
				}
			}
		}
	}
}

// axeCheck runs axe-core on the browser's page and fails on any serious or
// critical finding.
func axeCheck(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
		t.Fatalf("%s: load axe: %v", where, err)
	}
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](
		`axe.run(document, {resultTypes: ['violations']}).then(r => r.violations)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: axe: %v", where, err)
	}
	for _, v := range got {
		if v.Impact == "serious" || v.Impact == "critical" {
			var at []string
			for _, n := range v.Nodes[:min(3, len(v.Nodes))] {
				at = append(at, fmt.Sprint(n.Target...))
			}
			t.Errorf("%s: %s (%s): %s at %s", where, v.ID, v.Impact, v.Help, strings.Join(at, "; "))
		}
	}
}

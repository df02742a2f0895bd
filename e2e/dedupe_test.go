package e2e

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"homeward/internal/demo"
)

// A supervisor finds a returnee registered twice in the review queue,
// compares the two records, confirms they are one person, merges them
// (search by the absorbed record's phone then finds the kept one) and
// undoes the merge.
func TestSupervisorMergesAndUnmergesDuplicates(t *testing.T) {
	url := startDemo(t)
	ctx := browser(t)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "supervisor@shapla.demo"),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		submitThen("login-submit", "home-title"),
		chromedp.Navigate(url+"/duplicates"),
		chromedp.WaitVisible(chromedp.ID("dup-list")),
	)
	if err != nil {
		t.Fatalf("queue: %v", err)
	}
	if lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang")); lang != "en" {
		// The demo supervisor prefers Bangla; the test reads English.
		if err := chromedp.Do(ctx, submitThen("lang-en", "dup-list")); err != nil {
			t.Fatalf("switch to English: %v", err)
		}
	}
	screenshot(t, ctx, "dedupe-queue")
	href, err := chromedp.Run(ctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll('#dup-list tbody tr')].find(r => r.textContent.includes('Rafikul') && r.textContent.includes('Rafiqul')).querySelector('a.dup-review').getAttribute('href')`))
	if err != nil || !strings.HasPrefix(href, "/duplicates/") {
		t.Fatalf("the Rafiqul pair is not in the queue: %q %v", href, err)
	}
	if err := chromedp.Do(ctx, chromedp.Navigate(url+href), chromedp.WaitVisible(chromedp.ID("dup-compare"))); err != nil {
		t.Fatalf("pair page: %v", err)
	}
	if why := text("#dup-explanation"); !strings.Contains(why, "Father") || !strings.Contains(why, "Score") {
		t.Errorf("explanation = %q", why)
	}
	screenshot(t, ctx, "dedupe-pair")

	// Same person.
	if err := chromedp.Do(ctx, submitCSS("#dup-same", "p.flash")); err != nil {
		t.Fatalf("confirm: %v", err)
	}
	if s := text("#dup-status"); !strings.Contains(s, "Same person") {
		t.Errorf("status after confirming = %q", s)
	}
	// Merge, keeping the first record.
	if err := chromedp.Do(ctx, submitThen("dup-merge", "dup-unmerge")); err != nil {
		t.Fatalf("merge: %v", err)
	}
	if s := text("p.flash"); !strings.Contains(s, "merged") {
		t.Errorf("flash after merge = %q", s)
	}
	screenshot(t, ctx, "dedupe-merged")
	pairURL, _ := chromedp.Run(ctx, chromedp.Location())
	// The absorbed record's phone now finds the kept person.
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"/people?q=01911-556677"), chromedp.WaitVisible(chromedp.ID("results"))); err != nil {
		t.Fatalf("search: %v", err)
	}
	if s := text("#results"); !strings.Contains(s, "Rafiqul") {
		t.Errorf("search by the absorbed phone shows %q", s)
	}
	// Undo.
	if err := chromedp.Do(ctx, chromedp.Navigate(pairURL), chromedp.WaitVisible(chromedp.ID("dup-unmerge")),
		submitThen("dup-unmerge", "dup-merge")); err != nil {
		t.Fatalf("unmerge: %v", err)
	}
	if s := text("p.flash"); !strings.Contains(s, "undone") {
		t.Errorf("flash after unmerge = %q", s)
	}
	if s := text("#dup-history"); s == "" {
		t.Error("no merge history")
	}
	screenshot(t, ctx, "dedupe-unmerged")
}

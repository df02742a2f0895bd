package e2e

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/chromedp"

	"homeward/internal/demo"
)

// TestPagesKeepToThePolicy signs in and opens the reception desk: the
// browser logs no Content-Security-Policy violation (htmx is told not to
// inject its indicator styles, so the policy needs no 'unsafe-inline'),
// radio buttons are drawn their own size rather than the form's width, and
// an unknown address shows the application's own translated page.
func TestPagesKeepToThePolicy(t *testing.T) {
	url := startDemo(t)
	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	lctx, stop := context.WithCancel(ctx)
	var mu sync.Mutex
	var logged []string
	done := make(chan struct{})
	messages := chromedp.Console(lctx)
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			logged = append(logged, string(m.Type)+": "+m.Text)
			mu.Unlock()
		}
	}()
	err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/login"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "caseworker2@shapla.demo"),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		submitThen("login-submit", "home-title"),
		chromedp.Navigate(url+"/reception"),
		chromedp.WaitVisible(chromedp.CSS(`input[type=radio]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	widest, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`Math.max(...[...document.querySelectorAll('input[type=radio]')].map(e => e.getBoundingClientRect().width))`))
	if err != nil || widest <= 0 || widest > 40 {
		t.Errorf("radio buttons are %v px wide (%v); want their own size", widest, err)
	}
	screenshot(t, ctx, "reception")
	if err := chromedp.Do(ctx, chromedp.Navigate(url+"/no/such/page"), chromedp.WaitVisible(chromedp.ID("error-home"))); err != nil {
		t.Fatalf("unknown page: %v", err)
	}
	title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("error-title")))
	if title != "Page not found" {
		t.Errorf("unknown page's title = %q", title)
	}
	stop()
	<-done
	mu.Lock()
	defer mu.Unlock()
	for _, l := range logged {
		if strings.Contains(l, "Content Security Policy") || strings.Contains(l, "Refused to") {
			t.Errorf("the browser logged: %s", l)
		}
	}
}

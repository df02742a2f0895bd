package e2e

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"homeward/homewardtest"
	"homeward/internal/demo"
	"homeward/internal/indicator"
	"homeward/internal/server"
)

// The ministry's M&E analyst goes from the dashboard to the donor reports,
// asks for this year's, and watches it become ready without reloading:
// the workbook and (Chromium being here) the PDF are offered.
func TestDonorReportInTheBrowser(t *testing.T) {
	db, _ := seedDemo(t)
	if _, err := db.RebuildIndicators(homewardtest.SystemCtx(), indicator.Standard()); err != nil {
		t.Fatal(err)
	}
	h, err := server.New(db, server.Options{Logger: slog.New(slog.DiscardHandler), DemoPassword: demo.Password})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	bg, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); h.RunReports(bg, time.Minute) }()
	t.Cleanup(func() { stop(); <-done })

	ctx := browser(t)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	do := uiaSteps(t, ctx)
	do("to the reports",
		chromedp.Navigate(srv.URL+"/login"),
		signIn("me@ministry.demo"),
		chromedp.Navigate(srv.URL+"/indicators"),
		click("ind-reports"),
		chromedp.WaitVisible(chromedp.ID("report-form")),
	)
	sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, click("report-request"), chromedp.WaitVisible(chromedp.CSS("a.report-download")), chromedp.WaitVisible(chromedp.CSS("a.report-pdf"))); err != nil {
		html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS("main")))
		t.Fatalf("the report did not become ready: %v\n%.3000s", err, html)
	}
	screenshot(t, ctx, "donor-report")
}

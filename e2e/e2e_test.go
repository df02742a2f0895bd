// Package e2e drives the real Homeward server in headless Chromium: what a
// person sees is tested. The tests skip when no Chromium is installed,
// except when HOMEWARD_E2E=1 (CI), where a missing browser is a failure.
package e2e

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"homeward/homewardtest"
	"homeward/internal/demo"
	"homeward/internal/registry"
	"homeward/internal/server"
	"homeward/internal/sqldb"
)

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("HOMEWARD_E2E") == "1" {
		t.Fatal("HOMEWARD_E2E=1 but no Chromium is installed (apt-get install chromium)")
	}
	t.Skip("no Chromium; set HOMEWARD_E2E=1 to make this a failure")
	return ""
}

// startDemo serves the demo world on a loopback port.
func startDemo(t *testing.T) string {
	t.Helper()
	db, _ := seedDemo(t)
	return serveDB(t, db)
}

// seedDemo opens a test database holding the demo world.
func seedDemo(t *testing.T) (*sqldb.DB, *demo.World) {
	t.Helper()
	db := homewardtest.Open(t)
	w, err := demo.Seed(context.Background(), db)
	if err != nil {
		t.Fatal(err)
	}
	return db, w
}

// serveDB serves db on a loopback port until the test ends.
func serveDB(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	return serveCountry(t, db, "")
}

// serveCountry serves db as an instance of country code ("" for the
// default, Bangladesh) on a loopback port until the test ends.
func serveCountry(t *testing.T, db *sqldb.DB, code string) string {
	t.Helper()
	h, err := server.New(db, server.Options{Logger: slog.New(slog.DiscardHandler), DemoPassword: demo.Password, Country: code})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

// registerJSON registers the returnee a test writes as API JSON.
func registerJSON(t *testing.T, db *sqldb.DB, ctx context.Context, js string) *registry.Record {
	t.Helper()
	var reg registry.Registration
	if err := json.Unmarshal([]byte(js), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := db.Register(ctx, &reg)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	// A bound that catches a hung browser, not a slow machine: the
	// accessibility test alone runs axe on some fifty pages.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(acancel)
	bctx, bcancel := chromedp.NewContext(actx)
	t.Cleanup(bcancel)
	return bctx
}

func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("HOMEWARD_SCREENSHOTS")
	if dir == "" {
		return
	}
	png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Logf("screenshot: %v", err)
		return
	}
	_ = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
}

// A case worker signs in, switches to Bangla and reaches the home page,
// whose text, lang and dir follow the locale.
func TestLoginSwitchToBangla(t *testing.T) {
	url := startDemo(t)
	ctx := browser(t)

	err := chromedp.Do(ctx,
		chromedp.Navigate(url+"/"),
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), "caseworker2@shapla.demo"),
		chromedp.SendKeys(chromedp.ID("password"), "wrong password"),
		chromedp.Click(chromedp.ID("login-submit")),
		chromedp.WaitVisible(chromedp.ID("form-error")),
	)
	if err != nil {
		t.Fatalf("wrong password: %v", err)
	}
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("form-error")))
	if err != nil || !strings.Contains(msg, "password is wrong") {
		t.Fatalf("login error shown = %q, %v", msg, err)
	}

	err = chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		submitThen("login-submit", "home-title"),
	)
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	title, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("home-title")))
	if title != "Welcome, Jahid Hossain" {
		t.Errorf("English home title = %q", title)
	}
	screenshot(t, ctx, "home-en")

	if err := chromedp.Do(ctx, submitThen("lang-bn", "lang-en")); err != nil {
		t.Fatalf("switch to Bangla: %v", err)
	}
	title, _ = chromedp.Run(ctx, chromedp.Text(chromedp.ID("home-title")))
	if title != "স্বাগতম, Jahid Hossain" {
		t.Errorf("Bangla home title = %q", title)
	}
	lang, _ := chromedp.Run(ctx, chromedp.Evaluate[string]("document.documentElement.lang + '/' + document.documentElement.dir"))
	if lang != "bn/ltr" {
		t.Errorf("lang/dir = %q", lang)
	}
	// The Bangla glyphs really render (a font is installed): the heading is
	// wider than the same number of missing-glyph boxes would be zero.
	width, _ := chromedp.Run(ctx, chromedp.Evaluate[float64]("document.getElementById('home-title').getBoundingClientRect().width"))
	if width < 50 {
		t.Errorf("Bangla heading is %v px wide: is a Bangla font installed?", width)
	}
	screenshot(t, ctx, "home-bn")

	// Signing out returns to the login page, in Bangla.
	if err := chromedp.Do(ctx, signOut); err != nil {
		t.Fatalf("logout: %v", err)
	}
	btn, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("login-submit")))
	if btn != "সাইন ইন করুন" {
		t.Errorf("login button after logout = %q", btn)
	}
}

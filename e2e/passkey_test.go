package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/demo"
	"homeward/internal/passkey"
	"homeward/internal/server"
)

// servePasskeys serves the demo world with passkeys on, on localhost (not
// 127.0.0.1: WebAuthn needs a domain, and http://localhost is a secure
// context). It returns the base URL and a reader of the case worker's
// audit events.
func servePasskeys(t *testing.T) (string, func(action string) []map[string]any) {
	t.Helper()
	db, w := seedDemo(t)
	var h http.Handler
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { h.ServeHTTP(rw, r) }))
	_, port, _ := strings.Cut(srv.Listener.Addr().String(), ":")
	base := "http://localhost:" + port
	rp, err := passkey.New(passkey.Config{RPID: "localhost", Origins: []string{base}})
	if err != nil {
		t.Fatal(err)
	}
	db.Passkeys = rp
	if h, err = server.New(db, server.Options{Logger: slog.New(slog.DiscardHandler), DemoPassword: demo.Password}); err != nil {
		t.Fatal(err)
	}
	srv.Start()
	t.Cleanup(srv.Close)
	// details lists the details of the audit events of action on the
	// case worker's account, newest first.
	u := w.Users["caseworker2@shapla.demo"]
	details := func(action string) []map[string]any {
		t.Helper()
		events, _, err := db.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{RecordID: &u.ID, Action: &action, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		for _, e := range events {
			d := map[string]any{}
			_ = json.Unmarshal([]byte(e.Detail), &d)
			out = append(out, d)
		}
		return out
	}
	return base, details
}

// virtualAuthenticator gives the tab a platform authenticator that keeps
// discoverable credentials and verifies its user (as a fingerprint would).
var virtualAuthenticator = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
	if _, err := cdp.Call(ctx, t, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		return err
	}
	_, err := cdp.Call(ctx, t, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
	}})
	return err
})

// waitFor polls the page until js is true: after a passkey ceremony the
// script navigates by itself, so no click marks the old page.
func waitFor(js string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		for {
			// Errors while the old document is torn down are retried.
			if ok, err := chromedp.Evaluate[bool](js)(ctx, t); err == nil && ok {
				return nil
			}
			select {
			case <-ctx.Done():
				return fmt.Errorf("waiting for %s: %w", js, ctx.Err())
			case <-time.After(50 * time.Millisecond):
			}
		}
	})
}

// A case worker signs in with their password, registers a passkey on
// their account page, signs out and signs in again with the passkey as
// the second step, then with the passkey alone; both sign-ins are
// audited as such. Once removed, the passkey (still on the
// authenticator) is refused.
func TestPasskeyInTheBrowser(t *testing.T) {
	base, audited := servePasskeys(t)
	ctx := browser(t)
	step := func(part string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			screenshot(t, ctx, "passkey-"+part)
			t.Fatalf("%s: %v", part, err)
		}
	}
	// The first Run starts the browser without a timeout (see chromedp.Run).
	if err := chromedp.Do(ctx, chromedp.Navigate(base+"/"), virtualAuthenticator); err != nil {
		t.Fatal(err)
	}
	step("password sign-in", signIn("caseworker2@shapla.demo"))
	step("register",
		chromedp.Navigate(base+"/account"),
		chromedp.WaitVisible(chromedp.ID("passkey-name")),
		chromedp.SendKeys(chromedp.ID("passkey-name"), "office laptop"),
		click("passkey-add"),
		waitFor(`location.search.includes("account.passkey.added") && !!document.getElementById("passkey-list")`),
	)
	if got := len(audited("auth.passkey.added")); got != 1 {
		t.Fatalf("passkeys added, audited: %d", got)
	}
	listed, _ := chromedp.Run(ctx, chromedp.Text(chromedp.ID("passkey-list")))
	if !strings.Contains(listed, "office laptop") {
		t.Errorf("passkey list = %q", listed)
	}

	// Password, then the passkey as the second step.
	step("sign out", signOut)
	step("password then passkey",
		chromedp.SendKeys(chromedp.ID("email"), "caseworker2@shapla.demo"),
		chromedp.SendKeys(chromedp.ID("password"), demo.Password),
		submitThen("login-submit", "code-submit"),
		click("passkey-signin"),
		waitFor(`!!document.getElementById("home-title")`),
	)
	// The passkey alone.
	step("sign out again", signOut)
	step("passkey alone", click("passkey-signin"), waitFor(`!!document.getElementById("home-title")`))

	var hows []any
	for _, d := range audited("auth.login") {
		hows = append(hows, d["second_factor"])
	}
	if len(hows) != 3 || hows[0] != "passkey_only" || hows[1] != "passkey" || hows[2] != nil {
		t.Errorf("sign-ins audited with second factors %v, want [passkey_only passkey <nil>] (newest first)", hows)
	}

	// Removed (given the password), the passkey no longer signs in, though
	// the authenticator still offers it.
	step("remove",
		chromedp.Navigate(base+"/account"),
		chromedp.WaitVisible(chromedp.ID("passkey-list")),
		chromedp.Click(chromedp.CSS("#passkey-list summary")),
		chromedp.SendKeys(chromedp.CSS("#passkey-list input[name=passkey_password]"), demo.Password),
		chromedp.Click(chromedp.CSS("#passkey-list .passkey-remove")),
		waitFor(`location.search.includes("account.passkey.removed") && !document.getElementById("passkey-list")`),
	)
	step("sign out after removal", signOut)
	step("removed passkey refused", click("passkey-signin"),
		waitFor(`(function(){var p=document.querySelector("[data-passkey-login] [data-passkey-error]");return !!p && !p.hidden && p.textContent.length>0})()`))
	msg, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("[data-passkey-login] [data-passkey-error]")))
	if !strings.Contains(msg, "not accepted") {
		t.Errorf("removed passkey: message %q", msg)
	}
	if onLogin, _ := chromedp.Run(ctx, chromedp.Evaluate[bool](`!!document.getElementById("login-submit") && !document.getElementById("home-title")`)); !onLogin {
		t.Error("a removed passkey signed in")
	}
	if n := len(audited("auth.login")); n != 3 {
		t.Errorf("sign-ins audited after the refusal: %d, want 3", n)
	}
	refused := audited("auth.login_failed")
	if len(refused) == 0 || refused[0]["second_factor"] != "passkey" {
		t.Errorf("refused passkey sign-in audited as %v", refused)
	}
}

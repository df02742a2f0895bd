package httpx_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/internal/httpx"
)

func TestRateLimitPerClient(t *testing.T) {
	now := time.Date(2026, 12, 4, 10, 0, 0, 0, time.UTC)
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	h := httpx.RateLimit(1, 3, func() time.Time { return now })(ok)
	call := func(path, token, addr string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		ctx := homeward.NewContextWithClientAddr(r.Context(), addr)
		if token != "" {
			ctx = homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: "u1", TokenID: token})
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r.WithContext(ctx))
		return w
	}
	for i := range 3 {
		if w := call("/api/v1/people", "t1", "10.0.0.1"); w.Code != 204 {
			t.Fatalf("request %d within the burst: %d", i, w.Code)
		}
	}
	w := call("/api/v1/people", "t1", "10.0.0.1")
	if w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") != "1" || !strings.Contains(w.Body.String(), "Too many requests") {
		t.Fatalf("over the limit: %d %q %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	// Another token, and a client without one, have their own buckets;
	// pages outside the API are not limited here.
	if w := call("/api/v1/people", "t2", "10.0.0.1"); w.Code != 204 {
		t.Errorf("another token: %d", w.Code)
	}
	if w := call("/api/v1/people", "", "10.0.0.9"); w.Code != 204 {
		t.Errorf("an address: %d", w.Code)
	}
	if w := call("/people", "t1", "10.0.0.1"); w.Code != 204 {
		t.Errorf("a page: %d", w.Code)
	}
	// A second later one request more is allowed, not two.
	now = now.Add(time.Second)
	if w := call("/api/v1/people", "t1", "10.0.0.1"); w.Code != 204 {
		t.Errorf("after a second: %d", w.Code)
	}
	if w := call("/api/v1/people", "t1", "10.0.0.1"); w.Code != 429 {
		t.Errorf("twice after a second: %d", w.Code)
	}
}

// The security headers every answer carries, and HSTS on TLS only (or
// always behind an HTTPS proxy).
func TestSecurityHeaders(t *testing.T) {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	for _, tc := range []struct {
		name      string
		behindTLS bool
		tls       bool
		hsts      bool
	}{{"plain", false, false, false}, {"tls", false, true, true}, {"behind proxy", true, false, true}} {
		h := httpx.Chain(ok, httpx.SecurityHeaders, httpx.HSTS(tc.behindTLS))
		r := httptest.NewRequest("GET", "/home", nil)
		if tc.tls {
			r.TLS = &tls.ConnectionState{}
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		hd := w.Header()
		csp := hd.Get("Content-Security-Policy")
		if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") || !strings.Contains(csp, "script-src 'self'") ||
			!strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") {
			t.Errorf("%s: CSP %q", tc.name, csp)
		}
		if hd.Get("X-Content-Type-Options") != "nosniff" || hd.Get("Referrer-Policy") != "same-origin" || hd.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", tc.name, hd)
		}
		if got := hd.Get("Strict-Transport-Security") != ""; got != tc.hsts {
			t.Errorf("%s: HSTS %v, want %v", tc.name, got, tc.hsts)
		}
	}
}

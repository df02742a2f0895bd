package webhook_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"homeward/internal/referral"
	"homeward/internal/webhook"
)

func TestPublic(t *testing.T) {
	for addr, want := range map[string]bool{
		"93.184.216.34":      true,
		"2606:4700::1111":    true,
		"127.0.0.1":          false,
		"::1":                false,
		"10.1.2.3":           false,
		"172.16.0.1":         false,
		"192.168.1.1":        false,
		"169.254.169.254":    false, // cloud metadata
		"fe80::1":            false,
		"fd00::1":            false,
		"100.64.0.1":         false,
		"0.0.0.0":            false,
		"::":                 false,
		"::ffff:127.0.0.1":   false,
		"::ffff:10.0.0.1":    false,
		"224.0.0.1":          false,
		"64:ff9b::a9fe:a9fe": false,
	} {
		if got := webhook.Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

func msg(url string) referral.Message {
	body := []byte(`{"id":"d1","type":"referral.sent"}`)
	return referral.Message{DeliveryID: "d1", URL: url, Signature: referral.Sign([]byte("whsec_x"), time.Now(), body), Body: body}
}

func TestSend(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, body = r, must(io.ReadAll(r.Body))
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	m := msg(srv.URL + "/hook?token=t0ken")
	status, err := webhook.New(webhook.Options{AllowPrivate: true, UserAgent: "Homeward/test"}).Send(context.Background(), m)
	if err != nil || status != http.StatusAccepted {
		t.Fatalf("send: %d %v", status, err)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/hook" || got.Header.Get("Content-Type") != "application/json" || got.Header.Get("User-Agent") != "Homeward/test" ||
		got.Header.Get(referral.DeliveryHeader) != "d1" || got.Header.Get("Idempotency-Key") != "d1" {
		t.Errorf("request: %s %s %v", got.Method, got.URL, got.Header)
	}
	if !referral.Verify([]byte("whsec_x"), got.Header.Get(referral.SignatureHeader), body, time.Now(), time.Minute) {
		t.Error("signature does not verify at the receiver")
	}
}

func TestSendRefuses(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer target.Close()
	redirect := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/secret", http.StatusFound)
	}))
	defer redirect.Close()
	hold := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hold }))
	defer slow.Close()
	defer close(hold) // runs before slow.Close, which waits for the handler

	open := webhook.New(webhook.Options{AllowPrivate: true, Timeout: 50 * time.Millisecond})
	guarded := webhook.New(webhook.Options{})
	tests := []struct {
		name       string
		client     *webhook.Client
		url        string
		wantStatus int
		wantErr    string
	}{
		{"redirect answered, not followed", open, redirect.URL, http.StatusFound, ""},
		{"loopback refused by default", guarded, target.URL + "/hook?token=t0ken", 0, "not allowed"},
		{"localhost name refused by default", guarded, strings.Replace(target.URL, "127.0.0.1", "localhost", 1), 0, "not allowed"},
		{"link-local refused by default", guarded, "http://169.254.169.254/latest/meta-data/", 0, "not allowed"},
		{"slow receiver times out", open, slow.URL, 0, "timed out"},
		{"not http", open, "ftp://example.org/", 0, "invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, err := tt.client.Send(context.Background(), msg(tt.url))
			if status != tt.wantStatus || (tt.wantErr == "") != (err == nil) || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("got %d %v, want %d %q", status, err, tt.wantStatus, tt.wantErr)
			}
			if err != nil && (strings.Contains(err.Error(), "t0ken") || strings.Contains(err.Error(), "127.0.0.1")) {
				t.Errorf("error shows the address: %v", err)
			}
			if tt.wantErr == "not allowed" && !errors.Is(err, webhook.ErrForbiddenDestination) {
				t.Errorf("error %v is not ErrForbiddenDestination", err)
			}
		})
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the refused target was reached %d times", n)
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

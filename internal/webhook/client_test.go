package webhook_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
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

// A name that CheckURL accepts (names are not resolved at creation) but
// that resolves to a loopback address at delivery time is refused when the
// client connects; with private addresses allowed, the same name and
// resolver reach the receiver, so the refusal is the guard's doing.
func TestSendRefusesNameResolvingToPrivate(t *testing.T) {
	var hits atomic.Int32
	target := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	target.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshake below
	target.StartTLS()
	defer target.Close()
	_, port, _ := strings.Cut(strings.TrimPrefix(target.URL, "https://"), ":")
	u := "https://partner.homeward.test:" + port + "/hook"
	if err := webhook.CheckURL(u, false); err != nil {
		t.Fatalf("CheckURL refuses %s before resolving it: %v", u, err)
	}
	resolver := loopbackResolver(t)

	guarded := webhook.NewWithResolver(webhook.Options{}, resolver)
	if status, err := guarded.Send(context.Background(), msg(u)); status != 0 || !errors.Is(err, webhook.ErrForbiddenDestination) {
		t.Fatalf("guarded: got %d %v, want ErrForbiddenDestination", status, err)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("the refused target was reached %d times", n)
	}

	open := webhook.NewWithResolver(webhook.Options{AllowPrivate: true}, resolver)
	// The test server's certificate is not for this name; the handshake
	// failing still shows that the connection was made.
	if _, err := open.Send(context.Background(), msg(u)); err == nil || errors.Is(err, webhook.ErrForbiddenDestination) || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("allowed: %v, want a certificate error from the reached server", err)
	}
}

// loopbackResolver answers every A query with 127.0.0.1 and every other
// query with no records, speaking DNS over an in-memory stream (Go's
// resolver frames messages with a two-byte length on a connection that is
// not a net.PacketConn).
func loopbackResolver(t *testing.T) *net.Resolver {
	t.Helper()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		client, server := net.Pipe()
		go func() {
			defer server.Close()
			for {
				var n [2]byte
				if _, err := io.ReadFull(server, n[:]); err != nil {
					return
				}
				q := make([]byte, int(n[0])<<8|int(n[1]))
				if _, err := io.ReadFull(server, q); err != nil {
					return
				}
				a := dnsAnswer(q)
				if a == nil {
					return
				}
				if _, err := server.Write(append([]byte{byte(len(a) >> 8), byte(len(a))}, a...)); err != nil {
					return
				}
			}
		}()
		return client, nil
	}}
}

// dnsAnswer builds the answer to query q: its question, and for type A
// one record pointing at 127.0.0.1.
func dnsAnswer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	end := 12
	for end < len(q) && q[end] != 0 {
		end += int(q[end]) + 1
	}
	end += 5 // the root label, type and class
	if end > len(q) {
		return nil
	}
	question := q[12:end]
	isA := question[len(question)-4] == 0 && question[len(question)-3] == 1
	a := []byte{q[0], q[1], 0x81, 0x80, 0, 1, 0, 0, 0, 0, 0, 0} // response, recursion available
	a = append(a, question...)
	if isA {
		a[7] = 1
		a = append(a, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 127, 0, 0, 1)
	}
	return a
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

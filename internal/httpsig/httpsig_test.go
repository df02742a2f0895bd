package httpsig_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"homeward/internal/httpsig"
)

// The test key of RFC 9421 Appendix B.1.4 (test-key-ed25519), published
// as a JWK: d is the private seed, x the public key (base64url).
const (
	rfcSeed   = "n4Ni-HpISpVObnQMW0wOhCKROaIKqKtW_2ZYb2p9KcU"
	rfcPublic = "JrQLj5P_89iXES9-vFgrIy29clF9CC_oPPsw3c5D0bs"
)

func rfcKey(t *testing.T) ed25519.PrivateKey {
	t.Helper()
	seed, err := base64.RawURLEncoding.DecodeString(rfcSeed)
	if err != nil {
		t.Fatal(err)
	}
	key := ed25519.NewKeyFromSeed(seed)
	pub, _ := base64.RawURLEncoding.DecodeString(rfcPublic)
	if !bytes.Equal(key.Public().(ed25519.PublicKey), pub) {
		t.Fatal("the RFC seed does not give the RFC public key")
	}
	return key
}

// rfcRequest is the test request of RFC 9421 Appendix B.2.
func rfcRequest() httpsig.Message {
	h := http.Header{}
	h.Set("Host", "example.com")
	h.Set("Date", "Tue, 20 Apr 2021 02:07:55 GMT")
	h.Set("Content-Type", "application/json")
	h.Set("Content-Digest", "sha-512=:WZDPaVn/7XgHaAy8pmojAkGWoRx2UFChF41A2svX+TaPm+AbwAgBWnrIiYllu7BNNyealdVLvRwEmTHWXvJwew==:")
	h.Set("Content-Length", "18")
	return httpsig.Message{Method: "POST", TargetURI: "https://example.com/foo?param=Value&Pet=dog", Header: h}
}

// TestRFC9421B26 reproduces Appendix B.2.6 (signing a request using
// ed25519) byte for byte: Ed25519 is deterministic, so the signature
// itself must equal the published one, not merely verify.
func TestRFC9421B26(t *testing.T) {
	const wantBase = `"date": Tue, 20 Apr 2021 02:07:55 GMT
"@method": POST
"@path": /foo
"@authority": example.com
"content-type": application/json
"content-length": 18
"@signature-params": ("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`
	const wantInput = `sig-b26=("date" "@method" "@path" "@authority" "content-type" "content-length");created=1618884473;keyid="test-key-ed25519"`
	const wantSig = `sig-b26=:wqcAqbmYJ2ji2glfAMaRy4gruYYnx2nEFN2HN6jrnDnQCK1u02Gb04v9EDgwUPiu4A0w6vuQv5lIp5WPpBKRCw==:`

	covered := []string{"date", "@method", "@path", "@authority", "content-type", "content-length"}
	p := httpsig.Params{Created: time.Unix(1618884473, 0), KeyID: "test-key-ed25519"}
	m := rfcRequest()
	base, _, err := httpsig.Base(m, covered, p)
	if err != nil {
		t.Fatal(err)
	}
	if string(base) != wantBase {
		t.Fatalf("signature base:\n%s\nwant:\n%s", base, wantBase)
	}
	in, sig, err := httpsig.Sign(m, "sig-b26", covered, p, rfcKey(t))
	if err != nil {
		t.Fatal(err)
	}
	if in != wantInput {
		t.Errorf("Signature-Input:\n%s\nwant\n%s", in, wantInput)
	}
	if sig != wantSig {
		t.Errorf("Signature:\n%s\nwant\n%s", sig, wantSig)
	}

	// The published fields verify, and the RFC request's own sha-512
	// Content-Digest is checked against its body.
	m.Header.Set("Signature-Input", wantInput)
	m.Header.Set("Signature", wantSig)
	v := &httpsig.Verifier{
		Key: func(_ context.Context, id string) (ed25519.PublicKey, error) {
			if id == "test-key-ed25519" {
				return rfcKey(t).Public().(ed25519.PublicKey), nil
			}
			return nil, nil
		},
		Now:      func() time.Time { return time.Unix(1618884473+10, 0) },
		Required: covered,
	}
	if _, err := v.Verify(context.Background(), m, []byte(`{"hello": "world"}`)); err != nil {
		t.Fatalf("the RFC's own signature does not verify: %v", err)
	}
	if _, err := v.Verify(context.Background(), m, []byte(`{"hello": "World"}`)); reason(err) != httpsig.ReasonDigest {
		t.Errorf("another body: %v, want a digest mismatch", err)
	}
}

// TestContentDigestRFC9530 checks the sha-256 examples of RFC 9530.
func TestContentDigestRFC9530(t *testing.T) {
	for _, c := range []struct{ body, want string }{
		{`{"hello": "world"}`, "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:"},
		{"", "sha-256=:47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=:"},
	} {
		if got := httpsig.ContentDigest([]byte(c.body)); got != c.want {
			t.Errorf("ContentDigest(%q) = %s, want %s", c.body, got, c.want)
		}
		if err := httpsig.CheckContentDigest(c.want, []byte(c.body)); err != nil {
			t.Errorf("CheckContentDigest(%q): %v", c.body, err)
		}
	}
	for _, bad := range []string{"", "sha-256=:AAAA:", "md5=:AAAA:", "sha-256=abc", "sha-256=:X48E9qOokqqrvdts8nOJRJN3OWDUoyWxBf7kbu9DBPE=:, sha-512=:AAAA:"} {
		if err := httpsig.CheckContentDigest(bad, []byte(`{"hello": "world"}`)); reason(err) != httpsig.ReasonDigest {
			t.Errorf("CheckContentDigest(%q) = %v, want a digest mismatch", bad, err)
		}
	}
}

func reason(err error) string {
	var e *httpsig.Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// TestVerifyRefuses signs a request as a partner would and shows each
// way it is refused.
func TestVerifyRefuses(t *testing.T) {
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	_, key, _ := ed25519.GenerateKey(bytes.NewReader(make([]byte, 64)))
	_, other, _ := ed25519.GenerateKey(bytes.NewReader(bytes.Repeat([]byte{1}, 64)))
	body := []byte(`{"type":"announcement"}`)

	sign := func(t *testing.T, k ed25519.PrivateKey, keyID string, created, expires time.Time, nonce string, body []byte) httpsig.Message {
		t.Helper()
		req := httptest.NewRequest("POST", "https://bd.example/api/v1/handoff/inbox", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if err := httpsig.SignRequest(req, body, httpsig.Params{Created: created, Expires: expires, Nonce: nonce, KeyID: keyID}, k); err != nil {
			t.Fatal(err)
		}
		return httpsig.Message{Method: req.Method, TargetURI: req.URL.String(), Header: req.Header}
	}
	seen := map[string]bool{}
	v := &httpsig.Verifier{
		Key: func(_ context.Context, id string) (ed25519.PublicKey, error) {
			if id == "tr-1" {
				return key.Public().(ed25519.PublicKey), nil
			}
			return nil, nil
		},
		Now: func() time.Time { return now },
		Replay: func(_ context.Context, id, nonce string, _ time.Time) error {
			if seen[id+" "+nonce] {
				return httpsig.ErrReplay
			}
			seen[id+" "+nonce] = true
			return nil
		},
	}
	exp := now.Add(5 * time.Minute)
	good := sign(t, key, "tr-1", now, exp, "n-1", body)
	if got, err := v.Verify(context.Background(), good, body); err != nil || got.KeyID != "tr-1" || got.Nonce != "n-1" {
		t.Fatalf("a good message: %+v, %v", got, err)
	}
	if !strings.Contains(good.Header.Get("Signature-Input"), `("@method" "@target-uri" "content-digest" "content-type")`) {
		t.Errorf("Signature-Input %s does not cover what the handoff requires", good.Header.Get("Signature-Input"))
	}

	tamperedURI := sign(t, key, "tr-1", now, exp, "n-3", body)
	tamperedURI.TargetURI = "https://bd.example/api/v1/handoff/other"
	stripped := sign(t, key, "tr-1", now, exp, "n-4", body)
	stripped.Header.Set("Signature-Input", `sig1=("@method" "content-type");created=1772355600;keyid="tr-1";nonce="n-4"`)
	noNonce := sign(t, key, "tr-1", now, exp, "", body)

	for _, c := range []struct {
		name string
		m    httpsig.Message
		body []byte
		want string
	}{
		{"replayed nonce", good, body, httpsig.ReasonReplay},
		{"tampered body", sign(t, key, "tr-1", now, exp, "n-2", body), []byte(`{"type":"announcemenT"}`), httpsig.ReasonDigest},
		{"tampered target", tamperedURI, body, httpsig.ReasonBadSignature},
		{"wrong key", sign(t, other, "tr-1", now, exp, "n-5", body), body, httpsig.ReasonBadSignature},
		{"unknown key", sign(t, key, "xx-9", now, exp, "n-6", body), body, httpsig.ReasonUnknownKey},
		{"expired", sign(t, key, "tr-1", now.Add(-2*time.Minute), now.Add(-time.Second), "n-7", body), body, httpsig.ReasonExpired},
		{"too old without expires", sign(t, key, "tr-1", now.Add(-6*time.Minute), time.Time{}, "n-8", body), body, httpsig.ReasonExpired},
		{"created in the future", sign(t, key, "tr-1", now.Add(2*time.Minute), now.Add(7*time.Minute), "n-9", body), body, httpsig.ReasonFuture},
		{"coverage stripped", stripped, body, httpsig.ReasonCoverage},
		{"no nonce", noNonce, body, httpsig.ReasonMalformed},
		{"no signature", httpsig.Message{Method: "POST", TargetURI: "https://bd.example/", Header: http.Header{}}, body, httpsig.ReasonMalformed},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := v.Verify(context.Background(), c.m, c.body); reason(err) != c.want {
				t.Errorf("Verify = %v, want reason %s", err, c.want)
			}
		})
	}
	// Within the skew, a clock slightly ahead of ours is accepted.
	if _, err := v.Verify(context.Background(), sign(t, key, "tr-1", now.Add(30*time.Second), exp, "n-10", body), body); err != nil {
		t.Errorf("created 30s ahead: %v", err)
	}
	// A refused message spends no nonce: n-5 (wrong key) is still free.
	if seen["tr-1 n-5"] {
		t.Error("a message with a bad signature recorded its nonce")
	}
}

func TestReadBodyLimit(t *testing.T) {
	for _, c := range []struct {
		body   string
		length int64
		want   string
	}{
		{"12345", 5, ""},
		{"123456", 6, httpsig.ReasonTooLarge},
		{"123456", -1, httpsig.ReasonTooLarge}, // length unknown: read bounded
	} {
		r := httptest.NewRequest("POST", "/", strings.NewReader(c.body))
		r.ContentLength = c.length
		b, err := httpsig.ReadBody(r, 5)
		if reason(err) != c.want || (err == nil && string(b) != c.body) {
			t.Errorf("ReadBody(%q) = %q, %v; want reason %q", c.body, b, err, c.want)
		}
	}
}

func TestStructuredFieldsRoundTrip(t *testing.T) {
	// A quote and a backslash in a parameter are escaped, and parsed back.
	m := httpsig.Message{Method: "POST", TargetURI: "https://bd.example/x", Header: http.Header{}}
	_, key, _ := ed25519.GenerateKey(bytes.NewReader(make([]byte, 64)))
	p := httpsig.Params{Created: time.Unix(100, 0), KeyID: `a"b\c`, Nonce: "n"}
	in, sig, err := httpsig.Sign(m, "sig1", []string{"@method", "@authority"}, p, key)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(in, `keyid="a\"b\\c"`) {
		t.Errorf("keyid not escaped: %s", in)
	}
	m.Header.Set("Signature-Input", in)
	m.Header.Set("Signature", sig)
	var gotID string
	v := &httpsig.Verifier{Key: func(_ context.Context, id string) (ed25519.PublicKey, error) {
		gotID = id
		return key.Public().(ed25519.PublicKey), nil
	}, Now: func() time.Time { return time.Unix(110, 0) }, Required: []string{"@method"}}
	if _, err := v.Verify(context.Background(), m, nil); err != nil || gotID != `a"b\c` {
		t.Errorf("Verify: %v, key id %q", err, gotID)
	}
	if _, _, err := httpsig.Sign(m, "sig1", []string{"@method"}, httpsig.Params{KeyID: "ক"}, key); err == nil {
		t.Error("a non-ASCII key id was written into a structured string")
	}
}

package secondfactor

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestVerify(t *testing.T) {
	secret, uri, err := NewTOTP("Homeward", "ayesha@ngo.test")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(uri, "otpauth://totp/Homeward:ayesha@ngo.test?") || !strings.Contains(uri, "secret="+secret) {
		t.Errorf("uri = %s", uri)
	}
	now := time.Date(2026, 11, 18, 6, 30, 10, 0, time.UTC)
	code, _ := Code(secret, now)
	step, err := Verify(secret, code, now, 0)
	if err != nil || step != Step(now) {
		t.Fatalf("fresh code: %d %v", step, err)
	}
	// The same code again, within its window, is refused.
	if _, err := Verify(secret, code, now.Add(5*time.Second), step); !errors.Is(err, ErrReplayed) {
		t.Errorf("replayed: %v", err)
	}
	// So is the previous step's code once a later one was used.
	prev, _ := Code(secret, now.Add(-Period))
	if _, err := Verify(secret, prev, now, step); !errors.Is(err, ErrReplayed) {
		t.Errorf("older code after a newer: %v", err)
	}
	// The next step's code is new.
	next, _ := Code(secret, now.Add(Period))
	if s, err := Verify(secret, next, now.Add(Period), step); err != nil || s != step+1 {
		t.Errorf("next code: %d %v", s, err)
	}
	// A clock one step off is forgiven; two steps are not.
	if _, err := Verify(secret, next, now, 0); err != nil {
		t.Errorf("one step ahead: %v", err)
	}
	old, _ := Code(secret, now.Add(-2*Period))
	if _, err := Verify(secret, old, now, 0); !errors.Is(err, ErrWrongCode) && old != code {
		t.Errorf("two steps old: %v", err)
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, err := Verify(secret, bad, now, 0); !errors.Is(err, ErrWrongCode) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	wrong := []byte(code)
	wrong[0] = '0' + (wrong[0]-'0'+1)%10
	if _, err := Verify(secret, string(wrong), now, 0); !errors.Is(err, ErrWrongCode) {
		t.Errorf("wrong code: %v", err)
	}
	// Spaces as apps show them ("123 456") are fine.
	if _, err := Verify(secret, code[:3]+" "+code[3:], now, 0); err != nil {
		t.Errorf("spaced: %v", err)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes := NewRecoveryCodes()
	if len(codes) != RecoveryCodes {
		t.Fatalf("%d codes", len(codes))
	}
	seen := map[string]bool{}
	for _, c := range codes {
		if NormalizeRecoveryCode(c) != c || seen[c] {
			t.Errorf("code %q", c)
		}
		seen[c] = true
		if got := NormalizeRecoveryCode(" " + strings.ToLower(strings.ReplaceAll(c, "-", " ")) + " "); got != c {
			t.Errorf("typed %q → %q", c, got)
		}
	}
	for _, bad := range []string{"", "123456", "AAAAA-AAAA", "OOOOO-OOOOO"} {
		if NormalizeRecoveryCode(bad) != "" {
			t.Errorf("%q accepted", bad)
		}
	}
}

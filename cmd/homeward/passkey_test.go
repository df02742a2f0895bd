package main

import (
	"strings"
	"testing"
)

// TestPasskeyRelyingParty: serve's relying party comes from --rp-id and
// --rp-origin (or their HOMEWARD_ variables), by default from
// --public-url; an origin outside the id's domain is refused at start.
func TestPasskeyRelyingParty(t *testing.T) {
	tests := []struct {
		args   []string
		env    map[string]string
		rpID   string
		refuse string
	}{
		{args: nil, rpID: "localhost"},
		{args: []string{"--public-url", "https://homeward.example.org/"}, rpID: "homeward.example.org"},
		{args: []string{"--rp-id", "example.org", "--rp-origin", "https://homeward.example.org,https://b.example.org"}, rpID: "example.org"},
		{env: map[string]string{"HOMEWARD_RP_ID": "example.org", "HOMEWARD_RP_ORIGIN": "https://homeward.example.org"}, rpID: "example.org"},
		{args: []string{"--rp-id", "example.org", "--rp-origin", "https://evil.test"}, refuse: "not on that domain"},
		{args: []string{"--rp-id", "ample.org", "--rp-origin", "https://example.org"}, refuse: "not on that domain"},
		{args: []string{"--rp-origin", "ftp://homeward.example.org"}, refuse: "--rp-origin"},
		{args: []string{"--rp-origin", "https://homeward.example.org/login"}, refuse: "--rp-origin"},
		// A public URL on an IP address: WebAuthn needs a domain, so passkeys
		// are off and the server starts; named explicitly, an IP is refused.
		{args: []string{"--public-url", "http://127.0.0.1:8080/"}, rpID: ""},
		{args: []string{"--rp-id", "127.0.0.1", "--rp-origin", "http://127.0.0.1:8080"}, refuse: "domain"},
	}
	for _, tt := range tests {
		db, _, err := serveDB(t, tt.env, append([]string{"--data-dir", t.TempDir()}, tt.args...)...)
		if tt.refuse != "" {
			if err == nil || !strings.Contains(err.Error(), tt.refuse) {
				t.Errorf("%v: %v, want a refusal naming %s", tt.args, err, tt.refuse)
			}
			if db != nil {
				db.Close()
			}
			continue
		}
		if err != nil {
			t.Errorf("%v %v: %v", tt.args, tt.env, err)
			continue
		}
		if tt.rpID == "" {
			if db.Passkeys != nil {
				t.Errorf("%v: passkeys on for an IP address (%s)", tt.args, db.Passkeys.RPID())
			}
			db.Close()
			continue
		}
		if db.Passkeys == nil || db.Passkeys.RPID() != tt.rpID {
			t.Errorf("%v %v: relying party %v, want %s", tt.args, tt.env, db.Passkeys, tt.rpID)
		}
		db.Close()
	}
}

package passkey_test

import (
	"encoding/json"
	"errors"
	"testing"

	"homeward/internal/passkey"
	"homeward/internal/passkey/passkeytest"
)

const origin = "https://homeward.test"

func relyingParty(t *testing.T) *passkey.RelyingParty {
	t.Helper()
	rp, err := passkey.New(passkey.Config{RPID: "homeward.test", Origins: []string{origin}})
	if err != nil {
		t.Fatal(err)
	}
	return rp
}

// register runs a registration of a new authenticator for acct and adds
// the credential to it.
func register(t *testing.T, rp *passkey.RelyingParty, acct *passkey.Account, a *passkeytest.Authenticator) {
	t.Helper()
	c, err := rp.BeginRegistration(acct)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Create(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	cred, err := rp.FinishRegistration(acct, c.State, resp)
	if err != nil {
		t.Fatalf("registration refused: %v", err)
	}
	acct.Credentials = append(acct.Credentials, *cred)
}

func login(t *testing.T, rp *passkey.RelyingParty, acct *passkey.Account, a *passkeytest.Authenticator) (*passkey.Ceremony, []byte) {
	t.Helper()
	c, err := rp.BeginLogin(acct)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := a.Get(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	return c, resp
}

func TestCeremonies(t *testing.T) {
	rp := relyingParty(t)
	acct := &passkey.Account{ID: "user-1", Name: "a@example.org", DisplayName: "A"}
	a := passkeytest.New(origin)
	register(t, rp, acct, a)

	c, resp := login(t, rp, acct, a)
	ans, err := passkey.Read(resp)
	if err != nil || ans.Challenge != c.Challenge || ans.UserHandle != "user-1" || ans.CredentialID != passkey.ID(&acct.Credentials[0]) {
		t.Fatalf("Read = %+v, %v; want challenge %s", ans, err, c.Challenge)
	}
	cred, err := rp.FinishLogin(acct, c.State, resp)
	if err != nil {
		t.Fatalf("sign-in refused: %v", err)
	}
	if cred.Authenticator.SignCount != 1 {
		t.Errorf("counter %d, want 1", cred.Authenticator.SignCount)
	}
	acct.Credentials[0] = *cred

	// The same answer again: the counter did not go up.
	if _, err := rp.FinishLogin(acct, c.State, resp); !errors.Is(err, passkey.ErrCounter) {
		t.Errorf("replayed answer: %v, want ErrCounter", err)
	}

	// A sign-in without a password finds the user from the handle.
	c, err = rp.BeginLogin(nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err = a.Get(c.Options)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rp.FinishLogin(acct, c.State, resp); err != nil {
		t.Errorf("discoverable sign-in refused: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	rp := relyingParty(t)
	acct := &passkey.Account{ID: "user-1", Name: "a@example.org", DisplayName: "A"}
	a := passkeytest.New(origin)
	register(t, rp, acct, a)
	other := &passkey.Account{ID: "user-2", Name: "b@example.org", DisplayName: "B"}
	b := passkeytest.New(origin)
	register(t, rp, other, b)

	tests := []struct {
		name string
		run  func() error
	}{
		{"wrong origin", func() error {
			a.Origin = "https://evil.test"
			defer func() { a.Origin = origin }()
			c, resp := login(t, rp, acct, a)
			_, err := rp.FinishLogin(acct, c.State, resp)
			return err
		}},
		{"wrong challenge", func() error {
			c, _ := login(t, rp, acct, a)
			c2, resp := login(t, rp, acct, a) // answers another ceremony
			_ = c2
			_, err := rp.FinishLogin(acct, c.State, resp)
			return err
		}},
		{"without user verification", func() error {
			a.Flags = passkeytest.FlagUserPresent
			defer func() { a.Flags = passkeytest.FlagUserPresent | passkeytest.FlagUserVerified }()
			c, resp := login(t, rp, acct, a)
			_, err := rp.FinishLogin(acct, c.State, resp)
			return err
		}},
		{"another user's credential", func() error {
			c, err := rp.BeginLogin(acct)
			if err != nil {
				return nil
			}
			resp, err := b.Get(c.Options)
			if err != nil {
				t.Fatal(err)
			}
			_, err = rp.FinishLogin(acct, c.State, resp)
			return err
		}},
		{"registration from another origin", func() error {
			c, err := rp.BeginRegistration(acct)
			if err != nil {
				t.Fatal(err)
			}
			x := passkeytest.New("https://evil.test")
			resp, err := x.Create(c.Options)
			if err != nil {
				t.Fatal(err)
			}
			_, err = rp.FinishRegistration(acct, c.State, resp)
			return err
		}},
		{"malformed answer", func() error {
			c, _ := login(t, rp, acct, a)
			_, err := rp.FinishLogin(acct, c.State, []byte(`{"id":`))
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.run(); !errors.Is(err, passkey.ErrRefused) {
				t.Errorf("got %v, want ErrRefused", err)
			}
		})
	}
	// A lower counter (a cloned authenticator) is refused.
	c, resp := login(t, rp, acct, a)
	cred, err := rp.FinishLogin(acct, c.State, resp)
	if err != nil {
		t.Fatal(err)
	}
	acct.Credentials[0] = *cred
	a.Counter -= 2
	c, resp = login(t, rp, acct, a)
	if _, err := rp.FinishLogin(acct, c.State, resp); !errors.Is(err, passkey.ErrCounter) {
		t.Errorf("lower counter: %v, want ErrCounter", err)
	}
}

func TestReadRefusesMalformed(t *testing.T) {
	for _, in := range []string{``, `{}`, `{"rawId":"x","response":{"clientDataJSON":"!!"}}`, `{"rawId":"x","response":{"clientDataJSON":"e30"}}`} {
		if _, err := passkey.Read([]byte(in)); !errors.Is(err, passkey.ErrRefused) {
			t.Errorf("Read(%q) = %v, want ErrRefused", in, err)
		}
	}
	var o map[string]any
	rp := relyingParty(t)
	c, err := rp.BeginRegistration(&passkey.Account{ID: "u", Name: "u"})
	if err != nil || json.Unmarshal(c.Options, &o) != nil {
		t.Fatal(err)
	}
	pk := o["publicKey"].(map[string]any)
	if sel := pk["authenticatorSelection"].(map[string]any); sel["userVerification"] != "required" {
		t.Errorf("registration options do not require user verification: %v", sel)
	}
}

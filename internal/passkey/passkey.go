// Package passkey holds the rules of passkeys (WebAuthn): the relying
// party's registration and sign-in ceremonies over
// github.com/go-webauthn/webauthn. It knows nothing of storage: the caller
// keeps the credentials and each ceremony's state between its two steps
// (looked up by the challenge the browser signs), and enforces the
// ceremony's life with its own clock.
package passkey

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-webauthn/webauthn/protocol"
	"github.com/go-webauthn/webauthn/webauthn"
)

// Credential is a registered passkey as the library records it; the
// caller stores it as JSON.
type Credential = webauthn.Credential

// CeremonyLife is how long a ceremony waits for the browser's answer: the
// time a person needs to find and unlock their authenticator.
const CeremonyLife = 5 * time.Minute

// MaxResponse bounds the browser's answer to a ceremony; real ones are a
// few kilobytes.
const MaxResponse = 64 << 10

// Errors of the finishing steps. Callers say the same to the user for
// all of them; the audit log keeps which one.
var (
	// ErrRefused: the answer does not verify (origin, relying party,
	// challenge, signature, user verification, unknown credential).
	ErrRefused = errors.New("passkey refused")
	// ErrCounter: the authenticator's signature counter did not go up —
	// a replayed answer or a cloned authenticator.
	ErrCounter = errors.New("passkey counter did not increase")
)

// Config is the relying party: its id (the site's domain, such as
// homeward.example.org) and the origins the browser may run the
// ceremonies from (https://homeward.example.org).
type Config struct {
	RPID        string
	Origins     []string
	DisplayName string
}

// RelyingParty runs the ceremonies of one configured site.
type RelyingParty struct{ wa *webauthn.WebAuthn }

// New checks c and returns its relying party. User verification (a PIN or
// a fingerprint on the authenticator) is required in every ceremony, so
// that a passkey alone is two factors.
func New(c Config) (*RelyingParty, error) {
	if c.RPID == "" || len(c.Origins) == 0 {
		return nil, errors.New("passkey: a relying party id and at least one origin are needed")
	}
	if c.DisplayName == "" {
		c.DisplayName = "Homeward"
	}
	wa, err := webauthn.New(&webauthn.Config{
		RPID: c.RPID, RPDisplayName: c.DisplayName, RPOrigins: c.Origins,
		AttestationPreference: protocol.PreferNoAttestation,
		AuthenticatorSelection: protocol.AuthenticatorSelection{
			ResidentKey: protocol.ResidentKeyRequirementPreferred, UserVerification: protocol.VerificationRequired},
	})
	if err != nil {
		return nil, fmt.Errorf("passkey: %w", err)
	}
	return &RelyingParty{wa: wa}, nil
}

// RPID returns the relying party id.
func (rp *RelyingParty) RPID() string { return rp.wa.Config.RPID }

// Account is the user a ceremony is for. ID is the user handle the
// authenticator keeps (the user's id: random, not personal).
type Account struct {
	ID          string
	Name        string
	DisplayName string
	Credentials []Credential
}

func (a *Account) WebAuthnID() []byte                         { return []byte(a.ID) }
func (a *Account) WebAuthnName() string                       { return a.Name }
func (a *Account) WebAuthnDisplayName() string                { return a.DisplayName }
func (a *Account) WebAuthnCredentials() []webauthn.Credential { return a.Credentials }

// Ceremony is what a begun ceremony gives: the options the browser passes
// to navigator.credentials, and the state the caller keeps (under
// Challenge) for the second step.
type Ceremony struct {
	Options   []byte
	Challenge string
	State     []byte
}

func ceremony(options any, s *webauthn.SessionData) (*Ceremony, error) {
	// The library would check the life against the wall clock; the
	// caller checks it against its own.
	s.Expires = time.Time{}
	o, err := json.Marshal(options)
	if err != nil {
		return nil, err
	}
	st, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	return &Ceremony{Options: o, Challenge: s.Challenge, State: st}, nil
}

// BeginRegistration starts registering a new passkey of a; its existing
// ones are excluded, so that one authenticator is not registered twice.
func (rp *RelyingParty) BeginRegistration(a *Account) (*Ceremony, error) {
	o, s, err := rp.wa.BeginRegistration(a, webauthn.WithExclusions(webauthn.Credentials(a.Credentials).CredentialDescriptors()))
	if err != nil {
		return nil, err
	}
	return ceremony(o, s)
}

func session(state []byte) (webauthn.SessionData, error) {
	var s webauthn.SessionData
	err := json.Unmarshal(state, &s)
	return s, err
}

// FinishRegistration checks the browser's answer to a registration begun
// for a (state as BeginRegistration gave it) and returns the new
// credential.
func (rp *RelyingParty) FinishRegistration(a *Account, state, response []byte) (*Credential, error) {
	s, err := session(state)
	if err != nil {
		return nil, err
	}
	p, err := protocol.ParseCredentialCreationResponseBytes(response)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	c, err := rp.wa.CreateCredential(a, s, p)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	return c, nil
}

// BeginLogin starts a sign-in with one of a's passkeys; with a nil, with
// any passkey the authenticator holds for this site (the browser offers
// them), for a sign-in without a password.
func (rp *RelyingParty) BeginLogin(a *Account) (*Ceremony, error) {
	var (
		o   *protocol.CredentialAssertion
		s   *webauthn.SessionData
		err error
	)
	uv := webauthn.WithUserVerification(protocol.VerificationRequired)
	if a == nil {
		o, s, err = rp.wa.BeginDiscoverableLogin(uv)
	} else {
		o, s, err = rp.wa.BeginLogin(a, uv)
	}
	if err != nil {
		return nil, err
	}
	return ceremony(o, s)
}

// FinishLogin checks the browser's answer to a sign-in begun with state,
// by a's passkeys, and returns the credential used with its new counter
// and flags, which the caller stores. A counter that did not go up is
// ErrCounter.
func (rp *RelyingParty) FinishLogin(a *Account, state, response []byte) (*Credential, error) {
	s, err := session(state)
	if err != nil {
		return nil, err
	}
	p, err := protocol.ParseCredentialRequestResponseBytes(response)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	if len(s.UserID) == 0 {
		// A sign-in without a password: the authenticator names the
		// user; it must be a.
		s.UserID = p.Response.UserHandle
	}
	c, err := rp.wa.ValidateLogin(a, s, p)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	if c.Authenticator.CloneWarning {
		return nil, ErrCounter
	}
	return c, nil
}

// Answer is what the caller reads of a browser's answer before it
// verifies it: which ceremony it answers, with which credential, and (in
// a sign-in without a password) for which user.
type Answer struct {
	Challenge    string
	CredentialID string
	UserHandle   string
}

// Read parses a browser's answer just enough to find its ceremony.
func Read(response []byte) (*Answer, error) {
	if len(response) > MaxResponse {
		return nil, fmt.Errorf("%w: answer of %d bytes", ErrRefused, len(response))
	}
	var r struct {
		RawID    string `json:"rawId"`
		Response struct {
			ClientDataJSON string `json:"clientDataJSON"`
			UserHandle     string `json:"userHandle"`
		} `json:"response"`
	}
	if err := json.Unmarshal(response, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	cd, err := base64.RawURLEncoding.DecodeString(trimPad(r.Response.ClientDataJSON))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	var c struct {
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(cd, &c); err != nil || c.Challenge == "" || r.RawID == "" {
		return nil, fmt.Errorf("%w: no challenge or credential", ErrRefused)
	}
	uh, err := base64.RawURLEncoding.DecodeString(trimPad(r.Response.UserHandle))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	return &Answer{Challenge: c.Challenge, CredentialID: trimPad(r.RawID), UserHandle: string(uh)}, nil
}

func trimPad(s string) string {
	for len(s) > 0 && s[len(s)-1] == '=' {
		s = s[:len(s)-1]
	}
	return s
}

// ID returns a credential's id as stored and shown: base64url.
func ID(c *Credential) string { return base64.RawURLEncoding.EncodeToString(c.ID) }

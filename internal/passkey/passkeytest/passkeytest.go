// Package passkeytest is a software authenticator for tests: it answers
// the options of a WebAuthn registration or sign-in as a browser and a
// security key would — attestation "none", an ES256 key, a signature
// counter — so that the server's ceremonies are tested end to end without
// a browser.
package passkeytest

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"errors"

	"github.com/go-webauthn/webauthn/protocol/webauthncbor"

	"homeward/internal/passkey"
)

// Origin is the site of RelyingParty.
const Origin = "https://homeward.test"

// RelyingParty returns the relying party of homeward.test, whose
// ceremonies New(Origin) answers.
func RelyingParty() *passkey.RelyingParty {
	rp, err := passkey.New(passkey.Config{RPID: "homeward.test", Origins: []string{Origin}})
	if err != nil {
		panic(err)
	}
	return rp
}

// Flags of authenticator data (WebAuthn §6.1).
const (
	FlagUserPresent  = 0x01
	FlagUserVerified = 0x04
	flagAttested     = 0x40
)

// Authenticator holds one credential. Its fields are exported so that a
// test can make it misbehave: answer from another Origin, without user
// verification (Flags), or with an old Counter.
type Authenticator struct {
	Origin     string
	Key        *ecdsa.PrivateKey
	CredID     []byte
	UserHandle []byte
	RPID       string
	Counter    uint32
	Flags      byte
}

// New returns an authenticator answering from origin, with a fresh key.
func New(origin string) *Authenticator {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	id := make([]byte, 16)
	_, _ = rand.Read(id)
	return &Authenticator{Origin: origin, Key: k, CredID: id, Flags: FlagUserPresent | FlagUserVerified}
}

var b64 = base64.RawURLEncoding

type options struct {
	PublicKey struct {
		Challenge string `json:"challenge"`
		RPID      string `json:"rpId"`
		RP        struct {
			ID string `json:"id"`
		} `json:"rp"`
		User struct {
			ID string `json:"id"`
		} `json:"user"`
	} `json:"publicKey"`
}

func clientData(typ, challenge, origin string) []byte {
	b, _ := json.Marshal(map[string]any{"type": typ, "challenge": challenge, "origin": origin, "crossOrigin": false})
	return b
}

func (a *Authenticator) authData(flags byte, attested []byte) []byte {
	h := sha256.Sum256([]byte(a.RPID))
	d := append(h[:], flags)
	d = binary.BigEndian.AppendUint32(d, a.Counter)
	return append(d, attested...)
}

// Create answers registration options (as the server sent them) and
// remembers the relying party and the user handle.
func (a *Authenticator) Create(opts []byte) ([]byte, error) {
	var o options
	if err := json.Unmarshal(opts, &o); err != nil {
		return nil, err
	}
	uh, err := b64.DecodeString(o.PublicKey.User.ID)
	if err != nil {
		return nil, err
	}
	a.RPID, a.UserHandle = o.PublicKey.RP.ID, uh
	x, y := make([]byte, 32), make([]byte, 32)
	a.Key.X.FillBytes(x)
	a.Key.Y.FillBytes(y)
	cose, err := webauthncbor.Marshal(map[int]any{1: 2, 3: -7, -1: 1, -2: x, -3: y})
	if err != nil {
		return nil, err
	}
	att := make([]byte, 16) // AAGUID: none
	att = binary.BigEndian.AppendUint16(att, uint16(len(a.CredID)))
	att = append(append(att, a.CredID...), cose...)
	obj, err := webauthncbor.Marshal(map[string]any{"fmt": "none", "attStmt": map[string]any{}, "authData": a.authData(a.Flags|flagAttested, att)})
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"id": b64.EncodeToString(a.CredID), "rawId": b64.EncodeToString(a.CredID), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(clientData("webauthn.create", o.PublicKey.Challenge, a.Origin)),
			"attestationObject": b64.EncodeToString(obj)}})
}

// Get answers sign-in options: the counter goes up by one and the
// authenticator data and client data are signed.
func (a *Authenticator) Get(opts []byte) ([]byte, error) {
	var o options
	if err := json.Unmarshal(opts, &o); err != nil {
		return nil, err
	}
	if a.RPID == "" {
		return nil, errors.New("passkeytest: no credential registered")
	}
	a.Counter++
	ad := a.authData(a.Flags, nil)
	cd := clientData("webauthn.get", o.PublicKey.Challenge, a.Origin)
	h := sha256.Sum256(cd)
	digest := sha256.Sum256(append(append([]byte{}, ad...), h[:]...))
	sig, err := ecdsa.SignASN1(rand.Reader, a.Key, digest[:])
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"id": b64.EncodeToString(a.CredID), "rawId": b64.EncodeToString(a.CredID), "type": "public-key",
		"response": map[string]any{"clientDataJSON": b64.EncodeToString(cd), "authenticatorData": b64.EncodeToString(ad),
			"signature": b64.EncodeToString(sig), "userHandle": b64.EncodeToString(a.UserHandle)}})
}

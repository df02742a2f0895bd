// Package seal encrypts short texts at rest with AES-256-GCM under named
// keys, so that a copy of the database (a backup, a dump, a stolen file)
// does not reveal them. A sealed text is printable and self-describing:
//
//	hwenc:v1:<key id>:<base64(nonce | ciphertext and tag)>
//
// The key id names the key that sealed it, so that keys can rotate: a
// Keyring seals with its primary key and opens with whichever key the text
// names. Associated data binds a sealed text to the record it belongs to;
// opening it with other associated data (the text copied onto another
// record) fails.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Prefix starts every sealed text; texts without it were stored before
// sealing (see IsSealed).
const Prefix = "hwenc:"

// prefixV1 starts texts sealed by this version of the format.
const prefixV1 = Prefix + "v1:"

// KeySize is the size of a key in bytes (AES-256).
const KeySize = 32

// HeaderLen is the length of a sealed text's header, "hwenc:v1:<key id>:",
// which names its key.
const HeaderLen = len(prefixV1) + 2*idBytes + 1

// idBytes is how much of a key's digest names it.
const idBytes = 6

// ErrNoKey is returned when sealing without a key.
var ErrNoKey = errors.New("no encryption key configured")

// Key is one 32-byte key with its id.
type Key struct {
	id   string
	aead cipher.AEAD
}

// NewKey returns a key for 32 bytes of secret. Its id is derived from the
// secret (a truncated SHA-256 under a label, which reveals nothing usable
// about the key), so the same secret always has the same id.
func NewKey(secret []byte) (*Key, error) {
	if len(secret) != KeySize {
		return nil, fmt.Errorf("a key is %d bytes, not %d", KeySize, len(secret))
	}
	block, err := aes.NewCipher(secret)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(append([]byte("homeward seal key id\x00"), secret...))
	return &Key{id: hex.EncodeToString(sum[:idBytes]), aead: aead}, nil
}

// ParseKey decodes a key written in standard base64 (as in a key file or
// HOMEWARD_NOTES_KEY); surrounding white space is ignored.
func ParseKey(s string) (*Key, error) {
	s = strings.TrimSpace(s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		if b, err = base64.RawStdEncoding.DecodeString(s); err != nil {
			return nil, errors.New("a key must be 32 bytes written in base64")
		}
	}
	if len(b) != KeySize {
		return nil, fmt.Errorf("a key must be %d bytes written in base64 (this one is %d bytes)", KeySize, len(b))
	}
	return NewKey(b)
}

// GenerateKey returns a new random key in base64, as written to key files.
func GenerateKey() string {
	b := make([]byte, KeySize)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.StdEncoding.EncodeToString(b)
}

// ID returns the key's id, as written in the texts it seals. It is not
// secret.
func (k *Key) ID() string { return k.id }

// Keyring seals with its primary key and opens with any of its keys. The
// zero Keyring has no key: it refuses to seal and opens nothing.
type Keyring struct {
	primary *Key
	keys    map[string]*Key
}

// NewKeyring returns a keyring that seals with primary and also opens texts
// sealed by the older keys.
func NewKeyring(primary *Key, older ...*Key) *Keyring {
	kr := &Keyring{primary: primary, keys: map[string]*Key{primary.id: primary}}
	for _, k := range older {
		kr.keys[k.id] = k
	}
	return kr
}

// Primary returns the id of the key that seals, or "" without one.
func (kr *Keyring) Primary() string {
	if kr == nil || kr.primary == nil {
		return ""
	}
	return kr.primary.id
}

// Has reports whether the keyring holds the key named id.
func (kr *Keyring) Has(id string) bool {
	if kr == nil {
		return false
	}
	_, ok := kr.keys[id]
	return ok
}

// Seal encrypts plain under the primary key with a fresh random nonce,
// bound to ad.
func (kr *Keyring) Seal(plain string, ad []byte) (string, error) {
	if kr == nil || kr.primary == nil {
		return "", ErrNoKey
	}
	k := kr.primary
	buf := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plain)+k.aead.Overhead())
	_, _ = rand.Read(buf)
	buf = k.aead.Seal(buf, buf, []byte(plain), ad)
	return prefixV1 + k.id + ":" + base64.StdEncoding.EncodeToString(buf), nil
}

// IsSealed reports whether s is a sealed text (of any version) rather than
// one stored before sealing.
func IsSealed(s string) bool { return strings.HasPrefix(s, Prefix) }

// KeyID returns the id of the key that sealed s, or "" if s is not a sealed
// text of a known version.
func KeyID(s string) string {
	rest, ok := strings.CutPrefix(s, prefixV1)
	if !ok {
		return ""
	}
	id, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return id
}

// Open decrypts a sealed text with the key it names and the associated
// data it was sealed with. A text sealed under a key the keyring lacks, or
// bound to other data, or changed in any way, gives an error, never text.
func (kr *Keyring) Open(sealed string, ad []byte) (string, error) {
	rest, ok := strings.CutPrefix(sealed, prefixV1)
	if !ok {
		return "", errors.New("sealed text of an unknown version")
	}
	id, body, ok := strings.Cut(rest, ":")
	if !ok {
		return "", errors.New("malformed sealed text")
	}
	if kr == nil || kr.keys[id] == nil {
		return "", fmt.Errorf("sealed under key %s, which is not configured", id)
	}
	k := kr.keys[id]
	raw, err := base64.StdEncoding.DecodeString(body)
	if err != nil || len(raw) < k.aead.NonceSize()+k.aead.Overhead() {
		return "", errors.New("malformed sealed text")
	}
	n := k.aead.NonceSize()
	plain, err := k.aead.Open(nil, raw[:n], raw[n:], ad)
	if err != nil {
		return "", fmt.Errorf("sealed text under key %s does not authenticate (changed, or moved from another record)", id)
	}
	return string(plain), nil
}

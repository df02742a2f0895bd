package homeward

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// AuditKeySize is the size of an audit key's secret in bytes.
const AuditKeySize = 32

// AuditKey keys the audit chain. One 32-byte secret, kept out of the
// database, gives the HMAC key that chains events and the Ed25519 key that
// signs checkpoints (both derived with HMAC-SHA-256 under their own label),
// so one secret file is all there is to keep.
type AuditKey struct {
	id   string
	mac  []byte
	sign ed25519.PrivateKey
}

// NewAuditKey returns the audit key for 32 bytes of secret. Its id is a
// truncated SHA-256 of the secret under a label: it names the key in stored
// events and checkpoints and reveals nothing usable about it.
func NewAuditKey(secret []byte) (*AuditKey, error) {
	if len(secret) != AuditKeySize {
		return nil, fmt.Errorf("an audit key is %d bytes, not %d", AuditKeySize, len(secret))
	}
	derive := func(label string) []byte {
		h := hmac.New(sha256.New, secret)
		h.Write([]byte(label))
		return h.Sum(nil)
	}
	sum := sha256.Sum256(append([]byte("homeward audit key id\x00"), secret...))
	return &AuditKey{
		id:   hex.EncodeToString(sum[:6]),
		mac:  derive("homeward audit mac"),
		sign: ed25519.NewKeyFromSeed(derive("homeward audit checkpoint signing")),
	}, nil
}

// ParseAuditKeys decodes audit keys written in standard base64, separated
// by new lines, spaces or commas (a key file, or HOMEWARD_AUDIT_KEY). The
// first signs new events and checkpoints; the others are older keys, kept
// to verify what they signed.
func ParseAuditKeys(s string) (*AuditKeyring, error) {
	var keys []*AuditKey
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\r' || r == '\t' }) {
		b, err := base64.StdEncoding.DecodeString(f)
		if err != nil {
			if b, err = base64.RawStdEncoding.DecodeString(f); err != nil {
				return nil, errors.New("an audit key must be 32 bytes written in base64")
			}
		}
		if len(b) != AuditKeySize {
			return nil, fmt.Errorf("an audit key must be %d bytes written in base64 (this one is %d bytes)", AuditKeySize, len(b))
		}
		k, err := NewAuditKey(b)
		if err != nil {
			return nil, err
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, errors.New("no audit key given")
	}
	return NewAuditKeyring(keys[0], keys[1:]...), nil
}

// GenerateAuditKey returns a new random audit key in base64, as written to
// key files.
func GenerateAuditKey() string {
	b := make([]byte, AuditKeySize)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return base64.StdEncoding.EncodeToString(b)
}

// ID returns the key's id. It is not secret.
func (k *AuditKey) ID() string { return k.id }

// PublicKey returns the Ed25519 public key that verifies the checkpoints k
// signs; it can be given to whoever keeps them.
func (k *AuditKey) PublicKey() ed25519.PublicKey { return k.sign.Public().(ed25519.PublicKey) }

// AuditKeyring keys new events with its primary key and verifies events
// keyed with any of its keys. The nil keyring has no key.
type AuditKeyring struct {
	primary *AuditKey
	keys    map[string]*AuditKey
}

// NewAuditKeyring returns a keyring that keys with primary and also
// verifies what older keys keyed.
func NewAuditKeyring(primary *AuditKey, older ...*AuditKey) *AuditKeyring {
	kr := &AuditKeyring{primary: primary, keys: map[string]*AuditKey{primary.id: primary}}
	for _, k := range older {
		kr.keys[k.id] = k
	}
	return kr
}

// Primary returns the key that keys new events, or nil.
func (kr *AuditKeyring) Primary() *AuditKey {
	if kr == nil {
		return nil
	}
	return kr.primary
}

// Key returns the key with the id, or nil.
func (kr *AuditKeyring) Key(id string) *AuditKey {
	if kr == nil {
		return nil
	}
	return kr.keys[id]
}

// ChainHead is the end of one chain as a checkpoint records it.
type ChainHead struct {
	Chain string `json:"chain"`
	OrgID string `json:"org_id"` // empty for the system chain
	Seq   int64  `json:"last_seq"`
	Hash  string `json:"last_hash"`
}

// AuditCheckpoint is a signed statement of every chain's head at a time.
// Kept outside the database (another system, a write-once store, a printed
// page), it lets verification detect events deleted from the end of a
// chain and chains replaced or removed wholesale after it was made, which
// the chain alone cannot show.
type AuditCheckpoint struct {
	Version int         `json:"version"`
	At      time.Time   `json:"at"`
	KeyID   string      `json:"key_id"`
	Public  string      `json:"public_key"` // Ed25519, base64
	Chains  []ChainHead `json:"chains"`
	// Signature is Ed25519 over signedBytes, in base64.
	Signature string `json:"signature"`
}

// signedBytes is the checkpoint's canonical encoding, every field
// length-prefixed after a label.
func (c *AuditCheckpoint) signedBytes() []byte {
	var b strings.Builder
	writeField(&b, "homeward audit checkpoint v1")
	writeField(&b, strconv.Itoa(c.Version))
	writeField(&b, c.At.UTC().Format(time.RFC3339Nano))
	writeField(&b, c.KeyID)
	writeField(&b, c.Public)
	writeField(&b, strconv.Itoa(len(c.Chains)))
	for _, h := range c.Chains {
		writeField(&b, h.Chain)
		writeField(&b, h.OrgID)
		writeField(&b, strconv.FormatInt(h.Seq, 10))
		writeField(&b, h.Hash)
	}
	return []byte(b.String())
}

// SignCheckpoint returns the checkpoint of heads at time at, signed by k.
func SignCheckpoint(k *AuditKey, at time.Time, heads []ChainHead) *AuditCheckpoint {
	c := &AuditCheckpoint{Version: 1, At: at.UTC(), KeyID: k.id, Public: base64.StdEncoding.EncodeToString(k.PublicKey()), Chains: heads}
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(k.sign, c.signedBytes()))
	return c
}

// ErrCheckpoint is returned (wrapped) for a checkpoint that cannot be
// trusted.
var ErrCheckpoint = errors.New("audit checkpoint refused")

// VerifyCheckpoint checks c's signature with the key of kr it names. The
// public key written in c must be that key's: a checkpoint re-signed with
// another key is refused, as is any change to its content.
func VerifyCheckpoint(kr *AuditKeyring, c *AuditCheckpoint) error {
	if c.Version != 1 {
		return fmt.Errorf("%w: unknown version %d", ErrCheckpoint, c.Version)
	}
	k := kr.Key(c.KeyID)
	if k == nil {
		return fmt.Errorf("%w: it was signed with audit key %s, which is not configured", ErrCheckpoint, c.KeyID)
	}
	if c.Public != base64.StdEncoding.EncodeToString(k.PublicKey()) {
		return fmt.Errorf("%w: its public key is not that of audit key %s", ErrCheckpoint, c.KeyID)
	}
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(k.PublicKey(), c.signedBytes(), sig) {
		return fmt.Errorf("%w: the signature does not match its content (it was altered)", ErrCheckpoint)
	}
	seen := map[string]bool{}
	for _, h := range c.Chains {
		if seen[h.Chain] || h.Seq < 0 {
			return fmt.Errorf("%w: chain %s is listed twice or has a negative sequence", ErrCheckpoint, h.Chain)
		}
		seen[h.Chain] = true
	}
	return nil
}

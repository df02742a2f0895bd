// Package password hashes and verifies passwords with argon2id and makes the
// random secrets behind sessions, CSRF tokens and API tokens.
package password

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"sync"

	"golang.org/x/crypto/argon2"
)

// Params are argon2id cost parameters.
type Params struct {
	Memory  uint32 // KiB
	Time    uint32
	Threads uint8
}

// Default follows OWASP's argon2id recommendation (19 MiB, 2 passes, 1 lane).
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Cheap is for tests only: it keeps the race detector's slowdown bearable.
var Cheap = Params{Memory: 64, Time: 1, Threads: 1}

// current is what Hash uses; tests lower it with UseParams.
var current = Default

// UseParams sets the parameters Hash uses and returns the previous ones.
func UseParams(p Params) Params { old := current; current = p; return old }

// Hash returns an encoded argon2id hash of pw in the PHC string format.
func Hash(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	p := current
	key := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, 32)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// ErrMalformed is returned for a stored hash that cannot be parsed.
var ErrMalformed = errors.New("password: malformed hash")

// Verify reports whether pw matches the encoded hash, in constant time.
func Verify(pw, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, ErrMalformed
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return false, ErrMalformed
	}
	var p Params
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.Memory, &p.Time, &p.Threads); err != nil {
		return false, ErrMalformed
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return false, ErrMalformed
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return false, ErrMalformed
	}
	got := argon2.IDKey([]byte(pw), salt, p.Time, p.Memory, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}

// dummy is verified against when a login names an unknown user, so that the
// answer takes as long as for a known one. It is made on first use, not at
// start-up.
var dummy = sync.OnceValue(func() string { return Hash("not a real password, only here to spend time") })

// SpendTime runs one verification against a dummy hash.
func SpendTime(pw string) { _, _ = Verify(pw, dummy()) }

// NewSecret returns a random secret of 32 bytes as unpadded base32 text,
// prefixed (for example "hw_" for API tokens, so that leaked tokens are easy
// to recognise by scanners).
func NewSecret(prefix string) string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// Digest returns the SHA-256 of a high-entropy secret as hex. Secrets of 256
// random bits need no slow hash; storing only the digest means a database
// leak does not yield usable sessions or tokens.
func Digest(secret string) string {
	s := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(s[:])
}

// Package secondfactor holds the rules of second factors at sign-in: time-
// based one-time passwords (TOTP, RFC 6238) and single-use recovery codes.
// It knows nothing of storage: the caller keeps the secret (sealed), the
// last time step used and the recovery codes' digests, and passes the
// current instant in, so that every rule is testable at any time.
package secondfactor

import (
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// TOTP parameters: what every authenticator app understands (RFC 6238's
// defaults). Codes of the step before and after the current one are
// accepted too, for clocks a little off.
const (
	Period = 30 * time.Second
	Digits = 6
	Skew   = 1
)

// Errors of Verify. Callers map them to user-facing errors; both say the
// same thing to the user.
var (
	ErrWrongCode = errors.New("wrong code")
	// ErrReplayed: the code is right, but its time step (or a later one)
	// was already used: a code seen over a shoulder or intercepted cannot
	// be used again within its window.
	ErrReplayed = errors.New("code already used")
)

// NewTOTP makes a new random secret for account at issuer, and the
// otpauth:// URI an authenticator app scans from a QR code.
func NewTOTP(issuer, account string) (secret, uri string, err error) {
	k, err := totp.Generate(totp.GenerateOpts{Issuer: issuer, AccountName: account, Period: uint(Period / time.Second),
		Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		return "", "", err
	}
	return k.Secret(), k.URL(), nil
}

// Step is the RFC 6238 time step of t.
func Step(t time.Time) int64 { return t.Unix() / int64(Period/time.Second) }

// Verify checks code against secret at now. lastStep is the last time step
// a code was accepted for (0 for none); a code of that step or an earlier
// one is refused as replayed. It returns the step of the accepted code,
// which the caller stores as the new lastStep.
func Verify(secret, code string, now time.Time, lastStep int64) (int64, error) {
	code = strings.Join(strings.Fields(code), "")
	if len(code) != Digits {
		return 0, ErrWrongCode
	}
	opts := totp.ValidateOpts{Period: uint(Period / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	cur := Step(now)
	matched := int64(0)
	for s := cur - Skew; s <= cur+Skew; s++ {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*int64(Period/time.Second), 0), opts)
		if err != nil {
			return 0, err
		}
		if subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			matched = s
		}
	}
	switch {
	case matched == 0:
		return 0, ErrWrongCode
	case matched <= lastStep:
		return 0, ErrReplayed
	}
	return matched, nil
}

// Code returns the code of secret at t, for tests and the enrolment
// check of a test client.
func Code(secret string, t time.Time) (string, error) {
	return totp.GenerateCodeCustom(secret, t, totp.ValidateOpts{Period: uint(Period / time.Second), Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
}

// RecoveryCodes is how many recovery codes an enrolment gives.
const RecoveryCodes = 10

// recoveryAlphabet leaves out letters and digits read alike (0/O, 1/I/L,
// 5/S, 2/Z, 8/B, U/V).
const recoveryAlphabet = "ACDEFGHJKMNPQRTWXY34679"

// NewRecoveryCodes returns RecoveryCodes new codes written XXXXX-XXXXX:
// ten symbols of 23, about 45 bits each, which with sign-in throttling
// cannot be guessed; they are stored as digests (see password.Digest).
func NewRecoveryCodes() []string {
	out := make([]string, RecoveryCodes)
	for i := range out {
		var b strings.Builder
		for j := range 10 {
			if j == 5 {
				b.WriteByte('-')
			}
			b.WriteByte(recoveryAlphabet[randN(len(recoveryAlphabet))])
		}
		out[i] = b.String()
	}
	return out
}

func randN(n int) int {
	var b [1]byte
	limit := 256 - 256%n
	for {
		if _, err := rand.Read(b[:]); err != nil {
			panic(err) // crypto/rand never fails on supported systems
		}
		if int(b[0]) < limit {
			return int(b[0]) % n
		}
	}
}

// NormalizeRecoveryCode puts a recovery code as typed (any case, with or
// without the dash or spaces) in its stored form, or returns "" when it
// cannot be one.
func NormalizeRecoveryCode(s string) string {
	s = strings.ToUpper(strings.Join(strings.Fields(strings.ReplaceAll(s, "-", " ")), ""))
	if len(s) != 10 {
		return ""
	}
	for _, c := range s {
		if !strings.ContainsRune(recoveryAlphabet, c) {
			return ""
		}
	}
	return s[:5] + "-" + s[5:]
}

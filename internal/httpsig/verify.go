package httpsig

import (
	"context"
	"crypto/ed25519"
	"errors"
	"io"
	"net/http"
	"slices"
	"time"
)

// Verifier checks signed messages. Key and Now are required; Replay, when
// set, makes a nonce mandatory and must record it atomically, refusing
// one already recorded (it is asked only once the signature is good, so
// that nobody can spend another sender's nonces).
type Verifier struct {
	// Key returns the trusted public key with this id, or nil when there
	// is none (unknown, revoked, or not yet confirmed).
	Key func(ctx context.Context, keyID string) (ed25519.PublicKey, error)
	// Now is the receiver's clock.
	Now func() time.Time
	// Skew is how far in the future created may be (clocks differ);
	// 0 means one minute.
	Skew time.Duration
	// MaxAge is how long after created a message is still accepted,
	// whatever its expires says; 0 means five minutes.
	MaxAge time.Duration
	// Replay records (keyID, nonce) until the instant given and returns
	// ErrReplay when the pair was already recorded.
	Replay func(ctx context.Context, keyID, nonce string, until time.Time) error
	// Required lists the components a signature must cover; nil means
	// Covered.
	Required []string
}

// ErrReplay is what a Replay function returns for a nonce already seen.
var ErrReplay = errors.New("nonce already used")

// Verified describes a signature that verified.
type Verified struct {
	Label   string
	KeyID   string
	Nonce   string
	Created time.Time
	Expires time.Time
}

// Verify checks the message's first signature (Signature-Input names it)
// and the body's digest. Any failure is an *Error naming its reason; an
// error of Key or Replay other than ErrReplay is returned as it is.
func (v *Verifier) Verify(ctx context.Context, m Message, body []byte) (*Verified, error) {
	inputs, err := parseDictionary(m.Header.Get("Signature-Input"))
	if err != nil || len(inputs) == 0 {
		return nil, refuse(ReasonMalformed, "Signature-Input is missing or malformed")
	}
	sigs, err := parseDictionary(m.Header.Get("Signature"))
	if err != nil {
		return nil, refuse(ReasonMalformed, "Signature is malformed")
	}
	in := inputs[0]
	if !in.IsList {
		return nil, refuse(ReasonMalformed, "Signature-Input %s is not an inner list", in.Name)
	}
	var sig []byte
	for _, s := range sigs {
		if s.Name == in.Name {
			sig = s.Bytes
		}
	}
	if len(sig) != ed25519.SignatureSize {
		return nil, refuse(ReasonMalformed, "no Ed25519 signature labelled %s", in.Name)
	}
	required := v.Required
	if required == nil {
		required = Covered
	}
	for _, c := range required {
		if !slices.Contains(in.List, c) {
			return nil, refuse(ReasonCoverage, "the signature does not cover %s", c)
		}
	}
	out := &Verified{Label: in.Name}
	var hasCreated bool
	for _, p := range in.Params {
		switch p.Name {
		case "created", "expires":
			n, ok := p.Value.(int64)
			if !ok {
				return nil, refuse(ReasonMalformed, "%s is not an integer", p.Name)
			}
			if p.Name == "created" {
				out.Created, hasCreated = time.Unix(n, 0).UTC(), true
			} else {
				out.Expires = time.Unix(n, 0).UTC()
			}
		case "keyid", "nonce", "alg", "tag":
			s, ok := p.Value.(string)
			if !ok {
				return nil, refuse(ReasonMalformed, "%s is not a string", p.Name)
			}
			switch p.Name {
			case "keyid":
				out.KeyID = s
			case "nonce":
				out.Nonce = s
			case "alg":
				if s != "ed25519" {
					return nil, refuse(ReasonMalformed, "algorithm %q is not accepted: only ed25519", s)
				}
			}
		}
	}
	if !hasCreated || out.KeyID == "" {
		return nil, refuse(ReasonMalformed, "the signature must carry created and keyid")
	}
	if v.Replay != nil && out.Nonce == "" {
		return nil, refuse(ReasonMalformed, "the signature must carry a nonce")
	}
	now := v.Now().UTC()
	skew, maxAge := v.Skew, v.MaxAge
	if skew == 0 {
		skew = time.Minute
	}
	if maxAge == 0 {
		maxAge = 5 * time.Minute
	}
	if out.Created.After(now.Add(skew)) {
		return nil, refuse(ReasonFuture, "created %s is in the future", out.Created.Format(time.RFC3339))
	}
	if !out.Expires.IsZero() && !now.Before(out.Expires) {
		return nil, refuse(ReasonExpired, "the signature expired at %s", out.Expires.Format(time.RFC3339))
	}
	if now.Sub(out.Created) > maxAge {
		return nil, refuse(ReasonExpired, "the signature was created at %s, too long ago", out.Created.Format(time.RFC3339))
	}
	key, err := v.Key(ctx, out.KeyID)
	if err != nil {
		return nil, err
	}
	if len(key) != ed25519.PublicKeySize {
		return nil, refuse(ReasonUnknownKey, "key %q is not a key we trust", out.KeyID)
	}
	base, _, err := base0(m, in.List, in.Params)
	if err != nil {
		return nil, refuse(ReasonMalformed, "%v", err)
	}
	if !ed25519.Verify(key, base, sig) {
		return nil, refuse(ReasonBadSignature, "the signature does not verify with key %q", out.KeyID)
	}
	if slices.Contains(in.List, "content-digest") || body != nil {
		if err := CheckContentDigest(m.Header.Get("Content-Digest"), body); err != nil {
			return nil, err
		}
	}
	if v.Replay != nil {
		until := out.Created.Add(maxAge + skew)
		if !out.Expires.IsZero() && out.Expires.Before(until) {
			until = out.Expires.Add(skew)
		}
		if err := v.Replay(ctx, out.KeyID, out.Nonce, until); errors.Is(err, ErrReplay) {
			return nil, refuse(ReasonReplay, "nonce %q was already used", out.Nonce)
		} else if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ReadBody reads a request body of at most limit bytes; a longer one is
// refused (ReasonTooLarge) without being read past the limit.
func ReadBody(r *http.Request, limit int64) ([]byte, error) {
	if r.ContentLength > limit {
		return nil, refuse(ReasonTooLarge, "the body is %d bytes; the limit is %d", r.ContentLength, limit)
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, refuse(ReasonMalformed, "the body could not be read")
	}
	if int64(len(b)) > limit {
		return nil, refuse(ReasonTooLarge, "the body is over the limit of %d bytes", limit)
	}
	return b, nil
}

// ClaimedKeyID returns the keyid the message's first signature claims,
// unverified, or "" when there is none: enough to count a sender's
// requests against a rate limit before anything is verified.
func ClaimedKeyID(h http.Header) string {
	inputs, err := parseDictionary(h.Get("Signature-Input"))
	if err != nil || len(inputs) == 0 {
		return ""
	}
	for _, p := range inputs[0].Params {
		if s, ok := p.Value.(string); ok && p.Name == "keyid" && len(s) <= 200 {
			return s
		}
	}
	return ""
}

// Package httpsig signs and verifies HTTP messages with HTTP Message
// Signatures (RFC 9421) over Ed25519, with the body bound by a
// Content-Digest (RFC 9530). It is what two Homeward instances, or a
// partner's own software, use to trust a message between countries: the
// signature base covers the method, the target URI and the digest of the
// body, and the signature parameters carry a created/expires window, the
// key id and a nonce for the receiver's replay cache.
//
// Only what the handoff needs is implemented: derived components
// @method, @target-uri, @authority, @scheme, @path and @query, header
// fields by name (no component parameters), and the ed25519 algorithm.
package httpsig

import (
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Reasons a message is refused; Error.Reason is one of them, so that the
// receiver can answer with a specific problem and a test can tell them
// apart without reading text.
const (
	ReasonMalformed    = "malformed"       // headers missing or not valid structured fields
	ReasonUnknownKey   = "unknown_key"     // the key id names no key we trust
	ReasonBadSignature = "bad_signature"   // the signature does not verify
	ReasonDigest       = "digest_mismatch" // Content-Digest missing or not the body's
	ReasonFuture       = "created_future"  // created later than now, beyond the skew
	ReasonExpired      = "expired"         // expires passed, or created too long ago
	ReasonReplay       = "replay"          // the nonce was seen before
	ReasonTooLarge     = "too_large"       // the body is over the limit
	ReasonCoverage     = "coverage"        // a required component is not covered
)

// Error is a refused message: a Reason from the list above and an English
// detail safe to show to the sender.
type Error struct {
	Reason string
	Detail string
}

func (e *Error) Error() string { return "httpsig: " + e.Reason + ": " + e.Detail }

func refuse(reason, format string, args ...any) *Error {
	return &Error{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// ContentDigest returns the Content-Digest field value of body with
// sha-256 (RFC 9530 section 2).
func ContentDigest(body []byte) string {
	sum := sha256.Sum256(body)
	return "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
}

// CheckContentDigest verifies a Content-Digest field value against body.
// Every sha-256 or sha-512 digest the field carries must match, and at
// least one must be present; other algorithms are ignored (RFC 9530
// lets a receiver pick the ones it supports).
func CheckContentDigest(field string, body []byte) error {
	if strings.TrimSpace(field) == "" {
		return refuse(ReasonDigest, "the message has no Content-Digest")
	}
	ms, err := parseDictionary(field)
	if err != nil {
		return refuse(ReasonDigest, "Content-Digest is malformed: %v", err)
	}
	checked := 0
	for _, m := range ms {
		var want []byte
		switch m.Name {
		case "sha-256":
			s := sha256.Sum256(body)
			want = s[:]
		case "sha-512":
			s := sha512.Sum512(body)
			want = s[:]
		default:
			continue
		}
		if m.Bytes == nil || subtle.ConstantTimeCompare(m.Bytes, want) != 1 {
			return refuse(ReasonDigest, "the %s digest does not match the body", m.Name)
		}
		checked++
	}
	if checked == 0 {
		return refuse(ReasonDigest, "Content-Digest has no sha-256 or sha-512 digest")
	}
	return nil
}

// Message is what a signature covers: the request's method, its target
// URI as the sender addressed it, and its header fields.
type Message struct {
	Method    string
	TargetURI string
	Header    http.Header
}

// Params are the signature parameters, in the order they are written.
// The zero values of Created and Expires, and empty strings, are left out.
type Params struct {
	Created time.Time
	Expires time.Time
	Nonce   string
	Alg     string
	KeyID   string
	Tag     string
}

func (p Params) list() []Param {
	var ps []Param
	if !p.Created.IsZero() {
		ps = append(ps, Param{"created", p.Created.Unix()})
	}
	if !p.Expires.IsZero() {
		ps = append(ps, Param{"expires", p.Expires.Unix()})
	}
	for _, kv := range [][2]string{{"nonce", p.Nonce}, {"alg", p.Alg}, {"keyid", p.KeyID}, {"tag", p.Tag}} {
		if kv[1] != "" {
			ps = append(ps, Param{kv[0], kv[1]})
		}
	}
	return ps
}

// componentValue returns the value of one covered component.
func componentValue(m Message, name string) (string, error) {
	if strings.HasPrefix(name, "@") {
		u, err := url.Parse(m.TargetURI)
		if err != nil || u.Host == "" || u.Scheme == "" {
			return "", fmt.Errorf("the target URI %q is not absolute", m.TargetURI)
		}
		switch name {
		case "@method":
			return m.Method, nil
		case "@target-uri":
			return m.TargetURI, nil
		case "@authority":
			return authority(u), nil
		case "@scheme":
			return strings.ToLower(u.Scheme), nil
		case "@path":
			if u.EscapedPath() == "" {
				return "/", nil
			}
			return u.EscapedPath(), nil
		case "@query":
			return "?" + u.RawQuery, nil
		}
		return "", fmt.Errorf("derived component %s is not supported", name)
	}
	if name != strings.ToLower(name) {
		return "", fmt.Errorf("component %q must be lower case", name)
	}
	vs, ok := m.Header[http.CanonicalHeaderKey(name)]
	if !ok {
		return "", fmt.Errorf("the covered field %s is not in the message", name)
	}
	trimmed := make([]string, len(vs))
	for i, v := range vs {
		trimmed[i] = strings.Trim(v, " \t")
	}
	return strings.Join(trimmed, ", "), nil
}

// authority is the host in lower case, with the port only when it is not
// the scheme's default.
func authority(u *url.URL) string {
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	if port == "" || (port == "443" && strings.EqualFold(u.Scheme, "https")) || (port == "80" && strings.EqualFold(u.Scheme, "http")) {
		return host
	}
	return host + ":" + port
}

// Base returns the signature base (RFC 9421 section 2.5) of the message
// for the covered components and parameters, and the serialized
// signature parameters that go into Signature-Input.
func Base(m Message, covered []string, p Params) (base []byte, params string, err error) {
	return base0(m, covered, p.list())
}

func base0(m Message, covered []string, ps []Param) ([]byte, string, error) {
	seen := map[string]bool{}
	var b strings.Builder
	for _, c := range covered {
		if seen[c] {
			return nil, "", fmt.Errorf("component %s is covered twice", c)
		}
		seen[c] = true
		v, err := componentValue(m, c)
		if err != nil {
			return nil, "", err
		}
		if strings.ContainsAny(v, "\r\n") {
			return nil, "", fmt.Errorf("component %s has a line break", c)
		}
		name, _ := serializeString(c)
		b.WriteString(name)
		b.WriteString(": ")
		b.WriteString(v)
		b.WriteByte('\n')
	}
	sp, err := serializeInnerList(covered, ps)
	if err != nil {
		return nil, "", err
	}
	b.WriteString(`"@signature-params": `)
	b.WriteString(sp)
	return []byte(b.String()), sp, nil
}

// Sign signs the message and returns the Signature-Input and Signature
// field values for the label.
func Sign(m Message, label string, covered []string, p Params, key ed25519.PrivateKey) (input, signature string, err error) {
	base, sp, err := Base(m, covered, p)
	if err != nil {
		return "", "", err
	}
	sig := ed25519.Sign(key, base)
	return label + "=" + sp, label + "=:" + base64.StdEncoding.EncodeToString(sig) + ":", nil
}

// SignRequest sets Content-Digest on req for body and signs it with the
// components the handoff requires (Covered), adding Signature-Input and
// Signature under the label "sig1". req.URL must be the absolute target.
func SignRequest(req *http.Request, body []byte, p Params, key ed25519.PrivateKey) error {
	req.Header.Set("Content-Digest", ContentDigest(body))
	if p.Alg == "" {
		p.Alg = "ed25519"
	}
	in, sig, err := Sign(Message{Method: req.Method, TargetURI: req.URL.String(), Header: req.Header}, "sig1", Covered, p, key)
	if err != nil {
		return err
	}
	req.Header.Set("Signature-Input", in)
	req.Header.Set("Signature", sig)
	return nil
}

// Covered is what Homeward signs and requires a partner to sign: the
// method, the full target URI, the body's digest and its media type.
var Covered = []string{"@method", "@target-uri", "content-digest", "content-type"}

package referral

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// Webhooks tell a partner's system about referrals sent to its
// organisation. Each delivery is a JSON body signed with the subscription's
// secret: the header
//
//	Homeward-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
//
// lets the receiver check the sender and refuse replays older than a few
// minutes. Failed deliveries are retried on the Backoff schedule and every
// attempt is logged.

// SignatureHeader is the HTTP header that carries the signature.
const SignatureHeader = "Homeward-Signature"

// DeliveryHeader carries the delivery's id, the same on every retry of
// one event to one webhook, so that a receiver can drop duplicates (it is
// also sent as Idempotency-Key).
const DeliveryHeader = "Homeward-Delivery"

// Sign returns the signature header value for body sent at t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + mac(secret, ts, body)
}

func mac(secret []byte, ts string, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// Verify checks a signature header for body received at now, refusing
// signatures older (or newer) than tolerance.
func Verify(secret []byte, header string, body []byte, now time.Time, tolerance time.Duration) bool {
	var ts, sig string
	for _, part := range strings.Split(header, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			sig = v
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || sig == "" {
		return false
	}
	if d := now.Sub(time.Unix(sec, 0)); d > tolerance || d < -tolerance {
		return false
	}
	return hmac.Equal([]byte(sig), []byte(mac(secret, ts, body)))
}

// Backoff is the wait before each retry of a failed delivery: after the
// first failure one minute, then 5 and 30 minutes, 2, 6 and 24 hours. After
// the last the delivery is given up (and stays in the log).
var Backoff = []time.Duration{time.Minute, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour}

// NextAttempt returns when to try again after attempts failed attempts
// (the last at last), and false when the delivery is to be given up.
func NextAttempt(attempts int, last time.Time) (time.Time, bool) {
	if attempts < 1 || attempts > len(Backoff) {
		return time.Time{}, false
	}
	return last.Add(Backoff[attempts-1]), true
}

// Event is the body of a webhook delivery: what happened to which
// referral. It carries no personal data; the partner fetches the referral
// (and its shared fields) through the API with its own token.
type Event struct {
	ID         string    `json:"id"`
	Type       string    `json:"type"` // referral.sent, referral.revoked …
	At         time.Time `json:"at"`
	ReferralID string    `json:"referral_id"`
	State      State     `json:"state"`
	Service    string    `json:"service_type"`
	FromOrgID  string    `json:"from_org_id"`
	ToOrgID    string    `json:"to_org_id"`
}

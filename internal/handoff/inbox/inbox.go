// Package inbox is the HTTP endpoint where partner instances deliver
// signed handoff messages (handoff.InboxPath). It verifies the signature
// against the partner's pinned key, the digest, the time window and the
// replay cache, checks the message against the agreement, and only then
// stores it. Every refusal is an RFC 9457 problem and stores nothing of
// the message. Requests are rate-limited per claimed key and per remote
// address (429 with Retry-After), and refusals are audited with their
// repeats counted, so that a flood cannot flood the audit chain.
package inbox

import (
	"net/http"
	"strings"
	"time"

	"homeward"
	"homeward/internal/handoff"
	"homeward/internal/httpsig"
	"homeward/internal/httpx"
)

// Default limits: a partner's outbox sends one message after another,
// a few a second at most after an outage; twice that is refused.
const (
	DefaultRate  = 2.0 // messages a second, per key and per address
	DefaultBurst = 60
)

// Inbox receives handoff messages.
type Inbox struct {
	Store handoff.ReceiveStore
	// PublicURL is where partners reach this instance (no trailing
	// slash): the target URI they signed is PublicURL + the request's
	// path. Empty: taken from the request (tests).
	PublicURL string
	Now       func() time.Time

	limit *httpx.Limiter
	tally *handoff.RefusalTally
}

// New returns an inbox that allows rate messages a second (in bursts of
// burst) per claimed key and per remote address; rate 0 means the
// defaults.
func New(store handoff.ReceiveStore, publicURL string, now func() time.Time, rate float64, burst int) *Inbox {
	if rate <= 0 {
		rate, burst = DefaultRate, DefaultBurst
	}
	return &Inbox{Store: store, PublicURL: publicURL, Now: now, limit: httpx.NewLimiter(rate, burst, now), tally: &handoff.RefusalTally{Now: now}}
}

func (in *Inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := homeward.NewContextWithActor(r.Context(), homeward.SystemActor)
	addr := homeward.ClientAddrFromContext(r.Context())
	rc := &handoff.Receiver{Store: in.Store, Now: in.Now, Source: addr, Tally: in.tally}
	if in.limit != nil {
		keyID := httpsig.ClaimedKeyID(r.Header)
		wait, ok := in.limit.Take("addr:" + addr)
		if keyID != "" {
			if kwait, kok := in.limit.Take("key:" + keyID); !kok {
				wait, ok = max(wait, kwait), false
			}
		}
		if !ok {
			// Counted with the other refusals; the answer is the 429.
			if err := rc.Refused(ctx, nil, keyID, homeward.Errorf(homeward.ERATELIMIT, "handoff.refused.rate_limited", "Too many messages.")); homeward.ErrorCode(err) != homeward.ERATELIMIT {
				httpx.Error(w, r, err)
				return
			}
			httpx.TooMany(w, r, wait)
			return
		}
	}
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpx.Error(w, r, homeward.Errorf(homeward.EMETHOD, "error.page.method", "This address cannot be used this way."))
		return
	}
	body, err := httpsig.ReadBody(r, handoff.MaxBody)
	if err != nil {
		httpx.Error(w, r, rc.Refused(ctx, nil, "", err))
		return
	}
	base := in.PublicURL
	if base == "" {
		scheme := "http"
		if r.TLS != nil {
			scheme = "https"
		}
		base = scheme + "://" + r.Host
	}
	m := httpsig.Message{Method: r.Method, TargetURI: strings.TrimRight(base, "/") + r.URL.RequestURI(), Header: r.Header}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		httpx.Error(w, r, rc.Refused(ctx, nil, "", &homeward.Error{Code: homeward.EINVALID, Key: "error.body.content_type", Message: "Send the body as application/json."}))
		return
	}
	ack, err := rc.Receive(ctx, m, body, handoff.Validity)
	if err != nil {
		httpx.Error(w, r, err)
		return
	}
	httpx.JSON(w, http.StatusOK, ack)
}

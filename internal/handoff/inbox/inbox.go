// Package inbox is the HTTP endpoint where partner instances deliver
// signed handoff messages (handoff.InboxPath). It verifies the signature
// against the partner's pinned key, the digest, the time window and the
// replay cache, checks the message against the agreement, and only then
// stores it. Every refusal is an RFC 9457 problem, stores nothing of the
// message, and is audited.
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

// Inbox receives handoff messages.
type Inbox struct {
	Store handoff.ReceiveStore
	// PublicURL is where partners reach this instance (no trailing
	// slash): the target URI they signed is PublicURL + the request's
	// path. Empty: taken from the request (tests).
	PublicURL string
	Now       func() time.Time
}

func (in *Inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := homeward.NewContextWithActor(r.Context(), homeward.SystemActor)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpx.Error(w, r, homeward.Errorf(homeward.EMETHOD, "error.page.method", "This address cannot be used this way."))
		return
	}
	rc := &handoff.Receiver{Store: in.Store, Now: in.Now}
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

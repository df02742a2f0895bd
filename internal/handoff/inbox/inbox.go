// Package inbox is the HTTP endpoint where partner instances deliver
// signed handoff messages (handoff.InboxPath). It verifies the signature
// against the partner's pinned key, the digest, the time window and the
// replay cache, checks the message against the agreement, and only then
// stores it. Every refusal is an RFC 9457 problem, stores nothing of the
// message, and is audited.
package inbox

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"strings"
	"time"

	"homeward"
	"homeward/internal/handoff"
	"homeward/internal/httpsig"
	"homeward/internal/httpx"
)

// Store is what the inbox needs of storage.
type Store interface {
	TrustedPartnerKey(ctx context.Context, keyID string) (ed25519.PublicKey, *handoff.Partner, error)
	RecordNonce(ctx context.Context, keyID, nonce string, until time.Time) error
	ReceiveHandoff(ctx context.Context, p *handoff.Partner, keyID string, env *handoff.Envelope) (bool, error)
	AuditHandoffRefusal(ctx context.Context, partnerID, keyID, reason string) error
}

// Inbox receives handoff messages.
type Inbox struct {
	Store Store
	// PublicURL is where partners reach this instance (no trailing
	// slash): the target URI they signed is PublicURL + the request's
	// path. Empty: taken from the request (tests).
	PublicURL string
	Now       func() time.Time
}

// Ack is the answer to a message stored (or already stored).
type Ack struct {
	ID     string `json:"id"`
	Status string `json:"status"` // received, duplicate
}

// refusals maps a verification failure to the error code and message
// key the partner receives.
var refusals = map[string]struct{ code, message string }{
	httpsig.ReasonUnknownKey:   {homeward.EUNAUTHORIZED, "The message is signed with a key this instance does not trust (unknown, not yet confirmed, or revoked)."},
	httpsig.ReasonBadSignature: {homeward.EUNAUTHORIZED, "The signature does not verify."},
	httpsig.ReasonExpired:      {homeward.EUNAUTHORIZED, "The signature has expired."},
	httpsig.ReasonFuture:       {homeward.EUNAUTHORIZED, "The signature was created in the future: check the sending server's clock."},
	httpsig.ReasonReplay:       {homeward.ECONFLICT, "This signature was already used (a replay): sign each delivery afresh."},
	httpsig.ReasonDigest:       {homeward.EINVALID, "The Content-Digest does not match the body."},
	httpsig.ReasonMalformed:    {homeward.EINVALID, "The signature headers are missing or malformed."},
	httpsig.ReasonCoverage:     {homeward.EINVALID, "The signature must cover @method, @target-uri, content-digest and content-type."},
	httpsig.ReasonTooLarge:     {homeward.ETOOLARGE, "The message is over the size limit."},
}

func (in *Inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := homeward.NewContextWithActor(r.Context(), homeward.SystemActor)
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		httpx.Error(w, r, homeward.Errorf(homeward.EMETHOD, "error.page.method", "This address cannot be used this way."))
		return
	}
	var partner *handoff.Partner
	keyID := ""
	refuse := func(err error) {
		reason := "invalid"
		var se *httpsig.Error
		if errors.As(err, &se) {
			reason = se.Reason
			rf := refusals[se.Reason]
			err = &homeward.Error{Code: rf.code, Key: "handoff.refused." + se.Reason, Message: rf.message}
		} else if e := (*homeward.Error)(nil); errors.As(err, &e) {
			reason = e.Key
		}
		pid := ""
		if partner != nil {
			pid = partner.ID
		}
		if homeward.ErrorCode(err) != homeward.EINTERNAL {
			if aerr := in.Store.AuditHandoffRefusal(ctx, pid, keyID, reason); aerr != nil {
				err = aerr
			}
		}
		httpx.Error(w, r, err)
	}
	body, err := httpsig.ReadBody(r, handoff.MaxBody)
	if err != nil {
		refuse(err)
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
	v := &httpsig.Verifier{
		Key: func(ctx context.Context, id string) (ed25519.PublicKey, error) {
			keyID = id
			pub, p, err := in.Store.TrustedPartnerKey(ctx, id)
			partner = p
			return pub, err
		},
		Now:    in.Now,
		MaxAge: handoff.Validity,
		Replay: in.Store.RecordNonce,
	}
	m := httpsig.Message{Method: r.Method, TargetURI: strings.TrimRight(base, "/") + r.URL.RequestURI(), Header: r.Header}
	if _, err := v.Verify(ctx, m, body); err != nil {
		refuse(err)
		return
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		refuse(&homeward.Error{Code: homeward.EINVALID, Key: "error.body.content_type", Message: "Send the body as application/json."})
		return
	}
	var env handoff.Envelope
	if err := httpx.DecodeJSONBytes(body, &env); err != nil {
		refuse(err)
		return
	}
	if k := r.Header.Get("Idempotency-Key"); k != "" && k != env.ID {
		refuse(homeward.FieldErrorf("id", "handoff.message.idempotency_mismatch", "The Idempotency-Key is not the message's id."))
		return
	}
	if err := handoff.CheckEnvelope(&env, partner.Fields); err != nil {
		refuse(err)
		return
	}
	dup, err := in.Store.ReceiveHandoff(ctx, partner, keyID, &env)
	if err != nil {
		refuse(err)
		return
	}
	ack := Ack{ID: env.ID, Status: "received"}
	if dup {
		ack.Status = "duplicate"
	}
	httpx.JSON(w, http.StatusOK, ack)
}

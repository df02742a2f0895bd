package handoff

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"time"

	"homeward"
	"homeward/internal/httpsig"
)

// ReceiveStore is what receiving a message needs of storage.
type ReceiveStore interface {
	TrustedPartnerKey(ctx context.Context, keyID string) (ed25519.PublicKey, *Partner, error)
	RecordNonce(ctx context.Context, keyID, nonce string, until time.Time) error
	ReceiveHandoff(ctx context.Context, p *Partner, keyID string, env *Envelope) (bool, error)
	AuditHandoffRefusal(ctx context.Context, r Refusal) error
}

// Refusal is what is audited of a refused message: who it claimed to be
// from and why; Repeated counts further refusals of the same reason from
// the same source that were not audited one by one (see RefusalTally).
type Refusal struct {
	PartnerID, KeyID, Source, Reason string
	Repeated                         int
	// Summary marks an event that stands only for Repeated refusals of
	// a source gone quiet, not for one refusal more.
	Summary bool
}

// Receiver checks and stores received messages, from the inbox or from
// an imported file, in one way: the signature against the partner's
// pinned key, the digest, the time window and the replay cache, then the
// message against the agreement. A refusal stores nothing of the message
// and is audited.
type Receiver struct {
	Store ReceiveStore
	Now   func() time.Time
	// Source names where the message came from when it claims no key
	// (the inbox: the remote address); Tally, when set, counts repeated
	// refusals instead of auditing each.
	Source string
	Tally  *RefusalTally
}

// Ack is the answer to a message stored (or already stored).
type Ack struct {
	ID     string `json:"id"`
	Status string `json:"status"` // received, duplicate
}

// refusals maps a verification failure to the error code and English
// message the partner receives (the key is handoff.refused.<reason>).
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

// Refused audits a refusal (who the message claimed to be from, when
// known, and why) and returns it as a coded error to answer with.
func (rc *Receiver) Refused(ctx context.Context, p *Partner, keyID string, err error) error {
	reason := "invalid"
	var se *httpsig.Error
	var he *homeward.Error
	if errors.As(err, &se) {
		reason = se.Reason
		rf := refusals[se.Reason]
		err = &homeward.Error{Code: rf.code, Key: "handoff.refused." + se.Reason, Message: rf.message}
	} else if errors.As(err, &he) {
		reason = he.Key
	} else {
		return err
	}
	ref := Refusal{KeyID: keyID, Source: rc.Source, Reason: reason}
	if p != nil {
		ref.PartnerID = p.ID
	}
	if rc.Tally != nil {
		source := "addr:" + rc.Source
		if keyID != "" {
			source = "key:" + keyID
		}
		audit, carried, stale := rc.Tally.Note(source, reason)
		for _, s := range stale {
			if aerr := rc.Store.AuditHandoffRefusal(ctx, Refusal{Source: s.Source, Reason: s.Reason, Repeated: s.Count, Summary: true}); aerr != nil {
				return aerr
			}
		}
		if !audit {
			return err
		}
		ref.Repeated = carried
	}
	if aerr := rc.Store.AuditHandoffRefusal(ctx, ref); aerr != nil {
		return aerr
	}
	return err
}

// Receive verifies the signed message (maxAge bounds how old its
// signature may be: minutes for the inbox, days for a file carried by
// hand), checks it against the partner's agreement and stores it.
func (rc *Receiver) Receive(ctx context.Context, m httpsig.Message, body []byte, maxAge time.Duration) (*Ack, error) {
	var partner *Partner
	keyID := ""
	// The nonce is recorded only once every check has passed: a message
	// refused for any reason — its signature, its partner's suspension,
	// a field outside the agreement — does not use it up, so that the
	// sender can correct and sign it again without a false replay, and
	// nobody can spend another sender's nonces.
	var nonce, nonceKey string
	var nonceUntil time.Time
	v := &httpsig.Verifier{
		Key: func(ctx context.Context, id string) (ed25519.PublicKey, error) {
			keyID = id
			pub, p, err := rc.Store.TrustedPartnerKey(ctx, id)
			partner = p
			return pub, err
		},
		Now:    rc.Now,
		MaxAge: maxAge,
		Replay: func(_ context.Context, k, n string, until time.Time) error {
			nonceKey, nonce, nonceUntil = k, n, until
			return nil
		},
	}
	if _, err := v.Verify(ctx, m, body); err != nil {
		return nil, rc.Refused(ctx, partner, keyID, err)
	}
	if partner.Status != PartnerActive {
		return nil, rc.Refused(ctx, partner, keyID, homeward.Errorf(homeward.EFORBIDDEN, "handoff.refused.suspended", "This instance has suspended exchanges with yours: nothing was stored."))
	}
	var env Envelope
	if err := decodeStrict(body, &env); err != nil {
		return nil, rc.Refused(ctx, partner, keyID, err)
	}
	if k := m.Header.Get("Idempotency-Key"); k != "" && k != env.ID {
		return nil, rc.Refused(ctx, partner, keyID, homeward.FieldErrorf("id", "handoff.message.idempotency_mismatch", "The Idempotency-Key is not the message's id."))
	}
	if err := CheckEnvelope(&env, partner.Fields); err != nil {
		return nil, rc.Refused(ctx, partner, keyID, err)
	}
	if err := rc.Store.RecordNonce(ctx, nonceKey, nonce, nonceUntil); errors.Is(err, httpsig.ErrReplay) {
		return nil, rc.Refused(ctx, partner, keyID, &httpsig.Error{Reason: httpsig.ReasonReplay, Detail: "the nonce was already used"})
	} else if err != nil {
		return nil, rc.Refused(ctx, partner, keyID, err)
	}
	dup, err := rc.Store.ReceiveHandoff(ctx, partner, keyID, &env)
	if err != nil {
		return nil, rc.Refused(ctx, partner, keyID, err)
	}
	ack := &Ack{ID: env.ID, Status: "received"}
	if dup {
		ack.Status = "duplicate"
	}
	return ack, nil
}

// decodeStrict reads one JSON value with no unknown fields: a field the
// message formats do not know is refused, not silently dropped.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, terr := dec.Token(); terr != io.EOF {
			err = errors.New("more than one JSON value")
		}
	}
	if err != nil {
		return &homeward.Error{Code: homeward.EINVALID, Key: "error.body.malformed", Args: map[string]any{"detail": err.Error()}, Message: "The request body is not valid JSON: " + err.Error()}
	}
	return nil
}

// File is a signed message carried as a file, for partners without a
// reachable inbox: the very request the inbox would have received — its
// target, signed headers and body — to import on the other side.
type File struct {
	Format    string            `json:"format"`
	Method    string            `json:"method"`
	TargetURI string            `json:"target_uri"`
	Headers   map[string]string `json:"headers"`
	Body      string            `json:"body"`
}

// FileFormat names the file format.
const FileFormat = "homeward-handoff-file/1"

// FileValidity is how long a signed file stays valid: long enough to be
// carried, short enough that an old file cannot be replayed forever.
const FileValidity = 30 * 24 * time.Hour

// fileHeaders are the headers a file keeps.
var fileHeaders = []string{"Content-Type", "Content-Digest", "Signature-Input", "Signature", "Idempotency-Key"}

// NewFile keeps a signed request and its body as a File.
func NewFile(method, target string, h map[string][]string, body []byte) *File {
	f := &File{Format: FileFormat, Method: method, TargetURI: target, Headers: map[string]string{}, Body: string(body)}
	for _, k := range fileHeaders {
		if v := h[k]; len(v) > 0 {
			f.Headers[k] = v[0]
		}
	}
	return f
}

// ReadFile parses an imported file (at most MaxBody plus room for the
// headers) into the message to verify and its body.
func ReadFile(raw []byte) (httpsig.Message, []byte, error) {
	var f File
	if err := decodeStrict(raw, &f); err != nil {
		return httpsig.Message{}, nil, err
	}
	if f.Format != FileFormat {
		return httpsig.Message{}, nil, homeward.FieldErrorf("file", "handoff.file.format", "This is not a signed handoff file.")
	}
	m := httpsig.Message{Method: f.Method, TargetURI: f.TargetURI, Header: map[string][]string{}}
	for _, k := range fileHeaders {
		if v, ok := f.Headers[k]; ok {
			m.Header[k] = []string{v}
		}
	}
	return m, []byte(f.Body), nil
}

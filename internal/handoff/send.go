package handoff

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net/http"
	"time"

	"homeward"
	"homeward/internal/httpsig"
)

// Validity is how long a signed message stays valid after it is signed.
const Validity = 5 * time.Minute

// Sender signs outbox messages and posts them to partners' inboxes.
type Sender struct {
	// Do sends the request and returns the answer's status: the
	// guarded webhook client's Do in serve, a test server's client in
	// tests.
	Do func(*http.Request) (int, error)
	// Now is the clock the signature's created and expires come from.
	Now func() time.Time
}

// Send signs m afresh (created now, a new nonce, expiring after
// Validity) and posts it with its id as the Idempotency-Key.
func (s *Sender) Send(ctx context.Context, m *Outbound) (int, error) {
	req, err := SignedRequest(ctx, m, s.Now())
	if err != nil {
		return 0, err
	}
	return s.Do(req)
}

// SignedRequest builds the signed POST of m to m.URL at instant now,
// valid for Validity.
func SignedRequest(ctx context.Context, m *Outbound, now time.Time) (*http.Request, error) {
	return SignedRequestFor(ctx, m, now, Validity)
}

// SignedRequestFor is SignedRequest valid for the given time (a file
// carried by hand is valid for FileValidity).
func SignedRequestFor(ctx context.Context, m *Outbound, now time.Time, validity time.Duration) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", m.ID)
	nonce := make([]byte, 16)
	_, _ = rand.Read(nonce)
	err = httpsig.SignRequest(req, m.Body, httpsig.Params{Created: now, Expires: now.Add(validity), Nonce: base64.RawURLEncoding.EncodeToString(nonce), KeyID: m.KeyID}, m.Key)
	return req, err
}

// Store is what the delivery worker needs of storage.
type Store interface {
	DeliverHandoffs(ctx context.Context, send func(context.Context, *Outbound) (int, error)) (int, error)
}

// Worker sends due outbox messages every Interval, as the system actor.
// Several serve processes may run one each: the store claims messages.
type Worker struct {
	Store    Store
	Send     func(context.Context, *Outbound) (int, error)
	Interval time.Duration // five seconds when zero
	Logger   *slog.Logger
}

// Start runs the worker until ctx ends; the returned function stops it
// and waits for a send in flight.
func (w *Worker) Start(ctx context.Context) (stop func()) {
	interval, log := w.Interval, w.Logger
	if interval <= 0 {
		interval = 5 * time.Second
	}
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(homeward.NewContextWithActor(ctx, homeward.SystemActor))
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if n, err := w.Store.DeliverHandoffs(ctx, w.Send); err != nil && ctx.Err() == nil {
				log.Warn("handoff delivery", "err", err)
			} else if n > 0 {
				log.Debug("handoff messages delivered", "count", n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

package webhook_test

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/webhook"
)

// blockingStore's DeliverWebhooks waits, as a send in flight would, until
// its context ends.
type blockingStore struct {
	mu       sync.Mutex
	expires  int
	started  chan struct{}
	finished bool
	system   bool
}

func (s *blockingStore) ExpireReferrals(ctx context.Context) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expires++
	return 0, nil
}

func (s *blockingStore) DeliverWebhooks(ctx context.Context, send referral.Sender) (int, error) {
	a := homeward.ActorFromContext(ctx)
	s.mu.Lock()
	s.system = a != nil && a.System
	s.mu.Unlock()
	close(s.started)
	<-ctx.Done()
	s.mu.Lock()
	s.finished = true
	s.mu.Unlock()
	return 0, ctx.Err()
}

// Stopping cancels the running delivery and returns only once it has
// returned; the shutdown is not logged as a failure.
func TestWorkerStop(t *testing.T) {
	st := &blockingStore{started: make(chan struct{})}
	var logs bytes.Buffer
	w := &webhook.Worker{Store: st, Send: webhook.New(webhook.Options{}).Send, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	stop := w.Start(context.Background())
	<-st.started
	stop()
	stop() // a second stop is harmless
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.finished {
		t.Error("stop returned while a delivery was running")
	}
	if st.expires != 1 || !st.system {
		t.Errorf("expire runs %d, as system %v", st.expires, st.system)
	}
	if strings.Contains(logs.String(), "level=WARN") {
		t.Errorf("shutdown logged as a failure: %s", logs.String())
	}
}

// The worker also stops when its parent context ends (serve's shutdown).
func TestWorkerStopsWithContext(t *testing.T) {
	st := &blockingStore{started: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	stop := (&webhook.Worker{Store: st, Send: webhook.New(webhook.Options{}).Send}).Start(ctx)
	<-st.started
	cancel()
	stop()
	st.mu.Lock()
	defer st.mu.Unlock()
	if !st.finished {
		t.Error("stop returned while a delivery was running")
	}
}

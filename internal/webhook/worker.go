package webhook

import (
	"context"
	"log/slog"
	"time"

	"homeward"
	"homeward/internal/referral"
)

// Store is what the worker needs of the referral service.
type Store interface {
	DeliverWebhooks(ctx context.Context, send referral.Sender) (int, error)
	ExpireReferrals(ctx context.Context) (int, error)
}

// Default intervals of the worker.
const (
	DefaultInterval = 5 * time.Second
	ExpireInterval  = time.Minute
)

// Worker sends due webhook deliveries every Interval and expires referrals
// not answered in time every ExpireEvery, as the system actor. Several
// serve processes may run one each: the store claims deliveries so that
// each is sent by one worker, and expiring is idempotent.
type Worker struct {
	Store       Store
	Send        referral.Sender
	Interval    time.Duration // DefaultInterval when zero
	ExpireEvery time.Duration // ExpireInterval when zero
	Logger      *slog.Logger  // slog.Default() when nil
}

// Start runs the worker until ctx ends: both jobs once at once, then on
// their intervals. The returned function stops it and waits until a
// running job has returned (a send in flight is cancelled and its delivery
// handed back). Call it once per process.
func (w *Worker) Start(ctx context.Context) (stop func()) {
	interval, expireEvery, log := w.Interval, w.ExpireEvery, w.Logger
	if interval <= 0 {
		interval = DefaultInterval
	}
	if expireEvery <= 0 {
		expireEvery = ExpireInterval
	}
	if log == nil {
		log = slog.Default()
	}
	ctx, cancel := context.WithCancel(homeward.NewContextWithActor(ctx, homeward.SystemActor))
	done := make(chan struct{})
	go func() {
		defer close(done)
		deliver := time.NewTicker(interval)
		defer deliver.Stop()
		expire := time.NewTicker(expireEvery)
		defer expire.Stop()
		w.expire(ctx, log)
		w.deliver(ctx, log)
		for {
			select {
			case <-ctx.Done():
				return
			case <-expire.C:
				w.expire(ctx, log)
			case <-deliver.C:
				w.deliver(ctx, log)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// deliver sends what is due. Errors are logged without the webhook's
// address or secret (the store's errors carry neither).
func (w *Worker) deliver(ctx context.Context, log *slog.Logger) {
	n, err := w.Store.DeliverWebhooks(ctx, w.Send)
	if err != nil && ctx.Err() == nil {
		log.Warn("webhook delivery", "err", err)
	}
	if n > 0 {
		log.Debug("webhooks delivered", "count", n)
	}
}

func (w *Worker) expire(ctx context.Context, log *slog.Logger) {
	n, err := w.Store.ExpireReferrals(ctx)
	if err != nil && ctx.Err() == nil {
		log.Warn("expire referrals", "err", err)
	}
	if n > 0 {
		log.Info("referrals expired", "count", n)
	}
}

package homewardtest

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"homeward/internal/dedupe"
)

// HeldLoads is a duplicate store whose loads of a whole organisation (People
// from the beginning) wait until Release is closed, fail while Fail is set,
// and are counted in Loads: an index that takes minutes to load, or whose
// database went away, in a test that takes milliseconds.
type HeldLoads struct {
	dedupe.Store
	Release chan struct{}
	Loads   *atomic.Int32
	Fail    *atomic.Bool
}

// NewHeldLoads returns store with its loads held until Release is closed.
func NewHeldLoads(store dedupe.Store) HeldLoads {
	return HeldLoads{Store: store, Release: make(chan struct{}), Loads: new(atomic.Int32), Fail: new(atomic.Bool)}
}

// ErrLoadFailed is what a load of HeldLoads returns while Fail is set.
var ErrLoadFailed = errors.New("the database went away")

// People is the store's, held, failed and counted as HeldLoads says.
func (s HeldLoads) People(ctx context.Context, orgID string, since time.Time, fn func(dedupe.Stored) error) error {
	if since.IsZero() {
		s.Loads.Add(1)
		if s.Fail.Load() {
			return ErrLoadFailed
		}
		select {
		case <-s.Release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return s.Store.People(ctx, orgID, since, fn)
}

// WaitHeld waits until a load of a whole organisation has reached the store
// (and so has counted the people it will read: the count comes first), at
// most a minute.
func (s HeldLoads) WaitHeld(t testing.TB) {
	t.Helper()
	for end := time.Now().Add(time.Minute); s.Loads.Load() == 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatal("no load reached the store within a minute")
		}
	}
}

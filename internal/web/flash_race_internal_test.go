package web

import (
	"sync"
	"testing"
)

// Two servers built at once (tests in parallel, or two UIs in one process)
// must not share the flash-message table: under -race this failed while
// the table was a package-level map written during route set-up.
func TestNewConcurrentlyNoSharedFlashState(t *testing.T) {
	var wg sync.WaitGroup
	uis := make([]*Web, 2)
	for i := range uis {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w, err := New(Services{})
			if err != nil {
				t.Error(err)
				return
			}
			uis[i] = w
		}()
	}
	wg.Wait()
	for _, w := range uis {
		if w == nil {
			t.Fatal("New failed")
		}
		for _, k := range []string{"org.saved", "referral.ui.sent_ok", "webhook.ui.deleted", "catalogue.saved"} {
			if !w.flashKeys[k] {
				t.Errorf("flash key %q not registered", k)
			}
		}
	}
}

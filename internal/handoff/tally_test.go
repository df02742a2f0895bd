package handoff_test

import (
	"testing"
	"time"

	"homeward/internal/handoff"
)

// TestRefusalTally: the first refusal of a source and reason in a window
// is audited, the rest are counted and carried into the next one
// audited, a source that went quiet has its count handed over as stale,
// and sources past the bound share one entry.
func TestRefusalTally(t *testing.T) {
	now := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	tl := &handoff.RefusalTally{Window: time.Minute, MaxSources: 3, Now: func() time.Time { return now }}
	note := func(source, reason string) (bool, int, []handoff.Repeated) {
		t.Helper()
		return tl.Note(source, reason)
	}
	if audit, carried, stale := note("key:a", "unknown_key"); !audit || carried != 0 || stale != nil {
		t.Fatalf("the first refusal: %v %d %v", audit, carried, stale)
	}
	for range 4 {
		if audit, _, _ := note("key:a", "unknown_key"); audit {
			t.Fatal("a repeat within the window was audited")
		}
	}
	if audit, _, _ := note("key:a", "expired"); !audit {
		t.Error("another reason from the same source is not a repeat")
	}
	if audit, _, _ := note("addr:b", "malformed"); !audit {
		t.Error("another source is not a repeat")
	}
	note("addr:b", "malformed")
	note("addr:b", "malformed")
	// The bound: a fourth source shares the "other" entry.
	if audit, _, _ := note("addr:c", "malformed"); !audit {
		t.Error("the first source past the bound was not audited")
	}
	if audit, _, _ := note("addr:d", "malformed"); audit {
		t.Error("a second source past the bound was audited apart")
	}

	now = now.Add(59 * time.Second)
	if audit, _, stale := note("key:a", "unknown_key"); audit || stale != nil {
		t.Errorf("still within the window: %v %v", audit, stale)
	}
	now = now.Add(time.Second)
	audit, carried, stale := note("key:a", "unknown_key")
	if !audit || carried != 5 {
		t.Errorf("after the window: audit %v carrying %d, want 5", audit, carried)
	}
	got := map[string]int{}
	for _, s := range stale {
		got[s.Source+" "+s.Reason] = s.Count
	}
	if len(got) != 2 || got["addr:b malformed"] != 2 || got[handoff.OtherSources+" malformed"] != 1 {
		t.Errorf("stale counts %v", got)
	}
	if _, _, stale := note("key:a", "unknown_key"); stale != nil {
		t.Errorf("stale counts handed over twice: %v", stale)
	}
}

package web_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"homeward"
	"homeward/internal/sqldb"
)

// Sign-in answers never tell whether an account exists: a known and an
// unknown address are refused, then throttled, alike (issue 12, finding 8).
func TestLoginThrottleTellsNoOneWhoExists(t *testing.T) {
	b, w := newBrowser(t)
	known := w.Users["ngo"][homeward.RoleCaseWorker].Email
	var statuses [2][]int
	var last [2]string
	for i, email := range []string{known, "nobody@shapla.test"} {
		for n := 0; n <= sqldb.AccountFreeFailures; n++ {
			status, page := b.post("/login", url.Values{"email": {email}, "password": {"wrong password"}})
			statuses[i] = append(statuses[i], status)
			last[i] = strings.ReplaceAll(page, email, "EMAIL")
		}
	}
	if got := statuses[0][len(statuses[0])-1]; got != 429 {
		t.Errorf("known account after %d failures: %d", sqldb.AccountFreeFailures, got)
	}
	if !slices.Equal(statuses[0], statuses[1]) {
		t.Errorf("statuses differ: known %v, unknown %v", statuses[0], statuses[1])
	}
	if last[0] != last[1] {
		t.Errorf("the throttled pages differ for a known and an unknown account")
	}
	if !strings.Contains(last[0], "Too many sign-in attempts.") {
		t.Errorf("throttled page: %.300s", last[0])
	}
}

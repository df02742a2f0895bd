package httpx

import (
	"math"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"homeward"
)

// errOverloaded answers a request that Shed turned away.
var errOverloaded = &homeward.Error{Code: homeward.EUNAVAILABLE, Key: "error.unavailable.overloaded",
	Message: "The server is busy with too many requests just now. Nothing was done; please try again in a moment."}

// Shed bounds the work in flight: at most limit requests are served at
// once; up to queue more wait, each at most wait, for one of them to end;
// any other request is answered at once 503 with Retry-After and a problem
// document, and does no work (load shedding). So a burst far above what the
// database sustains costs bounded memory and bounded waiting instead of a
// pile of requests that all time out. limit <= 0 is no bound. The health
// and readiness probes are never held back. stats, when not nil, counts
// what Shed did.
func Shed(limit, queue int, wait time.Duration, stats *ShedStats) func(http.Handler) http.Handler {
	if stats == nil {
		stats = &ShedStats{}
	}
	slots := make(chan struct{}, max(limit, 0))
	waiting := &stats.Waiting
	retry := strconv.Itoa(max(1, int(math.Ceil(wait.Seconds()))))
	refuse := func(w http.ResponseWriter, r *http.Request) {
		stats.Shed.Add(1)
		w.Header().Set("Retry-After", retry)
		Error(w, r, errOverloaded)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if limit <= 0 || r.URL.Path == "/healthz" || r.URL.Path == "/readyz" {
				next.ServeHTTP(w, r)
				return
			}
			select {
			case slots <- struct{}{}:
			default:
				if waiting.Add(1) > int64(queue) {
					waiting.Add(-1)
					refuse(w, r)
					return
				}
				t := time.NewTimer(wait)
				select {
				case slots <- struct{}{}:
					t.Stop()
					waiting.Add(-1)
					stats.Queued.Add(1)
				case <-t.C:
					waiting.Add(-1)
					refuse(w, r)
					return
				case <-r.Context().Done():
					t.Stop()
					waiting.Add(-1)
					return
				}
			}
			defer func() { <-slots }()
			stats.Served.Add(1)
			next.ServeHTTP(w, r)
		})
	}
}

// ShedStats counts what Shed did: requests served (Queued of them after
// waiting) and requests turned away; Waiting is how many wait now.
type ShedStats struct {
	Served, Queued, Shed, Waiting atomic.Int64
}

package httpx

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"homeward"
)

// RateLimit bounds how fast one API client may call /api/: a token bucket
// per token (or per user of a browser session), or per client address for
// requests without one, refilled at perSecond up to burst. A request over
// the limit is answered 429 with Retry-After and a problem document, and
// does no work. The buckets are in memory, per process: behind a load
// balancer each node allows the rate (document the effective limit as
// nodes × perSecond). Idle buckets are dropped so memory stays bounded.
func RateLimit(perSecond float64, burst int, now func() time.Time) func(http.Handler) http.Handler {
	l := NewLimiter(perSecond, burst, now)
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if perSecond <= 0 || !strings.HasPrefix(r.URL.Path, "/api/") {
				next.ServeHTTP(w, r)
				return
			}
			if wait, ok := l.Take(clientKey(r)); !ok {
				TooMany(w, r, wait)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// TooMany answers a request over its rate limit: 429 with Retry-After
// (whole seconds, at least one) and a problem document.
func TooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(max(1, int(math.Ceil(wait.Seconds())))))
	Error(w, r, &homeward.Error{Code: homeward.ERATELIMIT, Key: "error.rate_limited", Message: "Too many requests: slow down and retry after the time given in Retry-After."})
}

// NewLimiter returns token buckets by key, refilled at perSecond up to
// burst, in memory; idle buckets are dropped.
func NewLimiter(perSecond float64, burst int, now func() time.Time) *Limiter {
	return &Limiter{rate: perSecond, burst: float64(burst), now: now, buckets: map[string]*bucket{}}
}

// clientKey names whose bucket a request draws from.
func clientKey(r *http.Request) string {
	if a := homeward.ActorFromContext(r.Context()); a != nil && !a.System {
		if a.TokenID != "" {
			return "token:" + a.TokenID
		}
		if a.UserID != "" {
			return "user:" + a.UserID
		}
	}
	return "addr:" + homeward.ClientAddrFromContext(r.Context())
}

type bucket struct {
	tokens float64
	at     time.Time
}

// Limiter is a set of token buckets by key (see NewLimiter).
type Limiter struct {
	mu      sync.Mutex
	rate    float64
	burst   float64
	now     func() time.Time
	buckets map[string]*bucket
	swept   time.Time
}

// Take draws one token from key's bucket; when it is empty it reports how
// long until one is there.
func (l *Limiter) Take(key string) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if now.Sub(l.swept) > time.Minute {
		for k, b := range l.buckets {
			if now.Sub(b.at) > 10*time.Minute {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = math.Min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) / l.rate * float64(time.Second)), false
	}
	b.tokens--
	return 0, true
}

// HSTS tells browsers to use HTTPS only, for a year, on requests that came
// over TLS — directly, or (always, when behindTLS says the instance is only
// reached through an HTTPS proxy) through a proxy.
func HSTS(behindTLS bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if behindTLS || r.TLS != nil {
				w.Header().Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
			}
			next.ServeHTTP(w, r)
		})
	}
}

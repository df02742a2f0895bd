package httpx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"homeward"
)

// Chain applies middleware so that the first listed runs first.
func Chain(h http.Handler, mw ...func(http.Handler) http.Handler) http.Handler {
	for i := len(mw) - 1; i >= 0; i-- {
		h = mw[i](h)
	}
	return h
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
	w.ResponseWriter.WriteHeader(s)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Flush lets streamed exports reach the client as they are written.
func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// Unwrap gives http.ResponseController access to the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// RequestID gives every request an id (a client's X-Request-ID when it is
// short and plain, else a new one), echoes it, and puts it and a logger
// carrying it in the context.
func RequestID(base *slog.Logger) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			id := r.Header.Get("X-Request-ID")
			if !plainID(id) {
				b := make([]byte, 8)
				_, _ = rand.Read(b)
				id = hex.EncodeToString(b)
			}
			w.Header().Set("X-Request-ID", id)
			ctx := homeward.NewContextWithRequestID(r.Context(), id)
			ctx = context.WithValue(ctx, loggerKey{}, base.With("request_id", id))
			next.ServeHTTP(w, r.WithContext(ctx))
		})
	}
}

func plainID(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Metrics of the HTTP server.
var (
	requests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "homeward_http_requests_total", Help: "HTTP requests by route pattern, method and status.",
	}, []string{"route", "method", "status"})
	duration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name: "homeward_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
	}, []string{"route", "method"})
)

// Register adds the HTTP metrics to reg.
func Register(reg prometheus.Registerer) error {
	for _, c := range []prometheus.Collector{requests, duration} {
		if err := reg.Register(c); err != nil {
			if _, dup := err.(prometheus.AlreadyRegisteredError); !dup {
				return err
			}
		}
	}
	return nil
}

// Log logs each request (method, route, status, duration, size) and
// records metrics; it recovers from panics with a 500 problem.
func Log(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		route := new(string)
		r = r.WithContext(context.WithValue(r.Context(), routeKey{}, route))
		defer func() {
			p := recover()
			if p == http.ErrAbortHandler {
				// The handler chose to abort the response (a client that
				// went away mid-stream): let net/http close the connection.
				defer panic(p)
			} else if p != nil {
				LoggerFrom(r.Context()).Error("panic", "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
				if sw.status == 0 {
					Error(sw, r, fmt.Errorf("panic: %v", p))
				}
			}
			if sw.status == 0 {
				sw.status = http.StatusOK // a handler that wrote nothing sent an empty 200
			}
			if *route == "" {
				*route = "unmatched"
			}
			d := time.Since(start)
			requests.WithLabelValues(*route, r.Method, strconv.Itoa(sw.status)).Inc()
			duration.WithLabelValues(*route, r.Method).Observe(d.Seconds())
			level := slog.LevelInfo
			if sw.status >= 500 {
				level = slog.LevelError
			}
			LoggerFrom(r.Context()).Log(r.Context(), level, "request", "method", r.Method, "path", r.URL.Path, "route", *route,
				"status", sw.status, "bytes", sw.bytes, "duration_ms", float64(d.Microseconds())/1000)
		}()
		next.ServeHTTP(sw, r)
	})
}

// SecurityHeaders sets conservative browser security headers. Scripts come
// only from the server itself (htmx is embedded), never from a CDN.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		next.ServeHTTP(w, r)
	})
}

type routeKey struct{}

// RecordRoute wraps the innermost router: after it served the request, the
// matched pattern (set by ServeMux on the request) is handed to Log for its
// metrics labels, which must not be raw paths.
func RecordRoute(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		if p, ok := r.Context().Value(routeKey{}).(*string); ok {
			*p = r.Pattern
		}
	})
}

package httpx_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"homeward/internal/httpx"
)

// gate is a handler whose requests stay in flight until released.
type gate struct {
	entered chan string
	release chan struct{}
}

func newGate() *gate { return &gate{entered: make(chan string, 100), release: make(chan struct{})} }

func (g *gate) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	g.entered <- r.URL.Path
	if r.URL.Path != "/healthz" {
		<-g.release
	}
	w.WriteHeader(http.StatusNoContent)
}

// shedCall serves one request to path in lang.
func shedCall(ctx context.Context, h http.Handler, path, lang string) *httptest.ResponseRecorder {
	r := httptest.NewRequest("GET", path, nil).WithContext(httpx.WithLocale(ctx, lang))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// inFlight starts n requests to h and waits until they are in the handler.
func inFlight(t *testing.T, h http.Handler, g *gate, n int) (done chan *httptest.ResponseRecorder) {
	t.Helper()
	done = make(chan *httptest.ResponseRecorder, n)
	for range n {
		go func() { done <- shedCall(context.Background(), h, "/api/v1/people", "en") }()
	}
	for range n {
		<-g.entered
	}
	return done
}

func TestShedRefusesBeyondTheBound(t *testing.T) {
	g := newGate()
	stats := &httpx.ShedStats{}
	h := httpx.Shed(2, 0, 0, stats)(g)
	done := inFlight(t, h, g, 2)

	w := shedCall(context.Background(), h, "/people", "bn")
	if w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" ||
		w.Header().Get("Content-Type") != "application/problem+json" || !strings.Contains(w.Body.String(), "সার্ভার এই মুহূর্তে") ||
		!strings.Contains(w.Body.String(), `"code":"unavailable"`) {
		t.Fatalf("third request with two in flight and no queue: %d %q %s", w.Code, w.Header().Get("Retry-After"), w.Body)
	}
	// The probes are never held back.
	if w := shedCall(context.Background(), h, "/healthz", "en"); w.Code != http.StatusNoContent {
		t.Fatalf("/healthz when full: %d", w.Code)
	}
	<-g.entered
	close(g.release)
	for range 2 {
		if w := <-done; w.Code != http.StatusNoContent {
			t.Fatalf("a request in flight: %d", w.Code)
		}
	}
	// The slots are free again.
	if w := shedCall(context.Background(), h, "/people", "en"); w.Code != http.StatusNoContent {
		t.Fatalf("after the burst: %d %s", w.Code, w.Body)
	}
	if s, q, r := stats.Served.Load(), stats.Queued.Load(), stats.Shed.Load(); s != 3 || q != 0 || r != 1 {
		t.Fatalf("served %d, queued %d, shed %d; want 3, 0, 1", s, q, r)
	}
}

func TestShedQueue(t *testing.T) {
	g := newGate()
	stats := &httpx.ShedStats{}
	h := httpx.Shed(1, 1, time.Hour, stats)(g)
	first := inFlight(t, h, g, 1)

	// The second waits for a turn; the third finds the queue full and is
	// refused at once, with the wait as Retry-After (an hour, rounded up
	// to seconds).
	second := make(chan *httptest.ResponseRecorder, 1)
	go func() { second <- shedCall(context.Background(), h, "/api/v1/people", "en") }()
	for stats.Waiting.Load() != 1 {
		time.Sleep(time.Millisecond)
	}
	third := shedCall(context.Background(), h, "/api/v1/people", "en")
	if third.Code != http.StatusServiceUnavailable || third.Header().Get("Retry-After") != "3600" || !strings.Contains(third.Body.String(), "too many requests") {
		t.Fatalf("third with one in flight and one waiting: %d %q %s", third.Code, third.Header().Get("Retry-After"), third.Body)
	}
	g.release <- struct{}{}
	if w := <-first; w.Code != http.StatusNoContent {
		t.Fatalf("first: %d", w.Code)
	}
	<-g.entered
	g.release <- struct{}{}
	if w := <-second; w.Code != http.StatusNoContent {
		t.Fatalf("the queued request, once a turn was free: %d %s", w.Code, w.Body)
	}
	if s, q, r := stats.Served.Load(), stats.Queued.Load(), stats.Shed.Load(); s != 2 || q != 1 || r != 1 {
		t.Fatalf("served %d, queued %d, shed %d; want 2, 1, 1", s, q, r)
	}
}

func TestShedWaitEnds(t *testing.T) {
	g := newGate()
	stats := &httpx.ShedStats{}
	h := httpx.Shed(1, 5, 20*time.Millisecond, stats)(g)
	first := inFlight(t, h, g, 1)
	// No turn frees: after the wait the request is refused, not kept.
	if w := shedCall(context.Background(), h, "/api/v1/people", "en"); w.Code != http.StatusServiceUnavailable || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("after the wait: %d %q", w.Code, w.Header().Get("Retry-After"))
	}
	// A client that goes away while waiting frees its place, and its
	// request does nothing.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	h2 := httpx.Shed(1, 1, time.Hour, stats)(g)
	first2 := inFlight(t, h2, g, 1)
	if w := shedCall(ctx, h2, "/api/v1/people", "en"); w.Code != http.StatusOK || stats.Waiting.Load() != 0 {
		t.Fatalf("a client gone while waiting: %d written, %d still waiting", w.Code, stats.Waiting.Load())
	}
	gone := make(chan *httptest.ResponseRecorder, 1)
	go func() { gone <- shedCall(context.Background(), h2, "/api/v1/people", "en") }()
	close(g.release)
	for _, c := range []chan *httptest.ResponseRecorder{first, first2, gone} {
		if w := <-c; w.Code != http.StatusNoContent {
			t.Fatalf("in flight or queued after a client left: %d", w.Code)
		}
	}
	if q := stats.Queued.Load(); q > 1 {
		t.Fatalf("queued %d", q)
	}
}

func TestShedNoBound(t *testing.T) {
	g := newGate()
	h := httpx.Shed(0, 0, 0, nil)(g)
	done := inFlight(t, h, g, 50)
	close(g.release)
	for range 50 {
		if w := <-done; w.Code != http.StatusNoContent {
			t.Fatalf("without a bound: %d", w.Code)
		}
	}
}

// BenchmarkShedBurst sends a burst of many concurrent clients at a handler
// that takes 2 ms (a database write) behind Shed(8, 16, 50ms), and reports
// the share of requests shed and the latency of answers, served and shed.
// go test ./internal/httpx -run XXX -bench ShedBurst -benchtime 5000x
func BenchmarkShedBurst(b *testing.B) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond)
		w.WriteHeader(http.StatusNoContent)
	})
	stats := &httpx.ShedStats{}
	h := httpx.Shed(8, 16, 50*time.Millisecond, stats)(slow)
	var mu sync.Mutex
	var served, shed []time.Duration
	b.SetParallelism(64) // 64 × GOMAXPROCS clients at once
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			start := time.Now()
			w := shedCall(context.Background(), h, "/api/v1/people", "en")
			d := time.Since(start)
			mu.Lock()
			if w.Code == http.StatusServiceUnavailable {
				shed = append(shed, d)
			} else {
				served = append(served, d)
			}
			mu.Unlock()
		}
	})
	b.StopTimer()
	p99 := func(ds []time.Duration) float64 {
		if len(ds) == 0 {
			return 0
		}
		slices.Sort(ds)
		return float64(ds[len(ds)*99/100].Microseconds()) / 1000
	}
	b.ReportMetric(float64(len(shed))/float64(b.N)*100, "%shed")
	b.ReportMetric(p99(served), "served-p99-ms")
	b.ReportMetric(p99(shed), "shed-p99-ms")
}

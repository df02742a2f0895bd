package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/i18n"
	"homeward/internal/referral"
	"homeward/internal/webhook"
)

// clock is a settable time for db.Now, safe to read from the HTTP
// receivers' goroutines.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func (c *clock) Add(d time.Duration) { c.Set(c.Now().Add(d)) }

func useClock(t *testing.T, w *refWorld) *clock {
	t.Helper()
	real := w.DB.Now
	c := &clock{t: real()}
	w.DB.Now = c.Now
	t.Cleanup(func() { w.DB.Now = real })
	return c
}

// receiver is an httptest server that records what it receives and
// answers with status.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	status int
	got    []*http.Request
	bodies [][]byte
}

func newReceiver(t *testing.T, status int) *receiver {
	t.Helper()
	rc := &receiver{status: status}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		rc.mu.Lock()
		rc.got, rc.bodies = append(rc.got, r), append(rc.bodies, b)
		st := rc.status
		rc.mu.Unlock()
		w.WriteHeader(st)
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) hits() int { rc.mu.Lock(); defer rc.mu.Unlock(); return len(rc.got) }

// received returns the requests and bodies received so far.
func (rc *receiver) received() ([]*http.Request, [][]byte) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]*http.Request(nil), rc.got...), append([][]byte(nil), rc.bodies...)
}

func (w *refWorld) hook(t *testing.T, url string) *referral.Webhook {
	t.Helper()
	h := &referral.Webhook{URL: url}
	if err := w.DB.CreateWebhook(w.as("provider", homeward.RoleAdministrator), h); err != nil {
		t.Fatalf("webhook %s: %v", url, err)
	}
	return h
}

// Creating a webhook applies the sender's rule (webhook.CheckURL) with the
// database's WebhookAllowPrivate, and says why an address is refused in the
// user's language.
func TestCreateWebhookURLRule(t *testing.T) {
	w := newRefWorld(t)
	admin := w.as("provider", homeward.RoleAdministrator)
	const (
		invalid     = "referral.webhook.url"
		credentials = "referral.webhook.url_credentials"
		insecure    = "referral.webhook.url_https"
		private     = "referral.webhook.url_private"
	)
	tests := []struct {
		url          string
		allowPrivate bool
		wantKey      string // "" when created
	}{
		{"https://partner.example/hook", false, ""},
		{"  https://partner.example/hook?token=t0ken  ", false, ""},
		{"https://mis.partner.example/hook", false, ""}, // names are not resolved
		{"http://partner.example/hook", false, insecure},
		{"http://partner.example/hook", true, insecure},
		{"http://localhost/hook", false, private},
		{"http://localhost:8080/hook", true, ""},
		{"http://127.0.0.1:8080/hook", false, private},
		{"http://127.0.0.1:8080/hook", true, ""},
		{"http://[::1]:8080/hook", false, private},
		{"http://10.0.0.5/hook", true, insecure},
		{"https://10.0.0.5/hook", false, private},
		{"https://10.0.0.5/hook", true, ""},
		{"https://192.168.1.10/hook", false, private},
		{"https://169.254.169.254/latest/meta-data/", false, private},
		{"https://[::1]/hook", false, private},
		{"https://[fd00::1]/hook", false, private},
		{"https://user:pass@partner.example/hook", false, credentials},
		{"https://user:pass@localhost/hook", true, credentials},
		{"https://partner.example/" + strings.Repeat("a", 500), false, invalid},
		{"ftp://partner.example/hook", false, invalid},
		{"partner.example/hook", false, invalid},
		{"", false, invalid},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%.50s/allowPrivate=%v", tt.url, tt.allowPrivate), func(t *testing.T) {
			w.DB.WebhookAllowPrivate = tt.allowPrivate
			h := &referral.Webhook{URL: tt.url}
			err := w.DB.CreateWebhook(admin, h)
			if tt.wantKey == "" {
				if err != nil || h.ID == "" || h.URL != strings.TrimSpace(tt.url) {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *homeward.Error
			if !errors.As(err, &e) || e.Code != homeward.EINVALID || e.Field != "url" || e.Key != tt.wantKey {
				t.Fatalf("got %v, want field error %s on url", err, tt.wantKey)
			}
			en, bn := i18n.Error("en", err), i18n.Error("bn", err)
			if en != e.Message || bn == en || !i18n.Has(e.Key) || strings.Contains(en, "{") || strings.Contains(bn, "{") {
				t.Errorf("messages: en %q (error says %q), bn %q", en, e.Message, bn)
			}
		})
	}
	w.DB.WebhookAllowPrivate = false
	hooks, err := w.DB.FindWebhooks(admin)
	if err != nil {
		t.Fatal(err)
	}
	created := 0
	for _, tt := range tests {
		if tt.wantKey == "" {
			created++
		}
	}
	if len(hooks) != created {
		t.Errorf("%d webhooks stored, want %d", len(hooks), created)
	}
}

func (w *refWorld) deliveries(t *testing.T, h *referral.Webhook) []referral.WebhookDelivery {
	t.Helper()
	log, err := w.DB.WebhookDeliveries(w.as("provider", homeward.RoleAdministrator), h.ID)
	if err != nil {
		t.Fatal(err)
	}
	return log
}

// Over real HTTP: the good receiver gets a body it can verify with the
// webhook's secret, with the delivery id; the failing one is retried on
// the back-off schedule, every attempt logged, until it is given up.
func TestWebhookHTTPDeliveryAndBackoff(t *testing.T) {
	w := newRefWorld(t)
	w.DB.WebhookAllowPrivate = true // the receivers listen on loopback
	clk := useClock(t, w)
	good, bad := newReceiver(t, http.StatusNoContent), newReceiver(t, http.StatusInternalServerError)
	goodHook, badHook := w.hook(t, good.URL+"/hook"), w.hook(t, bad.URL+"/hook")
	w.offer(t, "skills_training", 0)
	w.send(t, w.returnee(t, "9334567890", w.Provider.ID), "skills_training")

	send := webhook.New(webhook.Options{AllowPrivate: true}).Send
	sys := homewardtest.SystemCtx()
	if n, err := w.DB.DeliverWebhooks(sys, send); err != nil || n != 1 {
		t.Fatalf("first run: %d %v", n, err)
	}
	if good.hits() != 1 || bad.hits() != 1 {
		t.Fatalf("hits: good %d, bad %d", good.hits(), bad.hits())
	}
	reqs, bodies := good.received()
	r := reqs[0]
	if !referral.Verify([]byte(goodHook.Secret), r.Header.Get(referral.SignatureHeader), bodies[0], clk.Now(), 5*time.Minute) {
		t.Errorf("signature does not verify: %q", r.Header.Get(referral.SignatureHeader))
	}
	if referral.Verify([]byte(badHook.Secret), r.Header.Get(referral.SignatureHeader), bodies[0], clk.Now(), 5*time.Minute) {
		t.Error("signature verifies with another webhook's secret")
	}
	glog := w.deliveries(t, goodHook)
	if len(glog) != 1 || glog[0].Status != "delivered" || r.Header.Get(referral.DeliveryHeader) != glog[0].ID || r.Header.Get("Idempotency-Key") != glog[0].ID ||
		r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s %v, log %+v", r.Method, r.Header, glog)
	}

	// Each retry falls due exactly after its back-off step, not before.
	for i, wait := range referral.Backoff {
		clk.Add(wait - time.Second)
		if _, err := w.DB.DeliverWebhooks(sys, send); err != nil || bad.hits() != i+1 {
			t.Fatalf("step %d: retried %s early (%v, %d hits)", i, time.Second, err, bad.hits())
		}
		clk.Add(time.Second)
		if _, err := w.DB.DeliverWebhooks(sys, send); err != nil || bad.hits() != i+2 {
			t.Fatalf("step %d: not retried after %s (%v, %d hits)", i, wait, err, bad.hits())
		}
	}
	clk.Add(48 * time.Hour)
	if _, err := w.DB.DeliverWebhooks(sys, send); err != nil || bad.hits() != len(referral.Backoff)+1 {
		t.Fatalf("sent after giving up: %v %d", err, bad.hits())
	}
	blog := w.deliveries(t, badHook)
	if len(blog) != 1 {
		t.Fatalf("bad log: %+v", blog)
	}
	d := blog[0]
	if d.Status != "failed" || d.NextAt != nil || d.Attempts != len(referral.Backoff)+1 || d.LastStatus != 500 || len(d.Log) != d.Attempts {
		t.Fatalf("given up: %+v", d)
	}
	for i, a := range d.Log {
		if a.Attempt != i+1 || a.StatusCode != 500 {
			t.Errorf("attempt %d: %+v", i, a)
		}
		if i > 0 && a.At.Sub(d.Log[i-1].At) != referral.Backoff[i-1] {
			t.Errorf("attempt %d came %s after the previous, want %s", a.Attempt, a.At.Sub(d.Log[i-1].At), referral.Backoff[i-1])
		}
	}
}

// The default client refuses loopback destinations: a webhook created
// while they were allowed, delivered after the server was restarted
// without --webhook-allow-private, fails without reaching the receiver and
// the log says why.
func TestWebhookPrivateDestinationRefused(t *testing.T) {
	w := newRefWorld(t)
	rc := newReceiver(t, http.StatusOK)
	w.DB.WebhookAllowPrivate = true
	h := w.hook(t, rc.URL)
	w.DB.WebhookAllowPrivate = false
	w.offer(t, "skills_training", 0)
	w.send(t, w.returnee(t, "9434567890", w.Provider.ID), "skills_training")
	if n, err := w.DB.DeliverWebhooks(homewardtest.SystemCtx(), webhook.New(webhook.Options{}).Send); err != nil || n != 0 {
		t.Fatalf("deliver: %d %v", n, err)
	}
	if rc.hits() != 0 {
		t.Fatal("a loopback receiver was reached")
	}
	log := w.deliveries(t, h)
	if len(log) != 1 || log[0].Status != "pending" || len(log[0].Log) != 1 || log[0].Log[0].StatusCode != 0 || !strings.Contains(log[0].Log[0].Error, "not allowed") {
		t.Errorf("log: %+v", log)
	}
	if strings.Contains(log[0].LastError, rc.URL) {
		t.Errorf("error shows the address: %s", log[0].LastError)
	}
}

// A delivery being sent is claimed: another worker finds nothing to send
// meanwhile, and a send cut short by shutdown hands the delivery back
// without counting an attempt.
func TestWebhookClaim(t *testing.T) {
	w := newRefWorld(t)
	h := w.hook(t, "https://partner.example/hook")
	w.offer(t, "skills_training", 0)
	w.send(t, w.returnee(t, "9534567890", w.Provider.ID), "skills_training")
	sys := homewardtest.SystemCtx()

	ctx, cancel := context.WithCancel(sys)
	n, err := w.DB.DeliverWebhooks(ctx, func(ctx context.Context, m referral.Message) (int, error) {
		other := 0
		if _, err := w.DB.DeliverWebhooks(sys, func(context.Context, referral.Message) (int, error) { other++; return 200, nil }); err != nil || other != 0 {
			t.Errorf("a second worker sent a claimed delivery: %d %v", other, err)
		}
		cancel() // shutdown while the request is in flight
		<-ctx.Done()
		return 0, ctx.Err()
	})
	if !errors.Is(err, context.Canceled) || n != 0 {
		t.Fatalf("interrupted: %d %v", n, err)
	}
	log := w.deliveries(t, h)
	if len(log) != 1 || log[0].Status != "pending" || log[0].Attempts != 0 || len(log[0].Log) != 0 || log[0].NextAt == nil || log[0].NextAt.After(w.DB.Now()) {
		t.Fatalf("not handed back: %+v", log)
	}
	if n, err := w.DB.DeliverWebhooks(sys, func(context.Context, referral.Message) (int, error) { return 200, nil }); err != nil || n != 1 {
		t.Fatalf("after hand-back: %d %v", n, err)
	}
}

// Workers running together (several goroutines here; several processes
// in production) send every delivery exactly once.
func TestWebhookConcurrentWorkers(t *testing.T) {
	w := newRefWorld(t)
	w.hook(t, "https://a.example/hook")
	w.hook(t, "https://b.example/hook")
	w.offer(t, "skills_training", 0)
	for _, nid := range []string{"9634567890", "9634567891", "9634567892"} {
		w.send(t, w.returnee(t, nid, w.Provider.ID), "skills_training")
	}
	var mu sync.Mutex
	seen := map[string]int{}
	send := func(_ context.Context, m referral.Message) (int, error) {
		mu.Lock()
		seen[m.DeliveryID]++
		mu.Unlock()
		return 200, nil
	}
	var wg sync.WaitGroup
	total := make(chan int, 4)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := w.DB.DeliverWebhooks(homewardtest.SystemCtx(), send)
			if err != nil {
				t.Error(err)
			}
			total <- n
		}()
	}
	wg.Wait()
	close(total)
	sum := 0
	for n := range total {
		sum += n
	}
	if len(seen) != 6 || sum != 6 {
		t.Fatalf("%d deliveries sent, %d counted: %v", len(seen), sum, seen)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("delivery %s sent %d times", id, n)
		}
	}
}

// workerStore tells the test when the worker has run each job (-1: it
// failed).
type workerStore struct {
	webhook.Store
	expired, delivered chan int
}

func (s *workerStore) ExpireReferrals(ctx context.Context) (int, error) {
	n, err := s.Store.ExpireReferrals(ctx)
	s.expired <- result(n, err)
	return n, err
}

func (s *workerStore) DeliverWebhooks(ctx context.Context, send referral.Sender) (int, error) {
	n, err := s.Store.DeliverWebhooks(ctx, send)
	s.delivered <- result(n, err)
	return n, err
}

func result(n int, err error) int {
	if err != nil {
		return -1
	}
	return n
}

// The background worker expires a referral past its deadline without
// anyone reading a list (audited, on the timeline) and delivers the
// events to a real receiver; it stops when asked.
func TestWorkerExpiresAndDelivers(t *testing.T) {
	w := newRefWorld(t)
	w.DB.WebhookAllowPrivate = true // the receiver listens on loopback
	clk := useClock(t, w)
	rc := newReceiver(t, http.StatusOK)
	h := w.hook(t, rc.URL)
	w.offer(t, "skills_training", 0)
	rec := w.returnee(t, "9834567890", w.Provider.ID)
	r := w.send(t, rec, "skills_training")
	clk.Add(r.RespondBy.Sub(clk.Now()) + time.Second)

	st := &workerStore{Store: w.DB, expired: make(chan int, 10), delivered: make(chan int, 10)}
	wk := &webhook.Worker{Store: st, Send: webhook.New(webhook.Options{AllowPrivate: true}).Send, Interval: time.Hour, ExpireEvery: time.Hour}
	stop := wk.Start(context.Background())
	expired, delivered := <-st.expired, <-st.delivered
	stop()
	if expired != 1 || delivered != 2 {
		t.Fatalf("expired %d, delivered %d", expired, delivered)
	}
	got, err := w.DB.FindReferral(w.as("ngo", homeward.RoleCaseWorker), r.ID)
	if err != nil || got.State != referral.StateExpired || got.History[len(got.History)-1].By != "system" {
		t.Fatalf("not expired: %v %+v", err, got)
	}
	if !strings.Contains(strings.Join(timelineKinds(t, w, rec.Case.ID), " "), "referral_expired") {
		t.Error("expiry not on the timeline")
	}
	evs, _, err := w.DB.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{RecordID: &r.ID, Limit: 50})
	found := false
	for _, e := range evs {
		found = found || e.Action == "referral.expired"
	}
	if err != nil || !found {
		t.Errorf("expiry not audited: %v", err)
	}
	var types []string
	_, bodies := rc.received()
	for _, b := range bodies {
		for _, typ := range []string{"referral.sent", "referral.expired"} {
			if strings.Contains(string(b), `"type":"`+typ+`"`) {
				types = append(types, typ)
			}
		}
	}
	if strings.Join(types, " ") != "referral.sent referral.expired" {
		t.Errorf("received %v", types)
	}
	if log := w.deliveries(t, h); len(log) != 2 || log[0].Status != "delivered" || log[1].Status != "delivered" {
		t.Errorf("log: %+v", log)
	}
}

// Workers of several processes expiring at once expire each referral
// once: one audit event and one timeline entry each.
func TestConcurrentExpiry(t *testing.T) {
	w := newRefWorld(t)
	clk := useClock(t, w)
	w.offer(t, "skills_training", 0)
	var refs []*referral.Referral
	var cases []string
	for _, nid := range []string{"9934567890", "9934567891", "9934567892"} {
		rec := w.returnee(t, nid, w.Provider.ID)
		refs = append(refs, w.send(t, rec, "skills_training"))
		cases = append(cases, rec.Case.ID)
	}
	clk.Add(refs[len(refs)-1].RespondBy.Sub(clk.Now()) + time.Second)
	var wg sync.WaitGroup
	counts := make(chan int, 3)
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			n, err := w.DB.ExpireReferrals(homewardtest.SystemCtx())
			if err != nil {
				t.Error(err)
			}
			counts <- n
		}()
	}
	wg.Wait()
	close(counts)
	sum := 0
	for n := range counts {
		sum += n
	}
	if sum != len(refs) {
		t.Errorf("%d expiries counted, want %d", sum, len(refs))
	}
	for i, r := range refs {
		evs, _, err := w.DB.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{RecordID: &r.ID, Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		expired := 0
		for _, e := range evs {
			if e.Action == "referral.expired" {
				expired++
			}
		}
		if n := strings.Count(strings.Join(timelineKinds(t, w, cases[i]), " "), "referral_expired"); expired != 1 || n != 1 {
			t.Errorf("referral %d: %d audit events, %d timeline entries", i, expired, n)
		}
	}
}

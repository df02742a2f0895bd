package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"homeward"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// listeningURL finds the address in serve's "listening" log line.
var listeningURL = regexp.MustCompile(`msg=listening url=(http://[^ ]+)`)

// registrationBody is registration i with its consents, as JSON.
func registrationBody(i int) []byte {
	reg := benchRegistration(i)
	reg.Consents = []registry.Consent{
		{Purpose: registry.PurposeRegistration, Method: registry.MethodSignedForm},
		{Purpose: registry.PurposeResearch, Method: registry.MethodSignedForm},
	}
	b, _ := json.Marshal(reg)
	return b
}

// benchRecover measures, on a seeded database (bench seed), what a real
// `homeward serve` process does: registrations through the API with
// concurrent clients, searches through the API (and the process's peak
// resident memory meanwhile), and, round after round, the time from a
// kill -9 under registration load to listening, to /readyz answering 200
// and to the first registration acknowledged again. At the end it checks
// that every acknowledged registration is stored.
func benchRecover(ctx context.Context, p *program, args []string) error {
	fs := p.flagSet("bench recover", "bench recover [--data-dir DIR | --database postgres://…] [--rounds 3] [--workers 8] [--load 10s] [--searches 2000] [--scanned] [--index]")
	database := fs.String("database", "", "postgres://… (default: SQLite in --data-dir)")
	dir := fs.String("data-dir", "data", "directory of the SQLite database (and of the keys, on either backend)")
	cache := fs.Int("sqlite-cache-mb", sqldb.DefaultCacheMB, "serve's --sqlite-cache-mb")
	rounds := fs.Int("rounds", 3, "kills")
	workers := fs.Int("workers", 8, "concurrent API clients")
	loadFor := fs.Duration("load", 10*time.Second, "registration load measured before each kill")
	searches := fs.Int("searches", 2000, "searches by name through the API before the first kill (0: none)")
	bin := fs.String("bin", "", "the homeward binary to serve with (default: this one)")
	scanned := fs.Bool("scanned", false, "count the organisation's people as already scanned for duplicates, as on a running system (see bench nodes)")
	withIndex := fs.Bool("index", false, "before measuring, have serve load the organisation's duplicate index (asking its duplicate check until it answers) and print the time and memory that took; the serve's peak RSS is then reset, so that the figures after are those of a serve holding the index, as a running system's does")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	if *rounds < 0 || *workers < 1 || *loadFor <= 0 || *searches < 0 {
		return usageError{"bench recover: --rounds, --searches ≥ 0, --workers ≥ 1, --load > 0"}
	}
	if *bin == "" {
		exe, err := os.Executable()
		if err != nil {
			return err
		}
		*bin = exe
	}
	db, err := openBenchDBWith(ctx, *database, *dir, sqldb.Options{CacheMB: *cache})
	if err != nil {
		return err
	}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	actx, err := benchActor(sys, db, false)
	if err != nil {
		db.Close()
		return err
	}
	a := homeward.ActorFromContext(actx)
	var people int
	var names []string
	err = db.Transact(sys, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(`SELECT COUNT(*) FROM people WHERE org_id = ?`, a.OrgID).Scan(&people); err != nil {
			return err
		}
		names, err = benchNames(tx, a.OrgID, 5000)
		return err
	})
	tok := &homeward.APIToken{Name: "bench recover", Scopes: []homeward.Scope{homeward.ScopeWrite, homeward.ScopeRead}}
	if err == nil {
		err = db.CreateToken(sys, a.UserID, tok)
	}
	if err == nil && *scanned {
		err = markScanned(sys, db, a.OrgID)
	}
	db.Close()
	if err != nil {
		return err
	}
	var dbBytes int64
	if *database == "" {
		for _, f := range []string{"homeward.db", "homeward.db-wal"} {
			if st, err := os.Stat(filepath.Join(*dir, f)); err == nil {
				dbBytes += st.Size()
			}
		}
	}
	fmt.Fprintf(p.stdout, "%s people in the bench organisation; database files %.2f GB; load average %s\n", strconv.Itoa(people), float64(dbBytes)/1e9, loadAverage())
	if *database == "" {
		raw, err := rawSQLiteRate(ctx, filepath.Join(*dir, "raw-recover.db"), 5000)
		for _, f := range []string{"raw-recover.db", "raw-recover.db-wal", "raw-recover.db-shm"} {
			os.Remove(filepath.Join(*dir, f))
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(p.stdout, "raw SQLite single-row transactions on the same disk: %.0f/s\n", raw)
	}

	logf, err := os.CreateTemp("", "homeward-recover-*.log")
	if err != nil {
		return err
	}
	defer logf.Close()
	srv := &recoverServer{bin: *bin, log: logf, args: []string{"serve", "--addr", "127.0.0.1:0", "--data-dir", *dir,
		"--sqlite-cache-mb", strconv.Itoa(*cache), "--indicators-interval", "0", "--api-rate", "0"}}
	if *database != "" {
		srv.args = append(srv.args, "--database", *database)
	}
	fmt.Fprintf(p.stdout, "serve's log: %s\n", logf.Name())
	listen, err := srv.start()
	if err != nil {
		return err
	}
	defer srv.kill()
	fmt.Fprintf(p.stdout, "serve started: listening after %s\n", listen.Round(time.Millisecond))

	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: *workers}}
	if *withIndex {
		took, err := srv.loadIndex(ctx, client, tok.Secret, 30*time.Minute)
		if err != nil {
			return err
		}
		rss := srv.rss()
		fmt.Fprintf(p.stdout, "duplicate index loaded by serve in %s; serve's RSS then %s, peak %s; peak reset: %v\n",
			took.Round(time.Millisecond), rss, srv.peakRSS(), srv.resetPeak())
	}
	if *searches > 0 && len(names) > 0 {
		lat, el, failed := recoverSearches(client, srv, tok.Secret, names, *searches, *workers)
		fmt.Fprintf(p.stdout, "search by name through the API: %d in %s with %d clients: %.0f/s; p50 %s p95 %s p99 %s max %s; %d failed; serve's peak RSS %s; load average %s\n",
			*searches, el.Round(time.Millisecond), *workers, float64(*searches)/el.Seconds(), lat.at(.5), lat.at(.95), lat.at(.99), lat.at(1), failed, srv.peakRSS(), loadAverage())
	}

	l := &recoverLoad{next: int64(people) + 10_000_000}
	lctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for range *workers {
		wg.Go(func() { l.client(lctx, client, srv, tok.Secret) })
	}
	defer func() { stop(); wg.Wait() }()
	for r := 1; r <= max(*rounds, 1); r++ {
		t0 := time.Now()
		time.Sleep(*loadFor)
		rate, p50, p99, n := l.window(t0, time.Now())
		fmt.Fprintf(p.stdout, "round %d: registrations through the API, %d clients: %d in %s: %.0f/s; p50 %s p99 %s; serve's peak RSS %s; load average %s\n",
			r, *workers, n, loadFor.String(), rate, p50, p99, srv.peakRSS(), loadAverage())
		if *rounds == 0 {
			break
		}
		kill := time.Now()
		srv.kill()
		if _, err := srv.start(); err != nil {
			return err
		}
		listening := time.Now()
		ready := srv.waitReady(client, 10*time.Minute)
		first := l.firstAfter(kill, 10*time.Minute)
		fmt.Fprintf(p.stdout, "round %d: kill -9 under load, started again at once; from the kill: listening %s, /readyz 200 %s, first registration acknowledged %s\n",
			r, listening.Sub(kill).Round(time.Millisecond), ready.Sub(kill).Round(time.Millisecond), first.Sub(kill).Round(time.Millisecond))
	}
	stop()
	wg.Wait()
	srv.kill()

	// Every acknowledged registration is stored: its person and its case.
	db, err = openBenchDBWith(ctx, *database, *dir, sqldb.Options{CacheMB: *cache})
	if err != nil {
		return err
	}
	defer db.Close()
	acks := l.acked()
	missing := 0
	err = db.Transact(sys, func(tx *sqldb.Tx) error {
		for lo := 0; lo < len(acks); lo += 400 {
			part := acks[lo:min(lo+400, len(acks))]
			args := []any{a.OrgID}
			for _, k := range part {
				args = append(args, k.Case.ID)
			}
			var n int
			q := `SELECT COUNT(*) FROM cases c JOIN people p ON p.id = c.person_id AND p.org_id = c.org_id WHERE c.org_id = ? AND c.id IN (?` + strings.Repeat(",?", len(part)-1) + `)`
			if err := tx.QueryRow(q, args...).Scan(&n); err != nil {
				return err
			}
			missing += len(part) - n
		}
		return nil
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "%d registrations sent, %d acknowledged, %d sent without an answer (killed), %d other answers; acknowledged but not stored: %d\n",
		l.sent.Load(), len(acks), l.unanswered.Load(), l.other.Load(), missing)
	if missing > 0 {
		return fmt.Errorf("bench recover: %d acknowledged registrations are not stored", missing)
	}
	return nil
}

// benchNames returns up to limit names ("given family") of org's people.
func benchNames(tx *sqldb.Tx, org string, limit int) ([]string, error) {
	rows, err := tx.Query(`SELECT given_name, family_name FROM people WHERE org_id = ? AND (given_name <> '' OR family_name <> '') ORDER BY id LIMIT ?`, org, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var g, f string
		if err := rows.Scan(&g, &f); err != nil {
			return nil, err
		}
		names = append(names, strings.TrimSpace(g+" "+f))
	}
	return names, rows.Err()
}

// recoverSearches runs n searches by name (from names, in a fixed order)
// through the API with workers clients.
func recoverSearches(client *http.Client, srv *recoverServer, secret string, names []string, n, workers int) (latencies, time.Duration, int64) {
	var failed atomic.Int64
	lat, el, _ := concurrently(n, workers, func(i int) error {
		req, _ := http.NewRequest("GET", srv.url()+"/api/v1/people?q="+url.QueryEscape(names[(i*7919)%len(names)]), nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		res, err := client.Do(req)
		if err != nil {
			failed.Add(1)
			return err
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK {
			failed.Add(1)
		}
		return nil
	})
	return lat, el, failed.Load()
}

// recoverServer is one `homeward serve` process, killed and started again.
type recoverServer struct {
	bin  string
	args []string
	log  io.Writer
	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
	base atomic.Pointer[string] // nil while down
}

func (s *recoverServer) url() string {
	if p := s.base.Load(); p != nil {
		return *p
	}
	return ""
}

// start starts serve and waits until it logs that it listens.
func (s *recoverServer) start() (time.Duration, error) {
	t0 := time.Now()
	cmd := exec.Command(s.bin, s.args...)
	cmd.Stdout = s.log
	u, done, err := startListening(cmd, s.log, 10*time.Minute)
	if err != nil {
		return 0, fmt.Errorf("bench recover: %w (see its log)", err)
	}
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	s.base.Store(&u)
	return time.Since(t0), nil
}

// startListening starts a serve command (its Stdout already set), copies
// what it logs to log, and waits up to limit until it logs the address it
// listens on. done is closed when the process has exited; a process that
// does not listen in time is killed.
func startListening(cmd *exec.Cmd, log io.Writer, limit time.Duration) (url string, done chan struct{}, err error) {
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	done, ready := make(chan struct{}), make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			fmt.Fprintln(log, line)
			if m := listeningURL.FindStringSubmatch(line); m != nil {
				select {
				case ready <- m[1]:
				default:
				}
			}
		}
		_, _ = io.Copy(log, stderr)
		_ = cmd.Wait()
		close(done)
	}()
	select {
	case u := <-ready:
		return u, done, nil
	case <-done:
		return "", done, fmt.Errorf("serve exited before listening")
	case <-time.After(limit):
		_ = cmd.Process.Kill()
		<-done
		return "", done, fmt.Errorf("serve did not listen within %s", limit)
	}
}

// kill ends serve with SIGKILL and waits for it.
func (s *recoverServer) kill() {
	s.base.Store(nil)
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	_ = cmd.Process.Kill()
	<-done
}

// waitReady polls /readyz until it answers 200 and returns when it did.
func (s *recoverServer) waitReady(client *http.Client, limit time.Duration) time.Time {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		if res, err := client.Get(s.url() + "/readyz"); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return time.Now()
			}
		}
		time.Sleep(2 * time.Millisecond)
	}
	return end
}

// peakRSS is the serving process's peak resident memory (VmHWM) since it
// started (or since resetPeak), or "?" where /proc does not tell.
func (s *recoverServer) peakRSS() string { return s.status("VmHWM") }

// rss is the serving process's resident memory now.
func (s *recoverServer) rss() string { return s.status("VmRSS") }

// status returns a size field of the serving process's /proc status.
func (s *recoverServer) status(field string) string {
	if pid := s.pid(); pid != "" {
		if mb := procStatusMBOf(pid, field); mb > 0 {
			return fmt.Sprintf("%d MB", mb)
		}
	}
	return "?"
}

func (s *recoverServer) pid() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return ""
	}
	return strconv.Itoa(s.cmd.Process.Pid)
}

// resetPeak resets the serving process's peak resident memory to its
// current size (Linux ≥ 4.0); false when the system does not allow it.
func (s *recoverServer) resetPeak() bool {
	pid := s.pid()
	return pid != "" && os.WriteFile("/proc/"+pid+"/clear_refs", []byte("5"), 0) == nil
}

// loadIndex asks serve's duplicate check, every second, until it answers
// (it answers 503 while the organisation's index loads) and returns how
// long that took.
func (s *recoverServer) loadIndex(ctx context.Context, client *http.Client, secret string, limit time.Duration) (time.Duration, error) {
	start := time.Now()
	for time.Since(start) < limit {
		req, _ := http.NewRequestWithContext(ctx, "POST", s.url()+"/api/v1/registrations/check", bytes.NewReader(registrationBody(1)))
		req.Header.Set("Authorization", "Bearer "+secret)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return 0, err
		}
		io.Copy(io.Discard, io.LimitReader(res.Body, 1<<20))
		res.Body.Close()
		switch res.StatusCode {
		case http.StatusOK:
			return time.Since(start), nil
		case http.StatusServiceUnavailable:
			time.Sleep(time.Second)
		default:
			return 0, fmt.Errorf("bench recover: the duplicate check answered %s", res.Status)
		}
	}
	return 0, fmt.Errorf("bench recover: the duplicate index was not loaded within %s", limit)
}

// recoverLoad is registrations sent by clients until stopped, through
// whichever process serves at the moment.
type recoverLoad struct {
	next                    int64 // atomically: the next registration
	sent, unanswered, other atomic.Int64
	mu                      sync.Mutex
	acks                    []ack
	at                      []time.Time     // when each was sent
	lat                     []time.Duration // how long its answer took
}

// ack is what a 201 answer to a registration said was stored.
type ack struct {
	Person struct{ ID string } `json:"person"`
	Case   struct {
		ID, Number string
	} `json:"case"`
}

func (l *recoverLoad) client(ctx context.Context, client *http.Client, srv *recoverServer, secret string) {
	for ctx.Err() == nil {
		base := srv.url()
		if base == "" {
			time.Sleep(time.Millisecond)
			continue
		}
		l.sent.Add(1)
		t0 := time.Now()
		res, body, err := postRegistration(ctx, client, base, secret, int(atomic.AddInt64(&l.next, 1)))
		if res == nil {
			if ctx.Err() == nil {
				l.unanswered.Add(1)
				time.Sleep(time.Millisecond)
			}
			continue
		}
		var a ack
		if err != nil || res.StatusCode != http.StatusCreated || json.Unmarshal(body, &a) != nil || a.Case.ID == "" {
			l.other.Add(1)
			continue
		}
		l.mu.Lock()
		l.acks = append(l.acks, a)
		l.at = append(l.at, t0)
		l.lat = append(l.lat, time.Since(t0))
		l.mu.Unlock()
	}
}

// postRegistration sends registration i (registrationBody) to the server
// at base as the API token secret; it returns the answer (nil when none
// came) and its body, or the error that cut the body short.
func postRegistration(ctx context.Context, client *http.Client, base, secret string, i int) (*http.Response, []byte, error) {
	req, _ := http.NewRequestWithContext(ctx, "POST", base+"/api/v1/registrations", bytes.NewReader(registrationBody(i)))
	req.Header.Set("Authorization", "Bearer "+secret)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		return nil, nil, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	return res, body, err
}

// window gives the rate and latencies of the registrations sent within
// [from, to) and acknowledged.
func (l *recoverLoad) window(from, to time.Time) (rate float64, p50, p99 time.Duration, n int) {
	l.mu.Lock()
	var lat latencies
	for i, t := range l.at {
		if !t.Before(from) && t.Before(to) {
			lat = append(lat, l.lat[i])
		}
	}
	l.mu.Unlock()
	if len(lat) == 0 {
		return 0, 0, 0, 0
	}
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	return float64(len(lat)) / to.Sub(from).Seconds(), lat.at(.5), lat.at(.99), len(lat)
}

// firstAfter waits until a registration sent after t is acknowledged and
// returns when the first such answer came.
func (l *recoverLoad) firstAfter(t time.Time, limit time.Duration) time.Time {
	end := time.Now().Add(limit)
	for time.Now().Before(end) {
		var first time.Time
		l.mu.Lock()
		for i := range l.at {
			if done := l.at[i].Add(l.lat[i]); l.at[i].After(t) && (first.IsZero() || done.Before(first)) {
				first = done
			}
		}
		l.mu.Unlock()
		if !first.IsZero() {
			return first
		}
		time.Sleep(time.Millisecond)
	}
	return end
}

func (l *recoverLoad) acked() []ack {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]ack(nil), l.acks...)
}

package main

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// pgServer is the PostgreSQL server of HOMEWARD_TEST_DATABASE, which the
// test may stop and start: its data directory (HOMEWARD_TEST_PGDATA) and
// programs (HOMEWARD_PG_BIN).
type pgServer struct {
	t       *testing.T
	bin     string
	data    string
	options string // the server's own options, from postmaster.opts
	owner   string // runs pg_ctl when the test runs as root
}

func needPGServer(t *testing.T) *pgServer {
	t.Helper()
	s := &pgServer{t: t, bin: os.Getenv("HOMEWARD_PG_BIN"), data: os.Getenv("HOMEWARD_TEST_PGDATA")}
	if s.bin == "" || s.data == "" {
		t.Skip("needs HOMEWARD_PG_BIN and HOMEWARD_TEST_PGDATA (the data directory of HOMEWARD_TEST_DATABASE's server) to restart it")
	}
	opts, err := os.ReadFile(filepath.Join(s.data, "postmaster.opts"))
	if err != nil {
		t.Fatal(err)
	}
	// /usr/lib/postgresql/15/bin/postgres "-D" "/data" "-p" "5432" …
	args := strings.Split(strings.TrimSpace(string(opts)), `" "`)
	if len(args) < 2 || !strings.HasSuffix(args[0], `"-D`) {
		t.Fatalf("%s/postmaster.opts: not the options of a server started with -D: %s", s.data, opts)
	}
	for _, a := range args[2:] { // the program and -D, then the directory
		s.options += ` "` + strings.Trim(a, `"`) + `"`
	}
	if os.Getuid() == 0 {
		fi, err := os.Stat(s.data)
		if err != nil {
			t.Fatal(err)
		}
		u, err := user.LookupId(strconv.Itoa(int(fi.Sys().(*syscall.Stat_t).Uid)))
		if err != nil {
			t.Fatal(err)
		}
		s.owner = u.Username
	}
	return s
}

func (s *pgServer) ctl(args ...string) {
	s.t.Helper()
	args = append([]string{filepath.Join(s.bin, "pg_ctl"), "-D", s.data, "-w"}, args...)
	if s.owner != "" {
		args = append([]string{"runuser", "-u", s.owner, "--"}, args...)
	}
	if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
		s.t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func (s *pgServer) stop() { s.ctl("-m", "fast", "stop") }
func (s *pgServer) start() {
	s.ctl("-l", filepath.Join(s.data, "restart-test.log"), "-o", strings.TrimSpace(s.options), "start")
}

// While PostgreSQL is stopped under registration load, the nodes answer
// 503 with Retry-After and a problem (never a 500, never a hang beyond the
// clients' timeout) and /readyz says not ready; once it is back they
// recover by themselves, without a restart, and every acknowledged
// registration is stored whole.
func TestPostgresRestart(t *testing.T) {
	needCrash(t)
	needPostgres(t)
	pg := needPGServer(t)
	c := newCluster(t, true, 2, 6)
	for _, n := range c.nodes {
		c.start(n)
	}
	// If the test fails with the server down, start it for the others.
	down := false
	t.Cleanup(func() {
		if down {
			pg.start()
		}
	})
	l := c.drive(func(w int) *node { return c.nodes[w%len(c.nodes)] })
	client := &http.Client{Timeout: 30 * time.Second}
	ready := func(n *node) int {
		res, err := client.Get(n.URL() + "/readyz")
		if err != nil {
			t.Fatalf("%s /readyz: %v", n.name, err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	const rounds = 2
	for r := 1; r <= rounds; r++ {
		time.Sleep(700 * time.Millisecond)
		before := len(l.acked())
		t0 := time.Now()
		pg.stop()
		down = true
		stopped := time.Since(t0)
		refusedBefore := l.refused.Load()
		// While it is down: answers are 503 problems, readiness is off.
		for _, n := range c.nodes {
			if s := ready(n); s != http.StatusServiceUnavailable {
				t.Errorf("round %d: %s /readyz with the database down: %d", r, n.name, s)
			}
			req, _ := http.NewRequest("POST", n.URL()+"/api/v1/registrations", strings.NewReader(string(registrationBody(900000+r))))
			req.Header.Set("Authorization", "Bearer "+c.tokens[0].Secret)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Accept-Language", "bn")
			res, err := client.Do(req)
			if err != nil {
				t.Fatalf("round %d: %s with the database down: %v", r, n.name, err)
			}
			var p struct {
				Status int
				Code   string
				Detail string
			}
			_ = json.NewDecoder(res.Body).Decode(&p)
			res.Body.Close()
			if res.StatusCode != http.StatusServiceUnavailable || res.Header.Get("Retry-After") == "" || p.Code != "unavailable" ||
				res.Header.Get("Content-Type") != "application/problem+json" || !strings.Contains(p.Detail, "ডেটাবেস") {
				t.Errorf("round %d: %s registration with the database down: %d Retry-After %q %+v", r, n.name, res.StatusCode, res.Header.Get("Retry-After"), p)
			}
		}
		time.Sleep(500 * time.Millisecond)
		during := len(l.acked())
		refused := l.refused.Load() - refusedBefore
		pg.start()
		down = false
		back := time.Now()
		// They recover by themselves: each node is ready and registers.
		for _, n := range c.nodes {
			for ready(n) != http.StatusOK {
				if time.Since(back) > 30*time.Second {
					t.Fatalf("round %d: %s not ready 30 s after the database came back\n%s", r, n.name, n.log.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		recovered := time.Since(back)
		for len(l.acked()) <= during+6 {
			if time.Since(back) > 30*time.Second {
				t.Fatalf("round %d: no registrations acknowledged 30 s after the database came back", r)
			}
			time.Sleep(20 * time.Millisecond)
		}
		t.Logf("round %d: stopped PostgreSQL (fast) in %v with %d acknowledged; while down %d answered 503; nodes ready %v after it came back",
			r, stopped.Round(time.Millisecond), before, refused, recovered.Round(time.Millisecond))
	}
	l.finish(t)
	for _, n := range c.nodes {
		c.kill(n)
	}
	acks := l.acked()
	stored := c.check(acks)
	c.verifyAudit()
	t.Logf("%s: %d restarts of PostgreSQL under load: %d registrations sent, %d acknowledged, %d stored, %d answered 503, %d without an answer; nothing acknowledged lost, none answered 500",
		t.Name(), rounds, l.requests.Load(), len(acks), stored, l.refused.Load(), l.unknown.Load())
	if l.refused.Load() == 0 {
		t.Error("no registration was answered 503: the database was never seen down")
	}
}

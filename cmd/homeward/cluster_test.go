package main

// A harness for tests that run the real homeward binary as separate
// processes (crash tests, several nodes, backup and restore): it builds the
// binary, starts `serve` nodes on the loopback, kills them with SIGKILL,
// drives registrations through the JSON API from several clients and checks
// what the database holds afterwards. Everything it starts is killed, and
// every temporary directory removed, by t.Cleanup, on every path.

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/seal"
	"homeward/internal/sqldb"
)

// needCrash skips t unless HOMEWARD_CRASH=1: these tests build the binary,
// start processes and kill them, and take tens of seconds.
func needCrash(t *testing.T) {
	t.Helper()
	if os.Getenv("HOMEWARD_CRASH") != "1" {
		t.Skip("set HOMEWARD_CRASH=1 to run the process-level tests (crash, several nodes, backup)")
	}
}

// needPostgres skips t unless HOMEWARD_TEST_DATABASE names a PostgreSQL
// server; with HOMEWARD_CRASH=1 set and none given it fails, like the
// browser test without a browser: CI must not skip it silently.
func needPostgres(t *testing.T) {
	t.Helper()
	if !strings.HasPrefix(os.Getenv("HOMEWARD_TEST_DATABASE"), "postgres") {
		t.Skip("needs HOMEWARD_TEST_DATABASE=postgres://…")
	}
}

// The binary is built once per test process, into a directory TestMain
// removes at the end.
var (
	buildOnce sync.Once
	binDir    string
	binPath   string
	binErr    error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// buildBinary builds the homeward binary (once) and returns its path.
func buildBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if binDir, binErr = os.MkdirTemp("", "homeward-bin-"); binErr != nil {
			return
		}
		binPath = filepath.Join(binDir, "homeward")
		if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// node is one `homeward serve` process, started and killed again and
// again on its own data directory.
type node struct {
	name string
	dir  string
	addr string                 // --addr; 127.0.0.1:0 when empty
	url  atomic.Pointer[string] // nil while down
	cmd  *exec.Cmd
	done chan struct{}
	log  tail
}

// URL is the node's base URL, or "" while it is down.
func (n *node) URL() string {
	if p := n.url.Load(); p != nil {
		return *p
	}
	return ""
}

// cluster is a database (embedded SQLite in dataDir, or a PostgreSQL
// schema) and the nodes serving it.
type cluster struct {
	t       testing.TB
	bin     string
	dsn     string // PostgreSQL; "" for SQLite in dataDir
	dataDir string
	keys    []string // HOMEWARD_AUDIT_KEY and HOMEWARD_NOTES_KEY settings
	extra   []string // more HOMEWARD_* settings for every node
	args    []string // more serve flags for every node
	nodes   []*node
	// orgID, userID, email and password are the case worker the clients
	// act as; tokens one API token each.
	orgID, userID, email, password string
	tokens                         []*homeward.APIToken
	// seeder made the people seeded before the test (seedPeople): stored
	// without consents, they are left out of the checks of each person.
	seeder string
}

// newCluster builds the binary, makes the database (SQLite unless pg),
// an organisation with a case worker and one API token per client, and
// count nodes (not started).
func newCluster(t *testing.T, pg bool, count, clients int) *cluster {
	t.Helper()
	return newClusterIn(t, t.TempDir(), pg, count, clients)
}

// newClusterIn is newCluster with the (SQLite) data directory dir.
func newClusterIn(t *testing.T, dir string, pg bool, count, clients int) *cluster {
	t.Helper()
	c := &cluster{t: t, bin: buildBinary(t), dataDir: dir}
	if pg {
		c.dsn = homewardtest.DSN(t)
	}
	audit, notes := homeward.GenerateAuditKey(), seal.GenerateKey()
	c.keys = []string{auditKeyEnv + "=" + audit, notesKeyEnv + "=" + notes}
	for i := range count {
		n := &node{name: fmt.Sprintf("node%d", i+1), dir: c.dataDir}
		if pg {
			n.dir = t.TempDir()
		}
		c.nodes = append(c.nodes, n)
	}
	// Registered after the schema's cleanup, so it runs before it: no node
	// outlives the test or its database.
	t.Cleanup(func() {
		for _, n := range c.nodes {
			c.kill(n)
		}
	})
	ctx := context.Background()
	db, err := sqldb.Open(ctx, c.openDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.AuditKeys, err = homeward.ParseAuditKeys(audit); err != nil {
		t.Fatal(err)
	}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	org := &homeward.Organisation{Name: "Crash NGO", Type: homeward.OrgNGO, Country: "BD", Areas: []string{"BD3026"}}
	if err := db.CreateOrganisation(sys, org); err != nil {
		t.Fatal(err)
	}
	c.orgID, c.email, c.password = org.ID, "worker@crash.test", "crash-test-password-1"
	u := &homeward.User{OrgID: org.ID, Email: c.email, Name: "Worker", Roles: []homeward.Role{homeward.RoleCaseWorker}}
	if err := db.CreateUser(sys, u, c.password); err != nil {
		t.Fatal(err)
	}
	c.userID = u.ID
	for i := range clients {
		tok := &homeward.APIToken{Name: fmt.Sprintf("client %d", i), Scopes: []homeward.Scope{homeward.ScopeWrite, homeward.ScopeRead}}
		if err := db.CreateToken(sys, u.ID, tok); err != nil {
			t.Fatal(err)
		}
		c.tokens = append(c.tokens, tok)
	}
	return c
}

// openDSN is what sqldb.Open takes for the cluster's database.
func (c *cluster) openDSN() string {
	if c.dsn != "" {
		return c.dsn
	}
	return filepath.Join(c.dataDir, "homeward.db")
}

// openDB opens the cluster's database with its audit and notes keys, as
// its nodes do.
func (c *cluster) openDB() *sqldb.DB {
	c.t.Helper()
	db, err := sqldb.Open(context.Background(), c.openDSN())
	if err != nil {
		c.t.Fatal(err)
	}
	for _, kv := range c.keys {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case auditKeyEnv:
			if db.AuditKeys, err = homeward.ParseAuditKeys(v); err != nil {
				c.t.Fatal(err)
			}
		case notesKeyEnv:
			nk, err := seal.ParseKey(v)
			if err != nil {
				c.t.Fatal(err)
			}
			db.NotesKeys = seal.NewKeyring(nk)
		}
	}
	return db
}

// env is the environment of a homeward process of the cluster: the
// caller's, without HOMEWARD_* settings, plus the cluster's.
func (c *cluster) env(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOMEWARD_") {
			env = append(env, kv)
		}
	}
	env = append(env, c.keys...)
	env = append(env, "HOMEWARD_DATA_DIR="+dir)
	if c.dsn != "" {
		env = append(env, "HOMEWARD_DATABASE="+c.dsn)
	}
	// HOMEWARD_TEST_NODE_ENV passes settings to every process (space
	// separated), to compare configurations: HOMEWARD_AUDIT_SEAL_INTERVAL=0.
	env = append(env, strings.Fields(os.Getenv("HOMEWARD_TEST_NODE_ENV"))...)
	return append(env, c.extra...)
}

// start starts n and waits until it listens; it returns how long that took.
func (c *cluster) start(n *node) time.Duration {
	c.t.Helper()
	t0 := time.Now()
	addr := n.addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	cmd := exec.Command(c.bin, append([]string{"serve", "--addr", addr, "--indicators-interval", "0", "--api-rate", "0"}, c.args...)...)
	cmd.Env = c.env(n.dir)
	cmd.Stdout = &n.log
	dieWithTest(cmd)
	u, done, err := startListening(cmd, &n.log, 2*time.Minute)
	if err != nil {
		c.t.Fatalf("%s: %v:\n%s", n.name, err, n.log.String())
	}
	n.cmd, n.done = cmd, done
	n.url.Store(&u)
	return time.Since(t0)
}

// kill ends n with SIGKILL (no shutdown, no flush) and waits for it.
func (c *cluster) kill(n *node) {
	n.url.Store(nil)
	if n.cmd == nil || n.cmd.Process == nil {
		return
	}
	select {
	case <-n.done:
	default:
		_ = n.cmd.Process.Kill()
		<-n.done
	}
	n.cmd = nil
}

// homeward runs a homeward command of the cluster (audit verify, backup …)
// and returns its output and error.
func (c *cluster) homeward(dir string, args ...string) (string, error) {
	cmd := exec.Command(c.bin, args...)
	cmd.Env = c.env(dir)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// load is registrations sent by several clients until stopped.
type load struct {
	mu       sync.Mutex
	acks     []ack
	lat      []time.Duration // of each acknowledged registration
	next     atomic.Int64
	unknown  atomic.Int64 // sent, but no answer (the node died)
	refused  atomic.Int64 // 503 answers
	bad      []string     // unexpected answers
	wg       sync.WaitGroup
	stop     context.CancelFunc
	requests atomic.Int64
}

// drive starts one client per token; client w sends to pick(w) (whichever
// node that names at the moment) until the load is stopped.
func (c *cluster) drive(pick func(w int) *node) *load {
	ctx, cancel := context.WithCancel(context.Background())
	l := &load{stop: cancel}
	for w, tok := range c.tokens {
		l.wg.Go(func() {
			client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 2}}
			defer client.CloseIdleConnections()
			for ctx.Err() == nil {
				base := pick(w).URL()
				if base == "" {
					time.Sleep(2 * time.Millisecond)
					continue
				}
				if l.send(ctx, client, base, tok.Secret) {
					time.Sleep(2 * time.Millisecond)
				}
			}
		})
	}
	return l
}

// send sends the next registration to the node at base and records the
// answer; it reports whether the node gave none (it died, or the
// connection failed), so that a client can pause before the next.
func (l *load) send(ctx context.Context, client *http.Client, base, secret string) (noAnswer bool) {
	l.requests.Add(1)
	t0 := time.Now()
	res, body, err := postRegistration(ctx, client, base, secret, int(l.next.Add(1)))
	if res == nil {
		if ctx.Err() == nil {
			l.unknown.Add(1)
			return true
		}
		return false
	}
	switch {
	case err != nil:
		l.unknown.Add(1)
	case res.StatusCode == http.StatusCreated:
		var a ack
		if err := json.Unmarshal(body, &a); err != nil || a.Person.ID == "" || a.Case.Number == "" {
			l.mu.Lock()
			l.bad = append(l.bad, fmt.Sprintf("201 without a record: %s", body))
			l.mu.Unlock()
			return false
		}
		l.mu.Lock()
		l.acks = append(l.acks, a)
		l.lat = append(l.lat, time.Since(t0))
		l.mu.Unlock()
	case res.StatusCode == http.StatusServiceUnavailable && res.Header.Get("Retry-After") != "":
		l.refused.Add(1)
	default:
		l.mu.Lock()
		l.bad = append(l.bad, fmt.Sprintf("%d: %.300s", res.StatusCode, body))
		l.mu.Unlock()
	}
	return false
}

// acked returns a copy of the acknowledgements so far.
func (l *load) acked() []ack {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]ack(nil), l.acks...)
}

// latencies returns the acknowledged registrations' latencies, sorted.
func (l *load) latencies() []time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	return sortDurations(append([]time.Duration(nil), l.lat...))
}

// finish stops the clients and fails t on any unexpected answer.
func (l *load) finish(t *testing.T) {
	t.Helper()
	l.stop()
	l.wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.bad) > 0 {
		t.Errorf("%d unexpected answers, the first: %s", len(l.bad), l.bad[0])
	}
}

// sqlDB opens the cluster's database with database/sql, for checking.
func (c *cluster) sqlDB() *sql.DB {
	c.t.Helper()
	var db *sql.DB
	var err error
	if c.dsn != "" {
		db, err = sql.Open("pgx", c.dsn)
	} else {
		db, err = sql.Open("sqlite", "file:"+c.openDSN()+"?_pragma=busy_timeout(10000)")
	}
	if err != nil {
		c.t.Fatal(err)
	}
	return db
}

// rebind turns ? placeholders into PostgreSQL's $n.
func (c *cluster) rebind(q string) string {
	if c.dsn == "" {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// stored is what the database holds of the registrations.
type stored struct {
	people   map[string]int // person id → migration episodes
	cases    map[string][2]string
	byPerson map[string]int // cases per person
	consents map[string]int
	audited  map[string]int // person.register events per person, sealed or pending
	counters map[string]int // case number series → last number given
}

// readStored reads every person, case, consent and registration event, in
// one snapshot: on PostgreSQL other nodes go on writing meanwhile.
func (c *cluster) readStored(db *sql.DB) (*stored, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if c.dsn != "" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := db.BeginTx(context.Background(), opts)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	s := &stored{people: map[string]int{}, cases: map[string][2]string{}, byPerson: map[string]int{}, consents: map[string]int{}, audited: map[string]int{}, counters: map[string]int{}}
	scan := func(q string, args []any, each func(r *sql.Rows) error) error {
		rows, err := tx.Query(c.rebind(q), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := each(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	err = errors.Join(
		scan(`SELECT id, episodes FROM people WHERE created_by <> ?`, []any{c.seeder}, func(r *sql.Rows) error {
			var id, ep string
			if err := r.Scan(&id, &ep); err != nil {
				return err
			}
			var eps []json.RawMessage
			if err := json.Unmarshal([]byte(ep), &eps); err != nil {
				return fmt.Errorf("person %s: episodes %q: %w", id, ep, err)
			}
			s.people[id] = len(eps)
			return nil
		}),
		scan(`SELECT id, number, person_id FROM cases`, nil, func(r *sql.Rows) error {
			var id, number, person string
			if err := r.Scan(&id, &number, &person); err != nil {
				return err
			}
			s.cases[id] = [2]string{number, person}
			s.byPerson[person]++
			return nil
		}),
		scan(`SELECT person_id, COUNT(*) FROM consents GROUP BY person_id`, nil, func(r *sql.Rows) error {
			var id string
			var n int
			if err := r.Scan(&id, &n); err != nil {
				return err
			}
			s.consents[id] = n
			return nil
		}),
		// An event not yet linked into its chain (PostgreSQL: see
		// sqldb.DB.DeferAuditSeal) is stored as surely as a sealed one.
		scan(`SELECT record_id, COUNT(*) FROM (SELECT record_id FROM audit_events WHERE action = ? AND actor_id <> ?
			UNION ALL SELECT record_id FROM audit_pending WHERE action = ? AND actor_id <> ?) a GROUP BY record_id`, []any{"person.register", c.seeder, "person.register", c.seeder}, func(r *sql.Rows) error {
			var id string
			var n int
			if err := r.Scan(&id, &n); err != nil {
				return err
			}
			s.audited[id] = n
			return nil
		}),
		scan(`SELECT prefix, last FROM case_numbers`, nil, func(r *sql.Rows) error {
			var p string
			var n int
			if err := r.Scan(&p, &n); err != nil {
				return err
			}
			s.counters[p] = n
			return nil
		}),
	)
	return s, err
}

// check reports every acknowledged registration not stored whole, every
// stored one half-written, and case numbers given twice or skipped; it
// returns how many people are stored.
func (c *cluster) check(acks []ack) int {
	c.t.Helper()
	db := c.sqlDB()
	defer db.Close()
	s, err := c.readStored(db)
	if err != nil {
		c.t.Fatalf("reading the database: %v", err)
	}
	lost := 0
	for _, a := range acks {
		cs, ok := s.cases[a.Case.ID]
		if s.people[a.Person.ID] != 1 || !ok || cs != [2]string{a.Case.Number, a.Person.ID} || s.consents[a.Person.ID] != 2 || s.audited[a.Person.ID] != 1 {
			lost++
			if lost <= 5 {
				c.t.Errorf("acknowledged registration %s (case %s) not stored whole: episodes %d, case %v (found %v), consents %d, audit events %d",
					a.Person.ID, a.Case.Number, s.people[a.Person.ID], ok, cs, s.consents[a.Person.ID], s.audited[a.Person.ID])
			}
		}
	}
	if lost > 0 {
		c.t.Errorf("%d of %d acknowledged registrations lost or damaged", lost, len(acks))
	}
	half := 0
	for id, eps := range s.people {
		if eps != 1 || s.byPerson[id] != 1 || s.consents[id] != 2 || s.audited[id] != 1 {
			half++
			if half <= 5 {
				c.t.Errorf("person %s half-written: episodes %d, cases %d, consents %d, audit events %d", id, eps, s.byPerson[id], s.consents[id], s.audited[id])
			}
		}
	}
	for id := range s.audited {
		if _, ok := s.people[id]; !ok {
			c.t.Errorf("registration event for person %s, who is not stored", id)
		}
	}
	// Case numbers: each given once, and per series every number from 1 to
	// the series' counter (the counter moves in the registration's own
	// transaction, so a registration rolled back or killed takes its
	// number with it).
	series := map[string][]int{}
	seen := map[string]bool{}
	for _, cs := range s.cases {
		if seen[cs[0]] {
			c.t.Errorf("case number %s given twice", cs[0])
		}
		seen[cs[0]] = true
		i := strings.LastIndexByte(cs[0], '-')
		n, err := strconv.Atoi(cs[0][i+1:])
		if i < 0 || err != nil {
			c.t.Errorf("case number %q has no sequence", cs[0])
			continue
		}
		series[cs[0][:i]] = append(series[cs[0][:i]], n)
	}
	for prefix, ns := range series {
		sort.Ints(ns)
		for i, n := range ns {
			if n != i+1 {
				c.t.Errorf("series %s: number %d missing (next stored is %d)", prefix, i+1, n)
				break
			}
		}
		if s.counters[prefix] != len(ns) {
			c.t.Errorf("series %s: counter at %d, %d cases", prefix, s.counters[prefix], len(ns))
		}
	}
	return len(s.people)
}

// verifyAudit runs `homeward audit verify` on the cluster's database.
func (c *cluster) verifyAudit() {
	c.t.Helper()
	if out, err := c.homeward(c.dataDir, "audit", "verify"); err != nil {
		c.t.Errorf("homeward audit verify: %v\n%s", err, out)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

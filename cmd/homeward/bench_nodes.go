package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"homeward"
)

// benchNodes measures registration through the JSON API on several
// `homeward serve` processes sharing one PostgreSQL database built by bench
// seed (issue 19): it starts the nodes, spreads its clients over them
// (client i on node i mod n), registers people with concentrated names as
// the seeded organisation's case worker, and prints the rate and latency
// beside the raw single-row transaction rate of the same PostgreSQL, taken
// just before. The nodes are stopped with SIGTERM (so that, with
// --cpuprofile-dir, each writes its CPU profile), and the token it made is
// revoked.
func benchNodes(ctx context.Context, p *program, args []string) error {
	fs := p.flagSet("bench nodes", "bench nodes --database postgres://… [--data-dir DIR] [--nodes 3] [--workers 9] [--n 3000] [--settle 5m]")
	database := fs.String("database", "", "postgres://… built by homeward bench seed (required)")
	dir := fs.String("data-dir", "data", "directory of the bench's keys (audit.key, notes.key), as bench seed used it")
	nodes := fs.Int("nodes", 3, "serve processes")
	workers := fs.Int("workers", 9, "concurrent clients, spread over the nodes")
	n := fs.Int("n", 3000, "registrations to measure")
	profiles := fs.String("cpuprofile-dir", "", "write each node's CPU profile to DIR/node-N.prof (go tool pprof)")
	settle := fs.Duration("settle", 0, "wait this long after the nodes are ready before measuring: at a million people a node's first duplicate scan loads the organisation's index and the follow-up tasks may be recomputed (minutes), which a running system has long done")
	scanned := fs.Bool("scanned", false, "count the organisation's people as already scanned for duplicates, as on a running system: the nodes' first scan loads the index and checks only what changed since, instead of comparing a million people while the registrations are measured")
	if err := p.parse(fs, args); err != nil {
		return err
	}
	if !strings.HasPrefix(*database, "postgres") {
		return usageError{"bench nodes needs --database postgres://…: several nodes share PostgreSQL"}
	}
	if *nodes < 1 || *workers < 1 || *n < 1 || *n > 10_000_000 {
		return usageError{"bench nodes: --nodes, --workers and --n must be at least 1 (--n at most 10000000)"}
	}
	db, err := openBenchDB(ctx, *database, *dir)
	if err != nil {
		return err
	}
	defer db.Close()
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	actx, err := benchActor(sys, db, false)
	if err != nil {
		return err
	}
	tok := &homeward.APIToken{Name: "bench nodes", Scopes: []homeward.Scope{homeward.ScopeWrite, homeward.ScopeRead}}
	if err := db.CreateToken(sys, homeward.ActorFromContext(actx).UserID, tok); err != nil {
		return err
	}
	defer func() {
		if err := db.RevokeToken(sys, tok.ID); err != nil {
			fmt.Fprintf(p.stderr, "the bench's token %s was not revoked: %v\n", tok.ID, err)
		}
	}()

	if *scanned {
		if err := markScanned(ctx, *database, homeward.ActorFromContext(actx).OrgID); err != nil {
			return err
		}
	}
	raw, err := rawPostgresRate(ctx, *database, *workers, 3000)
	if err != nil {
		return err
	}
	fmt.Fprintf(p.stdout, "raw PostgreSQL single-row transactions, %d connections: %.0f/s\n", *workers, raw)

	exe, err := os.Executable()
	if err != nil {
		return err
	}
	absDir, err := filepath.Abs(*dir)
	if err != nil {
		return err
	}
	var procs []*benchNode
	defer func() {
		for _, nd := range procs {
			nd.stop()
		}
	}()
	t0 := time.Now()
	for i := range *nodes {
		nd, err := startBenchNode(ctx, exe, i+1, *database, absDir, *profiles)
		if err != nil {
			return err
		}
		procs = append(procs, nd)
	}
	for _, nd := range procs {
		if err := nd.ready(ctx, 3*time.Minute); err != nil {
			return err
		}
	}
	fmt.Fprintf(p.stdout, "%d nodes ready in %s\n", *nodes, time.Since(t0).Round(time.Millisecond))
	if *settle > 0 {
		fmt.Fprintf(p.stdout, "settling for %s\n", *settle)
		select {
		case <-time.After(*settle):
		case <-ctx.Done():
			return ctx.Err()
		}
	}

	// Bodies are encoded before the clock starts; people are numbered apart
	// from the seed and from earlier runs (their phones differ).
	base := 60_000_000 + int(time.Now().Unix()%3000)*10_000 // phones keep eight digits after 017
	bodies := make([][]byte, *n)
	for i := range bodies {
		reg := benchRegistration(base + i)
		if bodies[i], err = json.Marshal(&reg); err != nil {
			return err
		}
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *workers}, Timeout: time.Minute}
	// concurrently hands out indexes in order: index i goes to whichever
	// client is free, and to node i mod n, so the nodes share the load.
	lat, el, err := concurrently(*n, *workers, func(i int) error {
		req, _ := http.NewRequestWithContext(ctx, "POST", procs[i%len(procs)].url+"/api/v1/registrations", bytes.NewReader(bodies[i]))
		req.Header.Set("Authorization", "Bearer "+tok.Secret)
		req.Header.Set("Content-Type", "application/json")
		res, err := client.Do(req)
		if err != nil {
			return err
		}
		msg, _ := io.ReadAll(io.LimitReader(res.Body, 4096))
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			return fmt.Errorf("node %d: status %d: %s", i%len(procs)+1, res.StatusCode, msg)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rate := float64(*n) / el.Seconds()
	fmt.Fprintf(p.stdout, "registrations (JSON API, %d nodes, %d clients, concentrated names): %d in %s: %.0f/s = %.2f x the raw rate; latency p50 %s p95 %s p99 %s max %s\n",
		*nodes, *workers, *n, el.Round(time.Millisecond), rate, rate/raw, lat.at(.5), lat.at(.95), lat.at(.99), lat.at(1))
	for _, nd := range procs {
		nd.stop()
	}
	for _, nd := range procs {
		if nd.rss > 0 {
			fmt.Fprintf(p.stdout, "node %d: peak resident memory %d MB\n", nd.num, nd.rss>>20)
		}
	}
	if *profiles != "" {
		fmt.Fprintf(p.stdout, "CPU profiles: %s/node-*.prof\n", *profiles)
	}
	return nil
}

// benchNode is one serve process of bench nodes.
type benchNode struct {
	num  int
	url  string
	cmd  *exec.Cmd
	log  bytes.Buffer
	mu   sync.Mutex
	done chan struct{}
	once sync.Once
	rss  int64
}

func startBenchNode(ctx context.Context, exe string, num int, database, dir, profiles string) (*benchNode, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	addr := l.Addr().String()
	l.Close()
	// Background work that would compete with the registrations is off:
	// the scheduled indicator rebuild and retention run at launch.
	cmd := exec.Command(exe, "serve", "--database", database, "--data-dir", dir, "--addr", addr,
		"--api-rate", "0", "--indicators-interval", "0", "--retention-interval", "0", "--log-level", "warn")
	cmd.Env = os.Environ()
	if profiles != "" {
		if err := os.MkdirAll(profiles, 0o755); err != nil {
			return nil, err
		}
		cmd.Env = append(cmd.Env, fmt.Sprintf("HOMEWARD_CPUPROFILE=%s/node-%d.prof", profiles, num))
	}
	nd := &benchNode{num: num, url: "http://" + addr, cmd: cmd, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = &lockedWriter{mu: &nd.mu, w: &nd.log}, &lockedWriter{mu: &nd.mu, w: &nd.log}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	go func() {
		_ = cmd.Wait()
		if u, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			nd.rss = u.Maxrss * 1024
		}
		close(nd.done)
	}()
	return nd, nil
}

// ready waits until the node answers /readyz.
func (nd *benchNode) ready(ctx context.Context, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		select {
		case <-nd.done:
			return fmt.Errorf("node %d exited: %s", nd.num, nd.output())
		default:
		}
		req, _ := http.NewRequestWithContext(ctx, "GET", nd.url+"/readyz", nil)
		if res, err := http.DefaultClient.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("node %d not ready after %s: %s", nd.num, wait, nd.output())
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop ends the node with SIGTERM (a graceful shutdown, which writes its
// profile) and kills it if it has not ended within a minute.
func (nd *benchNode) stop() {
	nd.once.Do(func() {
		_ = nd.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-nd.done:
		case <-time.After(time.Minute):
			_ = nd.cmd.Process.Kill()
			<-nd.done
		}
	})
}

func (nd *benchNode) output() string {
	nd.mu.Lock()
	defer nd.mu.Unlock()
	s := nd.log.String()
	if len(s) > 4000 {
		s = s[len(s)-4000:]
	}
	return s
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(b)
}

// rawPostgresRate measures single-row INSERT transactions on the database
// from conns connections at once, in a table of its own that it drops.
func rawPostgresRate(ctx context.Context, dsn string, conns, n int) (float64, error) {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(conns)
	table := fmt.Sprintf("bench_raw_rate_%d", os.Getpid())
	if _, err := db.ExecContext(ctx, `CREATE TABLE `+table+` (id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY, v TEXT)`); err != nil {
		return 0, err
	}
	defer db.ExecContext(context.WithoutCancel(ctx), `DROP TABLE `+table)
	_, el, err := concurrently(n, conns, func(int) error {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (v) VALUES ($1)`, "row"); err != nil {
			return errors.Join(err, tx.Rollback())
		}
		return tx.Commit()
	})
	if err != nil {
		return 0, err
	}
	return float64(n) / el.Seconds(), nil
}

// markScanned sets the duplicate scan's watermark of org to now, as a
// finished scan does.
func markScanned(ctx context.Context, dsn, org string) error {
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `INSERT INTO dedupe_scans (org_id, scanned_to) VALUES ($1, now())
		ON CONFLICT (org_id) DO UPDATE SET scanned_to = excluded.scanned_to`, org)
	return err
}

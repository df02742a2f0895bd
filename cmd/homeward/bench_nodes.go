package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"homeward"
	"homeward/internal/sqldb"
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
	db, sys, actx, err := openBenchOrg(ctx, *database, *dir)
	if err != nil {
		return err
	}
	defer db.Close()
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
		if err := markScanned(sys, db, homeward.ActorFromContext(actx).OrgID); err != nil {
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
		nd, err := startBenchNode(exe, i+1, *database, absDir, *profiles)
		if err != nil {
			return err
		}
		procs = append(procs, nd)
	}
	fmt.Fprintf(p.stdout, "%d nodes listening in %s\n", *nodes, time.Since(t0).Round(time.Millisecond))
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
		if rss := nd.stop(); rss > 0 {
			fmt.Fprintf(p.stdout, "node %d: peak resident memory %d MB\n", nd.num, rss>>20)
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
	log  tail
	done chan struct{} // closed when the process has exited
	once sync.Once
}

// startBenchNode starts serve on a free loopback port and waits until it
// listens (startListening, as bench recover does).
func startBenchNode(exe string, num int, database, dir, profiles string) (*benchNode, error) {
	// Background work that would compete with the registrations is off:
	// the scheduled indicator rebuild and retention run at launch.
	cmd := exec.Command(exe, "serve", "--database", database, "--data-dir", dir, "--addr", "127.0.0.1:0",
		"--api-rate", "0", "--indicators-interval", "0", "--retention-interval", "0")
	cmd.Env = os.Environ()
	if profiles != "" {
		if err := os.MkdirAll(profiles, 0o755); err != nil {
			return nil, err
		}
		cmd.Env = append(cmd.Env, fmt.Sprintf("HOMEWARD_CPUPROFILE=%s/node-%d.prof", profiles, num))
	}
	nd := &benchNode{num: num, cmd: cmd}
	cmd.Stdout = &nd.log
	u, done, err := startListening(cmd, &nd.log, 3*time.Minute)
	if err != nil {
		return nil, fmt.Errorf("node %d: %w:\n%s", num, err, nd.log.String())
	}
	nd.url, nd.done = u, done
	return nd, nil
}

// stop ends the node with SIGTERM (a graceful shutdown, which writes its
// profile) and kills it if it has not ended within a minute; it returns
// the node's peak resident memory.
func (nd *benchNode) stop() int64 {
	nd.once.Do(func() {
		_ = nd.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-nd.done:
		case <-time.After(time.Minute):
			_ = nd.cmd.Process.Kill()
			<-nd.done
		}
	})
	if u, ok := nd.cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		return u.Maxrss * 1024
	}
	return 0
}

// tail keeps the last bytes a process wrote, for failure messages.
type tail struct {
	mu  sync.Mutex
	buf []byte
}

func (l *tail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.buf = append(l.buf, p...)
	if len(l.buf) > 32<<10 {
		l.buf = append([]byte(nil), l.buf[len(l.buf)-16<<10:]...)
	}
	return len(p), nil
}

func (l *tail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.buf)
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

// markScanned moves the organisation's duplicate scan watermark to now,
// as a finished scan leaves it.
func markScanned(sys context.Context, db *sqldb.DB, org string) error {
	return db.Transact(sys, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(`INSERT INTO dedupe_scans (org_id, scanned_to) VALUES (?, ?)
			ON CONFLICT (org_id) DO UPDATE SET scanned_to = excluded.scanned_to`, org, db.Now().UTC())
		return err
	})
}

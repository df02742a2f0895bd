package main

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Under a burst of ten times the rate a node sustains, sent without
// waiting for answers, the node answers every request in time — 201, or
// 503 with Retry-After for what it cannot take — never a 500 or a dropped
// connection; what it acknowledged is stored whole; its memory stays
// bounded (peak resident size logged beside the steady one) and it serves
// normally as soon as the burst ends.
func TestOverloadBurst(t *testing.T) {
	needCrash(t)
	c := newCluster(t, false, 1, 6)
	c.args = []string{"--max-in-flight", "16", "--max-queued", "32", "--queue-wait", "500ms"}
	n := c.nodes[0]
	c.start(n)

	// The sustainable rate: six clients, each waiting for its answer.
	steady := c.drive(func(int) *node { return n })
	t0 := time.Now()
	time.Sleep(3 * time.Second)
	steady.finish(t)
	rate := float64(len(steady.acked())) / time.Since(t0).Seconds()
	if rate < 1 {
		t.Fatalf("the node acknowledged %d registrations in 3s", len(steady.acked()))
	}
	rssSteady := procStatusKB(t, n, "VmRSS")

	// The burst: ten times that rate for three seconds, each request sent
	// on its own schedule whether or not earlier ones were answered.
	burst := &load{}
	ctx, cancel := context.WithCancel(context.Background())
	burst.stop = cancel
	client := &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	defer client.CloseIdleConnections()
	every := time.Duration(float64(time.Second) / (10 * rate))
	var sent sync.WaitGroup
	tick := time.NewTicker(every)
	end := time.After(3 * time.Second)
	count := 0
	t1 := time.Now()
loop:
	for i := 0; ; i++ {
		select {
		case <-end:
			break loop
		case <-tick.C:
			count++
			sent.Go(func() { burst.send(ctx, client, n.URL(), c.tokens[i%len(c.tokens)].Secret) })
		}
	}
	tick.Stop()
	sentFor := time.Since(t1)
	sent.Wait()
	burst.finish(t)
	peak := procStatusKB(t, n, "VmHWM")
	if u := burst.unknown.Load(); u > 0 {
		t.Errorf("%d of %d requests of the burst got no answer", u, count)
	}
	// Shedding must show once the burst really outran the node (a machine
	// too busy to send faster than the node serves cannot show it).
	if sentRate := float64(count) / sentFor.Seconds(); burst.refused.Load() == 0 && sentRate >= 2*rate {
		t.Errorf("a burst at %.0f/s, over twice the sustainable %.0f/s (%d requests), was taken whole: nothing shed", sentRate, rate, count)
	}

	// Afterwards the node serves as before.
	after := c.drive(func(int) *node { return n })
	time.Sleep(time.Second)
	after.finish(t)
	if len(after.acked()) == 0 {
		t.Error("after the burst the node acknowledged no registration in a second")
	}
	acks := append(append(steady.acked(), burst.acked()...), after.acked()...)
	c.check(acks)
	lat := burst.latencies()
	t.Logf("sustainable: %.0f registrations/s (6 clients), resident %d MB; burst of %d requests sent at %.0f/s (%.0f/s asked): %d acknowledged (p99 %v), %d answered 503 with Retry-After; peak resident %d MB; %d acknowledged in the second after",
		rate, rssSteady/1024, count, float64(count)/sentFor.Seconds(), 10*rate, len(burst.acked()), pct(lat, .99), burst.refused.Load(), peak/1024, len(after.acked()))
}

// procStatusKB reads a size in kB (VmRSS, VmHWM) from the node's
// /proc/PID/status; it skips the test where there is no /proc.
func procStatusKB(t *testing.T, n *node, field string) int64 {
	t.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", n.cmd.Process.Pid))
	if err != nil {
		t.Skipf("no /proc here: %v", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			if err != nil {
				t.Fatalf("%s: %q", field, v)
			}
			return kb
		}
	}
	t.Fatalf("no %s in /proc/%d/status", field, n.cmd.Process.Pid)
	return 0
}

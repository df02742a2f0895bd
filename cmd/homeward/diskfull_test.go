package main

import (
	"errors"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The SQLite data directory on a real, small file system (a 64 MB tmpfs)
// that fills up while clients register: the server does not crash, answers
// the registrations it cannot store 503 with Retry-After and logs why,
// still answers reads, and registers again once room is made, by itself;
// afterwards every acknowledged registration is stored whole, case numbers
// are gapless, `PRAGMA integrity_check` is ok and the audit chain verifies.
// Needs root (mount); skipped elsewhere.
func TestDiskFullProcess(t *testing.T) {
	needCrash(t)
	mnt := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", "size=64m,mode=0700", "tmpfs", mnt).CombinedOutput(); err != nil {
		t.Skipf("cannot mount a small tmpfs here (needs root): %v %s", err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", "-l", mnt).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v %s", mnt, err, out)
		}
	})
	c := newClusterIn(t, filepath.Join(mnt, "data"), false, 1, 4)
	n := c.nodes[0]
	c.start(n)
	l := c.drive(func(int) *node { return n })
	time.Sleep(time.Second)

	// Fill what is left of the file system.
	filler := filepath.Join(mnt, "filler")
	if err := fill(filler); err != nil {
		t.Fatal(err)
	}
	refusedAt := l.refused.Load()
	deadline := time.Now().Add(30 * time.Second)
	for l.refused.Load() < refusedAt+20 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	full := l.refused.Load() - refusedAt
	if full == 0 {
		t.Fatalf("the file system is full and no registration was refused in 30s; log:\n%s", n.log.String())
	}
	said := false
	for _, line := range strings.Split(n.log.String(), "\n") {
		said = said || strings.Contains(line, "level=WARN") && strings.Contains(line, "msg=unavailable") && (strings.Contains(line, "full") || strings.Contains(line, "no room"))
	}
	if !said {
		t.Errorf("the server's log has no warning that the storage is full:\n%.3000s", n.log.String())
	}
	// Reads go on.
	req, _ := http.NewRequest("GET", n.URL()+"/api/v1/people?q=Rahima", nil)
	req.Header.Set("Authorization", "Bearer "+c.tokens[0].Secret)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("a search while the disk is full: %d, want 200", res.StatusCode)
	}

	// Room again: registering resumes without a restart.
	if err := os.Remove(filler); err != nil {
		t.Fatal(err)
	}
	acked := len(l.acked())
	deadline = time.Now().Add(30 * time.Second)
	for len(l.acked()) < acked+20 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	resumed := len(l.acked()) - acked
	l.finish(t)
	if resumed < 20 {
		t.Errorf("with room again only %d registrations were acknowledged in 30s", resumed)
	}
	if u := l.unknown.Load(); u > 0 {
		t.Errorf("%d registrations got no answer: the server died or dropped connections", u)
	}
	c.kill(n)
	stored := c.check(l.acked())
	db := c.sqlDB()
	defer db.Close()
	var ok string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&ok); err != nil || ok != "ok" {
		t.Errorf("integrity_check: %q %v", ok, err)
	}
	c.verifyAudit()
	t.Logf("64 MB tmpfs filled under load: %d registrations refused with 503 while full, %d acknowledged after room was made, %d acknowledged in all, %d stored; integrity ok",
		full, resumed, len(l.acked()), stored)
}

// fill writes zeros to path until the file system has no room left.
func fill(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	buf := make([]byte, 1<<20)
	for {
		if _, err := f.Write(buf); err != nil {
			if errors.Is(err, syscall.ENOSPC) {
				return nil
			}
			return err
		}
	}
}

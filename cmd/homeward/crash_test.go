package main

import (
	"context"
	"math/rand/v2"
	"os"
	"strconv"
	"testing"
	"time"

	"homeward"
)

// crashRounds is how many times the crash tests kill a node:
// HOMEWARD_CRASH_ROUNDS, or 20.
func crashRounds(t *testing.T) int {
	t.Helper()
	if s := os.Getenv("HOMEWARD_CRASH_ROUNDS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("HOMEWARD_CRASH_ROUNDS=%q", s)
		}
		return n
	}
	return 20
}

// Under registration load from several clients, the server on embedded
// SQLite is killed with SIGKILL at random moments and started again; every
// registration that was answered 201 must be stored whole, none stored
// half, the audit chains must verify and case numbers stay unique and
// gapless.
func TestCrashSQLite(t *testing.T) {
	needCrash(t)
	c := newCluster(t, false, 1, 6)
	if n := crashPeople(t); n > 0 {
		c.seedPeople(n)
	}
	crashRoundsOn(t, c)
}

// The same on PostgreSQL with two nodes: one of them, at random, is
// killed each round while the other serves on; PostgreSQL stays up.
func TestCrashPostgres(t *testing.T) {
	needCrash(t)
	needPostgres(t)
	c := newCluster(t, true, 2, 6)
	if n := crashPeople(t); n > 0 {
		c.seedPeople(n)
	}
	crashRoundsOn(t, c)
}

func crashRoundsOn(t *testing.T, c *cluster) {
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed>>7))
	t.Logf("seed %d", seed)
	for _, n := range c.nodes {
		c.start(n)
	}
	l := c.drive(func(w int) *node { return c.nodes[w%len(c.nodes)] })
	rounds := crashRounds(t)
	t0 := time.Now()
	prevAcks := 0
	for r := 1; r <= rounds; r++ {
		rt := time.Now()
		// Let the clients work for a random while, then kill a node
		// wherever it is: mid-request, mid-commit, mid-checkpoint.
		time.Sleep(time.Duration(50+rng.IntN(550)) * time.Millisecond)
		victim := c.nodes[rng.IntN(len(c.nodes))]
		c.kill(victim)
		acks := l.acked()
		stored := c.check(acks)
		if t.Failed() {
			t.Fatalf("round %d: stopping at the first failure\n%s", r, victim.log.String())
		}
		restart := c.start(victim)
		t.Logf("round %2d: killed %s; %4d acknowledged this round, %5d acknowledged in all, %5d stored; restart to listening %v; round %v",
			r, victim.name, len(acks)-prevAcks, len(acks), stored, restart.Round(time.Millisecond), time.Since(rt).Round(time.Millisecond))
		prevAcks = len(acks)
	}
	time.Sleep(200 * time.Millisecond)
	l.finish(t)
	for _, n := range c.nodes {
		c.kill(n)
	}
	acks := l.acked()
	c.sealAfterRestart()
	stored := c.check(acks)
	c.verifyAudit()
	el := time.Since(t0)
	t.Logf("%s: %d kills survived: %d registrations sent, %d acknowledged, %d stored (%d sent without an answer, %d answered 503), nothing acknowledged lost; %v in all, %.0f acknowledged/s",
		t.Name(), rounds, l.requests.Load(), len(acks), stored, l.unknown.Load(), l.refused.Load(), el.Round(time.Millisecond), float64(len(acks))/el.Seconds())
	if len(acks) == 0 {
		t.Error("no registration was acknowledged: the test tested nothing")
	}
}

// crashPeople is how many people HOMEWARD_CRASH_PEOPLE asks the crash tests
// to seed before the first kill (0 by default), so that the time from a kill
// to serving again can be measured on a large registry.
func crashPeople(t *testing.T) int {
	t.Helper()
	s := os.Getenv("HOMEWARD_CRASH_PEOPLE")
	if s == "" {
		return 0
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		t.Fatalf("HOMEWARD_CRASH_PEOPLE=%q", s)
	}
	return n
}

// seedPeople imports n people with concentrated Bangladeshi names (bench
// seed's rows) into the cluster's organisation as another case worker,
// whose people the checks then leave out: they were not registered under
// the kills, and import gives them no consents.
func (c *cluster) seedPeople(n int) {
	t := c.t
	t.Helper()
	ctx := context.Background()
	db := c.openDB()
	defer db.Close()
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	u := &homeward.User{OrgID: c.orgID, Email: "seeder@crash.test", Name: "Seeder", Roles: []homeward.Role{homeward.RoleCaseWorker}}
	if err := db.CreateUser(sys, u, c.password); err != nil {
		t.Fatal(err)
	}
	c.seeder = u.ID
	actx := homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: u.ID, OrgID: c.orgID, Roles: u.Roles})
	t0 := time.Now()
	written, _, err := seedBenchPeople(actx, db, n, 1, func(int) {})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d people in %v", written, time.Since(t0).Round(time.Millisecond))
}

// sealAfterRestart starts a node again when the last kills left audit
// events unlinked (PostgreSQL), waits until its sealer has linked them all,
// and stops it: every acknowledged registration's event ends in its chain.
func (c *cluster) sealAfterRestart() {
	c.t.Helper()
	db := c.sqlDB()
	defer db.Close()
	pending := func() int {
		var n int
		if err := db.QueryRow(`SELECT COUNT(*) FROM audit_pending`).Scan(&n); err != nil {
			c.t.Fatal(err)
		}
		return n
	}
	left := pending()
	if left == 0 {
		return
	}
	n := c.nodes[0]
	c.start(n)
	deadline := time.Now().Add(30 * time.Second)
	for pending() > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	c.kill(n)
	if p := pending(); p > 0 {
		c.t.Fatalf("%d audit events still unlinked 30s after a node restarted", p)
	}
	c.t.Logf("%d audit events left unlinked by the kills were sealed by the restarted %s", left, n.name)
}

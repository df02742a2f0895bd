package main

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/internal/sqldb"
)

// With --database-replica, the registry export reads a real streaming
// replica (pg_basebackup -R; HOMEWARD_TEST_REPLICA names it) while the
// registration and the person's page stay on the primary: with the
// replica's replay paused, a person just registered is on their page but
// not yet in the export, and is once replay resumes.
func TestReplica(t *testing.T) {
	needCrash(t)
	needPostgres(t)
	base := os.Getenv("HOMEWARD_TEST_REPLICA")
	if !strings.HasPrefix(base, "postgres") {
		t.Skip("needs HOMEWARD_TEST_REPLICA=postgres://… (a streaming replica of HOMEWARD_TEST_DATABASE's server)")
	}
	c := newCluster(t, true, 1, 1)
	// The replica's URL: its server, the primary's schema.
	pu, err := url.Parse(c.dsn)
	if err != nil {
		t.Fatal(err)
	}
	ru, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	rq := ru.Query()
	rq.Set("search_path", pu.Query().Get("search_path"))
	ru.RawQuery = rq.Encode()
	replicaDSN := ru.String()
	c.extra = append(c.extra, "HOMEWARD_DATABASE_REPLICA="+replicaDSN)

	// A supervisor, who may export.
	ctx := context.Background()
	db, err := sqldb.Open(ctx, c.dsn)
	if err != nil {
		t.Fatal(err)
	}
	if db.AuditKeys, err = homeward.ParseAuditKeys(strings.TrimPrefix(c.keys[0], auditKeyEnv+"=")); err != nil {
		t.Fatal(err)
	}
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	sup := &homeward.User{OrgID: c.orgID, Email: "supervisor@crash.test", Name: "Supervisor", Roles: []homeward.Role{homeward.RoleSupervisor}}
	if err := db.CreateUserWithHash(sys, sup, "x"); err != nil {
		t.Fatal(err)
	}
	supTok := &homeward.APIToken{Name: "export", Scopes: []homeward.Scope{homeward.ScopeRead}}
	if err := db.CreateToken(sys, sup.ID, supTok); err != nil {
		t.Fatal(err)
	}
	db.Close()

	replica, err := sql.Open("pgx", replicaDSN)
	if err != nil {
		t.Fatal(err)
	}
	defer replica.Close()
	var inRecovery bool
	if err := replica.QueryRow(`SELECT pg_is_in_recovery()`).Scan(&inRecovery); err != nil || !inRecovery {
		t.Fatalf("HOMEWARD_TEST_REPLICA is not a replica in recovery: %v %v", inRecovery, err)
	}
	primary, err := sql.Open("pgx", c.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer primary.Close()
	// The replica may be reconnecting to a primary that an earlier test
	// restarted (TestPostgresRestart), or replaying what earlier tests
	// wrote: wait (bounded) until it has replayed the primary's WAL up to
	// now, so that the waits below measure this test alone.
	var target string
	if err := primary.QueryRow(`SELECT pg_current_wal_lsn()::text`).Scan(&target); err != nil {
		t.Fatal(err)
	}
	t0 := time.Now()
	waitReplica(t, primary, replica, 90*time.Second, "the primary's WAL position "+target, func() (bool, error) {
		var ok bool
		err := replica.QueryRow(`SELECT COALESCE(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)`, target).Scan(&ok)
		return ok, err
	})
	t.Logf("the replica had replayed the primary's WAL up to %s after %v", target, time.Since(t0).Round(time.Millisecond))
	// caughtUp waits (bounded) until the replica holds the person.
	caughtUp := func(personID string) {
		t.Helper()
		waitReplica(t, primary, replica, 60*time.Second, "person "+personID, func() (bool, error) {
			var n int
			err := replica.QueryRow(`SELECT COUNT(*) FROM people WHERE id = $1`, personID).Scan(&n)
			return err == nil && n == 1, err
		})
	}

	c.start(c.nodes[0])
	n := c.nodes[0]
	client := &http.Client{Timeout: 10 * time.Second}
	do := func(method, path string, tok *homeward.APIToken, body []byte) (int, string) {
		t.Helper()
		var rd *strings.Reader
		if body != nil {
			rd = strings.NewReader(string(body))
		} else {
			rd = strings.NewReader("")
		}
		req, _ := http.NewRequest(method, n.URL()+path, rd)
		req.Header.Set("Authorization", "Bearer "+tok.Secret)
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		return res.StatusCode, readAll(res)
	}
	register := func(i int) ack {
		t.Helper()
		status, body := do("POST", "/api/v1/registrations", c.tokens[0], registrationBody(i))
		if status != http.StatusCreated {
			t.Fatalf("register: %d %s", status, body)
		}
		var a ack
		if err := jsonUnmarshal(body, &a); err != nil {
			t.Fatal(err)
		}
		return a
	}
	exported := func(number string) bool {
		t.Helper()
		status, body := do("GET", "/api/v1/exports/people?format=csv", supTok, nil)
		if status != http.StatusOK {
			t.Fatalf("export: %d %.300s", status, body)
		}
		return strings.Contains(body, number)
	}

	first := register(1)
	caughtUp(first.Person.ID)
	if !exported(first.Case.Number) {
		t.Fatalf("the export lacks %s, which the replica holds", first.Case.Number)
	}

	if _, err := replica.Exec(`SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	resumed := false
	defer func() {
		if !resumed {
			_, _ = replica.Exec(`SELECT pg_wal_replay_resume()`)
		}
	}()
	// Writes go on (on the primary) while the replica stands still.
	second := register(2)
	if status, body := do("GET", "/api/v1/people/"+second.Person.ID, c.tokens[0], nil); status != http.StatusOK {
		t.Errorf("the person just registered, on their page: %d %.200s", status, body)
	}
	if exported(second.Case.Number) {
		t.Errorf("the export holds %s, registered while the replica's replay was paused: it did not read the replica", second.Case.Number)
	}
	if !exported(first.Case.Number) {
		t.Errorf("the export lost %s", first.Case.Number)
	}
	if _, err := replica.Exec(`SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	resumed = true
	t0 = time.Now()
	caughtUp(second.Person.ID)
	if !exported(second.Case.Number) {
		t.Errorf("the export lacks %s once the replica caught up", second.Case.Number)
	}
	t.Logf("the export read the replica (paused: without the new person; resumed: with it after %v); the person's page read the primary at once", time.Since(t0).Round(time.Millisecond))
	c.kill(n)
	c.verifyAudit()
}

// waitReplica polls done every 20 ms until it reports true or limit passes;
// then it fails t with what both servers say of the replication, so that a
// failure tells a lagging replica from a disconnected one.
func waitReplica(t *testing.T, primary, replica *sql.DB, limit time.Duration, what string, done func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for {
		ok, err := done()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			var receiver, senders string
			if qerr := replica.QueryRow(`SELECT COALESCE((SELECT status || ' received ' || COALESCE(flushed_lsn::text, '-') FROM pg_stat_wal_receiver), 'no WAL receiver') || ' replayed ' || COALESCE(pg_last_wal_replay_lsn()::text, '-') || ' paused ' || pg_is_wal_replay_paused()::text`).Scan(&receiver); qerr != nil {
				receiver = qerr.Error()
			}
			if qerr := primary.QueryRow(`SELECT 'at ' || pg_current_wal_lsn()::text || ', ' || COALESCE((SELECT string_agg(state || ' sent ' || COALESCE(sent_lsn::text, '-') || ' replayed ' || COALESCE(replay_lsn::text, '-'), '; ') FROM pg_stat_replication), 'no replication connection')`).Scan(&senders); qerr != nil {
				senders = qerr.Error()
			}
			t.Fatalf("the replica did not reach %s within %v (last error: %v); replica: %s; primary: %s", what, limit, err, receiver, senders)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

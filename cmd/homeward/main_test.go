package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/password"
	"homeward/internal/seal"
	"homeward/internal/secondfactor"
	"homeward/internal/sqldb"
)

func testProgram(env map[string]string, stdin string) (*program, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return &program{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return env[k] }}, &out, &errb
}

func run(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	p, out, errb := testProgram(env, stdin)
	err := p.run(context.Background(), args)
	return out.String() + errb.String(), err
}

func TestUsageAndHelp(t *testing.T) {
	if _, err := run(t, nil, "", "frobnicate"); exitCode(err) != 2 {
		t.Errorf("unknown command: %v", err)
	}
	for _, cmd := range []string{"serve", "demo", "migrate", "version", "audit", "user", "org", "backup", "restore"} {
		out, err := run(t, nil, "", cmd, "--help")
		if err != nil && exitCode(err) != 2 {
			t.Errorf("%s --help: %v", cmd, err)
		}
		if !strings.Contains(out, "Usage: homeward") {
			t.Errorf("%s --help printed no usage: %q", cmd, out)
		}
	}
	if _, err := run(t, nil, "", "serve", "--follow-ups", "3,x"); exitCode(err) != 2 {
		t.Errorf("bad follow-up schedule: %v", err)
	}
	if _, err := run(t, nil, "", "serve", "--time-zone", "Mars/Olympus_Mons"); exitCode(err) != 2 || err == nil || !strings.Contains(err.Error(), "--time-zone") {
		t.Errorf("bad time zone: %v", err)
	}
	if _, err := run(t, nil, "", "serve", "--log-level", "loud"); exitCode(err) != 2 {
		t.Errorf("bad log level: %v", err)
	}
	for _, v := range []string{"0s", "10ms", "2h", "soon"} {
		if _, err := run(t, nil, "", "serve", "--webhook-interval", v); exitCode(err) != 2 {
			t.Errorf("--webhook-interval %s: %v", v, err)
		}
	}
	for _, v := range []string{"5ms", "11s", "-1s", "often"} {
		if _, err := run(t, nil, "", "serve", "--audit-seal-interval", v); exitCode(err) != 2 {
			t.Errorf("--audit-seal-interval %s: %v", v, err)
		}
	}
	if _, err := run(t, map[string]string{"HOMEWARD_WEBHOOK_ALLOW_PRIVATE": "maybe"}, "", "serve"); exitCode(err) != 2 || !strings.Contains(err.Error(), "HOMEWARD_WEBHOOK_ALLOW_PRIVATE") {
		t.Errorf("bad HOMEWARD_WEBHOOK_ALLOW_PRIVATE: %v", err)
	}
	if out, _ := run(t, nil, "", "serve", "--help"); !strings.Contains(out, "-webhook-allow-private") || !strings.Contains(out, "-webhook-interval") {
		t.Errorf("serve --help lacks the webhook flags: %s", out)
	}
	if _, err := run(t, nil, "", "backup"); exitCode(err) != 2 || !strings.Contains(err.Error(), "--out") {
		t.Errorf("backup without --out: %v", err)
	}
	if _, err := run(t, nil, "", "restore"); exitCode(err) != 2 || !strings.Contains(err.Error(), "--from") {
		t.Errorf("restore without --from: %v", err)
	}
	if _, err := run(t, nil, "", "serve", "--database-replica", "postgres://replica/x"); exitCode(err) != 2 || !strings.Contains(err.Error(), "--database-replica") {
		t.Errorf("a replica without a PostgreSQL database: %v", err)
	}
	if _, err := run(t, map[string]string{"HOMEWARD_DATABASE": "mysql://x"}, "", "migrate"); exitCode(err) != 2 || !strings.Contains(err.Error(), "postgres://") {
		t.Errorf("bad database from env: %v", err)
	}
}

// The administration commands work end to end on a real database, and
// audit verify notices tampering.
func TestAdminCommands(t *testing.T) {
	dsn := homewardtest.DSN(t)
	if !strings.HasPrefix(dsn, "postgres") {
		dsn = "sqlite://" + dsn
	}
	env := map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_DATA_DIR": t.TempDir()}
	must := func(stdin string, args ...string) string {
		t.Helper()
		out, err := run(t, env, stdin, args...)
		if err != nil {
			t.Fatalf("homeward %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return out
	}
	if out := must("", "migrate"); !strings.Contains(out, "up to date") {
		t.Errorf("migrate: %s", out)
	}
	must("", "org", "create", "--name", "Ministry", "--type", "ministry", "--country", "BD", "--areas", "BD30,BD60", "--operator")
	if out, err := run(t, env, "", "org", "create", "--name", "Bad", "--type", "ngo", "--areas", "BD9999"); err == nil || !strings.Contains(err.Error(), "areas[0]") {
		t.Errorf("bad org accepted: %v %s", err, out)
	}
	out := must("a long enough password\n", "user", "create", "--org", "Ministry", "--email", "Admin@Ministry.test", "--name", "Admin", "--roles", "administrator", "--password-stdin")
	if !strings.Contains(out, "admin@ministry.test") || strings.Contains(out, "password:") {
		t.Errorf("user create: %s", out)
	}
	// Without --as the command line makes only an organisation's first
	// administrator; every other account is made by its administrators.
	for _, args := range [][]string{
		{"--email", "second@ministry.test", "--name", "Second", "--roles", "administrator"},
		{"--email", "cw@ministry.test", "--name", "Case Worker", "--roles", "case_worker"},
	} {
		if out, err := run(t, env, "", append([]string{"user", "create", "--org", "Ministry"}, args...)...); err == nil || !strings.Contains(err.Error(), "--as") {
			t.Errorf("bootstrap made %v: %v %s", args, err, out)
		}
	}
	out = must("", "user", "create", "--as", "admin@ministry.test", "--org", "Ministry", "--email", "cw@ministry.test", "--name", "Case Worker", "--roles", "case_worker")
	if !strings.Contains(out, "password: ") {
		t.Errorf("generated password not shown: %s", out)
	}
	out = must("", "user", "create", "--as", "admin@ministry.test", "--org", "Ministry", "--email", "counsellor@ministry.test", "--name", "Counsellor", "--roles", "provider_staff")
	if !strings.Contains(out, "waiting for another administrator's approval: provider_staff") {
		t.Errorf("protected role given by the command line: %s", out)
	}
	if out, err := run(t, env, "", "user", "create", "--as", "cw@ministry.test", "--org", "Ministry", "--email", "z@ministry.test", "--name", "Z", "--roles", "case_worker"); err == nil {
		t.Errorf("a case worker made an account: %s", out)
	}
	if _, err := run(t, env, "", "user", "create", "--org", "Nowhere", "--email", "x@y.test", "--name", "X", "--roles", "case_worker"); err == nil {
		t.Error("user in unknown organisation created")
	}
	if out := must("", "user", "list"); !strings.Contains(out, "cw@ministry.test") {
		t.Errorf("user list: %s", out)
	}
	must("", "user", "disable", "cw@ministry.test")
	if out := must("", "user", "list", "--org", "Ministry"); !strings.Contains(out, "disabled") {
		t.Errorf("disable not listed: %s", out)
	}
	// A token is made only by its owner, who gives their password.
	if out, err := run(t, env, "", "user", "token", "create", "admin@ministry.test", "--name", "sync", "--scopes", "read"); err == nil {
		t.Errorf("token made without its owner's password: %s", out)
	}
	if out, err := run(t, env, "wrong password\n", "user", "token", "create", "admin@ministry.test", "--name", "sync", "--scopes", "read", "--password-stdin"); err == nil {
		t.Errorf("token made with a wrong password: %s", out)
	}
	// The organisation's default sign-in rules require a second factor of
	// administrators: none set up, no token.
	if out, err := run(t, env, "a long enough password\n", "user", "token", "create", "admin@ministry.test", "--name", "sync", "--scopes", "read", "--password-stdin"); err == nil || !strings.Contains(err.Error(), "second factor") {
		t.Errorf("token made by an administrator without the required second factor: %v %s", err, out)
	}
	// Set up (as the account page does, with the instance's at-rest key),
	// a token needs a current code too.
	db, _, err := serveDB(t, env)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	session, _, err := db.Login(ctx, "admin@ministry.test", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	admin, _, err := db.SessionActor(ctx, session)
	if err != nil || !admin.MustEnrol {
		t.Fatalf("administrator without a second factor: %+v %v", admin, err)
	}
	actx := homeward.NewContextWithActor(ctx, admin)
	e, err := db.BeginTOTP(actx)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := secondfactor.Code(e.Secret, db.Now())
	if _, err := db.ConfirmTOTP(actx, first); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if out, err := run(t, env, "a long enough password\n", "user", "token", "create", "admin@ministry.test", "--name", "sync", "--scopes", "read", "--password-stdin"); exitCode(err) != 2 || !strings.Contains(err.Error(), "--code") {
		t.Errorf("token without the code: %v %s", err, out)
	}
	if out, err := run(t, env, "a long enough password\n", "user", "token", "create", "admin@ministry.test", "--name", "sync", "--scopes", "read", "--password-stdin", "--code", first); err == nil {
		t.Errorf("token with the code used at set-up: %s", out)
	}
	next, _ := secondfactor.Code(e.Secret, time.Now().Add(secondfactor.Period))
	out = must("a long enough password\n", "user", "token", "create", "admin@ministry.test", "--name", "sync", "--scopes", "read,admin", "--expires", "30d", "--password-stdin", "--code", next)
	if !strings.Contains(out, "secret (shown once): hw_") {
		t.Errorf("token create: %s", out)
	}
	id := strings.Fields(strings.TrimPrefix(out, "token "))[0]
	must("", "user", "token", "revoke", id)
	if out := must("", "user", "token", "list", "admin@ministry.test"); !strings.Contains(out, "revoked") {
		t.Errorf("token list: %s", out)
	}
	// The operator removes a lost second factor: the password alone then
	// signs in (to set up a new one), once; a second reset has nothing to
	// remove.
	if out := must("", "user", "reset-second-factor", "admin@ministry.test"); !strings.Contains(out, "second factor of admin@ministry.test removed") {
		t.Errorf("reset-second-factor: %s", out)
	}
	if out, err := run(t, env, "", "user", "reset-second-factor", "admin@ministry.test"); err == nil {
		t.Errorf("second reset: %s", out)
	}
	must("", "user", "reset-password", "admin@ministry.test")
	if out := must("", "forms", "import", "../../internal/form/builtin/rss.xlsx"); !strings.Contains(out, "stored form rss version") {
		t.Errorf("forms import: %s", out)
	}
	if out := must("", "audit", "verify"); !strings.Contains(out, "audit log intact") {
		t.Errorf("audit verify: %s", out)
	}
}

// serve starts on a free port, answers, and shuts down gracefully when its
// context ends.
func TestServeAndShutdown(t *testing.T) {
	dir := t.TempDir()
	p, _, errb := testProgram(map[string]string{"HOMEWARD_DATA_DIR": filepath.Join(dir, "data"), "HOMEWARD_WEBHOOK_ALLOW_PRIVATE": "true"}, "")
	addrc, metricsc := make(chan string, 1), make(chan string, 1)
	p.onListen = func(a string) { addrc <- a }
	p.onMetrics = func(a string) { metricsc <- a }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- p.run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--metrics-addr", "127.0.0.1:0", "--log-format", "json", "--webhook-interval", "100ms"})
	}()
	var addr, metrics string
	for addr == "" || metrics == "" {
		select {
		case addr = <-addrc:
		case metrics = <-metricsc:
		case err := <-done:
			t.Fatalf("serve stopped: %v\n%s", err, errb.String())
		case <-time.After(30 * time.Second):
			t.Fatal("serve did not start")
		}
	}
	// Metrics are served on their own address, not the application's.
	get := func(u string) (int, string) {
		t.Helper()
		res, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	if status, body := get("http://" + addr + "/metrics"); status != 404 || strings.Contains(body, "homeward_http_requests_total") {
		t.Errorf("metrics on the application's address: %d", status)
	}
	if status, body := get("http://" + metrics + "/metrics"); status != 200 || !strings.Contains(body, "homeward_http_requests_total") {
		t.Errorf("metrics address: %d %.300s", status, body)
	}
	res, err := http.Get("http://" + addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"status":"ok"}` {
		t.Errorf("readyz: %d %s", res.StatusCode, body)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no graceful shutdown")
	}
	if !strings.Contains(errb.String(), `"msg":"stopped"`) {
		t.Errorf("log lacks the stop: %s", errb.String())
	}
}

// --webhook-allow-private (or its variable) reaches the database too, so
// that webhooks are created under the rule the sender delivers by.
func TestWebhookAllowPrivateReachesDB(t *testing.T) {
	tests := []struct {
		args []string
		env  map[string]string
		want bool
	}{
		{nil, nil, false},
		{[]string{"--webhook-allow-private"}, nil, true},
		{nil, map[string]string{"HOMEWARD_WEBHOOK_ALLOW_PRIVATE": "true"}, true},
	}
	for _, tt := range tests {
		p, _, _ := testProgram(tt.env, "")
		var c Config
		fs := p.flagSet("serve", "serve [flags]")
		c.serveFlags(fs, "127.0.0.1:0")
		if err := p.parse(fs, append([]string{"--data-dir", t.TempDir()}, tt.args...)); err != nil {
			t.Fatal(err)
		}
		db, err := openDB(context.Background(), &c, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		if db.WebhookAllowPrivate != tt.want {
			t.Errorf("%v %v: WebhookAllowPrivate %v, want %v", tt.args, tt.env, db.WebhookAllowPrivate, tt.want)
		}
		db.Close()
	}
}

// cmdWorld is a database with an NGO and its case worker for command
// tests, and the environment that points the commands at it.
type cmdWorld struct {
	db  *sqldb.DB // open; close it before running commands on SQLite
	org *homeward.Organisation
	cw  *homeward.User
	env map[string]string
	dsn string // as the commands take it
}

func newCmdWorld(t *testing.T) *cmdWorld {
	t.Helper()
	dsn := homewardtest.DSN(t)
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	auditKey := homeward.GenerateAuditKey()
	if db.AuditKeys, err = homeward.ParseAuditKeys(auditKey); err != nil {
		t.Fatal(err)
	}
	notesKey := seal.GenerateKey()
	nk, err := seal.ParseKey(notesKey)
	if err != nil {
		t.Fatal(err)
	}
	db.NotesKeys = seal.NewKeyring(nk)
	sys := homeward.NewContextWithActor(context.Background(), homeward.SystemActor)
	w := &cmdWorld{db: db, org: &homeward.Organisation{Name: "Shapla", Type: homeward.OrgNGO, Country: "BD"}}
	if err := db.CreateOrganisation(sys, w.org); err != nil {
		t.Fatal(err)
	}
	w.cw = &homeward.User{OrgID: w.org.ID, Email: "cw@shapla.test", Name: "CW", Roles: []homeward.Role{homeward.RoleCaseWorker}}
	if err := db.CreateUserWithHash(sys, w.cw, password.Hash(homewardtest.Password)); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(dsn, "postgres") {
		dsn = "sqlite://" + dsn
	}
	w.dsn = dsn
	w.env = map[string]string{"HOMEWARD_DATABASE": dsn, "HOMEWARD_AUDIT_KEY": auditKey, "HOMEWARD_NOTES_KEY": notesKey}
	return w
}

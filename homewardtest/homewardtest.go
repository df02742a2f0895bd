// Package homewardtest provides test fixtures shared by every package: a
// fresh database on the backend under test and a small world of
// organisations and users. The backend is SQLite in a temporary directory,
// or PostgreSQL when HOMEWARD_TEST_DATABASE holds a postgres:// URL; then
// every test gets a schema of its own, dropped at the end. The same tests
// therefore form the storage contract suite for both backends.
package homewardtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"homeward"
	"homeward/internal/password"
	"homeward/internal/seal"
	"homeward/internal/sqldb"
)

// Password is the password of every fixture user.
const Password = "correct horse battery staple"

func init() {
	// argon2id at full cost under the race detector makes suites crawl.
	password.UseParams(password.Cheap)
}

// Backend returns "postgres" when the tests run against PostgreSQL.
func Backend() string {
	if strings.HasPrefix(os.Getenv("HOMEWARD_TEST_DATABASE"), "postgres") {
		return "postgres"
	}
	return "sqlite"
}

// DSN returns a data source for a fresh, empty database and registers its
// removal with t.Cleanup.
func DSN(t testing.TB) string {
	t.Helper()
	base := os.Getenv("HOMEWARD_TEST_DATABASE")
	if !strings.HasPrefix(base, "postgres") {
		return filepath.Join(t.TempDir(), "homeward.db")
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated, empty database closed at the end of the test,
// with random keys for counselling notes and the audit chain (as serve
// configures them), the instance time zone Asia/Dhaka, and a clock that
// starts at Start: no test depends on the day it runs.
func Open(t testing.TB) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), DSN(t))
	if err != nil {
		t.Fatalf("open %s: %v", Backend(), err)
	}
	t.Cleanup(func() { db.Close() })
	db.NotesKeys = NotesKeys(t)
	db.AuditKeys = AuditKeys(t)
	db.Zone = Zone
	db.Now = Clock(t)
	return db
}

// Zone is the instance time zone of test databases.
var Zone = func() *time.Location {
	loc, err := homeward.LoadZone("Asia/Dhaka")
	if err != nil {
		panic(err)
	}
	return loc
}()

// defaultStart is the instant test clocks start at unless HOMEWARD_TEST_NOW
// names another: midday in Dhaka, on a day with nothing special about it.
var defaultStart = time.Date(2026, time.November, 18, 6, 30, 0, 0, time.UTC)

var startOnce = sync.OnceValues(func() (time.Time, error) {
	v := os.Getenv("HOMEWARD_TEST_NOW")
	if v == "" {
		return defaultStart, nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Add(6 * time.Hour), nil // midday in Dhaka
	}
	t, err := time.Parse(time.RFC3339, v)
	return t.UTC(), err
})

// Start returns the instant test clocks start at: HOMEWARD_TEST_NOW (an
// RFC 3339 time, or a date meaning midday in Dhaka) when set, so that the
// whole suite can be run as if on any chosen day; otherwise a fixed instant.
func Start(t testing.TB) time.Time {
	t.Helper()
	s, err := startOnce()
	if err != nil {
		t.Fatalf("HOMEWARD_TEST_NOW: %v", err)
	}
	return s
}

// Clock returns a clock that reads Start when called first and then moves
// on with real time (so that expiry and ordering behave as they do in
// production), in UTC.
func Clock(t testing.TB) func() time.Time {
	start, t0 := Start(t), time.Now()
	return func() time.Time { return start.Add(time.Since(t0)).UTC() }
}

// Today returns the day of the test clock in Zone (YYYY-MM-DD) moved by
// days: the dates tests type into forms.
func Today(db *sqldb.DB, days int) string {
	return db.Now().In(Zone).AddDate(0, 0, days).Format(time.DateOnly)
}

// AuditKeys returns an audit keyring holding one new random key.
func AuditKeys(t testing.TB) *homeward.AuditKeyring {
	t.Helper()
	kr, err := homeward.ParseAuditKeys(homeward.GenerateAuditKey())
	if err != nil {
		t.Fatal(err)
	}
	return kr
}

// NotesKeys returns a keyring holding one new random key.
func NotesKeys(t testing.TB) *seal.Keyring {
	t.Helper()
	k, err := seal.ParseKey(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	return seal.NewKeyring(k)
}

// World is a small, complete set of tenants: the operator (a ministry) and
// an NGO, each with one user per role.
type World struct {
	DB       *sqldb.DB
	Operator *homeward.Organisation
	NGO      *homeward.Organisation
	// Users by organisation ("operator", "ngo") and role.
	Users map[string]map[homeward.Role]*homeward.User
}

// NewWorld opens a database and fills it with the World.
func NewWorld(t testing.TB) *World {
	t.Helper()
	return NewWorldOn(t, Open(t))
}

// OpenSQLite is Open on SQLite whatever HOMEWARD_TEST_DATABASE says: the
// second instance of a test that runs two, so that one of them is on
// each backend when the suite runs on PostgreSQL.
func OpenSQLite(t testing.TB) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "homeward.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	db.NotesKeys = NotesKeys(t)
	db.AuditKeys = AuditKeys(t)
	db.Zone = Zone
	db.Now = Clock(t)
	return db
}

// NewWorldOn fills db with the World.
func NewWorldOn(t testing.TB, db *sqldb.DB) *World {
	t.Helper()
	ctx := homeward.NewContextWithActor(context.Background(), homeward.SystemActor)
	w := &World{DB: db, Users: map[string]map[homeward.Role]*homeward.User{}}
	w.Operator = &homeward.Organisation{Name: "Ministry of Expatriates' Welfare", Type: homeward.OrgMinistry, Country: "BD", Areas: []string{"BD30"}, Operator: true}
	w.NGO = &homeward.Organisation{Name: "Shapla Returnee Support", Type: homeward.OrgNGO, Country: "BD", Areas: []string{"BD3026", "BD3029"}}
	for _, o := range []*homeward.Organisation{w.Operator, w.NGO} {
		if err := db.CreateOrganisation(ctx, o); err != nil {
			t.Fatalf("create organisation: %v", err)
		}
		// The World's users sign in with a password alone, so that tests
		// of everything else need no authenticator; tests of second
		// factors require them (see NoSecondFactor).
		if err := db.SetSignInPolicy(ctx, NoSecondFactor(o.ID)); err != nil {
			t.Fatalf("sign-in policy: %v", err)
		}
	}
	hash := password.Hash(Password)
	for key, org := range map[string]*homeward.Organisation{"operator": w.Operator, "ngo": w.NGO} {
		w.Users[key] = map[homeward.Role]*homeward.User{}
		for _, r := range homeward.Roles {
			u := &homeward.User{OrgID: org.ID, Email: string(r) + "@" + key + ".test", Name: key + " " + string(r), Roles: []homeward.Role{r}}
			if err := db.CreateUserWithHash(ctx, u, hash); err != nil {
				t.Fatalf("create user: %v", err)
			}
			w.Users[key][r] = u
		}
	}
	return w
}

// NoSecondFactor is a sign-in policy that requires no second factor, with
// the default session time-outs.
func NoSecondFactor(orgID string) *homeward.SignInPolicy {
	p := homeward.DefaultSignInPolicy(orgID)
	p.SecondFactorRoles = []homeward.Role{}
	return p
}

// Actor returns the actor of the fixture user of org key and role.
func (w *World) Actor(org string, r homeward.Role) *homeward.Actor {
	u := w.Users[org][r]
	return &homeward.Actor{UserID: u.ID, OrgID: u.OrgID, Name: u.Name, Email: u.Email, Roles: u.Roles, Operator: org == "operator", Locale: "en"}
}

// Ctx returns a context acting as the fixture user of org key and role.
func (w *World) Ctx(org string, r homeward.Role) context.Context {
	return homeward.NewContextWithActor(context.Background(), w.Actor(org, r))
}

// SystemCtx returns a context acting as the system.
func SystemCtx() context.Context {
	return homeward.NewContextWithActor(context.Background(), homeward.SystemActor)
}

// Code returns homeward.ErrorCode(err), for terse assertions.
func Code(err error) string { return homeward.ErrorCode(err) }

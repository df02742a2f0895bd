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
	"testing"

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
// configures them).
func Open(t testing.TB) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), DSN(t))
	if err != nil {
		t.Fatalf("open %s: %v", Backend(), err)
	}
	t.Cleanup(func() { db.Close() })
	db.NotesKeys = NotesKeys(t)
	db.AuditKeys = AuditKeys(t)
	return db
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
	db := Open(t)
	ctx := homeward.NewContextWithActor(context.Background(), homeward.SystemActor)
	w := &World{DB: db, Users: map[string]map[homeward.Role]*homeward.User{}}
	w.Operator = &homeward.Organisation{Name: "Ministry of Expatriates' Welfare", Type: homeward.OrgMinistry, Country: "BD", Areas: []string{"BD30"}, Operator: true}
	w.NGO = &homeward.Organisation{Name: "Shapla Returnee Support", Type: homeward.OrgNGO, Country: "BD", Areas: []string{"BD3026", "BD3029"}}
	for _, o := range []*homeward.Organisation{w.Operator, w.NGO} {
		if err := db.CreateOrganisation(ctx, o); err != nil {
			t.Fatalf("create organisation: %v", err)
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

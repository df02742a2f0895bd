package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/password"
	"homeward/internal/sqldb"
)

func TestMigrateIdempotent(t *testing.T) {
	db := homewardtest.Open(t)
	ctx := context.Background()
	applied, err := db.MigrateStatus(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	ms, _ := sqldb.Migrations(db.Dialect())
	if len(applied) != len(ms) || len(ms) == 0 {
		t.Fatalf("applied %v of %d migrations", applied, len(ms))
	}
	if err := db.Migrate(ctx); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	for _, d := range []string{"sqlite", "postgres"} {
		if _, err := sqldb.Migrations(d); err != nil {
			t.Errorf("%s migrations: %v", d, err)
		}
	}
}

func TestOrganisations(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	admin := w.Ctx("operator", homeward.RoleAdministrator)

	t.Run("create validates everything at once", func(t *testing.T) {
		o := &homeward.Organisation{Name: " ", Type: "club", Country: "XX", Areas: []string{"BD9999"}}
		err := db.CreateOrganisation(admin, o)
		e, ok := err.(*homeward.Error)
		if !ok || e.Code != homeward.EINVALID {
			t.Fatalf("err = %v", err)
		}
		fields := map[string]bool{}
		for _, f := range e.Fields {
			fields[f.Field] = true
		}
		for _, f := range []string{"name", "type", "country", "areas[0]"} {
			if !fields[f] {
				t.Errorf("no error for %s in %v", f, e.Fields)
			}
		}
	})
	t.Run("p-code of another country", func(t *testing.T) {
		o := &homeward.Organisation{Name: "Lahore Helpers", Type: homeward.OrgNGO, Country: "BD", Areas: []string{"PK1"}}
		if err := db.CreateOrganisation(admin, o); homewardtest.Code(err) != homeward.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("duplicate name", func(t *testing.T) {
		o := &homeward.Organisation{Name: "shapla  returnee support", Type: homeward.OrgNGO, Country: "BD"}
		if err := db.CreateOrganisation(admin, o); homewardtest.Code(err) != homeward.EINVALID {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("NGO administrator may not create", func(t *testing.T) {
		o := &homeward.Organisation{Name: "Rogue", Type: homeward.OrgNGO, Country: "BD"}
		if err := db.CreateOrganisation(w.Ctx("ngo", homeward.RoleAdministrator), o); homewardtest.Code(err) != homeward.EFORBIDDEN {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("update with version", func(t *testing.T) {
		ngoAdmin := w.Ctx("ngo", homeward.RoleAdministrator)
		name := "Shapla Returnee Support Bangladesh"
		o, err := db.UpdateOrganisation(ngoAdmin, w.NGO.ID, 1, homeward.OrganisationUpdate{Name: &name})
		if err != nil {
			t.Fatal(err)
		}
		if o.Version != 2 || o.Name != name {
			t.Errorf("after update: %+v", o)
		}
		// A stale write is refused and changes nothing.
		other := "Stale"
		if _, err := db.UpdateOrganisation(ngoAdmin, w.NGO.ID, 1, homeward.OrganisationUpdate{Name: &other}); homewardtest.Code(err) != homeward.EPRECONDITION {
			t.Fatalf("stale update: %v", err)
		}
		got, _ := db.FindOrganisationByID(ngoAdmin, w.NGO.ID)
		if got.Name != name || got.Version != 2 {
			t.Errorf("stale write changed the record: %+v", got)
		}
		// Another organisation's administrator cannot learn it exists.
		if _, err := db.UpdateOrganisation(ngoAdmin, w.Operator.ID, 1, homeward.OrganisationUpdate{Name: &other}); homewardtest.Code(err) != homeward.ENOTFOUND {
			t.Fatalf("cross-org update: %v", err)
		}
	})
	t.Run("only the operator changes an organisation's type", func(t *testing.T) {
		ngoAdmin := w.Ctx("ngo", homeward.RoleAdministrator)
		cur, err := db.FindOrganisationByID(ngoAdmin, w.NGO.ID)
		if err != nil {
			t.Fatal(err)
		}
		ministry := homeward.OrgMinistry
		if _, err := db.UpdateOrganisation(ngoAdmin, w.NGO.ID, cur.Version, homeward.OrganisationUpdate{Type: &ministry}); homewardtest.Code(err) != homeward.EFORBIDDEN {
			t.Fatalf("NGO administrator makes their NGO a ministry: %v", err)
		}
		if got, _ := db.FindOrganisationByID(ngoAdmin, w.NGO.ID); got.Type != homeward.OrgNGO || got.Version != cur.Version {
			t.Errorf("refused type change changed the record: %+v", got)
		}
		// Sending the unchanged type along with other fields (as the edit
		// form does) is no change of type.
		same, short := homeward.OrgNGO, "Shapla"
		cur, err = db.UpdateOrganisation(ngoAdmin, w.NGO.ID, cur.Version, homeward.OrganisationUpdate{Type: &same, ShortName: &short})
		if err != nil {
			t.Fatalf("unchanged type: %v", err)
		}
		provider := homeward.OrgServiceProvider
		if _, err := db.UpdateOrganisation(w.Ctx("operator", homeward.RoleSupervisor), w.NGO.ID, cur.Version, homeward.OrganisationUpdate{Type: &provider}); homewardtest.Code(err) != homeward.ENOTFOUND {
			t.Errorf("operator supervisor: %v", err)
		}
		got, err := db.UpdateOrganisation(w.Ctx("operator", homeward.RoleAdministrator), w.NGO.ID, cur.Version, homeward.OrganisationUpdate{Type: &provider})
		if err != nil || got.Type != provider {
			t.Fatalf("operator administrator: %+v %v", got, err)
		}
		ngo := homeward.OrgNGO
		if _, err := db.UpdateOrganisation(w.Ctx("operator", homeward.RoleAdministrator), w.NGO.ID, got.Version, homeward.OrganisationUpdate{Type: &ngo}); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("find by type, area, name, pages", func(t *testing.T) {
		ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
		ngo := homeward.OrgNGO
		got, _, err := db.FindOrganisations(ctx, homeward.OrganisationFilter{Type: &ngo})
		if err != nil || len(got) != 1 || got[0].ID != w.NGO.ID {
			t.Fatalf("by type: %v %v", got, err)
		}
		area := "BD302602" // an upazila of Dhaka district, where the NGO works
		got, _, _ = db.FindOrganisations(ctx, homeward.OrganisationFilter{Area: &area})
		if len(got) != 2 {
			t.Errorf("by area: %d organisations, want 2 (ministry covers the division)", len(got))
		}
		q := "MINISTRY"
		got, _, _ = db.FindOrganisations(ctx, homeward.OrganisationFilter{Query: &q})
		if len(got) != 1 || got[0].ID != w.Operator.ID {
			t.Errorf("by name: %v", got)
		}
		page1, next, _ := db.FindOrganisations(ctx, homeward.OrganisationFilter{Limit: 1})
		page2, next2, _ := db.FindOrganisations(ctx, homeward.OrganisationFilter{Limit: 1, After: next})
		if len(page1) != 1 || len(page2) != 1 || next == "" || next2 != "" || page1[0].ID == page2[0].ID {
			t.Errorf("paging: %v %q %v %q", page1, next, page2, next2)
		}
		if _, _, err := db.FindOrganisations(ctx, homeward.OrganisationFilter{After: "junk"}); homewardtest.Code(err) != homeward.EINVALID {
			t.Errorf("bad cursor: %v", err)
		}
	})
}

func TestUsers(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	ngoAdmin := w.Ctx("ngo", homeward.RoleAdministrator)

	u := &homeward.User{OrgID: w.NGO.ID, Email: " Rahima@Shapla.TEST ", Name: "Rahima Khatun", Roles: []homeward.Role{homeward.RoleCaseWorker}, Locale: "bn"}
	if err := db.CreateUser(ngoAdmin, u, "short"); homewardtest.Code(err) != homeward.EINVALID {
		t.Fatalf("short password: %v", err)
	}
	if err := db.CreateUser(ngoAdmin, u, "a long enough password"); err != nil {
		t.Fatal(err)
	}
	if u.Email != "rahima@shapla.test" {
		t.Errorf("email not normalised: %q", u.Email)
	}
	dup := &homeward.User{OrgID: w.NGO.ID, Email: "rahima@shapla.test", Name: "X", Roles: []homeward.Role{homeward.RoleCaseWorker}}
	if err := db.CreateUser(ngoAdmin, dup, "a long enough password"); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("duplicate email: %v", err)
	}
	// An NGO administrator cannot create users in another organisation.
	foreign := &homeward.User{OrgID: w.Operator.ID, Email: "x@y.test", Name: "X", Roles: []homeward.Role{homeward.RoleAdministrator}}
	if err := db.CreateUser(ngoAdmin, foreign, "a long enough password"); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("cross-org create: %v", err)
	}
	// Case workers cannot create users.
	if err := db.CreateUser(w.Ctx("ngo", homeward.RoleCaseWorker), &homeward.User{OrgID: w.NGO.ID, Email: "z@y.test", Name: "Z", Roles: []homeward.Role{homeward.RoleCaseWorker}}, "a long enough password"); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker creates user: %v", err)
	}
	// Listing is scoped to the organisation.
	list, _, err := db.FindUsers(ngoAdmin, homeward.UserFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range list {
		if x.OrgID != w.NGO.ID {
			t.Errorf("user of another organisation listed: %s", x.Email)
		}
	}
	if len(list) != len(homeward.Roles)+1 {
		t.Errorf("%d users listed, want %d", len(list), len(homeward.Roles)+1)
	}
	opOrg := w.Operator.ID
	if _, _, err := db.FindUsers(ngoAdmin, homeward.UserFilter{OrgID: &opOrg}); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("listing another org's users: %v", err)
	}
	// The operator's administrator may list any organisation's users.
	if got, _, err := db.FindUsers(w.Ctx("operator", homeward.RoleAdministrator), homeward.UserFilter{OrgID: &w.NGO.ID}); err != nil || len(got) == 0 {
		t.Errorf("operator admin listing: %v %v", got, err)
	}
	// A case worker may read their own account but not a colleague's.
	cw := w.Users["ngo"][homeward.RoleCaseWorker]
	cwCtx := w.Ctx("ngo", homeward.RoleCaseWorker)
	if _, err := db.FindUserByID(cwCtx, cw.ID); err != nil {
		t.Errorf("reading own account: %v", err)
	}
	if _, err := db.FindUserByID(cwCtx, u.ID); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("reading a colleague: %v", err)
	}
	if _, err := db.FindUserByID(ngoAdmin, w.Users["operator"][homeward.RoleCaseWorker].ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("reading another org's user: %v", err)
	}
	// Self-service: name and locale, not roles.
	name := "Rahima"
	if _, err := db.UpdateUser(cwCtx, cw.ID, cw.Version, homeward.UserUpdate{Name: &name}); err != nil {
		t.Errorf("self rename: %v", err)
	}
	roles := []homeward.Role{homeward.RoleAdministrator}
	if _, err := db.UpdateUser(cwCtx, cw.ID, cw.Version+1, homeward.UserUpdate{Roles: &roles}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("self promotion: %v", err)
	}
	yes := true
	admin := w.Users["ngo"][homeward.RoleAdministrator]
	if _, err := db.UpdateUser(ngoAdmin, admin.ID, admin.Version, homeward.UserUpdate{Disabled: &yes}); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("self disable: %v", err)
	}
}

func TestLoginThrottleAndSessions(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	ctx := context.Background()
	email := w.Users["ngo"][homeward.RoleCaseWorker].Email

	if _, _, err := db.Login(ctx, "nobody@nowhere.test", homewardtest.Password); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Fatalf("unknown user: %v", err)
	}
	token, s, err := db.Login(ctx, "  "+email+" ", homewardtest.Password)
	if err != nil {
		t.Fatal(err)
	}
	a, s2, err := db.SessionActor(ctx, token)
	if err != nil || a.Email != email || s2.CSRFToken != s.CSRFToken || s2.CSRFToken == "" {
		t.Fatalf("session actor: %+v %v", a, err)
	}
	if _, _, err := db.SessionActor(ctx, token+"x"); err == nil {
		t.Error("forged token accepted")
	}
	// A known and an unknown account answer alike: the same failures, then
	// the same throttling, with the same words.
	var answers [2]string
	for i, who := range []string{email, "nobody@shapla.test"} {
		for n := 0; n < sqldb.AccountFreeFailures; n++ {
			if _, _, err := db.Login(ctx, who, "wrong password"); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
				t.Fatalf("%s attempt %d: %v", who, n, err)
			}
		}
		_, _, err := db.Login(ctx, who, homewardtest.Password)
		if homewardtest.Code(err) != homeward.ERATELIMIT {
			t.Fatalf("%s after %d failures: %v", who, sqldb.AccountFreeFailures, err)
		}
		answers[i] = err.Error()
	}
	if answers[0] != answers[1] {
		t.Errorf("known and unknown accounts answer differently:\n%s\n%s", answers[0], answers[1])
	}
	// A wait, not a lock: a second later the right password works.
	now = now.Add(time.Second)
	if _, _, err := db.Login(ctx, email, homewardtest.Password); err != nil {
		t.Fatalf("after the wait: %v", err)
	}
	// The wait doubles with each further failure, up to a ceiling that an
	// attacker who knows the address cannot raise.
	wait := time.Duration(0)
	for n := 0; n < sqldb.AccountFreeFailures+12; n++ {
		now = now.Add(wait)
		_, _, err := db.Login(ctx, email, "wrong password")
		if homewardtest.Code(err) != homeward.EUNAUTHORIZED {
			t.Fatalf("failure %d after waiting %s: %v", n, wait, err)
		}
		// At once again: free while few, then told how long to wait.
		_, _, err = db.Login(ctx, email, "wrong password")
		var e *homeward.Error
		if !errors.As(err, &e) {
			t.Fatalf("failure %d: %v", n, err)
		} else if e.Code == homeward.EUNAUTHORIZED {
			wait = 0
			continue
		} else if e.Code != homeward.ERATELIMIT {
			t.Fatalf("failure %d: %v", n, err)
		}
		next := time.Duration(e.Args["seconds"].(int)) * time.Second
		if next < wait || next > sqldb.AccountMaxDelay {
			t.Fatalf("wait %s after %s (ceiling %s)", next, wait, sqldb.AccountMaxDelay)
		}
		wait = next
	}
	if wait != sqldb.AccountMaxDelay {
		t.Errorf("wait after many failures %s, want the ceiling %s", wait, sqldb.AccountMaxDelay)
	}
	now = now.Add(wait)
	if _, _, err := db.Login(ctx, email, homewardtest.Password); err != nil {
		t.Fatalf("after the ceiling: %v", err)
	}
	// Sessions expire.
	now = now.Add(sqldb.SessionLife + time.Minute)
	if _, _, err := db.SessionActor(ctx, token); err == nil {
		t.Error("expired session accepted")
	}
	// Logout ends a session.
	tok2, _, _ := db.Login(ctx, email, homewardtest.Password)
	if err := db.Logout(ctx, tok2); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionActor(ctx, tok2); err == nil {
		t.Error("session alive after logout")
	}
}

// One client guessing across many accounts is throttled by its address;
// other clients, and people signing in from it, are not.
func TestLoginThrottleByAddress(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	attacker := homeward.NewContextWithClientAddr(context.Background(), "203.0.113.7")
	office := homeward.NewContextWithClientAddr(context.Background(), "198.51.100.1")
	email := w.Users["ngo"][homeward.RoleSupervisor].Email
	// Many people signing in from one office are never throttled.
	for n := 0; n < 2*sqldb.AddressFreeFailures; n++ {
		if _, _, err := db.Login(office, email, homewardtest.Password); err != nil {
			t.Fatalf("sign-in %d from the office: %v", n, err)
		}
	}
	for n := 0; n < sqldb.AddressFreeFailures; n++ {
		if _, _, err := db.Login(attacker, fmt.Sprintf("guess%d@shapla.test", n), "password123"); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
			t.Fatalf("guess %d: %v", n, err)
		}
	}
	if _, _, err := db.Login(attacker, "fresh@shapla.test", "password123"); homewardtest.Code(err) != homeward.ERATELIMIT {
		t.Errorf("guess from a throttled address: %v", err)
	}
	if _, _, err := db.Login(attacker, email, homewardtest.Password); homewardtest.Code(err) != homeward.ERATELIMIT {
		t.Errorf("a throttled address signs in: %v", err)
	}
	if _, _, err := db.Login(office, email, homewardtest.Password); err != nil {
		t.Errorf("another address: %v", err)
	}
	// After a quiet hour the failures are forgotten.
	now = now.Add(time.Hour + sqldb.AddressMaxDelay)
	if _, _, err := db.Login(attacker, "fresh@shapla.test", "password123"); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("after a quiet hour: %v", err)
	}
}

// Parallel guesses cannot outrun the throttle: however many arrive at once,
// at most AccountFreeFailures passwords are checked before the wait.
func TestLoginThrottleUnderParallelGuesses(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	db.Now = func() time.Time { return now }
	ctx := context.Background()
	u := w.Users["ngo"][homeward.RoleSupervisor]
	email := u.Email
	// A real password hash, so that checking one takes as long as in
	// production and the guesses overlap.
	old := password.UseParams(password.Default)
	err := db.SetPassword(w.Ctx("ngo", homeward.RoleAdministrator), u.ID, "", homewardtest.Password)
	password.UseParams(old)
	if err != nil {
		t.Fatal(err)
	}
	const n = 4 * sqldb.AccountFreeFailures
	codes := make(chan string, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, _, err := db.Login(ctx, email, "guess")
			codes <- homewardtest.Code(err)
		})
	}
	wg.Wait()
	close(codes)
	checked := 0
	for c := range codes {
		switch c {
		case homeward.EUNAUTHORIZED:
			checked++
		case homeward.ERATELIMIT:
		default:
			t.Errorf("unexpected outcome %q", c)
		}
	}
	if checked == 0 || checked > sqldb.AccountFreeFailures {
		t.Errorf("%d of %d parallel guesses were checked; want 1..%d", checked, n, sqldb.AccountFreeFailures)
	}
	if _, _, err := db.Login(ctx, email, homewardtest.Password); homewardtest.Code(err) != homeward.ERATELIMIT {
		t.Errorf("right password after the parallel guesses: %v", err)
	}
}

func TestPasswordChangeEndsSessions(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	ctx := context.Background()
	u := w.Users["ngo"][homeward.RoleSupervisor]
	tok, _, err := db.Login(ctx, u.Email, homewardtest.Password)
	if err != nil {
		t.Fatal(err)
	}
	self := w.Ctx("ngo", homeward.RoleSupervisor)
	// An API token, resolved once so that this process has it cached.
	api := &homeward.APIToken{Name: "sync", Scopes: []homeward.Scope{homeward.ScopeRead}}
	if err := db.CreateToken(self, u.ID, api); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TokenActor(ctx, api.Secret); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPassword(self, u.ID, "wrong current", "a brand new password"); homewardtest.Code(err) != homeward.EINVALID {
		t.Fatalf("wrong current: %v", err)
	}
	if _, err := db.TokenActor(ctx, api.Secret); err != nil {
		t.Fatalf("a refused change revoked the token: %v", err)
	}
	if err := db.SetPassword(self, u.ID, homewardtest.Password, "a brand new password"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionActor(ctx, tok); err == nil {
		t.Error("old session survived password change")
	}
	if _, err := db.TokenActor(ctx, api.Secret); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("API token survived password change: %v", err)
	}
	if list, _ := db.FindTokens(self, u.ID); len(list) != 1 || list[0].RevokedAt == nil {
		t.Errorf("token not shown as revoked: %+v", list)
	}
	if _, _, err := db.Login(ctx, u.Email, "a brand new password"); err != nil {
		t.Errorf("login with new password: %v", err)
	}
	// An administrator's reset ends the user's sessions and tokens too.
	tok, _, err = db.Login(ctx, u.Email, "a brand new password")
	if err != nil {
		t.Fatal(err)
	}
	api2 := &homeward.APIToken{Name: "sync 2", Scopes: []homeward.Scope{homeward.ScopeRead}}
	if err := db.CreateToken(self, u.ID, api2); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TokenActor(ctx, api2.Secret); err != nil {
		t.Fatal(err)
	}
	if err := db.SetPassword(w.Ctx("ngo", homeward.RoleAdministrator), u.ID, "", "a reset password here"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.SessionActor(ctx, tok); err == nil {
		t.Error("session survived a reset")
	}
	if _, err := db.TokenActor(ctx, api2.Secret); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("API token survived a reset: %v", err)
	}
	u.Version++
	// Admin reset across organisations is not found.
	if err := db.SetPassword(w.Ctx("ngo", homeward.RoleAdministrator), w.Users["operator"][homeward.RoleCaseWorker].ID, "", "another new password"); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("cross-org reset: %v", err)
	}
	// A disabled user cannot sign in.
	yes := true
	if _, err := db.UpdateUser(w.Ctx("ngo", homeward.RoleAdministrator), u.ID, u.Version+1, homeward.UserUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Login(ctx, u.Email, "a reset password here"); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("disabled login: %v", err)
	}
}

func TestAPITokens(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	u := w.Users["ngo"][homeward.RoleCaseWorker]
	self := w.Ctx("ngo", homeward.RoleCaseWorker)
	past := db.Now().Add(-time.Hour)
	if err := db.CreateToken(self, u.ID, &homeward.APIToken{Name: "x", Scopes: []homeward.Scope{"root"}, ExpiresAt: &past}); homewardtest.Code(err) != homeward.EINVALID {
		t.Fatalf("bad token: %v", err)
	}
	tok := &homeward.APIToken{Name: "partner sync", Scopes: []homeward.Scope{homeward.ScopeRead}}
	if err := db.CreateToken(self, u.ID, tok); err != nil {
		t.Fatal(err)
	}
	a, err := db.TokenActor(context.Background(), tok.Secret)
	if err != nil || a.UserID != u.ID || len(a.Scopes) != 1 {
		t.Fatalf("token actor: %+v %v", a, err)
	}
	// The token may read but not write, whatever the role allows.
	if homeward.Can(a, homeward.ActPersonCreate, homeward.Resource{OrgID: u.OrgID}) {
		t.Error("read-scoped token may create")
	}
	// A token acts for its user only within its scopes: a read token cannot
	// change the user's profile or password, and an admin token cannot mint
	// a token with scopes it does not carry itself.
	tokCtx := homeward.NewContextWithActor(context.Background(), a)
	name := "Renamed by token"
	if _, err := db.UpdateUser(tokCtx, u.ID, u.Version, homeward.UserUpdate{Name: &name}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("read token edits its user's profile: %v", err)
	}
	if err := db.SetPassword(tokCtx, u.ID, homewardtest.Password, "a brand new passphrase"); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("read token changes its user's password: %v", err)
	}
	if err := db.CreateToken(tokCtx, u.ID, &homeward.APIToken{Name: "more", Scopes: []homeward.Scope{homeward.ScopeRead}}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("read token mints a token: %v", err)
	}
	adm := &homeward.APIToken{Name: "admin", Scopes: []homeward.Scope{homeward.ScopeAdmin}}
	if err := db.CreateToken(self, u.ID, adm); err != nil {
		t.Fatal(err)
	}
	aa, err := db.TokenActor(context.Background(), adm.Secret)
	if err != nil {
		t.Fatal(err)
	}
	admCtx := homeward.NewContextWithActor(context.Background(), aa)
	err = db.CreateToken(admCtx, u.ID, &homeward.APIToken{Name: "wider", Scopes: []homeward.Scope{homeward.ScopeAdmin, homeward.ScopeAudit}})
	if homewardtest.Code(err) != homeward.EINVALID || !strings.Contains(err.Error(), "audit") {
		t.Errorf("admin token mints an audit token: %v", err)
	}
	if err := db.CreateToken(admCtx, u.ID, &homeward.APIToken{Name: "same", Scopes: []homeward.Scope{homeward.ScopeAdmin}}); err != nil {
		t.Errorf("admin token mints an admin token: %v", err)
	}
	if err := db.RevokeToken(self, adm.ID); err != nil {
		t.Fatal(err)
	}
	list, err := db.FindTokens(self, u.ID)
	if err != nil || len(list) != 3 || list[0].Secret != "" {
		t.Fatalf("list tokens: %v %v", list, err)
	}
	// Another organisation's administrator cannot see or revoke it.
	if err := db.RevokeToken(w.Ctx("operator", homeward.RoleAuditor), tok.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("cross-org revoke: %v", err)
	}
	if err := db.RevokeToken(self, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TokenActor(context.Background(), tok.Secret); err == nil {
		t.Error("revoked token accepted")
	}
}

// Resolved tokens are reused for a moment; a change made through this
// process ends that at once, one made behind its back (another process on
// the same database) within the cache's lifetime.
func TestTokenCacheEndsWithChanges(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	u := w.Users["ngo"][homeward.RoleCaseWorker]
	admin := w.Ctx("ngo", homeward.RoleAdministrator)
	tok := &homeward.APIToken{Name: "sync", Scopes: []homeward.Scope{homeward.ScopeRead, homeward.ScopeWrite}}
	if err := db.CreateToken(w.Ctx("ngo", homeward.RoleCaseWorker), u.ID, tok); err != nil {
		t.Fatal(err)
	}
	a, err := db.TokenActor(context.Background(), tok.Secret)
	if err != nil || !a.HasRole(homeward.RoleCaseWorker) {
		t.Fatalf("token actor: %+v %v", a, err)
	}
	// A caller changing its copy does not change the cached one.
	a.Roles[0], a.Scopes = homeward.RoleAdministrator, append(a.Scopes, homeward.ScopeAdmin)
	if b, _ := db.TokenActor(context.Background(), tok.Secret); b.HasRole(homeward.RoleAdministrator) || b.HasScope(homeward.ScopeAdmin) {
		t.Fatalf("cached actor shared with a caller: %+v", b)
	}
	// New roles apply to the next request.
	cur, err := db.FindUserByID(admin, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	roles := []homeward.Role{homeward.RoleSupervisor}
	if cur, err = db.UpdateUser(admin, u.ID, cur.Version, homeward.UserUpdate{Roles: &roles}); err != nil {
		t.Fatal(err)
	}
	if b, err := db.TokenActor(context.Background(), tok.Secret); err != nil || !b.HasRole(homeward.RoleSupervisor) || b.HasRole(homeward.RoleCaseWorker) {
		t.Errorf("roles after a change: %+v %v", b, err)
	}
	// A disabled user's token stops at once.
	yes := true
	if _, err := db.UpdateUser(admin, u.ID, cur.Version, homeward.UserUpdate{Disabled: &yes}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TokenActor(context.Background(), tok.Secret); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("disabled user's token: %v", err)
	}
	// A revocation written by another process is seen once the cached
	// answer expires.
	other := &homeward.APIToken{Name: "other", Scopes: []homeward.Scope{homeward.ScopeRead}}
	v := w.Users["ngo"][homeward.RoleSupervisor]
	if err := db.CreateToken(w.Ctx("ngo", homeward.RoleSupervisor), v.ID, other); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TokenActor(context.Background(), other.Secret); err != nil {
		t.Fatal(err)
	}
	if err := db.Transact(context.Background(), func(tx *sqldb.Tx) error {
		_, err := tx.Exec(`UPDATE api_tokens SET revoked_at = ? WHERE id = ?`, db.Now(), other.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	now := db.Now
	db.Now = func() time.Time { return now().Add(3 * time.Second) }
	defer func() { db.Now = now }()
	if _, err := db.TokenActor(context.Background(), other.Secret); homewardtest.Code(err) != homeward.EUNAUTHORIZED {
		t.Errorf("token revoked by another process, after the cache's lifetime: %v", err)
	}
}

func TestAuditChainAndTamper(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	ctx := homewardtest.SystemCtx()
	// Some more writes on the NGO's chain.
	for i := 0; i < 5; i++ {
		name := "Shapla " + string(rune('A'+i))
		o, _ := db.FindOrganisationByID(ctx, w.NGO.ID)
		if _, err := db.UpdateOrganisation(ctx, w.NGO.ID, o.Version, homeward.OrganisationUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
	}
	rep, err := db.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK() || rep.Events < 10 || rep.Chains < 2 {
		t.Fatalf("clean log: %+v", rep)
	}
	// Every write left an event in the same transaction.
	events, _, err := db.FindAuditEvents(ctx, homeward.AuditFilter{OrgID: &w.NGO.ID, RecordType: ptr("organisation")})
	if err != nil || len(events) != 6 {
		t.Fatalf("organisation events: %d %v", len(events), err)
	}
	// The table refuses changes through SQL.
	raw := sqldb.RawDB(t, db)
	if _, err := raw.Exec(`UPDATE audit_events SET action = 'x'`); err == nil {
		t.Fatal("audit_events accepted an UPDATE")
	}

	cases := []struct {
		name   string
		tamper string
		kind   string
	}{
		{"changed", `UPDATE audit_events SET action = 'organisation.delete' WHERE chain = '%s' AND seq = 3`, "changed"},
		{"deleted", `DELETE FROM audit_events WHERE chain = '%s' AND seq = 2`, "deleted"},
		{"truncated", `DELETE FROM audit_events WHERE chain = '%s' AND seq = (SELECT MAX(seq) FROM audit_events WHERE chain = '%[1]s')`, "truncated"},
		{"reordered", `UPDATE audit_events SET seq = -2 WHERE chain = '%[1]s' AND seq = 2;
			UPDATE audit_events SET seq = 2 WHERE chain = '%[1]s' AND seq = 3;
			UPDATE audit_events SET seq = 3 WHERE chain = '%[1]s' AND seq = -2`, "reordered"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := homewardtest.NewWorld(t)
			for i := 0; i < 4; i++ {
				name := "Shapla " + string(rune('A'+i))
				o, _ := w.DB.FindOrganisationByID(ctx, w.NGO.ID)
				if _, err := w.DB.UpdateOrganisation(ctx, w.NGO.ID, o.Version, homeward.OrganisationUpdate{Name: &name}); err != nil {
					t.Fatal(err)
				}
			}
			raw := sqldb.RawDB(t, w.DB)
			sqldb.DisableAppendOnly(t, w.DB, raw)
			for _, stmt := range strings.Split(fmt.Sprintf(tc.tamper, w.NGO.ID), ";") {
				if _, err := raw.Exec(stmt); err != nil {
					t.Fatalf("tamper: %v", err)
				}
			}
			rep, err := w.DB.VerifyAudit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK() {
				t.Fatal("tampering not detected")
			}
			p := rep.Problems[0]
			if p.Chain != w.NGO.ID || p.Kind != tc.kind {
				t.Errorf("problem = %+v, want kind %s on chain %s", p, tc.kind, w.NGO.ID)
			}
		})
	}
	// Auditors of an ordinary organisation cannot read another's events.
	if _, _, err := db.FindAuditEvents(w.Ctx("ngo", homeward.RoleAuditor), homeward.AuditFilter{OrgID: &w.Operator.ID}); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("cross-org audit read: %v", err)
	}
	if _, _, err := db.FindAuditEvents(w.Ctx("ngo", homeward.RoleCaseWorker), homeward.AuditFilter{}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker audit read: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

var _ = sql.ErrNoRows

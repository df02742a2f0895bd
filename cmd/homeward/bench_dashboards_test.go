package main

import (
	"context"
	"testing"

	"homeward"
	"homeward/internal/sqldb"
)

// The watchers' set-up runs every time bench indicators reads the
// dashboard pages: on a database it has already set up (the policies then
// at version 2) and on one whose organisation changed its policy since, it
// must neither fail on a stale version nor make a watcher twice.
func TestEnsureBenchWatchersTwice(t *testing.T) {
	ctx := context.Background()
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	db, err := openBenchDB(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	o := &homeward.Organisation{Name: "Bench NGO", Type: homeward.OrgNGO, Country: "BD", Areas: []string{"BD30"}}
	if err := db.CreateOrganisation(sys, o); err != nil {
		t.Fatal(err)
	}
	for run := 1; run <= 3; run++ {
		if err := ensureBenchWatchers(sys, db, o.ID); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if run == 2 {
			// Someone asks for a second factor again between runs.
			pol, err := db.SignInPolicy(sys, o.ID)
			if err != nil {
				t.Fatal(err)
			}
			pol.SecondFactorRoles = []homeward.Role{homeward.RoleAdministrator}
			if err := db.SetSignInPolicy(sys, pol); err != nil {
				t.Fatal(err)
			}
		}
	}
	var users, ministries int
	if err := db.Transact(sys, func(tx *sqldb.Tx) error {
		if err := tx.QueryRow(`SELECT COUNT(*) FROM users WHERE email LIKE ?`, "bench-%@bench.test").Scan(&users); err != nil {
			return err
		}
		return tx.QueryRow(`SELECT COUNT(*) FROM organisations WHERE operator = ?`, true).Scan(&ministries)
	}); err != nil {
		t.Fatal(err)
	}
	if users != len(benchWatchers) || ministries != 1 {
		t.Errorf("%d watchers and %d operators after three runs, want %d and 1", users, ministries, len(benchWatchers))
	}
	pol, err := db.SignInPolicy(sys, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(pol.SecondFactorRoles) != 0 || pol.Version != 4 {
		t.Errorf("policy after three runs: roles %v, version %d; want none at version 4", pol.SecondFactorRoles, pol.Version)
	}
	for _, w := range benchWatchers {
		if _, _, err := db.Login(ctx, w.email, benchWatcherPassword); err != nil {
			t.Errorf("%s cannot sign in with a password alone: %v", w.email, err)
		}
	}
}

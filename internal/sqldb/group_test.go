package sqldb_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

func reg(ext string, i int) *registry.Registration {
	return &registry.Registration{
		Person: registry.Person{ExternalID: ext, GivenName: string(rune('A'+i%26)) + "bdul", FamilyName: "Islam", Sex: registry.SexMale,
			Address: registry.Address{AdminArea: "BD302602"}},
		Episodes: []registry.MigrationEpisode{{DestinationCountry: "SA",
			Return: &registry.Return{Date: registry.DayDate(2026, 1, 1+i%28), ReturnType: registry.ReturnDeported}}},
	}
}

// Concurrent registrations share commits on SQLite; one that fails inside
// its transaction (a duplicate external ID) is rolled back alone and the
// others, committed with it, are intact, as is the audit chain.
func TestConcurrentRegistrationsFailAlone(t *testing.T) {
	w := homewardtest.NewWorld(t)
	ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
	const n = 60
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ext := fmt.Sprintf("E%d", i)
			if i%10 == 0 {
				ext = "DUP" // six of these: one wins
			}
			_, errs[i] = w.DB.Register(ctx, reg(ext, i))
		}()
	}
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			failed++
			if i%10 != 0 || homeward.ErrorCode(err) != homeward.EINVALID {
				t.Errorf("registration %d: %v", i, err)
			}
		}
	}
	if failed != 5 {
		t.Errorf("%d registrations failed, want 5 (six share one external ID)", failed)
	}
	list, _, err := w.DB.Search(ctx, registry.SearchFilter{Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != n-5 {
		t.Errorf("%d people stored, want %d", len(list), n-5)
	}
	numbers := map[string]bool{}
	for _, s := range list {
		if numbers[s.CaseNumber] {
			t.Errorf("case number %s given twice", s.CaseNumber)
		}
		numbers[s.CaseNumber] = true
	}
	// Counted in memory per commit group, case numbers still run without
	// gaps: the failed registrations took none.
	year := w.DB.Now().Year()
	for i := 1; i <= n-5; i++ {
		if num := registry.FormatCaseNumber("BGD", year, i); !numbers[num] {
			t.Errorf("case number %s missing", num)
		}
	}
	// The next registration continues the sequence.
	rec, err := w.DB.Register(ctx, reg("AFTER", 1))
	if err != nil || rec.Case.Number != registry.FormatCaseNumber("BGD", year, n-4) {
		t.Errorf("next case number: %v %v", rec, err)
	}
	rep, err := w.DB.VerifyAudit(homewardtest.SystemCtx())
	if err != nil || !rep.OK() {
		t.Errorf("audit after concurrent writes: %+v %v", rep, err)
	}
}

// Closing the database while writers queue for a group commit must answer
// every caller: each either commits or gets an error, none waits for ever.
// (A hang here shows as the test timing out.)
func TestGroupCommitCloseAnswersEveryCaller(t *testing.T) {
	for round := range 20 {
		db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "g.db"))
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		var wg sync.WaitGroup
		start := make(chan struct{})
		for range 200 {
			wg.Go(func() {
				<-start
				_ = db.TransactGrouped(ctx, func(tx *sqldb.Tx) error {
					_, err := tx.Exec(`SELECT 1`)
					return err
				})
			})
		}
		close(start)
		if round%2 == 1 {
			wg.Go(func() { _ = db.Close() })
		} else {
			_ = db.Close()
		}
		wg.Wait()
		// Once closed, a write is refused at once.
		if err := db.TransactGrouped(ctx, func(*sqldb.Tx) error { return nil }); err == nil {
			t.Fatal("a write after Close succeeded")
		}
	}
}

package sqldb_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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
	recs := make([]*registry.Record, n)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ext := fmt.Sprintf("E%d", i)
			if i%10 == 0 {
				ext = "DUP" // six of these: one wins
			}
			recs[i], errs[i] = w.DB.Register(ctx, reg(ext, i))
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
	// A group with a failing job runs again with a savepoint per job: what
	// each caller got back is what was stored, not the first attempt's.
	for i, rec := range recs {
		if errs[i] != nil {
			continue
		}
		got, err := w.DB.FindRecord(ctx, rec.Person.ID)
		if err != nil {
			t.Errorf("registration %d: stored person %s: %v", i, rec.Person.ID, err)
			continue
		}
		if got.Case == nil || got.Case.Number != rec.Case.Number || got.Case.ID != rec.Case.ID {
			t.Errorf("registration %d: returned case %s %s, stored %+v", i, rec.Case.ID, rec.Case.Number, got.Case)
		}
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

// Commits are copied from the write-ahead log into the database file by a
// background checkpoint, not by the writer once the log is long: a few
// small writes, far below the writer's own checkpoint threshold, reach the
// main file shortly after they commit.
func TestBackgroundCheckpoint(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.db")
	ctx := context.Background()
	db, err := sqldb.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Transact(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(`CREATE TABLE ckpt_probe (v TEXT)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// Wait for the table's creation to reach the file, then measure.
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	waitGrow := func(than int64) int64 {
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if s := size(); s > than {
				return s
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("database file stayed at %d bytes: nothing was checkpointed", than)
		return 0
	}
	before := size()
	for i := range 20 {
		if err := db.TransactGrouped(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(`INSERT INTO ckpt_probe (v) VALUES (?)`, strings.Repeat(fmt.Sprint(i), 4000))
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	waitGrow(before)
}

// A large write (a batch of imported rows) queues with the small ones and
// runs in its turn: a registration that arrived while one batch was being
// written commits before the next batch starts, however quickly the import
// sends it. (Taking the writer's connection directly, batches used to win
// it over and over while registrations waited.)
func TestLargeWritesTakeTurns(t *testing.T) {
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	ctx := context.Background()
	if err := db.Transact(ctx, func(tx *sqldb.Tx) error {
		_, err := tx.Exec(`CREATE TABLE turns (v TEXT)`)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	waitQueued := func(n int) {
		deadline := time.Now().Add(10 * time.Second)
		for sqldb.QueuedWrites(db) < n {
			if time.Now().After(deadline) {
				t.Fatalf("%d writes queued, want %d", sqldb.QueuedWrites(db), n)
			}
			time.Sleep(time.Millisecond)
		}
	}
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	letGo := func() { once.Do(func() { close(release) }) }
	defer letGo() // before db.Close, should the test stop early
	var wg sync.WaitGroup
	wg.Go(func() {
		if err := db.TransactInTurn(ctx, func(tx *sqldb.Tx) error {
			close(started)
			<-release
			return nil
		}); err != nil {
			t.Error(err)
		}
	})
	<-started
	wg.Go(func() {
		if err := db.TransactGrouped(ctx, func(tx *sqldb.Tx) error {
			_, err := tx.Exec(`INSERT INTO turns (v) VALUES ('registration')`)
			return err
		}); err != nil {
			t.Error(err)
		}
	})
	waitQueued(1)
	seen := -1
	wg.Go(func() {
		if err := db.TransactInTurn(ctx, func(tx *sqldb.Tx) error {
			return tx.QueryRow(`SELECT COUNT(*) FROM turns`).Scan(&seen)
		}); err != nil {
			t.Error(err)
		}
	})
	waitQueued(2)
	letGo()
	wg.Wait()
	if seen != 1 {
		t.Errorf("the second batch saw %d registrations committed before it, want 1", seen)
	}
}

// ImportRows writes a few rows to a transaction. When one fails, the rows
// written before it stay written and are reported as such, with the error;
// the failing transaction's rows are not written at all, and the import's
// report counts what was created.
func TestImportRowsReportsWhatWasWritten(t *testing.T) {
	w := homewardtest.NewWorld(t)
	if w.DB.Dialect() != "sqlite" {
		t.Skip("the failure is planted with an SQLite trigger")
	}
	ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
	raw := sqldb.RawDB(t, w.DB)
	if _, err := raw.Exec(`CREATE TRIGGER boom BEFORE INSERT ON people WHEN NEW.given_name = 'Boom'
		BEGIN SELECT RAISE(ABORT, 'planted failure'); END`); err != nil {
		t.Fatal(err)
	}
	var rows []*registry.ImportRow
	for i := range 250 {
		r := reg(fmt.Sprintf("X%d", i), i)
		if i == 150 {
			r.Person.GivenName = "Boom"
		}
		rows = append(rows, &registry.ImportRow{Line: i + 2, ExternalID: r.Person.ExternalID, Person: r.Person, Episode: r.Episodes[0]})
	}
	out, err := w.DB.ImportRows(ctx, rows)
	if err == nil || !strings.Contains(err.Error(), "planted failure") {
		t.Fatalf("import with a failing row: %v", err)
	}
	created := 0
	for i, o := range out {
		switch {
		case o == registry.ImportCreated:
			created++
		case o != "":
			t.Errorf("row %d: outcome %q", i, o)
		}
	}
	list, _, _ := w.DB.Search(ctx, registry.SearchFilter{Limit: 500})
	if created == 0 || created >= 150 || len(list) != created {
		t.Errorf("%d rows reported created, %d people stored; want the same number, some but fewer than 150", created, len(list))
	}
	// Through RunImport, the report counts them too.
	var csv strings.Builder
	csv.WriteString("external_id,given_name,family_name,sex,admin_area,destination_country,return_date,return_type\n")
	for i := range 250 {
		name := "Abdul"
		if i == 150 {
			name = "Boom"
		}
		fmt.Fprintf(&csv, "Y%d,%s,Islam,M,BD302602,SA,2026-01-05,deported\n", i, name)
	}
	rep, err := registry.RunImport(ctx, w.DB, strings.NewReader(csv.String()), registry.FormatCSV, registry.ImportOptions{Now: w.DB.Now()}, false, nil, "en", nil)
	if err == nil || rep == nil || rep.Created != created {
		t.Errorf("RunImport after a failing row: created %v, error %v; want %d created and the error", rep, err, created)
	}
}

// Closing twice is harmless (deferred Close after an explicit one).
func TestCloseTwice(t *testing.T) {
	db, err := sqldb.Open(context.Background(), filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

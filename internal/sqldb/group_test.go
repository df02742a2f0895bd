package sqldb_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"homeward/internal/sqldb"
)

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
	}
}

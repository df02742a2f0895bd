package sqldb

import (
	"context"
	"database/sql"
	"fmt"
)

// Group commit. SQLite has one writer, and most of a small transaction's
// cost is writing its pages to the WAL at commit. When many requests write
// at once (registrations at a busy desk, an API partner pushing records), the
// writer loop below runs the waiting transactions together in one database
// transaction, each inside its own SAVEPOINT: a failing one is rolled back
// alone and reports its own error, the others commit together. A caller's
// Transact returns only after the shared commit, so it reads its own write.
// PostgreSQL runs transactions concurrently and needs none of this.

const maxGroup = 64

type groupJob struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
}

type grouper struct {
	jobs   chan *groupJob
	stop   chan struct{}
	exited chan struct{} // closed when the loop has returned
}

func (db *DB) startGrouper() {
	db.group = &grouper{jobs: make(chan *groupJob, 4*maxGroup), stop: make(chan struct{}), exited: make(chan struct{})}
	go db.groupLoop()
}

func (db *DB) stopGrouper() {
	if db.group != nil {
		close(db.group.stop)
		<-db.group.exited
	}
}

// TransactGrouped is Transact for small, independent writes on the hot
// path: on SQLite it may share a commit with other such transactions.
func (db *DB) TransactGrouped(ctx context.Context, fn func(tx *Tx) error) error {
	if db.group == nil {
		return db.Transact(ctx, fn)
	}
	j := &groupJob{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case db.group.jobs <- j:
	case <-db.group.stop:
		return sql.ErrConnDone
	case <-ctx.Done():
		return ctx.Err()
	}
	// A job queued just as the loop stopped would wait for ever: select
	// picks among ready cases at random, so the send above can win over a
	// closed stop channel after the loop's last drain.
	select {
	case err := <-j.done:
		return err
	case <-db.group.exited:
		select {
		case err := <-j.done:
			return err
		default:
			return sql.ErrConnDone
		}
	}
}

func (db *DB) groupLoop() {
	defer close(db.group.exited)
	batch := make([]*groupJob, 0, maxGroup)
	for {
		select {
		case <-db.group.stop:
			// Fail what is still queued rather than leave callers waiting.
			for {
				select {
				case j := <-db.group.jobs:
					j.done <- sql.ErrConnDone
				default:
					return
				}
			}
		case j := <-db.group.jobs:
			batch = append(batch[:0], j)
		drain:
			for len(batch) < maxGroup {
				select {
				case j := <-db.group.jobs:
					batch = append(batch, j)
				default:
					break drain
				}
			}
			db.runGroup(batch)
		}
	}
}

func (db *DB) runGroup(batch []*groupJob) {
	errs := make([]error, len(batch))
	finish := func(commitErr error) {
		for i, j := range batch {
			if errs[i] == nil {
				errs[i] = commitErr
			}
			j.done <- errs[i]
		}
	}
	sqlTx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		for i := range errs {
			errs[i] = fmt.Errorf("begin: %w", err)
		}
		finish(nil)
		return
	}
	now := db.Now().UTC().Truncate(1000)
	stmts := map[string]*sql.Stmt{}
	// Audit chain heads stay in memory for the group and are written once;
	// each job's changes to them are undone with its savepoint.
	heads := map[string]*txHead{}
	ran := 0
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		// The shared transaction must not die with one caller's context.
		ctx := context.WithoutCancel(j.ctx)
		if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT g`); err != nil {
			errs[i] = err
			continue
		}
		tx := &Tx{tx: sqlTx, db: db, ctx: ctx, now: now, actor: actorOf(j.ctx), stmts: stmts, heads: heads}
		saved := make(map[string]*txHead, len(heads))
		for k, v := range heads {
			saved[k] = v
		}
		errs[i] = runJob(tx, j.fn)
		if errs[i] != nil {
			heads = saved
			if _, err := sqlTx.ExecContext(ctx, `ROLLBACK TO g`); err != nil {
				_ = sqlTx.Rollback()
				for k := range errs {
					if errs[k] == nil {
						errs[k] = fmt.Errorf("rollback to savepoint: %w", err)
					}
				}
				finish(nil)
				return
			}
		} else {
			ran++
		}
		if _, err := sqlTx.ExecContext(ctx, `RELEASE g`); err != nil {
			_ = sqlTx.Rollback()
			finish(fmt.Errorf("release savepoint: %w", err))
			return
		}
	}
	if ran == 0 {
		_ = sqlTx.Rollback()
		finish(nil)
		return
	}
	headTx := &Tx{tx: sqlTx, db: db, ctx: context.Background(), now: now, stmts: stmts, heads: heads}
	if err := headTx.flushHeads(); err != nil {
		_ = sqlTx.Rollback()
		finish(err)
		return
	}
	if err := sqlTx.Commit(); err != nil {
		finish(fmt.Errorf("commit: %w", err))
		return
	}
	finish(nil)
	db.keepStmts(stmts)
}

func runJob(tx *Tx, fn func(*Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in transaction: %v", p)
		}
	}()
	return fn(tx)
}

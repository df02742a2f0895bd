package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"sync/atomic"
	"time"
)

// Group commit. SQLite has one writer, and most of a small transaction's
// cost is writing its pages to the WAL at commit. When many requests write
// at once (registrations at a busy desk, an API partner pushing records), the
// writer loop below runs the waiting transactions together in one database
// transaction; a failing one is rolled back alone (see runGroup) and reports
// its own error, the others commit together. A caller's
// Transact returns only after the shared commit, so it reads its own write.
// PostgreSQL runs transactions concurrently and needs none of this.

const maxGroup = 64

type groupJob struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
	// alone marks a large job (a batch of imported rows) that gets a
	// transaction of its own, in its turn in the queue.
	alone bool
}

type grouper struct {
	// Counters for WriterStats.
	commits, carried, busyNanos atomic.Int64

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
	return db.queue(ctx, fn, false)
}

// TransactInTurn is Transact for a large write (a batch of imported rows)
// that must not crowd out the small ones. On SQLite it queues with them and
// runs alone in its turn, so registrations that arrived before it are not
// kept waiting by a stream of batches; each batch waits for at most one
// group, and a registration for at most one batch.
func (db *DB) TransactInTurn(ctx context.Context, fn func(tx *Tx) error) error {
	return db.queue(ctx, fn, true)
}

func (db *DB) queue(ctx context.Context, fn func(tx *Tx) error, alone bool) error {
	db.ensureIdentKeys(ctx)
	if db.group == nil {
		return db.Transact(ctx, fn)
	}
	j := &groupJob{ctx: ctx, fn: fn, done: make(chan error, 1), alone: alone}
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
	lastGroup := 0
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
			// Jobs run in the order they came: small ones together, up to
			// the next one that runs alone.
			for j != nil {
				if j.alone {
					db.runAlone(j)
					j = nil
					continue
				}
				batch = append(batch[:0], j)
				j = nil
			drain:
				for len(batch) < maxGroup {
					select {
					case next := <-db.group.jobs:
						if next.alone {
							j = next
							break drain
						}
						batch = append(batch, next)
					default:
						break drain
					}
				}
				if j == nil && len(batch) < maxGroup && lastGroup > 1 {
					j = db.linger(&batch)
				}
				lastGroup = len(batch)
				db.runGroup(batch)
			}
		}
	}
}

// groupLinger is how long the writer waits for more jobs to join a small
// group when the group before it had several (writers are concurrent): a
// commit costs about as much as a registration, and each job that joins
// shares it.
var groupLinger = 200 * time.Microsecond

// linger adds the jobs that arrive within groupLinger to batch, up to
// maxGroup; a job that runs alone ends the wait and is returned.
func (db *DB) linger(batch *[]*groupJob) *groupJob {
	if groupLinger <= 0 {
		return nil
	}
	t := time.NewTimer(groupLinger)
	defer t.Stop()
	for len(*batch) < maxGroup {
		select {
		case next := <-db.group.jobs:
			if next.alone {
				return next
			}
			*batch = append(*batch, next)
		case <-t.C:
			return nil
		case <-db.group.stop:
			return nil
		}
	}
	return nil
}

func (db *DB) runGroup(batch []*groupJob) {
	t0 := time.Now()
	// First without savepoints: opening one per job makes SQLite copy every
	// page the job touches into its sub-journal, a tenth of a registration's
	// cost. Jobs rarely fail (they are validated before they queue); when
	// one does, the whole group is rolled back and run again with a
	// savepoint per job, so only the failing one is lost. Jobs must
	// therefore tolerate being run twice, like a retried transaction.
	errs, ok := db.runGroupOnce(batch, false)
	if !ok {
		errs, _ = db.runGroupOnce(batch, true)
	}
	db.group.count(t0, len(batch))
	for i, j := range batch {
		j.done <- errs[i]
	}
}

// count adds a commit of n jobs that began at t0 to the writer statistics,
// before anyone hears back, so that a caller sees its own transaction in
// them.
func (g *grouper) count(t0 time.Time, n int) {
	g.busyNanos.Add(int64(time.Since(t0)))
	g.commits.Add(1)
	g.carried.Add(int64(n))
}

// runGroupOnce runs the batch in one transaction. Without savepoints it
// gives up (ok false, nothing committed) as soon as a job fails; with them it
// rolls a failing job back alone and commits the rest.
func (db *DB) runGroupOnce(batch []*groupJob, savepoints bool) (errs []error, ok bool) {
	errs = make([]error, len(batch))
	fail := func(err error) ([]error, bool) {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
		return errs, true
	}
	sqlTx, err := db.write.BeginTx(context.Background(), nil)
	if err != nil {
		return fail(fmt.Errorf("begin: %w", err))
	}
	now := db.Now().UTC().Truncate(1000)
	stmts := map[string]*sql.Stmt{}
	// Audit chain heads and case number counters stay in memory for the
	// group and are written once; a job rolled back to its savepoint takes
	// its changes to them back too.
	heads := map[string]*txHead{}
	ran := 0
	authDirty := false
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			errs[i] = err
			continue
		}
		// The shared transaction must not die with one caller's context.
		ctx := context.WithoutCancel(j.ctx)
		if savepoints {
			if _, err := sqlTx.ExecContext(ctx, `SAVEPOINT g`); err != nil {
				errs[i] = err
				continue
			}
		}
		tx := &Tx{tx: sqlTx, db: db, ctx: ctx, now: now, actor: actorOf(j.ctx), stmts: stmts, heads: heads}
		var saved map[string]*txHead
		if savepoints {
			saved = make(map[string]*txHead, len(heads))
			for k, v := range heads {
				saved[k] = v
			}
		}
		errs[i] = runJob(tx, j.fn)
		if errs[i] == nil {
			ran++
			authDirty = authDirty || tx.authDirty
		} else if !savepoints {
			_ = sqlTx.Rollback()
			return errs, false
		} else {
			heads = saved
			if _, err := sqlTx.ExecContext(ctx, `ROLLBACK TO g`); err != nil {
				_ = sqlTx.Rollback()
				return fail(fmt.Errorf("rollback to savepoint: %w", err))
			}
		}
		if savepoints {
			if _, err := sqlTx.ExecContext(ctx, `RELEASE g`); err != nil {
				_ = sqlTx.Rollback()
				return fail(fmt.Errorf("release savepoint: %w", err))
			}
		}
	}
	if ran == 0 {
		_ = sqlTx.Rollback()
		return errs, true
	}
	headTx := &Tx{tx: sqlTx, db: db, ctx: context.Background(), now: now, stmts: stmts, heads: heads}
	if err := headTx.flushHeads(); err != nil {
		_ = sqlTx.Rollback()
		return fail(err)
	}
	if err := sqlTx.Commit(); err != nil {
		return fail(fmt.Errorf("commit: %w", err))
	}
	db.afterCommit(authDirty, stmts)
	return errs, true
}

// runAlone runs a job in a transaction of its own.
func (db *DB) runAlone(j *groupJob) {
	t0 := time.Now()
	err := j.ctx.Err()
	if err == nil {
		err = db.Transact(j.ctx, func(tx *Tx) error { return runJob(tx, j.fn) })
	}
	db.group.count(t0, 1)
	j.done <- err
}

func runJob(tx *Tx, fn func(*Tx) error) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic in transaction: %v", p)
		}
	}()
	return fn(tx)
}

// WriterStats describes the SQLite commit groups run so far.
type WriterStats struct {
	Groups int64         // transactions committed (or attempted) by the writer loop
	Jobs   int64         // grouped transactions they carried
	Busy   time.Duration // time the writer loop spent running groups
}

// WriterStats reports the group-commit writer's work (zero on PostgreSQL).
func (db *DB) WriterStats() WriterStats {
	if db.group == nil {
		return WriterStats{}
	}
	return WriterStats{Groups: db.group.commits.Load(), Jobs: db.group.carried.Load(), Busy: time.Duration(db.group.busyNanos.Load())}
}

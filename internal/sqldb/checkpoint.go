package sqldb

import (
	"context"
	"database/sql"
	"time"
)

// Checkpoints off the writer. In WAL mode SQLite copies committed pages
// back into the database file in a "checkpoint", which the committing
// connection runs itself by default once the log passes 1,000 pages, and
// which waits for the disk (fsync). Under a stream of commits that wait
// lands on the single writer, and every queued registration waits with it.
// Here the writer only checkpoints as a backstop (walBackstopPages) and a
// goroutine with its own connection runs passive checkpoints, which never
// block the writer or readers, shortly after commits.

const (
	// walBackstopPages is the log size at which the writer checkpoints
	// itself, should the background checkpoints fall behind (about 40 MB).
	walBackstopPages = 10_000
	// checkpointEvery paces background checkpoints while commits keep coming.
	checkpointEvery = 50 * time.Millisecond
)

type checkpointer struct {
	conn   *sql.DB
	kick   chan struct{}
	stop   chan struct{}
	exited chan struct{}
}

func (db *DB) startCheckpointer(conn *sql.DB) {
	c := &checkpointer{conn: conn, kick: make(chan struct{}, 1), stop: make(chan struct{}), exited: make(chan struct{})}
	db.ckpt = c
	go c.loop(db)
}

// committed tells the checkpointer that the log has grown.
func (db *DB) committed() {
	if db.ckpt == nil {
		return
	}
	select {
	case db.ckpt.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop(db *DB) {
	defer close(c.exited)
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		var busy, logFrames, done int
		err := c.conn.QueryRowContext(context.Background(), `PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &logFrames, &done)
		if err != nil {
			db.Logger.Warn("background checkpoint failed", "err", err)
		}
		select {
		case <-c.stop:
			return
		case <-time.After(checkpointEvery):
		}
	}
}

func (db *DB) stopCheckpointer() error {
	if db.ckpt == nil {
		return nil
	}
	close(db.ckpt.stop)
	<-db.ckpt.exited
	return db.ckpt.conn.Close()
}

package sqldb

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// maxCachedStmts bounds a statement cache: queries built from filters vary,
// and only the first ones seen are kept.
const maxCachedStmts = 512

// stmtCache holds statements prepared on one SQLite pool, by query text.
// Preparing costs about as much as running a small query (every request's
// token or session lookup, every row a registration writes); PostgreSQL's
// driver caches statements itself and needs none.
type stmtCache struct {
	m sync.Map // query → *sql.Stmt
	n atomic.Int32
}

// get returns the cached statement for query, or nil.
func (c *stmtCache) get(query string) *sql.Stmt {
	if st, ok := c.m.Load(query); ok {
		return st.(*sql.Stmt)
	}
	return nil
}

// prepare returns the statement for query, preparing it on pool on first
// use; nil when the cache is full or the query does not prepare (the caller
// then runs it unprepared, which reports the error).
func (c *stmtCache) prepare(ctx context.Context, pool *sql.DB, query string) *sql.Stmt {
	if st := c.get(query); st != nil {
		return st
	}
	if c.n.Load() >= maxCachedStmts {
		return nil
	}
	st, err := pool.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	if prev, loaded := c.m.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt)
	}
	c.n.Add(1)
	return st
}

// close closes every cached statement.
func (c *stmtCache) close() []error {
	var errs []error
	c.m.Range(func(_, st any) bool {
		errs = append(errs, st.(*sql.Stmt).Close())
		return true
	})
	return errs
}

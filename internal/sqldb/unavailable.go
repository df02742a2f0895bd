package sqldb

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"

	"homeward"
)

// The database's outages, as the errors every layer shows: the request was
// not done and may be tried again later (503 with Retry-After), never an
// internal error (500).
var (
	errDatabaseDown = &homeward.Error{Code: homeward.EUNAVAILABLE, Key: "error.unavailable.database",
		Message: "The database cannot be reached just now. Nothing was saved; please try again in a moment."}
	errStorageFull = &homeward.Error{Code: homeward.EUNAVAILABLE, Key: "error.unavailable.storage_full",
		Message: "The database has no room left to write. Nothing was saved; the administrators must free space, then please try again."}
)

func init() { homeward.RegisterClassifier(classifyOutage) }

// classifyOutage recognises a database that is down, restarting or out of
// room, and returns the error shown for it; nil for any other error. A
// failed request's transaction was rolled back (or never begun), so the
// answer can promise that nothing was saved.
func classifyOutage(err error) *homeward.Error {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch {
		case pgErr.Code == "53100": // disk_full
			return errStorageFull
		case strings.HasPrefix(pgErr.Code, "08"), // connection exception
			pgErr.Code == "57P01", pgErr.Code == "57P02", pgErr.Code == "57P03", // shutdown, crash, starting up
			pgErr.Code == "53300": // too many connections
			return errDatabaseDown
		}
		return nil
	}
	var sqErr *sqlite3.Error
	if errors.As(err, &sqErr) {
		// SQLITE_FULL, or a write the file system refused for want of room.
		if sqErr.Code()&0xff == sqlite3lib.SQLITE_FULL || errors.Is(err, syscall.ENOSPC) {
			return errStorageFull
		}
		return nil
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		// An HTTP call out (a webhook, a partner's inbox) failed: not the
		// database.
		return nil
	}
	var connErr *pgconn.ConnectError
	var netErr *net.OpError
	switch {
	case errors.As(err, &connErr), errors.As(err, &netErr),
		errors.Is(err, driver.ErrBadConn), errors.Is(err, pgconn.ErrConnClosed), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		return errDatabaseDown
	case errors.Is(err, syscall.ENOSPC):
		return errStorageFull
	}
	return nil
}

// unlessOutage returns err's outage error when the database is down, and
// otherwise instead: a credential that cannot be looked up because the
// database is down is not a wrong credential, and must not send its holder
// to sign in again.
func unlessOutage(err error, instead error) error {
	if e := classifyOutage(err); e != nil {
		return fmt.Errorf("%w: %w", e, err)
	}
	return instead
}

package sqldb_test

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"net"
	"net/url"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/i18n"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// The database's outages are coded EUNAVAILABLE (503 with Retry-After),
// whatever layer returns them; other failures stay what they were.
func TestOutagesAreUnavailable(t *testing.T) {
	opErr := &net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}
	for _, tt := range []struct {
		name string
		err  error
		code string
		key  string
	}{
		{"PostgreSQL shutting down", fmt.Errorf("register: %w", &pgconn.PgError{Code: "57P01"}), homeward.EUNAVAILABLE, "error.unavailable.database"},
		{"PostgreSQL starting up", &pgconn.PgError{Code: "57P03"}, homeward.EUNAVAILABLE, "error.unavailable.database"},
		{"connection exception", &pgconn.PgError{Code: "08006"}, homeward.EUNAVAILABLE, "error.unavailable.database"},
		{"PostgreSQL disk full", &pgconn.PgError{Code: "53100"}, homeward.EUNAVAILABLE, "error.unavailable.storage_full"},
		{"connection refused", fmt.Errorf("begin: %w", opErr), homeward.EUNAVAILABLE, "error.unavailable.database"},
		{"bad connection", driver.ErrBadConn, homeward.EUNAVAILABLE, "error.unavailable.database"},
		{"connection closed", pgconn.ErrConnClosed, homeward.EUNAVAILABLE, "error.unavailable.database"},
		{"no space", fmt.Errorf("write: %w", syscall.ENOSPC), homeward.EUNAVAILABLE, "error.unavailable.storage_full"},
		// Not the database: stay what they are.
		{"unique violation", &pgconn.PgError{Code: "23505"}, homeward.EINTERNAL, ""},
		{"a webhook's address refused", &url.Error{Op: "Post", URL: "https://partner.example", Err: opErr}, homeward.EINTERNAL, ""},
		{"anything else", errors.New("boom"), homeward.EINTERNAL, ""},
		{"a coded error", homeward.Errorf(homeward.ECONFLICT, "x", "taken"), homeward.ECONFLICT, "x"},
	} {
		if got := homeward.ErrorCode(tt.err); got != tt.code {
			t.Errorf("%s: code %q, want %q", tt.name, got, tt.code)
		}
		if e := homeward.AsError(tt.err); tt.key != "" && (e == nil || e.Key != tt.key) {
			t.Errorf("%s: %+v, want key %s", tt.name, e, tt.key)
		}
	}
	if msg := i18n.Error("bn", &pgconn.PgError{Code: "57P01"}); msg != i18n.T("bn", "error.unavailable.database", nil) {
		t.Errorf("in Bangla: %q", msg)
	}
}

// A full SQLite database (max_page_count stands for a full disk) refuses
// registrations with a clear EUNAVAILABLE, writes nothing of them, goes on
// serving reads and takes registrations again once there is room.
func TestDiskFullSQLite(t *testing.T) {
	w := homewardtest.NewWorld(t)
	if w.DB.Dialect() != "sqlite" {
		t.Skip("SQLite only")
	}
	ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
	raw := sqldb.RawDB(t, w.DB) // the writer's one connection
	first, err := w.DB.Register(ctx, reg("FIRST", 1))
	if err != nil {
		t.Fatal(err)
	}
	var pages int
	if err := raw.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(fmt.Sprintf(`PRAGMA max_page_count = %d`, pages)); err != nil {
		t.Fatal(err)
	}
	// Free pages in the file may take a few more; then it is full.
	stored := 1
	var full error
	for i := range 500 {
		if _, err := w.DB.Register(ctx, reg(fmt.Sprintf("F%d", i), i)); err != nil {
			full = err
			break
		}
		stored++
	}
	e := homeward.AsError(full)
	if full == nil || e == nil || e.Code != homeward.EUNAVAILABLE || e.Key != "error.unavailable.storage_full" {
		t.Fatalf("registering into a full database: %v (%+v)", full, e)
	}
	// Reads go on while it is full.
	if got, err := w.DB.FindRecord(ctx, first.Person.ID); err != nil || got.Case == nil || got.Case.Number != first.Case.Number {
		t.Fatalf("reading while full: %v %v", got, err)
	}
	list, _, err := w.DB.Search(ctx, registry.SearchFilter{Limit: 1000})
	if err != nil || len(list) != stored {
		t.Fatalf("while full: %d people found (%v), want %d: a refused registration left something", len(list), err, stored)
	}
	var check string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check while full: %q %v", check, err)
	}
	// Room returns: registrations go on, numbering without a gap.
	if _, err := raw.Exec(`PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	rec, err := w.DB.Register(ctx, reg("AFTER", 3))
	if err != nil {
		t.Fatalf("after room returned: %v", err)
	}
	if want := registry.FormatCaseNumber("BGD", w.DB.Now().Year(), stored+1); rec.Case.Number != want {
		t.Errorf("case number after the full disk: %s, want %s", rec.Case.Number, want)
	}
	rep, err := w.DB.VerifyAudit(homewardtest.SystemCtx())
	if err != nil || !rep.OK() {
		t.Errorf("audit after a full disk: %+v %v", rep, err)
	}
}

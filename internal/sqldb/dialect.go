package sqldb

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	sqlite3 "modernc.org/sqlite"
	sqlite3lib "modernc.org/sqlite/lib"
)

// dialect holds the few differences between SQLite and PostgreSQL; queries
// are written once, with ? placeholders.
type dialect string

const (
	sqlite   dialect = "sqlite"
	postgres dialect = "postgres"
)

var rebound sync.Map // query → PostgreSQL form

// rebind rewrites ? placeholders as $1, $2 … for PostgreSQL. Queries never
// contain a literal question mark.
func (d dialect) rebind(q string) string {
	if d != postgres || !strings.Contains(q, "?") {
		return q
	}
	if v, ok := rebound.Load(q); ok {
		return v.(string)
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		} else {
			b.WriteRune(r)
		}
	}
	out := b.String()
	rebound.Store(q, out)
	return out
}

// forUpdate returns the row-locking clause; SQLite's write transactions are
// already exclusive.
func (d dialect) forUpdate() string {
	if d == postgres {
		return " FOR UPDATE"
	}
	return ""
}

const timeLayout = "2006-01-02T15:04:05.000000Z"

func encodeTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// dbTime scans a time stored as text (SQLite) or timestamptz (PostgreSQL).
type dbTime struct{ t *time.Time }

func (s dbTime) Scan(v any) error {
	switch v := v.(type) {
	case time.Time:
		*s.t = v.UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("sqldb: cannot scan %T as time", v)
	}
	return nil
}

func (s dbTime) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return err
	}
	*s.t = t.UTC()
	return nil
}

// dbNullTime scans a nullable time into **time.Time.
type dbNullTime struct{ t **time.Time }

func (s dbNullTime) Scan(v any) error {
	if v == nil {
		*s.t = nil
		return nil
	}
	var t time.Time
	if err := (dbTime{&t}).Scan(v); err != nil {
		return err
	}
	*s.t = &t
	return nil
}

// isUniqueViolation reports whether err is a unique-constraint violation.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite3.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3lib.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3lib.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// personCases joins the cases of the person whose id is the column person,
// as c, after it. SQLite keeps the
// order of a CROSS JOIN; PostgreSQL's planner reorders joins and, on a
// search with filters, would read the organisation's cases by an index on
// org_id alone, so there the cases are a lateral subquery it cannot
// flatten (OFFSET 0), read by person.
func (d dialect) personCases(person string) string {
	if d == postgres {
		return ` CROSS JOIN LATERAL (SELECT * FROM cases c0 WHERE c0.person_id = ` + person + ` OFFSET 0) c`
	}
	return ` CROSS JOIN cases c`
}

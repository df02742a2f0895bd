package sqldb_test

import (
	"slices"
	"strings"
	"testing"

	"homeward/internal/sqldb"
)

// pg_dump and pg_restore get a URL libpq understands: a pgx search_path
// becomes pg_dump's --schema and leaves the URL; other settings stay.
func TestPgToolArgs(t *testing.T) {
	for _, tt := range []struct {
		dsn      string
		wantDump []string
		wantErr  string
	}{
		{dsn: "postgres://u:pw@db:5432/homeward?sslmode=verify-full",
			wantDump: []string{"--format=custom", "--no-owner", "--no-privileges", "--file=out", "--dbname=postgres://u:pw@db:5432/homeward?sslmode=verify-full"}},
		{dsn: "postgres://postgres@127.0.0.1:5432/postgres?search_path=t_abc&sslmode=disable",
			wantDump: []string{"--format=custom", "--no-owner", "--no-privileges", "--file=out", "--schema=t_abc", "--dbname=postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"}},
		{dsn: "postgres://h/db?search_path=a,b", wantErr: "several schemas"},
	} {
		got, err := sqldb.PgDumpArgs(tt.dsn, "out")
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("%s: err %v, want %q", tt.dsn, err, tt.wantErr)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.wantDump) {
			t.Errorf("PgDumpArgs(%s) = %q, %v; want %q", tt.dsn, got, err, tt.wantDump)
		}
		ra, err := sqldb.PgRestoreArgs(tt.dsn, "in")
		if err != nil || ra[len(ra)-1] != "in" || !slices.Contains(ra, "--single-transaction") || strings.Contains(strings.Join(ra, " "), "search_path") {
			t.Errorf("PgRestoreArgs(%s) = %q, %v", tt.dsn, ra, err)
		}
	}
}

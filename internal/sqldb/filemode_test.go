package sqldb_test

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"homeward/internal/sqldb"
)

// The database holds personal data: its directory is 0700 and its files
// (with the -wal and -shm SQLite makes beside it) 0600, even under a umask
// that would leave them world-readable and writable.
func TestSQLiteFilesPrivateWhateverTheUmask(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := filepath.Join(t.TempDir(), "data")
	path := filepath.Join(dir, "homeward.db")
	db, err := sqldb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Ping(context.Background()); err != nil {
		t.Fatal(err)
	}
	check := func(p string, want os.FileMode) {
		t.Helper()
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s: mode %v, want %v", filepath.Base(p), got, want)
		}
	}
	check(dir, 0o700)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if _, err := os.Stat(p); err == nil {
			check(p, 0o600)
		}
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Errorf("no WAL file to check: %v", err)
	}
}

// SQLite's page caches share one budget: the writer has half, the readers
// the rest between them; CacheBytes reports the whole.
func TestSQLiteCacheBudget(t *testing.T) {
	for _, tc := range []struct{ mb, write, read int }{
		{0, -sqldb.DefaultCacheMB * 512, -sqldb.DefaultCacheMB * 512 / max(4, 2*runtime.GOMAXPROCS(0))},
		{32, -32 * 512, -32 * 512 / max(4, 2*runtime.GOMAXPROCS(0))},
		{1, -1024, -1024}, // at least 1 MB each
	} {
		db, err := sqldb.OpenWith(context.Background(), filepath.Join(t.TempDir(), "homeward.db"), sqldb.Options{CacheMB: tc.mb})
		if err != nil {
			t.Fatal(err)
		}
		w, r := sqldb.CacheSizes(t, db)
		if w != min(tc.write, -1024) || r != min(tc.read, -1024) {
			t.Errorf("budget %d MB: writer %d, reader %d KiB; want %d, %d", tc.mb, w, r, tc.write, tc.read)
		}
		readers := max(4, 2*runtime.GOMAXPROCS(0))
		if want := int64(-w-readers*r+1024) << 10; db.CacheBytes != want { // and the checkpointer's 1 MB
			t.Errorf("budget %d MB: CacheBytes %d, want %d", tc.mb, db.CacheBytes, want)
		}
		db.Close()
	}
}

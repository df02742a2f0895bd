package web

import (
	"bytes"
	"context"
	"errors"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/internal/registry"
)

// importOnly is a registry whose ImportRows is given; anything else it is
// asked panics (nothing else is called by an import).
type importOnly struct {
	registry.Service
	importRows func(ctx context.Context, rows []*registry.ImportRow) ([]registry.ImportOutcome, error)
}

func (s importOnly) ImportRows(ctx context.Context, rows []*registry.ImportRow) ([]registry.ImportOutcome, error) {
	return s.importRows(ctx, rows)
}

// startImport posts a CSV upload as a case worker and returns the job.
func startImport(t *testing.T, w *Web, rows int) *importJob {
	t.Helper()
	var csv strings.Builder
	csv.WriteString("external_id,given_name,family_name,sex,admin_area,destination_country,return_date,return_type\n")
	for i := range rows {
		csv.WriteString("Z" + strings.Repeat("1", i%5+1) + string(rune('a'+i%26)) + ",Abdul,Islam,M,BD302602,SA,2026-01-05,deported\n")
	}
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "rows.csv")
	_, _ = fw.Write([]byte(csv.String()))
	mw.Close()
	r := httptest.NewRequest("POST", "/imports?mode=import", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	actor := &homeward.Actor{UserID: "u-" + t.Name(), OrgID: "o1", Roles: []homeward.Role{homeward.RoleCaseWorker}}
	r = r.WithContext(homeward.NewContextWithActor(r.Context(), actor))
	rw := httptest.NewRecorder()
	if err := w.importRun(rw, r); err != nil {
		t.Fatal(err)
	}
	if rw.Code != http.StatusOK {
		t.Fatalf("upload: %d\n%s", rw.Code, rw.Body)
	}
	w.imp.mu.Lock()
	defer w.imp.mu.Unlock()
	for _, j := range w.imp.jobs {
		if j.user == actor.UserID {
			return j
		}
	}
	t.Fatal("no import job")
	return nil
}

func uploadsLeft(t *testing.T) []string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(os.TempDir(), "homeward-upload-*"))
	return m
}

// A panic while importing ends the import with an error (the server goes
// on), and its upload is removed.
func TestImportPanicEndsTheImportNotTheServer(t *testing.T) {
	defer SetImportWait(0)()
	// The import panics only once the upload has been answered: with no
	// wait, the page shows the import running (an import that already
	// failed shows the failure instead, which CI once caught).
	answered := make(chan struct{})
	w, err := New(Services{Registry: importOnly{importRows: func(context.Context, []*registry.ImportRow) ([]registry.ImportOutcome, error) {
		<-answered
		panic("boom")
	}}})
	if err != nil {
		t.Fatal(err)
	}
	before := len(uploadsLeft(t))
	j := startImport(t, w, 10)
	close(answered)
	select {
	case <-j.finished:
	case <-time.After(10 * time.Second):
		t.Fatal("import did not finish")
	}
	if j.err == nil || !strings.Contains(j.err.Error(), "boom") {
		t.Errorf("import error: %v", j.err)
	}
	if n := len(uploadsLeft(t)); n > before {
		t.Errorf("%d uploads left behind", n-before)
	}
}

// At shutdown, imports running in the background stop (at their next
// batch) and Wait returns; their uploads are removed.
func TestImportStopsAtShutdown(t *testing.T) {
	defer SetImportWait(0)()
	bg, stop := context.WithCancel(context.Background())
	w, err := New(Services{Registry: importOnly{importRows: func(ctx context.Context, rows []*registry.ImportRow) ([]registry.ImportOutcome, error) {
		<-ctx.Done() // a write that takes as long as the server lets it
		return nil, ctx.Err()
	}}})
	if err != nil {
		t.Fatal(err)
	}
	w.Background = bg
	j := startImport(t, w, 10)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := w.Wait(ctx); err == nil {
		t.Fatal("Wait returned while the import was running")
	}
	stop()
	ctx2, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if err := w.Wait(ctx2); err != nil {
		t.Fatalf("Wait after shutdown: %v", err)
	}
	select {
	case <-j.finished:
	default:
		t.Fatal("job not finished after Wait")
	}
	if j.err == nil {
		t.Error("an import stopped by shutdown reports no error")
	}
}

// One user may run two imports at once; a third is refused until one ends.
func TestImportsPerUserBounded(t *testing.T) {
	defer SetImportWait(0)()
	release := make(chan struct{})
	w, err := New(Services{Registry: importOnly{importRows: func(ctx context.Context, rows []*registry.ImportRow) ([]registry.ImportOutcome, error) {
		<-release
		return make([]registry.ImportOutcome, len(rows)), nil
	}}})
	if err != nil {
		t.Fatal(err)
	}
	defer close(release)
	startImport(t, w, 5)
	startImport(t, w, 5)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "third.csv")
	_, _ = fw.Write([]byte("external_id,given_name\nA,B\n"))
	mw.Close()
	r := httptest.NewRequest("POST", "/imports?mode=import", &body)
	r.Header.Set("Content-Type", mw.FormDataContentType())
	r = r.WithContext(homeward.NewContextWithActor(r.Context(), &homeward.Actor{UserID: "u-" + t.Name(), OrgID: "o1", Roles: []homeward.Role{homeward.RoleCaseWorker}}))
	rw := httptest.NewRecorder()
	if err := w.importRun(rw, r); err != nil {
		t.Fatal(err)
	}
	if rw.Code != http.StatusTooManyRequests || !strings.Contains(rw.Body.String(), "imports running") {
		t.Errorf("third import: %d\n%.500s", rw.Code, rw.Body)
	}
}

// TestErrorReportsExpire checks that an import's error report, which holds
// personal data, is removed an hour after the import (by the instance's
// clock) and when the server stops, and that the file goes with it.
func TestErrorReportsExpire(t *testing.T) {
	now := time.Date(2026, 11, 18, 6, 30, 0, 0, time.UTC)
	w, err := New(Services{Clock: homeward.Clock{Now: func() time.Time { return now }}})
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", t.TempDir())
	id, f, err := w.newReportFile("u1")
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if _, ok := w.keptReport(id); !ok {
		t.Fatal("a new report is not kept")
	}
	now = now.Add(reportTTL + time.Minute)
	if _, ok := w.keptReport(id); ok {
		t.Error("a report is kept after an hour")
	}
	id2, f2, err := w.newReportFile("u2") // sweeps the expired one
	if err != nil {
		t.Fatal(err)
	}
	f2.Close()
	if _, err := os.Stat(f.Name()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the expired report's file is still there: %v", err)
	}
	if err := w.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, ok := w.keptReport(id2); ok {
		t.Error("a report is kept after the server stopped")
	}
	if _, err := os.Stat(f2.Name()); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the report's file outlives the server: %v", err)
	}
}

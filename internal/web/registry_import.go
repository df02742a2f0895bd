package web

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"runtime/debug"
	"strconv"
	"sync"
	"time"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/registry"
)

// The error report of an upload is written to a temporary file while the
// import runs and kept until it is downloaded, for reportTTL at most,
// downloadable only by the user who uploaded the file; it holds personal
// data, so it is removed after the download, after reportTTL, and when the
// server stops.
const reportTTL = time.Hour

type reportFile struct {
	path, user string
	created    time.Time
}

// importState is the web's imports in flight and their error reports:
// state of this process (see the README on running several).
type importState struct {
	mu      sync.Mutex
	reports map[string]reportFile
	jobs    map[string]*importJob
}

func newImportState() *importState {
	return &importState{reports: map[string]reportFile{}, jobs: map[string]*importJob{}}
}

// newReportFile creates the error report file of an import by user and
// removes reports that have expired.
func (w *Web) newReportFile(user string) (string, *os.File, error) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	f, err := os.CreateTemp("", "homeward-import-errors-*.csv")
	if err != nil {
		return "", nil, err
	}
	now := w.svc.Clock.Time()
	w.imp.mu.Lock()
	defer w.imp.mu.Unlock()
	for k, r := range w.imp.reports {
		if now.Sub(r.created) > reportTTL {
			_ = os.Remove(r.path)
			delete(w.imp.reports, k)
		}
	}
	w.imp.reports[id] = reportFile{path: f.Name(), user: user, created: now}
	return id, f, nil
}

type importData struct {
	Report   *registry.ImportReport
	Errors   []importError
	Warnings []string
	FileName string
	ReportID string
	More     int
	// While the import runs: its id for polling, rows read so far and the
	// share of the file read.
	Running, DryRun bool
	JobID           string
	Rows, Percent   int
	job             *importJob
}

type importError struct {
	Line                   string
	Column, Value, Message string
}

func (w *Web) importForm(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActImport, homeward.Resource{OrgID: a.OrgID}); err != nil {
		return err
	}
	return w.render(rw, http.StatusOK, "registry_import", w.newPage(r, "registry.ui.import.title", &importData{}))
}

// uploadedFile finds the uploaded file (and the mode field) in the
// request: from the parsed form when the CSRF check already read it, or
// streamed part by part otherwise, so a large file is never held whole.
func uploadedFile(r *http.Request) (io.Reader, string, func(), error) {
	none := func() {}
	if r.MultipartForm == nil {
		mr, err := r.MultipartReader()
		if err != nil {
			return nil, "", none, err
		}
		for {
			part, err := mr.NextPart()
			if err != nil {
				return nil, "", none, err
			}
			if part.FormName() == "file" {
				return part, part.FileName(), none, nil
			}
			_ = part.Close()
		}
	}
	f, h, err := r.FormFile("file")
	if err != nil {
		return nil, "", none, err
	}
	return f, h.Filename, func() { f.Close() }, nil
}

// importWait is how long an upload's request waits for its import to
// finish before answering with a progress report that the page polls; a
// small file's report comes back at once.
var importWait = 3 * time.Second

// maxImportsPerUser bounds the imports one user may have running at once.
const maxImportsPerUser = 2

// importJob is an upload being checked or imported in the background: a
// 100,000-row file takes longer than a request should, and the page shows
// its progress until the report is ready. Only its uploader sees it.
type importJob struct {
	id, user, name string
	dry            bool
	size           int64
	created        time.Time
	finished       chan struct{}

	mu   sync.Mutex
	rows int
	read int64
	rep  *registry.ImportReport
	err  error
}

func (j *importJob) progress(rows int, read int64) {
	j.mu.Lock()
	j.rows, j.read = rows, read
	j.mu.Unlock()
}

func (w *Web) importRun(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActImport, homeward.Resource{OrgID: a.OrgID}); err != nil {
		return err
	}
	p := w.newPage(r, "registry.ui.import.title", &importData{})
	tooLarge := func() error {
		p.Error = i18n.T(p.Lang, "error.body.too_large", map[string]any{"limit": registry.MaxImportBytes})
		return w.showImport(rw, r, p, http.StatusRequestEntityTooLarge)
	}
	// The body is capped by the route (w.upload).
	var mbe *http.MaxBytesError
	file, name, closeFile, err := uploadedFile(r)
	defer closeFile()
	mode := r.URL.Query().Get("mode")
	if mode == "" && r.MultipartForm != nil && len(r.MultipartForm.Value["mode"]) > 0 {
		mode = r.MultipartForm.Value["mode"][0]
	}
	format, ok := registry.FormatFromName(name)
	if err != nil || name == "" || !ok {
		if errors.Is(err, multipart.ErrMessageTooLarge) || errors.As(err, &mbe) {
			return tooLarge()
		}
		p.Errors = map[string]string{"file": i18n.T(p.Lang, "registry.ui.import.choose", nil)}
		return w.showImport(rw, r, p, http.StatusBadRequest)
	}
	// The upload is kept on disk while the import reads it, so that the
	// import outlives the request.
	up, err := os.CreateTemp("", "homeward-upload-*")
	if err != nil {
		return err
	}
	size, err := io.Copy(up, file)
	if cerr := up.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		_ = os.Remove(up.Name())
		if errors.As(err, &mbe) {
			return tooLarge()
		}
		return err
	}
	id, out, err := w.newReportFile(a.UserID)
	if err != nil {
		_ = os.Remove(up.Name())
		return err
	}
	j := &importJob{id: id, user: a.UserID, name: name, dry: mode != "import", size: size, created: w.svc.Clock.Time(), finished: make(chan struct{})}
	w.imp.mu.Lock()
	running := 0
	for k, old := range w.imp.jobs {
		select {
		case <-old.finished:
			if j.created.Sub(old.created) > reportTTL {
				delete(w.imp.jobs, k)
			}
		default:
			if old.user == a.UserID {
				running++
			}
		}
	}
	if running >= maxImportsPerUser {
		w.imp.mu.Unlock()
		_ = out.Close()
		w.dropReport(id)
		_ = os.Remove(up.Name())
		p.Error = i18n.T(p.Lang, "registry.ui.import.busy", map[string]any{"n": i18n.Digits(p.Lang, strconv.Itoa(maxImportsPerUser))})
		return w.showImport(rw, r, p, http.StatusTooManyRequests)
	}
	w.imp.jobs[id] = j
	w.imp.mu.Unlock()
	// The import runs on without the request (a closed tab does not stop
	// it), as its uploader, until it ends or the server shuts down.
	ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
	stop := context.AfterFunc(w.background(), cancel)
	w.jobs.Add(1)
	go func() {
		defer w.jobs.Done()
		defer cancel()
		defer stop()
		w.runImport(ctx, j, up.Name(), out, format, p.Lang)
	}()
	select {
	case <-j.finished:
	case <-time.After(importWait):
	case <-r.Context().Done():
	}
	p.Data.(*importData).job = j
	return w.showImport(rw, r, p, http.StatusOK)
}

func (w *Web) runImport(ctx context.Context, j *importJob, upload string, out *os.File, format registry.Format, lang string) {
	var rep *registry.ImportReport
	var err error
	defer func() {
		// A panic in a reader or the validation ends this import, not the
		// server (a request's panic is caught by the middleware; this
		// goroutine has none above it).
		if p := recover(); p != nil {
			httpx.LoggerFrom(ctx).Error("import panicked", "file", j.name, "panic", p, "stack", string(debug.Stack()))
			rep, err = nil, fmt.Errorf("import failed: %v", p)
			_ = out.Close()
		}
		_ = os.Remove(upload)
		// No report to offer: none was needed, the import failed before
		// one was written, or the server is stopping (reports live in
		// memory and would be unreachable).
		if rep == nil || rep.Invalid == 0 || ctx.Err() != nil {
			w.dropReport(j.id)
		}
		j.mu.Lock()
		j.rep, j.err = rep, err
		j.mu.Unlock()
		close(j.finished)
	}()
	f, err := os.Open(upload)
	if err == nil {
		rep, err = registry.RunImport(ctx, w.svc.Registry, f, format, registry.ImportOptions{Now: w.svc.Clock.For(homeward.ActorFromContext(ctx)).Local()}, j.dry, out, lang, j.progress)
		f.Close()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		httpx.LoggerFrom(ctx).Warn("import failed", "file", j.name, "err", err)
	}
}

// importStatus shows an import's progress or, once it has finished, its
// report (polled by the page).
func (w *Web) importStatus(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	w.imp.mu.Lock()
	j, ok := w.imp.jobs[r.PathValue("id")]
	w.imp.mu.Unlock()
	if !ok || j.user != a.UserID {
		return notFound()
	}
	p := w.newPage(r, "registry.ui.import.title", &importData{job: j})
	return w.showImport(rw, r, p, http.StatusOK)
}

// showImport renders the import page or, for htmx, its report section: the
// job's progress while it runs, its report when done, or the page's error.
func (w *Web) showImport(rw http.ResponseWriter, r *http.Request, p *page, status int) error {
	d := p.Data.(*importData)
	if j := d.job; j != nil {
		// Whether it has finished is asked first: the report is set
		// before finished closes, so a finished job always has it.
		finished := false
		select {
		case <-j.finished:
			finished = true
		default:
		}
		j.mu.Lock()
		rows, read, rep, err := j.rows, j.read, j.rep, j.err
		j.mu.Unlock()
		d.FileName = j.name
		if finished {
			status = w.importReport(p, j, rep, err)
		} else {
			d.Running, d.JobID, d.DryRun = true, j.id, j.dry
			d.Rows = rows
			if j.size > 0 {
				d.Percent = int(min(100, read*100/j.size))
			}
		}
	}
	if htmxTarget(r) == "import-report" {
		return w.renderPart(rw, status, "registry_import", "report", p)
	}
	return w.render(rw, status, "registry_import", p)
}

// importReport fills the page with a finished job's report and returns the
// status to answer with.
func (w *Web) importReport(p *page, j *importJob, rep *registry.ImportReport, err error) int {
	d := p.Data.(*importData)
	status := http.StatusOK
	if err != nil {
		var e *homeward.Error
		switch {
		case errors.As(err, &e) && (e.Code == homeward.EINVALID || e.Code == homeward.ETOOLARGE):
			status = http.StatusBadRequest
		case rep == nil:
			status = http.StatusInternalServerError
		}
		p.Error = i18n.Error(p.Lang, err)
	}
	if rep == nil {
		return status
	}
	d.Report = rep
	if _, kept := w.keptReport(j.id); kept {
		d.ReportID = j.id
	}
	for _, e := range rep.Errors {
		msg := e.Message
		if e.Key != "" && i18n.Has(e.Key) {
			msg = i18n.T(p.Lang, e.Key, e.Args)
		}
		d.Errors = append(d.Errors, importError{Line: i18n.Digits(p.Lang, strconv.Itoa(e.Line)), Column: cmp.Or(e.Header, e.Column), Value: e.Value, Message: msg})
	}
	d.More = rep.ErrorsTotal - len(rep.Errors)
	for _, wn := range rep.Warnings {
		msg := wn.Message
		if wn.Key != "" && i18n.Has(wn.Key) {
			msg = i18n.T(p.Lang, wn.Key, wn.Args)
		}
		d.Warnings = append(d.Warnings, msg)
	}
	return status
}

// keptReport returns the error report file of an import, if it is kept.
func (w *Web) keptReport(id string) (reportFile, bool) {
	w.imp.mu.Lock()
	defer w.imp.mu.Unlock()
	rf, ok := w.imp.reports[id]
	if !ok || w.svc.Clock.Time().Sub(rf.created) > reportTTL {
		return reportFile{}, false
	}
	return rf, true
}

// dropReport removes an import's error report (it had no rows to report).
func (w *Web) dropReport(id string) {
	w.imp.mu.Lock()
	rf, ok := w.imp.reports[id]
	delete(w.imp.reports, id)
	w.imp.mu.Unlock()
	if ok {
		_ = os.Remove(rf.path)
	}
}

// importErrors serves an import's error report to the user who ran it.
func (w *Web) importErrors(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	rf, ok := w.keptReport(r.PathValue("id"))
	if !ok || rf.user != a.UserID {
		return notFound()
	}
	f, err := os.Open(rf.path)
	if err != nil {
		return notFound()
	}
	defer f.Close()
	rw.Header().Set("Content-Type", "text/csv; charset=utf-8")
	rw.Header().Set("Content-Disposition", `attachment; filename="import-errors.csv"`)
	if _, err = io.Copy(rw, f); err != nil {
		return err
	}
	// Downloaded: the report holds personal data and goes now.
	w.dropReport(r.PathValue("id"))
	return nil
}

// removeReports removes every error report still kept (at shutdown).
func (w *Web) removeReports() {
	w.imp.mu.Lock()
	defer w.imp.mu.Unlock()
	for k, r := range w.imp.reports {
		_ = os.Remove(r.path)
		delete(w.imp.reports, k)
	}
}

package web

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"homeward"
	"homeward/internal/api"
	"homeward/internal/i18n"
	"homeward/internal/registry"
)

// The error report of an upload is written to a temporary file while the
// import runs and kept for reportTTL, downloadable only by the user who
// uploaded the file.
const reportTTL = 2 * time.Hour

type reportFile struct {
	path, user string
	created    time.Time
}

var reports = struct {
	sync.Mutex
	m map[string]reportFile
}{m: map[string]reportFile{}}

// newReportFile creates the error report file of an import by user and
// removes reports that have expired.
func newReportFile(user string) (string, *os.File, error) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	id := hex.EncodeToString(b)
	f, err := os.CreateTemp("", "homeward-import-errors-*.csv")
	if err != nil {
		return "", nil, err
	}
	reports.Lock()
	defer reports.Unlock()
	for k, r := range reports.m {
		if time.Since(r.created) > reportTTL {
			_ = os.Remove(r.path)
			delete(reports.m, k)
		}
	}
	reports.m[id] = reportFile{path: f.Name(), user: user, created: time.Now()}
	return id, f, nil
}

type importData struct {
	Report   *registry.ImportReport
	Errors   []importError
	Warnings []string
	FileName string
	ReportID string
	More     int
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

func (w *Web) importRun(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	if err := homeward.Authorize(a, homeward.ActImport, homeward.Resource{OrgID: a.OrgID}); err != nil {
		return err
	}
	p := w.newPage(r, "registry.ui.import.title", &importData{})
	d := p.Data.(*importData)
	show := func(status int) error {
		if htmxTarget(r) == "import-report" {
			return w.renderPart(rw, status, "registry_import", "report", p)
		}
		return w.render(rw, status, "registry_import", p)
	}
	r.Body = http.MaxBytesReader(rw, r.Body, api.MaxImportBytes)
	file, name, closeFile, err := uploadedFile(r)
	defer closeFile()
	mode := r.URL.Query().Get("mode")
	if mode == "" && r.MultipartForm != nil && len(r.MultipartForm.Value["mode"]) > 0 {
		mode = r.MultipartForm.Value["mode"][0]
	}
	dry := mode != "import"
	format, ok := registry.FormatFromName(name)
	if err != nil || name == "" || !ok {
		if errors.Is(err, multipart.ErrMessageTooLarge) || err != nil && strings.Contains(err.Error(), "too large") {
			p.Error = i18n.T(p.Lang, "error.body.too_large", map[string]any{"limit": api.MaxImportBytes})
		} else {
			p.Errors = map[string]string{"file": i18n.T(p.Lang, "registry.ui.import.choose", nil)}
		}
		return show(http.StatusBadRequest)
	}
	d.FileName = name
	id, out, err := newReportFile(a.UserID)
	if err != nil {
		return err
	}
	rep, err := registry.RunImport(r.Context(), w.svc.Registry, file, format, registry.ImportOptions{Now: time.Now()}, dry, out, p.Lang, nil)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		var e *homeward.Error
		if errors.As(err, &e) && (e.Code == homeward.EINVALID || e.Code == homeward.ETOOLARGE) {
			p.Error = i18n.Error(p.Lang, err)
			return show(http.StatusBadRequest)
		}
		if strings.Contains(err.Error(), "request body too large") {
			p.Error = i18n.T(p.Lang, "error.body.too_large", map[string]any{"limit": api.MaxImportBytes})
			return show(http.StatusBadRequest)
		}
		if rep == nil {
			return err
		}
		p.Error = i18n.Error(p.Lang, err)
	}
	d.Report = rep
	if rep.Invalid > 0 {
		d.ReportID = id
	} else {
		reports.Lock()
		delete(reports.m, id)
		reports.Unlock()
		_ = os.Remove(out.Name())
	}
	for _, e := range rep.Errors {
		msg := e.Message
		if e.Key != "" && i18n.Has(e.Key) {
			msg = i18n.T(p.Lang, e.Key, e.Args)
		}
		d.Errors = append(d.Errors, importError{Line: i18n.Digits(p.Lang, strconv.Itoa(e.Line)), Column: e.Column, Value: e.Value, Message: msg})
	}
	d.More = rep.ErrorsTotal - len(rep.Errors)
	for _, wn := range rep.Warnings {
		msg := wn.Message
		if wn.Key != "" && i18n.Has(wn.Key) {
			msg = i18n.T(p.Lang, wn.Key, wn.Args)
		}
		d.Warnings = append(d.Warnings, msg)
	}
	return show(http.StatusOK)
}

// importErrors serves an import's error report to the user who ran it.
func (w *Web) importErrors(rw http.ResponseWriter, r *http.Request) error {
	a := homeward.ActorFromContext(r.Context())
	reports.Lock()
	rf, ok := reports.m[r.PathValue("id")]
	reports.Unlock()
	if !ok || rf.user != a.UserID || time.Since(rf.created) > reportTTL {
		return notFound()
	}
	f, err := os.Open(rf.path)
	if err != nil {
		return notFound()
	}
	defer f.Close()
	rw.Header().Set("Content-Type", "text/csv; charset=utf-8")
	rw.Header().Set("Content-Disposition", `attachment; filename="import-errors.csv"`)
	_, err = io.Copy(rw, f)
	return err
}

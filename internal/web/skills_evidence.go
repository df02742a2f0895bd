package web

import (
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"

	"homeward"
	"homeward/internal/httpx"
	"homeward/internal/i18n"
	"homeward/internal/rpl"
)

// maxEvidenceUpload bounds the body of a form that attaches evidence: every
// file an application may hold at their largest, and the form around them.
const maxEvidenceUpload = rpl.MaxEvidenceFiles*rpl.MaxEvidenceFileBytes + uploadSlack

// mayApplyRPL lets an upload of evidence be read only from those who may
// apply for an assessment in their organisation (the body is not read
// otherwise).
func mayApplyRPL(a *homeward.Actor) error {
	return homeward.Authorize(a, homeward.ActRPLApply, homeward.Resource{Type: "rpl_assessment", OrgID: a.OrgID})
}

// evidenceUploads returns the files attached to the form (field "files"),
// each checked by its size, before it is opened, and by its content's
// type — none stored yet. The route caps the body; net/http keeps the
// parts over httpx.MaxFormBody in temporary files that the route removes
// on every path.
func evidenceUploads(r *http.Request) ([]*multipart.FileHeader, error) {
	if r.MultipartForm == nil {
		// Sent with the CSRF token in a header, the form is not parsed yet.
		if err := r.ParseMultipartForm(httpx.MaxFormBody); err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return nil, rpl.ErrEvidenceTooLarge()
			}
			return nil, nil // not multipart: no files
		}
	}
	var files []*multipart.FileHeader
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the empty input of a form sent without a file
		}
		files = append(files, fh)
	}
	if len(files) > rpl.MaxEvidenceFiles {
		return nil, rpl.ErrEvidenceTooMany()
	}
	for _, fh := range files {
		if fh.Size > rpl.MaxEvidenceFileBytes {
			return nil, rpl.ErrEvidenceTooLarge()
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		head := make([]byte, 512)
		n, err := io.ReadFull(f, head)
		f.Close()
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if _, _, err := rpl.CheckEvidenceFile(fh.Filename, fh.Size, head[:n]); err != nil {
			return nil, err
		}
	}
	return files, nil
}

// attachEvidence stores the checked files on an application, one at a
// time (a file is read whole, at most rpl.MaxEvidenceFileBytes, only
// while it is stored).
func (w *Web) attachEvidence(r *http.Request, assessmentID string, files []*multipart.FileHeader) error {
	for _, fh := range files {
		f, err := fh.Open()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(io.LimitReader(f, rpl.MaxEvidenceFileBytes+1))
		f.Close()
		if err != nil {
			return err
		}
		if _, err := w.svc.RPL.AttachRPLEvidence(r.Context(), assessmentID, fh.Filename, b); err != nil {
			return err
		}
	}
	return nil
}

// skillsAttach attaches more files of evidence to an application that
// waits for its assessment.
func (w *Web) skillsAttach(rw http.ResponseWriter, r *http.Request) error {
	id, aid, err := assessmentPath(r)
	if err != nil {
		return err
	}
	files, err := evidenceUploads(r)
	if err == nil && len(files) == 0 {
		err = homeward.FieldErrorf("files", "rpl.file.none", "Choose at least one file.")
	}
	if err == nil {
		err = w.attachEvidence(r, aid, files)
	}
	return w.skillsDone(rw, r, id, err, "rpl.ui.files_attached")
}

// evidenceDownload sends a file of evidence to one who may read the
// assessments of its organisation (the service checks, and audits the
// read), as an attachment that the browser neither runs nor sniffs.
func (w *Web) evidenceDownload(rw http.ResponseWriter, r *http.Request) error {
	fid := r.PathValue("fid")
	if !homeward.ValidID(fid) {
		return notFound()
	}
	f, content, err := w.svc.RPL.RPLEvidenceContent(r.Context(), fid)
	if err != nil {
		return err
	}
	h := rw.Header()
	h.Set("Content-Type", f.MediaType)
	h.Set("Content-Length", strconv.Itoa(len(content)))
	h.Set("Content-Disposition", "attachment; filename*=UTF-8''"+url.PathEscape(f.Name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	_, err = rw.Write(content)
	return err
}

// fileView is a file of evidence as the assessment lists it.
type fileView struct {
	ID, Name, Size, Uploaded, Type string
}

// evidenceViews lists the files of each assessment of a case, a
// re-assessment's with those of the assessment it repeats.
func (w *Web) evidenceViews(r *http.Request, caseID string, list []*rpl.Assessment) (map[string][]fileView, error) {
	files, err := w.svc.RPL.RPLEvidenceFiles(r.Context(), caseID)
	if err != nil {
		return nil, err
	}
	lng, loc := lang(r), w.clock(r).Location()
	own := map[string][]fileView{}
	for _, f := range files {
		kb := (f.Size + 1023) / 1024
		own[f.AssessmentID] = append(own[f.AssessmentID], fileView{ID: f.ID, Name: f.Name, Uploaded: timeText(lng, loc, f.UploadedAt),
			Size: i18n.T(lng, "rpl.ui.file_kb", map[string]any{"n": i18n.Number(lng, int(kb))}),
			Type: i18n.T(lng, "rpl.ui.file_type."+f.MediaType, nil)})
	}
	prev := map[string]string{}
	for _, a := range list {
		prev[a.ID] = a.Previous
	}
	out := map[string][]fileView{}
	for _, a := range list {
		seen := map[string]bool{}
		for id := a.ID; id != "" && !seen[id]; id = prev[id] {
			seen[id] = true
			out[a.ID] = append(out[a.ID], own[id]...)
		}
	}
	return out, nil
}

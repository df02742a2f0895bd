package web_test

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"homeward"
	"homeward/internal/rpl"
)

var (
	pdfBytes = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	pngBytes = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 40)...)
	fileRe   = regexp.MustCompile(`href="/rpl/evidence/([^"]+)" class="rpl-file"`)
)

type evFile struct {
	name    string
	content []byte
}

// postFiles posts a multipart form with files in the field "files".
func (b *browser) postFiles(path string, fields map[string]string, files ...evFile) (int, string) {
	b.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		_ = mw.WriteField(k, v)
	}
	for _, f := range files {
		fw, _ := mw.CreateFormFile("files", f.name)
		_, _ = fw.Write(f.content)
	}
	mw.Close()
	res, err := b.c.Post(b.base+path, mw.FormDataContentType(), &body)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	out, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(out)
}

// Files of evidence in the browser: attached with the application (a file
// that is not what its name says, or too large, refuses the whole
// application), and later; listed for the assessor, who downloads them;
// another organisation's staff and roles that read no assessment cannot.
func TestSkillsEvidenceFiles(t *testing.T) {
	b, w := newBrowser(t)
	rec := register(t, w, "Abdul", "Karim", "", "01712345678")
	pid := rec.Person.ID
	cw, prov := b.as(w, "ngo", homeward.RoleCaseWorker), b.as(w, "ngo", homeward.RoleProviderStaff)
	_, page := cw.get("/people/" + pid + "/skills")
	if !strings.Contains(page, `enctype="multipart/form-data"`) || !strings.Contains(page, `type="file" id="files" name="files" multiple`) {
		t.Fatalf("no file input on the application:\n%.2000s", page)
	}
	tok := csrf(t, page)
	apply := map[string]string{"csrf_token": tok, "standard": "HW-MASON-2", "evidence_kind_0": "employer_letter", "evidence_note_0": "Al Faisal Contracting"}

	// Refused, and no application made: a PNG named .pdf, a file over 10 MB.
	if status, body := cw.postFiles("/people/"+pid+"/skills", apply, evFile{"letter.pdf", pdfBytes}, evFile{"letter2.pdf", pngBytes}); status != 400 || !strings.Contains(body, "PDF, JPEG, PNG or WebP files only") {
		t.Errorf("a PNG named .pdf: %d", status)
	}
	big := append(append([]byte{}, pdfBytes...), make([]byte, rpl.MaxEvidenceFileBytes)...)
	if status, body := cw.postFiles("/people/"+pid+"/skills", apply, evFile{"big.pdf", big}); status != 400 || !strings.Contains(body, "at most 10 MB") {
		t.Errorf("a file over 10 MB: %d", status)
	}
	if as, _ := w.DB.RPLAssessments(w.Ctx("ngo", homeward.RoleCaseWorker), rec.Case.ID); len(as) != 0 {
		t.Fatalf("refused applications were made: %d", len(as))
	}

	// Accepted: listed on the page with the file's name and type.
	if status, body := cw.postFiles("/people/"+pid+"/skills", apply, evFile{"Al Faisal letter.pdf", pdfBytes}); status != 200 || !strings.Contains(body, "Al Faisal letter.pdf") || !strings.Contains(body, "PDF document") {
		t.Fatalf("apply with a file: %d %.500s", status, body)
	}
	// Later, more: the attach form of the waiting application.
	_, page = cw.get("/people/" + pid + "/skills")
	attach := regexp.MustCompile(`action="(/people/[^"]+/evidence)"`).FindStringSubmatch(page)
	if attach == nil {
		t.Fatal("no form to attach more evidence")
	}
	if status, body := cw.postFiles(attach[1], map[string]string{"csrf_token": tok}, evFile{"wall.png", pngBytes}); status != 200 || !strings.Contains(body, "Evidence attached") || !strings.Contains(body, "wall.png") {
		t.Fatalf("attach: %d %.500s", status, body)
	}
	if status, _ := cw.postFiles(attach[1], map[string]string{"csrf_token": tok}, evFile{"page.pdf", []byte("<html>not a pdf</html>")}); status != 400 {
		t.Errorf("HTML named .pdf: %d", status)
	}

	// The assessor sees the files and downloads them as attachments.
	_, page = prov.get("/people/" + pid + "/skills")
	ids := fileRe.FindAllStringSubmatch(page, -1)
	if len(ids) != 2 {
		t.Fatalf("assessor sees %d files", len(ids))
	}
	res, err := prov.c.Get(b.base + "/rpl/evidence/" + ids[0][1])
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !bytes.Equal(got, pdfBytes) || res.Header.Get("Content-Type") != "application/pdf" ||
		!strings.HasPrefix(res.Header.Get("Content-Disposition"), "attachment;") || res.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download: %d %v", res.StatusCode, res.Header)
	}

	// Not for another organisation, nor for roles that read no assessment.
	for name, nb := range map[string]*browser{
		"other organisation's case worker": b.as(w, "operator", homeward.RoleCaseWorker),
		"other organisation's supervisor":  b.as(w, "operator", homeward.RoleSupervisor),
		"M&E analyst":                      b.as(w, "ngo", homeward.RoleMEAnalyst),
	} {
		status, body := nb.get("/rpl/evidence/" + ids[0][1])
		if status != http.StatusNotFound && status != http.StatusForbidden || strings.Contains(body, "%PDF") {
			t.Errorf("%s downloads: %d", name, status)
		}
	}
	// Nor an upload from one who may not apply: refused before the body
	// is read.
	if status, _ := prov.postFiles(attach[1], map[string]string{"csrf_token": csrf(t, page)}, evFile{"x.pdf", pdfBytes}); status != http.StatusForbidden {
		t.Errorf("assessor attaches: %d", status)
	}
}

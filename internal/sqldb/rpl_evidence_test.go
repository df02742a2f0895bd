package sqldb_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/rpl"
	"homeward/internal/sqldb"
)

// errKey is the catalog key of a coded error, or "".
func errKey(err error) string {
	var e *homeward.Error
	if errors.As(err, &e) {
		return e.Key
	}
	return ""
}

// Small files of each accepted type, as their first bytes say.
var (
	pdfFile  = []byte("%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	pngFile  = append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 40)...)
	jpegFile = append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, 40)...)
	webpFile = append([]byte("RIFF\x24\x00\x00\x00WEBPVP8 "), make([]byte, 40)...)
)

// Files of evidence: attached while the application waits, checked by
// their content and size, at most ten, sealed at rest; read (audited) only
// by those who read the organisation's assessments; none once results are
// recorded.
func TestRPLEvidenceFiles(t *testing.T) {
	w := homewardtest.NewWorld(t)
	rec := registerIn(t, w, "ngo", "Abdul", "Karim", "আব্দুল করিম", "", "", "")
	cw, sup, admin, prov := w.Ctx("ngo", homeward.RoleCaseWorker), w.Ctx("ngo", homeward.RoleSupervisor), w.Ctx("ngo", homeward.RoleAdministrator), w.Ctx("ngo", homeward.RoleProviderStaff)
	std := w.DB.RPLCatalogue().Standard("HW-MASON-2")
	a, err := w.DB.ApplyRPL(cw, rec.Case.ID, std.Code, []rpl.Evidence{{Kind: "employer_letter"}})
	if err != nil {
		t.Fatal(err)
	}
	letter, err := w.DB.AttachRPLEvidence(cw, a.ID, `C:\Users\abdul\Al Faisal letter.pdf`, pdfFile)
	if err != nil {
		t.Fatal(err)
	}
	if letter.Name != "Al Faisal letter.pdf" || letter.MediaType != "application/pdf" || letter.Size != int64(len(pdfFile)) || len(letter.SHA256) != 64 {
		t.Errorf("attached: %+v", letter)
	}
	for name, content := range map[string][]byte{"wall.png": pngFile, "site.JPG": jpegFile, "cert.webp": webpFile} {
		if _, err := w.DB.AttachRPLEvidence(cw, a.ID, name, content); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}

	// Refused: what the content is not, what the name does not say, too
	// large, empty; by a role that may not apply, or another organisation.
	big := append(append([]byte{}, pdfFile...), make([]byte, rpl.MaxEvidenceFileBytes)...)
	for name, tc := range map[string]struct {
		file    string
		content []byte
		ctx     context.Context
		code    string
		key     string
	}{
		"html named .pdf":        {"letter.pdf", []byte("<html><script>alert(1)</script></html>"), cw, homeward.EINVALID, "rpl.file.type"},
		"png named .pdf":         {"letter.pdf", pngFile, cw, homeward.EINVALID, "rpl.file.type"},
		"pdf named .png":         {"photo.png", pdfFile, cw, homeward.EINVALID, "rpl.file.type"},
		"pdf without extension":  {"letter", pdfFile, cw, homeward.EINVALID, "rpl.file.type"},
		"zip":                    {"work.zip", []byte("PK\x03\x04rest of a zip"), cw, homeward.EINVALID, "rpl.file.type"},
		"over 10 MB":             {"big.pdf", big, cw, homeward.EINVALID, "rpl.file.too_large"},
		"empty":                  {"empty.pdf", nil, cw, homeward.EINVALID, "rpl.file.empty"},
		"provider staff":         {"x.pdf", pdfFile, prov, homeward.EFORBIDDEN, ""},
		"administrator":          {"x.pdf", pdfFile, admin, homeward.EFORBIDDEN, ""},
		"other organisation":     {"x.pdf", pdfFile, w.Ctx("operator", homeward.RoleCaseWorker), homeward.ENOTFOUND, ""},
		"wrong role, wrong type": {"x.pdf", pngFile, prov, homeward.EFORBIDDEN, ""},
	} {
		_, err := w.DB.AttachRPLEvidence(tc.ctx, a.ID, tc.file, tc.content)
		if homewardtest.Code(err) != tc.code || tc.key != "" && !strings.Contains(errKey(err), tc.key) {
			t.Errorf("%s: %v (%s), want %s %s", name, err, errKey(err), tc.code, tc.key)
		}
	}

	// Listed for those who read assessments, without content.
	files, err := w.DB.RPLEvidenceFiles(prov, rec.Case.ID)
	if err != nil || len(files) != 4 {
		t.Fatalf("listed: %d %v", len(files), err)
	}
	if _, err := w.DB.RPLEvidenceFiles(w.Ctx("operator", homeward.RoleCaseWorker), rec.Case.ID); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("another organisation lists: %v", err)
	}

	// Read back whole by the assessor; refused to other organisations and
	// to roles that do not read assessments.
	f, content, err := w.DB.RPLEvidenceContent(prov, letter.ID)
	if err != nil || !bytes.Equal(content, pdfFile) || f.Name != letter.Name {
		t.Fatalf("read back: %v", err)
	}
	for name, ctx := range map[string]context.Context{
		"other organisation's case worker":  w.Ctx("operator", homeward.RoleCaseWorker),
		"other organisation's supervisor":   w.Ctx("operator", homeward.RoleSupervisor),
		"administrator (reads no case)":     admin,
		"M&E analyst":                       w.Ctx("ngo", homeward.RoleMEAnalyst),
		"other organisation's M&E analyst ": w.Ctx("operator", homeward.RoleMEAnalyst),
	} {
		if _, c, err := w.DB.RPLEvidenceContent(ctx, letter.ID); err == nil || c != nil {
			t.Errorf("%s read the file", name)
		} else if code := homewardtest.Code(err); code != homeward.EFORBIDDEN && code != homeward.ENOTFOUND {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, _, err := w.DB.RPLEvidenceContent(prov, homeward.NewID()); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("unknown file: %v", err)
	}

	// Sealed at rest: the stored text is no PDF, and bound to its row.
	var stored string
	if err := sqldb.RawDB(t, w.DB).QueryRow(sqldb.Rebind(w.DB, `SELECT content FROM rpl_evidence_files WHERE id = ?`), letter.ID).Scan(&stored); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored, "hwenc:v1:") || strings.Contains(stored, "PDF") {
		t.Errorf("stored in clear: %.40q", stored)
	}

	// Reading is audited, once per read, with the reader.
	org := w.NGO.ID
	evs, _, _ := w.DB.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{OrgID: &org, Limit: 500})
	reads := 0
	for _, e := range evs {
		if e.Action == "rpl.evidence_read" && e.RecordID == letter.ID {
			reads++
			if e.ActorID != w.Users["ngo"][homeward.RoleProviderStaff].ID {
				t.Errorf("read audited as %s", e.ActorID)
			}
		}
	}
	if reads != 1 {
		t.Errorf("%d audited reads, want 1", reads)
	}

	// Ten at most.
	for i := 4; i < rpl.MaxEvidenceFiles; i++ {
		if _, err := w.DB.AttachRPLEvidence(sup, a.ID, "p.png", pngFile); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.DB.AttachRPLEvidence(cw, a.ID, "one-more.pdf", pdfFile); !strings.Contains(errKey(err), "rpl.file.too_many") {
		t.Errorf("eleventh file: %v", err)
	}

	// Once results are recorded, no more.
	if err := w.DB.RegisterAssessor(admin, w.Users["ngo"][homeward.RoleProviderStaff].ID, std.Code, "Dhaka TTC"); err != nil {
		t.Fatal(err)
	}
	b, err := w.DB.ApplyRPL(cw, rec.Case.ID, std.Code, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.RecordRPL(prov, b.ID, b.Version, allCompetent(std)); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.AttachRPLEvidence(cw, b.ID, "late.pdf", pdfFile); homewardtest.Code(err) != homeward.ECONFLICT {
		t.Errorf("after the results: %v", err)
	}
}

package rpl

import (
	"net/http"
	"path"
	"strings"
	"time"
	"unicode"

	"homeward"
)

// Files attached to an application as evidence of experience abroad: an
// employer's letter, a photo of work done, a certificate from abroad.
const (
	MaxEvidenceFileBytes = 10 << 20 // bytes of one file
	MaxEvidenceFiles     = 10       // files of one application, in all
	MaxEvidenceFileName  = 200      // characters of a file's name
)

// EvidenceFile is a file attached to an application, as listed: its
// content is read only by EvidenceContent, which is audited.
type EvidenceFile struct {
	ID           string    `json:"id"`
	AssessmentID string    `json:"assessment_id"`
	OrgID        string    `json:"org_id"`
	Name         string    `json:"name"`
	MediaType    string    `json:"media_type"`
	Size         int64     `json:"size"`
	SHA256       string    `json:"sha256"`
	UploadedBy   string    `json:"uploaded_by"`
	UploadedAt   time.Time `json:"uploaded_at"`
}

// evidenceTypes are the media types a file of evidence may have, with the
// extensions a name of that type may end in.
var evidenceTypes = map[string][]string{
	"application/pdf": {".pdf"},
	"image/jpeg":      {".jpg", ".jpeg"},
	"image/png":       {".png"},
	"image/webp":      {".webp"},
}

// errEvidenceType is the refusal of a file that is not a PDF, JPEG, PNG or
// WebP file, or whose content is not what its name says.
func errEvidenceType() error {
	return homeward.FieldErrorf("files", "rpl.file.type", "Attach PDF, JPEG, PNG or WebP files only, each named for what it holds (.pdf, .jpg, .png, .webp).")
}

// ErrEvidenceTooLarge is the refusal of a file over MaxEvidenceFileBytes.
func ErrEvidenceTooLarge() error {
	return withN(homeward.FieldErrorf("files", "rpl.file.too_large", "A file of evidence is at most %d MB.", MaxEvidenceFileBytes>>20), MaxEvidenceFileBytes>>20)
}

// ErrEvidenceTooMany is the refusal of more than MaxEvidenceFiles files on
// one application.
func ErrEvidenceTooMany() error {
	return withN(homeward.FieldErrorf("files", "rpl.file.too_many", "An application has at most %d files of evidence.", MaxEvidenceFiles), MaxEvidenceFiles)
}

// CheckEvidenceFile checks a file of evidence before it is stored: its
// size, its name (cleaned: the base name, control characters dropped) and
// its type, sniffed from its first bytes (head, at least 512 when the file
// is that long) — PDF, JPEG, PNG or WebP, and the one its name's extension
// says. It returns the cleaned name and the media type.
func CheckEvidenceFile(name string, size int64, head []byte) (clean, mediaType string, err error) {
	if size > MaxEvidenceFileBytes {
		return "", "", ErrEvidenceTooLarge()
	}
	clean = CleanFileName(name)
	if clean == "" || size == 0 {
		return "", "", homeward.FieldErrorf("files", "rpl.file.empty", "The file is empty or has no name.")
	}
	mediaType, _, _ = strings.Cut(http.DetectContentType(head), ";")
	exts, ok := evidenceTypes[mediaType]
	if !ok {
		return "", "", errEvidenceType()
	}
	ext := strings.ToLower(path.Ext(clean))
	for _, e := range exts {
		if e == ext {
			return clean, mediaType, nil
		}
	}
	return "", "", errEvidenceType()
}

// CleanFileName returns a file's name fit to show and to offer back as a
// download's name: its base name (browsers may send a path), without
// control or format characters, at most MaxEvidenceFileName characters.
func CleanFileName(name string) string {
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if r := []rune(name); len(r) > MaxEvidenceFileName {
		ext := path.Ext(name)
		if len([]rune(ext)) > 10 {
			ext = ""
		}
		name = string(r[:MaxEvidenceFileName-len([]rune(ext))]) + ext
	}
	if name == "." || name == ".." {
		return ""
	}
	return name
}

// CanAttach says whether files of evidence may still be attached: until
// the assessor records the results and their decision.
func (a *Assessment) CanAttach() error {
	if a.Status != StatusApplied {
		return homeward.Errorf(homeward.ECONFLICT, "rpl.file.decided", "Evidence is attached before the assessor records the results.")
	}
	return nil
}

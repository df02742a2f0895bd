package sqldb

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	"homeward"
	"homeward/internal/rpl"
)

// errNoEvidenceSeal refuses to store a file of evidence in clear.
var errNoEvidenceSeal = errors.New("files of evidence cannot be stored: no at-rest key is configured (HOMEWARD_NOTES_KEY, --notes-key-file or <data-dir>/notes.key)")

// evidenceAD binds a sealed file to its row: a file copied onto another
// row, application or organisation no longer opens.
func evidenceAD(id, org, assessment string) []byte {
	return []byte(strings.Join([]string{"homeward rpl_evidence_files v1", id, org, assessment}, "\x00"))
}

// AttachRPLEvidence attaches a file of evidence to an application that
// waits for its assessment: checked by its content (rpl.CheckEvidenceFile),
// at most rpl.MaxEvidenceFiles per application, sealed at rest, audited.
func (db *DB) AttachRPLEvidence(ctx context.Context, assessmentID, name string, content []byte) (*rpl.EvidenceFile, error) {
	actor := homeward.ActorFromContext(ctx)
	head := content[:min(len(content), 512)]
	clean, mediaType, err := rpl.CheckEvidenceFile(name, int64(len(content)), head)
	if err != nil {
		// Authorization first: a refusal says nothing to one who may not
		// attach at all.
		if aerr := homeward.Authorize(actor, homeward.ActRPLApply, homeward.Resource{Type: "rpl_assessment", OrgID: actorOrg(actor)}); aerr != nil {
			return nil, aerr
		}
		return nil, err
	}
	if db.NotesKeys.Primary() == "" {
		return nil, errNoEvidenceSeal
	}
	sum := sha256.Sum256(content)
	f := &rpl.EvidenceFile{ID: homeward.NewID(), AssessmentID: assessmentID, Name: clean, MediaType: mediaType, Size: int64(len(content)),
		SHA256: hex.EncodeToString(sum[:]), UploadedBy: actorID(actor)}
	err = db.Transact(ctx, func(tx *Tx) error {
		a, err := tx.loadRPL(assessmentID)
		if err != nil {
			if err := homeward.Authorize(actor, homeward.ActRPLApply, homeward.Resource{Type: "rpl_assessment", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActRPLApply, homeward.Resource{Type: "rpl_assessment", ID: a.ID, OrgID: a.OrgID}); err != nil {
			return err
		}
		if err := a.CanAttach(); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM rpl_evidence_files WHERE assessment_id = ?`, a.ID).Scan(&n); err != nil {
			return err
		}
		if n >= rpl.MaxEvidenceFiles {
			return rpl.ErrEvidenceTooMany()
		}
		f.OrgID, f.UploadedAt = a.OrgID, tx.now
		sealed, err := db.NotesKeys.Seal(string(content), evidenceAD(f.ID, f.OrgID, a.ID))
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO rpl_evidence_files (id, org_id, assessment_id, name, media_type, size, sha256, content, uploaded_by, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			f.ID, f.OrgID, a.ID, f.Name, f.MediaType, f.Size, f.SHA256, sealed, f.UploadedBy, tx.now); err != nil {
			return err
		}
		return tx.rplEvent(a, "rpl_evidence_attached", map[string]any{"file": f.ID, "media_type": f.MediaType, "size": f.Size, "sha256": f.SHA256})
	})
	if err != nil {
		return nil, err
	}
	return f, nil
}

const evidenceColumns = `id, assessment_id, org_id, name, media_type, size, sha256, uploaded_by, uploaded_at`

func scanEvidence(s interface{ Scan(...any) error }, extra ...any) (*rpl.EvidenceFile, error) {
	var f rpl.EvidenceFile
	dest := append([]any{&f.ID, &f.AssessmentID, &f.OrgID, &f.Name, &f.MediaType, &f.Size, &f.SHA256, &f.UploadedBy, dbTime{&f.UploadedAt}}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	return &f, nil
}

// RPLEvidenceFiles lists the files of evidence of a case's assessments
// (without their content), oldest first, for those who read assessments
// of the case's organisation.
func (db *DB) RPLEvidenceFiles(ctx context.Context, caseID string) ([]*rpl.EvidenceFile, error) {
	actor := homeward.ActorFromContext(ctx)
	var org string
	if err := db.queryRow(ctx, `SELECT org_id FROM cases WHERE id = ?`, caseID).Scan(&org); err != nil {
		if err := homeward.Authorize(actor, homeward.ActRPLRead, homeward.Resource{Type: "case", OrgID: actorOrg(actor)}); err != nil {
			return nil, err
		}
		return nil, notFound(err)
	}
	if err := homeward.Authorize(actor, homeward.ActRPLRead, homeward.Resource{Type: "case", ID: caseID, OrgID: org}); err != nil {
		return nil, err
	}
	rows, err := db.query(ctx, `SELECT `+evidenceColumns+` FROM rpl_evidence_files
		WHERE org_id = ? AND assessment_id IN (SELECT id FROM rpl_assessments WHERE case_id = ? AND org_id = ?) ORDER BY uploaded_at, id`, org, caseID, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*rpl.EvidenceFile{}
	for rows.Next() {
		f, err := scanEvidence(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// RPLEvidenceContent returns a file of evidence with its content, for
// those who read the assessments of its organisation; every read is
// audited (who, which file), as reading counselling notes is.
func (db *DB) RPLEvidenceContent(ctx context.Context, fileID string) (*rpl.EvidenceFile, []byte, error) {
	actor := homeward.ActorFromContext(ctx)
	var f *rpl.EvidenceFile
	var content []byte
	err := db.Transact(ctx, func(tx *Tx) error {
		var sealed string
		var err error
		f, err = scanEvidence(tx.QueryRow(`SELECT `+evidenceColumns+`, content FROM rpl_evidence_files WHERE id = ?`, fileID), &sealed)
		if err != nil {
			if err := homeward.Authorize(actor, homeward.ActRPLRead, homeward.Resource{Type: "rpl_evidence", OrgID: actorOrg(actor)}); err != nil {
				return err
			}
			return notFound(err)
		}
		if err := homeward.Authorize(actor, homeward.ActRPLRead, homeward.Resource{Type: "rpl_evidence", ID: f.ID, OrgID: f.OrgID}); err != nil {
			return err
		}
		plain, err := db.NotesKeys.Open(sealed, evidenceAD(f.ID, f.OrgID, f.AssessmentID))
		if err != nil {
			return err
		}
		content = []byte(plain)
		return tx.Audit("rpl.evidence_read", "rpl_evidence", f.ID, f.OrgID, map[string]any{"assessment": f.AssessmentID, "sha256": f.SHA256})
	})
	if err != nil {
		return nil, nil, err
	}
	return f, content, nil
}

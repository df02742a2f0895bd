package rpl

import (
	"context"
	"crypto/ed25519"
	"time"
)

// Assessor is a user registered to assess candidates against a standard.
type Assessor struct {
	UserID       string    `json:"user_id"`
	Name         string    `json:"name"`
	Standard     string    `json:"standard"`
	Centre       string    `json:"centre"`
	RegisteredBy string    `json:"registered_by"`
	RegisteredAt time.Time `json:"registered_at"`
}

// Credential is a certificate as the issuing organisation lists it.
type Credential struct {
	ID           string     `json:"id"`
	OrgID        string     `json:"org_id"`
	PersonID     string     `json:"person_id"`
	CaseID       string     `json:"case_id"`
	CaseNumber   string     `json:"case_number"`
	AssessmentID string     `json:"assessment_id"`
	Standard     string     `json:"standard"`
	StatusIndex  int        `json:"status_index"`
	IssuedBy     string     `json:"issued_by"`
	IssuedAt     time.Time  `json:"issued_at"`
	RevokedAt    *time.Time `json:"revoked_at,omitempty"`
	RevokedBy    string     `json:"revoked_by,omitempty"`
	RevokeReason string     `json:"revoke_reason,omitempty"`
	// Document is the signed credential exactly as issued.
	Document []byte `json:"-"`
}

// Status is "active" or "revoked".
func (c *Credential) Status() string {
	if c.RevokedAt != nil {
		return "revoked"
	}
	return "active"
}

// PublicStatus is what anyone may learn of a certificate this instance
// issued, by its id: the credential as issued (its holder's name and
// achievement are on it already) and whether it is revoked — nothing
// else about the person.
type PublicStatus struct {
	Document  []byte
	Revoked   bool
	RevokedAt *time.Time
	Issuer    string // the issuing organisation's name
}

// IssuerKey is one of an organisation's signing keys.
type IssuerKey struct {
	ID                 string     `json:"id"`
	PublicKeyMultibase string     `json:"public_key_multibase"`
	Fingerprint        string     `json:"fingerprint"` // SHA-256 of the public key, hex, in groups
	CreatedAt          time.Time  `json:"created_at"`
	RetiredAt          *time.Time `json:"retired_at,omitempty"`
}

// IssuerInfo is how an organisation signs its certificates: the DID it
// issues as ("key" or "web"), its did:web when the instance can serve one,
// its keys, current first.
type IssuerInfo struct {
	Method string      `json:"method"`
	DIDWeb string      `json:"did_web,omitempty"` // "" when the instance has no https public URL
	Keys   []IssuerKey `json:"keys"`
}

// Subject is the person an assessment is about, as much as those who
// assess them need: their name and open case.
type Subject struct {
	PersonID, OrgID, CaseID, CaseNumber, Name string
}

// WorkItem is an assessment waiting for someone: its results, its
// sign-off or its certificate.
type WorkItem struct {
	Assessment *Assessment
	Name       string // the person's
	CaseNumber string
}

// Work is what waits for the actor in skills recognition.
type Work struct {
	ToAssess, ToSignOff, ToCertify []WorkItem
}

// Count is how many items wait in all.
func (w *Work) Count() int { return len(w.ToAssess) + len(w.ToSignOff) + len(w.ToCertify) }

// Service is recognition of prior learning and the certificates issued
// from it, as the edges call it.
type Service interface {
	RPLCatalogue() *Catalogue
	RPLSubject(ctx context.Context, personID string) (*Subject, error)
	RegisterAssessor(ctx context.Context, userID, standard, centre string) error
	Assessors(ctx context.Context) ([]Assessor, error)
	ApplyRPL(ctx context.Context, caseID, standard string, evidence []Evidence) (*Assessment, error)
	AttachRPLEvidence(ctx context.Context, assessmentID, name string, content []byte) (*EvidenceFile, error)
	RPLEvidenceFiles(ctx context.Context, caseID string) ([]*EvidenceFile, error)
	RPLEvidenceContent(ctx context.Context, fileID string) (*EvidenceFile, []byte, error)
	ReassessRPL(ctx context.Context, previousID string) (*Assessment, error)
	ScheduleRPL(ctx context.Context, id string, version int, day, centre string) (*Assessment, error)
	RecordRPL(ctx context.Context, id string, version int, results []UnitResult) (*Assessment, error)
	SignOffRPL(ctx context.Context, id string, version int) (*Assessment, error)
	RPLAssessments(ctx context.Context, caseID string) ([]*Assessment, error)
	RPLWork(ctx context.Context) (*Work, error)
	IssueCredential(ctx context.Context, assessmentID string) (*Credential, error)
	RevokeCredential(ctx context.Context, id, reason string) (*Credential, error)
	Credentials(ctx context.Context, status string) ([]*Credential, error)
	Credential(ctx context.Context, id string) (*Credential, error)
	PublicCredential(ctx context.Context, id string) (*PublicStatus, error)
	KnownIssuer(ctx context.Context, pub ed25519.PublicKey) (org, name string)
	ResolveDIDWeb(ctx context.Context, vm string) (pub ed25519.PublicKey, org, name string, err error)
	DIDDocument(ctx context.Context, org string) ([]byte, error)
	Issuer(ctx context.Context) (*IssuerInfo, error)
	SetIssuerDID(ctx context.Context, method string) error
	StatusList(ctx context.Context, org string) ([]byte, error)
	RotateIssuerKey(ctx context.Context) error
}

package registry

import (
	"context"
	"time"
)

// Record is a registered person as stored: the person, their migration
// episodes, their case and every consent (withdrawn ones included).
type Record struct {
	Person   Person             `json:"person"`
	Episodes []MigrationEpisode `json:"episodes"`
	Case     *Case              `json:"case"`
	Consents []Consent          `json:"consents"`
	// Version is the person's version, for optimistic concurrency.
	Version   int       `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
	// MergedInto is set on a person merged into another: the kept
	// person's id, where their record now lives.
	MergedInto string `json:"merged_into,omitempty"`
}

// Summary is one line of a search result.
type Summary struct {
	PersonID           string     `json:"person_id"`
	Name               string     `json:"name"`
	NativeName         string     `json:"full_name_native,omitempty"`
	Sex                Sex        `json:"sex"`
	DateOfBirth        string     `json:"date_of_birth,omitempty"`
	CaseID             string     `json:"case_id"`
	CaseNumber         string     `json:"case_number"`
	Status             CaseStatus `json:"status"`
	Priority           Priority   `json:"priority"`
	District           string     `json:"district,omitempty"`
	ReturnDate         string     `json:"return_date,omitempty"`
	ReturnType         ReturnType `json:"return_type,omitempty"`
	DestinationCountry string     `json:"destination_country,omitempty"`
	AssignedTo         string     `json:"assigned_to,omitempty"`
	Incomplete         bool       `json:"incomplete,omitempty"`
}

// SearchFilter narrows a search. Query matches names (Latin or native
// script, in any order, transliteration variants unified), phone numbers,
// document numbers and case numbers; the other fields filter exactly.
type SearchFilter struct {
	Query      string
	District   string // p-code of a district (or a division: everything in it)
	Status     CaseStatus
	Sex        Sex
	ReturnType ReturnType
	AssignedTo string
	After      string // cursor
	Limit      int
}

// PersonUpdate replaces the person and, when set, the episodes.
type PersonUpdate struct {
	Person   *Person             `json:"person"`
	Episodes *[]MigrationEpisode `json:"episodes"`
}

// CaseUpdate changes a case's assignment, priority, flags or status.
type CaseUpdate struct {
	AssignedTo      *string          `json:"assigned_to"`
	Priority        *Priority        `json:"priority"`
	Vulnerabilities *[]Vulnerability `json:"vulnerabilities"`
	Status          *CaseStatus      `json:"status"`
	ClosureReason   ClosureReason    `json:"closure_reason,omitempty"`
}

// ImportOutcome says what an import did with one valid row.
type ImportOutcome string

// Import outcomes.
const (
	ImportCreated   ImportOutcome = "created"
	ImportUpdated   ImportOutcome = "updated"
	ImportUnchanged ImportOutcome = "unchanged"
	// ImportMerged: the external ID belongs to a person merged into another;
	// the row is not applied and is reported for a supervisor to review.
	ImportMerged ImportOutcome = "merged"
)

// Service is the registry as the API and the UI use it. Implementations
// enforce the authorization policy and write every change with its audit
// event and timeline entry.
type Service interface {
	Register(ctx context.Context, reg *Registration) (*Record, error)
	RegisterReception(ctx context.Context, r *Reception) (*Record, error)
	FindRecord(ctx context.Context, personID string) (*Record, error)
	Search(ctx context.Context, f SearchFilter) ([]Summary, string, error)
	// SearchPage is Search with the count of matches on a query's first
	// page (exact up to SearchCountCap).
	SearchPage(ctx context.Context, f SearchFilter) (*SearchResult, error)
	UpdatePerson(ctx context.Context, personID string, version int, upd PersonUpdate) (*Record, error)
	UpdateCase(ctx context.Context, caseID string, version int, upd CaseUpdate) (*Case, int, error)
	RecordConsent(ctx context.Context, personID string, c *Consent) error
	WithdrawConsent(ctx context.Context, consentID string) error
	// HasConsent is the one question other capabilities ask before data
	// leaves the owning organisation.
	HasConsent(ctx context.Context, personID string, purpose Purpose, to Recipient) (bool, error)
	Timeline(ctx context.Context, caseID string) ([]TimelineEvent, error)
	// ImportRows stores valid import rows, idempotently on the
	// organisation's external_id, a few rows to a transaction (each row is
	// written whole or not at all). On an error the outcomes of the rows
	// already written are returned with it (the others are empty).
	ImportRows(ctx context.Context, rows []*ImportRow) ([]ImportOutcome, error)
	// Export streams the records matching f to fn.
	Export(ctx context.Context, f SearchFilter, fn func(*ExportRecord) error) error
}

package registry

import (
	"context"
	"strings"
	"time"

	"homeward"
)

// SubjectRequest is a returnee's request about the data held on them: for
// now subject access (a copy of everything held, who received it and who
// read it). It is due within SubjectDeadlineDays of its receipt and is
// tracked as a task until fulfilled.
type SubjectRequest struct {
	ID          string     `json:"id"`
	OrgID       string     `json:"org_id"`
	PersonID    string     `json:"person_id"`
	Kind        string     `json:"kind"`        // access
	ReceivedOn  string     `json:"received_on"` // YYYY-MM-DD, the organisation's day
	DueOn       string     `json:"due_on"`      // YYYY-MM-DD
	Channel     string     `json:"channel,omitempty"`
	Note        string     `json:"note,omitempty"`
	Status      string     `json:"status"` // open | fulfilled
	RecordedBy  string     `json:"recorded_by"`
	RecordedAt  time.Time  `json:"recorded_at"`
	FulfilledBy string     `json:"fulfilled_by,omitempty"`
	FulfilledAt *time.Time `json:"fulfilled_at,omitempty"`
	// PersonName and CaseNumber are filled by lists, for display.
	PersonName string `json:"person_name,omitempty"`
	Overdue    bool   `json:"overdue"` // filled on read
}

// SubjectDeadlineDays is how many days an organisation has to answer a
// subject access request (one month, as under the GDPR and Bangladesh's
// draft data protection law).
const SubjectDeadlineDays = 30

// The subject request kinds, channels and statuses.
const (
	SubjectAccess    = "access"
	SubjectOpen      = "open"
	SubjectFulfilled = "fulfilled"
)

// SubjectChannels are how a request may arrive.
var SubjectChannels = []string{"in_person", "phone", "letter", "email", "other"}

// NewSubjectRequest checks a request received on receivedOn (YYYY-MM-DD;
// empty is today) and sets its deadline.
func NewSubjectRequest(receivedOn, today, channel, note string) (*SubjectRequest, error) {
	receivedOn = strings.TrimSpace(receivedOn)
	if receivedOn == "" {
		receivedOn = today
	}
	var v homeward.Validation
	d, err := time.Parse(time.DateOnly, receivedOn)
	switch {
	case err != nil:
		v.Add("received_on", "subject.received_on", "Give the day the request was received.")
	case receivedOn > today:
		v.Add("received_on", "subject.received_on.future", "The day received cannot be in the future.")
	}
	if channel != "" && !containsString(SubjectChannels, channel) {
		v.Add("channel", "subject.channel", "Choose how the request was received.")
	}
	if len([]rune(note)) > 2000 {
		v.AddArgs("note", "subject.note", map[string]any{"n": 2000}, "A note is at most 2000 characters.")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return &SubjectRequest{Kind: SubjectAccess, ReceivedOn: receivedOn, DueOn: d.AddDate(0, 0, SubjectDeadlineDays).Format(time.DateOnly),
		Channel: channel, Note: strings.TrimSpace(note), Status: SubjectOpen}, nil
}

func containsString(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

// SubjectService keeps subject requests and the record of each copy made
// (internal/sqldb implements it, authorising every call).
type SubjectService interface {
	RecordSubjectRequest(ctx context.Context, personID, receivedOn, channel, note string) (*SubjectRequest, error)
	SubjectRequests(ctx context.Context, personID string) ([]SubjectRequest, error)
	OpenSubjectRequests(ctx context.Context, limit int) ([]SubjectRequest, int, error)
	FulfilSubjectRequest(ctx context.Context, id string) (*SubjectRequest, error)
	RecordSubjectExport(ctx context.Context, personID, format string) error
	AllReaders(ctx context.Context, personID string) ([]homeward.Reader, error)
}

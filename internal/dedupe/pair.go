package dedupe

import (
	"slices"
	"time"

	"homeward"
	"homeward/internal/match"
)

// Status is where a candidate pair stands in the review queue.
type Status string

// The pair states. A pair is raised open; a supervisor confirms it is one
// person (and may then merge the two records) or rejects it as two people,
// which is remembered so that the pair is never raised again.
const (
	StatusOpen      Status = "open"
	StatusSame      Status = "confirmed_same"
	StatusDifferent Status = "rejected_different"
	StatusMerged    Status = "merged"
)

// Statuses lists every Status.
var Statuses = []Status{StatusOpen, StatusSame, StatusDifferent, StatusMerged}

// Decisions are the statuses a supervisor may set by hand.
var Decisions = []Status{StatusOpen, StatusSame, StatusDifferent}

// Pair is two registered people of one organisation whom the matcher thinks
// may be the same. PersonA sorts before PersonB, so that a pair has one row
// however it was found.
type Pair struct {
	ID          string             `json:"id"`
	OrgID       string             `json:"org_id"`
	PersonA     string             `json:"person_a"`
	PersonB     string             `json:"person_b"`
	Score       float64            `json:"score"`
	Decision    string             `json:"decision"` // the matcher's: match or possible
	Explanation *match.Explanation `json:"explanation,omitempty"`
	Status      Status             `json:"status"`
	Note        string             `json:"note,omitempty"`
	DecidedBy   string             `json:"decided_by,omitempty"`
	DecidedAt   *time.Time         `json:"decided_at,omitempty"`
	MergeID     string             `json:"merge_id,omitempty"` // the merge that joined them, while merged
	CreatedAt   time.Time          `json:"created_at"`
	UpdatedAt   time.Time          `json:"updated_at"`
	Version     int                `json:"version"`
}

// Ordered returns the two ids with the smaller first.
func Ordered(a, b string) (string, string) {
	if b < a {
		return b, a
	}
	return a, b
}

// Other returns the person of the pair that is not id.
func (p *Pair) Other(id string) string {
	if p.PersonA == id {
		return p.PersonB
	}
	return p.PersonA
}

// Has reports whether id is one of the pair.
func (p *Pair) Has(id string) bool { return p.PersonA == id || p.PersonB == id }

// Decide moves the pair to status by a supervisor's decision. A merged pair
// changes only by unmerging; deciding what already holds is a no-op.
func (p *Pair) Decide(status Status, note, actor string, now time.Time) error {
	if !slices.Contains(Decisions, status) {
		return homeward.FieldErrorf("status", "dedupe.status.invalid", "Choose confirmed_same, rejected_different or open.")
	}
	if p.Status == StatusMerged {
		return homeward.Errorf(homeward.ECONFLICT, "dedupe.pair.merged", "These records are merged; undo the merge first.")
	}
	if len(note) > 2000 {
		return homeward.FieldErrorf("note", "dedupe.note.long", "The note is too long (at most 2000 characters).")
	}
	p.Status, p.Note, p.DecidedBy = status, note, actor
	t := now
	p.DecidedAt = &t
	if status == StatusOpen {
		p.DecidedBy, p.DecidedAt = "", nil
	}
	return nil
}

// CanMerge reports whether the pair may be merged now.
func (p *Pair) CanMerge() error {
	switch p.Status {
	case StatusOpen, StatusSame:
		return nil
	case StatusMerged:
		return homeward.Errorf(homeward.ECONFLICT, "dedupe.pair.merged", "These records are merged; undo the merge first.")
	}
	return homeward.Errorf(homeward.ECONFLICT, "dedupe.pair.rejected", "These records were judged to be different people; reopen the pair before merging.")
}

// PairFilter narrows the review queue.
type PairFilter struct {
	Status   Status // default open
	PersonID string // pairs involving this person
	After    string // cursor
	Limit    int
	// MinScore leaves out pairs scored below it (the calibrated possible
	// threshold: pairs held back from the queue).
	MinScore float64
}

// Found is a candidate pair the scan found: the stored person and the
// registered one it resembles.
type Found struct {
	A, B        string
	Score       float64
	Decision    match.Decision
	Explanation *match.Explanation
}

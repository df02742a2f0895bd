package homeward

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// AuditEvent is one entry of the append-only audit log. Events form one hash
// chain per organisation (Chain), so that organisations write in parallel
// while each chain stays strictly ordered; Seq numbers events within a chain.
type AuditEvent struct {
	ID         int64     `json:"id"`
	Chain      string    `json:"chain"`
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	OrgID      string    `json:"org_id"`
	Action     string    `json:"action"`
	RecordType string    `json:"record_type"`
	RecordID   string    `json:"record_id"`
	RequestID  string    `json:"request_id"`
	Detail     string    `json:"detail,omitempty"` // JSON; never secrets or sensitive values
	PrevHash   string    `json:"prev_hash"`
	Hash       string    `json:"hash"`
}

// SystemChain is the chain of events with no organisation.
const SystemChain = "system"

// ComputeHash returns the hash that chains e to its predecessor: SHA-256
// over the previous hash and every recorded field, each length-prefixed so
// that no two different events encode alike.
func (e *AuditEvent) ComputeHash() string {
	h := sha256.New()
	for _, f := range []string{
		e.PrevHash, e.Chain, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		e.ActorID, e.OrgID, e.Action, e.RecordType, e.RecordID, e.RequestID, e.Detail,
	} {
		h.Write([]byte(strconv.Itoa(len(f))))
		h.Write([]byte{':'})
		h.Write([]byte(f))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// AuditProblem describes the first break found in a chain.
type AuditProblem struct {
	Chain string `json:"chain"`
	Seq   int64  `json:"seq"`
	ID    int64  `json:"id"`
	Kind  string `json:"kind"` // changed, deleted, reordered, truncated
	Text  string `json:"text"`
}

// AuditReport is the result of verifying the audit log.
type AuditReport struct {
	Chains   int            `json:"chains"`
	Events   int64          `json:"events"`
	Problems []AuditProblem `json:"problems"`
}

// OK reports whether no problem was found.
func (r *AuditReport) OK() bool { return len(r.Problems) == 0 }

// ChainVerifier checks the events of one chain, fed in Seq order.
type ChainVerifier struct {
	Chain   string
	prev    string
	next    int64
	Count   int64
	Problem *AuditProblem
}

// Check feeds the next event; after the first problem it does nothing.
func (v *ChainVerifier) Check(e *AuditEvent) {
	if v.Problem != nil {
		return
	}
	if v.next == 0 {
		v.next = 1
	}
	v.Count++
	fail := func(kind, text string) {
		v.Problem = &AuditProblem{Chain: v.Chain, Seq: e.Seq, ID: e.ID, Kind: kind, Text: text}
	}
	switch {
	case e.Seq > v.next:
		fail("deleted", "event(s) "+strconv.FormatInt(v.next, 10)+"…"+strconv.FormatInt(e.Seq-1, 10)+" are missing before this one")
	case e.Seq < v.next:
		fail("reordered", "sequence number goes backwards or repeats")
	case e.PrevHash != v.prev:
		fail("reordered", "the event does not follow its predecessor (previous-hash mismatch)")
	case e.ComputeHash() != e.Hash:
		fail("changed", "the event's content does not match its hash")
	}
	v.prev = e.Hash
	v.next = e.Seq + 1
}

// Finish compares the chain's end with the recorded head (the last sequence
// number and hash kept separately), catching deletion of the newest events.
func (v *ChainVerifier) Finish(headSeq int64, headHash string) {
	if v.Problem != nil {
		return
	}
	if v.next-1 != headSeq || v.prev != headHash {
		v.Problem = &AuditProblem{Chain: v.Chain, Seq: v.next - 1, Kind: "truncated",
			Text: "the chain ends at " + strconv.FormatInt(v.next-1, 10) + " but its head records " + strconv.FormatInt(headSeq, 10)}
	}
}

// AuditFilter narrows FindAuditEvents.
type AuditFilter struct {
	OrgID      *string
	RecordType *string
	RecordID   *string
	ActorID    *string
	After      string
	Limit      int
}

// AuditService reads and verifies the audit log. Appending happens inside
// each write's transaction, not through this interface.
type AuditService interface {
	FindAuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, string, error)
	VerifyAudit(ctx context.Context) (*AuditReport, error)
}

// ChainFor returns the chain name for an organisation id.
func ChainFor(orgID string) string {
	if strings.TrimSpace(orgID) == "" {
		return SystemChain
	}
	return orgID
}

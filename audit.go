package homeward

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
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
	// KeyID names the audit key whose HMAC Hash is; empty for events
	// written before the chain was keyed, whose Hash is ComputeHash.
	KeyID string `json:"key_id,omitempty"`
	Hash  string `json:"hash"`
}

// SystemChain is the chain of events with no organisation.
const SystemChain = "system"

// ComputeHash returns the unkeyed hash that chained events written before
// the audit key (KeyID empty): SHA-256 over the previous hash and every
// recorded field, each length-prefixed so that no two different events
// encode alike. Anyone can recompute it, so it only verifies the events of
// a chain's unkeyed prefix (see ChainVerifier).
func (e *AuditEvent) ComputeHash() string {
	h := sha256.New()
	e.encode(h)
	return hex.EncodeToString(h.Sum(nil))
}

// ComputeMAC returns the keyed hash of e: HMAC-SHA-256 under k's MAC key
// over a version label, the key id and the fields ComputeHash covers.
// Without the key nobody can compute it, so an edited event cannot be
// given a matching hash.
func (e *AuditEvent) ComputeMAC(k *AuditKey) string {
	h := hmac.New(sha256.New, k.mac)
	writeField(h, auditMACLabel)
	writeField(h, k.id)
	e.encode(h)
	return hex.EncodeToString(h.Sum(nil))
}

// Seal keys e with k: it records the key id and sets Hash to the MAC.
func (e *AuditEvent) Seal(k *AuditKey) {
	e.KeyID = k.id
	e.Hash = e.ComputeMAC(k)
}

const auditMACLabel = "homeward audit event v2"

func (e *AuditEvent) encode(w io.Writer) {
	for _, f := range []string{
		e.PrevHash, e.Chain, strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
		e.ActorID, e.OrgID, e.Action, e.RecordType, e.RecordID, e.RequestID, e.Detail,
	} {
		writeField(w, f)
	}
}

// writeField writes f length-prefixed.
func writeField(w io.Writer, f string) {
	_, _ = io.WriteString(w, strconv.Itoa(len(f)))
	_, _ = w.Write([]byte{':'})
	_, _ = io.WriteString(w, f)
}

// AuditProblem describes the first break found in a chain.
type AuditProblem struct {
	Chain string `json:"chain"`
	Seq   int64  `json:"seq"`
	ID    int64  `json:"id"`
	// Kind is changed, deleted, reordered, truncated (events missing at
	// the end, by the head or a checkpoint), replaced (the chain differs
	// from a checkpoint), unkeyed (events without the audit key where
	// keyed ones are required), unknown_key (keyed with a key that is
	// not configured) or unsealed (events written but left unlinked to
	// their chain too long: see Pending).
	Kind string `json:"kind"`
	Text string `json:"text"`
}

// AuditReport is the result of verifying the audit log.
type AuditReport struct {
	Chains int   `json:"chains"`
	Events int64 `json:"events"`
	// Unkeyed counts events written before the audit key, verified by the
	// unkeyed rule only (they are protected by the keyed event after them).
	Unkeyed int64 `json:"unkeyed"`
	// Pending counts events written but not yet linked into their chain
	// (deferred sealing), none of them waiting too long: those are
	// reported as problems of kind unsealed.
	Pending int64 `json:"pending"`
	// Checkpoint is the time of the checkpoint compared with, if any.
	Checkpoint *time.Time     `json:"checkpoint,omitempty"`
	Problems   []AuditProblem `json:"problems"`
}

// OK reports whether no problem was found.
func (r *AuditReport) OK() bool { return len(r.Problems) == 0 }

// ChainVerifier checks the events of one chain, fed in Seq order.
//
// Keyed events (KeyID set) must carry the HMAC of a key in Keys. Unkeyed
// events, written before the audit key existed, verify by ComputeHash, but
// only as a prefix of the chain: once a keyed event has been seen, an
// unkeyed one is reported, and Finish reports a chain that ends unkeyed
// when keyed events must exist (RequireKeyed).
type ChainVerifier struct {
	Chain string
	Keys  *AuditKeyring
	// RequireKeyed reports a chain whose last event is unkeyed: set once
	// the database holds keyed events, when every chain was given a
	// keyed event (see the audit.key.introduced event).
	RequireKeyed bool
	// Expect, when set, is the chain's head recorded in a checkpoint: the
	// chain must still hold that event with that hash.
	Expect  *ChainHead
	prev    string
	next    int64
	keyed   bool
	matched bool
	Count   int64
	Unkeyed int64
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
	case e.KeyID == "" && v.keyed:
		fail("unkeyed", "an event without the audit key follows keyed ones: it was rewritten without the key")
	case e.KeyID == "":
		v.Unkeyed++
		if e.ComputeHash() != e.Hash {
			fail("changed", "the event's content does not match its hash")
		}
	case v.Keys.Key(e.KeyID) == nil:
		fail("unknown_key", "the event is keyed with audit key "+e.KeyID+", which is not configured (add the older key to the key file)")
	case !hmac.Equal([]byte(e.ComputeMAC(v.Keys.Key(e.KeyID))), []byte(e.Hash)):
		fail("changed", "the event's content does not match its keyed hash")
	}
	if e.KeyID != "" {
		v.keyed = true
	}
	if v.Problem == nil && v.Expect != nil && e.Seq == v.Expect.Seq {
		if e.Hash != v.Expect.Hash {
			fail("replaced", "the event differs from the one the checkpoint recorded: the chain was rewritten since")
		}
		v.matched = true
	}
	v.prev = e.Hash
	v.next = e.Seq + 1
}

// Finish compares the chain's end with the recorded head (the last sequence
// number and hash kept separately), catching deletion of the newest events,
// and with the checkpoint, if any, catching deletion that also rewound the
// head.
func (v *ChainVerifier) Finish(headSeq int64, headHash string) {
	if v.Problem != nil {
		return
	}
	last := v.next - 1
	if v.next == 0 {
		last = 0
	}
	switch {
	case v.Expect != nil && v.Expect.Seq > 0 && !v.matched:
		v.Problem = &AuditProblem{Chain: v.Chain, Seq: last, Kind: "truncated",
			Text: "the checkpoint recorded " + strconv.FormatInt(v.Expect.Seq, 10) + " events but the chain now ends at " + strconv.FormatInt(last, 10)}
	case last != headSeq || v.prev != headHash:
		v.Problem = &AuditProblem{Chain: v.Chain, Seq: last, Kind: "truncated",
			Text: "the chain ends at " + strconv.FormatInt(last, 10) + " but its head records " + strconv.FormatInt(headSeq, 10)}
	case v.RequireKeyed && !v.keyed && v.Count > 0:
		v.Problem = &AuditProblem{Chain: v.Chain, Seq: last, Kind: "unkeyed",
			Text: "no event of the chain carries the audit key although the log is keyed: the chain was written or replaced without the key"}
	}
}

// Head returns the last sequence number and hash fed so far.
func (v *ChainVerifier) Head() ChainHead {
	h := ChainHead{Chain: v.Chain, Hash: v.prev}
	if v.next > 0 {
		h.Seq = v.next - 1
	}
	if v.Chain != SystemChain {
		h.OrgID = v.Chain
	}
	return h
}

// AuditFilter narrows FindAuditEvents.
type AuditFilter struct {
	OrgID      *string
	RecordType *string
	RecordID   *string
	ActorID    *string
	Action     *string
	// Since and Until bound the events' time: Since <= at < Until.
	Since, Until *time.Time
	After        string
	Limit        int
}

// AuditActivity is one user's recorded actions over a period, for the
// auditor's summary of unusual access.
type AuditActivity struct {
	ActorID string `json:"actor_id"`
	OrgID   string `json:"org_id"`
	Events  int    `json:"events"`
	// Records is how many different records the events touched.
	Records int `json:"records"`
	// Exports counts exports and downloads of data.
	Exports int `json:"exports"`
	// OffHours counts events before 07:00 or from 20:00 local time, or
	// on a Friday (the weekend in Bangladesh).
	OffHours int `json:"off_hours"`
	// Opened counts the people's records the user opened (person.read),
	// and BusiestDay the most different records opened in one local day.
	Opened     int `json:"opened"`
	BusiestDay int `json:"busiest_day"`
	// Flags say why the activity is unusual: "many" (over three times
	// the median of the organisation's active users, and over 50),
	// "reads" (a busiest day of 20 or more records opened, over three
	// times the median busiest day of the colleagues who opened any),
	// "exports" (5 or more), "off_hours" (over a third of 10 or more).
	Flags []string `json:"flags,omitempty"`
}

// RecordRead is one opening of protected data that leaves no write behind:
// a person's record, an assessment with protection flags. Action names
// what was read ("person.read", "assessment.read"); Detail says how (the
// page or the API) and, where a reason was required, why.
type RecordRead struct {
	Action     string
	RecordType string
	RecordID   string
	OrgID      string
	Detail     map[string]any
}

// Reader is one user who opened a record, and when (newest first).
type Reader struct {
	ActorID string    `json:"actor_id"`
	At      time.Time `json:"at"`
	Action  string    `json:"action"`
	Via     string    `json:"via,omitempty"`
}

// AuditService reads and verifies the audit log. Appending happens inside
// each write's transaction, not through this interface — except for reads,
// which write nothing else: RecordRead appends them (in the record's
// organisation's chain) before the data is shown, and fails closed.
type AuditService interface {
	RecordRead(ctx context.Context, e RecordRead) error
	// Readers lists who opened a record, for its organisation's
	// supervisors and auditors.
	Readers(ctx context.Context, recordType, recordID string, limit int) ([]Reader, error)
	FindAuditEvents(ctx context.Context, f AuditFilter) ([]*AuditEvent, string, error)
	// AuditActivity sums each user's events from since to until (local
	// times in loc), busiest first, with what makes them unusual.
	AuditActivity(ctx context.Context, since, until time.Time, loc *time.Location) ([]*AuditActivity, error)
	VerifyAudit(ctx context.Context) (*AuditReport, error)
}

// ErrAuditKey is returned (wrapped) when the audit log is keyed with a key
// that is not configured, or when an event must be written without one.
var ErrAuditKey = errors.New("audit key")

// ChainFor returns the chain name for an organisation id.
func ChainFor(orgID string) string {
	if strings.TrimSpace(orgID) == "" {
		return SystemChain
	}
	return orgID
}

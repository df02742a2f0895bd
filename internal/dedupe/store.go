package dedupe

import (
	"context"
	"time"

	"homeward/internal/match"
	"homeward/internal/registry"
)

// Stored is one person as the index loads them: enough to tell whether the
// index holds the current version, and the person itself on demand (only
// changed people are decoded).
type Stored struct {
	ID        string
	OrgID     string
	Version   int
	Merged    bool // merged into another person: not indexed
	UpdatedAt time.Time
	Person    func() (*registry.Person, error)
}

// Store is what the duplicate workflow keeps in the database. Storage
// implements it and checks the authorization policy in every method
// (the background job acts as the system).
type Store interface {
	// FindRecord and OrgCountry come from the registry.
	FindRecord(ctx context.Context, personID string) (*registry.Record, error)
	OrgCountry(ctx context.Context, orgID string) (string, error)

	// People calls fn for every person of org updated at or after since
	// (every person when since is zero), oldest update first.
	People(ctx context.Context, orgID string, since time.Time, fn func(Stored) error) error
	// ScanPeople is People for the scan, which mostly finds people in its
	// index already: a person's record is read when Person is called (it
	// may be called from another goroutine while fn runs), not along.
	ScanPeople(ctx context.Context, orgID string, since time.Time, fn func(Stored) error) error

	// ScanOrgs lists the organisations whose people changed after their
	// scan watermark.
	ScanOrgs(ctx context.Context) ([]string, error)
	// ClaimScan takes the scan lease of org for owner until the lease runs
	// out; ok is false when another process holds it. It returns the
	// watermark to scan from and the database's current time.
	ClaimScan(ctx context.Context, orgID, owner string, lease time.Duration) (since, now time.Time, ok bool, err error)
	// SavePairs stores found pairs (new ones open; open ones rescored;
	// decided ones left alone) and, when done, moves the watermark to upTo
	// and releases the lease; otherwise it renews the lease. It fails when
	// owner no longer holds the lease. It returns how many pairs were new.
	SavePairs(ctx context.Context, orgID, owner string, found []Found, done bool, upTo time.Time, lease time.Duration) (int, error)
	// RenewScan extends owner's lease of org's scan to lease from now, and
	// reports false when owner no longer holds it (another process took it
	// over): a scan renews it while it loads the organisation's index,
	// which takes minutes at a million people, longer than a lease.
	RenewScan(ctx context.Context, orgID, owner string, lease time.Duration) (bool, error)
	// ReleaseScan gives up owner's lease of org's scan (when a scan stops
	// before it is done), leaving the watermark where it was.
	ReleaseScan(ctx context.Context, orgID, owner string) error
	// CountPeople counts the people of org updated at or after since (all
	// when since is zero), as People would call fn for them.
	CountPeople(ctx context.Context, orgID string, since time.Time) (int, error)

	ListPairs(ctx context.Context, f PairFilter) ([]Pair, string, error)
	// CountPairs counts the actor's organisation's pairs by status, as
	// ListPairs lists them.
	CountPairs(ctx context.Context) (map[Status]int, error)
	// PairScores counts the scores of the actor's organisation's pairs by
	// status into h (merged pairs count as confirmed).
	PairScores(ctx context.Context, h *match.Scores) error
	FindPair(ctx context.Context, id string) (*Pair, error)
	DecidePair(ctx context.Context, id string, version int, status Status, note string) (*Pair, error)
	MergePair(ctx context.Context, pairID string, version int, plan MergePlan) (*Merge, error)
	Unmerge(ctx context.Context, mergeID string) (*Merge, error)
	FindMerge(ctx context.Context, id string) (*Merge, error)
	ListMerges(ctx context.Context, personID string) ([]Merge, error)
}

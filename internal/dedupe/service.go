package dedupe

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"homeward"
	"homeward/internal/match"
	"homeward/internal/registry"
)

// Options configure a Service.
type Options struct {
	Logger *slog.Logger
	// Interval between background scans (default 30s).
	Interval time.Duration
	// Lease is how long a scan may hold an organisation before another
	// process may take over (default 45s; renewed at every batch, and
	// released at once when the scan stops, shutdown included).
	Lease time.Duration
	// Overlap re-scans people updated this long before the watermark, for
	// transactions that committed after a later one (default 2m).
	Overlap time.Duration
	// Batch is how many people a scan checks between saves (default 500).
	Batch int
	// Yield is how long the scan pauses, every few people, while
	// registrations are being written, so that it never delays them for
	// long (default 2ms; negative: never).
	Yield time.Duration
	// Workers is how many goroutines compare people during a scan
	// (default 2, at most GOMAXPROCS): the scan reads people in one and
	// compares them in these, each yielding to registrations on its own.
	Workers int
	// Now is the clock (default time.Now).
	Now func() time.Time
	// MaxCandidates bounds the answer of Check (default 10).
	MaxCandidates int
	// MaxScanPairs is the most pairs the scan raises when it checks one
	// person (default 20): that person's best candidates. A person like
	// more people than that (many near-identical records, as generated
	// ones or a family registered from one form) would flood the review
	// queue: the bench's 10,336 generated registrations raised 2,709,347
	// pairs before the cap. The pairs left out are not raised from the
	// other person's side either (the scan compares a pair once); the
	// scan counts such people (ScanResult.Capped) and logs them.
	MaxScanPairs int
	// CheckWait is how long Check waits for the organisation's index to
	// load before answering that the check is getting ready (default 2s):
	// at a million people the load takes minutes, and a registration form
	// must not hang meanwhile.
	CheckWait time.Duration
	Index     match.IndexOptions
	// MemoryBudget is the Go memory, in bytes, the process keeps to while
	// a scan runs or an organisation's index is loaded: the runtime's soft
	// memory limit (debug.SetMemoryLimit) is set to it, unless a lower one
	// is in force (GOMEMLIMIT), and the previous limit is put back when
	// the last scan ends and no index is loaded (Forget, or Start's stop),
	// so the garbage of a long scan or of searches beside the index is
	// collected before the heap outgrows it.
	// The organisations' indexes are the largest part (about 320 bytes per
	// person at a million; Indexes.Bytes); indexes that need more than
	// three quarters of the budget are given a limit half as much again
	// as they need instead, with a warning, since under the budget the
	// collector would run without end for nothing. SQLite's page caches
	// are outside it (--sqlite-cache-mb). 0: no budget. Shown in /metrics as
	// homeward_dedupe_memory_budget_bytes beside homeward_dedupe_index_bytes.
	MemoryBudget int64
}

// Service is the duplicate workflow: the check before saving, the scan
// that fills the review queue, decisions, merges and unmerges. The API and
// the UI call it; it asks the policy before anything that storage does not
// check itself.
type Service struct {
	store   Store
	opt     Options
	Indexes *Indexes
	owner   string // this process, in scan leases

	lastWrite atomic.Int64 // unix nanoseconds of the last registration seen
	mu        sync.Mutex
	progress  map[string]*ScanProgress // by organisation
	raised    atomic.Int64             // pairs raised since start
	// budgeted counts the scans running under the memory budget;
	// limitBefore is the runtime's limit before the first of them and
	// limit the one they set (the largest any of them needs).
	budgeted    int
	limitBefore int64
	limit       int64
	// warnedAt is the limit above which a raised limit is logged again.
	warnedAt int64
	// held ends the budget held for the loaded indexes (holdBudget; nil
	// when none is held); hmu guards it.
	hmu  sync.Mutex
	held func()
}

// ScanProgress is where the scan of one organisation stands in this
// process: the running scan's count, and the last finished one.
type ScanProgress struct {
	Running      bool          `json:"running"`
	Done         int           `json:"done"`  // people checked so far
	Total        int           `json:"total"` // people to check
	Raised       int           `json:"raised"`
	StartedAt    time.Time     `json:"started_at"`
	FinishedAt   time.Time     `json:"finished_at"` // of the last finished scan
	LastPeople   int           `json:"last_people"`
	LastRaised   int           `json:"last_raised"`
	LastDuration time.Duration `json:"last_duration"`
}

// New returns the service over store.
func New(store Store, opt Options) *Service {
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Interval <= 0 {
		opt.Interval = 30 * time.Second
	}
	if opt.Lease <= 0 {
		opt.Lease = 45 * time.Second
	}
	if opt.Yield == 0 {
		opt.Yield = 2 * time.Millisecond
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Overlap <= 0 {
		opt.Overlap = 2 * time.Minute
	}
	if opt.Batch <= 0 {
		opt.Batch = 500
	}
	if opt.Workers <= 0 {
		opt.Workers = min(2, runtime.GOMAXPROCS(0))
	}
	if opt.MaxCandidates <= 0 {
		opt.MaxCandidates = 10
	}
	if opt.MaxScanPairs <= 0 {
		opt.MaxScanPairs = 20
	}
	if opt.CheckWait <= 0 {
		opt.CheckWait = 2 * time.Second
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	s := &Service{store: store, opt: opt, Indexes: NewIndexes(store, opt.Index), owner: hex.EncodeToString(b), progress: map[string]*ScanProgress{}}
	// Loading an index gives way to registrations as the scan does.
	s.Indexes.Pause, s.Indexes.Logger, s.Indexes.Held = s.yield, opt.Logger, s.holdBudget
	return s
}

// CheckLoadingKey is the message key of the error Check returns while the
// organisation's index loads (code unavailable; args read and total).
const CheckLoadingKey = "dedupe.check.loading"

// loadingError is the error a request gets while the organisation's
// index loads.
func loadingError(e *LoadingError) error {
	return &homeward.Error{Code: homeward.EUNAVAILABLE, Key: CheckLoadingKey, Args: map[string]any{"read": e.Read, "total": e.Total},
		Message: fmt.Sprintf("The duplicate check is getting ready: %d of %d people read. It answers again in a moment; the regular scan finds duplicates in any case.", e.Read, e.Total)}
}

// PersonChanged is the registry's hook: call it after a person of org was
// registered, updated or imported. The scan yields while these arrive.
func (s *Service) PersonChanged(orgID, personID string) {
	s.lastWrite.Store(time.Now().UnixNano()) // real time: this is scheduling, not the calendar
	s.Indexes.Changed(orgID)
}

// Progress returns where the scan of org stands in this process.
func (s *Service) Progress(orgID string) ScanProgress {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.progress[orgID]; p != nil {
		return *p
	}
	return ScanProgress{}
}

// ProgressTotals sums the progress of every organisation, for metrics:
// scans running, people checked and to check by them, pairs raised since
// the process started, and the longest last scan.
func (s *Service) ProgressTotals() (running, done, total int, raised int64, longest time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, p := range s.progress {
		if p.Running {
			running++
			done += p.Done
			total += p.Total
		}
		longest = max(longest, p.LastDuration)
	}
	return running, done, total, s.raised.Load(), longest
}

func (s *Service) track(orgID string, f func(p *ScanProgress)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.progress[orgID]
	if p == nil {
		p = &ScanProgress{}
		s.progress[orgID] = p
	}
	f(p)
}

// yield pauses the scan briefly while registrations are being written (one
// seen in the last 50ms), so that they get the database and the CPU first;
// called every 20 people, it costs a busy scan at most a tenth of its pace.
func (s *Service) yield(ctx context.Context) {
	if s.opt.Yield < 0 {
		return
	}
	if time.Now().UnixNano()-s.lastWrite.Load() < int64(50*time.Millisecond) {
		select {
		case <-ctx.Done():
		case <-time.After(s.opt.Yield):
		}
	}
}

// Candidate is a registered person who may be the one being registered.
type Candidate struct {
	PersonID    string             `json:"person_id"`
	Name        string             `json:"name"`
	NativeName  string             `json:"full_name_native,omitempty"`
	DateOfBirth string             `json:"date_of_birth,omitempty"`
	CaseID      string             `json:"case_id,omitempty"`
	CaseNumber  string             `json:"case_number,omitempty"`
	Score       float64            `json:"score"`
	Decision    string             `json:"decision"` // match or possible
	Explanation *match.Explanation `json:"explanation"`
}

func actorOrg(ctx context.Context) string {
	if a := homeward.ActorFromContext(ctx); a != nil {
		return a.OrgID
	}
	return ""
}

// Check answers the people of the actor's organisation who may be the
// person of reg, best first. The registration need not be complete or
// valid: the form asks while it is being filled in. except (a person id,
// or "") is left out, for the edit form.
func (s *Service) Check(ctx context.Context, reg *registry.Registration, except string) ([]Candidate, error) {
	actor := homeward.ActorFromContext(ctx)
	org := actorOrg(ctx)
	if err := homeward.Authorize(actor, homeward.ActPersonRead, homeward.Resource{Type: "person", OrgID: org}); err != nil {
		return nil, err
	}
	country, err := s.store.OrgCountry(ctx, org)
	if err != nil {
		return nil, err
	}
	p := clonePerson(&reg.Person)
	p.Normalize(country)
	p.ID = except
	idx, err := s.Indexes.Ready(ctx, org, s.opt.CheckWait)
	if le := (*LoadingError)(nil); errors.As(err, &le) {
		return nil, loadingError(le)
	} else if err != nil {
		return nil, err
	}
	out := []Candidate{}
	for _, c := range idx.Candidates(FromPerson(&p)) {
		if len(out) == s.opt.MaxCandidates {
			break
		}
		rec, err := s.store.FindRecord(ctx, c.ID)
		if homeward.ErrorCode(err) == homeward.ENOTFOUND {
			continue // merged or moved since the index saw them
		} else if err != nil {
			return nil, err
		}
		cd := Candidate{PersonID: c.ID, Name: rec.Person.DisplayName(), NativeName: rec.Person.FullNameNative,
			DateOfBirth: rec.Person.DateOfBirth.String(), Score: c.Score, Decision: c.Decision.String(), Explanation: c.Explanation}
		if rec.Case != nil {
			cd.CaseID, cd.CaseNumber = rec.Case.ID, rec.Case.Number
		}
		out = append(out, cd)
	}
	return out, nil
}

// ScanResult says what one scan of an organisation did.
type ScanResult struct {
	OrgID   string `json:"org_id"`
	Skipped bool   `json:"skipped"` // another process holds the scan
	People  int    `json:"people"`  // people checked
	Found   int    `json:"found"`   // candidate pairs seen
	Raised  int    `json:"raised"`  // new pairs in the queue
	Capped  int    `json:"capped"`  // people with more candidates than MaxScanPairs
}

// ErrLeaseLost ends a scan whose lease another process took over.
var ErrLeaseLost = errors.New("dedupe: another process took over the scan's lease")

// keepLease renews owner's lease of org's scan every third of a lease
// until the returned function is called; when the lease is lost it ends
// the scan (lost). A renewal that fails (the database briefly away) is
// logged and tried again at the next tick.
func (s *Service) keepLease(ctx context.Context, orgID string, lost context.CancelCauseFunc) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(s.opt.Lease / 3)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			held, err := s.store.RenewScan(ctx, orgID, s.owner, s.opt.Lease)
			switch {
			case err != nil && ctx.Err() == nil:
				s.opt.Logger.Warn("duplicate scan: renewing the lease", "org", orgID, "err", err)
			case err == nil && !held:
				lost(ErrLeaseLost)
				return
			}
		}
	}()
	return func() { cancel(); <-done }
}

// Scan checks every person of the organisation changed since the last scan
// (everyone, the first time) against the organisation's index and fills
// the review queue. Several processes may call it: a lease in the database
// lets one of them work at a time. Supervisors may ask for a scan of their
// organisation; the background job scans as the system.
func (s *Service) Scan(ctx context.Context, orgID string) (_ *ScanResult, err error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActDedupeReview, homeward.Resource{Type: "dedupe_scan", ID: orgID, OrgID: orgID}); err != nil {
		return nil, err
	}
	res := &ScanResult{OrgID: orgID}
	since, upTo, ok, err := s.store.ClaimScan(ctx, orgID, s.owner, s.opt.Lease)
	if err != nil {
		return nil, err
	}
	if !ok {
		res.Skipped = true
		return res, nil
	}
	finished := false
	defer func() {
		if finished {
			return
		}
		// Stopped (shutdown, an error): let the next process scan at once
		// rather than after the lease, even though ctx has ended.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := s.store.ReleaseScan(rctx, orgID, s.owner); err != nil {
			s.opt.Logger.Warn("duplicate scan: releasing the lease", "org", orgID, "err", err)
		}
		s.track(orgID, func(p *ScanProgress) { p.Running = false })
	}()
	// The lease is renewed in the background for as long as the scan
	// runs: loading the index of a million people takes minutes, and every
	// other process used to take the lease over meanwhile and load it too.
	ctx, lost := context.WithCancelCause(ctx)
	defer lost(nil)
	defer func() {
		// Say why the scan stopped, not that its context ended.
		if err != nil && errors.Is(context.Cause(ctx), ErrLeaseLost) {
			err = ErrLeaseLost
		}
	}()
	defer s.keepLease(ctx, orgID, lost)()
	need, err := s.indexNeed(ctx, orgID)
	if err != nil {
		return nil, err
	}
	defer s.budget(need)()
	idx, err := s.Indexes.Get(ctx, orgID, true)
	if err != nil {
		return nil, err
	}
	if !since.IsZero() {
		since = since.Add(-s.opt.Overlap)
	}
	total, err := s.store.CountPeople(ctx, orgID, since)
	if err != nil {
		return nil, err
	}
	start, began := s.opt.Now(), time.Now()
	s.track(orgID, func(p *ScanProgress) {
		p.Running, p.Done, p.Total, p.Raised, p.StartedAt = true, 0, total, 0, start
	})
	// One pass: a pair of indexed people is compared when the first of
	// them is checked, not again for the second.
	pass := idx.NewPass()
	seen := map[[2]string]int{}
	var found []Found
	flush := func(done bool) error {
		n, err := s.store.SavePairs(ctx, orgID, s.owner, found, done, upTo, s.opt.Lease)
		res.Raised += n
		s.raised.Add(int64(n))
		found = found[:0]
		clear(seen)
		people, raised := res.People, res.Raised
		s.track(orgID, func(p *ScanProgress) { p.Done, p.Raised = people, raised })
		return err
	}
	// People are read in one goroutine and compared in chunks by the
	// workers; what they find is kept in reading order, so that flushes
	// and the pairs saved do not depend on which worker ran first.
	chunk := make([]scanned, 0, scanChunk)
	compareChunk := func() error {
		s.compareAll(ctx, orgID, idx, pass, chunk)
		if err := ctx.Err(); err != nil {
			return err // some of the chunk may not have been compared
		}
		for i := range chunk {
			c := &chunk[i]
			if c.err != nil {
				return c.err
			}
			res.People++
			if len(c.cs) > s.opt.MaxScanPairs { // best first
				c.cs = c.cs[:s.opt.MaxScanPairs]
				res.Capped++
			}
			for _, c := range c.cs {
				a, b := Ordered(chunk[i].id, c.ID)
				k := [2]string{a, b}
				if i, dup := seen[k]; dup {
					if c.Score > found[i].Score {
						found[i].Score, found[i].Decision, found[i].Explanation = c.Score, c.Decision, c.Explanation
					}
					continue
				}
				seen[k] = len(found)
				found = append(found, Found{A: a, B: b, Score: c.Score, Decision: c.Decision, Explanation: c.Explanation})
				res.Found++
			}
			if res.People%s.opt.Batch == 0 {
				if err := cmp.Or(flush(false), ctx.Err()); err != nil {
					return err
				}
			}
		}
		clear(chunk) // the decoded people and candidates may go
		chunk = chunk[:0]
		return ctx.Err()
	}
	err = s.store.ScanPeople(ctx, orgID, since, func(st Stored) error {
		if st.Merged {
			return nil
		}
		chunk = append(chunk, scanned{id: st.ID, version: st.Version, person: st.Person})
		if len(chunk) < scanChunk {
			return nil
		}
		return compareChunk()
	})
	if err == nil && len(chunk) > 0 {
		err = compareChunk()
	}
	if err != nil {
		return nil, err
	}
	if err := flush(true); err != nil {
		return nil, err
	}
	finished = true
	if res.Capped > 0 {
		s.opt.Logger.Warn("duplicate scan: people alike to more people than the scan raises pairs for; their best candidates were raised",
			"org", orgID, "people", res.Capped, "max_pairs", s.opt.MaxScanPairs)
	}
	end, took := s.opt.Now(), time.Since(began)
	s.track(orgID, func(p *ScanProgress) {
		p.Running, p.FinishedAt, p.LastPeople, p.LastRaised, p.LastDuration = false, end, res.People, res.Raised, took
	})
	return res, nil
}

// scanChunk is how many people the scan's workers share out at a time.
const scanChunk = 100

// scanned is one person of a scan and what comparing them found.
type scanned struct {
	id      string
	version int
	person  func() (*registry.Person, error)
	cs      []match.Candidate
	err     error
}

// compareAll finds the candidates of every person of chunk, in the
// service's workers: each takes the next person not taken, compares the
// person as indexed when the index holds this version (decoding and
// preparing them again otherwise), and yields to registrations every 20
// people it compared.
func (s *Service) compareAll(ctx context.Context, orgID string, idx *match.Index, pass *match.Pass, chunk []scanned) {
	var next atomic.Int64
	work := func() {
		for done := 1; ; done++ {
			i := int(next.Add(1)) - 1
			if i >= len(chunk) || ctx.Err() != nil {
				return
			}
			c := &chunk[i]
			ok := false
			if s.Indexes.current(orgID, c.id, c.version, idx) {
				c.cs, ok = pass.CandidatesOf(c.id)
			}
			if !ok {
				var p *registry.Person
				if p, c.err = c.person(); c.err != nil {
					return
				}
				c.cs = pass.Candidates(FromPerson(p))
			}
			if done%20 == 0 {
				s.yield(ctx)
			}
		}
	}
	var wg sync.WaitGroup
	for range s.opt.Workers - 1 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			work()
		}()
	}
	work()
	wg.Wait()
}

// IndexBytesPerPerson is about what an index holds per person, with its
// share of the names and postings, rounded up: the heap grew 323 bytes a
// person at 1,054,407 seeded people (homeward bench index; Bytes gave
// 318) and, before the frozen tables, the lists' slab and the shared
// names' tables, 607 on 100,000 generated records (Bytes 417).
const IndexBytesPerPerson = 600

// indexNeed estimates the Go heap the loaded indexes will hold once the
// organisation's is loaded too: what is loaded, and its people when it is
// not yet.
func (s *Service) indexNeed(ctx context.Context, orgID string) (int64, error) {
	need := s.Indexes.Bytes()
	if s.opt.MemoryBudget <= 0 || s.Indexes.loadedIndex(orgID) {
		return need, nil
	}
	n, err := s.store.CountPeople(ctx, orgID, time.Time{})
	return need + int64(n)*IndexBytesPerPerson, err
}

// budget applies the memory budget for one scan (or the indexes held
// between scans) whose indexes need about need bytes, and returns the
// function that ends it: the limit in force before the first holder comes
// back when the last ends.
// A limit under what the indexes hold would have the collector run
// without end for nothing (at a million people, half the CPU of a node
// while registrations waited): when they need more than the budget, the
// limit is half as much again as they need, and a warning says so.
func (s *Service) budget(need int64) (end func()) {
	if s.opt.MemoryBudget <= 0 {
		return func() {}
	}
	limit := s.opt.MemoryBudget
	s.mu.Lock()
	defer s.mu.Unlock()
	if need > limit/4*3 {
		limit = max(limit, need/2*3)
		// Once per process and size: scans run every Interval.
		if limit > s.warnedAt {
			s.warnedAt = limit + limit/10
			s.opt.Logger.Warn("duplicate check: the indexes need more memory than the budget; the memory limit is raised (see --dedupe-memory-mb)",
				"need_bytes", need, "budget_bytes", s.opt.MemoryBudget, "limit_bytes", limit)
		}
	}
	if s.budgeted == 0 {
		s.limitBefore = debug.SetMemoryLimit(-1)
		s.limit = 0
	}
	if limit > s.limit {
		s.limit = limit
		debug.SetMemoryLimit(min(s.limitBefore, limit))
	}
	s.budgeted++
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.budgeted--; s.budgeted == 0 {
			debug.SetMemoryLimit(s.limitBefore)
		}
	}
}

// holdBudget holds the memory budget for the indexes loaded, as a scan
// holds it while it runs, and lets it go when none is loaded: an index
// stays loaded between scans, and without a limit the heap grew to twice
// the live heap between collections (serve's RSS 890 to 998 MB with the
// index of a million people, which takes 313 MB). Indexes call it when one
// is loaded or forgotten.
func (s *Service) holdBudget() {
	if s.opt.MemoryBudget <= 0 {
		return
	}
	s.hmu.Lock()
	defer s.hmu.Unlock()
	var end func()
	if need := s.Indexes.Bytes(); need > 0 {
		end = s.budget(need) // before the old one ends, so the limit stays in force
	}
	if s.held != nil {
		s.held()
	}
	s.held = end
}

// releaseBudget lets the budget held for the loaded indexes go.
func (s *Service) releaseBudget() {
	s.hmu.Lock()
	defer s.hmu.Unlock()
	if s.held != nil {
		s.held()
		s.held = nil
	}
}

// MemoryBudget returns the budget the scans keep to (0: none).
func (s *Service) MemoryBudget() int64 { return max(s.opt.MemoryBudget, 0) }

// ScanAll scans every organisation whose people changed since its last
// scan, as the system.
func (s *Service) ScanAll(ctx context.Context) ([]ScanResult, error) {
	ctx = homeward.NewContextWithActor(ctx, homeward.SystemActor)
	orgs, err := s.store.ScanOrgs(ctx)
	if err != nil {
		return nil, err
	}
	var out []ScanResult
	for _, org := range orgs {
		if err := ctx.Err(); err != nil {
			return out, err
		}
		r, err := s.Scan(ctx, org)
		if err != nil {
			return out, err
		}
		out = append(out, *r)
	}
	return out, nil
}

// Start runs the background scan every Interval until ctx ends; the
// returned function stops it and waits for a running scan to finish.
// Call it once per serve process.
func (s *Service) Start(ctx context.Context) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(s.opt.Interval)
		defer t.Stop()
		for {
			res, err := s.ScanAll(ctx)
			if err != nil && ctx.Err() == nil {
				s.opt.Logger.Warn("duplicate scan failed", "err", err)
			}
			for _, r := range res {
				if r.Raised > 0 {
					s.opt.Logger.Info("duplicate scan", "org", r.OrgID, "people", r.People, "raised", r.Raised)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done; s.Indexes.Close(); s.releaseBudget() }
}

// Pairs lists the review queue.
func (s *Service) Pairs(ctx context.Context, f PairFilter) ([]Pair, string, error) {
	return s.store.ListPairs(ctx, f)
}

// CountPairs counts the review queue by status.
func (s *Service) CountPairs(ctx context.Context) (map[Status]int, error) {
	return s.store.CountPairs(ctx)
}

// PairRef names a pair at the version the reviewer saw.
type PairRef struct {
	ID      string
	Version int
}

// DecisionError is why one pair of a bulk decision was refused.
type DecisionError struct {
	PairID string
	Err    error
}

// DecideMany records the same decision on several pairs, each in its own
// transaction and audited exactly as a single decision is, so that one
// pair changed meanwhile (a stale version) or refused does not undo the
// others. It returns the pairs decided and those refused; an actor who may
// not review duplicates is refused before any.
func (s *Service) DecideMany(ctx context.Context, pairs []PairRef, status Status, note string) ([]*Pair, []DecisionError, error) {
	actor := homeward.ActorFromContext(ctx)
	if err := homeward.Authorize(actor, homeward.ActDedupeReview, homeward.Resource{Type: "dedupe_pair", OrgID: actorOrgID(actor)}); err != nil {
		return nil, nil, err
	}
	if len(pairs) == 0 {
		return nil, nil, homeward.FieldErrorf("pairs", "ui_b.dedupe.none_chosen", "Choose at least one pair.")
	}
	var done []*Pair
	var failed []DecisionError
	for _, ref := range pairs {
		p, err := s.store.DecidePair(ctx, ref.ID, ref.Version, status, note)
		if err != nil {
			if homeward.ErrorCode(err) == homeward.EINVALID && len(done) == 0 && len(failed) == 0 {
				return nil, nil, err // the decision itself is invalid: the same for every pair
			}
			failed = append(failed, DecisionError{PairID: ref.ID, Err: err})
			continue
		}
		done = append(done, p)
	}
	return done, failed, nil
}

func actorOrgID(a *homeward.Actor) string {
	if a == nil {
		return ""
	}
	return a.OrgID
}

// PairView is a pair with both people's records and a fresh explanation.
type PairView struct {
	Pair   *Pair
	A, B   *registry.Record
	Merges []Merge // merges of the pair (the current one first)
}

// Pair returns a pair with both records, explained anew on the current
// data when both people are in the index (the stored explanation
// otherwise).
func (s *Service) Pair(ctx context.Context, id string) (*PairView, error) {
	p, err := s.store.FindPair(ctx, id)
	if err != nil {
		return nil, err
	}
	v := &PairView{Pair: p}
	if v.A, err = s.store.FindRecord(ctx, p.PersonA); err != nil {
		return nil, err
	}
	if v.B, err = s.store.FindRecord(ctx, p.PersonB); err != nil {
		return nil, err
	}
	if p.Status != StatusMerged {
		// Not while the index loads: the stored explanation is shown.
		if idx, err := s.Indexes.Ready(ctx, p.OrgID, 0); err == nil {
			if e, ok := idx.Explain(FromPerson(&v.A.Person), p.PersonB); ok {
				p.Explanation, p.Score, p.Decision = e, e.Score, e.Decision.String()
			}
		}
	}
	ms, err := s.store.ListMerges(ctx, p.PersonA)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		if m.PairID == p.ID {
			v.Merges = append(v.Merges, m)
		}
	}
	return v, nil
}

// Decide records a supervisor's decision on a pair.
func (s *Service) Decide(ctx context.Context, id string, version int, status Status, note string) (*Pair, error) {
	return s.store.DecidePair(ctx, id, version, status, note)
}

// Merge joins the pair's two people by plan.
func (s *Service) Merge(ctx context.Context, pairID string, version int, plan MergePlan) (*Merge, error) {
	m, err := s.store.MergePair(ctx, pairID, version, plan)
	if err == nil {
		s.Indexes.Changed(m.OrgID)
	}
	return m, err
}

// Unmerge undoes a merge.
func (s *Service) Unmerge(ctx context.Context, mergeID string) (*Merge, error) {
	m, err := s.store.Unmerge(ctx, mergeID)
	if err == nil {
		s.Indexes.Changed(m.OrgID)
	}
	return m, err
}

// FindMerge returns a merge.
func (s *Service) FindMerge(ctx context.Context, id string) (*Merge, error) {
	return s.store.FindMerge(ctx, id)
}

// Merges lists the merges a person took part in, newest first.
func (s *Service) Merges(ctx context.Context, personID string) ([]Merge, error) {
	return s.store.ListMerges(ctx, personID)
}

// Store returns the storage the service works on.
func (s *Service) Store() Store { return s.store }

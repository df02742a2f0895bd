package dedupe

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"homeward"
	"homeward/internal/match"
)

// Indexes holds one match.Index per organisation, loaded from storage the
// first time the organisation is checked and kept in step afterwards: the
// registry's hook marks an organisation changed after every write in this
// process, and every use pulls the people updated since the last pull (at
// most every RefreshEvery, or at once after the hook), which also brings
// in what other processes wrote.
type Indexes struct {
	store Store
	opt   match.IndexOptions
	// RefreshEvery bounds how often an unmarked index asks storage for
	// changes (default 2s).
	RefreshEvery time.Duration
	// Overlap re-reads people updated this long before the last pull, so
	// that a transaction that committed late is not missed (default 2m).
	Overlap time.Duration
	// FitAt is the size from which a freshly loaded index estimates its
	// model from the organisation's own data (default 2000; 0 keeps it).
	FitAt int
	// Pause, when set, is called by the goroutines that load an index
	// every few people: the service pauses them while registrations are
	// being written, as it pauses its scan.
	Pause func(context.Context)
	// Logger logs a background load that failed (default slog.Default).
	Logger *slog.Logger
	// Held, when set, is called once an organisation's index is loaded
	// and once one is forgotten (the service holds its memory budget for
	// the indexes loaded).
	Held func()

	mu   sync.Mutex
	orgs map[string]*orgIndex
	// bg is the context of the loads Ready starts in the background;
	// Close cancels it and waits for them.
	bg     context.Context
	stopBG context.CancelFunc
	loads  sync.WaitGroup
}

type orgIndex struct {
	mu     sync.Mutex // one load or refresh at a time
	idx    *match.Index
	cur    atomic.Pointer[match.Index] // idx, for Sizes without waiting for a load
	synced time.Time                   // latest updated_at seen
	pulled time.Time                   // when storage was last asked
	// dirty says a person changed since the last pull began. It is
	// atomic: the registry's hook sets it without waiting for a load or
	// a pull, which holds mu for as long as reading the organisation
	// takes (minutes at a million people), and an acknowledgement waited
	// for the hook.
	dirty atomic.Bool
	// While the index is first loaded (inLoad): the people to read and
	// read so far (Ready and Loading report them).
	total, read atomic.Int64
	inLoad      atomic.Bool
	// lmu guards loading (closed when the background load Ready started
	// ends; nil when none runs) and failed (that load's error).
	lmu     sync.Mutex
	loading chan struct{}
	failed  error
}

// LoadingError says that an organisation's index is being loaded: Read of
// Total people read so far.
type LoadingError struct {
	Read, Total int64
}

func (e *LoadingError) Error() string {
	return fmt.Sprintf("dedupe: the index is loading (%d of %d people read)", e.Read, e.Total)
}

// NewIndexes returns an empty registry of indexes over store.
func NewIndexes(store Store, opt match.IndexOptions) *Indexes {
	bg, stop := context.WithCancel(context.Background())
	return &Indexes{store: store, opt: opt, RefreshEvery: 2 * time.Second, Overlap: 2 * time.Minute, FitAt: 2000, orgs: map[string]*orgIndex{},
		bg: bg, stopBG: stop}
}

// Close stops the loads Ready started in the background and waits for
// them; a later Ready finds its load cancelled.
func (x *Indexes) Close() {
	x.mu.Lock()
	x.stopBG() // under mu: no load is added once it is cancelled
	x.mu.Unlock()
	x.loads.Wait()
}

// Ready is Get for a request that must not wait for an index to load
// (minutes at a million people): the index when it is loaded, else a
// *LoadingError after waiting at most wait for the load, which it starts
// in the background unless one runs (a scan's, or an earlier Ready's),
// and which goes on after Ready returns. A small organisation's index
// loads within wait, and Ready answers as Get would.
func (x *Indexes) Ready(ctx context.Context, orgID string, wait time.Duration) (*match.Index, error) {
	o := x.entry(orgID)
	if o.cur.Load() != nil {
		return x.Get(ctx, orgID, false)
	}
	done := x.startLoad(o, orgID)
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case <-done:
		if o.cur.Load() != nil {
			return x.Get(ctx, orgID, false)
		}
		o.lmu.Lock()
		err := o.failed
		o.lmu.Unlock()
		return nil, cmp.Or(err, error(&LoadingError{Total: o.total.Load()}))
	case <-t.C:
		return nil, &LoadingError{Read: o.read.Load(), Total: o.total.Load()}
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

// startLoad starts loading o in the background unless a load Ready
// started runs, and returns the channel closed when it ends. A scan's
// load holds o.mu: the background Get waits for it and ends with it.
func (x *Indexes) startLoad(o *orgIndex, orgID string) <-chan struct{} {
	o.lmu.Lock()
	defer o.lmu.Unlock()
	if o.loading != nil {
		return o.loading
	}
	done := make(chan struct{})
	x.mu.Lock()
	if err := x.bg.Err(); err != nil { // closed
		x.mu.Unlock()
		o.failed = err
		close(done)
		return done
	}
	x.loads.Add(1)
	x.mu.Unlock()
	o.loading, o.failed = done, nil
	go func() {
		defer x.loads.Done()
		_, err := x.Get(x.bg, orgID, false)
		if err != nil && x.bg.Err() == nil {
			cmp.Or(x.Logger, slog.Default()).Warn("duplicate check: loading the organisation's index failed", "org", orgID, "err", err)
		}
		o.lmu.Lock()
		o.loading, o.failed = nil, err
		o.lmu.Unlock()
		close(done)
	}()
	return done
}

func (x *Indexes) entry(orgID string) *orgIndex {
	x.mu.Lock()
	defer x.mu.Unlock()
	o := x.orgs[orgID]
	if o == nil {
		o = &orgIndex{}
		x.orgs[orgID] = o
	}
	return o
}

// Changed marks the organisation's index out of date (the registry calls it
// after a person is registered, updated or imported).
func (x *Indexes) Changed(orgID string) {
	x.mu.Lock()
	o := x.orgs[orgID]
	x.mu.Unlock()
	if o != nil {
		o.dirty.Store(true)
	}
}

// Forget drops an organisation's index (it is loaded again when needed).
func (x *Indexes) Forget(orgID string) {
	x.mu.Lock()
	_, had := x.orgs[orgID]
	delete(x.orgs, orgID)
	x.mu.Unlock()
	if had && x.Held != nil {
		x.Held()
	}
}

// Get returns the organisation's index, current as of now when force is
// set and as of RefreshEvery ago otherwise. Storage is read as the system:
// callers have checked the actor's rights.
func (x *Indexes) Get(ctx context.Context, orgID string, force bool) (*match.Index, error) {
	o := x.entry(orgID)
	o.mu.Lock()
	defer o.mu.Unlock()
	sys := homeward.NewContextWithActor(ctx, homeward.SystemActor)
	now := time.Now()
	if o.idx == nil {
		idx := match.NewIndex(x.opt)
		// The table sized once for the people there are (a count is cheap
		// next to loading them); those registered meanwhile grow it.
		people, err := x.store.CountPeople(sys, orgID, time.Time{})
		if err != nil {
			return nil, err
		}
		idx.Grow(people)
		o.total.Store(int64(people))
		o.read.Store(0)
		o.inLoad.Store(true)
		defer o.inLoad.Store(false)
		// Changes from here on are read by the next pull.
		o.dirty.Store(false)
		var synced time.Time
		err = x.load(sys, orgID, idx, &synced, &o.read)
		if err != nil {
			o.dirty.Store(true)
			return nil, err
		}
		if x.FitAt > 0 && idx.Len() >= x.FitAt {
			// A failed fit keeps the default model; the index still works.
			_ = idx.Fit(ctx)
		}
		o.idx, o.synced, o.pulled = idx, synced, now
		o.cur.Store(idx)
		if x.Held != nil {
			x.Held()
		}
		return o.idx, nil
	}
	if !force && !o.dirty.Load() && now.Sub(o.pulled) < x.RefreshEvery {
		return o.idx, nil
	}
	o.dirty.Store(false)
	since := o.synced.Add(-x.Overlap)
	err := x.store.People(sys, orgID, since, func(s Stored) error {
		if s.UpdatedAt.After(o.synced) {
			o.synced = s.UpdatedAt
		}
		v, ok := o.idx.Tag(s.ID)
		switch {
		case s.Merged:
			if ok {
				o.idx.Remove(s.ID)
			}
		case !ok || !sameVersion(v, s.Version):
			p, err := s.Person()
			if err != nil {
				return err
			}
			if err := o.idx.AddTagged(FromPerson(p), versionTag(s.Version)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		o.dirty.Store(true)
		return nil, err
	}
	o.pulled = now
	return o.idx, nil
}

// loadPauseEvery is how many people a loading goroutine adds between
// calls of Indexes.Pause.
const loadPauseEvery = 20

// loadWorkers is how many goroutines decode and add people while an index
// loads: reading rows is a third of the work, decoding and normalising
// the rest, and Index.Add normalises outside its lock.
var loadWorkers = min(2, runtime.GOMAXPROCS(0))

// load adds every unmerged person of org to idx, noting their versions
// and the latest update seen: storage is read in this goroutine, people
// are decoded and added in loadWorkers others.
func (x *Indexes) load(sys context.Context, orgID string, idx *match.Index, synced *time.Time, read *atomic.Int64) error {
	ctx, cancel := context.WithCancelCause(sys)
	defer cancel(nil)
	todo := make(chan Stored, 256)
	var wg sync.WaitGroup
	for range loadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 1; ; n++ {
				s, ok := <-todo
				if !ok {
					return
				}
				if ctx.Err() != nil {
					continue // drain: the reader stops at the cancelled context
				}
				if x.Pause != nil && n%loadPauseEvery == 0 {
					x.Pause(ctx)
				}
				p, err := s.Person()
				if err == nil {
					err = idx.AddTagged(FromPerson(p), versionTag(s.Version))
				}
				if err != nil {
					cancel(err)
					continue
				}
				read.Add(1)
			}
		}()
	}
	err := x.store.People(sys, orgID, time.Time{}, func(s Stored) error {
		if s.UpdatedAt.After(*synced) {
			*synced = s.UpdatedAt
		}
		if s.Merged {
			return nil
		}
		select {
		case todo <- s:
			return nil
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	})
	close(todo)
	wg.Wait()
	if err == nil {
		err = context.Cause(ctx) // a worker's error, or the caller's cancellation
	}
	return err
}

// Loading sums the progress of the indexes being loaded: people read so
// far and people to read (for metrics).
func (x *Indexes) Loading() (read, total int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, o := range x.orgs {
		if o.inLoad.Load() {
			read += o.read.Load()
			total += o.total.Load()
		}
	}
	return read, total
}

// loadedIndex reports whether the organisation's index is loaded.
func (x *Indexes) loadedIndex(orgID string) bool {
	x.mu.Lock()
	o := x.orgs[orgID]
	x.mu.Unlock()
	return o != nil && o.cur.Load() != nil
}

// People returns how many people the loaded indexes of all organisations
// hold (for metrics).
func (x *Indexes) People() int {
	n := 0
	for _, idx := range x.loaded() {
		n += idx.Len()
	}
	return n
}

// loaded returns the organisations' loaded indexes.
func (x *Indexes) loaded() []*match.Index {
	x.mu.Lock()
	defer x.mu.Unlock()
	var idxs []*match.Index
	for _, o := range x.orgs {
		if idx := o.cur.Load(); idx != nil {
			idxs = append(idxs, idx)
		}
	}
	return idxs
}

// Bytes estimates the memory the loaded indexes of all organisations hold
// (match.Index.Bytes; for metrics and the memory budget).
func (x *Indexes) Bytes() int64 {
	var n int64
	for _, idx := range x.loaded() {
		n += idx.Bytes()
	}
	return n
}

// current reports whether idx is the organisation's index and holds the
// person at this version (so the scan may compare the indexed record
// rather than decode and prepare the person again).
func (x *Indexes) current(orgID, personID string, version int, idx *match.Index) bool {
	o := x.entry(orgID)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.idx != idx {
		return false
	}
	v, ok := idx.Tag(personID)
	return ok && sameVersion(v, version)
}

// versionTag is a person's version as the index keeps it beside the
// person's record (match.Index.AddTagged), in place of a map of IDs to
// versions (82 bytes a person). A stored person's versions count from 1;
// one out of range is kept as 0.
func versionTag(v int) uint32 {
	if v <= 0 || int64(v) > math.MaxUint32 {
		return 0
	}
	return uint32(v)
}

// sameVersion says whether an indexed record's tag is the stored version
// v. A tag of 0 is no version: such a person is read again at every pull
// rather than taken as current.
func sameVersion(tag uint32, v int) bool {
	return tag != 0 && tag == versionTag(v)
}

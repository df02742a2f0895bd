package dedupe

import (
	"context"
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

	mu   sync.Mutex
	orgs map[string]*orgIndex
}

type orgIndex struct {
	mu       sync.Mutex // one load or refresh at a time
	idx      *match.Index
	cur      atomic.Pointer[match.Index] // idx, for Sizes without waiting for a load
	versions map[string]int              // indexed people and their versions
	synced   time.Time                   // latest updated_at seen
	pulled   time.Time                   // when storage was last asked
	// dirty says a person changed since the last pull began. It is
	// atomic: the registry's hook sets it without waiting for a load or
	// a pull, which holds mu for as long as reading the organisation
	// takes (minutes at a million people), and an acknowledgement waited
	// for the hook.
	dirty atomic.Bool
}

// NewIndexes returns an empty registry of indexes over store.
func NewIndexes(store Store, opt match.IndexOptions) *Indexes {
	return &Indexes{store: store, opt: opt, RefreshEvery: 2 * time.Second, Overlap: 2 * time.Minute, FitAt: 2000, orgs: map[string]*orgIndex{}}
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
	delete(x.orgs, orgID)
	x.mu.Unlock()
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
		// Changes from here on are read by the next pull.
		o.dirty.Store(false)
		versions := make(map[string]int, people)
		var synced time.Time
		err = x.load(sys, orgID, idx, versions, &synced)
		if err != nil {
			o.dirty.Store(true)
			return nil, err
		}
		if x.FitAt > 0 && idx.Len() >= x.FitAt {
			// A failed fit keeps the default model; the index still works.
			_ = idx.Fit(ctx)
		}
		o.idx, o.versions, o.synced, o.pulled = idx, versions, synced, now
		o.cur.Store(idx)
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
		v, ok := o.versions[s.ID]
		switch {
		case s.Merged:
			if ok {
				o.idx.Remove(s.ID)
				delete(o.versions, s.ID)
			}
		case !ok || v != s.Version:
			p, err := s.Person()
			if err != nil {
				return err
			}
			if err := o.idx.Add(FromPerson(p)); err != nil {
				return err
			}
			o.versions[s.ID] = s.Version
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

// loadWorkers is how many goroutines decode and add people while an index
// loads: reading rows is a third of the work, decoding and normalising
// the rest, and Index.Add normalises outside its lock.
var loadWorkers = min(2, runtime.GOMAXPROCS(0))

// load adds every unmerged person of org to idx, noting their versions
// and the latest update seen: storage is read in this goroutine, people
// are decoded and added in loadWorkers others.
func (x *Indexes) load(sys context.Context, orgID string, idx *match.Index, versions map[string]int, synced *time.Time) error {
	ctx, cancel := context.WithCancelCause(sys)
	defer cancel(nil)
	todo := make(chan Stored, 256)
	var mu sync.Mutex // guards versions
	var wg sync.WaitGroup
	for range loadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range todo {
				if ctx.Err() != nil {
					continue // drain: the reader stops at the cancelled context
				}
				p, err := s.Person()
				if err == nil {
					err = idx.Add(FromPerson(p))
				}
				if err != nil {
					cancel(err)
					continue
				}
				mu.Lock()
				versions[s.ID] = s.Version
				mu.Unlock()
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
	v, ok := o.versions[personID]
	return o.idx == idx && ok && v == version
}

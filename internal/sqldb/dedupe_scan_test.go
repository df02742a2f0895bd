package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"runtime/debug"
	"sync"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/dedupe"
	"homeward/internal/match"
	"homeward/internal/registry"
)

// stopAfterFirstSave is the real store, with the scan's context cancelled
// right after its first batch is saved: a shutdown in the middle of a scan.
type stopAfterFirstSave struct {
	dedupe.Store
	cancel context.CancelFunc
}

func (s stopAfterFirstSave) SavePairs(ctx context.Context, orgID, owner string, found []dedupe.Found, done bool, upTo time.Time, lease time.Duration) (int, error) {
	n, err := s.Store.SavePairs(ctx, orgID, owner, found, done, upTo, lease)
	if !done {
		s.cancel()
	}
	return n, err
}

func registerMany(t *testing.T, w *homewardtest.World, n int) {
	t.Helper()
	for i := range n {
		registerAs(t, w, fmt.Sprintf("Person%c%c", 'a'+i/26, 'a'+i%26), "Islam", "1985", fmt.Sprintf("0171234%04d", i), fmt.Sprintf("12345%05d", i), fmt.Sprintf("X-%d", i))
	}
}

// A scan stopped part-way (shutdown) gives its lease back at once: another
// process scans straight away instead of waiting for the lease to run out,
// from the old watermark.
func TestScanStoppedReleasesItsLease(t *testing.T) {
	w := homewardtest.NewWorld(t)
	registerMany(t, w, 12)
	ctx, cancel := context.WithCancel(homewardtest.SystemCtx())
	defer cancel()
	first := dedupe.New(stopAfterFirstSave{Store: w.DB, cancel: cancel}, dedupe.Options{Batch: 5, Now: w.DB.Now})
	if _, err := first.Scan(ctx, w.NGO.ID); !errors.Is(err, context.Canceled) {
		t.Fatalf("stopped scan: %v, want context.Canceled", err)
	}
	if p := first.Progress(w.NGO.ID); p.Running || p.Done != 5 || p.Total != 12 {
		t.Errorf("progress after the stop: %+v", p)
	}
	second := dedupe.New(w.DB, dedupe.Options{Now: w.DB.Now})
	res, err := second.Scan(homewardtest.SystemCtx(), w.NGO.ID)
	if err != nil || res.Skipped || res.People != 12 {
		t.Fatalf("next process: %+v %v, want all 12 people scanned at once", res, err)
	}
	p := second.Progress(w.NGO.ID)
	if p.Running || p.LastPeople != 12 || p.FinishedAt.IsZero() {
		t.Errorf("progress after a whole scan: %+v", p)
	}
}

// A lease left by a killed process is taken over once it runs out (45
// seconds by default), not before.
func TestStaleScanLeaseTakenOver(t *testing.T) {
	w := homewardtest.NewWorld(t)
	registerMany(t, w, 3)
	var skew time.Duration
	base := w.DB.Now
	w.DB.Now = func() time.Time { return base().Add(skew) }
	if _, _, ok, err := w.DB.ClaimScan(homewardtest.SystemCtx(), w.NGO.ID, "killed-process", 45*time.Second); err != nil || !ok {
		t.Fatalf("claim: %v %v", ok, err)
	}
	svc := dedupe.New(w.DB, dedupe.Options{Now: w.DB.Now})
	if res, err := svc.Scan(homewardtest.SystemCtx(), w.NGO.ID); err != nil || !res.Skipped {
		t.Fatalf("while the lease holds: %+v %v, want skipped", res, err)
	}
	skew = 46 * time.Second
	if res, err := svc.Scan(homewardtest.SystemCtx(), w.NGO.ID); err != nil || res.Skipped || res.People != 3 {
		t.Fatalf("after the lease ran out: %+v %v", res, err)
	}
}

// slowLoad is the real store, whose reading of the organisation's people
// for the index (People) first waits: a load that takes several leases.
type slowLoad struct {
	dedupe.Store
	wait    time.Duration
	loading chan struct{} // closed when the load begins
}

func (s slowLoad) People(ctx context.Context, orgID string, since time.Time, fn func(dedupe.Stored) error) error {
	if since.IsZero() {
		close(s.loading)
		time.Sleep(s.wait)
	}
	return s.Store.People(ctx, orgID, since, fn)
}

// A scan keeps its lease while it loads the organisation's index, however
// long that takes: another process neither takes the scan over nor loads
// the index too (at a million people, three nodes each loaded 1 GB).
// Only the holder renews a lease.
func TestScanKeepsItsLeaseWhileLoading(t *testing.T) {
	w := homewardtest.NewWorld(t)
	registerMany(t, w, 4)
	sys := homewardtest.SystemCtx()
	const lease = 300 * time.Millisecond
	store := slowLoad{Store: w.DB, wait: 4 * lease, loading: make(chan struct{})}
	first := dedupe.New(store, dedupe.Options{Now: w.DB.Now, Lease: lease})
	var res *dedupe.ScanResult
	var err error
	done := make(chan struct{})
	go func() { defer close(done); res, err = first.Scan(sys, w.NGO.ID) }()
	<-store.loading
	time.Sleep(2 * lease) // past the lease it claimed
	if _, _, ok, cerr := w.DB.ClaimScan(sys, w.NGO.ID, "another-node", lease); cerr != nil || ok {
		t.Errorf("another process claimed the scan while its holder was loading: %v %v", ok, cerr)
	}
	<-done
	if err != nil || res.Skipped || res.People != 4 {
		t.Fatalf("the slow scan: %+v %v", res, err)
	}
	// The holder renews; anyone else does not, and once released no one.
	if _, _, ok, err := w.DB.ClaimScan(sys, w.NGO.ID, "node-a", time.Minute); !ok || err != nil {
		t.Fatalf("claim: %v %v", ok, err)
	}
	if held, err := w.DB.RenewScan(sys, w.NGO.ID, "node-a", time.Minute); !held || err != nil {
		t.Errorf("the holder's renewal: %v %v", held, err)
	}
	if held, err := w.DB.RenewScan(sys, w.NGO.ID, "node-b", time.Minute); held || err != nil {
		t.Errorf("another process renewed the lease: %v %v", held, err)
	}
	if err := w.DB.ReleaseScan(sys, w.NGO.ID, "node-a"); err != nil {
		t.Fatal(err)
	}
	if held, err := w.DB.RenewScan(sys, w.NGO.ID, "node-a", time.Minute); held || err != nil {
		t.Errorf("a released lease was renewed: %v %v", held, err)
	}
	if _, err := w.DB.RenewScan(w.Ctx("ngo", homeward.RoleCaseWorker), w.NGO.ID, "node-a", time.Minute); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("a case worker renewed a scan lease: %v", err)
	}
}

// limitDuringSave is the real store, noting the runtime's memory limit
// while the scan saves its pairs.
type limitDuringSave struct {
	dedupe.Store
	seen *int64
}

func (s limitDuringSave) SavePairs(ctx context.Context, orgID, owner string, found []dedupe.Found, done bool, upTo time.Time, lease time.Duration) (int, error) {
	*s.seen = debug.SetMemoryLimit(-1)
	return s.Store.SavePairs(ctx, orgID, owner, found, done, upTo, lease)
}

// A scan keeps to its memory budget while it runs, and the budget stays
// in force for as long as an index is loaded (a registration's check
// loads one too); the limit in force before comes back when the index is
// forgotten or the service stops. A lower limit already in force
// (GOMEMLIMIT) is kept; the index's estimated size is reported.
func TestScanMemoryBudget(t *testing.T) {
	w := homewardtest.NewWorld(t)
	registerMany(t, w, 6)
	before := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(before) })
	const budget = 1 << 30
	for _, tt := range []struct {
		name       string
		inForce    int64
		wantDuring int64
	}{
		{"no limit in force: the budget", math.MaxInt64, budget},
		{"a lower limit in force: kept", budget / 2, budget / 2},
	} {
		debug.SetMemoryLimit(tt.inForce)
		var seen int64
		svc := dedupe.New(limitDuringSave{Store: w.DB, seen: &seen}, dedupe.Options{Now: w.DB.Now, MemoryBudget: budget})
		if _, err := svc.Scan(homewardtest.SystemCtx(), w.NGO.ID); err != nil {
			t.Fatal(err)
		}
		if seen != tt.wantDuring {
			t.Errorf("%s: limit during the scan %d, want %d", tt.name, seen, tt.wantDuring)
		}
		if after := debug.SetMemoryLimit(-1); after != tt.wantDuring {
			t.Errorf("%s: limit after the scan, the index loaded: %d, want %d", tt.name, after, tt.wantDuring)
		}
		if svc.MemoryBudget() != budget || svc.Indexes.People() != 6 || svc.Indexes.Bytes() < 6*500 {
			t.Errorf("%s: budget %d, index of %d people estimated at %d bytes", tt.name, svc.MemoryBudget(), svc.Indexes.People(), svc.Indexes.Bytes())
		}
		svc.Indexes.Forget(w.Operator.ID) // none loaded: nothing changes
		if after := debug.SetMemoryLimit(-1); after != tt.wantDuring {
			t.Errorf("%s: limit after another organisation's index was forgotten: %d, want %d", tt.name, after, tt.wantDuring)
		}
		svc.Indexes.Forget(w.NGO.ID)
		if after := debug.SetMemoryLimit(-1); after != tt.inForce {
			t.Errorf("%s: limit after the index was forgotten %d, want %d back", tt.name, after, tt.inForce)
		}
	}
	// An index loaded by the check before a registration holds the
	// budget too, until the service stops.
	debug.SetMemoryLimit(math.MaxInt64)
	var seen int64
	svc := dedupe.New(limitDuringSave{Store: w.DB, seen: &seen}, dedupe.Options{Now: w.DB.Now, MemoryBudget: budget, Interval: time.Hour})
	if _, err := svc.Indexes.Get(homewardtest.SystemCtx(), w.NGO.ID, false); err != nil {
		t.Fatal(err)
	}
	if held := debug.SetMemoryLimit(-1); held != budget {
		t.Errorf("an index loaded without a scan: limit %d, want the budget %d", held, budget)
	}
	stop := svc.Start(homewardtest.SystemCtx())
	stop()
	if after := debug.SetMemoryLimit(-1); after != math.MaxInt64 {
		t.Errorf("limit after the service stopped %d, want none back", after)
	}
	// A budget smaller than the index needs: the limit is raised to half
	// as much again as the index is estimated at, not kept under it (the
	// collector would run without end).
	var small int64
	svc = dedupe.New(limitDuringSave{Store: w.DB, seen: &small}, dedupe.Options{Now: w.DB.Now, MemoryBudget: 1000})
	if _, err := svc.Scan(homewardtest.SystemCtx(), w.NGO.ID); err != nil {
		t.Fatal(err)
	}
	// Before the index is loaded the scan estimates it from its people;
	// once loaded, it is held at what it takes (its first chunks: more).
	if want := max(6*dedupe.IndexBytesPerPerson, svc.Indexes.Bytes()) / 2 * 3; small != want {
		t.Errorf("a budget under the index's needs: limit during the scan %d, want %d (half as much again as the index needs)", small, want)
	}
	svc.Indexes.Forget(w.NGO.ID)
	if after := debug.SetMemoryLimit(-1); after != math.MaxInt64 {
		t.Errorf("limit after the scan and the index %d, want none back", after)
	}
	// Without a budget the limit is left alone.
	svc = dedupe.New(limitDuringSave{Store: w.DB, seen: &seen}, dedupe.Options{Now: w.DB.Now})
	if _, err := svc.Scan(homewardtest.SystemCtx(), w.NGO.ID); err != nil {
		t.Fatal(err)
	}
	if seen != math.MaxInt64 || svc.MemoryBudget() != 0 || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Errorf("no budget: limit during the scan %d, budget %d", seen, svc.MemoryBudget())
	}
}

// failOnePerson is the real store, with one person's record unreadable.
type failOnePerson struct {
	dedupe.Store
	n *int
}

var errUnreadable = errors.New("unreadable record")

func (s failOnePerson) People(ctx context.Context, orgID string, since time.Time, fn func(dedupe.Stored) error) error {
	return s.Store.People(ctx, orgID, since, func(p dedupe.Stored) error {
		if *s.n++; *s.n == 7 {
			p.Person = func() (*registry.Person, error) { return nil, errUnreadable }
		}
		return fn(p)
	})
}

// The index loads in several goroutines: every person is in it, and a
// record that cannot be read fails the load (no half index is kept, the
// next use loads again).
func TestIndexLoadsEveryoneOrFails(t *testing.T) {
	w := homewardtest.NewWorld(t)
	registerMany(t, w, 40)
	n := 0
	idx := dedupe.NewIndexes(failOnePerson{Store: w.DB, n: &n}, match.IndexOptions{})
	if _, err := idx.Get(homewardtest.SystemCtx(), w.NGO.ID, true); !errors.Is(err, errUnreadable) {
		t.Fatalf("load with an unreadable record: %v, want it", err)
	}
	if idx.People() != 0 {
		t.Errorf("a failed load left an index of %d people", idx.People())
	}
	n = 100 // no record fails now
	x, err := idx.Get(homewardtest.SystemCtx(), w.NGO.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	if x.Len() != 40 || idx.People() != 40 {
		t.Errorf("index of %d people (%d), want 40", x.Len(), idx.People())
	}
}

// blockedLoad holds the first read of people at its first person until
// release is closed, telling started when it got there.
type blockedLoad struct {
	dedupe.Store
	started, release chan struct{}
	once             *sync.Once
}

func (s blockedLoad) People(ctx context.Context, orgID string, since time.Time, fn func(dedupe.Stored) error) error {
	return s.Store.People(ctx, orgID, since, func(p dedupe.Stored) error {
		s.once.Do(func() {
			close(s.started)
			<-s.release
		})
		return fn(p)
	})
}

// A change noted while the organisation's index loads (minutes at a
// million people) does not wait for the load: the registration that made
// it is acknowledged after the hook returns. The change is read by the
// next use of the index.
func TestIndexChangeDoesNotWaitForLoad(t *testing.T) {
	w := homewardtest.NewWorld(t)
	registerMany(t, w, 40)
	st := blockedLoad{Store: w.DB, started: make(chan struct{}), release: make(chan struct{}), once: &sync.Once{}}
	idx := dedupe.NewIndexes(st, match.IndexOptions{})
	loaded := make(chan error, 1)
	go func() {
		_, err := idx.Get(homewardtest.SystemCtx(), w.NGO.ID, false)
		loaded <- err
	}()
	<-st.started
	registerIn(t, w, "ngo", "Nasrin", "Sultana", "", "01912345670", "1992123456789", "EXT-LOAD")
	changed := make(chan struct{})
	go func() {
		idx.Changed(w.NGO.ID)
		close(changed)
	}()
	select {
	case <-changed:
	case <-time.After(30 * time.Second):
		close(st.release)
		t.Fatal("noting a change waited for the index load")
	}
	close(st.release)
	if err := <-loaded; err != nil {
		t.Fatal(err)
	}
	x, err := idx.Get(homewardtest.SystemCtx(), w.NGO.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	if x.Len() != 41 {
		t.Errorf("index of %d people after the change, want 41", x.Len())
	}
}

// The registration form's duplicate check does not wait for the
// organisation's index to load (minutes at a million people): it answers
// "getting ready", with the people read so far, while one load goes on in
// the background, and the candidates once it is done. A load that failed
// is said so and started again by the next check; the pair page meanwhile
// shows the stored explanation.
func TestCheckAnswersWhileTheIndexLoads(t *testing.T) {
	w := homewardtest.NewWorld(t)
	registerMany(t, w, 4)
	store := homewardtest.NewHeldLoads(w.DB)
	dd := dedupe.New(store, dedupe.Options{Now: w.DB.Now, CheckWait: 20 * time.Millisecond})
	defer dd.Indexes.Close()
	ctx := w.Ctx("ngo", homeward.RoleCaseWorker)
	probe := &registry.Registration{Person: registry.Person{GivenName: "Personaa", FamilyName: "Islam", Sex: registry.SexMale,
		Phones: []string{"+8801712340000"}, Documents: []registry.Document{{Type: registry.DocNationalID, Number: "1234500000", IssuingCountry: "BD"}}}}
	loading := func(want int32) {
		t.Helper()
		cs, err := dd.Check(ctx, probe, "")
		var he *homeward.Error
		if !errors.As(err, &he) || he.Code != homeward.EUNAVAILABLE || he.Key != dedupe.CheckLoadingKey || cs != nil {
			t.Fatalf("a check while the index loads: %v %v", cs, err)
		}
		if he.Args["total"] != int64(4) || he.Args["read"] != int64(0) {
			t.Errorf("progress: %v", he.Args)
		}
		if n := store.Loads.Load(); n != want {
			t.Errorf("%d loads started, want %d", n, want)
		}
	}
	loading(1)
	loading(1) // the same load, not a second one
	if read, total := dd.Indexes.Loading(); read != 0 || total != 4 {
		t.Errorf("loading progress for metrics: %d of %d", read, total)
	}
	// A wrong role is refused before anything is loaded.
	if _, err := dd.Check(w.Ctx("ngo", homeward.RoleProviderStaff), probe, ""); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("provider staff checked for duplicates: %v", err)
	}
	close(store.Release)
	if _, err := dd.Indexes.Get(homewardtest.SystemCtx(), w.NGO.ID, false); err != nil { // waits for the load
		t.Fatal(err)
	}
	if read, total := dd.Indexes.Loading(); read != 0 || total != 0 {
		t.Errorf("loading progress once loaded: %d of %d", read, total)
	}
	cs, err := dd.Check(ctx, probe, "")
	if err != nil || len(cs) == 0 || cs[0].Name != "Personaa Islam" {
		t.Fatalf("the check once loaded: %+v %v", cs, err)
	}
	if n := store.Loads.Load(); n != 1 {
		t.Errorf("%d loads, want 1", n)
	}

	// A failing load: the check says what failed, and the next tries again.
	w2 := homewardtest.NewWorld(t)
	registerMany(t, w2, 2)
	failing := homewardtest.NewHeldLoads(w2.DB)
	close(failing.Release)
	dd2 := dedupe.New(failing, dedupe.Options{Now: w2.DB.Now, CheckWait: time.Minute})
	defer dd2.Indexes.Close()
	ctx2 := w2.Ctx("ngo", homeward.RoleCaseWorker)
	// A scan of another organisation before leaves the loads alone.
	if _, err := dd2.Scan(homewardtest.SystemCtx(), w2.Operator.ID); err != nil {
		t.Fatal(err)
	}
	failing.Loads.Store(0)
	failing.Fail.Store(true)
	if _, err := dd2.Check(ctx2, probe, ""); err == nil || homewardtest.Code(err) == homeward.EUNAVAILABLE {
		t.Fatalf("a failed load: %v", err)
	}
	failing.Fail.Store(false)
	if cs, err := dd2.Check(ctx2, probe, ""); err != nil || len(cs) == 0 || failing.Loads.Load() != 2 {
		t.Fatalf("the check after a failed load: %+v %v (%d loads)", cs, err, failing.Loads.Load())
	}
	// Once closed (shutdown), no load starts: the check says so at once.
	dd3 := dedupe.New(w2.DB, dedupe.Options{Now: w2.DB.Now, CheckWait: time.Minute})
	dd3.Indexes.Close()
	if _, err := dd3.Check(ctx2, probe, ""); !errors.Is(err, context.Canceled) {
		t.Errorf("a check after Close: %v", err)
	}
}

// takenOver is slowLoad whose lease another process has taken: every
// renewal finds it held by someone else.
type takenOver struct{ slowLoad }

func (takenOver) RenewScan(context.Context, string, string, time.Duration) (bool, error) {
	return false, nil
}

// A scan whose lease another process took over stops, and says so.
func TestScanStopsWhenItsLeaseIsTakenOver(t *testing.T) {
	w := homewardtest.NewWorld(t)
	registerMany(t, w, 3)
	const lease = 150 * time.Millisecond
	store := takenOver{slowLoad{Store: w.DB, wait: 4 * lease, loading: make(chan struct{})}}
	dd := dedupe.New(store, dedupe.Options{Now: w.DB.Now, Lease: lease})
	res, err := dd.Scan(homewardtest.SystemCtx(), w.NGO.ID)
	if !errors.Is(err, dedupe.ErrLeaseLost) || res != nil {
		t.Fatalf("a scan whose lease was taken over: %+v %v", res, err)
	}
}

// The scan raises at most MaxScanPairs pairs for one person, its best
// candidates, and counts the people it cut short: six near-identical
// people are fifteen pairs, of which a cap of two raises at most two for
// each person the scan checks.
func TestScanCapsPairsPerPerson(t *testing.T) {
	for _, tt := range []struct {
		max        int
		wantRaised func(int) bool
		capped     bool
	}{
		{0, func(n int) bool { return n == 15 }, false}, // the default, 20
		{2, func(n int) bool { return n >= 2 && n <= 2*6 }, true},
	} {
		w := homewardtest.NewWorld(t)
		for i := range 6 {
			registerAs(t, w, "Rahima", "Begum", "1985-03-02", "01712345678", fmt.Sprintf("19851234567%06d", i), fmt.Sprintf("X-%d", i))
		}
		svc := dedupe.New(w.DB, dedupe.Options{Now: w.DB.Now, MaxScanPairs: tt.max})
		res, err := svc.Scan(homewardtest.SystemCtx(), w.NGO.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !tt.wantRaised(res.Raised) || (res.Capped > 0) != tt.capped || res.Capped > 6 {
			t.Errorf("cap %d: raised %d pairs, %d people capped", tt.max, res.Raised, res.Capped)
		}
		counts, err := svc.CountPairs(w.Ctx("ngo", homeward.RoleSupervisor))
		if err != nil {
			t.Fatal(err)
		}
		if counts[dedupe.StatusOpen] != res.Raised {
			t.Errorf("cap %d: %d pairs open, %d raised", tt.max, counts[dedupe.StatusOpen], res.Raised)
		}
	}
}

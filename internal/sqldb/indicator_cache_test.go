package sqldb_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/indicator"
)

// A dashboard page read twice is kept, yet a rebuild shows at once, also
// one at the very instant of the last (a fixed clock: the same computed-at
// time), and a reader that appends to the rows it got changes nobody else's;
// another organisation's reader never gets the page.
func TestIndicatorPageKeptUntilRebuild(t *testing.T) {
	w, def, month := registeredAndRebuilt(t, true)
	sys, me := homewardtest.SystemCtx(), w.as("ngo", homeward.RoleMEAnalyst)
	read := func(by ...string) *indicator.Series {
		t.Helper()
		s, err := w.DB.IndicatorSeries(me, def, indicator.Query{From: month, To: month, By: by})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	total := func(s *indicator.Series) float64 {
		t.Helper()
		if len(s.Rows) != 1 || s.Rows[0].Numerator == nil {
			t.Fatalf("rows: %+v", s.Rows)
		}
		return *s.Rows[0].Numerator
	}
	first := read()
	if total(first) != 1 {
		t.Fatalf("registrations = %v", total(first))
	}
	first.Rows = append(first.Rows, indicator.Row{Period: "appended by a reader"})
	first.Suppressed = 99
	if again := read(); total(again) != 1 || again.Suppressed != 0 {
		t.Errorf("the kept page changed with its reader's copy: %+v", again)
	}
	// Another organisation's watcher reads the same page statement with
	// another organisation: never this one's kept page.
	if s, err := w.DB.IndicatorSeries(w.as("provider", homeward.RoleMEAnalyst), def, indicator.Query{From: month, To: month}); err != nil || len(s.Rows) != 0 {
		t.Errorf("the provider's page: %+v %v", s, err)
	}
	// Two more, rebuilt at the same instant: the new figure at once.
	w.returnee(t, "2234567890")
	w.returnee(t, "3234567890")
	if total(read()) != 1 {
		t.Error("figures moved before the rebuild")
	}
	if _, err := w.DB.RebuildIndicators(sys, indicator.Standard()); err != nil {
		t.Fatal(err)
	}
	if got := total(read()); got != 3 {
		t.Errorf("after a rebuild at the same instant: %v, want 3", got)
	}
	// The cache off: the same figures, read from the table.
	w.DB.CacheIndicatorPages(false)
	if got := total(read()); got != 3 {
		t.Errorf("uncached: %v, want 3", got)
	}
}

// Eight readers of one page just after a rebuild all get its figures
// (one of them reads it, the others wait for that read), and so do eight
// more while a rebuild runs beside them.
func TestIndicatorPageConcurrentReaders(t *testing.T) {
	w, def, month := registeredAndRebuilt(t, false)
	sys, me := homewardtest.SystemCtx(), w.as("ngo", homeward.RoleMEAnalyst)
	readers := func(rebuild bool) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make(chan error, 9)
		for range 8 {
			wg.Go(func() {
				s, err := w.DB.IndicatorSeries(me, def, indicator.Query{From: month, To: month})
				switch {
				case err != nil:
					errs <- err
				case len(s.Rows) != 1 || *s.Rows[0].Numerator != 1:
					errs <- fmt.Errorf("rows %+v", s.Rows)
				}
			})
		}
		if rebuild {
			wg.Go(func() {
				if _, err := w.DB.RebuildIndicators(sys, indicator.Standard()); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	}
	readers(false)
	readers(true)
}

// registeredAndRebuilt is a world with one returnee and its indicators
// rebuilt (on a stopped clock when stop is set), the registrations
// indicator and the month it counts them in.
func registeredAndRebuilt(t *testing.T, stop bool) (*refWorld, *indicator.Definition, indicator.Month) {
	t.Helper()
	w := newRefWorld(t)
	w.returnee(t, "1234567890")
	if stop {
		at := w.DB.Now()
		w.DB.Now = func() time.Time { return at }
	}
	if _, err := w.DB.RebuildIndicators(homewardtest.SystemCtx(), indicator.Standard()); err != nil {
		t.Fatal(err)
	}
	def, err := indicator.Find("registrations")
	if err != nil {
		t.Fatal(err)
	}
	return w, def, indicator.Month(w.DB.Now().In(homewardtest.Zone).Format("2006-01"))
}

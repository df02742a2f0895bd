// Package heapwatch measures the heap a piece of work takes at its peak:
// benchmarks report it and tests bound it (a transient peak is what kills a
// server; the level after the work says nothing).
package heapwatch

import (
	"runtime"
	"time"
)

// Start samples the heap in use every interval until the returned function
// is called, which returns the highest level seen.
func Start(interval time.Duration) (stop func() uint64) {
	var peak uint64
	done, sampled := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(sampled)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		<-sampled
		return peak
	}
}

// PeakGrowth runs f and returns how far the heap in use rose above its level
// before f (after a collection), sampled every 2 ms while f runs.
func PeakGrowth(f func()) int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	stop := Start(2 * time.Millisecond)
	f()
	return int64(max(stop(), base)) - int64(base)
}

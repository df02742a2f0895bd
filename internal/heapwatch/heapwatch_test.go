package heapwatch

import "testing"

var sink []byte

func TestPeakGrowthSeesATransientAllocation(t *testing.T) {
	grew := PeakGrowth(func() {
		sink = make([]byte, 64<<20)
		for i := range sink {
			sink[i] = 1
		}
		sink = nil
	})
	if grew < 32<<20 {
		t.Errorf("a 64 MiB allocation shows as %d bytes", grew)
	}
	if small := PeakGrowth(func() {}); small > 16<<20 {
		t.Errorf("nothing shows as %d bytes", small)
	}
}

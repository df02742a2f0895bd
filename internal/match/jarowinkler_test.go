package match

import (
	"math"
	"testing"
)

func TestJaroWinkler(t *testing.T) {
	tests := []struct {
		a, b string
		want float64
	}{
		{"", "", 0},
		{"abc", "", 0},
		{"martha", "martha", 1},
		{"martha", "marhta", 0.9611},
		{"dwayne", "duane", 0.84},
		{"dixon", "dicksonx", 0.8133},
		{"crate", "trace", 0.7333},
		{"abc", "xyz", 0},
		{"রফিকুল", "রফিকুল", 1},
		{"রফিকুল", "রফিকল", 0.9667}, // measured in letters, not bytes
	}
	for _, tt := range tests {
		got := JaroWinkler(tt.a, tt.b)
		if math.Abs(got-tt.want) > 0.001 {
			t.Errorf("JaroWinkler(%q, %q) = %.4f, want %.4f", tt.a, tt.b, got, tt.want)
		}
		if back := JaroWinkler(tt.b, tt.a); math.Abs(back-got) > 1e-9 {
			t.Errorf("JaroWinkler not symmetric for %q, %q: %.4f vs %.4f", tt.a, tt.b, got, back)
		}
	}
}

func TestEditDistanceAtMost(t *testing.T) {
	tests := []struct {
		a, b string
		k    int
		want bool
	}{
		{"A1234567", "A1234567", 0, true},
		{"A1234567", "A1234568", 1, true},
		{"A1234567", "A1243567", 1, true}, // transposition
		{"A1234567", "B1234568", 1, false},
		{"A1234567", "B1234568", 2, true},
		{"1712345678", "171234567", 1, true},
		{"", "ab", 1, false},
	}
	for _, tt := range tests {
		if got := editDistanceAtMost(tt.a, tt.b, tt.k); got != tt.want {
			t.Errorf("editDistanceAtMost(%q, %q, %d) = %v, want %v", tt.a, tt.b, tt.k, got, tt.want)
		}
	}
}

func BenchmarkJaroWinkler(b *testing.B) {
	for b.Loop() {
		JaroWinkler("rafiqul islam", "rafikul islam")
	}
}

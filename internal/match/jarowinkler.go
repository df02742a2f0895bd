package match

// JaroWinkler returns the Jaro–Winkler similarity of a and b, from 0 (nothing
// in common) to 1 (equal), with the usual prefix scale 0.1 over at most four
// leading characters. Strings are compared by bytes when both are ASCII and
// by runes otherwise, so Bangla and Arabic names are measured in letters.
func JaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	if a == "" || b == "" {
		return 0
	}
	if isASCII(a) && isASCII(b) && len(a) <= 64 && len(b) <= 64 {
		var ba, bb [64]byte
		return jaroWinkler(ba[:copy(ba[:], a)], bb[:copy(bb[:], b)])
	}
	return jaroWinkler([]rune(a), []rune(b))
}

func jaroWinkler[T byte | rune](a, b []T) float64 {
	j := jaro(a, b)
	if j <= 0.7 {
		return j
	}
	p := 0
	for p < 4 && p < len(a) && p < len(b) && a[p] == b[p] {
		p++
	}
	return j + float64(p)*0.1*(1-j)
}

func jaro[T byte | rune](a, b []T) float64 {
	if len(a) > len(b) {
		a, b = b, a
	}
	window := len(b)/2 - 1
	if window < 0 {
		window = 0
	}
	var bufA, bufB [64]bool
	var ma, mb []bool
	if len(b) <= 64 {
		ma, mb = bufA[:len(a)], bufB[:len(b)]
	} else {
		ma, mb = make([]bool, len(a)), make([]bool, len(b))
	}
	matches := 0
	for i := range a {
		lo, hi := i-window, i+window+1
		if lo < 0 {
			lo = 0
		}
		if hi > len(b) {
			hi = len(b)
		}
		for k := lo; k < hi; k++ {
			if !mb[k] && a[i] == b[k] {
				ma[i], mb[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	half, k := 0, 0
	for i := range a {
		if !ma[i] {
			continue
		}
		for !mb[k] {
			k++
		}
		if a[i] != b[k] {
			half++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(len(a)) + m/float64(len(b)) + (m-float64(half/2))/m) / 3
}

// editDistanceAtMost reports whether a and b (ASCII-ish; compared by bytes)
// are within k single-character edits, counting a swap of neighbours as one.
// It is meant for short codes (documents, phones, postcodes).
func editDistanceAtMost(a, b string, k int) bool {
	if d := len(a) - len(b); d > k || -d > k {
		return false
	}
	if len(a) > 32 || len(b) > 32 {
		return a == b
	}
	// Optimal string alignment distance, rows of at most 33 cells.
	var prev2, prev, cur [33]int
	for j := 0; j <= len(b); j++ {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > k {
			return false
		}
		prev2, prev = prev, cur
	}
	return prev[len(b)] <= k
}

// digitsClose reports whether two dates written as YYYYMMDD numbers differ in
// one digit or by one swap of neighbouring digits (a typing slip).
func digitsClose(a, b int) bool {
	var da, db [8]int
	for i := 7; i >= 0; i-- {
		da[i], db[i] = a%10, b%10
		a, b = a/10, b/10
	}
	diff := 0
	for i := 0; i < 8; i++ {
		if da[i] != db[i] {
			if i < 7 && diff == 0 && da[i] == db[i+1] && da[i+1] == db[i] {
				diff++
				i++
				continue
			}
			diff++
		}
	}
	return diff <= 1
}

// hammingClose reports whether equal-length strings differ in at most one
// position or one swap of neighbours.
func hammingClose(a, b string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := 0; i < len(a); i++ {
		if a[i] != b[i] {
			if i+1 < len(a) && a[i] == b[i+1] && a[i+1] == b[i] {
				return a[i+2:] == b[i+2:]
			}
			return a[i+1:] == b[i+1:]
		}
	}
	return true
}

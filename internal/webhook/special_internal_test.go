package webhook

import (
	"net/netip"
	"testing"
)

func lastAddr(p netip.Prefix) netip.Addr {
	b := p.Masked().Addr().AsSlice()
	for i := p.Bits(); i < len(b)*8; i++ {
		b[i/8] |= 1 << (7 - i%8)
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// inTable reports whether a falls in a listed range or, for IPv6, outside
// global unicast: the neighbour of one range may be the start of another.
func inTable(a netip.Addr) bool {
	if a.Is6() && !globalUnicast.Contains(a) && !nat64.Contains(a) {
		return true
	}
	for _, p := range specialRanges {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// Every range of the table, checked at both ends; the addresses just
// outside are allowed unless they belong to another refused range.
func TestPublicSpecialRangesRangeByRange(t *testing.T) {
	for _, p := range specialRanges {
		first, last := p.Masked().Addr(), lastAddr(p)
		for _, a := range []netip.Addr{first, last} {
			if Public(a) {
				t.Errorf("%s: %s allowed", p, a)
			}
			if a.Is4() {
				if m := netip.AddrFrom16(a.As16()); Public(m) {
					t.Errorf("%s: IPv4-mapped %s allowed", p, m)
				}
				b := a.As4()
				n := netip.AddrFrom16([16]byte{0, 0x64, 0xff, 0x9b, 10: 0, 11: 0, 12: b[0], 13: b[1], 14: b[2], 15: b[3]})
				if Public(n) {
					t.Errorf("%s: NAT64 %s allowed", p, n)
				}
			}
		}
		for _, a := range []netip.Addr{first.Prev(), last.Next()} {
			if !a.IsValid() || inTable(a) {
				continue
			}
			if !Public(a) {
				t.Errorf("%s: neighbour %s refused", p, a)
			}
		}
	}
}

func TestPublicReviewFindings(t *testing.T) {
	for addr, want := range map[string]bool{
		"fec0::1":                  false, // site-local
		"feff:ffff::1":             false,
		"64:ff9b:1::a00:1":         false, // local-use NAT64
		"2002:7f00:1::":            false, // 6to4 of 127.0.0.1
		"2002:808:808::":           false, // 6to4, deprecated whatever it embeds
		"::ffff:192.168.0.1":       false,
		"::ffff:8.8.8.8":           true,
		"64:ff9b::10.0.0.1":        false, // NAT64 of a private address
		"64:ff9b::169.254.169.254": false,
		"64:ff9b::8.8.8.8":         true,  // NAT64 of a public one
		"2001::1":                  false, // Teredo
		"2606:4700::1111":          true,
		"2606:4700::1111%eth0":     true,
		"fe80::1%eth0":             false,
		"8.8.8.8":                  true,
		"1.1.1.1":                  true,
		"255.255.255.255":          false,
	} {
		if got := Public(netip.MustParseAddr(addr)); got != want {
			t.Errorf("Public(%s) = %v, want %v", addr, got, want)
		}
	}
}

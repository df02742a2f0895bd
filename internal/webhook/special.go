package webhook

import "net/netip"

// specialRange is one entry of the IANA special-purpose address registries
// (https://www.iana.org/assignments/iana-ipv4-special-registry and
// iana-ipv6-special-registry), plus the few ranges of the address-space
// registries that are not unicast on the Internet (multicast, reserved,
// deprecated site-local). Webhooks never go to any of them: none is a
// place a provider's public receiver lives, and several reach the
// server's own networks.
var specialRanges = []netip.Prefix{
	// IPv4
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network" — RFC 791, RFC 1122
	netip.MustParsePrefix("10.0.0.0/8"),      // private use — RFC 1918
	netip.MustParsePrefix("100.64.0.0/10"),   // shared address space (CGNAT) — RFC 6598
	netip.MustParsePrefix("127.0.0.0/8"),     // loopback — RFC 1122
	netip.MustParsePrefix("169.254.0.0/16"),  // link-local (cloud metadata) — RFC 3927
	netip.MustParsePrefix("172.16.0.0/12"),   // private use — RFC 1918
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments (DS-Lite, NAT64 discovery…) — RFC 6890
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation TEST-NET-1 — RFC 5737
	netip.MustParsePrefix("192.31.196.0/24"), // AS112-v4 — RFC 7535
	netip.MustParsePrefix("192.52.193.0/24"), // AMT — RFC 7450
	netip.MustParsePrefix("192.88.99.0/24"),  // deprecated 6to4 relay anycast — RFC 7526
	netip.MustParsePrefix("192.168.0.0/16"),  // private use — RFC 1918
	netip.MustParsePrefix("192.175.48.0/24"), // direct delegation AS112 — RFC 7534
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking — RFC 2544
	netip.MustParsePrefix("198.51.100.0/24"), // documentation TEST-NET-2 — RFC 5737
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation TEST-NET-3 — RFC 5737
	netip.MustParsePrefix("224.0.0.0/4"),     // multicast — RFC 5771
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and 255.255.255.255 limited broadcast — RFC 1112, RFC 919
	// IPv6
	netip.MustParsePrefix("::/96"),             // unspecified ::/128, loopback ::1/128, deprecated IPv4-compatible — RFC 4291
	netip.MustParsePrefix("64:ff9b:1::/48"),    // local-use IPv4/IPv6 translation — RFC 8215
	netip.MustParsePrefix("100::/64"),          // discard-only — RFC 6666
	netip.MustParsePrefix("100:0:0:1::/64"),    // dummy IPv6 prefix — RFC 9780
	netip.MustParsePrefix("2001::/23"),         // IETF protocol assignments (Teredo 2001::/32, benchmarking, ORCHID, anycast…) — RFC 2928
	netip.MustParsePrefix("2001:db8::/32"),     // documentation — RFC 3849
	netip.MustParsePrefix("2002::/16"),         // 6to4, deprecated; embeds any IPv4 address — RFC 3056, RFC 7526
	netip.MustParsePrefix("2620:4f:8000::/48"), // direct delegation AS112 — RFC 7534
	netip.MustParsePrefix("3fff::/20"),         // documentation — RFC 9637
	netip.MustParsePrefix("5f00::/16"),         // segment routing (SRv6) SIDs — RFC 9602
	netip.MustParsePrefix("fc00::/7"),          // unique local — RFC 4193
	netip.MustParsePrefix("fe80::/10"),         // link-local unicast — RFC 4291
	netip.MustParsePrefix("fec0::/10"),         // site-local, deprecated but still routed by some stacks — RFC 3879
	netip.MustParsePrefix("ff00::/8"),          // multicast — RFC 4291
}

// Ranges that carry an IPv4 address in their last 32 bits and are judged
// by it: IPv4-mapped (handled by Unmap) and the well-known NAT64 prefix.
var nat64 = netip.MustParsePrefix("64:ff9b::/96") // IPv4/IPv6 translation — RFC 6052

// globalUnicast is the only IPv6 space allocated for Internet unicast
// (RFC 4291, IANA IPv6 address space registry); everything else is
// reserved by the IETF or listed above.
var globalUnicast = netip.MustParsePrefix("2000::/3")

// Public reports whether a is an address webhooks may reach by default:
// not in any special-purpose range (loopback, private, link-local with the
// cloud metadata services, shared, documentation, multicast …), and, for
// an IPv6 address that embeds an IPv4 one (IPv4-mapped, NAT64), not
// embedding a refused IPv4 address.
func Public(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	a = a.Unmap().WithZone("")
	if a.Is6() && nat64.Contains(a) {
		b := a.As16()
		return Public(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
	}
	if a.Is6() && !globalUnicast.Contains(a) {
		return false
	}
	for _, p := range specialRanges {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

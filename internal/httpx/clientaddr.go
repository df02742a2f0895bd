package httpx

import (
	"net"
	"net/http"
	"net/netip"
	"strings"

	"homeward"
)

// ClientAddr puts the client's address in the request's context (see
// homeward.ClientAddrFromContext) for sign-in throttling. It is the peer's
// address, unless header names a header that a trusted proxy in front sets
// (X-Forwarded-For, X-Real-IP …): then the right-most address in that header,
// the one the proxy itself added, so that a client cannot choose its own.
// IPv6 addresses count by their /64, which one client usually holds whole.
func ClientAddr(header string) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			addr := peerAddr(r.RemoteAddr)
			if header != "" {
				if vs := r.Header.Values(header); len(vs) > 0 {
					parts := strings.Split(vs[len(vs)-1], ",")
					if a, err := netip.ParseAddr(strings.TrimSpace(parts[len(parts)-1])); err == nil {
						addr = a
					}
				}
			}
			key := ""
			if addr.IsValid() {
				addr = addr.Unmap()
				if addr.Is6() {
					p, _ := addr.Prefix(64)
					key = p.String()
				} else {
					key = addr.String()
				}
			}
			next.ServeHTTP(w, r.WithContext(homeward.NewContextWithClientAddr(r.Context(), key)))
		})
	}
}

func peerAddr(remote string) netip.Addr {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	a, _ := netip.ParseAddr(host)
	return a
}

package webhook

import (
	"errors"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
)

// MaxURLLength bounds a webhook address, in bytes.
const MaxURLLength = 500

// Reasons CheckURL gives for refusing an address, besides
// ErrForbiddenDestination. None of them carries the address: it may hold a
// partner's token, and these errors end up in delivery logs.
var (
	// ErrURLInvalid: not an absolute http:// or https:// URL with a host
	// (and a valid port, if any), or longer than MaxURLLength.
	ErrURLInvalid = errors.New("invalid webhook address")
	// ErrURLCredentials: the address carries a user name or password,
	// which pages and logs would show. Messages are authenticated by
	// their signature instead.
	ErrURLCredentials = errors.New("webhook address carries a user name or password")
	// ErrURLInsecure: plain http:// where https:// is required.
	ErrURLInsecure = errors.New("webhook address must use https://")
)

// CheckURL is the rule for webhook addresses. It is applied when a webhook
// is created and again by Client.Send before every delivery, with the same
// allowPrivate as the server's Client, so that an address accepted at
// creation is one the sender will try. It returns nil, or the first of
// these reasons that applies:
//
//   - ErrURLInvalid unless raw is an absolute http:// or https:// URL with
//     a host, of at most MaxURLLength bytes;
//   - ErrURLCredentials if it holds a user name or password;
//   - ErrForbiddenDestination, unless allowPrivate, if its host is
//     "localhost" (or a name under .localhost) or an IP address that Public
//     refuses (loopback, private, link-local, …);
//   - ErrURLInsecure if it is plain http://, which is accepted only for
//     loopback hosts and only when allowPrivate (a receiver on the same
//     machine, as in tests).
//
// Host names are not resolved here: what a name resolves to may change at
// any time after the check (DNS rebinding), so a Client that does not allow
// private addresses checks every address it actually connects to, at
// delivery time.
func CheckURL(raw string, allowPrivate bool) error {
	if len(raw) > MaxURLLength {
		return ErrURLInvalid
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Opaque != "" || u.Hostname() == "" {
		return ErrURLInvalid
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return ErrURLInvalid
		}
	}
	if u.User != nil {
		return ErrURLCredentials
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if !allowPrivate && internalHost(host) {
		return ErrForbiddenDestination
	}
	if u.Scheme == "http" && !(allowPrivate && loopbackHost(host)) {
		return ErrURLInsecure
	}
	return nil
}

// internalHost reports whether host names the local machine or a network
// that Public refuses, without resolving it.
func internalHost(host string) bool {
	if localhostName(host) {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && !Public(a)
}

func loopbackHost(host string) bool {
	if localhostName(host) {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}

// localhostName reports whether host is "localhost" or a name under it,
// which always mean the local machine (RFC 6761).
func localhostName(host string) bool {
	return host == "localhost" || strings.HasSuffix(host, ".localhost")
}

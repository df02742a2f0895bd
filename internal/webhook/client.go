// Package webhook delivers referral events to partner systems over HTTP:
// CheckURL is the one rule for webhook addresses, Client is the
// referral.Sender that posts the signed JSON bodies, refusing redirects and
// (unless allowed) private network destinations, and Worker is the
// background loop of `homeward serve` that sends due deliveries and expires
// unanswered referrals.
package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"

	"homeward/internal/referral"
)

// Timeout bounds one delivery attempt, from dialling to the end of the
// answer's headers; a slower receiver counts as failed and is retried.
const Timeout = 10 * time.Second

// ErrForbiddenDestination is returned for a webhook address that resolves
// to a loopback, private, link-local or otherwise internal address while
// those are not allowed.
var ErrForbiddenDestination = errors.New("destination address not allowed (private, loopback or link-local)")

// Options configure a Client.
type Options struct {
	// AllowPrivate permits loopback, private and link-local destinations
	// (tests, and installations whose partners sit on the same network).
	AllowPrivate bool
	// Timeout replaces the default Timeout when positive.
	Timeout time.Duration
	// UserAgent is sent with every request.
	UserAgent string
}

// Client posts webhook messages. Its zero value is not usable; call New.
type Client struct {
	http         *http.Client
	ua           string
	allowPrivate bool
}

// New returns a Client. Unless opt.AllowPrivate is set, every connection is
// checked after name resolution, so that neither an internal address in a
// webhook's URL nor a DNS name pointing at one reaches the internal network
// (server-side request forgery). No proxy is used, for the same reason.
func New(opt Options) *Client { return newClient(opt, nil) }

// newClient is New with host names looked up by resolver (nil: the
// system's), so that tests can make a name resolve to an internal address.
func newClient(opt Options, resolver *net.Resolver) *Client {
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = Timeout
	}
	dialer := &net.Dialer{Timeout: timeout, Resolver: resolver}
	if !opt.AllowPrivate {
		dialer.Control = func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !Public(ap.Addr()) {
				return ErrForbiddenDestination
			}
			return nil
		}
	}
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConns:          20,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       time.Minute,
		ForceAttemptHTTP2:     true,
	}
	ua := opt.UserAgent
	if ua == "" {
		ua = "Homeward-Webhooks/1"
	}
	return &Client{ua: ua, allowPrivate: opt.AllowPrivate, http: &http.Client{
		Transport: tr,
		Timeout:   timeout,
		// A redirect is answered, not followed: it could lead anywhere,
		// and the 3xx status counts as a failed attempt.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// Send posts m and returns the answer's HTTP status. An address that
// CheckURL refuses is not tried: its reason is the error. The error, if
// any, never carries the URL (it may hold a partner's token).
func (c *Client) Send(ctx context.Context, m referral.Message) (int, error) {
	if err := CheckURL(m.URL, c.allowPrivate); err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.URL, bytes.NewReader(m.Body))
	if err != nil {
		return 0, ErrURLInvalid
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", c.ua)
	req.Header.Set(referral.SignatureHeader, m.Signature)
	req.Header.Set(referral.DeliveryHeader, m.DeliveryID)
	req.Header.Set("Idempotency-Key", m.DeliveryID)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, describe(err)
	}
	// Read a little of the body so that the connection can be reused.
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// Do sends a request the caller built (a signed cross-border handoff
// message) through the same guarded transport as webhooks: the address
// checked first, no redirects followed, private destinations refused
// unless allowed. It returns the answer's status; the error never
// carries the URL.
func (c *Client) Do(req *http.Request) (int, error) {
	if err := CheckURL(req.URL.String(), c.allowPrivate); err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", c.ua)
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, describe(err)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	return resp.StatusCode, nil
}

// describe turns a client error into a short message for the delivery
// log, without the URL.
func describe(err error) error {
	if errors.Is(err, ErrForbiddenDestination) {
		return ErrForbiddenDestination
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		if ue.Timeout() {
			return errors.New("timed out")
		}
		err = ue.Err
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		return fmt.Errorf("cannot resolve host: %s", dnsErr.Err)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return fmt.Errorf("%s: %v", opErr.Op, opErr.Err)
	}
	return err
}

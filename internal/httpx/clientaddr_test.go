package httpx_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"homeward"
	"homeward/internal/httpx"
)

func TestClientAddr(t *testing.T) {
	tests := []struct {
		header, remote string
		values         []string
		want           string
	}{
		{"", "203.0.113.7:5555", nil, "203.0.113.7"},
		{"", "203.0.113.7:5555", []string{"198.51.100.1"}, "203.0.113.7"}, // no trusted header: ignored
		{"X-Forwarded-For", "10.0.0.1:80", []string{"1.2.3.4, 198.51.100.1"}, "198.51.100.1"},
		{"X-Forwarded-For", "10.0.0.1:80", []string{"1.2.3.4", "198.51.100.2"}, "198.51.100.2"},
		{"X-Forwarded-For", "10.0.0.1:80", []string{"junk"}, "10.0.0.1"},
		{"", "[2001:db8:1:2:3:4:5:6]:443", nil, "2001:db8:1:2::/64"},
		{"", "[::ffff:203.0.113.9]:443", nil, "203.0.113.9"},
	}
	for _, tt := range tests {
		var got string
		h := httpx.ClientAddr(tt.header)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got = homeward.ClientAddrFromContext(r.Context())
		}))
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		for _, v := range tt.values {
			r.Header.Add("X-Forwarded-For", v)
		}
		h.ServeHTTP(httptest.NewRecorder(), r)
		if got != tt.want {
			t.Errorf("%s %s %v: %q, want %q", tt.header, tt.remote, tt.values, got, tt.want)
		}
	}
}

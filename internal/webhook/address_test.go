package webhook_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"homeward/internal/webhook"
)

func TestCheckURL(t *testing.T) {
	var (
		invalid     = webhook.ErrURLInvalid
		credentials = webhook.ErrURLCredentials
		insecure    = webhook.ErrURLInsecure
		private     = webhook.ErrForbiddenDestination
	)
	long := "https://partner.example/"
	exactly := long + strings.Repeat("a", webhook.MaxURLLength-len(long))
	tests := []struct {
		url string
		// want by default, and with private addresses allowed
		want, wantAllowed error
	}{
		{"https://partner.example/hook", nil, nil},
		{"https://partner.example:8443/hook?token=t0ken", nil, nil},
		{"HTTPS://Partner.Example/hook", nil, nil},
		{"https://93.184.216.34/hook", nil, nil},
		{"https://[2606:4700::1111]/hook", nil, nil},
		// Names are not resolved at creation: the sender checks what a
		// name resolves to when it delivers.
		{"https://mis.intranet.example/hook", nil, nil},
		{exactly, nil, nil},

		{"http://partner.example/hook", insecure, insecure},
		{"http://93.184.216.34/hook", insecure, insecure},
		{"http://10.0.0.5/hook", private, insecure}, // http only to loopback
		{"http://localhost/hook", private, nil},
		{"http://localhost:8080/hook", private, nil},
		{"http://LocalHost./hook", private, nil},
		{"http://127.0.0.1:8080/hook", private, nil},
		{"http://[::1]:8080/hook", private, nil},

		{"https://localhost/hook", private, nil},
		{"https://mis.localhost/hook", private, nil},
		{"https://127.0.0.2/hook", private, nil},
		{"https://10.1.2.3/hook", private, nil},
		{"https://172.16.0.1/hook", private, nil},
		{"https://192.168.1.10/hook", private, nil},
		{"https://169.254.169.254/latest/meta-data/", private, nil},
		{"https://100.64.0.1/hook", private, nil},
		{"https://0.0.0.0/hook", private, nil},
		{"https://[::1]/hook", private, nil},
		{"https://[fc00::1]/hook", private, nil},
		{"https://[fd12:3456::1]/hook", private, nil},
		{"https://[fe80::1%25eth0]/hook", private, nil},
		{"https://[::ffff:10.0.0.1]/hook", private, nil},

		{"https://user:pass@partner.example/hook", credentials, credentials},
		{"https://t0ken@partner.example/hook", credentials, credentials},
		{"http://user:pass@localhost/hook", credentials, credentials},

		{exactly + "a", invalid, invalid},
		{"", invalid, invalid},
		{"partner.example/hook", invalid, invalid},
		{"//partner.example/hook", invalid, invalid},
		{"https:partner.example", invalid, invalid},
		{"https:///hook", invalid, invalid},
		{"https://:443/hook", invalid, invalid},
		{"https://partner.example:0/hook", invalid, invalid},
		{"https://partner.example:99999/hook", invalid, invalid},
		{"https://partner example/hook", invalid, invalid},
		{"ftp://partner.example/hook", invalid, invalid},
		{"file:///etc/passwd", invalid, invalid},
		{"javascript:alert(1)", invalid, invalid},
		{"gopher://localhost:25/", invalid, invalid},
	}
	for _, tt := range tests {
		for _, allow := range []bool{false, true} {
			name := fmt.Sprintf("%.60s/allowPrivate=%v", tt.url, allow)
			t.Run(name, func(t *testing.T) {
				want := tt.want
				if allow {
					want = tt.wantAllowed
				}
				err := webhook.CheckURL(tt.url, allow)
				if !errors.Is(err, want) || (want == nil) != (err == nil) {
					t.Errorf("CheckURL(%q, %v) = %v, want %v", tt.url, allow, err, want)
				}
				if err != nil && strings.Contains(err.Error(), "partner") {
					t.Errorf("the reason shows the address: %v", err)
				}
			})
		}
	}
}

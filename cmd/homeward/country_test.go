package main

import (
	"flag"
	"io"
	"strings"
	"testing"
)

func TestServeCountryUnknownRefused(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		args []string
	}{
		{nil, []string{"serve", "--country", "XX"}},
		{map[string]string{"HOMEWARD_COUNTRY": "Narnia"}, []string{"serve"}},
		{nil, []string{"demo", "--country", "FR"}},
	} {
		_, err := run(t, tc.env, "", tc.args...)
		if exitCode(err) != 2 || err == nil || !strings.Contains(err.Error(), "--country") || !strings.Contains(err.Error(), "BD, IQ, PK") {
			t.Errorf("%v %v: %v, want a usage error listing BD, IQ, PK", tc.env, tc.args, err)
		}
	}
}

func TestServeCountryZone(t *testing.T) {
	for _, tc := range []struct {
		args       []string
		country, z string
	}{
		{nil, "BD", "Asia/Dhaka"},
		{[]string{"--country", "pk"}, "PK", "Asia/Karachi"},
		{[]string{"--country", "IQ"}, "IQ", "Asia/Baghdad"},
		{[]string{"--country", "IQ", "--time-zone", "UTC"}, "IQ", "UTC"},
	} {
		var c Config
		fs := flag.NewFlagSet("serve", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		c.serveFlags(fs, "127.0.0.1:0")
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		c.DataDir = t.TempDir()
		if err := c.Validate(); err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if c.Country != tc.country || c.TimeZone != tc.z {
			t.Errorf("%v: country %s zone %s, want %s %s", tc.args, c.Country, c.TimeZone, tc.country, tc.z)
		}
	}
}

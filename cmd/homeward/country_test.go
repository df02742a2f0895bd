package main

import (
	"context"
	"flag"
	"io"
	"strings"
	"testing"

	"homeward"
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

// serve warns of an operator organisation of another country than its
// --country (a forgotten flag): operatorsElsewhere names it, and only it.
func TestOperatorOfAnotherCountry(t *testing.T) {
	w := newCmdWorld(t)
	defer w.db.Close()
	sys := homeward.NewContextWithActor(context.Background(), homeward.SystemActor)
	if got, err := operatorsElsewhere(context.Background(), w.db, "BD"); err != nil || len(got) != 0 {
		t.Fatalf("no operator yet: %v %v", got, err)
	}
	for _, o := range []*homeward.Organisation{
		{Name: "Ministry of Overseas Pakistanis", Type: homeward.OrgMinistry, Country: "PK", Operator: true},
		{Name: "Roshni", Type: homeward.OrgNGO, Country: "PK"}, // not an operator
	} {
		if err := w.db.CreateOrganisation(sys, o); err != nil {
			t.Fatal(err)
		}
	}
	if got, err := operatorsElsewhere(context.Background(), w.db, "BD"); err != nil || len(got) != 1 || got[0] != "Ministry of Overseas Pakistanis (PK)" {
		t.Errorf("on a Bangladeshi instance: %v %v", got, err)
	}
	if got, err := operatorsElsewhere(context.Background(), w.db, "PK"); err != nil || len(got) != 0 {
		t.Errorf("on a Pakistani instance: %v %v", got, err)
	}
}

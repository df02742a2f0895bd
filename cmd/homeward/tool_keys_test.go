package main

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"homeward"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// keys status counts the records under each data key; keys rotate makes a
// new one and moves every record to it, and a second rotate makes another.
func TestKeysRotateCommand(t *testing.T) {
	w := newCmdWorld(t)
	cw := homeward.NewContextWithActor(context.Background(), &homeward.Actor{UserID: w.cw.ID, OrgID: w.org.ID, Roles: w.cw.Roles})
	for i := range 3 {
		js := fmt.Sprintf(`{"person":{"given_name":"Rahima","family_name":"Begum","sex":"female","phones":["0171100000%d"],
			"documents":[{"type":"national_id","number":"123456789%d","issuing_country":"BD"}]},
			"episodes":[{"destination_country":"SA","return":{"date":"2026-02-10","return_type":"deported"}}],
			"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`, i, i)
		var reg registry.Registration
		if err := json.Unmarshal([]byte(js), &reg); err != nil {
			t.Fatal(err)
		}
		if _, err := w.db.Register(cw, &reg); err != nil {
			t.Fatal(err)
		}
	}
	w.db.Close()
	row := func(out string) map[string]string {
		t.Helper()
		// key id, purpose, current, created, people, merges, referrals, arrivals
		re := regexp.MustCompile(`(?m)^([0-9a-f]{12})\s+seal\s+(yes\s+)?\S+\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)$`)
		got := map[string]string{}
		for _, m := range re.FindAllStringSubmatch(out, -1) {
			got[m[1]] = strings.TrimSpace(m[2]) + ":" + m[3]
		}
		return got
	}
	out, err := run(t, w.env, "", "keys", "status")
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	first := row(out)
	if len(first) != 1 || !strings.Contains(out, "in clear: 0") || !regexp.MustCompile(`(?m)^[0-9a-f]{12}\s+index\s+yes`).MatchString(out) {
		t.Fatalf("status: %v\n%s", first, out)
	}
	var old string
	for id, v := range first {
		if old = id; v != "yes:3" {
			t.Fatalf("status: %v\n%s", first, out)
		}
	}
	for round := range 2 {
		out, err = run(t, w.env, "", "keys", "rotate", "--batch", "2", "--settle", "0")
		if err != nil {
			t.Fatalf("rotate: %v\n%s", err, out)
		}
		got := row(out)
		if len(got) != 2+round || got[old] != ":0" || !strings.Contains(out, "re-encrypted 3 records") {
			t.Fatalf("after rotation %d: %v\n%s", round, got, out)
		}
		for id, v := range got {
			if v == "yes:3" {
				old = id
			}
		}
	}
	// The records open, and search finds them by phone and ID.
	db, err := sqldb.Open(context.Background(), strings.TrimPrefix(w.dsn, "sqlite://"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.NotesKeys, db.AuditKeys = w.db.NotesKeys, w.db.AuditKeys
	for i := range 3 {
		for _, q := range []string{fmt.Sprintf("0171100000%d", i), fmt.Sprintf("123456789%d", i)} {
			list, _, err := db.Search(cw, registry.SearchFilter{Query: q})
			if err != nil || len(list) != 1 {
				t.Errorf("search %s after rotations: %v %v", q, list, err)
			}
		}
	}
	out, err = run(t, w.env, "", "keys", "rotate", "--batch", "0")
	if exitCode(err) != 2 {
		t.Errorf("--batch 0: %v\n%s", err, out)
	}
}

package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"homeward"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// TestResearchExportCommand exports a k-anonymous extract by hand-countable
// rules: only people with research consent, no names, a rare district
// grouped as "other", and a combination shared by fewer than k left out.
func TestResearchExportCommand(t *testing.T) {
	w := newCmdWorld(t)
	db := w.db
	sys := homeward.NewContextWithActor(context.Background(), homeward.SystemActor)
	cw := homeward.NewContextWithActor(context.Background(), &homeward.Actor{UserID: w.cw.ID, OrgID: w.org.ID, Roles: w.cw.Roles})
	n := 0
	register := func(sex, area string, research bool) {
		n++
		consents := `{"purpose":"registration_case_management","method":"signed_form"}`
		if research {
			consents += `,{"purpose":"research_anonymised","method":"signed_form"}`
		}
		names := []string{"", "Rahima", "Shahana", "Nasrin", "Fatema", "Salma", "Rokeya", "Hasina", "Jamila", "Amina", "Kulsum", "Morjina", "Shirin", "Taslima", "Rina"}
		js := fmt.Sprintf(`{"person":{"given_name":%q,"family_name":"Begum","sex":%q,"date_of_birth":"1990","address":{"admin_area":%q}},
			"episodes":[{"destination_country":"SA","departure_date":"2019-02","return":{"date":"2026-02-10","return_type":"deported"}}],
			"consents":[%s]}`, names[n], sex, area, consents)
		var reg registry.Registration
		if err := json.Unmarshal([]byte(js), &reg); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Register(cw, &reg); err != nil {
			t.Fatal(err)
		}
	}
	for range 6 {
		register("female", "BD302602", true)
	}
	for range 5 {
		register("male", "BD302602", true)
	}
	register("male", "BD6091", true)      // the only one from Sylhet
	register("female", "BD302602", false) // no research consent
	register("female", "BD302602", false)
	db.Close()
	env := w.env
	dir := t.TempDir()
	out := filepath.Join(dir, "extract.csv")
	msg, err := run(t, env, "", "research", "export", "--from", "2026-01", "--to", "2026-03", "--quasi", "sex,district", "--k", "5", "--out", out)
	if err != nil {
		t.Fatalf("export: %v\n%s", err, msg)
	}
	if !strings.Contains(msg, "12 people with research consent") || !strings.Contains(msg, "11 rows written") || !strings.Contains(msg, "1 suppressed") || !strings.Contains(msg, "1 values grouped") {
		t.Errorf("report: %s", msg)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil || len(recs) != 12 {
		t.Fatalf("extract: %d lines, %v", len(recs), err)
	}
	raw, _ := os.ReadFile(out)
	for _, secret := range []string{"Rahima", "Taslima", "Begum", "2026-02-10", "BD302602", "BD6091"} {
		if strings.Contains(string(raw), secret) {
			t.Errorf("the extract holds %q", secret)
		}
	}
	if !strings.Contains(string(raw), "female,35-44,BD3026,SA,deported,2026-02,registered,no,0,0,,,,") {
		t.Errorf("extract rows:\n%s", raw)
	}
	// The export is in the audit log.
	db2, err := sqldb.Open(context.Background(), strings.TrimPrefix(w.dsn, "sqlite://"))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	db2.AuditKeys, _ = homeward.ParseAuditKeys(env["HOMEWARD_AUDIT_KEY"])
	ev, _, err := db2.FindAuditEvents(sys, homeward.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, e := range ev {
		found = found || e.Action == "research.export"
	}
	if !found {
		t.Error("the export is not in the audit log")
	}
	// Bad requests write nothing.
	for _, args := range [][]string{
		{"--from", "2026-03", "--to", "2026-01"},
		{"--from", "2026-01", "--to", "2026-03", "--k", "1"},
		{"--from", "2026-01", "--to", "2026-03", "--quasi", "given_name"},
		{"--from", "2026-01"},
	} {
		bad := filepath.Join(dir, "bad.csv")
		if msg, err := run(t, env, "", append(append([]string{"research", "export"}, args...), "--out", bad)...); err == nil {
			t.Errorf("%v accepted: %s", args, msg)
		}
		if _, err := os.Stat(bad); err == nil {
			t.Errorf("%v left a file", args)
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

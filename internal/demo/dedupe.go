package demo

import (
	"context"
	"encoding/json"
	"fmt"

	"homeward"
	"homeward/internal/dedupe"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// demoDuplicates are returnees registered twice by Shapla: once at the
// airport and once in the district, written differently each time.
var demoDuplicates = []struct{ given, family, native, sex, dob, father, phone, nid, ext string }{
	{"Md. Rafiqul", "Islam", "মোঃ রফিকুল ইসলাম", "male", "1985", "Abdul Hamid", "01711-203040", "1985269517306", "AIR-2026-0412"},
	{"Mohammad Rafikul", "Islam", "", "male", "1985-03-12", "Md. Abdul Hamid", "01911-556677", "", "SH-DUP-1"},
	{"Shirin", "Akter", "শিরিন আক্তার", "female", "1992-07-01", "Nurul Amin", "01812-908070", "", "AIR-2026-0419"},
	{"Shirin", "Akhter", "", "female", "1992", "Nurul Amin", "01812-908070", "", "SH-DUP-2"},
}

// seedDedupe registers the demo duplicates and runs the duplicate scan, so
// that Shapla's supervisor finds pairs to review.
func seedDedupe(ctx context.Context, db *sqldb.DB, w *World) error {
	org := w.Orgs["shapla"]
	u := w.Users["caseworker@shapla.demo"]
	if org == nil || u == nil {
		return fmt.Errorf("no Shapla case worker in the demo world")
	}
	cw := homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: u.ID, OrgID: org.ID, Name: u.Name, Roles: u.Roles, Locale: u.Locale})
	for _, d := range demoDuplicates {
		docs := "[]"
		if d.nid != "" {
			docs = fmt.Sprintf(`[{"type":"national_id","number":%q,"issuing_country":"BD"}]`, d.nid)
		}
		js := fmt.Sprintf(`{"person":{"external_id":%q,"given_name":%q,"family_name":%q,"full_name_native":%q,"sex":%q,"date_of_birth":%q,
			"father_name":%q,"phones":[%q],"documents":%s,"address":{"admin_area":"BD302602","text":"Char Kalia"}},
			"episodes":[{"destination_country":"SA","departure_date":"2021-03","return":{"date":"2026-02-14","return_type":"deported","point_of_entry":"BD-DAC"}}],
			"consents":[{"purpose":"registration_case_management","method":"signed_form"}]}`, d.ext, d.given, d.family, d.native, d.sex, d.dob, d.father, d.phone, docs)
		var reg registry.Registration
		if err := json.Unmarshal([]byte(js), &reg); err != nil {
			return err
		}
		if _, err := db.Register(cw, &reg); err != nil {
			return fmt.Errorf("demo duplicate %s %s: %w", d.given, d.family, err)
		}
	}
	_, err := dedupe.New(db, dedupe.Options{Now: db.Now}).ScanAll(ctx)
	return err
}

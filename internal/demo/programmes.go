package demo

import (
	"context"
	"fmt"

	"homeward"
	"homeward/internal/programme"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// demoProgrammes: the RAISE programme (the same code, so that the
// ministry's dashboard adds the three up) at three NGOs, with a share of
// each one's open cases enrolled; Shapla runs a second, smaller programme
// too, so that some cases are in two.
var demoProgrammes = []struct {
	org, admin, worker string
	every              int // enrol every n-th open case
	p                  programme.Programme
}{
	{"shapla", "admin@shapla.demo", "caseworker@shapla.demo", 2, raise("BD3026", "BD3067")},
	{"sylhet", "admin@smwf.demo", "caseworker@smwf.demo", 3, raise("BD6091")},
	{"prottyasha", "admin@prottyasha.demo", "caseworker@prottyasha.demo", 2, raise("BD2019")},
	{"shapla", "admin@shapla.demo", "caseworker@shapla.demo", 5, programme.Programme{Code: "SHOKTI", NameEn: "Shokti — psychosocial recovery for women returnees",
		NameBn: "শক্তি — ফেরত আসা নারীদের মনোসামাজিক পুনরুদ্ধার", Donor: "UN Women", Start: "2025-07", End: "2026-12", Districts: []string{"BD3026"}}},
}

func raise(districts ...string) programme.Programme {
	return programme.Programme{Code: "RAISE", NameEn: "RAISE — Recovery and Advancement of Informal Sector Employment",
		NameBn: "রেইজ — অনানুষ্ঠানিক খাতে কর্মসংস্থানের পুনরুদ্ধার ও অগ্রগতি", Donor: "World Bank", Start: "2024-01", End: "2027-12", Districts: districts}
}

func seedProgrammes(ctx context.Context, db *sqldb.DB, w *World) error {
	for _, d := range demoProgrammes {
		org := w.Orgs[d.org]
		admin := homeward.NewContextWithActor(ctx, actorOf(w, d.admin, org))
		worker := homeward.NewContextWithActor(ctx, actorOf(w, d.worker, org))
		in := d.p
		p, err := db.CreateProgramme(admin, &in)
		if err != nil {
			return fmt.Errorf("%s at %s: %w", d.p.Code, d.org, err)
		}
		list, _, err := db.Search(worker, registry.SearchFilter{Limit: 1000})
		if err != nil {
			return err
		}
		n := 0
		for _, c := range list {
			if c.Status == registry.StatusClosed {
				continue
			}
			if n++; n%d.every != 0 {
				continue
			}
			if _, err := db.Enrol(worker, c.CaseID, p.ID); err != nil {
				return fmt.Errorf("enrol %s in %s: %w", c.CaseNumber, d.p.Code, err)
			}
		}
	}
	return nil
}

package sqldb_test

import (
	"context"
	"path/filepath"
	"slices"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/country"
	"homeward/internal/referral"
	"homeward/internal/sqldb"
)

func serviceCodes(t *testing.T, db *sqldb.DB, ctx context.Context) map[string]referral.ServiceType {
	t.Helper()
	types, err := db.ServiceTypes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]referral.ServiceType{}
	for _, st := range types {
		out[st.Code] = st
	}
	return out
}

// TestServiceCatalogueFromCountryPack: an instance stores its country's
// catalogue (Bangladesh's unchanged), and an operator's change to it
// outlives a restart.
func TestServiceCatalogueFromCountryPack(t *testing.T) {
	t.Run("Bangladesh unchanged", func(t *testing.T) {
		w := homewardtest.NewWorld(t) // Country "": the operator's, BD
		got := serviceCodes(t, w.DB, w.Ctx("ngo", homeward.RoleCaseWorker))
		want := referral.Standard()
		if len(got) != len(want) {
			t.Fatalf("%d types, want %d", len(got), len(want))
		}
		for _, st := range want {
			if g, ok := got[st.Code]; !ok || g.Kind != st.Kind || !slices.Equal(g.Shared, st.Shared) || len(g.Names) != 0 {
				t.Errorf("%s: got %+v, want %+v", st.Code, g, st)
			}
		}
	})

	t.Run("the operator organisation's country", func(t *testing.T) {
		db := homewardtest.Open(t)
		sys := homewardtest.SystemCtx()
		op := &homeward.Organisation{Name: "Ministry of Migration and Displaced", Type: homeward.OrgMinistry, Country: "IQ", Areas: []string{"IQG01"}, Operator: true}
		// Listed before the operator organisation exists (a fresh instance
		// without --country), the catalogue is the default country's but is
		// not stored, so the Iraqi operator's instance gets Iraq's.
		if before := serviceCodes(t, db, sys); before["iq_molsa_vocational_training"].Code != "" || len(before) != len(referral.Standard()) {
			t.Errorf("before any operator: %d types", len(before))
		}
		if err := db.CreateOrganisation(sys, op); err != nil {
			t.Fatal(err)
		}
		if got := serviceCodes(t, db, sys); got["iq_molsa_vocational_training"].Code == "" || got["pk_navttc_skills"].Code != "" || got["iq_krg_social_protection"].Code == "" {
			t.Errorf("an Iraqi operator's instance: %d types, without the Iraqi ones", len(got))
		}
	})

	t.Run("Iraq, and an operator's change across a restart", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "homeward.db")
		db, err := sqldb.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		db.NotesKeys, db.AuditKeys, db.Zone, db.Now = homewardtest.NotesKeys(t), homewardtest.AuditKeys(t), homewardtest.Zone, homewardtest.Clock(t)
		db.Country = "IQ"
		w := homewardtest.NewWorldOn(t, db)
		got := serviceCodes(t, db, w.Ctx("ngo", homeward.RoleCaseWorker))
		iq := referral.CountryServices(country.Lookup("IQ"))
		if len(got) != len(iq) {
			t.Fatalf("%d types, want the Iraqi %d", len(got), len(iq))
		}
		molsa := got["iq_molsa_vocational_training"]
		if molsa.Parent != "skills_training" || molsa.Names["ckb"] == "" || molsa.Provider["ar"] == "" || !molsa.Standard {
			t.Errorf("MoLSA training: %+v", molsa)
		}
		krg := got["iq_krg_social_protection"]
		krg.Active = false
		krg.Names = map[string]string{"en": "KRG social protection (closed to new cases)", "ckb": "پاراستنی کۆمەڵایەتیی هەرێم (داخراوە)"}
		if err := db.PutServiceType(w.Ctx("ngo", homeward.RoleAdministrator), &krg); homewardtest.Code(err) != homeward.EFORBIDDEN {
			t.Errorf("an NGO administrator changes the national catalogue: %v", err)
		}
		admin := w.Ctx("operator", homeward.RoleAdministrator)
		if err := db.PutServiceType(admin, &krg); err != nil {
			t.Fatal(err)
		}
		added := &referral.ServiceType{Code: "iq_rwanga_scholarship", Parent: "education_children", Kind: referral.KindGeneric, Active: true,
			Shared: []referral.Field{referral.FieldName, referral.FieldPhone}, Names: map[string]string{"en": "Scholarship"}}
		if err := db.PutServiceType(admin, added); err != nil {
			t.Fatal(err)
		}
		db.Close()

		db2, err := sqldb.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db2.Close() })
		db2.Zone, db2.Now, db2.Country = homewardtest.Zone, homewardtest.Clock(t), "IQ"
		db2.NotesKeys, db2.AuditKeys = db.NotesKeys, db.AuditKeys
		after := serviceCodes(t, db2, w.Ctx("ngo", homeward.RoleCaseWorker))
		if k := after["iq_krg_social_protection"]; k.Active || k.Names["en"] != krg.Names["en"] || !k.Standard {
			t.Errorf("the operator's change was undone by the restart: %+v", k)
		}
		if after["iq_rwanga_scholarship"].Code == "" || after["iq_rwanga_scholarship"].Standard {
			t.Errorf("the operator's type: %+v", after["iq_rwanga_scholarship"])
		}
		if len(after) != len(iq)+1 {
			t.Errorf("%d types after the restart, want %d", len(after), len(iq)+1)
		}
	})
}

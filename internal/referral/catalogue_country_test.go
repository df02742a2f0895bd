package referral

import (
	"reflect"
	"slices"
	"testing"

	"homeward/internal/country"
	"homeward/internal/i18n"
)

// basic is what nearly every provider needs to reach and serve someone.
var basic = []Field{FieldName, FieldSex, FieldAge, FieldPhone, FieldDistrict}

func with(extra ...Field) []Field { return append(slices.Clone(basic), extra...) }

// TestBangladeshCatalogueUnchanged compares the Bangladesh pack's
// catalogue with the list Homeward held in code before packs carried it.
func TestBangladeshCatalogueUnchanged(t *testing.T) {
	st := func(code, parent string, kind Kind, shared []Field) ServiceType {
		return ServiceType{Code: code, Parent: parent, Kind: kind, Shared: shared, Active: true, Standard: true}
	}
	want := []ServiceType{
		st("skills_training", "", KindTraining, with(FieldEducation, FieldLanguages, FieldOccupationAbroad, FieldDisability)),
		st("business_startup", "", KindGeneric, with(FieldOccupationAbroad, FieldHousehold)),
		st("business_grant_cash", "business_startup", KindGrant, with(FieldAddress, FieldOccupationAbroad, FieldHousehold, FieldNationalID)),
		st("business_grant_in_kind", "business_startup", KindGrant, with(FieldAddress, FieldOccupationAbroad, FieldHousehold, FieldNationalID)),
		st("business_development", "business_startup", KindTraining, with(FieldEducation, FieldOccupationAbroad)),
		st("psychosocial_counselling", "", KindCounselling, with(FieldLanguages, FieldReturn, FieldVulnerabilities)),
		st("recognition_prior_learning", "", KindTraining, with(FieldEducation, FieldOccupationAbroad, FieldDestinationCountry)),
		st("job_placement", "", KindPlacement, with(FieldEducation, FieldOccupationAbroad, FieldDestinationCountry, FieldDisability)),
		st("financial_services", "", KindGeneric, with(FieldHousehold)),
		st("financial_literacy", "financial_services", KindTraining, with(FieldEducation, FieldHousehold)),
		st("financial_access", "financial_services", KindGeneric, with(FieldAddress, FieldNationalID)),
		st("legal_aid_documentation", "", KindGeneric, []Field{FieldName, FieldSex, FieldDateOfBirth, FieldPhone, FieldDistrict, FieldNationalID, FieldDestinationCountry, FieldReturn, FieldVulnerabilities}),
		st("medical_care", "", KindGeneric, with(FieldDisability, FieldVulnerabilities)),
		st("housing", "", KindGeneric, with(FieldAddress, FieldHousehold, FieldVulnerabilities)),
		st("education_children", "", KindGeneric, []Field{FieldName, FieldPhone, FieldDistrict, FieldHousehold}),
		st("social_protection", "", KindGeneric, []Field{FieldName, FieldSex, FieldDateOfBirth, FieldPhone, FieldDistrict, FieldAddress, FieldNationalID, FieldHousehold, FieldDisability}),
		st("family_counselling", "", KindCounselling, with(FieldLanguages, FieldHousehold)),
		st("arrival_assistance", "", KindGeneric, with(FieldReturn, FieldDestinationCountry, FieldVulnerabilities)),
	}
	if got := CountryServices(country.Lookup("BD")); !reflect.DeepEqual(got, want) {
		t.Errorf("the Bangladesh catalogue changed:\n got %+v\nwant %+v", got, want)
	}
	if got := Standard(); !reflect.DeepEqual(got, want) {
		t.Errorf("Standard() is not the Bangladesh catalogue")
	}
	if got := CountryServices(nil); !reflect.DeepEqual(got, want) {
		t.Errorf("no pack: want the default country's catalogue")
	}
}

// TestCountryCatalogues checks every pack's catalogue as the referral
// rules read it (kinds, fields, tree), and that every type is labelled in
// each of the pack's languages: by its names, or by the message catalog.
func TestCountryCatalogues(t *testing.T) {
	for _, p := range country.All() {
		types := CountryServices(p)
		if _, err := NewCatalogue(types); err != nil {
			t.Errorf("%s: %v", p.Code, err)
		}
		for _, st := range types {
			if len(st.Names) == 0 {
				if !i18n.Has("referral.service." + st.Code) {
					t.Errorf("%s: %s has no names and no catalog key", p.Code, st.Code)
				}
				continue
			}
			for _, l := range p.Languages {
				if st.Names[l] == "" || (len(st.Provider) > 0 && st.Provider[l] == "") {
					t.Errorf("%s: %s has no name or provider in %s", p.Code, st.Code, l)
				}
			}
		}
	}
	national := func(code string, want ...string) {
		t.Helper()
		c, err := NewCatalogue(CountryServices(country.Lookup(code)))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range want {
			st, ok := c.Type(w)
			if !ok || st.Provider["en"] == "" {
				t.Errorf("%s: want the national type %s with its provider, got %+v", code, w, st)
			}
		}
		// A national type is covered by an offer of its general parent.
		if !c.Covers("skills_training", want[0]) {
			t.Errorf("%s: skills_training does not cover %s", code, want[0])
		}
	}
	national("IQ", "iq_molsa_vocational_training", "iq_krg_vocational_training", "iq_social_protection_network", "iq_krg_social_protection")
	national("PK", "pk_navttc_skills", "pk_tevta_skills", "pk_pvtc_rpl", "pk_opf_toolkit", "pk_beoe_welfare")
}

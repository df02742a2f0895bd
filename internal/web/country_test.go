package web_test

import (
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/i18n"
)

// TestPakistanInstanceForms: on an instance serving Pakistan, whose NGO
// works in Lahore, the registration form offers Pakistan's districts and
// points of entry, refuses an Iraqi district and an Iraqi airport with a
// message naming the field, and shows a CNIC as Pakistan writes it.
func TestPakistanInstanceForms(t *testing.T) {
	b, w := newBrowserIn(t, "PK", func(w *homewardtest.World) {
		sys := homewardtest.SystemCtx()
		o, err := w.DB.FindOrganisationByID(sys, w.NGO.ID)
		if err != nil {
			t.Fatal(err)
		}
		pk, areas := "PK", []string{"PK617"}
		if _, err := w.DB.UpdateOrganisation(sys, o.ID, o.Version, homeward.OrganisationUpdate{Country: &pk, Areas: &areas}); err != nil {
			t.Fatal(err)
		}
	})
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page := cw.get("/people/new")
	// Money is in rupees unless the user writes another currency.
	for _, want := range []string{`value="PK617"`, "Punjab", `value="PK-LHE"`, `value="end_of_contract"`, `value="amnesty_repatriation"`, `class="reg-currency" name="episodes[0].migration_cost.currency" value="PKR"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	// In Urdu the districts and provinces are named in Urdu.
	cw.get("/lang?to=ur&back=/")
	if _, ur := cw.get("/people/new"); !strings.Contains(ur, "لاہور") || !strings.Contains(ur, "پنجاب") || !strings.Contains(ur, "اجرت نہیں ملی یا کاٹ لی گئی") {
		t.Errorf("the Urdu form names Lahore, Punjab or unpaid wages otherwise")
	}
	cw.get("/lang?to=en&back=/")
	for _, not := range []string{`value="BD3026"`, `value="BD-DAC"`, `value="idp_camp_return"`, `value="BDT"`, `value="camp_closure"`} {
		if strings.Contains(page, not) {
			t.Errorf("the form of a Pakistani instance offers %s", not)
		}
	}
	form := func(district, cnic string, port ...string) url.Values {
		poe := "PK-LHE"
		if len(port) > 0 {
			poe = port[0]
		}
		return url.Values{"csrf_token": {csrf(t, page)},
			"person.given_name": {"Imran"}, "person.family_name": {"Khan"}, "person.full_name_native": {"عمران خان"}, "person.sex": {"male"},
			"person.date_of_birth": {"1988"}, "person.phones": {"0300 1234567"},
			"person.documents[0].type": {"national_id"}, "person.documents[0].number": {cnic},
			"person.address.district":         {district},
			"episodes[0].destination_country": {"SA"}, "episodes[0].return.date": {"2026-01-10"}, "episodes[0].return.return_type": {"deported"},
			"episodes[0].return.point_of_entry": {poe},
			"consent.purpose":                   {"registration_case_management"}, "consent.method": {"signed_form"}}
	}
	status, res := cw.post("/people", form("IQG11Q02", "35202-1234567-1"))
	if status != 400 || !strings.Contains(res, "“IQG11Q02” is an area of another country (IQ); this instance serves PK") {
		t.Errorf("an Iraqi district on a Pakistani instance: %d\n%.3000s", status, res)
	}
	// A port of entry of another country, typed past the form's list.
	status, res = cw.post("/people", form("PK617", "3520212345671", "IQ-EBL"))
	if status != 400 || !strings.Contains(res, "“IQ-EBL” is a point of entry of another country (IQ); this instance serves PK") {
		t.Errorf("an Iraqi airport on a Pakistani instance: %d\n%.3000s", status, res)
	}
	status, res = cw.post("/people", form("PK617", "3520-21234567-1"))
	if status != 400 || !strings.Contains(res, "is not written like #####-#######-#") {
		t.Errorf("a CNIC with misplaced dashes: %d", status)
	}
	// A migration cost with its currency box cleared is in rupees.
	lahore := form("PK617", "3520212345671")
	lahore.Set("episodes[0].migration_cost.amount", "450000")
	lahore.Set("episodes[0].migration_cost.currency", "")
	// Reasons for return are those in use in Pakistan; an Iraqi one
	// typed past the form's list is refused.
	lahore["episodes[0].return.reasons"] = []string{"wages_unpaid", "camp_closure"}
	if status, res := cw.post("/people", lahore); status != 400 || !strings.Contains(res, "“camp_closure” is not a reason for return in use in PK") {
		t.Errorf("a camp closure in Lahore: %d\n%.3000s", status, res)
	}
	lahore["episodes[0].return.reasons"] = []string{"wages_unpaid", "amnesty_repatriation"}
	status, res = cw.post("/people", lahore)
	if status != 200 || !strings.Contains(res, "35202-1234567-1") || !strings.Contains(res, "PAK-") ||
		!strings.Contains(res, `<dd id="return-reasons">Wages unpaid or cut, An amnesty or mass repatriation by the destination country</dd>`) {
		t.Errorf("a Lahore registration: %d\n%.3000s", status, res)
	}
	label := i18n.T("en", "registry.ui.migration_cost", nil)
	if i := strings.Index(res, label); i < 0 || !strings.Contains(res[i:min(len(res), i+200)], "PKR") || strings.Contains(res, "BDT") {
		t.Errorf("the migration cost is not in rupees:\n%.200s", res[max(0, i):])
	}
}

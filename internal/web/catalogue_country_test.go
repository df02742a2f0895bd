package web_test

import (
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/registry"
)

// TestIraqiCatalogueAndConsentText: an Iraqi instance lists its national
// service types with their providers, its form names them in the
// instance's languages and keeps what it does not show, and a consent
// receipt of an Iraqi organisation reads the pack's default text.
func TestIraqiCatalogueAndConsentText(t *testing.T) {
	var rec *registry.Record
	b, w := newBrowserIn(t, "IQ", func(w *homewardtest.World) {
		w.DB.Country = "IQ"
		rec = register(t, w, "Shirin", "Ahmed", "شیرین ئەحمەد", "01712345678")
		sys := homewardtest.SystemCtx()
		o, err := w.DB.FindOrganisationByID(sys, w.NGO.ID)
		if err != nil {
			t.Fatal(err)
		}
		iq, areas := "IQ", []string{"IQG08"}
		if _, err := w.DB.UpdateOrganisation(sys, o.ID, o.Version, homeward.OrganisationUpdate{Country: &iq, Areas: &areas}); err != nil {
			t.Fatal(err)
		}
	})
	admin := b.as(w, "operator", homeward.RoleAdministrator)
	admin.get("/lang?to=ckb&back=/services")
	_, list := admin.get("/services")
	for _, want := range []string{`id="service-iq_molsa_vocational_training"`, "ناوەندی ڕاهێنانی پیشەیی لە هەرێمی کوردستان", "پێشکەشکار: وەزارەتی کار و کاروباری کۆمەڵایەتیی حکومەتی هەرێمی کوردستان"} {
		if !strings.Contains(list, want) {
			t.Errorf("the Sorani catalogue lacks %s", want)
		}
	}
	if strings.Contains(list, "pk_navttc_skills") {
		t.Error("an Iraqi instance lists a Pakistani service")
	}
	admin.get("/lang?to=en&back=/services")
	_, form := admin.get("/services/iq_krg_social_protection/edit")
	for _, want := range []string{`name="name_en"`, `name="name_ar"`, `name="name_ckb"`, "Name in Sorani Kurdish", "Provided by Kurdistan Regional Government"} {
		if !strings.Contains(form, want) {
			t.Errorf("the edit form lacks %s", want)
		}
	}
	if strings.Contains(form, `name="name_bn"`) {
		t.Error("the Iraqi form asks for a Bangla name")
	}
	status, _ := admin.post("/services", url.Values{"csrf_token": {csrf(t, form)}, "new": {"false"}, "code": {"iq_krg_social_protection"},
		"parent": {"social_protection"}, "kind": {"generic"}, "shared": {"name", "phone", "district"}, "active": {"true"},
		"name_en": {"KRG social protection"}, "name_ar": {""}, "name_ckb": {"پاراستنی کۆمەڵایەتیی هەرێم"}})
	if status != 200 {
		t.Fatalf("save: %d", status)
	}
	types, err := w.DB.ServiceTypes(w.Ctx("ngo", homeward.RoleCaseWorker))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range types {
		if st.Code == "iq_krg_social_protection" && (st.Names["en"] != "KRG social protection" || st.Names["ar"] != "" || st.Provider["ckb"] == "" || !st.Standard) {
			t.Errorf("after the edit: %+v", st)
		}
	}

	var consentID string
	for _, c := range rec.Consents {
		if c.Purpose == registry.PurposeReferral {
			consentID = c.ID
		}
	}
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	// The registration form gives the Iraqi text to read before consent.
	if _, form := cw.get("/people/new"); !strings.Contains(form, `id="consent-notices"`) || !strings.Contains(form, "social protection offices of the Ministry of Labour and Social Affairs") {
		t.Error("the registration form lacks the Iraqi consent text")
	}
	receipt := "/people/" + rec.Person.ID + "/consents/" + consentID + "/receipt"
	if _, page := cw.get(receipt + "?lang=ar"); !strings.Contains(page, "دوائر الحماية الاجتماعية التابعة لوزارة العمل") {
		t.Errorf("the Arabic receipt lacks the Iraqi consent text:\n%.2000s", page[strings.Index(page, "<main"):])
	}
	if _, js := cw.get(receipt + "?format=json&lang=en"); !strings.Contains(js, "social protection offices of the Ministry of Labour and Social Affairs") {
		t.Errorf("the JSON receipt lacks the Iraqi consent text:\n%s", js)
	}
	// Bangla: the pack has no Bangla text; the catalog's applies.
	if _, page := cw.get(receipt + "?lang=bn"); strings.Contains(page, "Ministry of Labour") || !strings.Contains(page, "সম্মতির রসিদ") {
		t.Errorf("the Bangla receipt of an Iraqi organisation:\n%.2000s", page[strings.Index(page, "<main"):])
	}
}

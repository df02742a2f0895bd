package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// fundWorld adds to the referral world an enterprise fund whose one offer is
// the broad "business start-up" service, which covers the grants below it.
func fundWorld(t *testing.T, w *homewardtest.World) *homeward.Organisation {
	t.Helper()
	sys := homewardtest.SystemCtx()
	fund := &homeward.Organisation{Name: "Notun Shuru Fund", Type: homeward.OrgServiceProvider, Country: "BD", Areas: []string{"BD30"}}
	if err := w.DB.CreateOrganisation(sys, fund); err != nil {
		t.Fatal(err)
	}
	if err := w.DB.SetSignInPolicy(sys, homewardtest.NoSecondFactor(fund.ID)); err != nil {
		t.Fatal(err)
	}
	if err := w.DB.CreateOffer(sys, &referral.Offer{OrgID: fund.ID, ServiceType: "business_startup", Areas: []string{"BD30"}, Active: true}); err != nil {
		t.Fatal(err)
	}
	return fund
}

// Referring lists a provider under every service its offer covers, so
// that a fund offering business start-up takes a referral for a cash grant;
// the plan editor offers, for each line, only the providers of its service.
func TestReferringOffersEveryCoveredService(t *testing.T) {
	b, w := newBrowser(t)
	provider, _, pid := referralWorld(t, w)
	fund := fundWorld(t, w)
	if err := w.DB.RecordConsent(w.Ctx("ngo", homeward.RoleCaseWorker), pid, &registry.Consent{Purpose: registry.PurposeReferral, Method: registry.MethodSignedForm,
		Recipient: registry.Recipient{OrgID: fund.ID}}); err != nil {
		t.Fatal(err)
	}
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, panel := cw.get("/people/" + pid + "/referrals/panel")
	grants := regexp.MustCompile(`<optgroup label="Business grant \(cash\)"><option value="([^"]+)">Notun Shuru Fund`).FindStringSubmatch(panel)
	if grants == nil {
		t.Fatalf("the cash grant is not offered:\n%s", section(panel, `id="refer-offer"`))
	}
	for _, want := range []string{`label="Business start-up support"`, `label="Skills training"`} {
		if !strings.Contains(panel, want) {
			t.Errorf("panel lacks %s", want)
		}
	}
	status, page, at := cw.postAt("/people/"+pid+"/referrals", url.Values{"csrf_token": {csrf(t, panel)}, "offer": {grants[1]}}, nil)
	if status != 200 || !strings.HasPrefix(at, "/referrals/") {
		t.Fatalf("refer for a cash grant: %d %s\n%s", status, at, section(page, `role="alert"`))
	}
	ref, err := w.DB.FindReferral(homewardtest.SystemCtx(), strings.TrimPrefix(at, "/referrals/"))
	if err != nil || ref.ServiceType != "business_grant_cash" || ref.ToOrgID != fund.ID {
		t.Fatalf("referral: %v %+v", err, ref)
	}
	cw.get("/lang?to=bn&back=/")
	if _, panel := cw.get("/people/" + pid + "/referrals/panel"); !strings.Contains(panel, `label="ব্যবসায়িক অনুদান (নগদ)"`) {
		t.Error("Bangla panel lacks the cash grant")
	}
	cw.get("/lang?to=en&back=/")

	// The plan editor.
	rec, err := w.DB.FindRecord(w.Ctx("ngo", homeward.RoleCaseWorker), pid)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := w.DB.CreatePlan(w.Ctx("ngo", homeward.RoleCaseWorker), rec.Case.ID, referral.PlanInput{Goals: []referral.Goal{{Text: "Electrician", Dimension: "economic"}},
		Services: []referral.PlannedService{{ServiceType: "skills_training", ProviderOrgID: provider.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	_, page = cw.get("/plans/" + plan.ID)
	sel := selectHTML(page, "svc-provider-0")
	if !strings.Contains(sel, provider.Name) || strings.Contains(sel, fund.Name) {
		t.Errorf("training line's providers: %s", sel)
	}
	if !strings.Contains(page, `hx-get="/plans/providers-for?row=0"`) {
		t.Error("choosing a service does not reload the providers")
	}
	status, frag := cw.get("/plans/providers-for?row=1&svc_type=business_grant_cash")
	if status != 200 || !strings.HasPrefix(frag, `<select id="svc-provider-1"`) || !strings.Contains(frag, fund.Name) || strings.Contains(frag, provider.Name) {
		t.Errorf("providers for a cash grant: %d %s", status, frag)
	}
	if _, frag := cw.get("/plans/providers-for?row=1&svc_type="); !strings.Contains(frag, fund.Name) || !strings.Contains(frag, provider.Name) {
		t.Errorf("providers with no service chosen: %s", frag)
	}
	// Only those who write plans ask.
	if status, _ := b.as(w, "ngo", homeward.RoleAuditor).get("/plans/providers-for?row=1&svc_type=housing"); status != 403 {
		t.Errorf("auditor: %d", status)
	}
}

// selectHTML returns the select element with id.
func selectHTML(page, id string) string {
	i := strings.Index(page, `<select id="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(page[i:], "</select>")
	if j < 0 {
		return page[i:]
	}
	return page[i : i+j]
}

package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/password"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// referralWorld adds a service provider with a staff member and a training
// offer, and a returnee of the NGO who consented to be referred there.
func referralWorld(t *testing.T, w *homewardtest.World) (provider *homeward.Organisation, staff *homeward.User, personID string) {
	t.Helper()
	sys := homewardtest.SystemCtx()
	provider = &homeward.Organisation{Name: "Dhaka Skills and Care Centre", Type: homeward.OrgServiceProvider, Country: "BD", Areas: []string{"BD3026"}}
	if err := w.DB.CreateOrganisation(sys, provider); err != nil {
		t.Fatal(err)
	}
	// Its users sign in with the password alone, as the World's do.
	if err := w.DB.SetSignInPolicy(sys, homewardtest.NoSecondFactor(provider.ID)); err != nil {
		t.Fatal(err)
	}
	hash := password.Hash(homewardtest.Password)
	staff = &homeward.User{OrgID: provider.ID, Email: "staff@provider.test", Name: "Provider Staff", Roles: []homeward.Role{homeward.RoleProviderStaff}}
	admin := &homeward.User{OrgID: provider.ID, Email: "admin@provider.test", Name: "Provider Admin", Roles: []homeward.Role{homeward.RoleAdministrator}}
	for _, u := range []*homeward.User{staff, admin} {
		if err := w.DB.CreateUserWithHash(sys, u, hash); err != nil {
			t.Fatal(err)
		}
	}
	adminCtx := homeward.NewContextWithActor(sys, &homeward.Actor{UserID: admin.ID, OrgID: provider.ID, Name: admin.Name, Roles: admin.Roles, Locale: "en"})
	o := &referral.Offer{ServiceType: "skills_training", Areas: []string{"BD30"}, Active: true, Capacity: referral.Capacity{Places: 10},
		Contact: referral.Contact{Name: "Front desk", Phone: "+8802 5555"}}
	if err := w.DB.CreateOffer(adminCtx, o); err != nil {
		t.Fatal(err)
	}
	js := fmt.Sprintf(`{"person":{"given_name":"Rahima","family_name":"Khatun","sex":"female","date_of_birth":"1992",
		"phones":["01712-345678"],"documents":[{"type":"national_id","number":"1234567890","issuing_country":"BD"}],
		"address":{"admin_area":"BD302602","text":"House 7 Secret Lane"}},
		"episodes":[{"destination_country":"SA","sector":"domestic_work","departure_date":"2019-02","return":{"date":%q,"return_type":"deported","point_of_entry":"BD-DAC"}}],
		"consents":[{"purpose":"registration_case_management","method":"signed_form"},{"purpose":"referral","method":"signed_form","recipient":{"org_id":%q}}]}`,
		w.DB.Now().AddDate(0, 0, -10).Format(time.DateOnly), provider.ID)
	var reg registry.Registration
	if err := json.Unmarshal([]byte(js), &reg); err != nil {
		t.Fatal(err)
	}
	rec, err := w.DB.Register(w.Ctx("ngo", homeward.RoleCaseWorker), &reg)
	if err != nil {
		t.Fatal(err)
	}
	return provider, staff, rec.Person.ID
}

// referralCase is referralWorld with the returnee's record loaded, and
// the contexts of the NGO's case worker and of the provider's staff.
func referralCase(t *testing.T, w *homewardtest.World) (provider *homeward.Organisation, staff *homeward.User, rec *registry.Record, cw, staffCtx context.Context) {
	t.Helper()
	provider, staff, pid := referralWorld(t, w)
	cw = w.Ctx("ngo", homeward.RoleCaseWorker)
	rec, err := w.DB.FindRecord(cw, pid)
	if err != nil {
		t.Fatal(err)
	}
	staffCtx = homeward.NewContextWithActor(context.Background(), &homeward.Actor{UserID: staff.ID, OrgID: provider.ID, Roles: staff.Roles})
	return provider, staff, rec, cw, staffCtx
}

func (b *browser) fresh() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: b.t, base: b.base, c: &http.Client{Jar: jar}}
}

var (
	offerRe   = regexp.MustCompile(`<option value="([0-9a-f-]{36}(?::[a-z_]+)?)"[^>]*>Dhaka Skills`)
	refLinkRe = regexp.MustCompile(`href="/referrals/([0-9a-f-]{36})"`)
	versionRe = regexp.MustCompile(`name="version" value="(\d+)"`)
)

func TestReferralPages(t *testing.T) {
	sender, w := newBrowser(t)
	_, staff, pid := referralWorld(t, w)

	// The case worker refers the returnee from the person page's panel.
	sender.login(w.Users["ngo"][homeward.RoleCaseWorker].Email)
	if _, page := sender.get("/people/" + pid); !strings.Contains(page, `hx-get="/people/`+pid+`/referrals/panel"`) || !strings.Contains(page, `id="nav-referrals"`) {
		t.Fatal("person page lacks the referral panel or the nav link")
	}
	status, panel := sender.get("/people/" + pid + "/referrals/panel")
	m := offerRe.FindStringSubmatch(panel)
	if status != 200 || m == nil || strings.Contains(panel, "<html") {
		t.Fatalf("panel: %d\n%s", status, panel)
	}
	token := csrf(t, panel)
	// Without the CSRF token nothing is sent.
	if status, _ := sender.post("/people/"+pid+"/referrals", url.Values{"offer": {m[1]}}); status != 403 {
		t.Errorf("refer without CSRF: %d", status)
	}
	status, page, at := sender.postAt("/people/"+pid+"/referrals", url.Values{"csrf_token": {token}, "offer": {m[1]}, "due_date": {"yesterday"}}, nil)
	if status != 400 || !strings.Contains(page, "write it as dd/mm/yyyy") {
		t.Errorf("bad due date: %d %s", status, at)
	}
	status, page, at = sender.postAt("/people/"+pid+"/referrals", url.Values{"csrf_token": {token}, "offer": {m[1]}, "note": {"Wants tailoring."}}, nil)
	if status != 200 || !strings.HasPrefix(at, "/referrals/") || !strings.Contains(page, "Referral sent.") || !strings.Contains(page, `id="referral-state">Sent<`) {
		t.Fatalf("refer: %d %s\n%s", status, at, page)
	}
	refID := strings.TrimPrefix(at, "/referrals/")
	if !strings.Contains(page, `id="do-revoked"`) || strings.Contains(page, `id="do-accepted"`) {
		t.Error("the sender should be offered revoke only")
	}
	// A second open referral for the same service is refused.
	if status, page, _ := sender.postAt("/people/"+pid+"/referrals", url.Values{"csrf_token": {token}, "offer": {m[1]}}, nil); status != 409 || !strings.Contains(page, "An open referral for this service") {
		t.Errorf("duplicate referral: %d", status)
	}

	// The provider's staff see it in their inbox, with the shared fields only.
	provider := sender.fresh()
	provider.login(staff.Email)
	_, inbox := provider.get("/referrals")
	if !strings.Contains(inbox, `id="ref-`+refID+`"`) || !strings.Contains(inbox, "Shapla Returnee Support") || !strings.Contains(inbox, `id="nav-referrals"`) {
		t.Fatalf("provider inbox:\n%s", inbox)
	}
	if _, list := provider.get("/referrals?box=inbox&state=accepted"); strings.Contains(list, `id="ref-`+refID+`"`) {
		t.Error("state filter ignored")
	}
	status, view := provider.get("/referrals/" + refID)
	if status != 200 || !strings.Contains(view, "Rahima Khatun") || !strings.Contains(view, "Wants tailoring.") {
		t.Fatalf("provider view: %d\n%s", status, view)
	}
	for _, secret := range []string{"1234567890", "House 7 Secret Lane", `id="ref-person"`, "/people/" + pid} {
		if strings.Contains(view, secret) {
			t.Errorf("receiver sees %q, which is not shared", secret)
		}
	}
	if !strings.Contains(view, `id="do-accepted"`) || !strings.Contains(view, `id="do-declined"`) || strings.Contains(view, `id="do-revoked"`) {
		t.Error("the receiver should be offered accept and decline")
	}
	ptoken := csrf(t, view)
	version := versionRe.FindStringSubmatch(view)[1]
	// CSRF required for a move.
	if status, _ := provider.post("/referrals/"+refID+"/move", url.Values{"version": {version}, "to": {"accepted"}}); status != 403 {
		t.Errorf("move without CSRF: %d", status)
	}
	// Declining needs a reason.
	if status, page := provider.post("/referrals/"+refID+"/move", url.Values{"csrf_token": {ptoken}, "version": {version}, "to": {"declined"}}); status != 400 || !strings.Contains(page, "This field is required.") {
		t.Errorf("decline without reason: %d", status)
	}
	status, page, _ = provider.postAt("/referrals/"+refID+"/move", url.Values{"csrf_token": {ptoken}, "version": {version}, "to": {"accepted"}}, nil)
	if status != 200 || !strings.Contains(page, `id="referral-state">Accepted<`) || !strings.Contains(page, `id="do-in_progress"`) {
		t.Fatalf("accept: %d\n%s", status, page)
	}
	// The same stale version again is refused.
	if status, _ := provider.post("/referrals/"+refID+"/move", url.Values{"csrf_token": {ptoken}, "version": {version}, "to": {"in_progress"}}); status != 412 && status != 409 {
		t.Errorf("stale version: %d", status)
	}

	// The sender sees the change.
	_, view = sender.get("/referrals/" + refID)
	if !strings.Contains(view, `id="referral-state">Accepted<`) || !strings.Contains(view, `id="ref-person"`) {
		t.Errorf("sender's view after accept:\n%s", view)
	}
	if _, panel := sender.get("/people/" + pid + "/referrals/panel"); !strings.Contains(panel, "Accepted") {
		t.Error("the panel does not show the new state")
	}
	if _, out := sender.get("/referrals?box=outbox"); !refLinkRe.MatchString(out) || !strings.Contains(out, "Dhaka Skills and Care Centre") {
		t.Error("sender's outbox lacks the referral")
	}

	// Another organisation does not know the referral exists.
	other := sender.fresh()
	other.login(w.Users["operator"][homeward.RoleCaseWorker].Email)
	if status, _ := other.get("/referrals/" + refID); status != 404 {
		t.Errorf("other organisation's view: %d", status)
	}
	if _, list := other.get("/referrals?box=outbox"); strings.Contains(list, refID) {
		t.Error("other organisation lists the referral")
	}

	// Bangla.
	provider.get("/lang?to=bn&back=/referrals")
	if _, page := provider.get("/referrals/" + refID); !strings.Contains(page, "গৃহীত") && !strings.Contains(page, "সেবা শুরু করুন") {
		t.Error("Bangla referral page")
	}
}

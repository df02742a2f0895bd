package web_test

import (
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/referral"
)

// A provider's administrator adds and edits the organisation's service
// offers; bad input is refused with the reason at the field and nothing
// written; other people cannot.
func TestOfferManagement(t *testing.T) {
	b, w := newBrowser(t)
	provider, _, _ := referralWorld(t, w)
	sys := homewardtest.SystemCtx()
	count := func() int {
		t.Helper()
		list, err := w.DB.FindOffers(sys, referral.OfferFilter{OrgID: provider.ID, Inactive: true})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	admin := b.fresh()
	admin.login("admin@provider.test")
	status, page := admin.get("/providers")
	if status != 200 || !strings.Contains(page, `id="my-offers"`) || !strings.Contains(page, `id="offer-new"`) {
		t.Fatalf("directory for a provider admin: %d", status)
	}
	_, page = admin.get("/providers/offers/new")
	token := csrf(t, page)
	good := url.Values{"csrf_token": {token}, "service_type": {"job_placement"}, "description": {"Sewing jobs in Gazipur factories."}, "areas": {"BD30, BD3026"},
		"eligibility.text": {"Women with sewing experience."}, "eligibility.sexes": {"female"}, "eligibility.min_age": {"18"}, "eligibility.max_age": {"45"},
		"capacity.places": {"12"}, "capacity.period": {"month"}, "contact.name": {"Placement desk"}, "contact.phone": {"+880 1711 000444"},
		"contact.email": {"jobs@provider.example"}, "hours_days_0": {"sa", "su", "mo"}, "hours_opens_0": {"09:00"}, "hours_closes_0": {"16:30"}, "active": {"true"}}
	bad := []struct{ name, field, value, want string }{
		{"unknown area", "areas", "XX99", "“XX99” is not a known administrative area (p-code)."},
		{"no area", "areas", "", "Name at least one area served"},
		{"age not a number", "eligibility.min_age", "eighteen", "Write a whole number."},
		{"ages reversed", "eligibility.min_age", "50", "The maximum age is below the minimum age."},
		{"bad time", "hours_opens_0", "9am", "Write a time as HH:MM"},
		{"closing before opening", "hours_closes_0", "08:00", "Closing time must be after opening time."},
		{"bad e-mail", "contact.email", "jobs at provider", "This is not a valid e-mail address."},
		{"negative places", "capacity.places", "-3", "Places are between 0 (no limit) and 100000."},
		{"no service type", "service_type", "", "This field is required."},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range good {
				f[k] = v
			}
			f.Set(tc.field, tc.value)
			status, page := admin.post("/providers/offers", f)
			if status != 400 || !strings.Contains(strings.ReplaceAll(page, "&#34;", "\""), tc.want) {
				t.Errorf("status %d, want %q\n%.2500s", status, tc.want, page)
			}
			if !strings.Contains(page, "Sewing jobs in Gazipur factories.") {
				t.Error("typed text lost")
			}
			if n := count(); n != 1 {
				t.Errorf("%d offers after a refused form", n)
			}
		})
	}
	status, _, at := admin.postAt("/providers/offers", good, nil)
	if status != 200 || !strings.HasPrefix(at, "/providers") || count() != 2 {
		t.Fatalf("create: %d %s, %d offers", status, at, count())
	}
	list, _ := w.DB.FindOffers(sys, referral.OfferFilter{OrgID: provider.ID, ServiceType: "job_placement"})
	if len(list) != 1 {
		t.Fatalf("job placement offers: %d", len(list))
	}
	o := list[0]
	if o.Capacity.Places != 12 || o.Capacity.Period != referral.PeriodMonth || len(o.Hours) != 1 || o.Hours[0].Closes != "16:30" ||
		len(o.Eligibility.Sexes) != 1 || o.Eligibility.MaxAge == nil || *o.Eligibility.MaxAge != 45 || len(o.Areas) != 2 {
		t.Errorf("stored offer: %+v", o)
	}
	// Edit: a stale form is refused; a fresh one withdraws the offer.
	status, page = admin.get("/providers/offers/" + o.ID + "/edit")
	if status != 200 || !strings.Contains(page, "Sewing jobs in Gazipur factories.") || !strings.Contains(page, `value="16:30"`) {
		t.Fatalf("edit form: %d", status)
	}
	edit := url.Values{}
	for k, v := range good {
		edit[k] = v
	}
	edit.Del("active")
	edit.Set("version", "7")
	if status, page := admin.post("/providers/offers/"+o.ID, edit); status != 412 || !strings.Contains(page, `id="form-error"`) {
		t.Errorf("stale edit: %d", status)
	}
	edit.Set("version", "1")
	if status, _ := admin.post("/providers/offers/"+o.ID, edit); status != 200 {
		t.Errorf("withdraw: %d", status)
	}
	if got, _ := w.DB.FindOffer(sys, o.ID); got.Active || got.Version != 2 {
		t.Errorf("after withdrawing: active %v, version %d", got.Active, got.Version)
	}
	if _, page := admin.get("/providers"); !strings.Contains(page, `id="my-offer-`+o.ID+`"`) || !strings.Contains(page, "Not offered now") {
		t.Error("the withdrawn offer is not listed for its organisation")
	}
	// Bangla errors.
	admin.get("/lang?to=bn&back=/")
	edit.Set("version", "2")
	edit.Set("areas", "XX99")
	if status, page := admin.post("/providers/offers/"+o.ID, edit); status != 400 || !strings.Contains(page, "“XX99” কোনো পরিচিত প্রশাসনিক এলাকা (পি-কোড) নয়।") {
		t.Errorf("Bangla refusal: %d", status)
	}
	// Others: provider staff and a case worker may not manage offers; an
	// NGO's administrator may not edit the provider's.
	staff := b.fresh()
	staff.login("staff@provider.test")
	for name, v := range map[string]*browser{"provider staff": staff, "NGO case worker": b.as(w, "ngo", homeward.RoleCaseWorker), "NGO admin": b.as(w, "ngo", homeward.RoleAdministrator)} {
		_, home := v.get("/home")
		if name != "NGO admin" {
			if status, _ := v.get("/providers/offers/new"); status != 403 {
				t.Errorf("%s opens the new-offer form: %d", name, status)
			}
		}
		if status, _ := v.get("/providers/offers/" + o.ID + "/edit"); status != 403 {
			t.Errorf("%s opens the provider's offer: %d", name, status)
		}
		f := url.Values{"csrf_token": {csrf(t, home)}}
		for k, x := range good {
			if k != "csrf_token" {
				f[k] = x
			}
		}
		f.Set("version", "2")
		f.Set("description", "Hijacked")
		if status, _ := v.post("/providers/offers/"+o.ID, f); status != 403 {
			t.Errorf("%s edits the provider's offer: %d", name, status)
		}
	}
	if got, _ := w.DB.FindOffer(sys, o.ID); got.Description == "Hijacked" || got.Version != 2 {
		t.Error("an outsider changed the offer")
	}
}

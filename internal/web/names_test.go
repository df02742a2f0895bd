package web_test

import (
	"net/url"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
)

// The timeline and the grant page name people and services: the catalogue's
// translated service names, colleagues by name and another organisation's
// users by that organisation's name — never codes, ids or "a colleague".
func TestTimelineAndGrantShowNames(t *testing.T) {
	b, w := newBrowser(t)
	provider, staff, sups, refs := deliveryWorld(t, w)
	rec, err := w.DB.FindRecord(homewardtest.SystemCtx(), personOfReferral(t, w, refs["skills_training"]))
	if err != nil {
		t.Fatal(err)
	}
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	_, page := cw.get("/people/" + rec.Person.ID)
	timeline := section(page, `id="timeline"`)
	for _, want := range []string{"Referred to " + provider.Name + " for Skills training", "— " + provider.Name, "— " + w.Users["ngo"][homeward.RoleCaseWorker].Name} {
		if !strings.Contains(timeline, want) {
			t.Errorf("timeline lacks %q:\n%s", want, timeline)
		}
	}
	for _, bad := range []string{"skills_training", "a colleague"} {
		if strings.Contains(timeline, bad) {
			t.Errorf("timeline shows %q", bad)
		}
	}
	cw.get("/lang?to=bn&back=/")
	_, page = cw.get("/people/" + rec.Person.ID)
	if timeline := section(page, `id="timeline"`); !strings.Contains(timeline, "দক্ষতা প্রশিক্ষণ") || strings.Contains(timeline, "একজন সহকর্মী") {
		t.Errorf("Bangla timeline:\n%s", timeline)
	}

	// A supervisor of the provider requests a grant; the provider's staff,
	// who may not list users, see who asked by name.
	sup := b.fresh()
	sup.login(sups[0].Email)
	_, page = sup.get("/referrals/" + refs["business_grant_cash"] + "/delivery")
	grant := url.Values{"csrf_token": {csrf(t, page)}, "amount": {"30000"}, "currency": {"BDT"}, "channel": {"cash"}, "purpose": {"Tailoring shop"},
		"tranche_amount": {"30000"}, "tranche_date": {""}}
	status, _, at := sup.postAt("/referrals/"+refs["business_grant_cash"]+"/delivery", grant, nil)
	if status != 200 || !deliveryIDRe.MatchString(at) {
		t.Fatalf("grant request: %d %s", status, at)
	}
	prov := b.fresh()
	prov.login(staff.Email)
	if _, page := prov.get(at); !strings.Contains(page, `id="grant-requester">`+sups[0].Name+`<`) {
		t.Errorf("requested by:\n%s", section(page, `grant-requester`))
	}
}

// personOfReferral returns the person a referral is about.
func personOfReferral(t *testing.T, w *homewardtest.World, refID string) string {
	t.Helper()
	r, err := w.DB.FindReferral(homewardtest.SystemCtx(), refID)
	if err != nil {
		t.Fatal(err)
	}
	return r.PersonID
}

// section returns the page from marker to the end of its element's line
// block (up to 4,000 characters), for focused assertions and messages.
func section(page, marker string) string {
	i := strings.Index(page, marker)
	if i < 0 {
		return ""
	}
	return page[i:min(len(page), i+4000)]
}

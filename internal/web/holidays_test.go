package web_test

import (
	"net/url"
	"strings"
	"testing"

	"homeward"
)

// TestHolidayPage: everyone signed in sees the instance's holidays; an
// operator administrator removes one, adds a day off (its English name
// required) and undoes a change; an NGO administrator may not.
func TestHolidayPage(t *testing.T) {
	b, w := newBrowser(t)
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	// (A Bangladeshi instance's registration form reads the catalog's
	// consent texts: the pack has none of its own.)
	if _, form := cw.get("/people/new"); !strings.Contains(form, "The details a service needs (and only those) may be shared") {
		t.Error("the Bangladeshi registration form lacks the catalog's consent text")
	}
	// The main navigation leads to the page: for whoever follows
	// referrals' due dates and for the operator's administrator, who
	// manages the days; not for an NGO's administrator, who does neither.
	if _, home := cw.get("/home"); !strings.Contains(home, `<a href="/holidays" id="nav-holidays">Public holidays</a>`) || !strings.Contains(home, `id="menu-nav-holidays"`) {
		t.Error("a case worker's navigation has no link to the holidays")
	}
	if _, home := b.as(w, "operator", homeward.RoleAdministrator).get("/home"); !strings.Contains(home, `id="nav-holidays"`) {
		t.Error("the operator's administrator has no link to the holidays")
	}
	if _, home := b.as(w, "ngo", homeward.RoleAdministrator).get("/home"); strings.Contains(home, `id="nav-holidays"`) {
		t.Error("an NGO administrator is led to the holidays")
	}
	status, page := cw.get("/holidays")
	if status != 200 || !strings.Contains(page, `id="holiday-2026-12-16"`) || !strings.Contains(page, "Victory Day") || strings.Contains(page, `id="remove-2026-12-16"`) {
		t.Fatalf("a case worker's holiday page: %d", status)
	}
	admin := b.as(w, "operator", homeward.RoleAdministrator)
	_, page = admin.get("/holidays")
	if !strings.Contains(page, `id="remove-2026-12-16"`) || !strings.Contains(page, `id="holiday-add"`) {
		t.Fatal("the administrator's page offers no change")
	}
	post := func(who interface {
		post(string, url.Values) (int, string)
	}, v url.Values) (int, string) {
		v.Set("csrf_token", csrf(t, page))
		return who.post("/holidays", v)
	}
	status, page = post(admin, url.Values{"action": {"remove"}, "date": {"2026-12-16"}})
	if status != 200 || !strings.Contains(page, "The holidays are saved.") || !strings.Contains(page, `id="restore-2026-12-16"`) || !strings.Contains(page, "Removed for this instance") {
		t.Fatalf("remove Victory Day: %d", status)
	}
	status, page = post(admin, url.Values{"action": {"add"}, "date": {"2026-12-17"}, "name_bn": {"বিশেষ ছুটি"}})
	if status != 400 || !strings.Contains(page, `id="holiday-name-en"`) || !strings.Contains(page, "Give the holiday&#39;s name in English.") || !strings.Contains(page, "বিশেষ ছুটি") {
		t.Fatalf("a day off without its English name: %d", status)
	}
	status, page = post(admin, url.Values{"action": {"add"}, "date": {"2026-12-17"}, "name_en": {"Special day off"}, "name_bn": {"বিশেষ ছুটি"}})
	if status != 200 || !strings.Contains(page, `id="restore-2026-12-17"`) || !strings.Contains(page, "Added for this instance") {
		t.Fatalf("add a day off: %d", status)
	}
	status, page = post(admin, url.Values{"action": {"restore"}, "date": {"2026-12-16"}})
	if status != 200 || !strings.Contains(page, `id="remove-2026-12-16"`) {
		t.Fatalf("undo the removal: %d", status)
	}
	ngoAdmin := b.as(w, "ngo", homeward.RoleAdministrator)
	_, ngoPage := ngoAdmin.get("/holidays")
	if strings.Contains(ngoPage, `id="holiday-add"`) {
		t.Error("an NGO administrator is offered the form")
	}
	if status, _ := ngoAdmin.post("/holidays", url.Values{"csrf_token": {csrf(t, ngoPage)}, "action": {"remove"}, "date": {"2026-12-16"}}); status != 403 {
		t.Errorf("an NGO administrator removes a holiday: %d", status)
	}
	// The case worker now sees the change, in Bangla too.
	cw.get("/lang?to=bn&back=/holidays")
	if _, page := cw.get("/holidays"); !strings.Contains(page, "বিশেষ ছুটি") || !strings.Contains(page, "এই ইনস্ট্যান্সের জন্য যোগ করা হয়েছে") {
		t.Error("the Bangla page lacks the added day")
	}
}

package web_test

import (
	"net/url"
	"slices"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/referral"
)

// Everyone who refers reads the catalogue; only the operator's
// administrators change it, with bad input refused and nothing written.
func TestServiceCatalogue(t *testing.T) {
	b, w := newBrowser(t)
	sys := homewardtest.SystemCtx()
	types := func() []referral.ServiceType {
		t.Helper()
		list, err := w.DB.ServiceTypes(sys)
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	before := len(types())
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	status, page := cw.get("/services")
	if status != 200 || !strings.Contains(page, `id="service-skills_training"`) || !strings.Contains(page, `id="service-business_grant_cash"`) || strings.Contains(page, `id="catalogue-new"`) {
		t.Fatalf("case worker's catalogue: %d", status)
	}
	if !strings.Contains(page, "↳") {
		t.Error("sub-types are not shown under their parent")
	}
	for _, who := range []*browser{cw, b.as(w, "ngo", homeward.RoleAdministrator)} {
		if status, _ := who.get("/services/new"); status != 403 {
			t.Errorf("non-operator opens the new-type form: %d", status)
		}
		_, home := who.get("/home")
		if status, _ := who.post("/services", url.Values{"csrf_token": {csrf(t, home)}, "new": {"true"}, "code": {"tailoring"}, "name_en": {"Tailoring"}, "kind": {"training"}, "shared": {"name"}, "active": {"true"}}); status != 403 {
			t.Errorf("non-operator adds a type: %d", status)
		}
	}
	op := b.as(w, "operator", homeward.RoleAdministrator)
	status, page = op.get("/services/new")
	if status != 200 {
		t.Fatalf("operator's new-type form: %d", status)
	}
	token := csrf(t, page)
	good := url.Values{"csrf_token": {token}, "new": {"true"}, "code": {"tailoring"}, "name_en": {"Tailoring course"}, "name_bn": {"দর্জির কোর্স"},
		"parent": {"skills_training"}, "kind": {"training"}, "shared": {"name", "phone", "education"}, "active": {"true"}}
	bad := []struct {
		name, field string
		value       []string
		want        string
	}{
		{"bad code", "code", []string{"Tailoring!"}, "Use 2 to 40 lower-case letters"},
		{"taken code", "code", []string{"skills_training"}, "A service type with this code exists already."},
		{"no name", "name_en", []string{""}, "Give the new service type a name."},
		{"nothing shared", "shared", nil, "Name at least one field to share"},
		{"unknown kind", "kind", []string{"magic"}, "is not one of the allowed values"},
	}
	for _, tc := range bad {
		t.Run(tc.name, func(t *testing.T) {
			f := url.Values{}
			for k, v := range good {
				f[k] = v
			}
			if tc.value == nil {
				f.Del(tc.field)
			} else {
				f[tc.field] = tc.value
			}
			if tc.name == "no name" {
				f.Del("name_bn")
			}
			status, page := op.post("/services", f)
			if status != 400 || !strings.Contains(page, tc.want) {
				t.Errorf("status %d, want %q\n%.2000s", status, tc.want, page)
			}
			if n := len(types()); n != before {
				t.Errorf("%d types after a refused form, want %d", n, before)
			}
		})
	}
	if status, _, at := op.postAt("/services", good, nil); status != 200 || !strings.HasPrefix(at, "/services") {
		t.Fatalf("add: %d %s", status, at)
	}
	list := types()
	i := slices.IndexFunc(list, func(x referral.ServiceType) bool { return x.Code == "tailoring" })
	if i < 0 || list[i].Parent != "skills_training" || list[i].Kind != referral.KindTraining || len(list[i].Shared) != 3 || list[i].Names["bn"] != "দর্জির কোর্স" {
		t.Fatalf("stored type: %+v", list)
	}
	// Bangla users see the Bangla name; withdrawing keeps the type listed.
	cw.get("/lang?to=bn&back=/")
	if _, page := cw.get("/services"); !strings.Contains(page, "দর্জির কোর্স") {
		t.Error("Bangla name not shown")
	}
	_, page = op.get("/services/tailoring/edit")
	edit := url.Values{"csrf_token": {csrf(t, page)}, "new": {"false"}, "code": {"tailoring"}, "name_en": {"Tailoring course"}, "parent": {"skills_training"},
		"kind": {"training"}, "shared": {"name", "phone"}}
	if status, _ := op.post("/services", edit); status != 200 {
		t.Errorf("withdraw: %d", status)
	}
	list = types()
	i = slices.IndexFunc(list, func(x referral.ServiceType) bool { return x.Code == "tailoring" })
	if i < 0 {
		t.Fatal("the withdrawn type is gone")
	}
	if list[i].Active || len(list[i].Shared) != 2 {
		t.Errorf("after withdrawing: %+v", list[i])
	}
	if status, _ := op.get("/services/juggling/edit"); status != 404 {
		t.Errorf("unknown type: %d", status)
	}
}

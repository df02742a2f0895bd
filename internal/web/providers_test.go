package web_test

import (
	"strings"
	"testing"

	"homeward"
)

func TestProviderDirectory(t *testing.T) {
	b, w := newBrowser(t)
	_, staff, _ := referralWorld(t, w)
	cw := b.as(w, "ngo", homeward.RoleCaseWorker)
	if _, home := cw.get("/home"); !strings.Contains(home, `id="nav-providers"`) || !strings.Contains(home, `hx-get="/tasks/panel"`) {
		t.Fatal("home page lacks the directory link or the task card")
	}
	tests := []struct {
		name, query string
		status      int
		want, not   []string
	}{
		{"all", "", 200, []string{"Dhaka Skills and Care Centre", "10 places left", "10 per month", "8802 5555", "Front desk", `href="/api/v1/exports/hsds"`}, nil},
		{"by type and district", "service_type=skills_training&area=BD3026", 200, []string{"Dhaka Skills and Care Centre"}, nil},
		{"by division", "area=BD30", 200, []string{"Dhaka Skills and Care Centre"}, nil},
		{"other type", "service_type=job_placement", 200, []string{`id="providers-empty"`}, []string{"Front desk"}},
		{"other area", "area=BD60", 200, []string{`id="providers-empty"`}, []string{"Front desk"}},
		{"unknown area", "area=XX99", 400, []string{"“XX99” is not a known administrative area (p-code)."}, []string{"Front desk"}},
		{"unknown type", "service_type=juggling", 400, []string{"“juggling” is not one of the allowed values."}, []string{"Front desk"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, page := cw.get("/providers?" + tc.query)
			if status != tc.status {
				t.Errorf("status %d", status)
			}
			for _, s := range tc.want {
				if !strings.Contains(page, s) {
					t.Errorf("page lacks %q", s)
				}
			}
			for _, s := range tc.not {
				if strings.Contains(page, s) {
					t.Errorf("page shows %q", s)
				}
			}
		})
	}
	// Provider staff use the directory too.
	prov := b.fresh()
	prov.login(staff.Email)
	if status, page := prov.get("/providers"); status != 200 || !strings.Contains(page, "Dhaka Skills and Care Centre") {
		t.Errorf("provider staff: %d", status)
	}
	// Bangla: labels, places and areas.
	cw.get("/lang?to=bn&back=/providers")
	_, page := cw.get("/providers?area=BD30")
	for _, s := range []string{"সেবাদানকারীর তালিকা", "১০", "ঢাকা"} {
		if !strings.Contains(page, s) {
			t.Errorf("Bangla directory lacks %q", s)
		}
	}
	if status, page := cw.get("/providers?area=XX99"); status != 400 || !strings.Contains(page, "পি-কোড") {
		t.Errorf("Bangla bad area: %d", status)
	}
}

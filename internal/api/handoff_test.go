package api_test

import (
	"crypto/ed25519"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/handoff"
)

// The handoff endpoints: partners for the operator's administrators
// (and, narrowed, for the case workers who announce to them); expected
// arrivals listed, accepted and declined by the receiving organisation
// only.
func TestHandoffAPI(t *testing.T) {
	e := newEnv(t)
	admin := e.w.Ctx("operator", homeward.RoleAdministrator)
	register := func(name string, seed byte) *handoff.Partner {
		t.Helper()
		s := make([]byte, ed25519.SeedSize)
		s[0] = seed
		pub := ed25519.NewKeyFromSeed(s).Public().(ed25519.PublicKey)
		p := &handoff.Partner{Name: name, Country: "TR", BaseURL: "https://" + strings.ToLower(strings.Fields(name)[0]) + ".example", Fields: []string{"name", "passport"},
			SendOrgs: []string{e.w.NGO.ID}, ReceiveOrg: e.w.NGO.ID}
		if err := e.w.DB.RegisterPartner(admin, p, handoff.EncodePublicKey(pub), handoff.Fingerprint(pub)); err != nil {
			t.Fatal(err)
		}
		return p
	}
	active, suspended := register("Istanbul Return Counselling", 1), register("Ankara Migrant Desk", 2)
	if _, err := e.w.DB.SetPartnerStatus(admin, suspended.ID, handoff.PartnerSuspended); err != nil {
		t.Fatal(err)
	}
	announce := func(given, passport string) string {
		t.Helper()
		env := &handoff.Envelope{Type: handoff.TypeAnnouncement, ID: homeward.NewID(), SentAt: e.w.DB.Now(), Announcement: &handoff.Announcement{
			SenderOrg: "Istanbul Return Counselling", TravelDate: homewardtest.Today(e.w.DB, 1), PortOfEntry: "BD-DAC", Fields: []string{"name", "passport"},
			Person: handoff.Person{GivenName: given, FamilyName: "Mia", Passport: passport}}}
		if _, err := e.w.DB.ReceiveHandoff(homewardtest.SystemCtx(), active, "", env); err != nil {
			t.Fatal(err)
		}
		as, err := e.w.DB.Arrivals(e.w.Ctx("ngo", homeward.RoleCaseWorker), "", passport)
		if err != nil || len(as) != 1 {
			t.Fatalf("arrival %s: %v", passport, err)
		}
		return as[0].ID
	}
	first, second := announce("Karim", "EB7654321"), announce("Jamal", "EB1111111")

	tests := []struct {
		name            string
		call            call
		status          int
		contains, lacks string
	}{
		{"anonymous partners", call{method: "GET", path: "/api/v1/partners"}, 401, "", ""},
		{"administrator sees every partner", call{method: "GET", path: "/api/v1/partners", as: "operator/administrator"}, 200, "Ankara Migrant Desk", ""},
		{"administrator sees the keys", call{method: "GET", path: "/api/v1/partners", as: "operator/administrator"}, 200, `"fingerprint"`, ""},
		{"a sender's case worker sees the active partners it may announce to", call{method: "GET", path: "/api/v1/partners", as: "ngo/case_worker"}, 200, "Istanbul Return Counselling", "Ankara"},
		{"another organisation's case worker sees none", call{method: "GET", path: "/api/v1/partners", as: "operator/case_worker"}, 200, `"items":[]`, "Istanbul"},
		{"an NGO administrator may not", call{method: "GET", path: "/api/v1/partners", as: "ngo/administrator"}, 403, "", "Istanbul"},
		{"provider staff may not", call{method: "GET", path: "/api/v1/partners", as: "ngo/provider_staff"}, 403, "", "Istanbul"},

		{"arrivals of the receiving organisation", call{method: "GET", path: "/api/v1/arrivals", as: "ngo/case_worker"}, 200, "Karim", ""},
		{"arrivals by passport", call{method: "GET", path: "/api/v1/arrivals?q=EB+1111111", as: "ngo/supervisor"}, 200, "Jamal", "Karim"},
		{"arrivals of another organisation are not listed", call{method: "GET", path: "/api/v1/arrivals", as: "operator/case_worker"}, 200, `"items":[]`, "Karim"},
		{"an auditor may not list arrivals", call{method: "GET", path: "/api/v1/arrivals", as: "ngo/auditor"}, 403, "", "Karim"},
		{"an unknown state", call{method: "GET", path: "/api/v1/arrivals?state=lost", as: "ngo/case_worker"}, 400, `"field":"state"`, ""},
		{"a huge query", call{method: "GET", path: "/api/v1/arrivals?q=" + strings.Repeat("a", 101), as: "ngo/case_worker"}, 400, `"field":"q"`, ""},

		{"another organisation cannot accept", call{method: "POST", path: "/api/v1/arrivals/" + first + "/accept", as: "operator/supervisor"}, 404, "", ""},
		{"an auditor cannot accept", call{method: "POST", path: "/api/v1/arrivals/" + first + "/accept", as: "ngo/auditor"}, 403, "", ""},
		{"a junk id", call{method: "POST", path: "/api/v1/arrivals/123/accept", as: "ngo/case_worker"}, 404, "", ""},
		{"an unknown arrival", call{method: "POST", path: "/api/v1/arrivals/" + homeward.NewID() + "/decline", as: "ngo/case_worker"}, 404, "", ""},
		{"accept", call{method: "POST", path: "/api/v1/arrivals/" + first + "/accept", as: "ngo/case_worker"}, 200, `"state":"accepted"`, ""},
		{"accept twice", call{method: "POST", path: "/api/v1/arrivals/" + first + "/accept", as: "ngo/case_worker"}, 409, "", ""},
		{"decline an accepted arrival", call{method: "POST", path: "/api/v1/arrivals/" + first + "/decline", as: "ngo/supervisor"}, 409, "", ""},
		{"decline", call{method: "POST", path: "/api/v1/arrivals/" + second + "/decline", as: "ngo/supervisor"}, 200, `"state":"declined"`, `"person_id"`},
		{"accepted arrivals", call{method: "GET", path: "/api/v1/arrivals?state=accepted", as: "ngo/case_worker"}, 200, `"person_id"`, "Jamal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := e.do(tt.call)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d\n%s", a.status, tt.status, a.body)
			}
			if tt.status >= 400 && a.header.Get("Content-Type") != "application/problem+json" {
				t.Errorf("Content-Type %q", a.header.Get("Content-Type"))
			}
			if tt.contains != "" && !strings.Contains(string(a.body), tt.contains) {
				t.Errorf("answer lacks %q: %.1000s", tt.contains, a.body)
			}
			if tt.lacks != "" && strings.Contains(string(a.body), tt.lacks) {
				t.Errorf("answer has %q: %.1000s", tt.lacks, a.body)
			}
		})
	}
}

package demo_test

import (
	"context"
	"strings"
	"testing"
	"unicode"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/demo"
	"homeward/internal/reference"
	"homeward/internal/registry"
)

// TestSeedCountry starts the Iraqi and the Pakistani demo worlds on fresh
// SQLite databases and checks each: its organisations are of that country,
// its case workers work in the pack's languages, and its returnees live in
// that country's areas, have native-script names and cases in every state
// numbered with the country's prefix.
func TestSeedCountry(t *testing.T) {
	for _, tc := range []struct {
		code, prefix, worker, lang string
	}{
		{"IQ", "IRQ-", "caseworker@hawkari.demo", "ckb"}, // an Erbil case worker, in Sorani
		{"PK", "PAK-", "caseworker@roshni.demo", "ur"},   // a Lahore case worker, in Urdu
	} {
		t.Run(tc.code, func(t *testing.T) {
			ctx := context.Background()
			db := homewardtest.Open(t)
			w, err := demo.SeedCountry(ctx, db, tc.code)
			if err != nil {
				t.Fatal(err)
			}
			for key, o := range w.Orgs {
				if o.Country != tc.code {
					t.Errorf("organisation %s is of %s", key, o.Country)
				}
			}
			u := w.Users[tc.worker]
			if u == nil || u.Locale != tc.lang {
				t.Fatalf("%s: %+v, want locale %s", tc.worker, u, tc.lang)
			}
			statuses := map[registry.CaseStatus]int{}
			people := 0
			for _, o := range w.Orgs {
				var sup *homeward.User
				for _, usr := range w.Users {
					if usr.OrgID == o.ID && usr.HasRole(homeward.RoleSupervisor) {
						sup = usr
					}
				}
				if sup == nil {
					continue
				}
				actx := homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: sup.ID, OrgID: o.ID, Roles: sup.Roles, Operator: o.Operator})
				for after := ""; ; {
					list, next, err := db.Search(actx, registry.SearchFilter{Limit: 100, After: after})
					if err != nil {
						t.Fatal(err)
					}
					for _, s := range list {
						people++
						statuses[s.Status]++
						if !strings.HasPrefix(s.CaseNumber, tc.prefix) {
							t.Errorf("case number %s, want the prefix %s", s.CaseNumber, tc.prefix)
						}
						if a := reference.Area(s.District); a == nil || a.Country != tc.code {
							t.Errorf("%s lives in %q, not an area of %s", s.Name, s.District, tc.code)
						}
						if !strings.ContainsFunc(s.NativeName, func(r rune) bool { return unicode.Is(unicode.Arabic, r) }) {
							t.Errorf("%s: native name %q is not in Arabic script", s.Name, s.NativeName)
						}
					}
					if after = next; next == "" {
						break
					}
				}
			}
			if people < 100 {
				t.Errorf("%d people, want at least 100", people)
			}
			for _, st := range registry.CaseStatuses {
				if statuses[st] == 0 {
					t.Errorf("no case %s: %v", st, statuses)
				}
			}
		})
	}
	if _, err := demo.SeedCountry(context.Background(), homewardtest.Open(t), "XX"); err == nil || !strings.Contains(err.Error(), "BD, IQ, PK") {
		t.Errorf("SeedCountry(XX) = %v", err)
	}
}

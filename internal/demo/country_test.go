package demo_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"unicode"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/demo"
	"homeward/internal/reference"
	"homeward/internal/referral"
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
		providers                  []string // the providers' staff
		national                   string   // a national service type the demo uses
	}{
		{"IQ", "IRQ-", "caseworker@hawkari.demo", "ckb", []string{"staff@evtc.demo", "counsellor@bpsc.demo"}, "iq_molsa_vocational_training"}, // an Erbil case worker, in Sorani
		{"PK", "PAK-", "caseworker@roshni.demo", "ur", []string{"staff@ltsi.demo", "counsellor@sukoon.demo"}, "pk_tevta_skills"},              // a Lahore case worker, in Urdu
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
			as := func(email string) context.Context {
				u := w.Users[email]
				return homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: u.ID, OrgID: u.OrgID, Roles: u.Roles})
			}
			u := w.Users[tc.worker]
			if u == nil || u.Locale != tc.lang {
				t.Fatalf("%s: %+v, want locale %s", tc.worker, u, tc.lang)
			}
			statuses := map[registry.CaseStatus]int{}
			people, assessed, followedUp, nationalPlans := 0, 0, 0, 0
			sent, received := map[referral.State]int{}, map[referral.State]int{}
			plans := map[string]map[referral.PlanStatus]int{}
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
				st, err := db.ReferralStats(actx)
				if err != nil {
					t.Fatal(err)
				}
				for s, n := range st.Sent.ByState {
					sent[s] += n
				}
				pl, err := db.FindPlans(actx, referral.PlanFilter{})
				if err != nil {
					t.Fatal(err)
				}
				for _, p := range pl {
					for _, ps := range p.Services {
						if ps.ServiceType == tc.national && p.Status == referral.PlanActive {
							nationalPlans++
						}
					}
					if plans[o.ShortName] == nil {
						plans[o.ShortName] = map[referral.PlanStatus]int{}
					}
					plans[o.ShortName][p.Status]++
					if !slices.ContainsFunc(p.Goals, func(g referral.Goal) bool { return strings.ContainsFunc(g.Text, isArabicScript) }) {
						t.Errorf("%s: a plan's goals are not in the returnee's words: %+v", o.ShortName, p.Goals)
					}
				}
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
						if ov, err := db.PersonOverview(actx, s.PersonID); err != nil {
							t.Fatal(err)
						} else if len(ov.Scores) > 0 {
							assessed++
							if len(ov.Scores) > 1 {
								followedUp++
							}
						}
						if !strings.ContainsFunc(s.NativeName, isArabicScript) {
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
			// The national catalogue is in use: agreed plans refer to the
			// national training programme, and the trainer offers it.
			if nationalPlans == 0 {
				t.Errorf("no agreed plan uses %s", tc.national)
			}
			for _, st := range registry.CaseStatuses {
				if statuses[st] == 0 {
					t.Errorf("no case %s: %v", st, statuses)
				}
			}
			// Assessed with scores, some followed up since.
			if assessed < 30 || followedUp < 10 {
				t.Errorf("%d returnees assessed with scores, %d followed up; want at least 30 and 10", assessed, followedUp)
			}
			// Referrals in every state, received by the country's providers.
			for _, st := range referral.States {
				if sent[st] == 0 {
					t.Errorf("no referral %s: %v", st, sent)
				}
			}
			for _, email := range tc.providers {
				list, _, err := db.FindReferrals(as(email), referral.ReferralFilter{Box: referral.Inbox, Limit: 200})
				if err != nil {
					t.Fatal(err)
				}
				for _, r := range list {
					received[r.State]++
				}
			}
			for _, st := range []referral.State{referral.StateSent, referral.StateAccepted, referral.StateDeclined, referral.StateInProgress, referral.StateCompleted, referral.StateNotCompleted} {
				if received[st] == 0 {
					t.Errorf("the providers received no referral now %s: %v", st, received)
				}
			}
			t.Logf("%d people, %d assessed, %d followed up; referrals sent %v; received by providers %v; plans %v", people, assessed, followedUp, sent, received, plans)
			// The two NGOs each have a plan agreed and one still a draft.
			if len(plans) < 2 {
				t.Errorf("plans by organisation: %v", plans)
			}
			for org, n := range plans {
				if n[referral.PlanActive] == 0 || n[referral.PlanDraft] == 0 {
					t.Errorf("%s's plans: %v, want agreed and draft ones", org, n)
				}
			}
		})
	}
	if _, err := demo.SeedCountry(context.Background(), homewardtest.Open(t), "XX"); err == nil || !strings.Contains(err.Error(), "BD, IQ, PK") {
		t.Errorf("SeedCountry(XX) = %v", err)
	}
}

func isArabicScript(r rune) bool { return unicode.Is(unicode.Arabic, r) }

package web_test

import (
	"strings"
	"testing"

	"homeward"
	"homeward/internal/referral"
)

func TestReferralStatsPage(t *testing.T) {
	b, w := newBrowser(t)
	provider, staff, rec, cw, staffCtx := referralCase(t, w)
	// Two referrals of one case: the first declined, the second waiting.
	r, err := w.DB.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: provider.ID, ServiceType: "skills_training"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.MoveReferral(staffCtx, r.ID, r.Version, referral.Transition{To: referral.StateDeclined, Reason: referral.DeclineNoCapacity}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.DB.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: provider.ID, ServiceType: "skills_training"}); err != nil {
		t.Fatal(err)
	}

	sup := b.as(w, "ngo", homeward.RoleSupervisor)
	if _, list := sup.get("/referrals"); !strings.Contains(list, `id="referral-stats"`) || !strings.Contains(list, `id="nav-referral-stats"`) {
		t.Error("the referral list lacks the link to the statistics")
	}
	status, page := sup.get("/referrals/stats")
	if status != 200 {
		t.Fatalf("supervisor: %d\n%s", status, page)
	}
	for _, want := range []string{
		`id="stat-sent-sent"><a href="/referrals?box=outbox&amp;state=sent">1</a>`,
		`id="stat-declined-sent"><a href="/referrals?box=outbox&amp;state=declined">1</a>`,
		`id="stat-completed-sent">0<`,
		`id="stat-total-sent"><a href="/referrals?box=outbox">2</a>`,
		`id="stat-total-received">0<`,
		`<th scope="row">Dhaka Skills and Care Centre</th>`,
		`<td class="num provider-total">2</td>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("stats page lacks %s", want)
		}
	}
	// Case workers and provider staff have no statistics.
	cwb := b.as(w, "ngo", homeward.RoleCaseWorker)
	if status, _ := cwb.get("/referrals/stats"); status != 403 {
		t.Errorf("case worker: %d", status)
	}
	if _, list := cwb.get("/referrals"); strings.Contains(list, `id="referral-stats"`) || strings.Contains(list, `id="nav-referral-stats"`) {
		t.Error("a case worker is offered the statistics")
	}
	prov := b.fresh()
	prov.login(staff.Email)
	if status, _ := prov.get("/referrals/stats"); status != 403 {
		t.Errorf("provider staff: %d", status)
	}
	// Bangla.
	sup.get("/lang?to=bn&back=/")
	if _, page := sup.get("/referrals/stats"); !strings.Contains(page, "রেফারেল পরিসংখ্যান") || !strings.Contains(page, `<td class="num provider-total">২</td>`) {
		t.Error("Bangla statistics page")
	}
}

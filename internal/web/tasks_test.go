package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

func TestTasks(t *testing.T) {
	b, w := newBrowser(t)
	provider, staff, rec, cw, _ := referralCase(t, w)
	prov := b.fresh()
	prov.login(staff.Email)
	if _, panel := prov.get("/tasks/panel"); !strings.Contains(panel, `id="tasks-none"`) || strings.Contains(panel, "<html") {
		t.Errorf("tasks before any referral:\n%s", panel)
	}
	r, err := w.DB.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: provider.ID, ServiceType: "skills_training"})
	if err != nil {
		t.Fatal(err)
	}
	if _, home := prov.get("/home"); !strings.Contains(home, `id="home-tasks"`) || !strings.Contains(home, `hx-get="/tasks/panel"`) {
		t.Error("home page lacks the task card")
	}
	_, panel := prov.get("/tasks/panel")
	if !strings.Contains(panel, `id="tasks-awaiting_response"`) || !strings.Contains(panel, `href="/referrals/`+r.ID+`"`) || !strings.Contains(panel, "Skills training — Shapla Returnee Support") {
		t.Errorf("provider's tasks:\n%s", panel)
	}
	if status, page := prov.get("/tasks"); status != 200 || !strings.Contains(page, `id="tasks-title"`) || !strings.Contains(page, r.ID) {
		t.Errorf("task page: %d", status)
	}
	// The sender has nothing to answer.
	if _, panel := b.as(w, "ngo", homeward.RoleCaseWorker).get("/tasks/panel"); strings.Contains(panel, r.ID) {
		t.Error("the sender is asked to answer her own referral")
	}
	// Roles that work with neither referrals nor plans get no card.
	if _, home := b.as(w, "ngo", homeward.RoleMEAnalyst).get("/home"); strings.Contains(home, `id="home-tasks"`) {
		t.Error("an M&E analyst gets the task card")
	}
	// Bangla.
	prov.get("/lang?to=bn&back=/")
	if _, panel := prov.get("/tasks/panel"); !strings.Contains(panel, "উত্তরের অপেক্ষায় রেফারেল") || !strings.Contains(panel, "১") {
		t.Errorf("Bangla tasks:\n%s", panel)
	}
}

// TestTaskCard checks that the home page's card lists a few tasks of each
// kind with their true count and a link to the task page, and that the
// page lists them all up to its maximum, saying so when there are more.
func TestTaskCard(t *testing.T) {
	b, w := newBrowser(t)
	provider, staff, _, cw, _ := referralCase(t, w)
	if err := w.DB.CreateOffer(homeward.NewContextWithActor(context.Background(), homeward.SystemActor),
		&referral.Offer{OrgID: provider.ID, ServiceType: "job_placement", Areas: []string{"BD30"}, Active: true}); err != nil {
		t.Fatal(err)
	}
	const n = referral.MaxTasks + 1
	for i := range n {
		js := fmt.Sprintf(`{"person":{"given_name":"Rahima","family_name":"Khatun","sex":"female","date_of_birth":"1990",
			"documents":[{"type":"national_id","number":"%010d","issuing_country":"BD"}],"address":{"admin_area":"BD302602"}},
			"episodes":[{"destination_country":"SA","return":{"date":%q,"return_type":"deported"}}],
			"consents":[{"purpose":"registration_case_management","method":"signed_form"},{"purpose":"referral","method":"signed_form","recipient":{"org_id":%q}}]}`,
			5000000000+i, w.DB.Now().AddDate(0, 0, -10).Format(time.DateOnly), provider.ID)
		var reg registry.Registration
		if err := json.Unmarshal([]byte(js), &reg); err != nil {
			t.Fatal(err)
		}
		rec, err := w.DB.Register(cw, &reg)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.DB.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: provider.ID, ServiceType: "job_placement"}); err != nil {
			t.Fatal(err)
		}
	}
	prov := b.fresh()
	prov.login(staff.Email)
	listed := func(html string) int {
		i := strings.Index(html, `id="tasks-awaiting_response"`)
		if i < 0 {
			return 0
		}
		group, _, _ := strings.Cut(html[i:], "</ul>")
		return strings.Count(group, "<li>")
	}
	_, panel := prov.get("/tasks/panel")
	if got := listed(panel); got != 5 {
		t.Errorf("the card lists %d referrals to answer, want 5", got)
	}
	for _, want := range []string{`id="tasks-awaiting_response-count">101<`, `<a id="tasks-awaiting_response-all" href="/tasks#tasks-awaiting_response">See all 101</a>`,
		`id="tasks-page"><a href="/tasks">`} {
		if !strings.Contains(panel, want) {
			t.Errorf("the card lacks %s:\n%s", want, panel)
		}
	}
	_, page := prov.get("/tasks")
	if got := listed(page); got != referral.MaxTasks {
		t.Errorf("the task page lists %d referrals to answer, want %d", got, referral.MaxTasks)
	}
	for _, want := range []string{`id="tasks-awaiting_response-count">101<`, `id="tasks-awaiting_response-shown">The first 100 of 101 are listed.<`} {
		if !strings.Contains(page, want) {
			t.Errorf("the task page lacks %s", want)
		}
	}
	if strings.Contains(page, `id="tasks-awaiting_response-all"`) || strings.Contains(page, `id="tasks-page"`) {
		t.Error("the task page links to itself")
	}
	prov.get("/lang?to=bn&back=/")
	if _, panel := prov.get("/tasks/panel"); !strings.Contains(panel, "সব ১০১টি দেখুন") || !strings.Contains(panel, `-count">১০১<`) {
		t.Errorf("Bangla card:\n%s", panel)
	}
	if _, page := prov.get("/tasks"); !strings.Contains(page, "১০১টির মধ্যে প্রথম ১০০টি দেখানো হয়েছে।") {
		t.Error("Bangla task page lacks the count of those listed")
	}
}

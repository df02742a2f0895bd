package web_test

import (
	"strings"
	"testing"

	"homeward"
	"homeward/internal/referral"
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

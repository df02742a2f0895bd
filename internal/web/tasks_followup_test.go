package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

func TestTasksFollowUpDue(t *testing.T) {
	b, w := newBrowser(t)
	provider, staff, rec, cw, staffCtx := referralCase(t, w)
	if err := w.DB.CreateOffer(homeward.NewContextWithActor(context.Background(), homeward.SystemActor),
		&referral.Offer{OrgID: provider.ID, ServiceType: "job_placement", Areas: []string{"BD30"}, Active: true}); err != nil {
		t.Fatal(err)
	}
	r, err := w.DB.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: provider.ID, ServiceType: "job_placement"})
	if err != nil {
		t.Fatal(err)
	}
	if r, err = w.DB.MoveReferral(staffCtx, r.ID, r.Version, referral.Transition{To: referral.StateAccepted}); err != nil {
		t.Fatal(err)
	}
	d, err := w.DB.AddDelivery(staffCtx, r.ID, referral.DeliveryInput{Placement: &referral.Placement{Employer: "Meghna Garments", Position: "Sewing machine operator",
		Wage: registry.Money{Amount: 12500, Currency: "BDT"}, WagePer: "month", StartDate: w.DB.Now().AddDate(0, -2, 0).Format(time.DateOnly)}})
	if err != nil {
		t.Fatal(err)
	}
	prov := b.fresh()
	prov.login(staff.Email)
	_, panel := prov.get("/tasks/panel")
	if !strings.Contains(panel, `id="tasks-follow_ups_due"`) || !strings.Contains(panel, `href="/deliveries/`+d.ID+`">Employment check: Sewing machine operator, Meghna Garments</a>`) {
		t.Errorf("provider's tasks:\n%s", panel)
	}
	if _, panel := b.as(w, "ngo", homeward.RoleCaseWorker).get("/tasks/panel"); strings.Contains(panel, "tasks-follow_ups_due") {
		t.Error("the referring case worker is asked to follow up the provider's placement")
	}
	prov.get("/lang?to=bn&back=/")
	if _, panel := prov.get("/tasks/panel"); !strings.Contains(panel, "বকেয়া ফলো-আপ") || !strings.Contains(panel, "চাকরি যাচাই") {
		t.Errorf("Bangla tasks:\n%s", panel)
	}
}

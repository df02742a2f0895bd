package sqldb_test

import (
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/referral"
	"homeward/internal/registry"
)

// A case follows its plan by itself: into services when the provider
// accepts the referral, to monitoring when the plan's last service is done —
// in the transaction of that step, on the timeline and in the audit log; a
// case worker may not close it, a supervisor does.
func TestCaseFollowsPlan(t *testing.T) {
	w := newRefWorld(t)
	db := w.DB
	cw := w.as("ngo", homeward.RoleCaseWorker)
	staff := w.as("provider", homeward.RoleProviderStaff)
	rec := w.returnee(t, "1234567890", w.Provider.ID)
	w.offer(t, "skills_training", 10)
	status := func() (registry.CaseStatus, int) {
		t.Helper()
		r, err := db.FindRecord(cw, rec.Person.ID)
		if err != nil {
			t.Fatal(err)
		}
		return r.Case.Status, r.Case.Version
	}
	plan, err := db.CreatePlan(cw, rec.Case.ID, referral.PlanInput{Goals: []referral.Goal{{Text: "Electrician", Dimension: "economic"}},
		Services: []referral.PlannedService{{ServiceType: "skills_training", ProviderOrgID: w.Provider.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	if plan, err = db.AgreePlan(cw, plan.ID, plan.Version, referral.Agreement{Method: registry.MethodSignedForm}); err != nil {
		t.Fatal(err)
	}
	r, err := db.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: w.Provider.ID, ServiceType: "skills_training", PlanID: plan.ID, PlannedServiceID: plan.Services[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := status(); s != registry.StatusRegistered {
		t.Fatalf("sending moved the case to %s", s)
	}
	r = w.move(t, staff, r, referral.StateAccepted, "")
	if s, _ := status(); s != registry.StatusInServices {
		t.Errorf("after acceptance: %s", s)
	}
	r = w.move(t, staff, r, referral.StateInProgress, "")
	w.move(t, staff, r, referral.StateCompleted, "")
	s, version := status()
	if s != registry.StatusMonitoring {
		t.Errorf("after the plan's last service: %s", s)
	}
	kinds := strings.Join(timelineKinds(t, w, rec.Case.ID), " ")
	if strings.Count(kinds, string(registry.EventStatusFollowed)) != 2 {
		t.Errorf("timeline: %s", kinds)
	}
	org := w.NGO.ID
	evs, _, err := db.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{OrgID: &org, Limit: 500})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Action == "case.status_followed" && e.RecordID == rec.Case.ID {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d audited moves", n)
	}
	closed := registry.StatusClosed
	upd := registry.CaseUpdate{Status: &closed, ClosureReason: registry.CloseSupportCompleted}
	if _, _, err := db.UpdateCase(cw, rec.Case.ID, version, upd); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("case worker closes: %v", err)
	}
	if _, _, err := db.UpdateCase(w.as("ngo", homeward.RoleSupervisor), rec.Case.ID, version, upd); err != nil {
		t.Errorf("supervisor closes: %v", err)
	}
	// A closed case does not move by itself.
	if s, _ := status(); s != registry.StatusClosed {
		t.Errorf("after closing: %s", s)
	}
}

package registry_test

import (
	"testing"
	"time"

	"homeward/internal/registry"
)

func TestCaseFollowsPlan(t *testing.T) {
	at := time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	accepted := registry.PlanProgress{ReferralAccepted: true}
	done := registry.PlanProgress{ReferralAccepted: true, ServicesDone: true}
	for _, tc := range []struct {
		from    registry.CaseStatus
		p       registry.PlanProgress
		to      registry.CaseStatus
		because string
	}{
		{registry.StatusRegistered, accepted, registry.StatusInServices, registry.BecauseReferralAccepted},
		{registry.StatusAssessed, accepted, registry.StatusInServices, registry.BecauseReferralAccepted},
		{registry.StatusPlanAgreed, accepted, registry.StatusInServices, registry.BecauseReferralAccepted},
		{registry.StatusInServices, accepted, registry.StatusInServices, ""},
		{registry.StatusInServices, done, registry.StatusMonitoring, registry.BecauseServicesDone},
		{registry.StatusPlanAgreed, done, registry.StatusMonitoring, registry.BecauseServicesDone},
		{registry.StatusMonitoring, accepted, registry.StatusMonitoring, ""}, // never back
		{registry.StatusMonitoring, done, registry.StatusMonitoring, ""},
		{registry.StatusClosed, accepted, registry.StatusClosed, ""}, // closing is a supervisor's
		{registry.StatusClosed, done, registry.StatusClosed, ""},
		{registry.StatusAssessed, registry.PlanProgress{}, registry.StatusAssessed, ""},
	} {
		c := &registry.Case{ID: "c1", Status: tc.from}
		ev, moved := c.FollowPlan(tc.p, at)
		if c.Status != tc.to || moved != (tc.because != "") {
			t.Errorf("%s with %+v: %s (moved %v), want %s", tc.from, tc.p, c.Status, moved, tc.to)
			continue
		}
		if !moved {
			continue
		}
		if ev.Kind != registry.EventStatusFollowed || ev.CaseID != "c1" || !ev.At.Equal(at) || ev.Actor != "system" ||
			ev.Summary.Args["from"] != string(tc.from) || ev.Summary.Args["to"] != string(tc.to) || ev.Summary.Args["because"] != tc.because {
			t.Errorf("%s → %s: event %+v", tc.from, tc.to, ev)
		}
	}
}

package referral_test

import (
	"testing"

	"homeward/internal/referral"
)

func TestPlanServicesDone(t *testing.T) {
	svc := func(ss ...referral.ServiceStatus) *referral.Plan {
		p := &referral.Plan{}
		for _, s := range ss {
			p.Services = append(p.Services, referral.PlannedService{Status: s})
		}
		return p
	}
	for _, tc := range []struct {
		p    *referral.Plan
		want bool
	}{
		{svc(), false},
		{svc(referral.ServiceDelivered), true},
		{svc(referral.ServiceDelivered, referral.ServiceNotDelivered), true},
		{svc(referral.ServiceDelivered, referral.ServiceReferred), false},
		{svc(referral.ServicePlanned), false},
	} {
		if got := tc.p.ServicesDone(); got != tc.want {
			t.Errorf("%+v: %v", tc.p.Services, got)
		}
	}
}

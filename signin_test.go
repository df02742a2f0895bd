package homeward_test

import (
	"testing"
	"time"

	"homeward"
)

func TestSignInPolicy(t *testing.T) {
	p := homeward.DefaultSignInPolicy("o1")
	if err := p.Validate(); err != nil {
		t.Fatalf("defaults invalid: %v", err)
	}
	for _, r := range homeward.Roles {
		want := r == homeward.RoleAdministrator || r == homeward.RoleSupervisor || r == homeward.RoleProviderStaff
		if got := p.Requires([]homeward.Role{r}); got != want {
			t.Errorf("default requires %s: %v", r, got)
		}
	}
	for _, tc := range []struct {
		idle, abs int
		field     string
	}{
		{4, 720, "idle_minutes"}, {481, 720, "idle_minutes"}, {30, 59, "absolute_minutes"},
		{30, 1441, "absolute_minutes"}, {120, 60, "idle_minutes"}, {5, 60, ""}, {480, 1440, ""},
	} {
		p := &homeward.SignInPolicy{IdleMinutes: tc.idle, AbsoluteMinutes: tc.abs}
		err := p.Validate()
		e, _ := err.(*homeward.Error)
		switch {
		case tc.field == "" && err != nil:
			t.Errorf("%d/%d refused: %v", tc.idle, tc.abs, err)
		case tc.field != "" && (e == nil || len(e.Fields) != 1 || e.Fields[0].Field != tc.field):
			t.Errorf("%d/%d: %v", tc.idle, tc.abs, err)
		}
	}
	p = &homeward.SignInPolicy{SecondFactorRoles: []homeward.Role{"boss"}, IdleMinutes: 30, AbsoluteMinutes: 720}
	if homeward.ErrorCode(p.Validate()) != homeward.EINVALID {
		t.Error("unknown role accepted")
	}
	p = homeward.DefaultSignInPolicy("o1")
	t0 := time.Date(2026, 11, 18, 8, 0, 0, 0, time.UTC)
	if got := p.SessionExpiry(t0, t0.Add(time.Hour)); !got.Equal(t0.Add(90 * time.Minute)) {
		t.Errorf("idle expiry %v", got)
	}
	if got := p.SessionExpiry(t0, t0.Add(11*time.Hour+50*time.Minute)); !got.Equal(t0.Add(12 * time.Hour)) {
		t.Errorf("absolute expiry %v", got)
	}
}

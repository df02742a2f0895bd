package sqldb_test

import (
	"context"
	"testing"

	"homeward"
	"homeward/homewardtest"
)

// UserNames names colleagues by name and users of another organisation by
// that organisation's name only, for every role (a case worker may not list
// users but sees who acted on a case).
func TestUserNames(t *testing.T) {
	w := homewardtest.NewWorld(t)
	cw := w.Ctx("ngo", homeward.RoleCaseWorker)
	sup := w.Users["ngo"][homeward.RoleSupervisor]
	outsider := w.Users["operator"][homeward.RoleCaseWorker]
	names, err := w.DB.UserNames(cw, []string{sup.ID, outsider.ID, "no-such-user", ""})
	if err != nil {
		t.Fatal(err)
	}
	if names[sup.ID] != sup.Name {
		t.Errorf("colleague = %q", names[sup.ID])
	}
	if names[outsider.ID] != w.Operator.Name {
		t.Errorf("user of another organisation = %q, want the organisation %q", names[outsider.ID], w.Operator.Name)
	}
	if len(names) != 2 {
		t.Errorf("names = %v", names)
	}
	if _, err := w.DB.UserNames(context.Background(), []string{sup.ID}); homeward.ErrorCode(err) != homeward.EUNAUTHORIZED {
		t.Errorf("anonymous: %v", err)
	}
}

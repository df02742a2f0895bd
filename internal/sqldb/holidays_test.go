package sqldb_test

import (
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/country"
	"homeward/internal/referral"
)

// An operator administrator removes Bangladesh's Victory Day and adds a
// day off; referral deadlines count with the changes; each change is
// audited; others may not make them; bad changes are refused by field.
func TestHolidayChangesMoveDeadlines(t *testing.T) {
	w, clk := deadlineWorld(t) // Tuesday 15 December 2026
	cw := w.as("ngo", homeward.RoleCaseWorker)
	admin := w.as("operator", homeward.RoleAdministrator)
	send := func(nid string) time.Time {
		t.Helper()
		rec := w.returnee(t, nid, w.Provider.ID)
		r, err := w.DB.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: w.Provider.ID, ServiceType: "skills_training", RespondWithin: 1})
		if err != nil {
			t.Fatal(err)
		}
		return r.RespondBy
	}
	// The pack alone: Victory Day (Wed 16) is skipped.
	if got := send("9934567880"); got.Format(time.DateOnly) != "2026-12-17" {
		t.Errorf("1 working day from Tue 15: %s, want Thu 17", got)
	}
	for _, who := range []struct {
		name string
		as   string
		role homeward.Role
	}{{"an NGO administrator", "ngo", homeward.RoleAdministrator}, {"an operator case worker", "operator", homeward.RoleCaseWorker}} {
		if err := w.DB.PutHolidayChange(w.as(who.as, who.role), &country.HolidayChange{Date: "2026-12-16", Removed: true}); homewardtest.Code(err) != homeward.EFORBIDDEN {
			t.Errorf("%s changes the holidays: %v", who.name, err)
		}
	}
	for _, bad := range []struct {
		c     country.HolidayChange
		field string
	}{
		{country.HolidayChange{Date: "16/12/2026", Removed: true}, "date"},
		{country.HolidayChange{Date: "2026-12-17", Removed: true}, "date"},                                 // not a holiday
		{country.HolidayChange{Date: "2026-12-16", Names: map[string]string{"en": "Victory Day"}}, "date"}, // one already
		{country.HolidayChange{Date: "2026-12-17", Names: map[string]string{"bn": "ছুটি"}}, "names.en"},
	} {
		err := w.DB.PutHolidayChange(admin, &bad.c)
		if e, ok := err.(*homeward.Error); !ok || e.Code != homeward.EINVALID || e.Field != bad.field {
			t.Errorf("%+v: %v, want invalid %s", bad.c, err, bad.field)
		}
	}
	// Victory Day removed (say, moved by decree), Thursday 17 added.
	if err := w.DB.PutHolidayChange(admin, &country.HolidayChange{Date: "2026-12-16", Removed: true, Names: map[string]string{"en": "ignored"}}); err != nil {
		t.Fatal(err)
	}
	if got := send("9934567881"); got.Format(time.DateOnly) != "2026-12-16" {
		t.Errorf("Victory Day removed: %s, want Wed 16", got)
	}
	if err := w.DB.PutHolidayChange(admin, &country.HolidayChange{Date: "2026-12-16", Removed: false, Names: map[string]string{"en": "Victory Day (moved)"}}); homewardtest.Code(err) != homeward.EINVALID {
		t.Errorf("adding a pack holiday back as an addition: %v", err)
	}
	if err := w.DB.PutHolidayChange(admin, &country.HolidayChange{Date: "2026-12-17", Names: map[string]string{"en": "Victory Day (moved)", "bn": "বিজয় দিবস (স্থানান্তরিত)"}}); err != nil {
		t.Fatal(err)
	}
	// Tue 15 + 1: Wed 16 is worked now.
	if got := send("9934567882"); got.Format(time.DateOnly) != "2026-12-16" {
		t.Errorf("with both changes: %s, want Wed 16", got)
	}
	clk.Set(time.Date(2026, 12, 16, 6, 30, 0, 0, time.UTC)) // Wed 16: Thu 17 off, Fri–Sat weekend
	if got := send("9934567883"); got.Format(time.DateOnly) != "2026-12-20" {
		t.Errorf("1 working day from Wed 16 with Thu 17 off: %s, want Sun 20", got)
	}
	code, changes, err := w.DB.Holidays(cw)
	if err != nil || code != "BD" || len(changes) != 2 || !changes[0].Removed || changes[0].Names != nil || changes[1].Names["bn"] == "" {
		t.Fatalf("Holidays: %s %+v %v", code, changes, err)
	}
	// Undoing a change restores the pack's day; undoing none is not found.
	if err := w.DB.DeleteHolidayChange(admin, "2026-12-17"); err != nil {
		t.Fatal(err)
	}
	if err := w.DB.DeleteHolidayChange(admin, "2026-12-17"); homewardtest.Code(err) != homeward.ENOTFOUND {
		t.Errorf("undoing nothing: %v", err)
	}
	if err := w.DB.DeleteHolidayChange(w.as("ngo", homeward.RoleAdministrator), "2026-12-16"); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("an NGO administrator undoes a change: %v", err)
	}
	if got := send("9934567884"); got.Format(time.DateOnly) != "2026-12-17" {
		t.Errorf("Thu 17 restored as a working day: %s", got)
	}
	for _, action := range []string{"holiday.put", "holiday.delete"} {
		a := action
		evs, _, err := w.DB.FindAuditEvents(homewardtest.SystemCtx(), homeward.AuditFilter{Action: &a, Limit: 10})
		if err != nil || len(evs) == 0 {
			t.Errorf("%s not audited: %v", action, err)
		}
	}
}

package sqldb_test

import (
	"testing"
	"time"

	"homeward"
	"homeward/internal/referral"
	"homeward/internal/registry"
	"homeward/internal/sqldb"
)

// A referral's response deadline counts the working days of the sending
// organisation's country pack: its weekend and its public holidays, from
// the local day, at the time it was sent. The clock is fixed on a Tuesday
// before Bangladesh's Victory Day (Wednesday 16 December 2026).
func TestReferralDeadlineWorkingDays(t *testing.T) {
	w, clk := deadlineWorld(t)
	w.offer(t, "psychosocial_counselling", 0)
	cw := w.as("ngo", homeward.RoleCaseWorker)
	send := func(rec *registry.Record, service string, within int) time.Time {
		t.Helper()
		r, err := w.DB.SendReferral(cw, &referral.Draft{CaseID: rec.Case.ID, ToOrgID: w.Provider.ID, ServiceType: service, RespondWithin: within})
		if err != nil {
			t.Fatal(err)
		}
		return r.RespondBy
	}
	a := w.returnee(t, "9934567890", w.Provider.ID)
	b := w.returnee(t, "9934567891", w.Provider.ID)
	// Bangladesh, 3 working days: Victory Day (Wed 16) and the Friday–
	// Saturday weekend are skipped: Thu 17, Sun 20, Mon 21.
	if got, want := send(a, "skills_training", 3), time.Date(2026, 12, 21, 6, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("BD, 3 working days from Tue 15 Dec: %v, want %v", got, want)
	}
	// The default, 7 working days: Thu 17, Sun 20 … Thu 24, then Christmas
	// (Fri 25, a holiday in Bangladesh, and a weekend day anyway), Sun 27.
	if got, want := send(a, "psychosocial_counselling", 0), time.Date(2026, 12, 27, 6, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("BD, default deadline from Tue 15 Dec: %v, want %v", got, want)
	}
	// "Today" is the local day: at 01:00 on Thursday 17 in Dhaka it is still
	// Wednesday 16 (Victory Day) in UTC; one working day later is Sunday 20,
	// 01:00 in Dhaka.
	c := w.returnee(t, "9934567892", w.Provider.ID)
	clk.Set(time.Date(2026, 12, 16, 19, 0, 0, 0, time.UTC))
	if got, want := send(c, "skills_training", 1), time.Date(2026, 12, 19, 19, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("BD, 1 working day from Thu 17 Dec 01:00 in Dhaka: %v, want %v", got, want)
	}
	clk.Set(time.Date(2026, 12, 15, 6, 30, 0, 0, time.UTC))
	// The same organisation in Pakistan: a Saturday–Sunday weekend and no
	// holiday on the 16th; 3 working days are Wed 16, Thu 17, Fri 18.
	raw := sqldb.RawDB(t, w.DB)
	if _, err := raw.Exec(sqldb.Rebind(w.DB, `UPDATE organisations SET country = 'PK' WHERE id = ?`), w.NGO.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := send(b, "skills_training", 3), time.Date(2026, 12, 18, 6, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("PK, 3 working days from Tue 15 Dec: %v, want %v", got, want)
	}
	// A country without a pack counts calendar days.
	if _, err := raw.Exec(sqldb.Rebind(w.DB, `UPDATE organisations SET country = 'NP' WHERE id = ?`), w.NGO.ID); err != nil {
		t.Fatal(err)
	}
	if got, want := send(b, "psychosocial_counselling", 3), time.Date(2026, 12, 18, 6, 30, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("no pack, 3 days from Tue 15 Dec: %v, want %v", got, want)
	}
}

// deadlineWorld is a referral world whose clock is on Tuesday 15 December
// 2026, 12:30 in Dhaka (the day before Victory Day), with a skills
// training offer.
func deadlineWorld(t *testing.T) (*refWorld, *clock) {
	t.Helper()
	w := newRefWorld(t)
	clk := useClock(t, w)
	clk.Set(time.Date(2026, 12, 15, 6, 30, 0, 0, time.UTC))
	w.offer(t, "skills_training", 0)
	return w, clk
}

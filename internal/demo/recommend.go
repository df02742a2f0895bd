package demo

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"homeward"
	"homeward/internal/recommend"
	"homeward/internal/sqldb"
)

// seedRecommend gives Shapla an active suggestion model: its data officer
// trains one on a simulated history of 3,000 past cases with 12-month
// outcomes (labelled as simulated on its card), and its administrator, a
// second person, activates it. The other organisations' plan pages rank
// by the needs-based rules, so that both are seen.
func seedRecommend(ctx context.Context, db *sqldb.DB, w *World) error {
	as := func(email string) context.Context {
		u := w.Users[email]
		return homeward.NewContextWithActor(ctx, &homeward.Actor{UserID: u.ID, OrgID: u.OrgID, Name: u.Name, Email: u.Email, Roles: u.Roles, Locale: u.Locale})
	}
	m, raw, err := demoModel(db.Clock().Time())
	if err != nil {
		return err
	}
	s, err := db.SaveModel(as("data@shapla.demo"), recommend.SourceSimulated, m.Version, raw)
	if err != nil {
		return err
	}
	_, err = db.ActivateModel(as("admin@shapla.demo"), s.ID)
	return err
}

// demoModel trains the demo's model once per process (it is the same for
// every demo database of a day: the history and the seeds are fixed), so
// that tests seeding many demo worlds pay for it once.
func demoModel(now time.Time) (*recommend.Model, []byte, error) {
	demoModelOnce.Do(func() {
		history, _ := recommend.Simulate(recommend.DefaultWorld(), 3000, 2026)
		demoModelM, demoModelErr = recommend.Train(history, recommend.Options{Now: now, Seed: 2026,
			From: now.AddDate(-3, 0, 0).Format("2006-01"), To: now.AddDate(-1, 0, 0).Format("2006-01")})
		if demoModelErr == nil {
			demoModelRaw, demoModelErr = json.Marshal(demoModelM)
		}
	})
	return demoModelM, demoModelRaw, demoModelErr
}

var (
	demoModelOnce sync.Once
	demoModelM    *recommend.Model
	demoModelRaw  []byte
	demoModelErr  error
)

package sqldb

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"homeward/internal/assessment"
	"homeward/internal/scoring"
)

// A case has a task on a day exactly when its stored columns say so: the
// baseline group always, the follow-up group from task_on on, no group
// never. Checked on random return dates, surveys and days, for the default
// schedule and a short one.
func TestCaseTaskColumnsMatchTasks(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	base := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	short := scoring.Schedule{Months: []int{1, 2, 4}, OpenDays: 7, GraceDays: 3}
	checked := map[string]int{}
	for i := range 20000 {
		sched := scoring.DefaultSchedule
		if i%2 == 1 {
			sched = short
		}
		start := base.AddDate(0, 0, r.IntN(400))
		// Surveys are answered on or before the day they are weighed.
		now := start.AddDate(0, 0, r.IntN(700)-20)
		var surveys []time.Time
		for range r.IntN(5) {
			if d := start.AddDate(0, 0, r.IntN(720)-30); !d.After(now) {
				surveys = append(surveys, d)
			}
		}
		group, on := caseTask(sched, start, surveys)
		kinds, _ := assessment.Tasks(sched, start, surveys, now)
		has := len(kinds) > 0
		var want bool
		switch {
		case group != nil && *group == 1:
			want = true
			checked["baseline"]++
		case group != nil && *group == 0:
			want = now.Format(time.DateOnly) >= on
			if want {
				checked["follow-up due"]++
			} else {
				checked["follow-up later"]++
			}
		case group == nil:
			checked["none"]++
		default:
			t.Fatalf("group %v", *group)
		}
		if has != want {
			t.Fatalf("start %s, surveys %v, now %s, schedule %v: columns (%v, %q) say task %v, Tasks says %v",
				start.Format(time.DateOnly), surveys, now.Format(time.DateOnly), sched.Months, groupText(group), on, want, has)
		}
	}
	for _, k := range []string{"baseline", "follow-up due", "follow-up later", "none"} {
		if checked[k] < 100 {
			t.Errorf("only %d cases of kind %q checked: %v", checked[k], k, checked)
		}
	}
}

func groupText(g *int64) string {
	if g == nil {
		return "none"
	}
	return fmt.Sprint(*g)
}

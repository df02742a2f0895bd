package sqldb_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/assessment"
	"homeward/internal/demo"
	"homeward/internal/scoring"
	"homeward/internal/sqldb"
)

// A supervisor's task list is read from each case's task columns once they
// are computed for the schedule in force, and is then the list computed
// from every case and survey: for baselines, follow-ups due and overdue, a
// follow-up missed before a later one was done, the last one done, after a
// new survey, and after the schedule changes (which falls back to every
// case until the columns are recomputed). Another organisation's
// supervisor sees none of them.
func TestSupervisorTasksFromCaseColumns(t *testing.T) {
	w := homewardtest.NewWorld(t)
	db := w.DB
	ctx := context.Background()
	sup, cw := w.Ctx("ngo", homeward.RoleSupervisor), w.Ctx("ngo", homeward.RoleCaseWorker)
	now := db.Now()
	day := func(d int) string { return now.AddDate(0, 0, d).Format(time.DateOnly) }
	r := rand.New(rand.NewPCG(1, 2))
	survey := func(personID, on string) {
		t.Helper()
		in := assessment.Input{FormID: assessment.SurveyFormID, Status: assessment.StatusCompleted,
			Answers: demo.SurveyAnswers(r, demo.Levels{Economic: 0.5, Social: 0.5, Psychosocial: 0.5}, on, "baseline")}
		if _, err := db.CreateSubmission(cw, personID, in); err != nil {
			t.Fatalf("survey on %s: %v", on, err)
		}
	}
	people, label := map[string]string{}, map[string]string{}
	names := func(tasks []assessment.Task) string {
		var b strings.Builder
		for _, t := range tasks {
			fmt.Fprintf(&b, "[%s: %s] ", label[t.PersonID], t.Kind)
		}
		return b.String()
	}
	for i, c := range []struct {
		name     string
		returned int   // days from now
		surveys  []int // days from now
	}{
		{"baseline due", -30, nil},
		{"3 months due", -95, []int{-90}},
		{"12 months overdue, 3 missed", -420, []int{-415, -230}},
		{"6 months due", -185, []int{-180, -92}},
		{"last done", -420, []int{-415, -30}},
		{"3 missed, 6 done, 12 later", -250, []int{-245, -70}},
		{"3 months later", -40, []int{-35}},
	} {
		rec := registerPerson(t, w, now.AddDate(0, 0, c.returned), fmt.Sprintf("55512345%02d", i))
		people[c.name], label[rec.Person.ID] = rec.Person.ID, c.name
		for _, s := range c.surveys {
			survey(rec.Person.ID, day(s))
		}
	}
	list := func(limit int) []assessment.Task {
		t.Helper()
		tasks, err := db.FollowUpTasks(sup, assessment.TaskFilter{Limit: limit})
		if err != nil {
			t.Fatal(err)
		}
		return tasks
	}
	// Limit 0 always reads every case: the reference.
	same := func(when string) {
		t.Helper()
		all := list(0)
		for _, limit := range []int{200, 3, 1} {
			want := all[:min(limit, len(all))]
			if got := list(limit); !reflect.DeepEqual(got, want) {
				t.Errorf("%s, limit %d:\n got %s\nwant %s", when, limit, names(got), names(want))
			}
		}
	}
	same("before the columns are computed")
	n, err := db.RefreshCaseTasks(ctx, 2)
	if err != nil || n < len(people) {
		t.Fatalf("refresh: %d cases, %v", n, err)
	}
	if n, err := db.RefreshCaseTasks(ctx, 2); err != nil || n != 0 {
		t.Errorf("a second refresh for the same schedule read %d cases, %v", n, err)
	}
	same("from the columns")
	// The columns themselves, which the list only narrows by: computed
	// from each person's surveys (the list would not show a wrong one).
	for name, want := range map[string]string{"baseline due": "1", "3 months due": "0", "last done": "none"} {
		if got := sqldb.CaseTaskGroupForTest(t, db, people[name]); got != want {
			t.Errorf("%s: task group %s, want %s", name, got, want)
		}
	}
	if got := names(list(200)); !strings.Contains(got, "3 months due") || strings.Contains(got, "last done") || strings.Contains(got, "12 later") || strings.Contains(got, "3 months later") {
		t.Errorf("tasks: %s", got)
	}
	// The list reads the columns: a case whose columns say no task is not
	// in it (and is in the list from every case).
	sqldb.SetCaseTaskGroupForTest(t, db, people["baseline due"], nil)
	if got := names(list(200)); strings.Contains(got, "baseline due") {
		t.Errorf("the list did not read the columns: %s", got)
	}
	sqldb.SetCaseTaskGroupForTest(t, db, people["baseline due"], 1)

	// A survey recomputes the person's cases at once.
	survey(people["3 months due"], day(0))
	same("after a 3-month survey")
	if got := names(list(200)); strings.Contains(got, "3 months due") {
		t.Errorf("a done follow-up is still a task: %s", got)
	}

	// Another schedule: every case again until recomputed.
	db.FollowUpSchedule = &scoring.Schedule{Months: []int{1, 2}, OpenDays: 7, GraceDays: 7}
	same("with a new schedule, before recomputing")
	if n, err := db.RefreshCaseTasks(ctx, 3); err != nil || n < len(people) {
		t.Fatalf("refresh for the new schedule: %d, %v", n, err)
	}
	same("with a new schedule")

	// Several nodes starting together on PostgreSQL: one recomputes, the
	// others wait for it and find the columns current. The first to get
	// going is held after its first batch until the two others wait for
	// the lock (without it they would read cases meanwhile; the hold ends
	// after ten seconds then).
	if db.Dialect() == "postgres" {
		db.FollowUpSchedule = &scoring.Schedule{Months: []int{2, 4}, OpenDays: 7, GraceDays: 7}
		held := make(chan struct{})
		var hold sync.Once
		sqldb.AfterTaskBatch(db, func() { hold.Do(func() { <-held }) })
		defer sqldb.AfterTaskBatch(db, nil)
		var wg sync.WaitGroup
		var read [3]int
		var errs [3]error
		for i := range read {
			wg.Go(func() { read[i], errs[i] = db.RefreshCaseTasks(ctx, 2) })
		}
		raw := sqldb.RawDB(t, db)
		for end := time.Now().Add(10 * time.Second); time.Now().Before(end); time.Sleep(10 * time.Millisecond) {
			var waiting int
			if err := raw.QueryRow(`SELECT COUNT(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 7243192 AND NOT granted`).Scan(&waiting); err != nil {
				t.Fatal(err)
			}
			if waiting == 2 {
				break
			}
		}
		close(held)
		wg.Wait()
		busy := 0
		for i, n := range read {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if n > 0 {
				busy++
			}
		}
		if busy != 1 || read[0]+read[1]+read[2] < len(people) {
			t.Errorf("three refreshes at once read %v cases: want one to read them all", read)
		}
		same("after three refreshes at once")
	}

	if tasks, err := db.FollowUpTasks(w.Ctx("operator", homeward.RoleSupervisor), assessment.TaskFilter{Limit: 200}); err != nil || len(tasks) != 0 {
		t.Errorf("another organisation's supervisor: %v, %v", names(tasks), err)
	}
	if _, err := db.FollowUpTasks(w.Ctx("ngo", homeward.RoleMEAnalyst), assessment.TaskFilter{Limit: 200}); homewardtest.Code(err) != homeward.EFORBIDDEN {
		t.Errorf("M&E analyst: %v", err)
	}
}

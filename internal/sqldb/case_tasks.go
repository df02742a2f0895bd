package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"
	"time"

	"homeward/internal/assessment"
	"homeward/internal/scoring"
)

// caseTask is the task columns of a case that started (returned, or was
// opened) on start, for its person's completed surveys: the baseline group
// (1) while there is none; else the follow-up group (0) from the day the
// window of the first follow-up after the last one done opens, or no group
// (nil) once the last is done. A follow-up not done before a later one was
// is missed for good, and every window from that day on belongs to a
// follow-up not yet done, so the case has a task exactly from task_on on.
func caseTask(sched scoring.Schedule, start time.Time, surveys []time.Time) (group *int64, on string) {
	if len(surveys) == 0 {
		return &baselineGroup, ""
	}
	fus := sched.FollowUps(start, surveys, start)
	last := -1
	for i, f := range fus {
		if f.DoneAt != nil {
			last = i
		}
	}
	if last == len(fus)-1 {
		return nil, ""
	}
	return &followUpGroup, fus[last+1].Opens.Format(time.DateOnly)
}

// The task groups: a follow-up to come, or the baseline.
var followUpGroup, baselineGroup int64 = 0, 1

// scheduleKey names a follow-up schedule in followup_tasks_state.
func scheduleKey(s scoring.Schedule) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// taskCase is what caseTask needs of a case, and what it holds now.
type taskCase struct {
	id, person, org, returned string
	opened                    time.Time
	group                     *int64
	on                        string
}

func (c *taskCase) start() time.Time {
	if t, ok := assessment.ParseReturnDate(c.returned); ok {
		return t
	}
	return c.opened
}

// updateTasks writes the task columns of each case that caseTask gives
// another value, from its person's surveys in its organisation.
func (tx *Tx) updateTasks(cases []taskCase, surveys map[[2]string][]time.Time) error {
	sched := tx.db.followUps()
	for _, c := range cases {
		group, on := caseTask(sched, c.start(), surveys[[2]string{c.org, c.person}])
		same := on == c.on && (group == nil) == (c.group == nil) && (group == nil || *group == *c.group)
		if same {
			continue
		}
		if _, err := tx.Exec(`UPDATE cases SET task_group = ?, task_on = ? WHERE id = ?`, group, on, c.id); err != nil {
			return err
		}
	}
	return nil
}

// scanTaskCases reads rows of id, person_id, org_id, return_date,
// opened_at, task_group, task_on.
func scanTaskCases(rows *sql.Rows) ([]taskCase, error) {
	defer rows.Close()
	var out []taskCase
	for rows.Next() {
		var c taskCase
		if err := rows.Scan(&c.id, &c.person, &c.org, &c.returned, dbTime{&c.opened}, &c.group, &c.on); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const taskCaseColumns = `id, person_id, org_id, return_date, opened_at, task_group, task_on`

// surveysOf reads the completed surveys of people (in their cases'
// organisations) by organisation and person.
func (tx *Tx) surveysOf(cases []taskCase) (map[[2]string][]time.Time, error) {
	out := map[[2]string][]time.Time{}
	seen := map[[2]string]bool{}
	listed := map[string]bool{}
	var args []any
	for _, c := range cases {
		seen[[2]string{c.org, c.person}] = true
		// Each person once: on PostgreSQL a person listed twice would
		// have their surveys read twice.
		if !listed[c.person] {
			listed[c.person] = true
			args = append(args, c.person)
		}
	}
	if len(args) == 0 {
		return out, nil
	}
	n := len(args)
	args = append(args, assessment.SurveyFormID)
	q := `SELECT org_id, person_id, answered_on FROM assessments WHERE person_id IN ` + inList(n) + `
		AND form_id = ? AND status = 'completed'`
	if tx.db.dialect == postgres {
		// Person by person from assessments_person, as peopleSurveysQuery:
		// the plan PostgreSQL caches for an IN list of a thousand
		// parameters read every assessment and compared it with each of
		// them (168 ms a batch of the recomputation at a million people,
		// against under a millisecond).
		q = `SELECT a.org_id, a.person_id, a.answered_on FROM ` + assessmentsOfPeople(n) + ` WHERE a.form_id = ? AND a.status = 'completed'`
	}
	rows, err := tx.Query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var org, person, d string
		if err := rows.Scan(&org, &person, &d); err != nil {
			return nil, err
		}
		k := [2]string{org, person}
		if t, ok := assessment.ParseReturnDate(d); ok && seen[k] {
			out[k] = append(out[k], t)
		}
	}
	return out, rows.Err()
}

// refreshCaseTasks recomputes the task columns of the person's cases,
// after one of their surveys, their return date or their cases changed. The cases are locked first (PostgreSQL), so that two such
// changes of one person recompute one after the other, the second from
// what the first committed.
func (tx *Tx) refreshCaseTasks(personID string) error {
	rows, err := tx.Query(`SELECT `+taskCaseColumns+` FROM cases WHERE person_id = ? AND merged_into IS NULL`+tx.db.dialect.forUpdate(), personID)
	if err != nil {
		return err
	}
	cases, err := scanTaskCases(rows)
	if err != nil || len(cases) == 0 {
		return err
	}
	surveys, err := tx.surveysOf(cases)
	if err != nil {
		return err
	}
	return tx.updateTasks(cases, surveys)
}

// RefreshCaseTasks recomputes every case's task columns for the follow-up
// schedule in force, batch cases at a time (each batch commits), unless
// followup_tasks_state says they already are; it returns how many cases
// it read. Until it ends, supervisors' task lists are computed from every
// case (tasksCurrent).
func (db *DB) RefreshCaseTasks(ctx context.Context, batch int) (int, error) {
	key := scheduleKey(db.followUps())
	if ok, err := db.tasksCurrent(ctx); err != nil || ok {
		return 0, err
	}
	if db.dialect == postgres {
		// Several nodes started together would each recompute every case,
		// waiting for each other's row locks: one does it, the others wait
		// for it (a session's advisory lock, released if its process dies)
		// and then find the columns current.
		conn, err := db.write.Conn(ctx)
		if err != nil {
			return 0, err
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(7243192)`); err != nil {
			return 0, err
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(7243192)`)
		if ok, err := db.tasksCurrent(ctx); err != nil || ok {
			return 0, err
		}
	}
	n, after := 0, ""
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		var got int
		err := db.Transact(ctx, func(tx *Tx) error {
			rows, err := tx.Query(`SELECT `+taskCaseColumns+` FROM cases WHERE id > ? AND merged_into IS NULL ORDER BY id LIMIT ?`+db.dialect.forUpdate(), after, batch)
			if err != nil {
				return err
			}
			cases, err := scanTaskCases(rows)
			if err != nil || len(cases) == 0 {
				return err
			}
			got, after = len(cases), cases[len(cases)-1].id
			surveys, err := tx.surveysOf(cases)
			if err != nil {
				return err
			}
			return tx.updateTasks(cases, surveys)
		})
		if err != nil {
			return n, err
		}
		n += got
		if db.afterTaskBatch != nil {
			db.afterTaskBatch()
		}
		if got < batch {
			break
		}
	}
	return n, db.Transact(ctx, func(tx *Tx) error {
		_, err := tx.Exec(`INSERT INTO followup_tasks_state (id, schedule) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET schedule = excluded.schedule`, key)
		return err
	})
}

// tasksCurrent reports whether the task columns were last computed for
// the schedule in force.
func (db *DB) tasksCurrent(ctx context.Context) (bool, error) {
	var stored string
	err := db.queryRow(ctx, `SELECT schedule FROM followup_tasks_state WHERE id = 1`).Scan(&stored)
	if err == errNoRows {
		return false, nil
	}
	return err == nil && stored == scheduleKey(db.followUps()), err
}

// waitingCasesQuery is the statement for the open cases of org in task
// group (0 follow-ups, 1 baselines) waiting since up to on, the longest
// waiting first, at most limit: a range of cases_org_tasks.
func waitingCasesQuery(org string, group int, on string, limit int) (string, []any) {
	return `SELECT c.id, c.number, c.person_id, COALESCE(c.assigned_to, ''), c.return_date, c.opened_at, p.given_name, p.family_name
		FROM cases c JOIN people p ON p.id = c.person_id
		WHERE c.org_id = ? AND c.task_group = ? AND c.task_on <= ? AND c.status <> 'closed' AND c.merged_into IS NULL AND c.task_group IS NOT NULL
		AND p.merged_into IS NULL ORDER BY c.task_on, c.id LIMIT ?`, []any{org, group, on, limit}
}

// waitingTaskCases reads, for a supervisor's list of at most limit tasks,
// the open cases of org that have waited longest for a follow-up and for a
// baseline, a few times limit of each (every one has a task now), and
// their people's completed surveys; FollowUpTasks sorts what they give.
func (db *DB) waitingTaskCases(ctx context.Context, org string, limit int) ([]taskCaseRow, map[string][]time.Time, error) {
	n := min(max(4*limit, 100), 1000)
	// The day after today: FollowUpTasks' own check decides; the range
	// must not miss a case by the hours between zones.
	on := db.Now().AddDate(0, 0, 1).Format(time.DateOnly)
	var cases []taskCaseRow
	for _, group := range []int{0, 1} {
		q, args := waitingCasesQuery(org, group, on, n)
		var err error
		if cases, err = db.taskCaseRows(ctx, cases, q, args); err != nil {
			return nil, nil, err
		}
	}
	if len(cases) == 0 {
		return cases, map[string][]time.Time{}, nil
	}
	people := make([]any, 0, len(cases)+2)
	for _, c := range cases {
		people = append(people, c.person)
	}
	surveys, err := db.completedSurveys(ctx, db.peopleSurveysQuery(len(people)), append(people, org, assessment.SurveyFormID))
	return cases, surveys, err
}

// peopleSurveysQuery reads the completed surveys of n people (then the
// organisation and the survey form as arguments) person by person from
// assessments_person, as followUpSurveysQuery does a caseload's: by the
// planners' estimates the organisation's form index, which holds every
// survey, looks narrower. SQLite is told the index; on PostgreSQL each
// person's surveys are a lateral subquery it cannot flatten.
func (db *DB) peopleSurveysQuery(n int) string {
	if db.dialect == postgres {
		return `SELECT a.id, a.person_id, a.answered_on FROM ` + assessmentsOfPeople(n) + `
			WHERE a.org_id = ? AND a.form_id = ? AND a.status = 'completed'`
	}
	return `SELECT id, person_id, answered_on FROM assessments INDEXED BY assessments_person WHERE person_id IN ` + inList(n) + `
		AND org_id = ? AND form_id = ? AND status = 'completed'`
}

// assessmentsOfPeople is, on PostgreSQL, the assessments (as a) of n people
// given as arguments, read person by person from assessments_person: a
// lateral subquery the planner cannot flatten (OFFSET 0), whatever plan it
// caches for the statement.
func assessmentsOfPeople(n int) string {
	return `(VALUES ` + strings.TrimSuffix(strings.Repeat("(?::text), ", n), ", ") + `) v(pid)
		CROSS JOIN LATERAL (SELECT id, person_id, answered_on, org_id, form_id, status FROM assessments a0 WHERE a0.person_id = v.pid OFFSET 0) a`
}

package sqldb

import (
	"context"
	"fmt"
	"testing"
)

// StartupQuery is a look-up the server runs at every start, with the table
// it reads and the indexes that make it a probe. Probe says that the index
// itself may not be read whole (it holds every sealed note), only searched;
// the other indexes are partial ones that hold just the rows to convert, or
// are searched by an equality.
type StartupQuery struct {
	Name, SQL, Table string
	Args             []any
	Indexes          []string
	Probe            bool
}

// StartupQueries are the start-up look-ups of records still to convert
// (besides LegacyKeysQuery, checked with the search plans).
func StartupQueries() []StartupQuery {
	qs := []StartupQuery{
		{"clear notes", clearNotesQuery, "counselling_notes", []any{500}, []string{"counselling_notes_clear"}, false},
		{"notes keys", noteKeysQuery, "counselling_notes", nil, []string{"counselling_notes_key"}, true},
		{"clear arrivals", clearArrivalsQuery, "handoff_arrivals", []any{500}, []string{"handoff_arrivals_clear"}, false},
		{"duplicate scan's organisations", scanOrgsQuery, "people", nil, []string{"people_org_updated"}, true},
	}
	for _, t := range sealedTables {
		qs = append(qs, StartupQuery{"clear " + t.table, clearRecordsQuery(t.table), t.table, nil, []string{t.table + "_seal_key"}, false})
	}
	return qs
}

// ScanOrgsQueryBefore is how the duplicate scan found the organisations
// with changed people before scanOrgsQuery: every person's entry read.
const ScanOrgsQueryBefore = `SELECT people.org_id, MAX(people.updated_at), MAX(dedupe_scans.scanned_to) FROM people
	LEFT JOIN dedupe_scans ON dedupe_scans.org_id = people.org_id GROUP BY people.org_id ORDER BY people.org_id`

// NoteConditions are the literal conditions the notes' look-ups share with
// the partial indexes of migration 0038.
func NoteConditions() (clear, sealed, head string) { return clearNoteCond, sealedNoteCond, noteHead }

// NoteKeysQueryBefore is how the start-up listed the notes' keys before
// noteKeysQuery: every sealed note read.
const NoteKeysQueryBefore = `SELECT DISTINCT substr(note, 1, 22) FROM counselling_notes WHERE substr(note, 1, 6) = 'hwenc:'`

// FollowUpTaskQueries are FollowUpTasks' statements for a case worker's
// own cases (assigned) and a supervisor's view of every case ("").
func FollowUpTaskQueries(db *DB, org, assigned string) (cases, surveys StartupQuery) {
	q, a := followUpCasesQuery(org, assigned)
	cases = StartupQuery{Name: "cases", SQL: q, Args: a, Table: "cases", Indexes: []string{"cases_org_assigned"}}
	q, a = db.followUpSurveysQuery(org, assigned)
	surveys = StartupQuery{Name: "surveys", SQL: q, Args: a, Table: "assessments", Indexes: []string{"assessments_person"}}
	return cases, surveys
}

// SetCaseTaskGroupForTest sets the task group of a person's cases.
func SetCaseTaskGroupForTest(t testing.TB, db *DB, personID string, group any) {
	t.Helper()
	err := db.Transact(context.Background(), func(tx *Tx) error {
		_, err := tx.Exec(`UPDATE cases SET task_group = ? WHERE person_id = ?`, group, personID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// CaseTaskGroupForTest reads the task group stored on the person's case
// ("none" for no group).
func CaseTaskGroupForTest(t testing.TB, db *DB, personID string) string {
	t.Helper()
	var g *int64
	if err := db.read.QueryRow(db.dialect.rebind(`SELECT task_group FROM cases WHERE person_id = ?`), personID).Scan(&g); err != nil {
		t.Fatal(err)
	}
	if g == nil {
		return "none"
	}
	return fmt.Sprint(*g)
}

// WaitingCasesQuery is a supervisor's task list's statement for a group.
func WaitingCasesQuery(org string, group int) StartupQuery {
	q, a := waitingCasesQuery(org, group, "2026-12-05", 100)
	return StartupQuery{Name: fmt.Sprintf("waiting cases, group %d", group), SQL: q, Args: a, Table: "cases", Indexes: []string{"cases_org_tasks"}}
}

// PeopleSurveysQuery is a supervisor's task list's statement for the
// surveys of two people.
func PeopleSurveysQuery(db *DB, org string) StartupQuery {
	return StartupQuery{Name: "surveys of the waiting cases' people", SQL: db.peopleSurveysQuery(2), Args: []any{"a", "b", org, "rss"}, Table: "assessments", Indexes: []string{"assessments_person"}}
}

package sqldb_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"homeward/homewardtest"
	"homeward/internal/seal"
	"homeward/internal/sqldb"
)

// Each look-up the server makes at start for records still to convert
// reads an index made for it, never the whole table: a start must not
// grow with the registry.
func TestStartupLookupsAreProbes(t *testing.T) {
	w := homewardtest.NewWorld(t)
	for _, q := range sqldb.StartupQueries() {
		t.Run(q.Name, func(t *testing.T) {
			plan := sqldb.ExplainSearch(t, w.DB, q.SQL, q.Args)
			if line := tableReadOtherwise(w.DB, plan, q.Table, q.Indexes, q.Probe); line != "" {
				t.Errorf("%s reads %q:\n%s", q.Name, line, strings.Join(plan, "\n"))
			}
		})
	}
	// The check fails on the look-up it replaced.
	plan := sqldb.ExplainSearch(t, w.DB, sqldb.NoteKeysQueryBefore, nil)
	if tableReadOtherwise(w.DB, plan, "counselling_notes", []string{"counselling_notes_key"}, true) == "" {
		t.Errorf("reading every sealed note passes the check:\n%s", strings.Join(plan, "\n"))
	}
	plan = sqldb.ExplainSearch(t, w.DB, sqldb.ScanOrgsQueryBefore, nil)
	if tableReadOtherwise(w.DB, plan, "people", []string{"people_org_updated"}, true) == "" {
		t.Errorf("reading every person's change time passes the check:\n%s", strings.Join(plan, "\n"))
	}
}

// tableReadOtherwise returns the first step of plan that reads table other
// than through one of the indexes, or, with probe, reads the index other
// than by a bounded search (SQLite: SEARCH, never SCAN; PostgreSQL: an
// index scan right under a Limit); "" if none. (Index names here begin with
// their table's name.)
func tableReadOtherwise(db *sqldb.DB, plan []string, table string, indexes []string, probe bool) string {
	step := regexp.MustCompile(`^(SCAN|SEARCH) ` + table + `\b(?: USING (?:COVERING )?INDEX (\w+))?`)
	if sqldb.IsPostgres(db) {
		step = regexp.MustCompile(`(Seq Scan) on ` + table + `\b()|(Bitmap Index Scan on|Index Scan(?: Backward)? using|Index Only Scan(?: Backward)? using) (` + table + `\w*)`)
	}
	for i, line := range plan {
		m := step.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		var how, index string
		for j := 1; j+1 < len(m); j += 2 {
			how, index = how+m[j], index+m[j+1]
		}
		if !slices.Contains(indexes, index) {
			return line
		}
		bounded := how == "SEARCH"
		if sqldb.IsPostgres(db) {
			bounded = i > 0 && strings.HasPrefix(strings.TrimLeft(plan[i-1], "-> "), "Limit") && !strings.HasPrefix(how, "Bitmap")
		}
		if probe && !bounded {
			return line
		}
	}
	return ""
}

// The notes' look-ups spell seal's prefix and header length as literals
// (so that the planners match them to the partial indexes): they must be
// seal's.
func TestNoteConditionsMatchSeal(t *testing.T) {
	clear, sealed, head := sqldb.NoteConditions()
	want := fmt.Sprintf("substr(note, 1, %d) <> '%s'", len(seal.Prefix), seal.Prefix)
	if clear != want {
		t.Errorf("clear note condition %q, want %q", clear, want)
	}
	if want := strings.Replace(want, "<>", "=", 1); sealed != want {
		t.Errorf("sealed note condition %q, want %q", sealed, want)
	}
	if want := fmt.Sprintf("substr(note, 1, %d)", seal.HeaderLen); head != want {
		t.Errorf("note header %q, want %q", head, want)
	}
}

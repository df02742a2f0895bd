package sqldb_test

import (
	"regexp"
	"strings"
	"testing"

	"homeward"
	"homeward/homewardtest"
	"homeward/internal/sqldb"
)

// A case worker's follow-up tasks (the home page) read their own cases
// and those people's surveys from index ranges, never the organisation's
// every case or survey: they cost a caseload, not the registry. The check
// fails on the supervisor's view, which does read the organisation.
func TestFollowUpTasksReadTheCaseload(t *testing.T) {
	w := homewardtest.NewWorld(t)
	org, user := w.NGO.ID, w.Users["ngo"][homeward.RoleCaseWorker].ID
	cases, surveys := sqldb.FollowUpTaskQueries(w.DB, org, user)
	for _, q := range []sqldb.StartupQuery{cases, surveys} {
		plan := sqldb.ExplainSearch(t, w.DB, q.SQL, q.Args)
		if bad := readsOrganisation(plan, q.Indexes); bad != "" {
			t.Errorf("%s: %s:\n%s", q.Name, bad, strings.Join(plan, "\n"))
		}
	}
	cases, surveys = sqldb.FollowUpTaskQueries(w.DB, org, "")
	for _, q := range []sqldb.StartupQuery{cases, surveys} {
		if plan := sqldb.ExplainSearch(t, w.DB, q.SQL, q.Args); readsOrganisation(plan, q.Indexes) == "" {
			t.Errorf("the supervisor's %s statement passes the check:\n%s", q.Name, strings.Join(plan, "\n"))
		}
	}
}

// A supervisor's task list reads the cases that have waited longest, a
// range of cases_org_tasks for each group, never the organisation's cases.
func TestSupervisorTasksReadARange(t *testing.T) {
	w := homewardtest.NewWorld(t)
	for _, group := range []int{0, 1} {
		q := sqldb.WaitingCasesQuery(w.NGO.ID, group)
		plan := sqldb.ExplainSearch(t, w.DB, q.SQL, q.Args)
		all := strings.Join(plan, "\n")
		for _, line := range plan {
			if wholeOrg.MatchString(line) {
				t.Errorf("%s reads the organisation: %s\n%s", q.Name, line, all)
			}
		}
		if !strings.Contains(all, "cases_org_tasks") {
			t.Errorf("%s does not use cases_org_tasks:\n%s", q.Name, all)
		}
	}
	q := sqldb.PeopleSurveysQuery(w.DB, w.NGO.ID)
	plan := sqldb.ExplainSearch(t, w.DB, q.SQL, q.Args)
	if bad := readsOrganisation(plan, q.Indexes); bad != "" && !strings.HasPrefix(bad, "does not use cases_org_assigned") {
		t.Errorf("%s: %s:\n%s", q.Name, bad, strings.Join(plan, "\n"))
	}
	if all := strings.Join(plan, "\n"); !strings.Contains(all, "assessments_person") {
		t.Errorf("%s does not use assessments_person:\n%s", q.Name, all)
	}
}

// wholeOrg is a plan step that reads cases or assessments whole or by
// the organisation alone: a scan, or the organisation's indexes.
var wholeOrg = regexp.MustCompile(`^SCAN (c|cases|a|assessments)\b|Seq Scan on (cases|assessments)\b|\b(cases_org|cases_org_status|assessments_org_form)\b`)

// readsOrganisation returns what in plan reads the organisation rather
// than the caseload, or that an index of want is not used; "" if neither.
func readsOrganisation(plan []string, want []string) string {
	for _, line := range plan {
		if wholeOrg.MatchString(line) {
			return "reads the organisation: " + line
		}
	}
	all := strings.Join(plan, "\n")
	for _, idx := range append([]string{"cases_org_assigned"}, want...) {
		if !strings.Contains(all, idx) {
			return "does not use " + idx
		}
	}
	return ""
}

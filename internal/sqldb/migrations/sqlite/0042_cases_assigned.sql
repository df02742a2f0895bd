-- A case worker's open cases (issue 14): the follow-up tasks on the home
-- page, and the search and case list filtered by assignee, read a user's
-- cases. Without this index they walked every case of the organisation
-- (cases_org), a million at national scale, for a caseload of a few
-- hundred. Partial: unassigned cases, most of a registry, cost nothing.
CREATE INDEX cases_org_assigned ON cases(org_id, assigned_to, id) WHERE assigned_to IS NOT NULL;

-- Each case's follow-up task, kept with the case (issue 14): a supervisor's
-- task list read every open case of the organisation and every survey of
-- it, 875,000 cases and 18 s at a million people. task_group is 1 while the
-- person has no completed survey (the baseline is due), 0 while a
-- follow-up is still to come (from task_on, the day its window opens), and
-- NULL once the last follow-up is done. New cases start as baseline; a
-- survey, a changed return date or a merge recomputes the person's cases,
-- and serve recomputes every case when the follow-up schedule is not the
-- one followup_tasks_state names (until then the list is computed the old
-- way).
ALTER TABLE cases ADD COLUMN task_group INTEGER DEFAULT 1;
ALTER TABLE cases ADD COLUMN task_on TEXT NOT NULL DEFAULT '';
CREATE INDEX cases_org_tasks ON cases(org_id, task_group, task_on, id) WHERE status <> 'closed' AND merged_into IS NULL AND task_group IS NOT NULL;
CREATE TABLE followup_tasks_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  schedule TEXT NOT NULL
);

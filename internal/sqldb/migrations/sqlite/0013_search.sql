-- Search answers from index ranges (issue 14): the lookup index carries the
-- person so that an equality range is read in person order (newest first)
-- without touching the table, and the per-person index carries kind and
-- value so that checking a candidate's other name tokens reads only its
-- index entries. Same number of index entries per key as before.
DROP INDEX person_keys_lookup;
CREATE INDEX person_keys_lookup ON person_keys(org_id, kind, value, person_id);
DROP INDEX person_keys_person;
CREATE INDEX person_keys_person ON person_keys(person_id, kind, value);

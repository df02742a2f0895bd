-- Only search keys lent by a merged-away person carry a merge id. Index just
-- those: registering a person writes nine keys or so, and each used to add
-- an index entry for its empty merge id as well.
DROP INDEX person_keys_merge;
CREATE INDEX person_keys_merge ON person_keys(merge_id) WHERE merge_id IS NOT NULL;

-- Case numbers are found through the cases table's own unique index (a
-- merge moves the absorbed person's cases to the kept person, so an old
-- case number still finds them); the copy of each number among the search
-- keys cost every registration three more index entries.
DROP TRIGGER person_keys_keep_lent;
DELETE FROM person_keys WHERE kind = 'case';
CREATE TRIGGER person_keys_keep_lent BEFORE DELETE ON person_keys
WHEN OLD.merge_id IS NOT NULL
BEGIN
    SELECT RAISE(IGNORE);
END;

-- Case numbers are found through the cases table's own unique index (a
-- merge moves the absorbed person's cases to the kept person, so an old
-- case number still finds them); the copy of each number among the search
-- keys cost every registration three more index entries.
ALTER TABLE person_keys DISABLE TRIGGER person_keys_keep_lent;
DELETE FROM person_keys WHERE kind = 'case';
ALTER TABLE person_keys ENABLE TRIGGER person_keys_keep_lent;

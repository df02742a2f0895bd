-- Search keys clustered on their lookup (issue 14). person_keys was a rowid
-- table with two indexes, so every key was written three times (the row,
-- the lookup index, the per-person index); keyed WITHOUT ROWID on the
-- lookup (org_id, kind, value, person_id, merge_id) the table is its own
-- lookup index and a key is written twice. merge_id joins the key (a
-- merge can give the kept person a key they already have: the lent one
-- differs by its merge), so it is '' where it was NULL: not lent. A lent
-- key is released for deletion (erasure) by a '!' before its merge.
CREATE TABLE person_keys_clustered (
    org_id    TEXT NOT NULL,
    kind      TEXT NOT NULL,
    value     TEXT NOT NULL,
    person_id TEXT NOT NULL REFERENCES people(id) ON DELETE CASCADE,
    merge_id  TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (org_id, kind, value, person_id, merge_id)
) WITHOUT ROWID;
INSERT OR IGNORE INTO person_keys_clustered (org_id, kind, value, person_id, merge_id)
SELECT org_id, kind, value, person_id, COALESCE(merge_id, '') FROM person_keys;
DROP TABLE person_keys;
ALTER TABLE person_keys_clustered RENAME TO person_keys;
CREATE INDEX person_keys_person ON person_keys(person_id, kind, value);
CREATE INDEX person_keys_merge ON person_keys(merge_id) WHERE merge_id <> '';
CREATE TRIGGER person_keys_keep_lent BEFORE DELETE ON person_keys
WHEN OLD.merge_id <> '' AND substr(OLD.merge_id, 1, 1) <> '!'
BEGIN
    SELECT RAISE(IGNORE);
END;

-- Search keys (issue 14): on SQLite person_keys is now keyed WITHOUT ROWID
-- on (org_id, kind, value, person_id, merge_id), which needs merge_id NOT
-- NULL; the same SQL runs here, so a person's own key has merge_id '' (was
-- NULL) on both. A lent key is released for deletion (erasure) by a '!'
-- before its merge.
DROP TRIGGER person_keys_keep_lent ON person_keys;
UPDATE person_keys SET merge_id = '' WHERE merge_id IS NULL;
ALTER TABLE person_keys ALTER COLUMN merge_id SET DEFAULT '', ALTER COLUMN merge_id SET NOT NULL;
DROP INDEX person_keys_merge;
CREATE INDEX person_keys_merge ON person_keys(merge_id) WHERE merge_id <> '';
CREATE OR REPLACE FUNCTION person_keys_keep_lent() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.merge_id <> '' AND substr(OLD.merge_id, 1, 1) <> '!' THEN
        RETURN NULL;
    END IF;
    RETURN OLD;
END $$;
CREATE TRIGGER person_keys_keep_lent BEFORE DELETE ON person_keys
    FOR EACH ROW EXECUTE FUNCTION person_keys_keep_lent();

-- Search keys are written without a foreign key to people (issue 14). On
-- PostgreSQL the foreign key is a trigger run for every key written, ten
-- a person: importing 100,000 people took 4,358 and 4,379 people/s with it,
-- 5,127 and 5,114/s without (measured). A person's keys are derived from
-- the person (personKeys; namekeys rebuild makes them again), written in
-- the transaction that writes the person, and deleted by erasure with
-- theirs; no one deletes a person row, so ON DELETE CASCADE never acted.
-- TestPersonKeysHavePeople checks through everything that writes keys that
-- each belongs to a person. (SQLite keeps its foreign key: there it cost
-- nothing measurable.)
DO $$
DECLARE c text;
BEGIN
    FOR c IN SELECT conname FROM pg_constraint
             WHERE conrelid = 'person_keys'::regclass AND contype = 'f'
    LOOP
        EXECUTE format('ALTER TABLE person_keys DROP CONSTRAINT %I', c);
    END LOOP;
END $$;

-- A person's name words and their sound keys, each between spaces
-- (" md rafiqul islam "), copied from the person's search keys (lent keys
-- of merged-away people included). A name search reads the rarest word's
-- keys from the index and checks the other words here, one short row per
-- candidate, instead of one index lookup per word and candidate or the
-- person's wide row. The cases of a person are found, with what ranks and
-- counts them, from one index without reading the case rows.
CREATE TABLE person_words (
    person_id TEXT PRIMARY KEY,
    words     TEXT NOT NULL,
    sounds    TEXT NOT NULL
);
INSERT INTO person_words (person_id, words, sounds)
SELECT p.id,
    COALESCE(' ' || (SELECT string_agg(value, ' ') FROM person_keys k WHERE k.person_id = p.id AND k.kind = 'name') || ' ', ''),
    COALESCE(' ' || (SELECT string_agg(value, ' ') FROM person_keys k WHERE k.person_id = p.id AND k.kind = 'phon') || ' ', '')
FROM people p;
DROP INDEX cases_person;
CREATE INDEX cases_person ON cases(person_id, org_id, merged_into, id);

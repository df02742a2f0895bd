-- Search key values compare byte by byte, whatever the database's
-- collation: a prefix range (a name token's longer words; the "pair" keys
-- that sound like two words, "rfkl slm|" to "rfkl slm}") holds what it
-- should only in byte order, and a database made with a language's
-- collation (en_US) ignores their spaces and punctuation at first. It is
-- also cheaper for every key written and read. The table and its indexes
-- are written again, compact after migration 45. (org_id and kind keep the
-- database's collation: org_id is compared with other tables' ids.)
ALTER TABLE person_keys ALTER COLUMN value TYPE text COLLATE "C";

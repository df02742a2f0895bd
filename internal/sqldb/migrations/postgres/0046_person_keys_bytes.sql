-- Search key values compare byte by byte, whatever the database's
-- collation: a prefix range (a name token's longer words; the "pair" keys
-- that sound like two words, "rfkl slm|" to "rfkl slm}") holds what it
-- should only in byte order, and a database made with a language's
-- collation (en_US) ignores their spaces and punctuation at first. The
-- indexes on value are built again (compact after migration 45; the table
-- itself is not rewritten). org_id and kind keep the database's
-- collation: org_id is compared with other tables' ids.
ALTER TABLE person_keys ALTER COLUMN value TYPE text COLLATE "C";
-- Changing a column's type drops its statistics, and nothing gathers them
-- again until enough rows change: without them the planner reads a pair's
-- range by a plan 30 times slower (measured at a million people).
ANALYZE person_keys;

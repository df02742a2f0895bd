-- Search keys compare byte by byte (on PostgreSQL, whatever the database's
-- collation): SQLite's person_keys columns have always used its BINARY
-- collation, so nothing changes here.
SELECT 1;

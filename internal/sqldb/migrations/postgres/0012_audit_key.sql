-- The audit chain is keyed: each event records the id of the audit key whose
-- HMAC-SHA-256 its hash is (the key itself never enters the database).
-- Events written before keep an empty key id and their unkeyed SHA-256 hash;
-- the first start with a key appends one keyed event to each such chain,
-- which binds the unkeyed prefix under the key.
ALTER TABLE audit_events ADD COLUMN key_id TEXT NOT NULL DEFAULT '';

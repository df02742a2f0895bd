-- Encrypted identifiers (envelope keys). Data keys are random; each is kept
-- here wrapped (sealed) by the instance master key, the key file that also
-- seals counselling notes, so a copy of the database alone opens nothing.
-- purpose 'seal' keys encrypt people's records (national ID, passport and
-- other document numbers, phones), duplicate merges and referrals; the one with
-- current = 1 seals new values, the others still open what they sealed
-- until "homeward keys rotate" has moved it. The one 'index' key keys the
-- blind indexes (HMAC-SHA256) that person_keys holds instead of clear phone
-- and document numbers.
CREATE TABLE data_keys (
    id         TEXT PRIMARY KEY,
    purpose    TEXT NOT NULL,
    wrapped    TEXT NOT NULL,
    current    INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX data_keys_current ON data_keys(purpose) WHERE current = 1;

-- The id of the data key that sealed the row's record ('' while it is still
-- stored in clear by an earlier version: the server seals those at start).
ALTER TABLE people ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
CREATE INDEX people_seal_key ON people(seal_key);
ALTER TABLE dedupe_merges ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
CREATE INDEX dedupe_merges_seal_key ON dedupe_merges(seal_key);
-- A referral holds a copy of the fields shared with the receiver (phone and
-- national ID among them): sealed the same way.
ALTER TABLE referrals ADD COLUMN seal_key TEXT NOT NULL DEFAULT '';
CREATE INDEX referrals_seal_key ON referrals(seal_key);

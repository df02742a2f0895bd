-- Duplicate detection in the registry's work: the review queue of candidate
-- pairs, merges (with everything needed to undo them) and the scan
-- watermark that lets several serve processes share the background scan.

-- A candidate pair of one organisation; person_a < person_b. A rejected pair
-- stays, so that the scan never raises it again.
CREATE TABLE dedupe_pairs (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    person_a    TEXT NOT NULL REFERENCES people(id),
    person_b    TEXT NOT NULL REFERENCES people(id),
    score       REAL NOT NULL,
    decision    TEXT NOT NULL,
    explanation TEXT NOT NULL DEFAULT '{}',
    status      TEXT NOT NULL DEFAULT 'open',
    note        TEXT NOT NULL DEFAULT '',
    decided_by  TEXT NOT NULL DEFAULT '',
    decided_at  TEXT,
    merge_id    TEXT,
    version     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX dedupe_pairs_people ON dedupe_pairs(org_id, person_a, person_b);
CREATE INDEX dedupe_pairs_queue ON dedupe_pairs(org_id, status, score);
CREATE INDEX dedupe_pairs_b ON dedupe_pairs(person_b);

-- One merge: the kept and the absorbed person; merge holds the plan, the
-- provenance of every field, both people as they were and the ids of the
-- rows that moved (JSON, as package dedupe defines it).
CREATE TABLE dedupe_merges (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    pair_id     TEXT,
    kept_id     TEXT NOT NULL REFERENCES people(id),
    absorbed_id TEXT NOT NULL REFERENCES people(id),
    merge       TEXT NOT NULL,
    merged_by   TEXT NOT NULL,
    merged_at   TEXT NOT NULL,
    undone_by   TEXT NOT NULL DEFAULT '',
    undone_at   TEXT
);
CREATE INDEX dedupe_merges_kept ON dedupe_merges(kept_id);
CREATE INDEX dedupe_merges_absorbed ON dedupe_merges(absorbed_id);

-- Per organisation: how far the background scan has looked (people updated
-- up to scanned_to) and who holds the scan now (a lease, so that two
-- processes never scan one organisation at once).
CREATE TABLE dedupe_scans (
    org_id       TEXT PRIMARY KEY REFERENCES organisations(id),
    scanned_to   TEXT,
    locked_by    TEXT NOT NULL DEFAULT '',
    locked_until TEXT,
    last_run_at  TEXT,
    pairs_raised INTEGER NOT NULL DEFAULT 0
);

CREATE INDEX people_org_updated ON people(org_id, updated_at);

-- Search keys a merged-away person lends the kept one (so that an old phone,
-- document, case number or external id still finds them) carry the merge.
-- The registry rewrites a person's keys by deleting and inserting; the
-- trigger keeps the lent ones until the merge is undone, when they return
-- to their owner.
ALTER TABLE person_keys ADD COLUMN merge_id TEXT;
CREATE INDEX person_keys_merge ON person_keys(merge_id);
CREATE TRIGGER person_keys_keep_lent BEFORE DELETE ON person_keys
WHEN OLD.merge_id IS NOT NULL
BEGIN
    SELECT RAISE(IGNORE);
END;

-- Precomputed indicators (see internal/indicator): one row per indicator,
-- organisation, month and combination of up to two disaggregations, so
-- that a dashboard reads aggregates, never records; and when each
-- indicator was last computed, from how many records.
CREATE TABLE indicator_values (
    code        TEXT NOT NULL,
    by_fields   TEXT NOT NULL,
    period      TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    by_values   TEXT NOT NULL,
    numerator   REAL NOT NULL,
    denominator REAL NOT NULL,
    PRIMARY KEY (code, by_fields, period, org_id, by_values)
) WITHOUT ROWID;
CREATE TABLE indicator_runs (
    code        TEXT PRIMARY KEY,
    version     INTEGER NOT NULL,
    computed_at TEXT NOT NULL,
    records     INTEGER NOT NULL,
    cells       INTEGER NOT NULL
);

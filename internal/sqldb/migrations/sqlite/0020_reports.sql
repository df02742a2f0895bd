-- Donor reports: a results-framework workbook of the indicators for a
-- period, requested by a user (or by an organisation's monthly schedule),
-- built in the background by whichever server claims it, and kept for
-- download. org_id '' is every organisation (the operator's watchers).
CREATE TABLE reports (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    requested_by  TEXT NOT NULL,
    lang          TEXT NOT NULL,
    period_from   TEXT NOT NULL,
    period_to     TEXT NOT NULL,
    scheduled     INTEGER NOT NULL DEFAULT 0,
    state         TEXT NOT NULL,
    progress      INTEGER NOT NULL DEFAULT 0,
    error         TEXT NOT NULL DEFAULT '',
    file          BLOB,
    size          INTEGER NOT NULL DEFAULT 0,
    pdf           BLOB,
    pdf_size      INTEGER NOT NULL DEFAULT 0,
    claimed_by    TEXT NOT NULL DEFAULT '',
    claimed_until TEXT,
    requested_at  TEXT NOT NULL,
    finished_at   TEXT
);
CREATE INDEX reports_org ON reports(org_id, requested_at);
CREATE INDEX reports_state ON reports(state, requested_at);
-- An organisation's monthly report: on the first days of a month the
-- previous month's is queued once (last_period remembers which).
CREATE TABLE report_schedules (
    org_id      TEXT PRIMARY KEY,
    lang        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    last_period TEXT NOT NULL DEFAULT ''
);

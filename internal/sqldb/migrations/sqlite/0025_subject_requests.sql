-- A returnee's requests about the data held on them (subject access), with
-- the statutory deadline they are tracked against.
CREATE TABLE subject_requests (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    person_id    TEXT NOT NULL REFERENCES people(id),
    kind         TEXT NOT NULL,
    received_on  TEXT NOT NULL,
    due_on       TEXT NOT NULL,
    channel      TEXT NOT NULL DEFAULT '',
    note         TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL,
    recorded_by  TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    fulfilled_by TEXT,
    fulfilled_at TEXT
);
CREATE INDEX subject_requests_org ON subject_requests(org_id, status, due_on);
CREATE INDEX subject_requests_person ON subject_requests(person_id, recorded_at);

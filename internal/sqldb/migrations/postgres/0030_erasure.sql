-- Erasure on request (four eyes), legal holds and retention periods.
-- A request is recorded with a reason and decided by another supervisor;
-- an approved one pseudonymises the person and stays as the tombstone
-- (status 'erased') that keeps the record out of lists.
CREATE TABLE erasure_requests (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    person_id    TEXT NOT NULL REFERENCES people(id),
    reason       TEXT NOT NULL,
    status       TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    decided_by   TEXT,
    decided_at   TIMESTAMPTZ
);
CREATE INDEX erasure_requests_org ON erasure_requests(org_id, status, requested_at);
CREATE INDEX erasure_requests_person ON erasure_requests(person_id, status);
CREATE UNIQUE INDEX erasure_requests_one_open ON erasure_requests(person_id) WHERE status = 'requested';

-- A legal hold keeps a person's records from erasure and retention.
CREATE TABLE legal_holds (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    person_id   TEXT NOT NULL REFERENCES people(id),
    reason      TEXT NOT NULL,
    placed_by   TEXT NOT NULL,
    placed_at   TIMESTAMPTZ NOT NULL,
    lifted_by   TEXT,
    lifted_at   TIMESTAMPTZ,
    lift_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX legal_holds_org ON legal_holds(org_id, placed_at);
CREATE INDEX legal_holds_person ON legal_holds(person_id, lifted_at);

-- An organisation's retention period per kind of record; no row keeps
-- the records.
CREATE TABLE retention_rules (
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    kind       TEXT NOT NULL,
    years      INTEGER NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, kind)
);

-- Audit events written but not yet linked into their chain (issue 19; see
-- the PostgreSQL migration). SQLite has one writer, so `serve` seals events
-- as it writes them there; the table exists so that both schemas match and
-- a deferred write (DB.DeferAuditSeal) works on either backend.
CREATE TABLE audit_pending (
    id          INTEGER PRIMARY KEY,
    chain       TEXT NOT NULL,
    at          TEXT NOT NULL,
    actor_id    TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    action      TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE TRIGGER audit_pending_no_update BEFORE UPDATE ON audit_pending
BEGIN SELECT RAISE(ABORT, 'audit_pending rows are moved, never changed'); END;

-- Audit events written but not yet linked into their chain (issue 19). On
-- PostgreSQL, `serve` writes each transaction's audit events here instead of
-- sealing them against the chain's head, whose row lock made every write of
-- an organisation wait for the one before it to commit. A single sealer at a
-- time (pg_try_advisory_xact_lock) moves them, oldest first, into
-- audit_events, sealed and linked, in one transaction: an event is either
-- here or in its chain, never both and never lost. `audit verify` reports
-- events left here too long. Rows are inserted and deleted, never changed.
CREATE TABLE audit_pending (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    chain       TEXT NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    actor_id    TEXT NOT NULL,
    org_id      TEXT NOT NULL,
    action      TEXT NOT NULL,
    record_type TEXT NOT NULL,
    record_id   TEXT NOT NULL,
    request_id  TEXT NOT NULL,
    detail      TEXT NOT NULL
);
CREATE FUNCTION audit_pending_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_pending rows are moved, never changed';
END;
$$;
CREATE TRIGGER audit_pending_no_update BEFORE UPDATE ON audit_pending
    FOR EACH ROW EXECUTE FUNCTION audit_pending_no_update();

-- The webhook worker's delivery log: one row per attempt to deliver an
-- event, with the HTTP status (0 when no answer came), the error and how
-- long the attempt took. webhook_deliveries keeps the latest outcome; this
-- keeps the history, so a partner's administrator can see why and when
-- deliveries failed.
CREATE TABLE webhook_attempts (
    id          TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id),
    attempt     INTEGER NOT NULL,
    at          TIMESTAMPTZ NOT NULL,
    status_code INTEGER NOT NULL DEFAULT 0,
    error       TEXT NOT NULL DEFAULT '',
    duration_ms INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, attempt);

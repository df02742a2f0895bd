-- Cross-border handoff (issue 20): partner instances abroad with their
-- pinned Ed25519 keys, this instance's own signing key, the signed
-- messages sent (an outbox worked by the background loop) and received
-- (expected arrivals, feedback), and the replay cache of nonces seen.
CREATE TABLE instance_keys (
    id          TEXT PRIMARY KEY,
    key_id      TEXT NOT NULL UNIQUE,
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    retired_at  TEXT
);
CREATE TABLE partners (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    country     TEXT NOT NULL,
    base_url    TEXT NOT NULL,
    fields      TEXT NOT NULL,
    receive_org TEXT REFERENCES organisations(id),
    status      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE TABLE partner_senders (
    partner_id TEXT NOT NULL REFERENCES partners(id),
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    PRIMARY KEY (partner_id, org_id)
);
CREATE INDEX partner_senders_org ON partner_senders(org_id);
CREATE TABLE partner_keys (
    key_id       TEXT PRIMARY KEY,
    partner_id   TEXT NOT NULL REFERENCES partners(id),
    public_key   TEXT NOT NULL,
    status       TEXT NOT NULL,
    added_at     TEXT NOT NULL,
    added_by     TEXT NOT NULL,
    confirmed_at TEXT,
    confirmed_by TEXT,
    revoked_at   TEXT
);
CREATE INDEX partner_keys_partner ON partner_keys(partner_id, added_at);
CREATE TABLE handoff_nonces (
    key_id     TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    keep_until TEXT NOT NULL,
    PRIMARY KEY (key_id, nonce)
);
CREATE INDEX handoff_nonces_until ON handoff_nonces(keep_until);
CREATE TABLE handoff_outbox (
    id           TEXT PRIMARY KEY,
    partner_id   TEXT NOT NULL REFERENCES partners(id),
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    case_id      TEXT NOT NULL,
    kind         TEXT NOT NULL,
    body         TEXT NOT NULL,
    status       TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    last_status  INTEGER NOT NULL DEFAULT 0,
    last_error   TEXT NOT NULL DEFAULT '',
    next_at      TEXT,
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX handoff_outbox_due ON handoff_outbox(status, next_at);
CREATE INDEX handoff_outbox_case ON handoff_outbox(org_id, case_id, created_at);
CREATE TABLE handoff_attempts (
    id          TEXT PRIMARY KEY,
    message_id  TEXT NOT NULL REFERENCES handoff_outbox(id),
    attempt     INTEGER NOT NULL,
    at          TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    error       TEXT NOT NULL
);
CREATE INDEX handoff_attempts_message ON handoff_attempts(message_id, attempt);
CREATE TABLE handoff_arrivals (
    id            TEXT PRIMARY KEY,
    partner_id    TEXT NOT NULL REFERENCES partners(id),
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    message_id    TEXT NOT NULL,
    state         TEXT NOT NULL,
    travel_date   TEXT NOT NULL,
    port_of_entry TEXT NOT NULL,
    name_key      TEXT NOT NULL,
    passport      TEXT NOT NULL,
    announcement  TEXT NOT NULL,
    received_at   TEXT NOT NULL,
    decided_at    TEXT,
    decided_by    TEXT,
    person_id     TEXT,
    case_id       TEXT,
    UNIQUE (partner_id, message_id)
);
CREATE INDEX handoff_arrivals_org ON handoff_arrivals(org_id, state, travel_date);
CREATE TABLE handoff_feedback (
    id              TEXT PRIMARY KEY,
    partner_id      TEXT NOT NULL REFERENCES partners(id),
    org_id          TEXT NOT NULL REFERENCES organisations(id),
    announcement_id TEXT NOT NULL REFERENCES handoff_outbox(id),
    message_id      TEXT NOT NULL,
    status          TEXT NOT NULL,
    at              TEXT NOT NULL,
    received_at     TEXT NOT NULL,
    UNIQUE (partner_id, message_id)
);
CREATE INDEX handoff_feedback_announcement ON handoff_feedback(announcement_id, at);

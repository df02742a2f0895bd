-- Accounts: grants of protected roles (provider staff) wait for a second
-- administrator of the same organisation.

CREATE TABLE role_grants (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    role         TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending',
    requested_by TEXT NOT NULL,
    requested_at TIMESTAMPTZ NOT NULL,
    decided_by   TEXT,
    decided_at   TIMESTAMPTZ
);
CREATE INDEX role_grants_org ON role_grants(org_id, state, id);
CREATE UNIQUE INDEX role_grants_one_pending ON role_grants(user_id, role) WHERE state = 'pending';

-- Sign-in throttling, by account (any e-mail address given, known or not)
-- and by client address: failures push next_at back; nothing locks.
CREATE TABLE login_throttle (
    key            TEXT PRIMARY KEY,
    failures       INTEGER NOT NULL DEFAULT 0,
    next_at        TIMESTAMPTZ NOT NULL,
    last_failed_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX login_throttle_last ON login_throttle(last_failed_at);

-- Accounts: grants of protected roles (provider staff) wait for a second
-- administrator of the same organisation.

CREATE TABLE role_grants (
    id           TEXT PRIMARY KEY,
    org_id       TEXT NOT NULL REFERENCES organisations(id),
    user_id      TEXT NOT NULL REFERENCES users(id),
    role         TEXT NOT NULL,
    state        TEXT NOT NULL DEFAULT 'pending',
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    decided_by   TEXT,
    decided_at   TEXT
);
CREATE INDEX role_grants_org ON role_grants(org_id, state, id);
CREATE UNIQUE INDEX role_grants_one_pending ON role_grants(user_id, role) WHERE state = 'pending';

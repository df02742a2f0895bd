-- Recognition of prior learning: the assessors an organisation registers
-- per competency standard (internal/rpl's catalogue), and the assessments
-- of a case against a standard (the rpl.Assessment as JSON, its status
-- copied for lists).
CREATE TABLE rpl_assessors (
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    user_id       TEXT NOT NULL REFERENCES users(id),
    standard      TEXT NOT NULL,
    centre        TEXT NOT NULL DEFAULT '',
    registered_by TEXT NOT NULL,
    registered_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (org_id, user_id, standard)
);
CREATE TABLE rpl_assessments (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL REFERENCES organisations(id),
    case_id    TEXT NOT NULL REFERENCES cases(id),
    person_id  TEXT NOT NULL REFERENCES people(id),
    standard   TEXT NOT NULL,
    status     TEXT NOT NULL,
    assessment TEXT NOT NULL,
    version    INTEGER NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX rpl_assessments_case ON rpl_assessments(case_id, created_at);
CREATE INDEX rpl_assessments_org ON rpl_assessments(org_id, status, updated_at);
-- An issuing organisation's Ed25519 signing keys: the public key as a
-- multibase Multikey, the private key sealed with the instance's at-rest
-- key (the notes key). One is active; retired ones stay to verify what
-- they signed.
CREATE TABLE issuer_keys (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES organisations(id),
    public_key  TEXT NOT NULL,
    private_key TEXT NOT NULL,
    created_at  TIMESTAMPTZ NOT NULL,
    retired_at  TIMESTAMPTZ
);
CREATE INDEX issuer_keys_org ON issuer_keys(org_id, created_at);
-- Certificates issued: the signed credential exactly as issued, its place
-- in the organisation's revocation status list, and its revocation.
CREATE TABLE credentials (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL REFERENCES organisations(id),
    person_id     TEXT NOT NULL REFERENCES people(id),
    case_id       TEXT NOT NULL REFERENCES cases(id),
    assessment_id TEXT NOT NULL UNIQUE REFERENCES rpl_assessments(id),
    standard      TEXT NOT NULL,
    status_index  INTEGER NOT NULL,
    credential    TEXT NOT NULL,
    issued_by     TEXT NOT NULL,
    issued_at     TIMESTAMPTZ NOT NULL,
    revoked_at    TIMESTAMPTZ,
    revoked_by    TEXT NOT NULL DEFAULT '',
    revoke_reason TEXT NOT NULL DEFAULT '',
    UNIQUE (org_id, status_index)
);
CREATE INDEX credentials_org ON credentials(org_id, issued_at);
CREATE INDEX credentials_case ON credentials(case_id);
